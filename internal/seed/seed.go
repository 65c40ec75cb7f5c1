package seed

import (
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
)

// Files read by Load and Sales, relative to the catalog directory.
const (
	ProductsFile = "online-retail/products.csv"
	SalesFile    = "online-retail/sales-2011-11-14_to_2011-11-18.csv"
	WooFile      = "woocommerce-sample/sample_products.csv"
	ShopifyDir   = "shopify-sample"
)

// WebTag is the tag that marks products for the web store in the seed
// catalog, in its usual spelling; a few items spell it WebOn or WEBON.
const WebTag = "webon"

// The two shops of the seed catalog.
const (
	ShopFloorID = 1 // "Shop floor", where sales are rung up
	WarehouseID = 2 // "Warehouse"
)

// The first itemID of the online-retail items, and the step the web
// samples' IDs are rounded up to.
const (
	firstRetailID  = 1000
	sampleIDStride = 1000
)

// ShopifyFiles are the Shopify sample files, in the order they are read.
var ShopifyFiles = []string{"apparel.csv", "jewelery.csv", "home-and-garden.csv"}

// ErrBadData is returned, wrapped, when a source file lacks a column or a
// value the catalog needs.
var ErrBadData = errors.New("unexpected sample data")

// Load reads the sample files under dir (laid out as testdata/catalog) and
// returns the seed catalog: standalone items from the online-retail
// products, items and matrices from the WooCommerce and Shopify samples,
// two shops, a category tree, manufacturers, attribute sets and tags.
func Load(dir string) (lightspeedtest.Catalog, error) {
	b := newBuilder()
	b.cat.Shops = []lightspeedtest.Shop{
		{ShopID: ShopFloorID, Name: "Shop floor"},
		{ShopID: WarehouseID, Name: "Warehouse"},
	}

	// Online-retail products first: they take the IDs from 1000 up, in
	// StockCode order, which Sales relies on.
	rows, err := retailProducts(dir)
	if err != nil {
		return lightspeedtest.Catalog{}, err
	}
	for i, r := range rows {
		b.addRetail(firstRetailID+int64(i), r)
	}

	// The web samples start at the next round thousand so that their IDs
	// do not move when nothing but the retail list changes length.
	b.nextItem = roundUp(firstRetailID+int64(len(rows)), sampleIDStride)
	if err := b.addWoo(filepath.Join(dir, WooFile)); err != nil {
		return lightspeedtest.Catalog{}, err
	}
	b.nextItem = roundUp(b.nextItem, sampleIDStride)
	for _, name := range ShopifyFiles {
		p := filepath.Join(dir, ShopifyDir, name)
		if err := b.addShopify(p, name); err != nil {
			return lightspeedtest.Catalog{}, err
		}
	}

	return b.finish(), nil
}

// builder accumulates the catalog and hands out IDs for the named things
// (categories, manufacturers, attribute sets) on first use.
type builder struct {
	cat           lightspeedtest.Catalog
	categories    map[string]int64 // full path "Home > Candles" to ID
	manufacturers map[string]int64
	sets          map[string]int64
	tags          map[string]bool
	nextItem      int64
}

func newBuilder() *builder {
	return &builder{
		categories:    map[string]int64{},
		manufacturers: map[string]int64{},
		sets:          map[string]int64{},
		tags:          map[string]bool{},
	}
}

// category returns the ID of the leaf of a "Parent > Child" path,
// creating every missing level.
func (b *builder) category(fullPath string) int64 {
	var parent int64
	var sofar []string
	for _, name := range strings.Split(fullPath, ">") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		sofar = append(sofar, name)
		key := strings.Join(sofar, " > ")
		id, ok := b.categories[key]
		if !ok {
			id = int64(len(b.cat.Categories) + 1)
			b.categories[key] = id
			b.cat.Categories = append(b.cat.Categories,
				lightspeedtest.Category{CategoryID: id, ParentID: parent, Name: name})
		}
		parent = id
	}
	return parent
}

// manufacturer returns the ID of the named brand; "" gives 0, no brand.
func (b *builder) manufacturer(name string) int64 {
	if name == "" {
		return 0
	}
	if id, ok := b.manufacturers[name]; ok {
		return id
	}
	id := int64(len(b.cat.Manufacturers) + 1)
	b.manufacturers[name] = id
	b.cat.Manufacturers = append(b.cat.Manufacturers,
		lightspeedtest.Manufacturer{ManufacturerID: id, Name: name})
	return id
}

// attributeSet returns the ID of the set with these attribute names; the
// set is named after them, joined by "/" as Lightspeed's own "Color/Size".
func (b *builder) attributeSet(names []string) int64 {
	key := strings.Join(names, "/")
	if id, ok := b.sets[key]; ok {
		return id
	}
	id := int64(len(b.cat.AttributeSets) + 1)
	b.sets[key] = id
	b.cat.AttributeSets = append(b.cat.AttributeSets,
		lightspeedtest.AttributeSet{
			ItemAttributeSetID: id,
			Name:               key,
			AttributeNames:     append([]string(nil), names...),
		})
	return id
}

func (b *builder) addItem(it lightspeedtest.Item) {
	for _, t := range it.Tags {
		b.tags[t] = true
	}
	b.cat.Items = append(b.cat.Items, it)
}

func (b *builder) addMatrix(m lightspeedtest.Matrix) {
	for _, t := range m.Tags {
		b.tags[t] = true
	}
	b.cat.Matrices = append(b.cat.Matrices, m)
}

func (b *builder) takeItemID() int64 {
	id := b.nextItem
	b.nextItem++
	return id
}

func (b *builder) finish() lightspeedtest.Catalog {
	for t := range b.tags {
		b.cat.Tags = append(b.cat.Tags, t)
	}
	sort.Strings(b.cat.Tags)
	return b.cat
}

// readCSV reads a CSV file with a header row and returns one map per
// record, keyed by column name. A UTF-8 byte order mark is dropped.
func readCSV(p string) ([]map[string]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open sample file: %w", err)
	}
	defer f.Close()

	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read header of %s: %w", p, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}

	var out []map[string]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		m := make(map[string]string, len(header))
		for i, h := range header {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
}

// hash is the FNV-1a hash of s, the source of every "some items" choice.
func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// imageFile returns the file name at the end of an image URL, without
// its query string.
func imageFile(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Path == "" {
		return ""
	}
	return path.Base(u.Path)
}

func roundUp(n, step int64) int64 {
	return (n + step - 1) / step * step
}

// slug lower-cases s and joins its letters and digits with hyphens.
func slug(s string) string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	return strings.Join(f, "-")
}
