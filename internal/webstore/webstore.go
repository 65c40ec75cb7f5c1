// Package webstore is the interface between the jobs and an online store.
// The jobs speak in catalog products and Lightspeed ids; an adapter (see
// package woo) turns them into the store's own calls and answers.
package webstore

import (
	"context"
	"errors"

	"github.com/storesync/storesync/internal/catalog"
)

// Store is an online store that storesync feeds.
type Store interface {
	// Push creates or updates every field of each product. Results come back
	// in the order of items; a failure of one product never hides the others.
	Push(ctx context.Context, items []Push) ([]Result, error)

	// UpdateStockPrice writes only stock and prices of products already in
	// the store. Results come back in the order of changes.
	UpdateStockPrice(ctx context.Context, changes []StockPrice) ([]error, error)

	// EnsureCategory returns the store's id of the category called name
	// under parent (0 for the root), creating it when it does not exist.
	EnsureCategory(ctx context.Context, parent int64, name string, known int64) (int64, error)

	// EnsureBrand returns the store's id of the brand, creating it when
	// it does not exist.
	EnsureBrand(ctx context.Context, name string, known int64) (int64, error)
}

// Status is what a pushed product shows in the store.
type Status string

// Statuses a product can be pushed with.
const (
	Publish    Status = "publish"
	Draft      Status = "draft"
	Private    Status = "private"
	OutOfStock Status = "outofstock" // stays visible, stock forced to 0
)

// Push is one product to create or update, with what the state file knows
// of it in the store.
type Push struct {
	Product    catalog.Product
	WebID      int64           // 0 when not known to be in the store
	VariantIDs map[int64]int64 // variant item id to the store's variation id
	Media      map[int64]int64 // Lightspeed image id to the store's media id
	CategoryID int64           // the store's category id, 0 for none
	BrandID    int64           // the store's brand id, 0 for none
	Status     Status          // for a product created now
	Archived   Status          // for an archived product
	SkipImages bool            // leave the store's images alone
	KeepFields []string        // fields the retailer edits in the store
	CreateOnly bool            // an existing product keeps its fields
}

// Result is the outcome of one Push.
type Result struct {
	WebID    int64
	Created  bool
	Adopted  bool
	Variants map[int64]VariantResult // by variant item id
	Media    map[int64]int64         // Lightspeed image id to media id
	Err      error
}

// VariantResult is the outcome of one variation.
type VariantResult struct {
	WebID int64
	Err   error
}

// StockPrice is a stock and price change for one product or variation.
type StockPrice struct {
	ItemID      int64
	WebID       int64
	ParentWebID int64 // set for a variation
	Price       string
	SalePrice   string
	Stock       int64
}

// Errors an adapter reports per product.
var (
	// ErrConflict: the SKU belongs to a store product of another item.
	ErrConflict = errors.New("SKU belongs to another product in the web store")
	// ErrUncertain: the store may or may not have applied a write; the
	// next run looks the product up again before writing.
	ErrUncertain = errors.New("web store outcome unknown")
	// ErrGone: the store no longer has the product it was pushed as.
	ErrGone = errors.New("product no longer in the web store")
)
