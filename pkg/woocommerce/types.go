package woocommerce

import "fmt"

// Product is a WooCommerce product as the REST API v3 reads and writes it.
// Every field is omitted when empty, so an update carries only what is set.
type Product struct {
	ID                int64       `json:"id,omitempty"`
	ParentID          int64       `json:"parent_id,omitempty"`
	Name              string      `json:"name,omitempty"`
	Type              string      `json:"type,omitempty"`
	Status            string      `json:"status,omitempty"`
	SKU               string      `json:"sku,omitempty"`
	RegularPrice      *string     `json:"regular_price,omitempty"`
	SalePrice         *string     `json:"sale_price,omitempty"`
	Description       *string     `json:"description,omitempty"`
	ShortDescription  *string     `json:"short_description,omitempty"`
	ManageStock       *bool       `json:"manage_stock,omitempty"`
	StockQuantity     *int64      `json:"stock_quantity,omitempty"`
	StockStatus       string      `json:"stock_status,omitempty"`
	Weight            *string     `json:"weight,omitempty"`
	Dimensions        *Dimensions `json:"dimensions,omitempty"`
	Categories        []Ref       `json:"categories,omitempty"`
	Brands            []Ref       `json:"brands,omitempty"`
	Images            []Image     `json:"images,omitzero"` // empty, not nil, removes all
	Attributes        []Attribute `json:"attributes,omitempty"`
	Variations        []int64     `json:"variations,omitempty"`
	MetaData          []Meta      `json:"meta_data,omitempty"`
	CatalogVisibility string      `json:"catalog_visibility,omitempty"`
	DateModifiedGMT   string      `json:"date_modified_gmt,omitempty"`
}

// Variation is one variation of a variable product.
type Variation struct {
	ID            int64                `json:"id,omitempty"`
	ParentID      int64                `json:"parent_id,omitempty"`
	SKU           string               `json:"sku,omitempty"`
	Status        string               `json:"status,omitempty"`
	RegularPrice  *string              `json:"regular_price,omitempty"`
	SalePrice     *string              `json:"sale_price,omitempty"`
	Description   *string              `json:"description,omitempty"`
	ManageStock   *bool                `json:"manage_stock,omitempty"`
	StockQuantity *int64               `json:"stock_quantity,omitempty"`
	StockStatus   string               `json:"stock_status,omitempty"`
	Weight        *string              `json:"weight,omitempty"`
	Dimensions    *Dimensions          `json:"dimensions,omitempty"`
	Image         *Image               `json:"image,omitempty"`
	Attributes    []VariationAttribute `json:"attributes,omitempty"`
	MetaData      []Meta               `json:"meta_data,omitempty"`
}

// Dimensions are strings in the store's units.
type Dimensions struct {
	Length string `json:"length"`
	Width  string `json:"width"`
	Height string `json:"height"`
}

// Ref points at a term (category, brand, tag) by id.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name,omitempty"`
}

// Image is a picture in the media library: by id once uploaded, or by src
// to make WooCommerce download it.
type Image struct {
	ID   int64  `json:"id,omitempty"`
	Src  string `json:"src,omitempty"`
	Name string `json:"name,omitempty"`
	Alt  string `json:"alt,omitempty"`
}

// Attribute is a product-level attribute; for variable products its options
// list every value the variations may take.
type Attribute struct {
	ID        int64    `json:"id,omitempty"`
	Name      string   `json:"name"`
	Position  int      `json:"position"`
	Visible   bool     `json:"visible"`
	Variation bool     `json:"variation"`
	Options   []string `json:"options"`
}

// VariationAttribute is the value one variation takes for one attribute.
type VariationAttribute struct {
	ID     int64  `json:"id,omitempty"`
	Name   string `json:"name"`
	Option string `json:"option"`
}

// Meta is one meta data entry; storesync keeps the Lightspeed ids there.
type Meta struct {
	ID    int64  `json:"id,omitempty"`
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// Category is a product category term.
type Category struct {
	ID     int64  `json:"id,omitempty"`
	Name   string `json:"name"`
	Slug   string `json:"slug,omitempty"`
	Parent int64  `json:"parent"`
}

// Brand is a product brand term.
type Brand struct {
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name"`
	Slug string `json:"slug,omitempty"`
}

// Batch is one call to a batch endpoint: at most 100 operations in all.
type Batch[T any] struct {
	Create []T     `json:"create,omitempty"`
	Update []T     `json:"update,omitempty"`
	Delete []int64 `json:"delete,omitempty"`
}

// Len is the number of operations in the batch.
func (b Batch[T]) Len() int { return len(b.Create) + len(b.Update) + len(b.Delete) }

// BatchResult holds the answer to each operation of a batch, in the order
// of the request. WooCommerce answers 200 even when some operations fail.
type BatchResult[T any] struct {
	Create []Result[T]
	Update []Result[T]
	Delete []Result[T]
}

// Result is the outcome of one batch operation: a value or an error.
type Result[T any] struct {
	Value T
	Err   *Error
}

// Error is a WooCommerce error body: {"code","message","data":{"status"}}.
// ResourceID names the owner of a duplicate SKU.
type Error struct {
	Code       string
	Message    string
	Status     int
	ResourceID int64
}

// Error formats the status, code and message.
func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("woocommerce %d %s: %s", e.Status, e.Code, e.Message)
	}
	return fmt.Sprintf("woocommerce %s: %s", e.Code, e.Message)
}
