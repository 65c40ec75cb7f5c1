package lightspeedtest

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// The emulator keeps its own records; they are rendered to JSON on each
// read.

type shopRec struct {
	id    int64
	name  string
	stamp time.Time
}

type categoryRec struct {
	id, parentID int64
	name         string
	created      time.Time
	stamp        time.Time
}

type manufacturerRec struct {
	id      int64
	name    string
	created time.Time
	stamp   time.Time
}

type attrSetRec struct {
	id    int64
	name  string
	names []string
	stamp time.Time
}

type imageRec struct {
	id, itemID, matrixID int64
	publicID             string
	filename             string
	description          string
	ordering             int
	created, stamp       time.Time
}

type stockRow struct {
	id    int64
	qoh   int64
	stamp time.Time
}

type itemRec struct {
	id, matrixID, categoryID, manufacturerID int64

	systemSKU, customSKU, manufacturerSKU, upc, ean string
	description                                     string

	prices map[string]string
	stock  map[int64]*stockRow // by shopID; 0 is the total row

	long, short, weight, length, width, height string

	attrs    []string
	tags     []string
	images   []*imageRec
	archived bool

	created, stamp time.Time
}

type matrixRec struct {
	id, attrSetID, categoryID, manufacturerID int64

	description, defaultPrice, long, short string

	tags     []string
	images   []*imageRec
	archived bool

	created, stamp time.Time
}

// standardLevels are the price levels every account has, in ID order.
var standardLevels = []string{"Default", "MSRP", "Online"}

// normTag normalises a tag name the way the API does: lower-case, no
// spaces.
func normTag(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), ""))
}

// publicIDFor derives a stable Cloudinary-style public ID.
func publicIDFor(imageID int64, filename string) string {
	sum := sha256.Sum256([]byte(filename + "#" + itoa(imageID)))
	return "ls" + hex.EncodeToString(sum[:])[:18]
}

// SeedAge is how long before seeding a seeded catalog was last edited, as
// a real catalog was: a feed read from "now" then finds only what the shop
// floor changed since.
const SeedAge = 24 * time.Hour

// SeedCatalog replaces the emulated account's content with c. Records get
// the clock's time less SeedAge as their creation and change time.
func (s *Server) SeedCatalog(c Catalog) {
	s.mu.Lock()
	defer s.mu.Unlock()

	now := s.stamp().Add(-SeedAge)
	s.resetCatalog()
	for _, sh := range c.Shops {
		s.shops[sh.ShopID] = &shopRec{id: sh.ShopID, name: sh.Name, stamp: now}
	}
	for _, cat := range c.Categories {
		s.categories[cat.CategoryID] = &categoryRec{id: cat.CategoryID,
			parentID: cat.ParentID, name: cat.Name, created: now, stamp: now}
	}
	for _, m := range c.Manufacturers {
		s.manufacturers[m.ManufacturerID] = &manufacturerRec{
			id: m.ManufacturerID, name: m.Name, created: now, stamp: now}
	}
	for _, a := range c.AttributeSets {
		s.attrSets[a.ItemAttributeSetID] = &attrSetRec{
			id: a.ItemAttributeSetID, name: a.Name,
			names: append([]string(nil), a.AttributeNames...), stamp: now}
	}
	for _, t := range c.Tags {
		s.tagID(t)
	}
	for _, m := range c.Matrices {
		s.addMatrix(m, now)
	}
	if len(s.shops) == 0 {
		s.shops[1] = &shopRec{id: 1, name: "Main Store", stamp: now}
	}
	for _, it := range c.Items {
		s.addItem(it, now)
	}
}

// resetCatalog empties the account. The caller holds s.mu.
func (s *Server) resetCatalog() {
	s.shops = map[int64]*shopRec{}
	s.categories = map[int64]*categoryRec{}
	s.manufacturers = map[int64]*manufacturerRec{}
	s.attrSets = map[int64]*attrSetRec{}
	s.matrices = map[int64]*matrixRec{}
	s.items = map[int64]*itemRec{}
	s.tagIDs = map[string]int64{}
	s.tagNames = map[int64]string{}
	s.levels = append([]string(nil), standardLevels...)
	s.lastItemID, s.lastStockID, s.lastImageID, s.lastTagID = 0, 0, 0, 0
}

func (s *Server) addMatrix(m Matrix, now time.Time) {
	rec := &matrixRec{id: m.ItemMatrixID, attrSetID: m.ItemAttributeSetID,
		categoryID: m.CategoryID, manufacturerID: m.ManufacturerID,
		description: m.Description, defaultPrice: m.DefaultPrice,
		long: m.LongDescription, short: m.ShortDescription,
		created: now, stamp: now}
	for _, t := range m.Tags {
		rec.tags = addTag(rec.tags, s.tagName(t))
	}
	rec.images = s.newImages(m.Images, 0, m.ItemMatrixID, now)
	s.matrices[rec.id] = rec
}

