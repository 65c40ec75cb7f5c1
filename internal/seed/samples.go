package seed

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
)

// matrixTags says how each sample matrix is tagged for the web: most on
// the matrix (one with a mixed-case spelling), classic-varsity-top only
// on its Medium variant, and clay-plant-pot not at all.
var matrixTags = map[string][]string{
	"woo-vneck-tee":  {WebTag},
	"woo-hoodie":     {"WebOn"},
	"chain-bracelet": {WebTag},
	"leather-anchor": {WebTag},
	"gemstone":       {WebTag},
}

// variantTags tags single variants whose matrix is not tagged.
var variantTags = map[string][]string{
	"classic-varsity-top-medium": {WebTag},
}

// addWoo adds the WooCommerce sample: simple products (downloadable ones
// included) as standalone items, variable products as matrices. Grouped
// and external products have no stock of their own and are left out.
func (b *builder) addWoo(p string) error {
	recs, err := readCSV(p)
	if err != nil {
		return err
	}
	children := map[string][]map[string]string{}
	for _, r := range recs {
		if r["Type"] == "variation" {
			children[r["Parent"]] = append(children[r["Parent"]], r)
		}
	}
	for _, r := range recs {
		switch {
		case r["Type"] == "variable":
			if err := b.addWooMatrix(r, children[r["SKU"]]); err != nil {
				return err
			}
		case strings.HasPrefix(r["Type"], "simple"):
			b.addWooSimple(r)
		}
	}
	return nil
}

func (b *builder) addWooSimple(r map[string]string) {
	var tags []string
	if !strings.Contains(r["Type"], "virtual") {
		tags = []string{WebTag}
	}
	b.addItem(lightspeedtest.Item{
		ItemID:           b.takeItemID(),
		Description:      r["Name"],
		CustomSKU:        r["SKU"],
		CategoryID:       b.category(firstCategory(r["Categories"])),
		Prices:           wooPrices(r),
		Stock:            sampleStock(r["SKU"]),
		LongDescription:  r["Description"],
		ShortDescription: r["Short description"],
		Weight:           r["Weight (lbs)"],
		Length:           r["Length (in)"],
		Width:            r["Width (in)"],
		Height:           r["Height (in)"],
		Tags:             tags,
		Images:           wooImages(r),
	})
}

// addWooMatrix adds a variable product and its variations. A variation
// that leaves an attribute empty means "any value" in WooCommerce; a
// Lightspeed item needs a concrete value, so such a variation becomes
// one item per value the parent lists, its SKU suffixed with the value.
func (b *builder) addWooMatrix(parent map[string]string,
	vars []map[string]string) error {
	var names []string
	var values [][]string
	for n := 1; n <= 3; n++ {
		name := parent[fmt.Sprintf("Attribute %d name", n)]
		if name == "" {
			break
		}
		names = append(names, name)
		values = append(values, splitList(
			parent[fmt.Sprintf("Attribute %d value(s)", n)]))
	}
	if len(names) == 0 || len(vars) == 0 {
		return fmt.Errorf("%w: variable product %q has no attributes "+
			"or variations", ErrBadData, parent["SKU"])
	}

	matrixID := int64(len(b.cat.Matrices) + 1)
	categoryID := b.category(firstCategory(parent["Categories"]))
	var firstPrice string
	for _, v := range vars {
		for _, combo := range expand(v, names, values) {
			sku := v["SKU"]
			for i, val := range combo {
				if v[fmt.Sprintf("Attribute %d value(s)", i+1)] == "" {
					sku += "-" + slug(val)
				}
			}
			prices := wooPrices(v)
			if firstPrice == "" {
				firstPrice = prices["Default"]
			}
			b.addItem(lightspeedtest.Item{
				ItemID:       b.takeItemID(),
				ItemMatrixID: matrixID,
				Description: parent["Name"] + " - " +
					strings.Join(combo, ", "),
				CustomSKU:  sku,
				CategoryID: categoryID,
				Prices:     prices,
				Stock:      sampleStock(sku),
				Weight:     parent["Weight (lbs)"],
				Length:     parent["Length (in)"],
				Width:      parent["Width (in)"],
				Height:     parent["Height (in)"],
				Attributes: combo,
				Tags:       variantTags[sku],
				Images:     wooImages(v),
			})
		}
	}

	price := parent["Regular price"]
	if price == "" {
		price = firstPrice
	}
	b.addMatrix(lightspeedtest.Matrix{
		ItemMatrixID:       matrixID,
		Description:        parent["Name"],
		ItemAttributeSetID: b.attributeSet(names),
		CategoryID:         categoryID,
		DefaultPrice:       price,
		LongDescription:    parent["Description"],
		ShortDescription:   parent["Short description"],
		Tags:               matrixTags[parent["SKU"]],
		Images:             wooImages(parent),
	})
	return nil
}

