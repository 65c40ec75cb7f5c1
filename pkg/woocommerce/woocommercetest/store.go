package woocommercetest

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/storesync/storesync/pkg/woocommerce"
)

// post is a product or a variation (Type "variation", ParentID set).
type post struct {
	ID, ParentID      int64
	Name, Slug        string
	Type              string
	Status            string
	CatalogVisibility string
	Description       string
	ShortDescription  string
	SKU               string
	RegularPrice      string
	SalePrice         string
	ManageStock       bool
	StockQuantity     *int64
	StockStatus       string
	Weight            string
	Dimensions        woocommerce.Dimensions
	Categories        []int64
	Brands            []int64
	Images            []int64 // media ids, the first is the featured one
	Attributes        []woocommerce.Attribute
	VarAttrs          []woocommerce.VariationAttribute
	Variations        []int64
	Meta              []woocommerce.Meta
	Created, Modified time.Time
}

func (p *post) clone() *post {
	c := *p
	if p.StockQuantity != nil {
		q := *p.StockQuantity
		c.StockQuantity = &q
	}
	c.Categories = slices.Clone(p.Categories)
	c.Brands = slices.Clone(p.Brands)
	c.Images = slices.Clone(p.Images)
	c.Attributes = slices.Clone(p.Attributes)
	for i := range c.Attributes {
		c.Attributes[i].Options = slices.Clone(c.Attributes[i].Options)
	}
	c.VarAttrs = slices.Clone(p.VarAttrs)
	c.Variations = slices.Clone(p.Variations)
	c.Meta = slices.Clone(p.Meta)
	return &c
}

func (p *post) isVariation() bool { return p.Type == "variation" }

// mediaItem is an attachment of the media library.
type mediaItem struct {
	ID       int64
	Src      string // where the store serves it
	Origin   string // the src it was downloaded from
	Name     string
	Alt      string
	Size     int
	Uploaded time.Time
}

// term is a category or a brand.
type term struct {
	ID          int64
	Taxonomy    string
	Name        string
	Slug        string
	Parent      int64
	Description string
}

const dateLayout = "2006-01-02T15:04:05"

type refView struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

type imageView struct {
	ID              int64  `json:"id"`
	DateCreated     string `json:"date_created"`
	DateCreatedGMT  string `json:"date_created_gmt"`
	DateModified    string `json:"date_modified"`
	DateModifiedGMT string `json:"date_modified_gmt"`
	Src             string `json:"src"`
	Name            string `json:"name"`
	Alt             string `json:"alt"`
}

type productView struct {
	ID                int64                   `json:"id"`
	Name              string                  `json:"name"`
	Slug              string                  `json:"slug"`
	Permalink         string                  `json:"permalink"`
	DateCreated       string                  `json:"date_created"`
	DateCreatedGMT    string                  `json:"date_created_gmt"`
	DateModified      string                  `json:"date_modified"`
	DateModifiedGMT   string                  `json:"date_modified_gmt"`
	Type              string                  `json:"type"`
	Status            string                  `json:"status"`
	CatalogVisibility string                  `json:"catalog_visibility"`
	Description       string                  `json:"description"`
	ShortDescription  string                  `json:"short_description"`
	SKU               string                  `json:"sku"`
	Price             string                  `json:"price"`
	RegularPrice      string                  `json:"regular_price"`
	SalePrice         string                  `json:"sale_price"`
	ManageStock       any                     `json:"manage_stock"`
	StockQuantity     *int64                  `json:"stock_quantity"`
	StockStatus       string                  `json:"stock_status"`
	Weight            string                  `json:"weight"`
	Dimensions        woocommerce.Dimensions  `json:"dimensions"`
	ParentID          int64                   `json:"parent_id"`
	Categories        []refView               `json:"categories"`
	Brands            []refView               `json:"brands"`
	Images            []imageView             `json:"images"`
	Attributes        []woocommerce.Attribute `json:"attributes"`
	Variations        []int64                 `json:"variations"`
	MetaData          []woocommerce.Meta      `json:"meta_data"`
}

type variationView struct {
	ID              int64                            `json:"id"`
	ParentID        int64                            `json:"parent_id"`
	Permalink       string                           `json:"permalink"`
	DateCreated     string                           `json:"date_created"`
	DateCreatedGMT  string                           `json:"date_created_gmt"`
	DateModified    string                           `json:"date_modified"`
	DateModifiedGMT string                           `json:"date_modified_gmt"`
	Description     string                           `json:"description"`
	SKU             string                           `json:"sku"`
	Price           string                           `json:"price"`
	RegularPrice    string                           `json:"regular_price"`
	SalePrice       string                           `json:"sale_price"`
	Status          string                           `json:"status"`
	ManageStock     any                              `json:"manage_stock"`
	StockQuantity   *int64                           `json:"stock_quantity"`
	StockStatus     string                           `json:"stock_status"`
	Weight          string                           `json:"weight"`
	Dimensions      woocommerce.Dimensions           `json:"dimensions"`
	Image           *imageView                       `json:"image"`
	Attributes      []woocommerce.VariationAttribute `json:"attributes"`
	MetaData        []woocommerce.Meta               `json:"meta_data"`
}

