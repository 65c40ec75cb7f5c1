package seed

import (
	"fmt"
	"math/rand/v2"

	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
)

// Values the synthetic matrices are built from: a matrix of k variants
// takes the first k colour and size pairs, colours varying fastest.
var (
	syntheticColors = []string{"Red", "Blue", "Green", "Black"}
	syntheticSizes  = []string{"S", "M", "L", "XL", "XXL"}
	syntheticKinds  = []string{"Mug", "Candle", "Cushion", "Bag", "Sign",
		"Clock", "Tin", "Card", "Lamp", "Frame"}
)

// Synthetic returns a made-up catalog of n items for benchmarks and load
// tests. About matrixShare of the items (0 to 1) are variants, grouped in
// matrices of 2 to 9 over a Color/Size set; about one standalone item
// and one matrix in ten carry the "webon" tag. The same arguments always
// give the same catalog.
func Synthetic(n int, matrixShare float64, seed int64) lightspeedtest.Catalog {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x53796e74))
	b := newBuilder()
	b.cat.Shops = []lightspeedtest.Shop{
		{ShopID: ShopFloorID, Name: "Shop floor"},
		{ShopID: WarehouseID, Name: "Warehouse"},
	}
	for _, v := range []string{"Northwind", "Contoso", "Fabrikam"} {
		b.manufacturer(v)
	}
	setID := b.attributeSet([]string{"Color", "Size"})
	b.nextItem = firstRetailID

	// Variants first, matrix by matrix, until their share is used up.
	variants := int(float64(n) * clamp01(matrixShare))
	for variants > 1 {
		size := 2 + rng.IntN(7)
		size = min(size, variants)
		if variants-size == 1 {
			size++ // never leave a matrix of one
		}
		b.addSyntheticMatrix(rng, setID, size)
		variants -= size
	}
	for len(b.cat.Items) < n {
		it := syntheticItem(b, rng)
		if rng.IntN(10) == 0 {
			it.Tags = []string{WebTag}
		}
		b.addItem(it)
	}
	return b.finish()
}

func (b *builder) addSyntheticMatrix(rng *rand.Rand, setID int64, size int) {
	matrixID := int64(len(b.cat.Matrices) + 1)
	var first lightspeedtest.Item
	for i := range size {
		it := syntheticItem(b, rng)
		it.ItemMatrixID = matrixID
		if i == 0 {
			first = it
		} else {
			it.CategoryID = first.CategoryID
			it.ManufacturerID = first.ManufacturerID
			it.Prices = first.Prices
		}
		color := syntheticColors[i%len(syntheticColors)]
		sz := syntheticSizes[i/len(syntheticColors)%len(syntheticSizes)]
		it.Attributes = []string{color, sz}
		it.Description = fmt.Sprintf("Matrix %d %s %s", matrixID, color, sz)
		b.addItem(it)
	}
	var tags []string
	if rng.IntN(10) == 0 {
		tags = []string{WebTag}
	}
	b.addMatrix(lightspeedtest.Matrix{
		ItemMatrixID:       matrixID,
		Description:        fmt.Sprintf("Matrix %d", matrixID),
		ItemAttributeSetID: setID,
		CategoryID:         first.CategoryID,
		ManufacturerID:     first.ManufacturerID,
		DefaultPrice:       first.Prices["Default"],
		Tags:               tags,
	})
}

// syntheticItem makes one standalone item with a fresh ID and SKU.
func syntheticItem(b *builder, rng *rand.Rand) lightspeedtest.Item {
	id := b.takeItemID()
	kind := syntheticKinds[rng.IntN(len(syntheticKinds))]
	cents := 100 + rng.IntN(9900)
	price := fmt.Sprintf("%d.%02d", cents/100, cents%100)
	return lightspeedtest.Item{
		ItemID:         id,
		Description:    fmt.Sprintf("Synthetic %s %d", kind, id),
		CustomSKU:      fmt.Sprintf("SYN-%07d", id),
		CategoryID:     b.category("Synthetic > " + kind + "s"),
		ManufacturerID: int64(1 + rng.IntN(len(b.cat.Manufacturers))),
		Prices: map[string]string{
			"Default": price, "MSRP": price, "Online": "0",
		},
		Stock: map[int64]int64{
			ShopFloorID: int64(rng.IntN(40)) - 2,
			WarehouseID: int64(rng.IntN(100)),
		},
	}
}

func clamp01(f float64) float64 {
	return max(0, min(1, f))
}
