package lightspeedtest

import (
	"sort"
	"strings"
	"time"
)

// record is one rendered API object. A to-many relation is kept as a
// []record and a to-one as a record until the answer is written, so
// filters can look inside them.
type record map[string]any

// relSet holds the relation paths to load, such as "TagRelations.Tag".
type relSet map[string]bool

// entity describes one list endpoint.
type entity struct {
	name       string
	idField    string
	sorts      []string
	archivable bool
	rels       map[string]bool // loadable relation paths: true = to-many
	rows       func(s *Server) []any
	find       func(s *Server, id int64) any
	render     func(s *Server, obj any, rels relSet) record
}

var itemRels = map[string]bool{
	"Category": false, "TaxClass": false, "ItemAttributes": false,
	"ItemAttributes.ItemAttributeSet": false, "Manufacturer": false,
	"Note": false, "Images": true, "ItemShops": true,
	"ItemVendorNums": true, "ItemComponents": true, "ItemECommerce": false,
	"TagRelations": true, "TagRelations.Tag": false, "Tags": true,
	"CustomFieldValues": true, "CustomFieldValues.value": false,
	"ItemPrices": true,
}

var matrixRels = map[string]bool{
	"Category": false, "TaxClass": false, "ItemAttributeSet": false,
	"Manufacturer": false, "Images": true, "Items": true,
	"ItemECommerce": false, "TagRelations": true, "TagRelations.Tag": false,
	"Tags": true, "CustomFieldValues": true,
	"CustomFieldValues.value": false,
}

// entities are the list endpoints by name.
var entities = map[string]*entity{
	"Item": {name: "Item", idField: "itemID", archivable: true,
		sorts: []string{"itemID", "timeStamp", "description"},
		rels:  itemRels,
		rows: func(s *Server) []any {
			return objs(s.items)
		},
		find: func(s *Server, id int64) any { return found(s.items[id]) },
		render: func(s *Server, o any, rels relSet) record {
			return s.renderItem(o.(*itemRec), rels)
		}},
	"ItemMatrix": {name: "ItemMatrix", idField: "itemMatrixID",
		archivable: true,
		sorts:      []string{"itemMatrixID", "timeStamp", "description"},
		rels:       matrixRels,
		rows:       func(s *Server) []any { return objs(s.matrices) },
		find:       func(s *Server, id int64) any { return found(s.matrices[id]) },
		render: func(s *Server, o any, rels relSet) record {
			return s.renderMatrix(o.(*matrixRec), rels)
		}},
	"ItemShop": {name: "ItemShop", idField: "itemShopID",
		sorts: []string{"itemShopID", "timeStamp"},
		rows:  func(s *Server) []any { return s.stockRefs() },
		find:  (*Server).findStock,
		render: func(s *Server, o any, _ relSet) record {
			ref := o.(stockRef)
			return s.renderStock(ref.item, ref.shopID)
		}},
	"Category": {name: "Category", idField: "categoryID",
		sorts: []string{"categoryID", "name", "timeStamp", "parentID"},
		rels:  map[string]bool{"Parent": false},
		rows:  func(s *Server) []any { return objs(s.categories) },
		find:  func(s *Server, id int64) any { return found(s.categories[id]) },
		render: func(s *Server, o any, rels relSet) record {
			return s.renderCategory(o.(*categoryRec), rels)
		}},
	"Manufacturer": {name: "Manufacturer", idField: "manufacturerID",
		sorts: []string{"manufacturerID", "name", "timeStamp"},
		rows:  func(s *Server) []any { return objs(s.manufacturers) },
		find: func(s *Server, id int64) any {
			return found(s.manufacturers[id])
		},
		render: func(s *Server, o any, _ relSet) record {
			return renderManufacturer(o.(*manufacturerRec))
		}},
	"Image": {name: "Image", idField: "imageID",
		sorts: []string{"imageID", "timeStamp", "itemID", "itemMatrixID"},
		rows:  func(s *Server) []any { return s.allImages() },
		find:  (*Server).findImage,
		render: func(s *Server, o any, _ relSet) record {
			return s.renderImage(o.(*imageRec))
		}},
	"Tag": {name: "Tag", idField: "tagID", sorts: []string{"tagID", "name"},
		rows: func(s *Server) []any {
			var out []any
			for _, id := range sortedIDs(s.tagNames) {
				out = append(out, id)
			}
			return out
		},
		find: func(s *Server, id int64) any {
			if _, ok := s.tagNames[id]; ok {
				return id
			}
			return nil
		},
		render: func(s *Server, o any, _ relSet) record {
			return s.renderTag(o.(int64))
		}},
	"ItemAttributeSet": {name: "ItemAttributeSet",
		idField: "itemAttributeSetID",
		sorts:   []string{"itemAttributeSetID", "name"},
		rows:    func(s *Server) []any { return objs(s.attrSets) },
		find:    func(s *Server, id int64) any { return found(s.attrSets[id]) },
		render: func(s *Server, o any, _ relSet) record {
			return renderAttrSet(o.(*attrSetRec))
		}},
	"Shop": {name: "Shop", idField: "shopID",
		sorts: []string{"shopID", "name", "timeStamp"},
		rows:  func(s *Server) []any { return objs(s.shops) },
		find:  func(s *Server, id int64) any { return found(s.shops[id]) },
		render: func(s *Server, o any, _ relSet) record {
			return renderShop(o.(*shopRec))
		}},
}

