package woo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/storesync/storesync/internal/catalog"
	"github.com/storesync/storesync/internal/webstore"
	"github.com/storesync/storesync/pkg/woocommerce"
)

// Push creates or updates full products, parents first, then variations.
func (a *Adapter) Push(ctx context.Context, items []webstore.Push) ([]webstore.Result, error) {
	results := make([]webstore.Result, len(items))
	for i := range items {
		results[i].WebID = items[i].WebID
		results[i].Variants = map[int64]webstore.VariantResult{}
		results[i].Media = map[int64]int64{}
	}

	// Find what the store already has, so nothing is created twice.
	if err := a.adopt(ctx, items, results); err != nil {
		return nil, err
	}

	// Products and parents, in batches; creates that upload images in
	// smaller ones, since the store downloads each image inline.
	if err := a.pushProducts(ctx, items, results); err != nil {
		return results, err
	}

	// Variations, one batch per parent.
	for i := range items {
		if results[i].Err != nil || results[i].WebID == 0 || items[i].Product.MatrixID == 0 {
			continue
		}
		if err := a.pushVariations(ctx, &items[i], &results[i]); err != nil {
			return results, err
		}
	}
	return results, nil
}

// adopt looks up by SKU every product and variation the state file does not
// place in the store, and takes over what belongs to the same item.
func (a *Adapter) adopt(ctx context.Context, items []webstore.Push,
	results []webstore.Result) error {
	var skus []string
	for i, it := range items {
		if results[i].WebID == 0 && it.Product.SKU != "" {
			skus = append(skus, it.Product.SKU)
		}
		for _, v := range it.Product.Variants {
			if it.VariantIDs[v.ItemID] == 0 && v.SKU != "" {
				skus = append(skus, v.SKU)
			}
		}
	}
	if len(skus) == 0 {
		return nil
	}
	found, err := a.api.ProductsBySKU(ctx, skus)
	if err != nil {
		return fmt.Errorf("look up %d SKUs in the web store: %w", len(skus), err)
	}
	bySKU := make(map[string]woocommerce.Product, len(found))
	for _, p := range found {
		bySKU[p.SKU] = p
	}

	for i := range items {
		it := &items[i]
		if results[i].WebID == 0 {
			if p, ok := bySKU[it.Product.SKU]; ok && p.ParentID == 0 {
				key, id := ownerKey(it.Product)
				if owner := lsOwner(p.MetaData, key); owner != 0 && owner != id {
					results[i].Err = fmt.Errorf("SKU %q is product %d of %s %d: %w",
						it.Product.SKU, p.ID, key, owner, webstore.ErrConflict)
					continue
				}
				results[i].WebID = p.ID
				results[i].Adopted = true
				reuseImages(it, p.Images)
			}
		}
		if it.VariantIDs == nil {
			it.VariantIDs = map[int64]int64{}
		}
		for _, v := range it.Product.Variants {
			p, ok := bySKU[v.SKU]
			if !ok || it.VariantIDs[v.ItemID] != 0 || p.ParentID == 0 {
				continue
			}
			if results[i].WebID != 0 && p.ParentID != results[i].WebID {
				results[i].Variants[v.ItemID] = webstore.VariantResult{Err: fmt.Errorf(
					"SKU %q is a variation of product %d: %w", v.SKU, p.ParentID,
					webstore.ErrConflict)}
				continue
			}
			if owner := lsOwner(p.MetaData, MetaItemID); owner != 0 && owner != v.ItemID {
				results[i].Variants[v.ItemID] = webstore.VariantResult{Err: fmt.Errorf(
					"SKU %q is variation %d of item %d: %w", v.SKU, p.ID, owner,
					webstore.ErrConflict)}
				continue
			}
			it.VariantIDs[v.ItemID] = p.ID
		}
	}
	return nil
}

