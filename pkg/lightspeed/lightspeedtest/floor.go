package lightspeedtest

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors of the shop-floor methods.
var (
	// ErrNoItem means the item ID is unknown.
	ErrNoItem = errors.New("lightspeedtest: no such item")
	// ErrNoMatrix means the matrix ID is unknown.
	ErrNoMatrix = errors.New("lightspeedtest: no such matrix")
	// ErrNoShop means the shop ID is unknown.
	ErrNoShop = errors.New("lightspeedtest: no such shop")
	// ErrArchived means the item is archived and cannot be sold.
	ErrArchived = errors.New("lightspeedtest: item archived")
	// ErrNoImage means the image ID is unknown.
	ErrNoImage = errors.New("lightspeedtest: no such image")
)

// item looks up an item. The caller holds s.mu.
func (s *Server) item(id int64) (*itemRec, error) {
	it := s.items[id]
	if it == nil {
		return nil, fmt.Errorf("find item %d: %w", id, ErrNoItem)
	}
	s.ensureStock(it)
	return it, nil
}

// touchStock moves the timeStamp of a shop's row and of the total row.
func touchStock(it *itemRec, shopID int64, now time.Time) {
	it.stock[shopID].stamp = now
	it.stock[0].stamp = now
}

// Sell records a sale of qty units in a shop. The quantity on hand may go
// negative. Only the ItemShop timeStamps move, never Item.timeStamp.
func (s *Server) Sell(itemID, shopID, qty int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, err := s.item(itemID)
	if err != nil {
		return err
	}
	if it.archived {
		return fmt.Errorf("sell item %d: %w", itemID, ErrArchived)
	}
	if shopID == 0 || it.stock[shopID] == nil {
		return fmt.Errorf("sell item %d in shop %d: %w", itemID, shopID,
			ErrNoShop)
	}
	it.stock[shopID].qoh -= qty
	touchStock(it, shopID, s.stamp())
	return nil
}

// SetStock sets the quantity on hand in a shop, as a stock count does.
// Only the ItemShop timeStamps move.
func (s *Server) SetStock(itemID, shopID, qoh int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, err := s.item(itemID)
	if err != nil {
		return err
	}
	if shopID == 0 || it.stock[shopID] == nil {
		return fmt.Errorf("count item %d in shop %d: %w", itemID, shopID,
			ErrNoShop)
	}
	it.stock[shopID].qoh = qoh
	touchStock(it, shopID, s.stamp())
	return nil
}

// SetPrice sets the amount of a price level ("Default", "MSRP", "Online"
// or a new level). It moves Item.timeStamp.
func (s *Server) SetPrice(itemID int64, level, amount string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, err := s.item(itemID)
	if err != nil {
		return err
	}
	s.priceLevel(level)
	for k := range it.prices {
		if k != level && strings.EqualFold(k, level) {
			delete(it.prices, k)
		}
	}
	it.prices[level] = amount
	it.stamp = s.stamp()
	return nil
}

// SetDescription renames an item. It moves Item.timeStamp.
func (s *Server) SetDescription(itemID int64, description string) error {
	return s.editItem(itemID, func(it *itemRec) {
		it.description = description
	})
}

// Tag adds a tag to an item. It moves Item.timeStamp.
func (s *Server) Tag(itemID int64, tag string) error {
	s.mu.Lock()
	name := s.tagName(tag)
	s.mu.Unlock()
	return s.editItem(itemID, func(it *itemRec) {
		it.tags = addTag(it.tags, name)
	})
}

// Untag removes a tag from an item. It moves Item.timeStamp.
func (s *Server) Untag(itemID int64, tag string) error {
	name := normTag(tag)
	return s.editItem(itemID, func(it *itemRec) {
		it.tags = removeTag(it.tags, name)
	})
}