// expand returns the attribute values of a variation, one slice per item
// it becomes: an empty value is replaced in turn by each listed value.
func expand(v map[string]string, names []string,
	values [][]string) [][]string {
	combos := [][]string{nil}
	for i := range names {
		own := v[fmt.Sprintf("Attribute %d value(s)", i+1)]
		choices := []string{own}
		if own == "" {
			choices = values[i]
		}
		var next [][]string
		for _, c := range combos {
			for _, val := range choices {
				next = append(next, append(append([]string(nil), c...), val))
			}
		}
		combos = next
	}
	return combos
}

// wooPrices maps a sample row's prices to price levels: Default and MSRP
// take the regular price, Online the sale price when there is one.
func wooPrices(r map[string]string) map[string]string {
	online := r["Sale price"]
	if online == "" {
		online = "0"
	}
	return map[string]string{
		"Default": r["Regular price"],
		"MSRP":    r["Regular price"],
		"Online":  online,
	}
}

func wooImages(r map[string]string) []lightspeedtest.SeedImage {
	var imgs []lightspeedtest.SeedImage
	for _, u := range splitList(r["Images"]) {
		if f := imageFile(u); f != "" {
			imgs = append(imgs,
				lightspeedtest.SeedImage{Filename: f, Description: r["Name"]})
		}
	}
	return imgs
}

