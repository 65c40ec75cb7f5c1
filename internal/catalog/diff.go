package catalog

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Change is one field that differs between two versions of a product.
type Change struct {
	Field string
	Old   string
	New   string
}

func (c Change) String() string {
	return fmt.Sprintf("%s: %s -> %s", c.Field, quote(c.Old), quote(c.New))
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return strconv.Quote(s)
}

// Encode is the form a pushed product is remembered in.
func Encode(p Product) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// Diff lists the fields of p that differ from the product remembered as
// old (from Encode). An empty old means the product was never pushed, and
// every field set is a change.
func Diff(old string, p Product) []Change {
	var was Product
	if old != "" {
		_ = json.Unmarshal([]byte(old), &was)
	}
	var out []Change
	add := func(field, a, b string) {
		if a != b {
			out = append(out, Change{Field: field, Old: a, New: b})
		}
	}
	add("name", was.Name, p.Name)
	add("sku", was.SKU, p.SKU)
	add("description", was.Description, p.Description)
	add("short_description", was.ShortDescription, p.ShortDescription)
	add("regular_price", was.RegularPrice, p.RegularPrice)
	add("sale_price", was.SalePrice, p.SalePrice)
	if p.MatrixID == 0 {
		add("stock", stockText(was, old), strconv.FormatInt(p.Stock, 10))
	}
	add("weight", was.Weight, p.Weight)
	add("dimensions", dims(was), dims(p))
	add("category", path(was.Category), path(p.Category))
	add("brand", brand(was.Brand), brand(p.Brand))
	add("images", imageList(was.Images), imageList(p.Images))
	add("archived", strconv.FormatBool(was.Archived), strconv.FormatBool(p.Archived))
	add("attributes", attrs(was.Attributes), attrs(p.Attributes))

	before := map[int64]Variant{}
	for _, v := range was.Variants {
		before[v.ItemID] = v
	}
	for _, v := range p.Variants {
		w, ok := before[v.ItemID]
		prefix := "variant " + v.SKU + " "
		if !ok {
			out = append(out, Change{Field: prefix + "added", New: v.RegularPrice})
			continue
		}
		add(prefix+"regular_price", w.RegularPrice, v.RegularPrice)
		add(prefix+"sale_price", w.SalePrice, v.SalePrice)
		add(prefix+"stock", strconv.FormatInt(w.Stock, 10), strconv.FormatInt(v.Stock, 10))
		add(prefix+"archived", strconv.FormatBool(w.Archived), strconv.FormatBool(v.Archived))
		add(prefix+"options", options(w.Options), options(v.Options))
	}
	return out
}

func stockText(p Product, raw string) string {
	if raw == "" {
		return ""
	}
	return strconv.FormatInt(p.Stock, 10)
}

func dims(p Product) string {
	if p.Length == "" && p.Width == "" && p.Height == "" {
		return ""
	}
	return p.Length + "x" + p.Width + "x" + p.Height
}

func path(terms []Term) string {
	names := make([]string, len(terms))
	for i, t := range terms {
		names[i] = t.Name
	}
	return strings.Join(names, " > ")
}

func brand(t *Term) string {
	if t == nil {
		return ""
	}
	return t.Name
}

func imageList(list []Image) string {
	ids := make([]string, len(list))
	for i, im := range list {
		ids[i] = im.PublicID
	}
	return strings.Join(ids, ",")
}

func attrs(list []Attribute) string {
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = a.Name + "=" + strings.Join(a.Options, "|")
	}
	return strings.Join(parts, "; ")
}

func options(list []Option) string {
	parts := make([]string, len(list))
	for i, o := range list {
		parts[i] = o.Name + "=" + o.Value
	}
	return strings.Join(parts, ",")
}