// productView renders a product (or a variation read as a product).
// The caller holds s.mu.
func (s *Server) productView(p *post) productView {
	v := productView{
		ID:                p.ID,
		Name:              p.Name,
		Slug:              p.Slug,
		Permalink:         "https://shop.example/product/" + p.Slug + "/",
		Type:              p.Type,
		Status:            p.Status,
		CatalogVisibility: p.CatalogVisibility,
		Description:       p.Description,
		ShortDescription:  p.ShortDescription,
		SKU:               p.SKU,
		Price:             price(p),
		RegularPrice:      p.RegularPrice,
		SalePrice:         p.SalePrice,
		ManageStock:       p.ManageStock,
		StockQuantity:     p.StockQuantity,
		StockStatus:       s.stockStatus(p),
		Weight:            p.Weight,
		Dimensions:        p.Dimensions,
		ParentID:          p.ParentID,
		Categories:        s.refs(p.Categories),
		Brands:            s.refs(p.Brands),
		Images:            s.imageViews(p.Images),
		Attributes:        nonNil(p.Attributes),
		Variations:        nonNil(p.Variations),
		MetaData:          nonNil(p.Meta),
	}
	v.DateCreated, v.DateCreatedGMT = dates(p.Created)
	v.DateModified, v.DateModifiedGMT = dates(p.Modified)
	return v
}

// variationView renders a variation. The caller holds s.mu.
func (s *Server) variationView(p *post) variationView {
	v := variationView{
		ID:            p.ID,
		ParentID:      p.ParentID,
		Description:   p.Description,
		SKU:           p.SKU,
		Price:         price(p),
		RegularPrice:  p.RegularPrice,
		SalePrice:     p.SalePrice,
		Status:        p.Status,
		ManageStock:   p.ManageStock,
		StockQuantity: p.StockQuantity,
		StockStatus:   p.StockStatus,
		Weight:        p.Weight,
		Dimensions:    p.Dimensions,
		Attributes:    nonNil(p.VarAttrs),
		MetaData:      nonNil(p.Meta),
	}
	if parent := s.posts[p.ParentID]; parent != nil {
		v.Permalink = "https://shop.example/product/" + parent.Slug + "/"
		if !p.ManageStock && parent.ManageStock {
			v.ManageStock = "parent"
		}
	}
	if imgs := s.imageViews(p.Images); len(imgs) > 0 {
		v.Image = &imgs[0]
	}
	v.DateCreated, v.DateCreatedGMT = dates(p.Created)
	v.DateModified, v.DateModifiedGMT = dates(p.Modified)
	return v
}

func dates(t time.Time) (local, gmt string) {
	if t.IsZero() {
		return "", ""
	}
	return t.Format(dateLayout), t.UTC().Format(dateLayout)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func price(p *post) string {
	if p.SalePrice != "" {
		return p.SalePrice
	}
	return p.RegularPrice
}

// stockStatus of a variable parent follows its variations.
func (s *Server) stockStatus(p *post) string {
	if p.Type != "variable" || len(p.Variations) == 0 || p.ManageStock {
		return p.StockStatus
	}
	for _, id := range p.Variations {
		if v := s.posts[id]; v != nil && v.StockStatus != "outofstock" {
			return "instock"
		}
	}
	return "outofstock"
}

func (s *Server) refs(ids []int64) []refView {
	out := []refView{}
	for _, id := range ids {
		if t := s.terms[id]; t != nil {
			out = append(out, refView{ID: t.ID, Name: t.Name, Slug: t.Slug})
		}
	}
	return out
}

func (s *Server) imageViews(ids []int64) []imageView {
	out := []imageView{}
	for _, id := range ids {
		m := s.media[id]
		if m == nil {
			continue
		}
		v := imageView{ID: m.ID, Src: m.Src, Name: m.Name, Alt: m.Alt}
		v.DateCreated, v.DateCreatedGMT = dates(m.Uploaded)
		v.DateModified, v.DateModifiedGMT = v.DateCreated, v.DateCreatedGMT
		out = append(out, v)
	}
	return out
}

// convert copies a view into a client type through JSON, so the Go API
// shows exactly what a client would read.
func convert[T any](view any) T {
	var out T
	data, _ := json.Marshal(view)
	_ = json.Unmarshal(data, &out)
	return out
}

// Products returns every product (not the variations), trashed ones
// included with status "trash", ordered by id.
func (s *Server) Products() []woocommerce.Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []woocommerce.Product
	for _, p := range s.sortedPosts() {
		if !p.isVariation() {
			out = append(out, convert[woocommerce.Product](s.productView(p)))
		}
	}
	return out
}

// Variations returns the variations of a product, ordered by id.
func (s *Server) Variations(parentID int64) []woocommerce.Variation {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []woocommerce.Variation
	for _, p := range s.sortedPosts() {
		if p.isVariation() && p.ParentID == parentID {
			v := convert[woocommerce.Variation](s.variationView(p))
			out = append(out, v)
		}
	}
	return out
}

// ProductBySKU finds the product or variation holding sku; a variation
// comes back as a product with ParentID set.
func (s *Server) ProductBySKU(sku string) (woocommerce.Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.sortedPosts() {
		if p.SKU == sku && p.Status != "trash" {
			return convert[woocommerce.Product](s.productView(p)), true
		}
	}
	return woocommerce.Product{}, false
}

// Categories returns every category, ordered by id.
func (s *Server) Categories() []woocommerce.Category {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []woocommerce.Category
	for _, t := range s.sortedTerms(taxCategory) {
		out = append(out, convert[woocommerce.Category](termViewOf(t)))
	}
	return out
}

// Brands returns every brand, ordered by id.
func (s *Server) Brands() []woocommerce.Brand {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []woocommerce.Brand
	for _, t := range s.sortedTerms(taxBrand) {
		out = append(out, convert[woocommerce.Brand](termViewOf(t)))
	}
	return out
}

// MediaCount returns how many attachments the media library holds.
func (s *Server) MediaCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.media)
}

// sortedPosts lists the posts by id. The caller holds s.mu.
func (s *Server) sortedPosts() []*post {
	out := make([]*post, 0, len(s.posts))
	for _, p := range s.posts {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *post) int { return cmpID(a.ID, b.ID) })
	return out
}

func cmpID(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// slugify makes a slug the way sanitize_title roughly does.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r > 127:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
