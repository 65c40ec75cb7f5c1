package lightspeed

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// Items streams the items q selects, one page at a time, in order.
// Returning an error from fn stops the read and returns that error.
func (c *Client) Items(ctx context.Context, q Query,
	fn func([]Item) error) error {
	return list(ctx, c, "Item", q, rawItem.normal, fn)
}

// Matrices streams the item matrices q selects, one page at a time.
func (c *Client) Matrices(ctx context.Context, q Query,
	fn func([]Matrix) error) error {
	return list(ctx, c, "ItemMatrix", q, rawMatrix.normal, fn)
}

// ItemShops streams stock rows, one page at a time. Sort by timeStamp
// and filter with Since to follow stock changes, which do not move
// Item.timeStamp.
func (c *Client) ItemShops(ctx context.Context, q Query,
	fn func([]ItemShop) error) error {
	return list(ctx, c, "ItemShop", q, rawItemShop.normal, fn)
}

// Categories streams categories, one page at a time.
func (c *Client) Categories(ctx context.Context, q Query,
	fn func([]Category) error) error {
	return list(ctx, c, "Category", q, rawCategory.normal, fn)
}

// Manufacturers streams manufacturers, one page at a time.
func (c *Client) Manufacturers(ctx context.Context, q Query,
	fn func([]Manufacturer) error) error {
	return list(ctx, c, "Manufacturer", q, rawManufacturer.normal, fn)
}

// Images streams image records, one page at a time.
func (c *Client) Images(ctx context.Context, q Query,
	fn func([]Image) error) error {
	return list(ctx, c, "Image", q, rawImage.normal, fn)
}

// Tags streams tags, one page at a time.
func (c *Client) Tags(ctx context.Context, q Query,
	fn func([]Tag) error) error {
	return list(ctx, c, "Tag", q, rawTag.normal, fn)
}

// AttributeSets streams item attribute sets, one page at a time.
func (c *Client) AttributeSets(ctx context.Context, q Query,
	fn func([]AttributeSet) error) error {
	return list(ctx, c, "ItemAttributeSet", q, rawAttributeSet.normal, fn)
}

// Shops streams the account's locations, one page at a time.
func (c *Client) Shops(ctx context.Context, q Query,
	fn func([]Shop) error) error {
	return list(ctx, c, "Shop", q, rawShop.normal, fn)
}

// Item reads one item by ID with the given relations loaded. An unknown
// ID gives an error matching ErrNotFound; archived items are returned.
func (c *Client) Item(ctx context.Context, id int64,
	relations ...string) (Item, error) {
	q := ""
	if len(relations) > 0 {
		rel, err := json.Marshal(relations)
		if err != nil {
			return Item{}, fmt.Errorf("encode relations: %w", err)
		}
		q = "load_relations=" + url.QueryEscape(string(rel))
	}
	u, err := c.accountURL("Item/"+strconv.FormatInt(id, 10)+".json", q)
	if err != nil {
		return Item{}, fmt.Errorf("read item %d: %w", id, err)
	}
	var rows []rawItem
	decode := func(body []byte) error {
		var err error
		_, rows, err = decodePage[rawItem](body, "Item")
		return err
	}
	if err := c.get(ctx, "Item", u, estimateCost(relations, false),
		decode); err != nil {
		return Item{}, fmt.Errorf("read item %d: %w", id, err)
	}
	if len(rows) == 0 {
		return Item{}, fmt.Errorf("read item %d: %w", id, ErrNotFound)
	}
	return rows[0].normal(), nil
}

// Account reads the account bound to the token. It works before
// Config.AccountID is known.
func (c *Client) Account(ctx context.Context) (Account, error) {
	u := c.cfg.BaseURL + "/API/V3/Account.json"
	var rows []rawAccount
	decode := func(body []byte) error {
		var err error
		_, rows, err = decodePage[rawAccount](body, "Account")
		return err
	}
	if err := c.get(ctx, "Account", u, 1, decode); err != nil {
		return Account{}, fmt.Errorf("read account: %w", err)
	}
	if len(rows) == 0 {
		return Account{}, fmt.Errorf("read account: %w", ErrNotFound)
	}
	return Account{AccountID: int64(rows[0].AccountID),
		Name: string(rows[0].Name)}, nil
}

// pageAttributes is the @attributes object of an answer.
type pageAttributes struct {
	Next     flexString `json:"next"`
	Previous flexString `json:"previous"`
	Count    flexInt    `json:"count"`
}

// decodePage reads an answer holding entity as a list, a bare object or
// nothing at all.
func decodePage[R any](body []byte, entity string) (pageAttributes, []R, error) {
	var attrs pageAttributes
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return attrs, nil, err
	}
	if raw, ok := top["@attributes"]; ok {
		if err := json.Unmarshal(raw, &attrs); err != nil {
			return attrs, nil, fmt.Errorf("decode @attributes: %w", err)
		}
	}
	var rows many[R]
	if raw, ok := top[entity]; ok {
		if err := json.Unmarshal(raw, &rows); err != nil {
			return attrs, nil, fmt.Errorf("decode %s: %w", entity, err)
		}
	}
	return attrs, rows, nil
}

// list follows the next links of a list read and hands each page, made
// normal by conv, to fn.
func list[R, T any](ctx context.Context, c *Client, entity string, q Query,
	conv func(R) T, fn func([]T) error) error {
	query, err := q.encode()
	if err != nil {
		return fmt.Errorf("list %s: %w", entity, err)
	}
	u, err := c.accountURL(entity+".json", query)
	if err != nil {
		return fmt.Errorf("list %s: %w", entity, err)
	}
	cost := estimateCost(q.Relations, true)
	seen := map[string]bool{}
	for page := 1; u != ""; page++ {
		if seen[u] {
			return fmt.Errorf("list %s page %d: %w", entity, page, ErrPageLoop)
		}
		seen[u] = true

		var attrs pageAttributes
		var rows []R
		decode := func(body []byte) error {
			var err error
			attrs, rows, err = decodePage[R](body, entity)
			return err
		}
		if err := c.get(ctx, entity, u, cost, decode); err != nil {
			return fmt.Errorf("list %s page %d: %w", entity, page, err)
		}

		out := make([]T, 0, len(rows))
		for _, r := range rows {
			out = append(out, conv(r))
		}
		if len(out) > 0 {
			if err := fn(out); err != nil {
				return err
			}
		}

		u = ""
		if next := string(attrs.Next); next != "" {
			if u, err = c.nextURL(next, query); err != nil {
				return fmt.Errorf("list %s page %d: %w", entity, page, err)
			}
		}
	}
	return nil
}

// nextURL resolves a next link against the base URL and restores any
// parameter of the first request that it lost.
func (c *Client) nextURL(next, first string) (string, error) {
	base, err := url.Parse(c.cfg.BaseURL + "/")
	if err != nil {
		return "", fmt.Errorf("parse base url: %w", err)
	}
	ref, err := url.Parse(next)
	if err != nil {
		return "", fmt.Errorf("parse next link: %w", err)
	}
	return mergeParams(base.ResolveReference(ref).String(), first)
}