// reuseImages maps the images an adopted product already has to the
// Lightspeed images they were uploaded from, so that they are sent by id
// instead of being downloaded again. The store names an uploaded file
// after the URL it came from, which holds the image's public id.
func reuseImages(it *webstore.Push, have []woocommerce.Image) {
	for _, im := range it.Product.Images {
		if it.Media[im.ID] != 0 || im.PublicID == "" {
			continue
		}
		for _, w := range have {
			if w.ID == 0 || !strings.Contains(w.Src, im.PublicID) {
				continue
			}
			if it.Media == nil {
				it.Media = map[int64]int64{}
			}
			it.Media[im.ID] = w.ID
			break
		}
	}
}

func (a *Adapter) pushProducts(ctx context.Context, items []webstore.Push,
	results []webstore.Result) error {
	var creates, imageCreates, updates []int
	for i, it := range items {
		switch {
		case results[i].Err != nil:
		case results[i].WebID != 0:
			updates = append(updates, i)
		case len(it.Product.Images) > 0 && sendsImages(it, 0):
			imageCreates = append(imageCreates, i)
		default:
			creates = append(creates, i)
		}
	}

	groups := chunks(updates, a.opts.BatchSize)
	groups = append(groups, chunks(creates, a.opts.BatchSize)...)
	groups = append(groups, chunks(imageCreates, a.opts.ImageBatchSize)...)
	for _, g := range groups {
		if err := a.productBatch(ctx, items, results, g); err != nil {
			return err
		}
	}
	return nil
}

// productBatch sends one batch of creates or updates and files each answer
// under its product, by position.
func (a *Adapter) productBatch(ctx context.Context, items []webstore.Push,
	results []webstore.Result, idx []int) error {
	var b woocommerce.Batch[woocommerce.Product]
	creating := results[idx[0]].WebID == 0
	for _, i := range idx {
		p := a.product(items[i], results[i].WebID)
		if creating {
			b.Create = append(b.Create, p)
		} else {
			b.Update = append(b.Update, p)
		}
	}

	res, err := a.api.BatchProducts(ctx, b)
	if err != nil {
		if creating && uncertain(err) {
			// Some creates may have landed; the next run finds them by SKU.
			for _, i := range idx {
				results[i].Err = fmt.Errorf("create %q: %w: %w",
					items[i].Product.SKU, webstore.ErrUncertain, err)
			}
			return nil
		}
		return fmt.Errorf("write %d products: %w", len(idx), err)
	}

	answers := res.Update
	if creating {
		answers = res.Create
	}
	for j, i := range idx {
		if j >= len(answers) {
			results[i].Err = fmt.Errorf("no answer for %q: %w",
				items[i].Product.SKU, webstore.ErrUncertain)
			continue
		}
		r := answers[j]
		if r.Err != nil {
			results[i].Err = a.productError(ctx, items[i], &results[i], r.Err)
			continue
		}
		results[i].WebID = r.Value.ID
		results[i].Created = creating
		a.recordMedia(items[i], r.Value.Images, &results[i])
	}
	return nil
}

// productError turns a per-product error into the result. A duplicate SKU
// whose owner is this very item (a create that landed before a crash) is
// adopted and written again on the next run.
func (a *Adapter) productError(ctx context.Context, it webstore.Push,
	res *webstore.Result, e *woocommerce.Error) error {
	if e.Code == "product_invalid_sku" && e.ResourceID != 0 {
		owner, err := a.api.Product(ctx, e.ResourceID)
		if err != nil {
			return fmt.Errorf("read owner %d of SKU %q: %w", e.ResourceID, it.Product.SKU, err)
		}
		key, id := ownerKey(it.Product)
		if o := lsOwner(owner.MetaData, key); o == 0 || o == id {
			res.WebID = owner.ID
			res.Adopted = true
			return fmt.Errorf("adopted product %d for %q, write pending: %w",
				owner.ID, it.Product.SKU, webstore.ErrUncertain)
		}
		return fmt.Errorf("SKU %q is product %d: %w", it.Product.SKU, e.ResourceID,
			webstore.ErrConflict)
	}
	if gone(e) {
		return fmt.Errorf("product %d: %w: %w", res.WebID, webstore.ErrGone, e)
	}
	return e
}