// addItem stores a seed item. An ItemID of 0 takes the next free ID.
// The caller holds s.mu.
func (s *Server) addItem(it Item, now time.Time) *itemRec {
	if !it.TimeStamp.IsZero() {
		now = it.TimeStamp.UTC().Truncate(time.Second)
	}
	id := it.ItemID
	if id == 0 {
		id = s.lastItemID + 1
	}
	s.lastItemID = max(s.lastItemID, id)
	rec := &itemRec{id: id, matrixID: it.ItemMatrixID,
		categoryID: it.CategoryID, manufacturerID: it.ManufacturerID,
		systemSKU: systemSKU(id), customSKU: it.CustomSKU,
		manufacturerSKU: it.ManufacturerSKU, upc: it.UPC,
		description: it.Description, prices: map[string]string{},
		stock: map[int64]*stockRow{}, long: it.LongDescription,
		short: it.ShortDescription, weight: it.Weight, length: it.Length,
		width: it.Width, height: it.Height,
		attrs:    append([]string(nil), it.Attributes...),
		archived: it.Archived, created: now, stamp: now}
	for level, amount := range it.Prices {
		s.priceLevel(level)
		rec.prices[level] = amount
	}
	for _, t := range it.Tags {
		rec.tags = addTag(rec.tags, s.tagName(t))
	}
	for shopID := range it.Stock {
		if _, ok := s.shops[shopID]; !ok && shopID != 0 {
			s.shops[shopID] = &shopRec{id: shopID,
				name: "Shop " + itoa(shopID), stamp: now}
		}
	}
	for _, shopID := range s.shopIDs() {
		rec.stock[shopID] = s.newStockRow(it.Stock[shopID], now)
	}
	rec.stock[0] = s.newStockRow(0, now)
	rec.images = s.newImages(it.Images, id, 0, now)
	s.items[id] = rec
	return rec
}

// ensureStock adds the rows of shops created after the item.
func (s *Server) ensureStock(it *itemRec) {
	for _, shopID := range s.shopIDs() {
		if it.stock[shopID] == nil {
			it.stock[shopID] = s.newStockRow(0, it.created)
		}
	}
}

func (s *Server) newStockRow(qoh int64, now time.Time) *stockRow {
	s.lastStockID++
	return &stockRow{id: s.lastStockID, qoh: qoh, stamp: now}
}

func (s *Server) newImages(seed []SeedImage, itemID, matrixID int64,
	now time.Time) []*imageRec {
	var out []*imageRec
	for i, im := range seed {
		s.lastImageID++
		out = append(out, &imageRec{id: s.lastImageID, itemID: itemID,
			matrixID: matrixID, filename: im.Filename,
			description: im.Description, ordering: i,
			publicID: publicIDFor(s.lastImageID, im.Filename),
			created:  now, stamp: now})
	}
	return out
}

// tagName returns the normalised name, creating the tag when new.
func (s *Server) tagName(name string) string {
	n := normTag(name)
	s.tagID(n)
	return n
}

func (s *Server) tagID(name string) int64 {
	n := normTag(name)
	if n == "" {
		return 0
	}
	if id, ok := s.tagIDs[n]; ok {
		return id
	}
	s.lastTagID++
	s.tagIDs[n] = s.lastTagID
	s.tagNames[s.lastTagID] = n
	return s.lastTagID
}

// priceLevel returns the ID of a price level, creating it when new.
func (s *Server) priceLevel(name string) int64 {
	for i, l := range s.levels {
		if strings.EqualFold(l, name) {
			return int64(i + 1)
		}
	}
	s.levels = append(s.levels, name)
	return int64(len(s.levels))
}

func (s *Server) shopIDs() []int64 {
	ids := make([]int64, 0, len(s.shops))
	for id := range s.shops {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func addTag(tags []string, name string) []string {
	if name == "" {
		return tags
	}
	for _, t := range tags {
		if t == name {
			return tags
		}
	}
	return append(tags, name)
}

func systemSKU(id int64) string {
	s := itoa(id)
	for len(s) < 10 {
		s = "0" + s
	}
	return "21" + s
}

// totals returns the shopID 0 figures: qoh is the net of every shop,
// sellable the sum of the shops that are not negative.
func (it *itemRec) totals() (qoh, sellable int64) {
	for shopID, row := range it.stock {
		if shopID == 0 {
			continue
		}
		qoh += row.qoh
		sellable += max(row.qoh, 0)
	}
	return qoh, sellable
}

func sortedIDs[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