// objs lists the values of m in ID order.
func objs[V any](m map[int64]V) []any {
	out := make([]any, 0, len(m))
	for _, id := range sortedIDs(m) {
		out = append(out, m[id])
	}
	return out
}

// found turns a nil pointer into a nil interface.
func found[T any](p *T) any {
	if p == nil {
		return nil
	}
	return p
}

// ts writes a timestamp the way the API does: 2021-03-30T19:38:07+00:00.
func ts(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05-07:00")
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (s *Server) renderItem(it *itemRec, rels relSet) record {
	r := record{
		"itemID": itoa(it.id), "systemSku": it.systemSKU,
		"defaultCost": "0", "avgCost": "0", "discountable": "true",
		"tax": "true", "archived": boolStr(it.archived),
		"itemType": "default", "serialized": "false",
		"description": it.description, "modelYear": "0", "upc": it.upc,
		"ean": it.ean, "customSku": it.customSKU,
		"manufacturerSku": it.manufacturerSKU,
		"createTime":      ts(it.created), "timeStamp": ts(it.stamp),
		"publishToEcom": "false", "categoryID": itoa(it.categoryID),
		"taxClassID": "1", "departmentID": "0",
		"itemMatrixID":   itoa(it.matrixID),
		"manufacturerID": itoa(it.manufacturerID), "seasonID": "0",
		"defaultVendorID": "0",
		"Prices":          s.renderPrices(it.prices),
	}
	if rels["Category"] {
		if c := s.categories[it.categoryID]; c != nil {
			r["Category"] = s.renderCategory(c, nil)
		}
	}
	if rels["Manufacturer"] {
		if m := s.manufacturers[it.manufacturerID]; m != nil {
			r["Manufacturer"] = renderManufacturer(m)
		}
	}
	if rels["ItemShops"] {
		s.ensureStock(it)
		var rows []record
		for _, shopID := range append(s.shopIDs(), 0) {
			rows = append(rows, s.renderStock(it, shopID))
		}
		r["ItemShops"] = rows
	}
	if rels["Images"] {
		r["Images"] = s.renderImages(it.images)
	}
	if rels["ItemECommerce"] {
		r["ItemECommerce"] = renderECom(it.id, it.long, it.short, it.weight,
			it.width, it.height, it.length)
	}
	if rels["ItemAttributes"] {
		r["ItemAttributes"] = s.renderAttributes(it, rels)
	}
	s.renderTags(r, it.tags, "itemID", it.id, rels)
	emptyRelations(r, rels, itemRels)
	return r
}

func (s *Server) renderMatrix(m *matrixRec, rels relSet) record {
	price := m.defaultPrice
	if price == "" {
		price = "0"
	}
	r := record{
		"itemMatrixID": itoa(m.id), "description": m.description,
		"tax": "true", "defaultCost": "0", "itemType": "default",
		"serialized": "false", "modelYear": "0",
		"archived": boolStr(m.archived), "timeStamp": ts(m.stamp),
		"itemECommerceID":    itoa(m.id),
		"itemAttributeSetID": itoa(m.attrSetID),
		"manufacturerID":     itoa(m.manufacturerID),
		"categoryID":         itoa(m.categoryID), "defaultVendorID": "0",
		"taxClassID": "1", "seasonID": "0", "departmentID": "0",
		"Prices": s.renderPrices(map[string]string{"Default": price}),
	}
	variants := s.variants(m.id)
	for i := range 3 {
		var vals []string
		for _, v := range variants {
			if i < len(v.attrs) && v.attrs[i] != "" && !contains(vals, v.attrs[i]) {
				vals = append(vals, v.attrs[i])
			}
		}
		if vals == nil {
			vals = []string{}
		}
		r["attribute"+itoa(int64(i+1))+"Values"] = vals
	}
	if rels["Category"] {
		if c := s.categories[m.categoryID]; c != nil {
			r["Category"] = s.renderCategory(c, nil)
		}
	}
	if rels["Manufacturer"] {
		if mf := s.manufacturers[m.manufacturerID]; mf != nil {
			r["Manufacturer"] = renderManufacturer(mf)
		}
	}
	if rels["ItemAttributeSet"] {
		if a := s.attrSets[m.attrSetID]; a != nil {
			r["ItemAttributeSet"] = renderAttrSet(a)
		}
	}
	if rels["Images"] {
		r["Images"] = s.renderImages(m.images)
	}
	if rels["Items"] {
		var rows []record
		for _, v := range variants {
			rows = append(rows, s.renderItem(v, nil))
		}
		r["Items"] = rows
	}
	if rels["ItemECommerce"] {
		r["ItemECommerce"] = renderECom(m.id, m.long, m.short, "0", "0",
			"0", "0")
	}
	s.renderTags(r, m.tags, "itemMatrixID", m.id, rels)
	emptyRelations(r, rels, matrixRels)
	return r
}

// emptyRelations writes "" for loaded to-many relations the emulator
// does not model, such as CustomFieldValues.
func emptyRelations(r record, rels relSet, known map[string]bool) {
	for name := range rels {
		if _, set := r[name]; !set && known[name] && !strings.Contains(name, ".") {
			r[name] = ""
		}
	}
}

// variants lists the items of a matrix in ID order. The caller holds
// s.mu.
func (s *Server) variants(matrixID int64) []*itemRec {
	// Collect first and sort the few found: sorting the whole account for
	// each matrix made a page of matrices cost seconds on large catalogs.
	var out []*itemRec
	for _, it := range s.items {
		if it.matrixID == matrixID {
			out = append(out, it)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// renderPrices writes the standard levels always, then any other level
// the item has.
func (s *Server) renderPrices(prices map[string]string) []record {
	var out []record
	for i, level := range s.levels {
		amount, ok := lookupFold(prices, level)
		if !ok && i >= len(standardLevels) {
			continue
		}
		if amount == "" {
			amount = "0"
		}
		out = append(out, record{"amount": amount,
			"useTypeID": itoa(int64(i + 1)), "useType": level})
	}
	return out
}

func lookupFold(m map[string]string, key string) (string, bool) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}

func (s *Server) renderStock(it *itemRec, shopID int64) record {
	row := it.stock[shopID]
	qoh := row.qoh
	sellable := max(qoh, 0)
	if shopID == 0 {
		qoh, sellable = it.totals()
	}
	return record{
		"itemShopID": itoa(row.id), "qoh": itoa(qoh),
		"sellable": itoa(sellable), "backorder": "0",
		"componentQoh": "0", "componentBackorder": "0",
		"reorderPoint": "0", "reorderLevel": "0",
		"timeStamp": ts(row.stamp), "itemID": itoa(it.id),
		"shopID": itoa(shopID), "onLayaway": "0", "onSpecialOrder": "0",
		"onWorkOrder": "0", "onTransferOut": "0", "onTransferIn": "0",
	}
}

// stockRef points at one ItemShop row.
type stockRef struct {
	item   *itemRec
	shopID int64
}

func (s *Server) stockRefs() []any {
	var out []any
	for _, id := range sortedIDs(s.items) {
		it := s.items[id]
		s.ensureStock(it)
		for _, shopID := range append(s.shopIDs(), 0) {
			out = append(out, stockRef{item: it, shopID: shopID})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].(stockRef), out[j].(stockRef)
		return a.item.stock[a.shopID].id < b.item.stock[b.shopID].id
	})
	return out
}

func (s *Server) findStock(id int64) any {
	for _, it := range s.items {
		for shopID, row := range it.stock {
			if row.id == id {
				return stockRef{item: it, shopID: shopID}
			}
		}
	}
	return nil
}

func (s *Server) renderImages(list []*imageRec) []record {
	var out []record
	for _, im := range list {
		out = append(out, s.renderImage(im))
	}
	return out
}

func (s *Server) renderImage(im *imageRec) record {
	return record{
		"imageID": itoa(im.id), "description": im.description,
		"filename": im.filename, "ordering": itoa(int64(im.ordering)),
		"publicID": im.publicID, "baseImageURL": s.base() + "/images/",
		"size": itoa(int64(len(fakeJPEG))), "createTime": ts(im.created),
		"timeStamp": ts(im.stamp), "itemID": itoa(im.itemID),
		"itemMatrixID": itoa(im.matrixID),
	}
}

func (s *Server) allImages() []any {
	var list []*imageRec
	for _, it := range s.items {
		list = append(list, it.images...)
	}
	for _, m := range s.matrices {
		list = append(list, m.images...)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
	out := make([]any, len(list))
	for i, im := range list {
		out[i] = im
	}
	return out
}

func (s *Server) findImage(id int64) any {
	for _, o := range s.allImages() {
		if o.(*imageRec).id == id {
			return o
		}
	}
	return nil
}

func renderECom(id int64, long, short, weight, width, height,
	length string) record {
	zero := func(v string) string {
		if v == "" {
			return "0"
		}
		return v
	}
	return record{
		"itemECommerceID": itoa(id), "longDescription": long,
		"shortDescription": short, "weight": zero(weight),
		"width": zero(width), "height": zero(height),
		"length": zero(length), "listOnStore": "false",
	}
}

// renderAttributes is the ItemAttributes relation; "" for an item that is
// not in a matrix.
func (s *Server) renderAttributes(it *itemRec, rels relSet) any {
	m := s.matrices[it.matrixID]
	if m == nil {
		return ""
	}
	r := record{"itemAttributeSetID": itoa(m.attrSetID)}
	for i := range 3 {
		v := ""
		if i < len(it.attrs) {
			v = it.attrs[i]
		}
		r["attribute"+itoa(int64(i+1))] = v
	}
	if rels["ItemAttributes.ItemAttributeSet"] {
		if a := s.attrSets[m.attrSetID]; a != nil {
			r["ItemAttributeSet"] = renderAttrSet(a)
		}
	}
	return r
}

// renderTags writes the TagRelations and the older Tags relations.
func (s *Server) renderTags(r record, tags []string, owner string, id int64,
	rels relSet) {
	if rels["TagRelations"] {
		var rows []record
		for _, name := range tags {
			tagID := s.tagIDs[name]
			row := record{"tagID": itoa(tagID), owner: itoa(id)}
			if rels["TagRelations.Tag"] {
				row["Tag"] = s.renderTag(tagID)
			}
			rows = append(rows, row)
		}
		r["TagRelations"] = rows
	}
	if rels["Tags"] {
		switch len(tags) {
		case 0:
			r["Tags"] = ""
		case 1:
			r["Tags"] = map[string]any{
				"@attributes": map[string]string{"count": "1"},
				"tag":         tags[0]}
		default:
			r["Tags"] = map[string]any{
				"@attributes": map[string]string{
					"count": itoa(int64(len(tags)))},
				"tag": append([]string(nil), tags...)}
		}
	}
}

func (s *Server) renderTag(id int64) record {
	return record{"tagID": itoa(id), "name": s.tagNames[id]}
}

func (s *Server) renderCategory(c *categoryRec, rels relSet) record {
	path := []string{c.name}
	depth := 0
	for p := s.categories[c.parentID]; p != nil && depth < 32; p = s.categories[p.parentID] {
		path = append([]string{p.name}, path...)
		depth++
	}
	r := record{
		"categoryID": itoa(c.id), "name": c.name,
		"nodeDepth": itoa(int64(depth)), "fullPathName": strings.Join(path, "/"),
		"leftNode": "0", "rightNode": "0", "parentID": itoa(c.parentID),
		"createTime": ts(c.created), "timeStamp": ts(c.stamp),
	}
	if rels["Parent"] {
		if p := s.categories[c.parentID]; p != nil {
			r["Parent"] = s.renderCategory(p, nil)
		}
	}
	return r
}

func renderManufacturer(m *manufacturerRec) record {
	return record{"manufacturerID": itoa(m.id), "name": m.name,
		"createTime": ts(m.created), "timeStamp": ts(m.stamp)}
}

func renderAttrSet(a *attrSetRec) record {
	r := record{"itemAttributeSetID": itoa(a.id), "name": a.name,
		"system": "false", "archived": "false"}
	for i := range 3 {
		v := ""
		if i < len(a.names) {
			v = a.names[i]
		}
		r["attributeName"+itoa(int64(i+1))] = v
	}
	return r
}

func renderShop(sh *shopRec) record {
	return record{"shopID": itoa(sh.id), "name": sh.name,
		"serviceRate": "0", "timeZone": "America/Los_Angeles",
		"taxLabor": "false", "labelTitle": "Shop Name",
		"labelMsrp": "false", "archived": "false", "timeStamp": ts(sh.stamp),
		"contactID": "0", "taxCategoryID": "1", "receiptSetupID": "1",
		"ccGatewayID": "0", "priceLevelID": "1"}
}

// wrapNames are the element keys of to-many relations.
var wrapNames = map[string]string{
	"ItemShops": "ItemShop", "Images": "Image",
	"TagRelations": "TagRelation", "Items": "Item", "Prices": "ItemPrice",
}

// finalize turns a record into its JSON shape: a to-many relation of
// one becomes a bare object, an empty one "".
func finalize(v any) any {
	r, ok := v.(record)
	if !ok {
		return v
	}
	out := make(map[string]any, len(r))
	for k, x := range r {
		list, isList := x.([]record)
		if !isList {
			out[k] = finalize(x)
			continue
		}
		if len(list) == 0 {
			out[k] = ""
			continue
		}
		out[k] = map[string]any{wrapNames[k]: oneOrMany(list)}
	}
	return out
}

// oneOrMany is a bare object for one record, an array otherwise.
func oneOrMany(list []record) any {
	if len(list) == 1 {
		return finalize(list[0])
	}
	out := make([]any, len(list))
	for i, r := range list {
		out[i] = finalize(r)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
