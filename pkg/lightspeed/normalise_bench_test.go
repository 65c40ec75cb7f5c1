package lightspeed

import (
	"fmt"
	"strings"
	"testing"
)

// benchItemPage returns a page of n items shaped like an answer to
// Item.json with the relations tag-sync loads: every number and boolean a
// string, three price levels, three ItemShop rows, tags, e-commerce
// fields, a category, a manufacturer and one image.
func benchItemPage(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"@attributes":{"next":"https://api.example/Item.json?after=x",` +
		`"previous":"","count":""},"Item":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		id := 1000 + i
		fmt.Fprintf(&b, `{"itemID":"%d","systemSku":"2100000%05d",`+
			`"defaultCost":"0","avgCost":"0","discountable":"true","tax":"true",`+
			`"archived":"false","itemType":"default","serialized":"false",`+
			`"description":"Synthetic Mug %d","modelYear":"0","upc":"","ean":"",`+
			`"customSku":"SYN-%07d","manufacturerSku":"",`+
			`"createTime":"2024-03-01T10:00:00+00:00",`+
			`"timeStamp":"2024-03-02T11:%02d:%02d+00:00","publishToEcom":"false",`+
			`"categoryID":"7","taxClassID":"1","departmentID":"0",`+
			`"itemMatrixID":"0","manufacturerID":"2","seasonID":"0",`+
			`"defaultVendorID":"0",`, id, id, id, id, i/60%60, i%60)
		b.WriteString(`"Prices":{"ItemPrice":[` +
			`{"amount":"12.5","useTypeID":"1","useType":"Default"},` +
			`{"amount":"12.5","useTypeID":"2","useType":"MSRP"},` +
			`{"amount":"0","useTypeID":"3","useType":"Online"}]},`)
		fmt.Fprintf(&b, `"ItemShops":{"ItemShop":[`+
			`{"itemShopID":"%d","qoh":"14","sellable":"14","itemID":"%d",`+
			`"shopID":"0","timeStamp":"2024-03-02T11:00:00+00:00"},`+
			`{"itemShopID":"%d","qoh":"4","sellable":"4","itemID":"%d",`+
			`"shopID":"1","timeStamp":"2024-03-02T11:00:00+00:00"},`+
			`{"itemShopID":"%d","qoh":"10","sellable":"10","itemID":"%d",`+
			`"shopID":"2","timeStamp":"2024-03-02T11:00:00+00:00"}]},`,
			3*id, id, 3*id+1, id, 3*id+2, id)
		fmt.Fprintf(&b, `"ItemECommerce":{"itemECommerceID":"%d",`+
			`"longDescription":"A mug that holds tea.","shortDescription":"Mug",`+
			`"weight":"0.4","width":"0","height":"0","length":"0",`+
			`"listOnStore":"false"},`, id)
		b.WriteString(`"Tags":{"@attributes":{"count":"1"},"tag":"webon"},`)
		b.WriteString(`"Category":{"categoryID":"7","name":"Mugs","nodeDepth":"1",` +
			`"fullPathName":"Synthetic/Mugs","leftNode":"2","rightNode":"3",` +
			`"parentID":"6","timeStamp":"2024-03-01T10:00:00+00:00"},`)
		b.WriteString(`"Manufacturer":{"manufacturerID":"2","name":"Contoso",` +
			`"timeStamp":"2024-03-01T10:00:00+00:00"},`)
		fmt.Fprintf(&b, `"Images":{"Image":{"imageID":"%d","description":"",`+
			`"filename":"mug.jpg","ordering":"0","publicID":"abc%d",`+
			`"baseImageURL":"https://images.example/","size":"1024",`+
			`"timeStamp":"2024-03-01T10:00:00+00:00","itemID":"%d",`+
			`"itemMatrixID":"0"}}}`, id, id, id)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkNormaliseItemPage decodes a raw page of 100 items and makes
// each one normal, as list does for every page of the item feed.
func BenchmarkNormaliseItemPage(b *testing.B) {
	body := benchItemPage(100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		_, rows, err := decodePage[rawItem](body, "Item")
		if err != nil {
			b.Fatal(err)
		}
		out := make([]Item, 0, len(rows))
		for _, r := range rows {
			out = append(out, r.normal())
		}
		if len(out) != 100 {
			b.Fatalf("got %d items", len(out))
		}
	}
}

// TestBenchItemPageDecodes keeps the benchmark's page honest: it must
// decode into fully populated items.
func TestBenchItemPageDecodes(t *testing.T) {
	_, rows, err := decodePage[rawItem](benchItemPage(3), "Item")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("got %d items", len(rows))
	}
	it := rows[1].normal()
	if it.ItemID != 1001 || len(it.Prices) != 3 || len(it.ItemShops) != 3 ||
		len(it.Images) != 1 || it.Manufacturer == nil || it.ECommerce == nil ||
		len(it.Tags) != 1 || it.TimeStamp.IsZero() {
		t.Errorf("item not fully decoded: %+v", it)
	}
}