// firstCategory keeps the first of a comma-separated list of category
// paths: a Lightspeed item has one category.
func firstCategory(s string) string {
	if l := splitList(s); len(l) > 0 {
		return l[0]
	}
	return "Uncategorised"
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// shopifyProduct is one handle of a Shopify export: its first record and
// every record that carries a variant or an image.
type shopifyProduct struct {
	first    map[string]string
	variants []map[string]string
	images   []map[string]string
}

// addShopify adds one Shopify sample file. The files carry no SKUs, so
// a single-variant product takes its handle as SKU and a variant the
// handle followed by its option values, slugged: gemstone-purple.
func (b *builder) addShopify(p, name string) error {
	recs, err := readCSV(p)
	if err != nil {
		return err
	}
	var order []string
	products := map[string]*shopifyProduct{}
	for _, r := range recs {
		sp := products[r["Handle"]]
		if sp == nil {
			sp = &shopifyProduct{first: r}
			products[r["Handle"]] = sp
			order = append(order, r["Handle"])
		}
		if r["Option1 Value"] != "" {
			sp.variants = append(sp.variants, r)
		}
		if r["Image Src"] != "" {
			sp.images = append(sp.images, r)
		}
	}

	for _, handle := range order {
		sp := products[handle]
		if len(sp.variants) == 0 {
			return fmt.Errorf("%w: %s: product %q has no variant",
				ErrBadData, name, handle)
		}
		categoryID := b.category(shopifyCategory(name, sp.first))
		if len(sp.variants) == 1 {
			b.addShopifySimple(handle, sp, categoryID)
		} else {
			b.addShopifyMatrix(handle, sp, categoryID)
		}
	}
	return nil
}

func (b *builder) addShopifySimple(handle string, sp *shopifyProduct,
	categoryID int64) {
	f, v := sp.first, sp.variants[0]
	tags := append(splitList(f["Tags"]), tagsFor(hash(handle))...)
	b.addItem(lightspeedtest.Item{
		ItemID:          b.takeItemID(),
		Description:     f["Title"],
		CustomSKU:       handle,
		CategoryID:      categoryID,
		ManufacturerID:  b.manufacturer(f["Vendor"]),
		Prices:          shopifyPrices(v),
		Stock:           sampleStock(handle),
		LongDescription: f["Body (HTML)"],
		Weight:          gramsToPounds(v["Variant Grams"]),
		Tags:            tags,
		Images:          shopifyImages(sp, f["Title"]),
	})
}

func (b *builder) addShopifyMatrix(handle string, sp *shopifyProduct,
	categoryID int64) {
	f := sp.first
	var names []string
	for n := 1; n <= 3; n++ {
		if name := f[fmt.Sprintf("Option%d Name", n)]; name != "" {
			names = append(names, name)
		}
	}
	matrixID := int64(len(b.cat.Matrices) + 1)
	manufacturerID := b.manufacturer(f["Vendor"])

	for _, v := range sp.variants {
		var combo []string
		for n := 1; n <= len(names); n++ {
			combo = append(combo, v[fmt.Sprintf("Option%d Value", n)])
		}
		sku := handle + "-" + slug(strings.Join(combo, " "))
		var imgs []lightspeedtest.SeedImage
		if file := imageFile(v["Variant Image"]); file != "" {
			imgs = append(imgs, lightspeedtest.SeedImage{
				Filename: file, Description: f["Title"]})
		}
		b.addItem(lightspeedtest.Item{
			ItemID:         b.takeItemID(),
			ItemMatrixID:   matrixID,
			Description:    f["Title"] + " - " + strings.Join(combo, ", "),
			CustomSKU:      sku,
			CategoryID:     categoryID,
			ManufacturerID: manufacturerID,
			Prices:         shopifyPrices(v),
			Stock:          sampleStock(sku),
			Weight:         gramsToPounds(v["Variant Grams"]),
			Attributes:     combo,
			Tags:           variantTags[sku],
			Images:         imgs,
		})
	}

	b.addMatrix(lightspeedtest.Matrix{
		ItemMatrixID:       matrixID,
		Description:        f["Title"],
		ItemAttributeSetID: b.attributeSet(names),
		CategoryID:         categoryID,
		ManufacturerID:     manufacturerID,
		DefaultPrice:       sp.variants[0]["Variant Price"],
		LongDescription:    f["Body (HTML)"],
		Tags:               append(splitList(f["Tags"]), matrixTags[handle]...),
		Images:             shopifyImages(sp, f["Title"]),
	})
}

// shopifyCategory files apparel by the women/men tag, jewellery and home
// goods by their product type.
func shopifyCategory(file string, first map[string]string) string {
	switch file {
	case "apparel.csv":
		for _, t := range splitList(first["Tags"]) {
			if strings.EqualFold(t, "men") {
				return "Clothing > Men"
			}
		}
		return "Clothing > Women"
	case "jewelery.csv":
		return "Jewellery > " + first["Type"]
	default:
		return "Home & Garden > " + first["Type"]
	}
}

// shopifyPrices maps the variant price to Default and the compare-at
// price (the "was" price) to MSRP.
func shopifyPrices(v map[string]string) map[string]string {
	msrp := v["Variant Compare At Price"]
	if msrp == "" {
		msrp = v["Variant Price"]
	}
	return map[string]string{
		"Default": v["Variant Price"],
		"MSRP":    msrp,
		"Online":  "0",
	}
}

// shopifyImages lists a product's images by position, each file once.
func shopifyImages(sp *shopifyProduct,
	title string) []lightspeedtest.SeedImage {
	rows := append([]map[string]string(nil), sp.images...)
	sort.SliceStable(rows, func(i, j int) bool {
		pi, _ := strconv.Atoi(rows[i]["Image Position"])
		pj, _ := strconv.Atoi(rows[j]["Image Position"])
		return pi < pj
	})
	seen := map[string]bool{}
	var imgs []lightspeedtest.SeedImage
	for _, r := range rows {
		f := imageFile(r["Image Src"])
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		imgs = append(imgs,
			lightspeedtest.SeedImage{Filename: f, Description: title})
	}
	return imgs
}

// gramsToPounds converts a Shopify weight in grams to pounds, the unit of
// the WooCommerce sample; zero or missing gives "".
func gramsToPounds(g string) string {
	n, err := strconv.ParseFloat(g, 64)
	if err != nil || n <= 0 {
		return ""
	}
	return strconv.FormatFloat(n/453.59237, 'f', 2, 64)
}
