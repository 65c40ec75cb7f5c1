package lightspeedtest

import "time"

// Catalog is the starting content of an emulated account. The emulator
// copies it; IDs must be unique per kind and greater than zero, and
// timestamps are set by the emulator's clock when seeded, unless an item
// brings its own.
type Catalog struct {
	Shops         []Shop
	Categories    []Category
	Manufacturers []Manufacturer
	AttributeSets []AttributeSet
	Tags          []string // tag names, also created on demand by items
	Matrices      []Matrix
	Items         []Item
}

// Shop is a location.
type Shop struct {
	ShopID int64
	Name   string
}

// Category is a node of the category tree; ParentID 0 is the root.
type Category struct {
	CategoryID int64
	ParentID   int64
	Name       string
}

// Manufacturer is a brand.
type Manufacturer struct {
	ManufacturerID int64
	Name           string
}

// AttributeSet names up to three attributes, such as Color and Size.
type AttributeSet struct {
	ItemAttributeSetID int64
	Name               string
	AttributeNames     []string
}

// Matrix is the parent of variant items.
type Matrix struct {
	ItemMatrixID       int64
	Description        string
	ItemAttributeSetID int64
	CategoryID         int64
	ManufacturerID     int64
	DefaultPrice       string
	LongDescription    string
	ShortDescription   string
	Tags               []string
	Images             []SeedImage
}

// Item is one sellable SKU; ItemMatrixID links a variant to its matrix and
// Attributes holds its values, in the attribute set's order.
type Item struct {
	ItemID           int64
	ItemMatrixID     int64
	Description      string
	CustomSKU        string
	ManufacturerSKU  string
	UPC              string
	CategoryID       int64
	ManufacturerID   int64
	Prices           map[string]string // price level name to amount: "Default", "MSRP", "Online"
	Stock            map[int64]int64   // shopID to quantity on hand; may be negative
	LongDescription  string
	ShortDescription string
	Weight           string
	Length           string
	Width            string
	Height           string
	Attributes       []string
	Tags             []string
	Images           []SeedImage
	Archived         bool

	// TimeStamp, when not zero, is the item's creation and change time,
	// and its stock rows', instead of the seed time.
	TimeStamp time.Time
}

// SeedImage is an image to attach; the emulator assigns IDs, public IDs and
// serves the bytes under /images/.
type SeedImage struct {
	Filename    string
	Description string
}
