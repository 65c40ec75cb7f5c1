package seed_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/storesync/storesync/internal/seed"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
)

const catalogDir = "../../testdata/catalog"

func load(t *testing.T) lightspeedtest.Catalog {
	t.Helper()
	c, err := seed.Load(catalogDir)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return c
}

func isWebTagged(tags []string) bool {
	for _, tg := range tags {
		if strings.EqualFold(tg, seed.WebTag) {
			return true
		}
	}
	return false
}

func bySKU(c lightspeedtest.Catalog) map[string]lightspeedtest.Item {
	m := make(map[string]lightspeedtest.Item, len(c.Items))
	for _, it := range c.Items {
		m[it.CustomSKU] = it
	}
	return m
}

func TestLoadCounts(t *testing.T) {
	c := load(t)

	var variants, tagged, archived, retail int
	for _, it := range c.Items {
		if it.ItemMatrixID != 0 {
			variants++
		}
		if isWebTagged(it.Tags) {
			tagged++
		}
		if it.Archived {
			archived++
		}
		if it.ItemID >= 1000 && it.ItemID < 5000 {
			retail++
		}
	}
	var taggedMatrices int
	for _, m := range c.Matrices {
		if isWebTagged(m.Tags) {
			taggedMatrices++
		}
	}

	tests := []struct {
		name      string
		got, want int
	}{
		{"items", len(c.Items), 4007},
		{"retail items", retail, 3914},
		{"matrices", len(c.Matrices), 7},
		{"variants", variants, 24},
		{"tagged items", tagged, 393},
		{"tagged matrices", taggedMatrices, 5},
		{"archived", archived, 12},
		{"shops", len(c.Shops), 2},
		{"attribute sets", len(c.AttributeSets), 5},
		{"manufacturers", len(c.Manufacturers), 5},
		{"categories", len(c.Categories), 44},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestLoadIsDeterministic(t *testing.T) {
	a, b := load(t), load(t)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two loads of the same files differ")
	}
}

func TestLoadIDsAndSKUsAreUnique(t *testing.T) {
	c := load(t)
	ids := map[int64]bool{}
	skus := map[string]bool{}
	for _, it := range c.Items {
		if ids[it.ItemID] {
			t.Errorf("item ID %d used twice", it.ItemID)
		}
		if skus[it.CustomSKU] {
			t.Errorf("SKU %q used twice", it.CustomSKU)
		}
		ids[it.ItemID], skus[it.CustomSKU] = true, true
	}

	cats := map[int64]bool{}
	for _, cat := range c.Categories {
		if cat.ParentID != 0 && !cats[cat.ParentID] {
			t.Errorf("category %d comes before its parent %d",
				cat.CategoryID, cat.ParentID)
		}
		cats[cat.CategoryID] = true
	}
	for _, it := range c.Items {
		if !cats[it.CategoryID] {
			t.Errorf("item %d has unknown category %d", it.ItemID, it.CategoryID)
		}
	}
}

func TestLoadKeepsCaseTwinsApart(t *testing.T) {
	items := bySKU(load(t))
	upper, ok1 := items["85123A"]
	lower, ok2 := items["85123a"]
	if !ok1 || !ok2 {
		t.Fatalf("85123A present %v, 85123a present %v; want both", ok1, ok2)
	}
	if upper.ItemID == lower.ItemID {
		t.Errorf("85123A and 85123a share item ID %d", upper.ItemID)
	}
	if got := upper.Prices["Default"]; got != "2.95" {
		t.Errorf("85123A Default price = %q, want 2.95", got)
	}
	if got := lower.Prices["Default"]; got != "6.63" {
		t.Errorf("85123a Default price = %q, want 6.63", got)
	}
}

func TestLoadKeepsDescriptions(t *testing.T) {
	items := bySKU(load(t))
	want := "RUSTIC  SEVENTEEN DRAWER SIDEBOARD"
	if got := items["22827"].Description; got != want {
		t.Errorf("22827 description = %q, want %q", got, want)
	}
	if got := items["22827"].Prices["MSRP"]; got != "165.00" {
		t.Errorf("22827 MSRP = %q, want 165.00", got)
	}
}

func TestLoadColourIsItsOwnAttributeSet(t *testing.T) {
	c := load(t)
	sets := map[int64]lightspeedtest.AttributeSet{}
	for _, s := range c.AttributeSets {
		sets[s.ItemAttributeSetID] = s
	}
	names := map[string]string{}
	for _, m := range c.Matrices {
		names[m.Description] = sets[m.ItemAttributeSetID].Name
	}
	tests := []struct{ matrix, set string }{
		{"Gemstone Necklace", "Colour"},
		{"7 Shakra Bracelet", "Color"},
		{"V-Neck T-Shirt", "Color/Size"},
		{"Hoodie", "Color/Logo"},
		{"Classic Varsity Top", "Size"},
	}
	for _, tt := range tests {
		if got := names[tt.matrix]; got != tt.set {
			t.Errorf("matrix %q has set %q, want %q", tt.matrix, got, tt.set)
		}
	}
}

func TestLoadExpandsAnySize(t *testing.T) {
	items := bySKU(load(t))
	it, ok := items["woo-vneck-tee-blue-medium"]
	if !ok {
		t.Fatal("woo-vneck-tee-blue-medium missing")
	}
	if want := []string{"Blue", "Medium"}; !reflect.DeepEqual(it.Attributes, want) {
		t.Errorf("attributes = %v, want %v", it.Attributes, want)
	}
	if it.Prices["Default"] != "15" {
		t.Errorf("price = %q, want 15", it.Prices["Default"])
	}
}

func TestLoadTaggedHaveSKUs(t *testing.T) {
	c := load(t)
	tagged := map[int64]bool{}
	for _, m := range c.Matrices {
		tagged[m.ItemMatrixID] = isWebTagged(m.Tags)
	}
	var n int
	for _, it := range c.Items {
		if !isWebTagged(it.Tags) && !tagged[it.ItemMatrixID] {
			continue
		}
		n++
		if it.CustomSKU == "" {
			t.Errorf("tagged item %d has no SKU", it.ItemID)
		}
	}
	if n == 0 {
		t.Fatal("no tagged items")
	}
}

func TestSales(t *testing.T) {
	sales, err := seed.Sales(catalogDir, "2011-11-14")
	if err != nil {
		t.Fatalf("sales: %v", err)
	}
	if len(sales) != 3579 {
		t.Errorf("got %d lines, want 3579", len(sales))
	}

	items := bySKU(load(t))
	first := sales[0]
	want := seed.Sale{
		At:        time.Date(2011, 11, 14, 8, 10, 0, 0, time.UTC),
		InvoiceNo: "576080",
		ItemID:    items["22465"].ItemID,
		SKU:       "22465",
		Quantity:  12,
		UnitPrice: "1.65",
	}
	if first != want {
		t.Errorf("first line = %+v, want %+v", first, want)
	}

	for _, s := range sales {
		if s.InvoiceNo == "C576108" {
			if s.Quantity != -24 || s.ItemID != items["20685"].ItemID {
				t.Errorf("cancellation = %+v, want -24 of 20685", s)
			}
			return
		}
	}
	t.Error("cancellation C576108 missing")
}

func TestSalesRefusesOtherDays(t *testing.T) {
	for _, day := range []string{"2011-11-13", "2011-11-19", "monday", ""} {
		_, err := seed.Sales(catalogDir, day)
		if !errors.Is(err, seed.ErrNoSuchDay) {
			t.Errorf("Sales(%q) error = %v, want ErrNoSuchDay", day, err)
		}
	}
}

func TestSynthetic(t *testing.T) {
	c := seed.Synthetic(1000, 0.3, 7)
	if !reflect.DeepEqual(c, seed.Synthetic(1000, 0.3, 7)) {
		t.Fatal("two catalogs from the same seed differ")
	}
	if len(c.Items) != 1000 {
		t.Errorf("items = %d, want 1000", len(c.Items))
	}

	var variants, tagged int
	skus := map[string]bool{}
	matrices := map[int64]int{}
	for _, it := range c.Items {
		if it.ItemMatrixID != 0 {
			variants++
			matrices[it.ItemMatrixID]++
		}
		if isWebTagged(it.Tags) {
			tagged++
		}
		if skus[it.CustomSKU] {
			t.Errorf("SKU %q used twice", it.CustomSKU)
		}
		skus[it.CustomSKU] = true
	}
	if variants != 300 {
		t.Errorf("variants = %d, want 300", variants)
	}
	if len(matrices) != len(c.Matrices) {
		t.Errorf("%d matrices have variants, want %d", len(matrices),
			len(c.Matrices))
	}
	for id, n := range matrices {
		if n < 2 {
			t.Errorf("matrix %d has %d variant", id, n)
		}
	}
	if tagged < 30 || tagged > 110 {
		t.Errorf("tagged standalone items = %d, want about 70", tagged)
	}
}
