package lightspeed

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// The raw types mirror the JSON of the API. They are decoded with the
// lenient flex types and then turned into the exported normalised types.

type rawPrice struct {
	Amount    flexString `json:"amount"`
	UseTypeID flexInt    `json:"useTypeID"`
	UseType   flexString `json:"useType"`
}

type rawPrices struct {
	ItemPrice many[rawPrice] `json:"ItemPrice"`
}

type rawItemShop struct {
	ItemShopID flexInt  `json:"itemShopID"`
	ItemID     flexInt  `json:"itemID"`
	ShopID     flexInt  `json:"shopID"`
	QOH        flexInt  `json:"qoh"`
	Sellable   flexInt  `json:"sellable"`
	TimeStamp  flexTime `json:"timeStamp"`
}

type rawItemShops struct {
	ItemShop many[rawItemShop] `json:"ItemShop"`
}

type rawImage struct {
	ImageID      flexInt    `json:"imageID"`
	ItemID       flexInt    `json:"itemID"`
	ItemMatrixID flexInt    `json:"itemMatrixID"`
	Description  flexString `json:"description"`
	Filename     flexString `json:"filename"`
	PublicID     flexString `json:"publicID"`
	BaseImageURL flexString `json:"baseImageURL"`
	Ordering     flexInt    `json:"ordering"`
	TimeStamp    flexTime   `json:"timeStamp"`
}

type rawImages struct {
	Image many[rawImage] `json:"Image"`
}

type rawTag struct {
	TagID flexInt    `json:"tagID"`
	Name  flexString `json:"name"`
}

type rawTagRelation struct {
	TagID flexInt     `json:"tagID"`
	Tag   one[rawTag] `json:"Tag"`
}

type rawTagRelations struct {
	TagRelation many[rawTagRelation] `json:"TagRelation"`
}

// legacyTag is one entry of the older Tags relation: a bare name or an
// object with a name.
type legacyTag string

// UnmarshalJSON implements json.Unmarshaler.
func (t *legacyTag) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var v rawTag
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*t = legacyTag(v.Name)
		return nil
	}
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	*t = legacyTag(s)
	return nil
}

type rawLegacyTags struct {
	Tag many[legacyTag] `json:"tag"`
}

type rawCategory struct {
	CategoryID   flexInt    `json:"categoryID"`
	ParentID     flexInt    `json:"parentID"`
	Name         flexString `json:"name"`
	FullPathName flexString `json:"fullPathName"`
	TimeStamp    flexTime   `json:"timeStamp"`
}

type rawManufacturer struct {
	ManufacturerID flexInt    `json:"manufacturerID"`
	Name           flexString `json:"name"`
	TimeStamp      flexTime   `json:"timeStamp"`
}

type rawAttributeSet struct {
	ItemAttributeSetID flexInt    `json:"itemAttributeSetID"`
	Name               flexString `json:"name"`
	AttributeName1     flexString `json:"attributeName1"`
	AttributeName2     flexString `json:"attributeName2"`
	AttributeName3     flexString `json:"attributeName3"`
}

type rawAttributes struct {
	Attribute1         flexString           `json:"attribute1"`
	Attribute2         flexString           `json:"attribute2"`
	Attribute3         flexString           `json:"attribute3"`
	ItemAttributeSetID flexInt              `json:"itemAttributeSetID"`
	ItemAttributeSet   one[rawAttributeSet] `json:"ItemAttributeSet"`
}

type ecommerceFields struct {
	LongDescription  flexString `json:"longDescription"`
	ShortDescription flexString `json:"shortDescription"`
	Weight           flexString `json:"weight"`
	Width            flexString `json:"width"`
	Height           flexString `json:"height"`
	Length           flexString `json:"length"`
	ListOnStore      flexBool   `json:"listOnStore"`
}

