// Package catalog turns Lightspeed items and matrices into neutral
// products: a standalone item becomes a simple product, a matrix a variable
// product whose variants are its items. The web-store adapters write these
// products; nothing here knows a web store.
package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/storesync/storesync/pkg/lightspeed"
)

// Options choose which Lightspeed fields feed the web store.
type Options struct {
	Shops          []int64 // locations whose sellable stock is summed; none = the total row
	PriceLevel     string  // regular price level; "Default" when empty
	SalePriceLevel string  // optional sale price level
	SKUField       string  // "custom", "system", "manufacturer" or "upc"
}

// Product is one web product: simple when Variants is empty.
type Product struct {
	ItemID           int64 // standalone item, 0 for a matrix
	MatrixID         int64 // matrix, 0 for a standalone item
	SKU              string
	Name             string
	Description      string
	ShortDescription string
	RegularPrice     string
	SalePrice        string
	Stock            int64
	Weight           string
	Length           string
	Width            string
	Height           string
	Category         []Term // from the root down to the product's category
	Brand            *Term
	Images           []Image
	Archived         bool
	Attributes       []Attribute
	Variants         []Variant
	Stamp            time.Time `json:"-"`
}

// Variant is one item of a matrix.
type Variant struct {
	ItemID       int64
	SKU          string
	RegularPrice string
	SalePrice    string
	Stock        int64
	Weight       string
	Options      []Option
	Archived     bool
	Stamp        time.Time `json:"-"`
}

// Term is a category or brand, by Lightspeed id.
type Term struct {
	ID   int64
	Name string
}

// Image is a Lightspeed image in display order.
type Image struct {
	ID       int64
	URL      string
	Name     string
	PublicID string
	Stamp    time.Time `json:"-"`
}

// Attribute is a variable product's attribute with every value in use.
type Attribute struct {
	Name    string
	Options []string
}

// Option is the value a variant takes for one attribute.
type Option struct {
	Name  string
	Value string
}

// Reasons a product is not published.
var (
	ErrNoSKU   = errors.New("blank SKU")
	ErrNoPrice = errors.New("price is 0")
)

// Stock sums the sellable quantity of the chosen shops, or takes the
// all-locations total (shopID 0) when none are chosen. It is never negative
// and never counts the total row twice.
func Stock(rows []lightspeed.ItemShop, shops []int64) int64 {
	var n int64
	for _, r := range rows {
		if len(shops) == 0 {
			if r.ShopID == 0 {
				n = r.Sellable
			}
			continue
		}
		if r.ShopID != 0 && contains(shops, r.ShopID) && r.Sellable > 0 {
			n += r.Sellable
		}
	}
	return max(n, 0)
}

// StockFromMap is Stock over remembered per-shop sellable quantities.
func StockFromMap(sellable map[int64]int64, shops []int64) int64 {
	rows := make([]lightspeed.ItemShop, 0, len(sellable))
	for shop, n := range sellable {
		rows = append(rows, lightspeed.ItemShop{ShopID: shop, Sellable: n})
	}
	return Stock(rows, shops)
}

