package catalog_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/storesync/storesync/internal/catalog"
	"github.com/storesync/storesync/pkg/lightspeed"
)

var benchOpts = catalog.Options{Shops: []int64{1, 2}, PriceLevel: "Default"}

// benchItem is a standalone item with the relations tag-sync loads.
func benchItem(id int64) lightspeed.Item {
	stamp := time.Date(2024, 3, 2, 11, 0, 0, 0, time.UTC)
	return lightspeed.Item{
		ItemID:      id,
		CategoryID:  7,
		CustomSKU:   fmt.Sprintf("SYN-%07d", id),
		Description: fmt.Sprintf("Synthetic Mug %d", id),
		TimeStamp:   stamp,
		Prices: []lightspeed.ItemPrice{
			{Amount: "12.5", UseTypeID: 1, UseType: "Default"},
			{Amount: "12.5", UseTypeID: 2, UseType: "MSRP"},
			{Amount: "0", UseTypeID: 3, UseType: "Online"},
		},
		ItemShops: []lightspeed.ItemShop{
			{ItemShopID: 3 * id, ItemID: id, QOH: 14, Sellable: 14, TimeStamp: stamp},
			{ItemShopID: 3*id + 1, ItemID: id, ShopID: 1, QOH: 4, Sellable: 4,
				TimeStamp: stamp},
			{ItemShopID: 3*id + 2, ItemID: id, ShopID: 2, QOH: 10, Sellable: 10,
				TimeStamp: stamp},
		},
		ECommerce: &lightspeed.ECommerce{LongDescription: "A mug that holds tea.",
			ShortDescription: "Mug", Weight: "0.4"},
		Images: []lightspeed.Image{{ImageID: id, ItemID: id, Filename: "mug.jpg",
			PublicID: "abc", BaseImageURL: "https://images.example/", TimeStamp: stamp}},
		Tags:         []string{"webon"},
		Manufacturer: &lightspeed.Manufacturer{ManufacturerID: 2, Name: "Contoso"},
	}
}

// benchCats resolves every category to a two-level path.
func benchCats(id int64) []catalog.Term {
	return []catalog.Term{{ID: 6, Name: "Synthetic"}, {ID: id, Name: "Mugs"}}
}

// benchMatrix is a matrix of n variants over Color and Size.
func benchMatrix(n int) (lightspeed.Matrix, []lightspeed.Item) {
	colors := []string{"Red", "Blue", "Green", "Black"}
	sizes := []string{"S", "M", "L", "XL", "XXL"}
	m := lightspeed.Matrix{
		ItemMatrixID: 9, CategoryID: 7, Description: "Matrix 9",
		AttributeSet: &lightspeed.AttributeSet{ItemAttributeSetID: 1,
			Name: "Color/Size", AttributeName1: "Color", AttributeName2: "Size"},
		ECommerce:    &lightspeed.ECommerce{LongDescription: "A matrix."},
		Manufacturer: &lightspeed.Manufacturer{ManufacturerID: 2, Name: "Contoso"},
	}
	items := make([]lightspeed.Item, n)
	for i := range items {
		it := benchItem(int64(2000 + n - i)) // reversed, so the sort works
		it.ItemMatrixID = 9
		it.Attributes = &lightspeed.ItemAttributes{Attribute1: colors[i%4],
			Attribute2: sizes[i/4%5], ItemAttributeSetID: 1}
		items[i] = it
	}
	return m, items
}

func BenchmarkFromItem(b *testing.B) {
	it := benchItem(1000)
	b.ReportAllocs()
	for b.Loop() {
		p := catalog.FromItem(it, benchOpts, benchCats)
		if p.Stock != 14 {
			b.Fatalf("stock %d", p.Stock)
		}
	}
}

func BenchmarkFromMatrix(b *testing.B) {
	m, items := benchMatrix(8)
	b.ReportAllocs()
	for b.Loop() {
		p := catalog.FromMatrix(m, items, benchOpts, benchCats)
		if len(p.Variants) != 8 {
			b.Fatalf("variants %d", len(p.Variants))
		}
	}
}

func BenchmarkHash(b *testing.B) {
	m, items := benchMatrix(8)
	products := map[string]catalog.Product{
		"Item":   catalog.FromItem(benchItem(1000), benchOpts, benchCats),
		"Matrix": catalog.FromMatrix(m, items, benchOpts, benchCats),
	}
	for _, name := range []string{"Item", "Matrix"} {
		b.Run(name, func(b *testing.B) {
			p := products[name]
			b.ReportAllocs()
			for b.Loop() {
				if catalog.Hash(p) == "" {
					b.Fatal("empty hash")
				}
			}
		})
	}
}
