// Package woo is the WooCommerce adapter of the web-store interface. It
// never creates a product twice: before any create it looks the SKUs up and
// adopts what it finds, and a create whose outcome is unknown is looked up
// again on the next run instead of repeated.
package woo

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/storesync/storesync/internal/catalog"
	"github.com/storesync/storesync/internal/webstore"
	"github.com/storesync/storesync/pkg/woocommerce"
)

// Meta keys that carry the Lightspeed ids on web products.
const (
	MetaItemID   = "lightspeed_item_id"
	MetaMatrixID = "lightspeed_matrix_id"
)

// API is the part of the WooCommerce client the adapter uses.
type API interface {
	ProductsBySKU(ctx context.Context, skus []string) ([]woocommerce.Product, error)
	Product(ctx context.Context, id int64) (woocommerce.Product, error)
	BatchProducts(ctx context.Context, b woocommerce.Batch[woocommerce.Product]) (
		woocommerce.BatchResult[woocommerce.Product], error)
	BatchVariations(ctx context.Context, parentID int64,
		b woocommerce.Batch[woocommerce.Variation]) (
		woocommerce.BatchResult[woocommerce.Variation], error)
	Categories(ctx context.Context) ([]woocommerce.Category, error)
	CreateCategory(ctx context.Context, c woocommerce.Category) (woocommerce.Category, error)
	UpdateCategory(ctx context.Context, c woocommerce.Category) (woocommerce.Category, error)
	Brands(ctx context.Context) ([]woocommerce.Brand, error)
	CreateBrand(ctx context.Context, b woocommerce.Brand) (woocommerce.Brand, error)
}

// Options tune the adapter.
type Options struct {
	BatchSize      int // operations per batch, at most 100
	ImageBatchSize int // products per batch when images are uploaded by src
}

// Adapter writes catalog products to WooCommerce.
type Adapter struct {
	api  API
	opts Options

	categories    map[catKey]int64 // loaded once per run
	categorySlugs map[string]woocommerce.Category
	brands        map[string]int64
}

type catKey struct {
	parent int64
	name   string
}

var _ webstore.Store = (*Adapter)(nil)

// New returns an adapter over api.
func New(api API, opts Options) *Adapter {
	if opts.BatchSize <= 0 || opts.BatchSize > 100 {
		opts.BatchSize = 100
	}
	if opts.ImageBatchSize <= 0 || opts.ImageBatchSize > opts.BatchSize {
		opts.ImageBatchSize = min(10, opts.BatchSize)
	}
	return &Adapter{api: api, opts: opts}
}

// lsOwner returns the Lightspeed id a web product or variation carries.
func lsOwner(meta []woocommerce.Meta, key string) int64 {
	for _, m := range meta {
		if m.Key != key {
			continue
		}
		switch v := m.Value.(type) {
		case string:
			id, _ := strconv.ParseInt(v, 10, 64)
			return id
		case float64:
			return int64(v)
		}
	}
	return 0
}

func ownerKey(p catalog.Product) (string, int64) {
	if p.MatrixID != 0 {
		return MetaMatrixID, p.MatrixID
	}
	return MetaItemID, p.ItemID
}

// UpdateStockPrice writes stock and prices: simple products in product
// batches, variations in one batch per parent.
func (a *Adapter) UpdateStockPrice(ctx context.Context,
	changes []webstore.StockPrice) ([]error, error) {
	return a.writeUpdates(ctx, "stock of", len(changes),
		func(i int) int64 { return changes[i].ParentWebID },
		func(i int) woocommerce.Product {
			c := changes[i]
			return woocommerce.Product{ID: c.WebID, RegularPrice: ptr(c.Price),
				SalePrice: ptr(c.SalePrice), ManageStock: ptr(true),
				StockQuantity: ptr(c.Stock)}
		},
		func(i int) woocommerce.Variation {
			c := changes[i]
			return woocommerce.Variation{ID: c.WebID, RegularPrice: ptr(c.Price),
				SalePrice: ptr(c.SalePrice), ManageStock: ptr(true),
				StockQuantity: ptr(c.Stock)}
		})
}