func uncertain(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var we *woocommerce.Error
	if errors.As(err, &we) && we.Status >= 400 && we.Status < 500 &&
		we.Status != 408 && we.Status != 429 {
		return false
	}
	return true
}

// recordMedia maps each Lightspeed image to the media id the store gave it;
// the store answers the images in the order they were sent.
func (a *Adapter) recordMedia(it webstore.Push, got []woocommerce.Image, res *webstore.Result) {
	if !sendsImages(it, res.WebID) && !res.Created {
		return
	}
	for j, im := range it.Product.Images {
		if j < len(got) && got[j].ID != 0 {
			res.Media[im.ID] = got[j].ID
		}
	}
}

// product builds the WooCommerce body of a simple or variable product.
func (a *Adapter) product(it webstore.Push, webID int64) woocommerce.Product {
	p := it.Product
	key, id := ownerKey(p)
	out := woocommerce.Product{
		ID:               webID,
		Name:             p.Name,
		SKU:              p.SKU,
		Description:      ptr(p.Description),
		ShortDescription: ptr(p.ShortDescription),
		Weight:           ptr(p.Weight),
		Dimensions: &woocommerce.Dimensions{
			Length: p.Length, Width: p.Width, Height: p.Height,
		},
		MetaData: []woocommerce.Meta{{Key: key, Value: strconv.FormatInt(id, 10)}},
	}
	if webID == 0 {
		out.Status = string(it.Status)
	}
	if p.MatrixID != 0 {
		out.Type = "variable"
		for pos, at := range p.Attributes {
			out.Attributes = append(out.Attributes, woocommerce.Attribute{
				Name: at.Name, Position: pos, Visible: true, Variation: true,
				Options: at.Options,
			})
		}
	} else {
		out.Type = "simple"
		out.RegularPrice = ptr(p.RegularPrice)
		out.SalePrice = ptr(p.SalePrice)
		out.ManageStock = ptr(true)
		out.StockQuantity = ptr(p.Stock)
	}
	if it.CategoryID != 0 {
		out.Categories = []woocommerce.Ref{{ID: it.CategoryID}}
	}
	if it.BrandID != 0 {
		out.Brands = []woocommerce.Ref{{ID: it.BrandID}}
	}
	if it.BrandAttr && p.Brand != nil {
		out.Attributes = append(out.Attributes, woocommerce.Attribute{Name: "Brand",
			Position: len(out.Attributes), Visible: true, Options: []string{p.Brand.Name}})
	}
	if sendsImages(it, webID) {
		out.Images = images(it)
	}
	if webID != 0 {
		keepFields(&out, it.KeepFields)
	}
	if p.Archived {
		switch it.Archived {
		case webstore.OutOfStock:
			if out.StockQuantity != nil {
				out.StockQuantity = ptr(int64(0))
			}
		case "":
			out.Status = string(webstore.Draft)
		default:
			out.Status = string(it.Archived)
		}
	} else if webID != 0 && it.Unarchived {
		out.Status = string(it.Status)
	}
	return out
}

// sendsImages tells whether a push to webID (0 for a create) carries the
// product's images.
func sendsImages(it webstore.Push, webID int64) bool {
	switch {
	case it.ImageMode == webstore.ImagesNone:
		return false
	case webID == 0:
		return true
	case it.ImageMode == webstore.ImagesCreateOnly || slices.Contains(it.KeepFields, "images"):
		return false
	default:
		return len(it.Product.Images) > 0 || it.ClearImages
	}
}

