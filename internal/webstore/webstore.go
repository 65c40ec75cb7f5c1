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

	// EnsureCategory returns the store's id of a Lightspeed category,
	// creating it under its parent when the store does not have it, and
	// renaming it when its name changed in Lightspeed.
	EnsureCategory(ctx context.Context, c Category) (int64, error)

	// SetStatus changes only the status of products and variations, to take
	// them off sale or back. Results come back in the order of changes.
	SetStatus(ctx context.Context, changes []StatusChange) ([]error, error)

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
	Product     catalog.Product
	WebID       int64           // 0 when not known to be in the store
	VariantIDs  map[int64]int64 // variant item id to the store's variation id
	Media       map[int64]int64 // Lightspeed image id to the store's media id
	CategoryID  int64           // the store's category id, 0 for none
	BrandID     int64           // the store's brand id, 0 for none
	Status      Status          // for a product created now
	Archived    Status          // for an archived product
	Unarchived  bool            // archived when last pushed, now back on sale
	ImageMode   ImageMode       // how images follow Lightspeed
	ClearImages bool            // no image in Lightspeed removes the store's
	KeepFields  []string        // fields set on create only, then left alone
	BrandAttr   bool            // show the brand as an attribute, not a term
}

// ImageMode says when images are sent to the store.
type ImageMode string

// Image modes.
const (
	ImagesSync       ImageMode = "sync"        // follow Lightspeed's images
	ImagesCreateOnly ImageMode = "create-only" // send them on create only
	ImagesNone       ImageMode = "none"        // never send images
)

// Category is a Lightspeed category to place in the store.
type Category struct {
	LSID      int64  // the Lightspeed categoryID
	Name      string // its name in Lightspeed now
	Parent    int64  // the store's id of its parent, 0 for the root
	Known     int64  // the store's id remembered for it, 0 when none
	KnownName string // the name it was created or last renamed with
	Adopt     bool   // a same-named category storesync did not make may be used
}

// StatusChange sets the status of one product or variation.
type StatusChange struct {
	WebID       int64
	ParentWebID int64 // set for a variation
	Status      Status
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
	// ErrCategoryClash: the store has a category of the same name under the
	// same parent that storesync did not make.
	ErrCategoryClash = errors.New("category exists in the web store but was not made " +
		"by storesync: set woocommerce.adopt_categories = true to use it, or rename one")
)
