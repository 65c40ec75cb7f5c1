package woocommercetest

import (
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/storesync/storesync/pkg/woocommerce"
)

// target names what a write is about: a product or a variation of
// parentID; id 0 creates.
type target struct {
	variation bool
	parentID  int64
	id        int64
}

// write validates, downloads the images of and saves one product or
// variation, and returns its view. With imageFault a create that carries
// images is saved but reported as an image upload failure.
func (s *Server) write(t target, body []byte, imageFault bool) (any, *apiError) {
	in, e := parseFields(body)
	if e != nil {
		return nil, e
	}

	// Check everything first, as WooCommerce does before it downloads.
	s.mu.Lock()
	_, e = s.prepare(t, in, nil)
	s.mu.Unlock()
	if e != nil {
		return nil, e
	}

	// Download without holding the lock: the fetcher may call back into
	// a server that shares it.
	files, e := s.fetchImages(in, t.variation)
	if e != nil {
		return nil, e
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.prepare(t, in, files)
	if e != nil {
		return nil, e
	}
	s.save(p)
	if imageFault && t.id == 0 && len(p.Images) > 0 {
		return nil, imageError(t.variation, "Error getting remote image "+
			"(unknown). Error: cURL error 28: Operation timed out.")
	}
	return s.view(p), nil
}

func (s *Server) view(p *post) any {
	if p.isVariation() {
		return s.variationView(p)
	}
	return s.productView(p)
}

// prepare applies the fields to a copy of the target. Without files the
// images given by src are only checked. The caller holds s.mu.
func (s *Server) prepare(t target, in *fields,
	files [][]byte) (*post, *apiError) {
	p, e := s.draft(t)
	if e != nil {
		return nil, e
	}
	if t.variation {
		e = s.applyVariation(p, in, t.id == 0, files)
	} else {
		e = s.applyProduct(p, in, t.id == 0, files)
	}
	if e != nil {
		return nil, e
	}
	return p, nil
}

var errInvalidID = &apiError{Status: http.StatusBadRequest,
	Code: "woocommerce_rest_product_invalid_id", Message: "Invalid ID."}

// draft returns a copy of the post to update, or a new one.
func (s *Server) draft(t target) (*post, *apiError) {
	if t.variation {
		parent := s.posts[t.parentID]
		if parent == nil || parent.isVariation() {
			return nil, &apiError{Status: http.StatusNotFound,
				Code:    "woocommerce_rest_product_invalid_id",
				Message: "Invalid ID."}
		}
		if t.id == 0 {
			return &post{Type: "variation", ParentID: t.parentID,
				Status: "publish", StockStatus: "instock"}, nil
		}
		v := s.posts[t.id]
		if v == nil || v.ParentID != t.parentID {
			return nil, badRequest(
				"woocommerce_rest_product_variation_invalid_id",
				"Invalid ID.")
		}
		return v.clone(), nil
	}

	if t.id == 0 {
		return &post{Type: "simple", Status: "publish",
			CatalogVisibility: "visible", StockStatus: "instock"}, nil
	}
	p := s.posts[t.id]
	switch {
	case p == nil:
		return nil, errInvalidID
	case p.isVariation():
		return nil, &apiError{Status: http.StatusNotFound,
			Code: "woocommerce_rest_invalid_product_id",
			Message: "To manipulate product variations you should use the " +
				"/products/<product_id>/variations/<id> endpoint."}
	}
	return p.clone(), nil
}

// save stores a prepared post. The caller holds s.mu.
func (s *Server) save(p *post) {
	now := s.opts.Now()
	if p.ID == 0 {
		s.nextPost++
		p.ID = s.nextPost
		p.Created = now
		if parent := s.posts[p.ParentID]; p.isVariation() && parent != nil {
			parent.Variations = append(parent.Variations, p.ID)
		}
	}
	p.Modified = now
	s.posts[p.ID] = p
}

// semantic keeps the first error found after the type checks.
type semantic struct{ err *apiError }

func (sm *semantic) set(e *apiError) {
	if sm.err == nil {
		sm.err = e
	}
}

// applyCommon reads the fields products and variations share.
func (s *Server) applyCommon(p *post, in *fields, create bool,
	sm *semantic) {
	if create && in.has("id") {
		sm.set(badRequest("woocommerce_rest_product_exists",
			"Cannot create existing product."))
	}
	if v, ok := in.str("sku"); ok {
		v = strings.TrimSpace(v)
		if v != p.SKU || create {
			sm.set(s.checkSKU(v, p.ID, create))
		}
		p.SKU = v
	}
	if v, ok := in.str("status"); ok {
		p.Status = v
		if !slices.Contains(postStatuses, v) {
			p.Status = "draft"
		}
	}
	if v, ok := in.str("description"); ok {
		p.Description = v
	}
	if v, ok := in.str("regular_price"); ok {
		p.RegularPrice = strings.TrimSpace(v)
	}
	if v, ok := in.str("sale_price"); ok {
		p.SalePrice = strings.TrimSpace(v)
	}
	if v, ok := in.boolean("manage_stock"); ok {
		p.ManageStock = v
	}
	if v, ok := in.integer("stock_quantity"); ok {
		p.StockQuantity = &v
	}
	if v, ok := in.str("stock_status"); ok {
		if slices.Contains(stockStatuses, v) {
			p.StockStatus = v
		} else {
			in.bad["stock_status"] = "stock_status is not one of " +
				"instock, outofstock and onbackorder."
		}
	}
	if v, ok := in.str("weight"); ok {
		p.Weight = decimalOrBlank(v)
	}
	if d, ok := in.dimensions(); ok {
		p.Dimensions = woocommerce.Dimensions{
			Length: decimalOrBlank(d["length"]),
			Width:  decimalOrBlank(d["width"]),
			Height: decimalOrBlank(d["height"]),
		}
	}
	var meta []metaIn
	if in.object("meta_data", "array", &meta) {
		s.upsertMeta(p, meta)
	}
}

var (
	postStatuses  = []string{"draft", "pending", "private", "publish"}
	stockStatuses = []string{"instock", "outofstock", "onbackorder"}
	productTypes  = []string{"simple", "grouped", "external", "variable"}
	visibilities  = []string{"visible", "catalog", "search", "hidden"}
)

// applyProduct writes the fields of a product. The caller holds s.mu.
func (s *Server) applyProduct(p *post, in *fields, create bool,
	files [][]byte) *apiError {
	var sm semantic
	s.applyCommon(p, in, create, &sm)
	if v, ok := in.str("name"); ok {
		p.Name = v
		if create || p.Slug == "" {
			p.Slug = slugify(v)
		}
	}
	if v, ok := in.str("type"); ok {
		if slices.Contains(productTypes, v) {
			p.Type = v
		} else {
			in.bad["type"] = "type is not one of simple, grouped, " +
				"external and variable."
		}
	}
	if v, ok := in.str("catalog_visibility"); ok {
		if !slices.Contains(visibilities, v) {
			sm.set(badRequest("product_invalid_catalog_visibility",
				"Invalid catalog visibility option."))
		}
		p.CatalogVisibility = v
	}
	if v, ok := in.str("short_description"); ok {
		p.ShortDescription = v
	}
	if ids, ok := in.termIDs("categories"); ok {
		sm.set(s.checkTerms(ids, taxCategory))
		p.Categories = ids
	}
	if ids, ok := in.termIDs("brands"); ok && len(ids) > 0 {
		// An empty list leaves the brands alone.
		sm.set(s.checkTerms(ids, taxBrand))
		p.Brands = ids
	}
	var attrs []woocommerce.Attribute
	if in.object("attributes", "array", &attrs) {
		p.Attributes = attrs
	}
	return s.finishApply(p, in, &sm, files, false)
}

// applyVariation writes the fields of a variation. The caller holds s.mu.
func (s *Server) applyVariation(p *post, in *fields, create bool,
	files [][]byte) *apiError {
	var sm semantic
	s.applyCommon(p, in, create, &sm)
	var attrs []woocommerce.VariationAttribute
	if in.object("attributes", "array", &attrs) {
		p.VarAttrs = matchAttributes(s.posts[p.ParentID], attrs)
	}
	return s.finishApply(p, in, &sm, files, true)
}

// finishApply ends a product or variation write the same way for both:
// it reports the first input or semantic error, attaches the images sent,
// and settles the derived fields. The caller holds s.mu.
func (s *Server) finishApply(p *post, in *fields, sm *semantic, files [][]byte,
	variation bool) *apiError {
	imgs, hasImages := in.images()
	if e := in.err(); e != nil {
		return e
	}
	if sm.err != nil {
		return sm.err
	}
	if hasImages {
		if e := s.attachImages(p, imgs, files, variation); e != nil {
			return e
		}
	}
	s.settle(p)
	return nil
}

// settle applies the rules WooCommerce enforces on save.
func (s *Server) settle(p *post) {
	if p.Type == "variable" || p.Type == "grouped" {
		p.RegularPrice, p.SalePrice = "", ""
	}
	if !p.ManageStock {
		p.StockQuantity = nil
		return
	}
	if p.StockQuantity != nil && *p.StockQuantity > 0 {
		p.StockStatus = "instock"
	} else {
		p.StockStatus = "outofstock"
	}
}

// matchAttributes keeps the variation attributes that name a variation
// attribute of the parent and one of its options; any other is dropped and
// the variation then matches any value of it.
func matchAttributes(parent *post,
	in []woocommerce.VariationAttribute) []woocommerce.VariationAttribute {
	var out []woocommerce.VariationAttribute
	for _, a := range in {
		for _, pa := range parent.Attributes {
			same := (a.ID != 0 && a.ID == pa.ID) ||
				(a.ID == 0 && slugify(a.Name) == slugify(pa.Name))
			if !same || !pa.Variation {
				continue
			}
			if slices.Contains(pa.Options, a.Option) {
				out = append(out, woocommerce.VariationAttribute{
					ID: pa.ID, Name: pa.Name, Option: a.Option})
			}
			break
		}
	}
	return out
}

// checkSKU refuses a SKU held by another product or variation.
func (s *Server) checkSKU(sku string, self int64, create bool) *apiError {
	if sku == "" {
		return nil
	}
	owner := s.skuOwner(sku, self)
	switch {
	case owner == nil:
		return nil
	case owner.Status == "trash" && create:
		// The SKU lookup table still holds the SKU of a trashed product.
		return badRequest("woocommerce_rest_product_not_created",
			"The product with SKU ("+sku+") you are trying to insert is "+
				"already present in the lookup table")
	case owner.Status == "trash":
		return nil
	}
	return &apiError{
		Status:  http.StatusBadRequest,
		Code:    "product_invalid_sku",
		Message: "Invalid or duplicated SKU.",
		Data: map[string]any{
			"resource_id": owner.ID,
			"unique_sku":  s.uniqueSKU(sku),
		},
	}
}

// skuOwner finds the post holding sku, preferring a live one.
func (s *Server) skuOwner(sku string, self int64) *post {
	var trashed *post
	for _, p := range s.posts {
		if p.ID == self || p.SKU != sku {
			continue
		}
		if p.Status != "trash" {
			return p
		}
		trashed = p
	}
	return trashed
}

func (s *Server) uniqueSKU(sku string) string {
	for i := 1; ; i++ {
		c := sku + "-" + strconv.Itoa(i)
		if s.skuOwner(c, 0) == nil {
			return c
		}
	}
}

func (s *Server) checkTerms(ids []int64, tax string) *apiError {
	for _, id := range ids {
		if t := s.terms[id]; t == nil || t.Taxonomy != tax {
			return badRequest("woocommerce_rest_term_invalid",
				fmt.Sprintf("Term #%d does not exist in %s.", id, tax))
		}
	}
	return nil
}

// upsertMeta updates entries by id or key and appends new keys.
func (s *Server) upsertMeta(p *post, in []metaIn) {
	for _, m := range in {
		i := slices.IndexFunc(p.Meta, func(old woocommerce.Meta) bool {
			if m.ID != 0 {
				return old.ID == m.ID
			}
			return old.Key == m.Key
		})
		if i >= 0 {
			if m.Key != "" {
				p.Meta[i].Key = m.Key
			}
			p.Meta[i].Value = m.Value
			continue
		}
		if m.Key == "" {
			continue
		}
		s.nextMeta++
		p.Meta = append(p.Meta, woocommerce.Meta{ID: s.nextMeta, Key: m.Key,
			Value: m.Value})
	}
}

// decimalOrBlank blanks what is not a number, as WooCommerce does
// silently for weights and dimensions.
func decimalOrBlank(v string) string {
	v = strings.TrimSpace(v)
	if _, err := strconv.ParseFloat(v, 64); err != nil {
		return ""
	}
	return v
}

func imageError(variation bool, msg string) *apiError {
	code := "woocommerce_product_image_upload_error"
	if variation {
		code = "woocommerce_variation_image_upload_error"
	}
	return badRequest(code, msg)
}

var imageTypes = []string{".jpg", ".jpeg", ".jpe", ".gif", ".png", ".bmp",
	".tif", ".tiff", ".ico", ".webp"}

// fetchImages downloads every image given by src, one download per entry
// and per write, as WooCommerce does.
func (s *Server) fetchImages(in *fields, variation bool) ([][]byte,
	*apiError) {
	imgs, _ := in.images()
	files := make([][]byte, len(imgs))
	for i, im := range imgs {
		if im.ID > 0 || im.Src == "" {
			continue
		}
		data, err := s.opts.ImageFetcher(im.Src)
		s.mu.Lock()
		s.downloads++
		s.mu.Unlock()
		if err != nil {
			return nil, imageError(variation, "Error getting remote image "+
				im.Src+". Error: "+err.Error())
		}
		ext := strings.ToLower(path.Ext(urlPath(im.Src)))
		if !slices.Contains(imageTypes, ext) {
			return nil, imageError(variation, "Invalid image: Sorry, you "+
				"are not allowed to upload this file type.")
		}
		if len(data) == 0 {
			return nil, imageError(variation, "Invalid image: File is "+
				"empty. Please upload something more substantial.")
		}
		files[i] = data
	}
	return files, nil
}

// attachImages sets the images of p: an id reuses an attachment, a src
// becomes a new one. Without files the srcs are only checked.
func (s *Server) attachImages(p *post, imgs []imageIn, files [][]byte,
	variation bool) *apiError {
	code := "woocommerce_product_invalid_image_id"
	if variation {
		code = "woocommerce_variation_invalid_image_id"
	}
	ids := []int64{}
	for i, im := range imgs {
		switch {
		case im.ID > 0:
			if s.media[im.ID] == nil {
				return badRequest(code,
					fmt.Sprintf("#%d is an invalid image ID.", im.ID))
			}
			ids = append(ids, im.ID)
		case im.Src != "" && files != nil:
			ids = append(ids, s.addMedia(im, files[i]))
		}
	}
	if variation && len(ids) > 1 {
		ids = ids[:1]
	}
	if files != nil {
		p.Images = ids
	}
	return nil
}

// addMedia stores a downloaded image. The caller holds s.mu.
func (s *Server) addMedia(im imageIn, data []byte) int64 {
	s.nextPost++
	now := s.opts.Now()
	base := path.Base(urlPath(im.Src))
	name := im.Name
	if name == "" {
		name = strings.TrimSuffix(base, path.Ext(base))
	}
	m := &mediaItem{
		ID:     s.nextPost,
		Origin: im.Src,
		Src: fmt.Sprintf("https://shop.example/wp-content/uploads/%s/%d-%s",
			now.Format("2006/01"), s.nextPost, base),
		Name:     name,
		Alt:      im.Alt,
		Size:     len(data),
		Uploaded: now,
	}
	s.media[m.ID] = m
	return m.ID
}