// Archive archives an item, as a DELETE does: it moves Item.timeStamp and
// zeroes the stock in every shop, which moves the ItemShop rows too.
func (s *Server) Archive(itemID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, err := s.item(itemID)
	if err != nil {
		return err
	}
	s.archive(it, s.stamp())
	return nil
}

func (s *Server) archive(it *itemRec, now time.Time) {
	it.archived = true
	it.stamp = now
	for shopID, row := range it.stock {
		if shopID != 0 && row.qoh != 0 {
			row.qoh = 0
			touchStock(it, shopID, now)
		}
	}
}

// Unarchive brings an archived item back, with no stock. It moves
// Item.timeStamp.
func (s *Server) Unarchive(itemID int64) error {
	return s.editItem(itemID, func(it *itemRec) { it.archived = false })
}

// editItem applies an edit to an item and moves its timeStamp.
func (s *Server) editItem(itemID int64, edit func(*itemRec)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, err := s.item(itemID)
	if err != nil {
		return err
	}
	edit(it)
	it.stamp = s.stamp()
	return nil
}

// TagMatrix adds a tag to a matrix. It moves ItemMatrix.timeStamp only;
// the variants keep their own tags.
func (s *Server) TagMatrix(matrixID int64, tag string) error {
	return s.editMatrix(matrixID, func(m *matrixRec) {
		m.tags = addTag(m.tags, s.tagName(tag))
	})
}

// UntagMatrix removes a tag from a matrix. It moves ItemMatrix.timeStamp.
func (s *Server) UntagMatrix(matrixID int64, tag string) error {
	return s.editMatrix(matrixID, func(m *matrixRec) {
		m.tags = removeTag(m.tags, normTag(tag))
	})
}

// ArchiveMatrix archives a matrix and every variant of it.
func (s *Server) ArchiveMatrix(matrixID int64) error {
	return s.editMatrix(matrixID, func(m *matrixRec) {
		m.archived = true
		for _, v := range s.variants(matrixID) {
			s.archive(v, m.stamp)
		}
	})
}

func (s *Server) editMatrix(matrixID int64, edit func(*matrixRec)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.matrices[matrixID]
	if m == nil {
		return fmt.Errorf("find matrix %d: %w", matrixID, ErrNoMatrix)
	}
	m.stamp = s.stamp()
	edit(m)
	return nil
}

// AddVariant adds a new item to a matrix and returns its ID; it.ItemID 0
// takes the next free ID. The matrix's timeStamp does not move.
func (s *Server) AddVariant(matrixID int64, it Item) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.matrices[matrixID]
	if m == nil {
		return 0, fmt.Errorf("add variant to matrix %d: %w", matrixID,
			ErrNoMatrix)
	}
	if it.ItemID != 0 && s.items[it.ItemID] != nil {
		return 0, fmt.Errorf("add variant %d: item id taken", it.ItemID)
	}
	it.ItemMatrixID = matrixID
	if it.CategoryID == 0 {
		it.CategoryID = m.categoryID
	}
	if it.ManufacturerID == 0 {
		it.ManufacturerID = m.manufacturerID
	}
	if len(it.Prices) == 0 && m.defaultPrice != "" {
		it.Prices = map[string]string{"Default": m.defaultPrice}
	}
	rec := s.addItem(it, s.stamp())
	return rec.id, nil
}

// AddItem adds a standalone item (or a variant, when ItemMatrixID is set)
// and returns its ID; it.ItemID 0 takes the next free ID.
func (s *Server) AddItem(it Item) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it.ItemID != 0 && s.items[it.ItemID] != nil {
		return 0, fmt.Errorf("add item %d: item id taken", it.ItemID)
	}
	return s.addItem(it, s.stamp()).id, nil
}

// ItemIDBySKU finds an item by its custom SKU.
func (s *Server) ItemIDBySKU(customSKU string) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range sortedIDs(s.items) {
		if s.items[id].customSKU == customSKU {
			return id, true
		}
	}
	return 0, false
}

