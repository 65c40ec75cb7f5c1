package woocommerce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ProductsBySKU finds the products and variations whose SKU is one of
// skus, exactly. Variations come back with ParentID set. Blank SKUs are
// dropped and never match; a SKU holding a comma cannot be looked up by
// WooCommerce's list filter and is dropped too. The lookup asks for up to
// 100 SKUs per request.
func (c *Client) ProductsBySKU(ctx context.Context,
	skus []string) ([]Product, error) {
	want := cleanSKUs(skus)
	var found []Product
	for start := 0; start < len(want); start += MaxPerPage {
		chunk := want[start:min(start+MaxPerPage, len(want))]
		q := url.Values{"sku": {strings.Join(chunk, ",")}}
		products, err := listAll[Product](ctx, c, "/products", q)
		if err != nil {
			return found, fmt.Errorf("look up %d skus: %w", len(chunk), err)
		}
		found = append(found, matchSKUs(products, chunk)...)
	}
	return found, nil
}

// cleanSKUs trims the SKUs and drops blanks, commas and repeats.
func cleanSKUs(skus []string) []string {
	seen := make(map[string]bool, len(skus))
	out := make([]string, 0, len(skus))
	for _, s := range skus {
		s = strings.TrimSpace(s)
		if s == "" || strings.Contains(s, ",") || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// matchSKUs keeps the products whose SKU was asked for. The store filters
// already; this guards against a host or plugin that ignores the filter.
func matchSKUs(products []Product, skus []string) []Product {
	want := make(map[string]bool, len(skus))
	for _, s := range skus {
		want[strings.ToLower(s)] = true
	}
	out := products[:0]
	for _, p := range products {
		if p.SKU != "" && want[strings.ToLower(p.SKU)] {
			out = append(out, p)
		}
	}
	return out
}

// Product reads one product (or a variation, which has ParentID set).
func (c *Client) Product(ctx context.Context, id int64) (Product, error) {
	var p Product
	cl := call{method: http.MethodGet, path: "/products/" + itoa(id)}
	if _, err := c.do(ctx, c.newRetrier(), cl, &p); err != nil {
		return Product{}, fmt.Errorf("get product %d: %w", id, err)
	}
	return p, nil
}

// Products reads one page of products, ordered by id, and returns it with
// the number of pages. page starts at 1; perPage is 1 to 100.
func (c *Client) Products(ctx context.Context, page,
	perPage int) ([]Product, int, error) {
	if page < 1 || perPage < 1 || perPage > MaxPerPage {
		return nil, 0, fmt.Errorf("list products: page %d or per page %d "+
			"out of range", page, perPage)
	}
	q := url.Values{"orderby": {"id"}, "order": {"asc"}}
	products, pages, err := listPage[Product](ctx, c, "/products", q, page,
		perPage)
	if err != nil {
		return nil, 0, fmt.Errorf("list products page %d: %w", page, err)
	}
	return products, pages, nil
}

// Variations reads every variation of a variable product.
func (c *Client) Variations(ctx context.Context,
	parentID int64) ([]Variation, error) {
	path := "/products/" + itoa(parentID) + "/variations"
	q := url.Values{"orderby": {"id"}, "order": {"asc"}}
	vs, err := listAll[Variation](ctx, c, path, q)
	if err != nil {
		return nil, fmt.Errorf("list variations of product %d: %w",
			parentID, err)
	}
	return vs, nil
}

// listAll reads every page of a collection.
func listAll[T any](ctx context.Context, c *Client, path string,
	q url.Values) ([]T, error) {
	var all []T
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			return all, err
		}
		items, pages, err := listPage[T](ctx, c, path, q, page, MaxPerPage)
		if err != nil {
			return all, fmt.Errorf("read page %d: %w", page, err)
		}
		all = append(all, items...)
		if page >= pages || len(items) == 0 {
			return all, nil
		}
	}
}

// listPage reads one page of a collection and the number of pages.
func listPage[T any](ctx context.Context, c *Client, path string,
	q url.Values, page, perPage int) ([]T, int, error) {
	query := url.Values{}
	for k, v := range q {
		query[k] = v
	}
	query.Set("page", strconv.Itoa(page))
	query.Set("per_page", strconv.Itoa(perPage))

	var items []T
	cl := call{method: http.MethodGet, path: path, query: query}
	header, err := c.do(ctx, c.newRetrier(), cl, &items)
	if err != nil {
		return nil, 0, err
	}
	return items, totalPages(header, page), nil
}

// totalPages reads X-WP-TotalPages, falling back on the Link header.
func totalPages(h http.Header, page int) int {
	if n, err := strconv.Atoi(h.Get("X-WP-TotalPages")); err == nil {
		return n
	}
	if strings.Contains(h.Get("Link"), `rel="next"`) {
		return page + 1
	}
	return page
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
