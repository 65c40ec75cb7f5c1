package lightspeed

import (
	"context"
	"fmt"
	"time"
)

// Token is an OAuth access token with the refresh token that renews it.
type Token struct {
	Access  string
	Refresh string
	Expiry  time.Time
}

// TokenStore keeps the token pair between runs. Lightspeed rotates the
// refresh token on every refresh, so the store must save the new pair before
// anyone uses it and must let only one process refresh at a time.
type TokenStore interface {
	// Token returns the current pair.
	Token(ctx context.Context) (Token, error)

	// Refresh renews the pair. Under a lock shared by every process, it
	// re-reads the stored pair; when the stored access token differs from
	// stale another process refreshed already and the stored pair is
	// returned. Otherwise it calls fn, saves what fn returns and returns it.
	Refresh(ctx context.Context, stale Token, fn func(Token) (Token, error)) (Token, error)
}

// Pacer is asked before every request; it blocks until the caller's own
// budget allows one more request to endpoint, or returns an error to stop.
type Pacer interface {
	Wait(ctx context.Context, endpoint string) error
}

// RequestInfo describes one HTTP exchange, for accounting.
type RequestInfo struct {
	Method      string
	Endpoint    string // entity name, such as "Item" or "ItemShop"
	Status      int
	Cost        float64
	BucketLevel float64
	BucketSize  float64
	DripRate    float64
	Duration    time.Duration
}

// Query selects and shapes a list read.
type Query struct {
	Filters   []Filter
	Relations []string
	Sort      string // such as "timeStamp", "itemID" or "-timeStamp"
	Limit     int    // 1 to 100; 100 when zero
	Archived  string // "" for active only, "true" for all, "only"
}

// Filter is one field condition, sent as field=OP,value.
type Filter struct {
	Field string
	Op    string // "=", "!=", ">", ">=", "<", "<=", "~", "IN"
	Value string
}

// Since matches records whose field is at or after t. The time is sent in
// UTC with an explicit +00:00 offset, the form the API documents.
func Since(field string, t time.Time) Filter {
	return Filter{Field: field, Op: ">=", Value: t.UTC().Format(apiTimeLayout)}
}

// apiTimeLayout is how the API writes timestamps, such as
// 2021-03-30T19:38:07+00:00.
const apiTimeLayout = "2006-01-02T15:04:05-07:00"

// In matches records whose field is one of ids (at most 100).
func In(field string, ids ...int64) Filter {
	v := "["
	for i, id := range ids {
		if i > 0 {
			v += ","
		}
		v += fmt.Sprint(id)
	}
	return Filter{Field: field, Op: "IN", Value: v + "]"}
}

// Item is a normalised Lightspeed Item: one sellable SKU.
type Item struct {
	ItemID          int64
	ItemMatrixID    int64
	CategoryID      int64
	ManufacturerID  int64
	SystemSKU       string
	CustomSKU       string
	ManufacturerSKU string
	UPC             string
	EAN             string
	Description     string
	Archived        bool
	PublishToEcom   bool
	TimeStamp       time.Time
	Prices          []ItemPrice
	ItemShops       []ItemShop
	ECommerce       *ECommerce
	Attributes      *ItemAttributes
	Images          []Image
	Tags            []string
	Category        *Category
	Manufacturer    *Manufacturer
}

// ItemPrice is the amount of one price level.
type ItemPrice struct {
	Amount    string // decimal as Lightspeed sent it, such as "19.99"
	UseTypeID int64
	UseType   string // "Default", "MSRP", "Online", ...
}

// ItemShop is the stock of one item in one location. ShopID 0 is the
// all-locations total.
type ItemShop struct {
	ItemShopID int64
	ItemID     int64
	ShopID     int64
	QOH        int64
	Sellable   int64
	TimeStamp  time.Time
}

// ECommerce holds the web copy and shipping data of an item or matrix.
type ECommerce struct {
	LongDescription  string
	ShortDescription string
	Weight           string
	Width            string
	Height           string
	Length           string
	ListOnStore      bool
}

// ItemAttributes are the variant values of an item in a matrix.
type ItemAttributes struct {
	Attribute1         string
	Attribute2         string
	Attribute3         string
	ItemAttributeSetID int64
}

// Matrix is a normalised ItemMatrix: the parent of variant items.
type Matrix struct {
	ItemMatrixID       int64
	CategoryID         int64
	ManufacturerID     int64
	ItemAttributeSetID int64
	Description        string
	Archived           bool
	TimeStamp          time.Time
	Prices             []ItemPrice
	AttributeSet       *AttributeSet
	ECommerce          *ECommerce
	Images             []Image
	Tags               []string
	Attribute1Values   []string
	Attribute2Values   []string
	Attribute3Values   []string
	Category           *Category
	Manufacturer       *Manufacturer
	Items              []Item // the variants, when the Items relation is loaded
}

// AttributeSet names the attributes of a matrix, such as Color and Size.
type AttributeSet struct {
	ItemAttributeSetID int64
	Name               string
	AttributeName1     string
	AttributeName2     string
	AttributeName3     string
}

// Category is a node of the retailer's category tree.
type Category struct {
	CategoryID   int64
	ParentID     int64
	Name         string
	FullPathName string
	TimeStamp    time.Time
}

// Manufacturer is a brand.
type Manufacturer struct {
	ManufacturerID int64
	Name           string
	TimeStamp      time.Time
}

// Image is a picture of an item or a matrix.
type Image struct {
	ImageID      int64
	ItemID       int64
	ItemMatrixID int64
	Description  string
	Filename     string
	PublicID     string
	BaseImageURL string
	Ordering     int
	TimeStamp    time.Time
}

// URL is where the full-size image can be downloaded once.
func (i Image) URL() string {
	ext := ".jpg"
	for j := len(i.Filename) - 1; j >= 0; j-- {
		if i.Filename[j] == '.' {
			ext = i.Filename[j:]
			break
		}
	}
	return i.BaseImageURL + i.PublicID + ext
}

// Tag is a retailer-defined label.
type Tag struct {
	TagID int64
	Name  string
}

// Shop is a location: a physical store with its own stock.
type Shop struct {
	ShopID   int64
	Name     string
	TimeZone string
	Archived bool
}

// Account is the Lightspeed account bound to the token.
type Account struct {
	AccountID int64
	Name      string
}