func contains(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

// Levels returns the price levels of an item by name.
func Levels(prices []lightspeed.ItemPrice) map[string]string {
	out := make(map[string]string, len(prices))
	for _, p := range prices {
		out[p.UseType] = p.Amount
	}
	return out
}

// Price picks a level's amount; an unset level (missing or 0) falls back to
// Default. The result is formatted with at least two decimals.
func Price(levels map[string]string, level string) string {
	if level == "" {
		level = "Default"
	}
	if a := normalizeAmount(levels[level]); a != "" {
		return a
	}
	return normalizeAmount(levels["Default"])
}

// SalePrice picks the optional sale level; it is empty when unset or not
// below the regular price.
func SalePrice(levels map[string]string, level, regular string) string {
	if level == "" {
		return ""
	}
	sale := normalizeAmount(levels[level])
	if sale == "" {
		return ""
	}
	s, _ := strconv.ParseFloat(sale, 64)
	r, _ := strconv.ParseFloat(regular, 64)
	if s >= r {
		return ""
	}
	return sale
}

// normalizeAmount returns a decimal string with at least two decimals, or
// "" for a missing, malformed or zero amount.
func normalizeAmount(a string) string {
	a = strings.TrimSpace(a)
	f, err := strconv.ParseFloat(a, 64)
	if err != nil || f <= 0 {
		return ""
	}
	whole, frac, _ := strings.Cut(a, ".")
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	return whole + "." + frac
}

// SKU picks the configured SKU field, trimmed.
func SKU(it lightspeed.Item, field string) string {
	var v string
	switch field {
	case "system":
		v = it.SystemSKU
	case "manufacturer":
		v = it.ManufacturerSKU
	case "upc":
		v = it.UPC
	default:
		v = it.CustomSKU
	}
	return strings.TrimSpace(v)
}

// MatrixSKU is the synthetic SKU of a variable product, so it can be found
// again by SKU.
func MatrixSKU(matrixID int64) string {
	return fmt.Sprintf("LSM-%d", matrixID)
}

// FromItem maps a standalone item. Categories are resolved by cats, which
// returns the path from the root to a category.
func FromItem(it lightspeed.Item, opts Options, cats func(int64) []Term) Product {
	levels := Levels(it.Prices)
	p := Product{
		ItemID:       it.ItemID,
		SKU:          SKU(it, opts.SKUField),
		Name:         strings.TrimSpace(it.Description),
		RegularPrice: Price(levels, opts.PriceLevel),
		Stock:        Stock(it.ItemShops, opts.Shops),
		Archived:     it.Archived,
		Stamp:        it.TimeStamp,
		Images:       images(it.Images),
	}
	p.SalePrice = SalePrice(levels, opts.SalePriceLevel, p.RegularPrice)
	if e := it.ECommerce; e != nil {
		p.Description = e.LongDescription
		p.ShortDescription = e.ShortDescription
		p.Weight, p.Length, p.Width, p.Height = e.Weight, e.Length, e.Width, e.Height
	}
	if cats != nil && it.CategoryID != 0 {
		p.Category = cats(it.CategoryID)
	}
	if m := it.Manufacturer; m != nil && m.Name != "" {
		p.Brand = &Term{ID: m.ManufacturerID, Name: m.Name}
	}
	return p
}

// FromMatrix maps a matrix and the variants to publish.
func FromMatrix(m lightspeed.Matrix, items []lightspeed.Item, opts Options,
	cats func(int64) []Term) Product {
	p := Product{
		MatrixID: m.ItemMatrixID,
		SKU:      MatrixSKU(m.ItemMatrixID),
		Name:     strings.TrimSpace(m.Description),
		Archived: m.Archived,
		Stamp:    m.TimeStamp,
		Images:   images(m.Images),
	}
	if e := m.ECommerce; e != nil {
		p.Description = e.LongDescription
		p.ShortDescription = e.ShortDescription
		p.Weight, p.Length, p.Width, p.Height = e.Weight, e.Length, e.Width, e.Height
	}
	if cats != nil && m.CategoryID != 0 {
		p.Category = cats(m.CategoryID)
	}
	if b := m.Manufacturer; b != nil && b.Name != "" {
		p.Brand = &Term{ID: b.ManufacturerID, Name: b.Name}
	}

	names := attributeNames(m)
	values := make([][]string, len(names))
	sort.Slice(items, func(i, j int) bool { return items[i].ItemID < items[j].ItemID })
	for _, it := range items {
		levels := Levels(it.Prices)
		v := Variant{
			ItemID:       it.ItemID,
			SKU:          SKU(it, opts.SKUField),
			RegularPrice: Price(levels, opts.PriceLevel),
			Stock:        Stock(it.ItemShops, opts.Shops),
			Archived:     it.Archived,
			Stamp:        it.TimeStamp,
		}
		v.SalePrice = SalePrice(levels, opts.SalePriceLevel, v.RegularPrice)
		if e := it.ECommerce; e != nil {
			v.Weight = e.Weight
		}
		for i, name := range names {
			val := attributeValue(it.Attributes, i)
			if val == "" {
				continue
			}
			v.Options = append(v.Options, Option{Name: name, Value: val})
			if !containsString(values[i], val) {
				values[i] = append(values[i], val)
			}
		}
		p.Variants = append(p.Variants, v)
	}
	for i, name := range names {
		if len(values[i]) > 0 {
			p.Attributes = append(p.Attributes, Attribute{Name: name, Options: values[i]})
		}
	}
	return p
}

func attributeNames(m lightspeed.Matrix) []string {
	names := []string{"Option 1", "Option 2", "Option 3"}
	if s := m.AttributeSet; s != nil {
		for i, n := range []string{s.AttributeName1, s.AttributeName2, s.AttributeName3} {
			if strings.TrimSpace(n) != "" {
				names[i] = strings.TrimSpace(n)
			}
		}
	}
	return names
}

func attributeValue(a *lightspeed.ItemAttributes, i int) string {
	if a == nil {
		return ""
	}
	return strings.TrimSpace([]string{a.Attribute1, a.Attribute2, a.Attribute3}[i])
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func images(in []lightspeed.Image) []Image {
	sorted := append([]lightspeed.Image(nil), in...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Ordering < sorted[j].Ordering })
	out := make([]Image, 0, len(sorted))
	for _, im := range sorted {
		name := im.Description
		if name == "" {
			name = im.Filename
		}
		out = append(out, Image{ID: im.ImageID, URL: im.URL(), Name: name,
			PublicID: im.PublicID, Stamp: im.TimeStamp})
	}
	return out
}

// Check reports why a product may not be published, or nil.
func Check(p Product) error {
	if len(p.Variants) == 0 && p.MatrixID == 0 {
		if p.SKU == "" {
			return ErrNoSKU
		}
		if p.RegularPrice == "" {
			return ErrNoPrice
		}
		return nil
	}
	for _, v := range p.Variants {
		if v.SKU == "" {
			return fmt.Errorf("variant %d: %w", v.ItemID, ErrNoSKU)
		}
		if v.RegularPrice == "" {
			return fmt.Errorf("variant %d: %w", v.ItemID, ErrNoPrice)
		}
	}
	return nil
}

// Hash fingerprints every pushed field, to tell whether a push is needed.
func Hash(p Product) string {
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}
