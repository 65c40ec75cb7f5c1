package seed

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
)

// retailRow is one sellable line of online-retail/products.csv.
type retailRow struct {
	Code        string
	Description string
	Median      string
	Min         string
	Max         string
	Rows        int64
	LastSold    string
}

// retailProducts returns the rows of products.csv that become items:
// Kind=product with at least one priced row, sorted by StockCode in byte
// order, so that "85123A" and "85123a" stay two items.
func retailProducts(dir string) ([]retailRow, error) {
	recs, err := readCSV(filepath.Join(dir, ProductsFile))
	if err != nil {
		return nil, err
	}
	var rows []retailRow
	for _, r := range recs {
		if r["Kind"] != "product" {
			continue
		}
		priced, err := strconv.ParseInt(r["PricedRows"], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: PricedRows of %q: %v",
				ErrBadData, r["StockCode"], err)
		}
		n, err := strconv.ParseInt(r["Rows"], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: Rows of %q: %v",
				ErrBadData, r["StockCode"], err)
		}
		if priced == 0 {
			continue
		}
		rows = append(rows, retailRow{
			Code:        r["StockCode"],
			Description: r["Description"],
			Median:      r["MedianUnitPrice"],
			Min:         r["MinUnitPrice"],
			Max:         r["MaxUnitPrice"],
			Rows:        n,
			LastSold:    r["LastInvoiceDate"],
		})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Code < rows[j].Code })
	return rows, nil
}

// addRetail adds one online-retail product as a standalone item.
func (b *builder) addRetail(id int64, r retailRow) {
	h := hash(r.Code)
	online := "0"
	if h%20 == 7 && r.Min != r.Median {
		// A few items sell cheaper online: the lowest price the shop
		// ever charged becomes their Online level.
		online = r.Min
	}
	b.addItem(lightspeedtest.Item{
		ItemID:      id,
		Description: r.Description,
		CustomSKU:   r.Code,
		CategoryID:  b.category(categoryOf(r.Description)),
		Prices: map[string]string{
			"Default": r.Median,
			"MSRP":    r.Max,
			"Online":  online,
		},
		Stock:    retailStock(h, r.Rows),
		Tags:     tagsFor(h),
		Archived: r.LastSold < "2011-01-01" && (h>>8)%4 == 0,
	})
}

// retailStock spreads a product's sales history over the two shops: busy
// products have more on hand. About one item in thirty is oversold on
// the shop floor and one in forty in the warehouse.
func retailStock(h uint32, rows int64) map[int64]int64 {
	floor := rows/3 + int64(h%7)
	warehouse := (rows*7 + int64(h%97)) % 40
	if h%31 == 3 {
		floor = -1 - int64(h%4)
	}
	if h%41 == 5 {
		warehouse = -1 - int64(h%3)
	}
	return map[int64]int64{ShopFloorID: floor, WarehouseID: warehouse}
}

// sampleStock gives a web-sample item (which has no sales history) a
// modest stock from its SKU.
func sampleStock(sku string) map[int64]int64 {
	h := hash(sku)
	return map[int64]int64{
		ShopFloorID: 2 + int64(h%9),
		WarehouseID: int64(h/9%25) + 5,
	}
}

// tagsFor tags about one item in ten for the web, spelling the tag in
// three ways to exercise case-insensitive matching. A few others carry
// "clearance" or the look-alike "webonly", which must not match.
func tagsFor(h uint32) []string {
	var tags []string
	if h%10 == 0 {
		switch h / 10 % 16 {
		case 1:
			tags = append(tags, "WebOn")
		case 2:
			tags = append(tags, "WEBON")
		default:
			tags = append(tags, WebTag)
		}
	}
	if h%23 == 7 {
		tags = append(tags, "clearance")
	}
	if h%97 == 11 {
		tags = append(tags, "webonly")
	}
	return tags
}

// categoryRule files descriptions holding one of its words under path.
type categoryRule struct {
	path  string
	words []string
}

// categoryRules are tried in order; the first rule with a word in the
// description wins, so "CHRISTMAS CANDLE" is seasonal and "T-LIGHT
// HOLDER" is a candle, not lighting.
var categoryRules = []categoryRule{
	{"Seasonal > Christmas", []string{"CHRISTMAS", "XMAS", "ADVENT"}},
	{"Seasonal > Easter", []string{"EASTER"}},
	{"Home > Candles", []string{"CANDLE", "CANDLES", "T-LIGHT",
		"T-LIGHTS", "TEALIGHT", "TEALIGHTS"}},
	{"Home > Cushions", []string{"CUSHION", "CUSHIONS"}},
	{"Home > Signs", []string{"SIGN", "PLAQUE"}},
	{"Home > Clocks", []string{"CLOCK"}},
	{"Home > Frames", []string{"FRAME", "FRAMES"}},
	{"Home > Lighting", []string{"LIGHTS", "LAMP", "LANTERN", "LAMPSHADE"}},
	{"Home > Mirrors", []string{"MIRROR"}},
	{"Accessories > Bags", []string{"BAG", "BAGS", "PURSE", "HANDBAG"}},
	{"Accessories > Jewellery", []string{"NECKLACE", "EARRINGS",
		"BRACELET", "RING", "CHARM", "BROOCH"}},
	{"Kitchen > Mugs", []string{"MUG", "MUGS", "CUP", "CUPS", "TEACUP",
		"BEAKER"}},
	{"Kitchen > Baking", []string{"CAKE", "CAKES", "BAKING", "CAKESTAND"}},
	{"Kitchen > Tableware", []string{"PLATE", "PLATES", "BOWL", "BOWLS",
		"CUTLERY", "NAPKINS", "TRAY", "JAR"}},
	{"Kitchen > Tins", []string{"TIN", "TINS"}},
	{"Stationery > Cards", []string{"CARD", "CARDS"}},
	{"Stationery > Wrapping", []string{"WRAP", "PAPER", "RIBBON",
		"RIBBONS"}},
	{"Stationery > Notebooks", []string{"NOTEBOOK", "PEN", "PENCIL",
		"PENCILS", "ERASER"}},
	{"Garden > Outdoor", []string{"GARDEN", "PLANTER", "WATERING"}},
	{"Toys > Games", []string{"TOY", "GAME", "DOLL", "DOLLY", "PUZZLE"}},
	{"Home > Storage", []string{"BOX", "BOXES", "BASKET", "DRAWER"}},
}

// defaultCategory takes every description no rule matches.
const defaultCategory = "Gifts > Other"

// categoryOf picks a two-level category from a keyword of description.
func categoryOf(description string) string {
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToUpper(description),
		func(r rune) bool {
			return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
		}) {
		words[w] = true
	}
	for _, rule := range categoryRules {
		for _, w := range rule.words {
			if words[w] {
				return rule.path
			}
		}
	}
	return defaultCategory
}