// rawECommerce is the ItemECommerce relation, sent either flat or wrapped
// once more in an ItemECommerce key.
type rawECommerce struct {
	fields ecommerceFields
	set    bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (e *rawECommerce) UnmarshalJSON(b []byte) error {
	*e = rawECommerce{}
	var o one[map[string]json.RawMessage]
	if err := o.UnmarshalJSON(b); err != nil || !o.Set {
		return err
	}
	if inner, ok := o.V["ItemECommerce"]; ok {
		return e.UnmarshalJSON(inner)
	}
	var list many[ecommerceFields]
	if err := list.UnmarshalJSON(b); err != nil {
		return err
	}
	if len(list) > 0 {
		e.fields, e.set = list[0], true
	}
	return nil
}

type rawItem struct {
	ItemID          flexInt              `json:"itemID"`
	ItemMatrixID    flexInt              `json:"itemMatrixID"`
	CategoryID      flexInt              `json:"categoryID"`
	ManufacturerID  flexInt              `json:"manufacturerID"`
	SystemSKU       flexString           `json:"systemSku"`
	CustomSKU       flexString           `json:"customSku"`
	ManufacturerSKU flexString           `json:"manufacturerSku"`
	UPC             flexString           `json:"upc"`
	EAN             flexString           `json:"ean"`
	Description     flexString           `json:"description"`
	Archived        flexBool             `json:"archived"`
	PublishToEcom   flexBool             `json:"publishToEcom"`
	TimeStamp       flexTime             `json:"timeStamp"`
	Prices          one[rawPrices]       `json:"Prices"`
	ItemShops       one[rawItemShops]    `json:"ItemShops"`
	ECommerce       rawECommerce         `json:"ItemECommerce"`
	Attributes      one[rawAttributes]   `json:"ItemAttributes"`
	Images          one[rawImages]       `json:"Images"`
	TagRelations    one[rawTagRelations] `json:"TagRelations"`
	Tags            one[rawLegacyTags]   `json:"Tags"`
	Category        one[rawCategory]     `json:"Category"`
	Manufacturer    one[rawManufacturer] `json:"Manufacturer"`
}

type rawMatrixItems struct {
	Item many[rawItem] `json:"Item"`
}

type rawMatrix struct {
	ItemMatrixID       flexInt              `json:"itemMatrixID"`
	CategoryID         flexInt              `json:"categoryID"`
	ManufacturerID     flexInt              `json:"manufacturerID"`
	ItemAttributeSetID flexInt              `json:"itemAttributeSetID"`
	Description        flexString           `json:"description"`
	Archived           flexBool             `json:"archived"`
	TimeStamp          flexTime             `json:"timeStamp"`
	Prices             one[rawPrices]       `json:"Prices"`
	AttributeSet       one[rawAttributeSet] `json:"ItemAttributeSet"`
	ECommerce          rawECommerce         `json:"ItemECommerce"`
	Images             one[rawImages]       `json:"Images"`
	TagRelations       one[rawTagRelations] `json:"TagRelations"`
	Tags               one[rawLegacyTags]   `json:"Tags"`
	Attribute1Values   many[flexString]     `json:"attribute1Values"`
	Attribute2Values   many[flexString]     `json:"attribute2Values"`
	Attribute3Values   many[flexString]     `json:"attribute3Values"`
	Items              one[rawMatrixItems]  `json:"Items"`
	Category           one[rawCategory]     `json:"Category"`
	Manufacturer       one[rawManufacturer] `json:"Manufacturer"`
}

type rawShop struct {
	ShopID   flexInt    `json:"shopID"`
	Name     flexString `json:"name"`
	TimeZone flexString `json:"timeZone"`
	Archived flexBool   `json:"archived"`
}

type rawAccount struct {
	AccountID flexInt    `json:"accountID"`
	Name      flexString `json:"name"`
}

func (r rawItem) normal() Item {
	it := Item{
		ItemID:          int64(r.ItemID),
		ItemMatrixID:    int64(r.ItemMatrixID),
		CategoryID:      int64(r.CategoryID),
		ManufacturerID:  int64(r.ManufacturerID),
		SystemSKU:       string(r.SystemSKU),
		CustomSKU:       string(r.CustomSKU),
		ManufacturerSKU: string(r.ManufacturerSKU),
		UPC:             string(r.UPC),
		EAN:             string(r.EAN),
		Description:     string(r.Description),
		Archived:        bool(r.Archived),
		PublishToEcom:   bool(r.PublishToEcom),
		TimeStamp:       timeOf(r.TimeStamp),
		Prices:          r.Prices.V.normal(),
		ECommerce:       r.ECommerce.normal(),
		Images:          normalImages(r.Images.V.Image),
		Tags:            tagNames(r.TagRelations.V, r.Tags.V),
		Category:        categoryPtr(r.Category),
		Manufacturer:    manufacturerPtr(r.Manufacturer),
	}
	for _, s := range r.ItemShops.V.ItemShop {
		it.ItemShops = append(it.ItemShops, s.normal())
	}
	if r.Attributes.Set {
		a := r.Attributes.V
		it.Attributes = &ItemAttributes{
			Attribute1:         string(a.Attribute1),
			Attribute2:         string(a.Attribute2),
			Attribute3:         string(a.Attribute3),
			ItemAttributeSetID: int64(a.ItemAttributeSetID),
		}
	}
	return it
}

func (r rawMatrix) normal() Matrix {
	m := Matrix{
		ItemMatrixID:       int64(r.ItemMatrixID),
		CategoryID:         int64(r.CategoryID),
		ManufacturerID:     int64(r.ManufacturerID),
		ItemAttributeSetID: int64(r.ItemAttributeSetID),
		Description:        string(r.Description),
		Archived:           bool(r.Archived),
		TimeStamp:          timeOf(r.TimeStamp),
		Prices:             r.Prices.V.normal(),
		ECommerce:          r.ECommerce.normal(),
		Images:             normalImages(r.Images.V.Image),
		Tags:               tagNames(r.TagRelations.V, r.Tags.V),
		Attribute1Values:   strs(r.Attribute1Values),
		Attribute2Values:   strs(r.Attribute2Values),
		Attribute3Values:   strs(r.Attribute3Values),
		Category:           categoryPtr(r.Category),
		Manufacturer:       manufacturerPtr(r.Manufacturer),
	}
	if r.AttributeSet.Set {
		set := r.AttributeSet.V.normal()
		m.AttributeSet = &set
	}
	for _, it := range r.Items.V.Item {
		m.Items = append(m.Items, it.normal())
	}
	return m
}

func (r rawPrices) normal() []ItemPrice {
	var out []ItemPrice
	for _, p := range r.ItemPrice {
		out = append(out, ItemPrice{
			Amount:    string(p.Amount),
			UseTypeID: int64(p.UseTypeID),
			UseType:   string(p.UseType),
		})
	}
	return out
}

func (r rawItemShop) normal() ItemShop {
	return ItemShop{
		ItemShopID: int64(r.ItemShopID),
		ItemID:     int64(r.ItemID),
		ShopID:     int64(r.ShopID),
		QOH:        int64(r.QOH),
		Sellable:   int64(r.Sellable),
		TimeStamp:  timeOf(r.TimeStamp),
	}
}

func (r rawImage) normal() Image {
	return Image{
		ImageID:      int64(r.ImageID),
		ItemID:       int64(r.ItemID),
		ItemMatrixID: int64(r.ItemMatrixID),
		Description:  string(r.Description),
		Filename:     string(r.Filename),
		PublicID:     string(r.PublicID),
		BaseImageURL: string(r.BaseImageURL),
		Ordering:     int(r.Ordering),
		TimeStamp:    timeOf(r.TimeStamp),
	}
}

func normalImages(list many[rawImage]) []Image {
	var out []Image
	for _, im := range list {
		out = append(out, im.normal())
	}
	return out
}

func (r rawCategory) normal() Category {
	return Category{
		CategoryID:   int64(r.CategoryID),
		ParentID:     int64(r.ParentID),
		Name:         string(r.Name),
		FullPathName: string(r.FullPathName),
		TimeStamp:    timeOf(r.TimeStamp),
	}
}

func (r rawManufacturer) normal() Manufacturer {
	return Manufacturer{
		ManufacturerID: int64(r.ManufacturerID),
		Name:           string(r.Name),
		TimeStamp:      timeOf(r.TimeStamp),
	}
}

func (r rawAttributeSet) normal() AttributeSet {
	return AttributeSet{
		ItemAttributeSetID: int64(r.ItemAttributeSetID),
		Name:               string(r.Name),
		AttributeName1:     string(r.AttributeName1),
		AttributeName2:     string(r.AttributeName2),
		AttributeName3:     string(r.AttributeName3),
	}
}

func (r rawTag) normal() Tag {
	return Tag{TagID: int64(r.TagID), Name: string(r.Name)}
}

func (r rawShop) normal() Shop {
	return Shop{
		ShopID:   int64(r.ShopID),
		Name:     string(r.Name),
		TimeZone: string(r.TimeZone),
		Archived: bool(r.Archived),
	}
}

func categoryPtr(o one[rawCategory]) *Category {
	if !o.Set {
		return nil
	}
	c := o.V.normal()
	return &c
}

func manufacturerPtr(o one[rawManufacturer]) *Manufacturer {
	if !o.Set {
		return nil
	}
	m := o.V.normal()
	return &m
}

func timeOf(t flexTime) time.Time {
	return time.Time(t)
}

func (e rawECommerce) normal() *ECommerce {
	if !e.set {
		return nil
	}
	f := e.fields
	return &ECommerce{
		LongDescription:  string(f.LongDescription),
		ShortDescription: string(f.ShortDescription),
		Weight:           string(f.Weight),
		Width:            string(f.Width),
		Height:           string(f.Height),
		Length:           string(f.Length),
		ListOnStore:      bool(f.ListOnStore),
	}
}

// tagNames merges both tag relations into lower-case names, without
// duplicates, in the order sent.
func tagNames(rels rawTagRelations, legacy rawLegacyTags) []string {
	var out []string
	seen := map[string]bool{}
	add := func(name string) {
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, r := range rels.TagRelation {
		add(string(r.Tag.V.Name))
	}
	for _, t := range legacy.Tag {
		add(string(t))
	}
	return out
}

func strs(list many[flexString]) []string {
	var out []string
	for _, s := range list {
		if s != "" {
			out = append(out, string(s))
		}
	}
	return out
}
