package main

import (
	"sort"

	"github.com/storesync/storesync/internal/seed"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
)

// syntheticSeed is the seed storesync-sandbox serve --synthetic uses; the
// driver rebuilds the same catalog to know its shape.
const syntheticSeed = 1

// pageSize is the most rows a Lightspeed page or a web-store batch holds.
const pageSize = 100

// shape is what the lower bounds of a synthetic catalog depend on.
type shape struct {
	Items      int
	Simple     []int64           // standalone items, all tagged
	Variants   map[int64][]int64 // variant item IDs by matrix
	Matrices   int
	Categories int
	CatLevels  int // depth of the category tree
	// InStock holds the items with stock on the shop floor: selling one
	// of them changes the stock the web store shows.
	InStock map[int64]bool
}

func newShape(c lightspeedtest.Catalog) shape {
	s := shape{Items: len(c.Items), Matrices: len(c.Matrices),
		Categories: len(c.Categories), Variants: map[int64][]int64{},
		InStock: map[int64]bool{}}
	for _, it := range c.Items {
		if it.Stock[seed.ShopFloorID] > 0 {
			s.InStock[it.ItemID] = true
		}
		if it.ItemMatrixID == 0 {
			s.Simple = append(s.Simple, it.ItemID)
		} else {
			s.Variants[it.ItemMatrixID] = append(s.Variants[it.ItemMatrixID], it.ItemID)
		}
	}
	parent := map[int64]int64{}
	for _, cat := range c.Categories {
		parent[cat.CategoryID] = cat.ParentID
	}
	for id := range parent {
		depth := 0
		for p := id; p != 0 && depth <= len(parent); p = parent[p] {
			depth++
		}
		s.CatLevels = max(s.CatLevels, depth)
	}
	return s
}

func (s shape) variants() int {
	n := 0
	for _, v := range s.Variants {
		n += len(v)
	}
	return n
}

// matrixIDs returns the matrices in ID order.
func (s shape) matrixIDs() []int64 {
	ids := make([]int64, 0, len(s.Variants))
	for id := range s.Variants {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func syntheticShape(n int, matrixShare float64) shape {
	return newShape(seed.Synthetic(n, matrixShare, syntheticSeed))
}

// pages is how many pages or batches n rows take, at least min.
func pages(n, min int) int {
	return max((n+pageSize-1)/pageSize, min)
}

// bound is the fewest requests a step can make, per API.
type bound struct{ LS, Web int }

// Lower bounds of each step, as set out in docs/performance.md.

// tagScanBound: every matrix and every item once, with their tags.
func (s shape) tagScanBound() bound {
	return bound{LS: pages(s.Matrices, 1) + pages(s.Items, 1)}
}

// tagSyncBound: a first push of every tagged product. Lightspeed: one
// page each of the item and matrix feeds (tag-scan left their cursors at
// the catalog's end), every tagged item and matrix read in full, and the
// category tree. Web store: one SKU lookup per 100 SKUs (products and
// variations alike may already exist), one batch per 100 products, one
// variations batch per matrix (per 100 variants), and for the terms one
// listing each plus one batch per category level and one for the brands.
func (s shape) tagSyncBound() bound {
	products := len(s.Simple) + s.Matrices
	web := pages(products+s.variants(), 0) + pages(products, 0) + 2 + s.CatLevels + 1
	for _, v := range s.Variants {
		web += pages(len(v), 1)
	}
	ls := 2 + pages(len(s.Simple)+s.variants(), 0) + pages(s.Matrices, 0) +
		pages(s.Categories, 1)
	return bound{LS: ls, Web: web}
}

// change is the shop-floor activity before a busy sync.
type change struct {
	SellSimple  []int64
	PriceSimple []int64
	SellVariant []int64
	Parents     map[int64]int // variants sold per matrix
}

// changes picks k changes, a third of each kind, spread over the catalog.
func (s shape) changes(k int) change {
	third := max(k/3, 1)
	c := change{Parents: map[int64]int{}}
	step := max(len(s.Simple)/(3*third), 1)
	for i := 0; i < len(s.Simple) && len(c.PriceSimple) < third; i += step {
		if len(c.SellSimple) < third {
			if !s.InStock[s.Simple[i]] {
				continue
			}
			c.SellSimple = append(c.SellSimple, s.Simple[i])
		} else {
			c.PriceSimple = append(c.PriceSimple, s.Simple[i])
		}
	}
	ids := s.matrixIDs()
	for i := 0; len(c.SellVariant) < third && len(ids) > 0; i++ {
		m := ids[i%len(ids)]
		v := s.Variants[m]
		j := i / len(ids)
		if j >= len(v) || !s.InStock[v[j]] {
			if j > 10 {
				break
			}
			continue
		}
		c.SellVariant = append(c.SellVariant, v[j])
		c.Parents[m]++
	}
	return c
}

// syncBound: the stock feed returns one row per sale, the price feed one
// item per price change; simple products go in batches of 100, variations
// in one batch per matrix touched (per 100 variants).
func (c change) syncBound() bound {
	ls := pages(len(c.SellSimple)+len(c.SellVariant), 1) + pages(len(c.PriceSimple), 1)
	web := pages(len(c.SellSimple)+len(c.PriceSimple), 0)
	for _, n := range c.Parents {
		web += pages(n, 1)
	}
	return bound{LS: ls, Web: web}
}

func (c change) total() int {
	return len(c.SellSimple) + len(c.PriceSimple) + len(c.SellVariant)
}