// images lists the product's images in Lightspeed's order: by media id
// once uploaded, by src to have the store download them once. An empty,
// non-nil list removes the store's images.
func images(it webstore.Push) []woocommerce.Image {
	out := make([]woocommerce.Image, 0, len(it.Product.Images))
	for _, im := range it.Product.Images {
		if media := it.Media[im.ID]; media != 0 {
			out = append(out, woocommerce.Image{ID: media})
			continue
		}
		out = append(out, woocommerce.Image{Src: im.URL, Name: im.Name})
	}
	return out
}

// keepFields leaves out of an update the fields the retailer edits in the
// store.
func keepFields(p *woocommerce.Product, keep []string) {
	for _, f := range keep {
		switch f {
		case "name":
			p.Name = ""
		case "description":
			p.Description = nil
		case "short_description":
			p.ShortDescription = nil
		case "categories":
			p.Categories = nil
		case "brand":
			p.Brands = nil
		case "images":
			p.Images = nil
		case "weight":
			p.Weight = nil
		case "dimensions":
			p.Dimensions = nil
		}
	}
}

// pushVariations creates and updates the variations of one variable product.
func (a *Adapter) pushVariations(ctx context.Context, it *webstore.Push,
	res *webstore.Result) error {
	var b woocommerce.Batch[woocommerce.Variation]
	var order []catalog.Variant
	var creates []catalog.Variant
	for _, v := range it.Product.Variants {
		if vr, ok := res.Variants[v.ItemID]; ok && vr.Err != nil {
			continue
		}
		body := variation(v, it.VariantIDs[v.ItemID], it.Archived, it.Product.Archived)
		if body.ID != 0 {
			b.Update = append(b.Update, body)
			order = append(order, v)
		} else {
			b.Create = append(b.Create, body)
			creates = append(creates, v)
		}
	}
	if b.Len() == 0 {
		return nil
	}

	got, err := a.api.BatchVariations(ctx, res.WebID, b)
	if err != nil {
		if len(b.Create) > 0 && uncertain(err) {
			for _, v := range append(order, creates...) {
				res.Variants[v.ItemID] = webstore.VariantResult{Err: fmt.Errorf(
					"write variation %q: %w: %w", v.SKU, webstore.ErrUncertain, err)}
			}
			return nil
		}
		return fmt.Errorf("write variations of product %d: %w", res.WebID, err)
	}
	file := func(list []catalog.Variant, answers []woocommerce.Result[woocommerce.Variation]) {
		for j, v := range list {
			switch {
			case j >= len(answers):
				res.Variants[v.ItemID] = webstore.VariantResult{Err: webstore.ErrUncertain}
			case answers[j].Err != nil:
				res.Variants[v.ItemID] = webstore.VariantResult{Err: itemErr(answers[j].Err)}
			default:
				res.Variants[v.ItemID] = webstore.VariantResult{WebID: answers[j].Value.ID}
			}
		}
	}
	file(order, got.Update)
	file(creates, got.Create)
	return nil
}

func variation(v catalog.Variant, webID int64, archived webstore.Status,
	parentArchived bool) woocommerce.Variation {
	out := woocommerce.Variation{
		ID:            webID,
		SKU:           v.SKU,
		RegularPrice:  ptr(v.RegularPrice),
		SalePrice:     ptr(v.SalePrice),
		ManageStock:   ptr(true),
		StockQuantity: ptr(v.Stock),
		Weight:        ptr(v.Weight),
		MetaData: []woocommerce.Meta{
			{Key: MetaItemID, Value: strconv.FormatInt(v.ItemID, 10)},
		},
		Status: "publish",
	}
	for _, o := range v.Options {
		out.Attributes = append(out.Attributes,
			woocommerce.VariationAttribute{Name: o.Name, Option: o.Value})
	}
	if v.Archived || parentArchived {
		if archived == webstore.OutOfStock {
			out.StockQuantity = ptr(int64(0))
		} else {
			out.Status = "private"
		}
	}
	return out
}