// SetStatus changes the status of products, and of variations one batch
// per parent. A variation has no draft: it is made private instead.
func (a *Adapter) SetStatus(ctx context.Context, changes []webstore.StatusChange) ([]error, error) {
	return a.writeUpdates(ctx, "status of", len(changes),
		func(i int) int64 { return changes[i].ParentWebID },
		func(i int) woocommerce.Product {
			return woocommerce.Product{ID: changes[i].WebID, Status: string(changes[i].Status)}
		},
		func(i int) woocommerce.Variation {
			status := changes[i].Status
			if status != webstore.Publish {
				status = webstore.Private
			}
			return woocommerce.Variation{ID: changes[i].WebID, Status: string(status)}
		})
}

// writeUpdates sends n updates: those without a parent in product batches,
// the others in one variation batch per parent. Each answer is filed under
// its update by position; every update counts as not written until its
// answer says otherwise, so a batch that fails outright leaves its
// products pending.
func (a *Adapter) writeUpdates(ctx context.Context, what string, n int,
	parentOf func(int) int64, product func(int) woocommerce.Product,
	variation func(int) woocommerce.Variation) ([]error, error) {
	errs := make([]error, n)
	var simple []int
	byParent := map[int64][]int{}
	var parents []int64
	for i := range errs {
		errs[i] = errNotAttempted
		parent := parentOf(i)
		if parent == 0 {
			simple = append(simple, i)
			continue
		}
		if _, ok := byParent[parent]; !ok {
			parents = append(parents, parent)
		}
		byParent[parent] = append(byParent[parent], i)
	}

	for _, chunk := range chunks(simple, a.opts.BatchSize) {
		var b woocommerce.Batch[woocommerce.Product]
		for _, i := range chunk {
			b.Update = append(b.Update, product(i))
		}
		res, err := a.api.BatchProducts(ctx, b)
		if err != nil {
			return errs, fmt.Errorf("update %s %d products: %w", what, len(chunk), err)
		}
		for j, i := range chunk {
			errs[i] = resultErr(res.Update, j)
		}
	}
	for _, parent := range parents {
		for _, chunk := range chunks(byParent[parent], a.opts.BatchSize) {
			var b woocommerce.Batch[woocommerce.Variation]
			for _, i := range chunk {
				b.Update = append(b.Update, variation(i))
			}
			res, err := a.api.BatchVariations(ctx, parent, b)
			var we *woocommerce.Error
			if errors.As(err, &we) && gone(we) {
				// The variable product was deleted: its variations are
				// gone with it, and the other products can still be
				// written.
				for _, i := range chunk {
					errs[i] = fmt.Errorf("parent product %d: %w: %w", parent,
						webstore.ErrGone, err)
				}
				continue
			}
			if err != nil {
				return errs, fmt.Errorf("update %s variations of %d: %w", what, parent, err)
			}
			for j, i := range chunk {
				errs[i] = resultErr(res.Update, j)
			}
		}
	}
	return errs, nil
}

var errNotAttempted = errors.New("not written: an earlier batch failed")

func resultErr[T any](rs []woocommerce.Result[T], i int) error {
	if i >= len(rs) {
		return fmt.Errorf("batch answer has no result at %d: %w", i, webstore.ErrUncertain)
	}
	if rs[i].Err != nil {
		return itemErr(rs[i].Err)
	}
	return nil
}

// itemErr turns the error of one batch item into the adapter's terms.
func itemErr(e *woocommerce.Error) error {
	if gone(e) {
		return fmt.Errorf("%w: %w", webstore.ErrGone, e)
	}
	return e
}

// gone reports whether e refuses a write because the store no longer has
// the product or variation it names.
func gone(e *woocommerce.Error) bool {
	switch e.Code {
	case "woocommerce_rest_product_invalid_id",
		"woocommerce_rest_invalid_product_id",
		"woocommerce_rest_product_variation_invalid_id":
		return true
	}
	return false
}

