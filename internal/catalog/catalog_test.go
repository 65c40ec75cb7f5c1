package catalog

import (
	"testing"

	"github.com/storesync/storesync/pkg/lightspeed"
)

func TestStock(t *testing.T) {
	rows := []lightspeed.ItemShop{
		{ShopID: 0, QOH: 7, Sellable: 12},
		{ShopID: 1, QOH: 12, Sellable: 12},
		{ShopID: 2, QOH: -5, Sellable: 0},
		{ShopID: 3, QOH: 4, Sellable: 4},
	}
	tests := []struct {
		name  string
		shops []int64
		want  int64
	}{
		{"all-locations total", nil, 12},
		{"one shop", []int64{1}, 12},
		{"oversold shop counts as zero", []int64{1, 2}, 12},
		{"two shops", []int64{1, 3}, 16},
		{"the total row is never added to shops", []int64{0, 1}, 12},
		{"only an oversold shop", []int64{2}, 0},
		{"a shop with no row", []int64{9}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Stock(rows, tt.shops); got != tt.want {
				t.Errorf("Stock(%v) = %d, want %d", tt.shops, got, tt.want)
			}
		})
	}
}

func TestPrice(t *testing.T) {
	levels := map[string]string{"Default": "2.5", "MSRP": "3.00", "Online": "0",
		"Sale": "2.10", "Odd": "0.315"}
	tests := []struct {
		level string
		want  string
	}{
		{"", "2.50"},
		{"Default", "2.50"},
		{"MSRP", "3.00"},
		{"Online", "2.50"}, // 0 means unset: falls back to Default
		{"Missing", "2.50"},
		{"Odd", "0.315"}, // three decimals are kept
	}
	for _, tt := range tests {
		if got := Price(levels, tt.level); got != tt.want {
			t.Errorf("Price(%q) = %q, want %q", tt.level, got, tt.want)
		}
	}
	if got := Price(map[string]string{"Default": "0"}, "Default"); got != "" {
		t.Errorf("a zero Default price gave %q, want none", got)
	}
}

func TestSalePrice(t *testing.T) {
	levels := map[string]string{"Default": "2.50", "Sale": "2.10", "High": "4.00"}
	tests := []struct {
		level string
		want  string
	}{
		{"", ""},
		{"Sale", "2.10"},
		{"High", ""}, // not below the regular price
		{"Missing", ""},
	}
	for _, tt := range tests {
		if got := SalePrice(levels, tt.level, "2.50"); got != tt.want {
			t.Errorf("SalePrice(%q) = %q, want %q", tt.level, got, tt.want)
		}
	}
}

func TestSKU(t *testing.T) {
	it := lightspeed.Item{CustomSKU: " 85123A ", SystemSKU: "210000000020",
		ManufacturerSKU: "", UPC: "012345678905"}
	tests := map[string]string{"": "85123A", "custom": "85123A", "system": "210000000020",
		"manufacturer": "", "upc": "012345678905"}
	for field, want := range tests {
		if got := SKU(it, field); got != want {
			t.Errorf("SKU(%q) = %q, want %q", field, got, want)
		}
	}
}

func TestFromMatrixBuildsAttributesFromVariants(t *testing.T) {
	m := lightspeed.Matrix{ItemMatrixID: 7, Description: "Tee",
		AttributeSet: &lightspeed.AttributeSet{AttributeName1: "Color", AttributeName2: "Size"}}
	items := []lightspeed.Item{
		{ItemID: 3, CustomSKU: "T-R-L", Attributes: &lightspeed.ItemAttributes{
			Attribute1: "Red", Attribute2: "L"},
			Prices: []lightspeed.ItemPrice{{UseType: "Default", Amount: "20"}}},
		{ItemID: 2, CustomSKU: "T-R-S", Attributes: &lightspeed.ItemAttributes{
			Attribute1: "Red", Attribute2: "S"},
			Prices: []lightspeed.ItemPrice{{UseType: "Default", Amount: "18"}}},
	}
	p := FromMatrix(m, items, Options{}, nil)
	if p.SKU != "LSM-7" || len(p.Variants) != 2 || p.Variants[0].ItemID != 2 {
		t.Fatalf("product %+v", p)
	}
	if len(p.Attributes) != 2 || p.Attributes[0].Name != "Color" ||
		len(p.Attributes[0].Options) != 1 || len(p.Attributes[1].Options) != 2 {
		t.Errorf("attributes %+v, want Color [Red] and Size [S L]", p.Attributes)
	}
	if err := Check(p); err != nil {
		t.Errorf("Check: %v", err)
	}
	if Hash(p) == Hash(FromMatrix(m, items[:1], Options{}, nil)) {
		t.Error("dropping a variant does not change the hash")
	}
}

func TestDiffNamesChangedFields(t *testing.T) {
	old := Product{ItemID: 1, Name: "Mug", RegularPrice: "2.00", Stock: 3}
	now := old
	now.RegularPrice, now.Stock = "2.50", 1
	got := Diff(Encode(old), now)
	if len(got) != 2 || got[0].String() != `regular_price: "2.00" -> "2.50"` ||
		got[1].String() != `stock: "3" -> "1"` {
		t.Errorf("Diff = %v", got)
	}
	if d := Diff(Encode(now), now); len(d) != 0 {
		t.Errorf("Diff of an unchanged product = %v", d)
	}
}