// ItemState is a snapshot of one item, for assertions.
type ItemState struct {
	Item                            // the fields as seeded, updated
	SystemSKU       string          // the generated system SKU
	TimeStamp       time.Time       // Item.timeStamp
	Sellable        map[int64]int64 // by shop, 0 = all shops
	StockTimeStamps map[int64]time.Time
}

// Item returns the current state of an item.
func (s *Server) Item(id int64) (ItemState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.items[id]
	if it == nil {
		return ItemState{}, false
	}
	return s.snapshot(it), true
}

// Items returns the current state of every item, in ID order.
func (s *Server) Items() []ItemState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ItemState
	for _, id := range sortedIDs(s.items) {
		out = append(out, s.snapshot(s.items[id]))
	}
	return out
}

func (s *Server) snapshot(it *itemRec) ItemState {
	s.ensureStock(it)
	st := ItemState{
		Item: Item{ItemID: it.id, ItemMatrixID: it.matrixID,
			Description: it.description, CustomSKU: it.customSKU,
			ManufacturerSKU: it.manufacturerSKU, UPC: it.upc,
			CategoryID: it.categoryID, ManufacturerID: it.manufacturerID,
			Prices: map[string]string{}, Stock: map[int64]int64{},
			LongDescription: it.long, ShortDescription: it.short,
			Weight: it.weight, Length: it.length, Width: it.width,
			Height:     it.height,
			Attributes: append([]string(nil), it.attrs...),
			Tags:       append([]string(nil), it.tags...),
			Archived:   it.archived},
		SystemSKU: it.systemSKU, TimeStamp: it.stamp,
		Sellable: map[int64]int64{}, StockTimeStamps: map[int64]time.Time{},
	}
	for k, v := range it.prices {
		st.Prices[k] = v
	}
	for shopID, row := range it.stock {
		st.StockTimeStamps[shopID] = row.stamp
		if shopID == 0 {
			continue
		}
		st.Stock[shopID] = row.qoh
		st.Sellable[shopID] = max(row.qoh, 0)
	}
	_, st.Sellable[0] = it.totals()
	for _, im := range it.images {
		st.Images = append(st.Images,
			SeedImage{Filename: im.filename, Description: im.description})
	}
	return st
}

func removeTag(tags []string, name string) []string {
	var out []string
	for _, t := range tags {
		if t != name {
			out = append(out, t)
		}
	}
	return out
}

// SetImageDescription edits an image's description, as a PUT of the Image
// does. It moves Image.timeStamp only: the picture, its publicID and the
// timeStamp of the item or matrix it belongs to stay as they were.
func (s *Server) SetImageDescription(imageID int64, description string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.findImage(imageID)
	if o == nil {
		return fmt.Errorf("find image %d: %w", imageID, ErrNoImage)
	}
	im := o.(*imageRec)
	im.description = description
	im.stamp = s.stamp()
	return nil
}

// RenameCategory renames a category. It moves the category's timeStamp and
// no item's: the items only point at it.
func (s *Server) RenameCategory(categoryID int64, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.categories[categoryID]
	if !ok {
		return fmt.Errorf("no category %d", categoryID)
	}
	c.name = name
	c.stamp = s.stamp()
	return nil
}

// DeleteImage removes an image, as the documented DELETE of an Image does.
// No timeStamp moves: the image is gone from every read, and nothing else
// changed.
func (s *Server) DeleteImage(imageID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	drop := func(list []*imageRec) ([]*imageRec, bool) {
		for i, im := range list {
			if im.id == imageID {
				return append(list[:i:i], list[i+1:]...), true
			}
		}
		return list, false
	}
	for _, it := range s.items {
		var ok bool
		if it.images, ok = drop(it.images); ok {
			return nil
		}
	}
	for _, m := range s.matrices {
		var ok bool
		if m.images, ok = drop(m.images); ok {
			return nil
		}
	}
	return fmt.Errorf("find image %d: %w", imageID, ErrNoImage)
}