func chunks[T any](list []T, size int) [][]T {
	var out [][]T
	for len(list) > 0 {
		n := min(size, len(list))
		out = append(out, list[:n])
		list = list[n:]
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// CategorySlug is the slug storesync gives a category it creates, so the
// category is recognised as its own even if the state file forgets it.
func CategorySlug(lsID int64) string {
	return fmt.Sprintf("lightspeed-%d", lsID)
}

// EnsureCategory finds, creates or renames the store's category for a
// Lightspeed category. A category is recognised as storesync's by its slug;
// one of the same name under the same parent that storesync did not make is
// used only when c.Adopt says so.
func (a *Adapter) EnsureCategory(ctx context.Context, c webstore.Category) (int64, error) {
	if c.Known != 0 {
		return c.Known, a.renameCategory(ctx, c.Known, c)
	}
	if err := a.loadCategories(ctx); err != nil {
		return 0, err
	}
	if own, ok := a.categorySlugs[CategorySlug(c.LSID)]; ok {
		return own.ID, a.renameCategory(ctx, own.ID, webstore.Category{Name: c.Name,
			Parent: c.Parent, KnownName: own.Name})
	}
	if id, ok := a.categories[catKey{c.Parent, c.Name}]; ok {
		if !c.Adopt {
			return 0, fmt.Errorf("category %q (id %d): %w", c.Name, id, webstore.ErrCategoryClash)
		}
		return id, nil
	}

	made, err := a.api.CreateCategory(ctx, woocommerce.Category{Name: c.Name,
		Parent: c.Parent, Slug: CategorySlug(c.LSID)})
	var we *woocommerce.Error
	if errors.As(err, &we) && we.Code == "term_exists" && we.ResourceID != 0 {
		if !c.Adopt {
			return 0, fmt.Errorf("category %q (id %d): %w", c.Name, we.ResourceID,
				webstore.ErrCategoryClash)
		}
		made.ID, err = we.ResourceID, nil
	}
	if err != nil {
		return 0, fmt.Errorf("create web category %q: %w", c.Name, err)
	}
	a.categories[catKey{c.Parent, c.Name}] = made.ID
	a.categorySlugs[CategorySlug(c.LSID)] = woocommerce.Category{ID: made.ID, Name: c.Name,
		Parent: c.Parent}
	return made.ID, nil
}

// renameCategory follows a rename in Lightspeed.
func (a *Adapter) renameCategory(ctx context.Context, id int64, c webstore.Category) error {
	if c.KnownName == "" || c.KnownName == c.Name {
		return nil
	}
	_, err := a.api.UpdateCategory(ctx, woocommerce.Category{ID: id, Name: c.Name,
		Parent: c.Parent})
	if err != nil {
		return fmt.Errorf("rename web category %d to %q: %w", id, c.Name, err)
	}
	return nil
}

func (a *Adapter) loadCategories(ctx context.Context) error {
	if a.categories != nil {
		return nil
	}
	list, err := a.api.Categories(ctx)
	if err != nil {
		return fmt.Errorf("list web categories: %w", err)
	}
	a.categories = map[catKey]int64{}
	a.categorySlugs = map[string]woocommerce.Category{}
	for _, c := range list {
		a.categories[catKey{c.Parent, c.Name}] = c.ID
		a.categorySlugs[c.Slug] = c
	}
	return nil
}

// EnsureBrand finds or creates a brand by name.
func (a *Adapter) EnsureBrand(ctx context.Context, name string, known int64) (int64, error) {
	if known != 0 {
		return known, nil
	}
	if a.brands == nil {
		list, err := a.api.Brands(ctx)
		if err != nil {
			return 0, fmt.Errorf("list web brands: %w", err)
		}
		a.brands = map[string]int64{}
		for _, b := range list {
			a.brands[b.Name] = b.ID
		}
	}
	if id, ok := a.brands[name]; ok {
		return id, nil
	}
	b, err := a.api.CreateBrand(ctx, woocommerce.Brand{Name: name})
	var we *woocommerce.Error
	if errors.As(err, &we) && we.Code == "term_exists" && we.ResourceID != 0 {
		b.ID, err = we.ResourceID, nil
	}
	if err != nil {
		return 0, fmt.Errorf("create web brand %q: %w", name, err)
	}
	a.brands[name] = b.ID
	return b.ID, nil
}
