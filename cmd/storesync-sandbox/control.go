package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ErrControl is matched by every RefusedError.
var ErrControl = errors.New("emulator refused")

// RefusedError is an emulator's answer other than 2xx.
type RefusedError struct {
	Method, URL string
	Status      int
	Body        string
}

// Error names the request and quotes the answer.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Status, e.Body)
}

// Is makes errors.Is(err, ErrControl) true.
func (e *RefusedError) Is(target error) bool {
	return target == ErrControl
}

// control talks to the emulators' control APIs under /_sandbox/.
type control struct {
	ready Ready
	hc    *http.Client
}

func newControl(r Ready) *control {
	return &control{ready: r, hc: &http.Client{Timeout: 30 * time.Second}}
}

// do sends one request and decodes a 2xx JSON answer into out (when not
// nil). Any other status becomes an error carrying the emulator's message.
func (c *control) do(ctx context.Context, method, rawURL string,
	header http.Header, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return 0, fmt.Errorf("build request: %w", err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, rawURL, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("read %s: %w", rawURL, err)
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, &RefusedError{Method: method, URL: rawURL,
			Status: resp.StatusCode, Body: string(bytes.TrimSpace(data))}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s: %w", rawURL, err)
		}
	}
	return resp.StatusCode, nil
}

// lsAction posts one shop-floor action to the Lightspeed emulator.
func (c *control) lsAction(ctx context.Context, route string,
	body map[string]any) error {
	_, err := c.do(ctx, http.MethodPost,
		c.ready.LightspeedURL+"/_sandbox/"+route, nil, body, nil)
	return err
}

// sell records a sale of qty (negative: a return) in a shop.
func (c *control) sell(ctx context.Context, itemID, shopID, qty int64) error {
	return c.lsAction(ctx, "sell",
		map[string]any{"item_id": itemID, "shop_id": shopID, "qty": qty})
}

// controlItem is one entry of the Lightspeed GET /_sandbox/items.
type controlItem struct {
	ItemID    int64             `json:"item_id"`
	MatrixID  int64             `json:"matrix_id"`
	CustomSKU string            `json:"custom_sku"`
	Archived  bool              `json:"archived"`
	Tags      []string          `json:"tags"`
	Prices    map[string]string `json:"prices"`
	Sellable  map[string]int64  `json:"sellable"`
}

// lsItems reads every item, archived ones included.
func (c *control) lsItems(ctx context.Context) ([]lsItem, error) {
	var raw []controlItem
	_, err := c.do(ctx, http.MethodGet,
		c.ready.LightspeedURL+"/_sandbox/items", nil, nil, &raw)
	if err != nil {
		return nil, err
	}
	items := make([]lsItem, 0, len(raw))
	for _, r := range raw {
		it := lsItem{ItemID: r.ItemID, MatrixID: r.MatrixID,
			SKU: r.CustomSKU, Tags: r.Tags, Archived: r.Archived,
			Prices: r.Prices, Sellable: map[int64]int64{}}
		for shop, n := range r.Sellable {
			id, err := strconv.ParseInt(shop, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("decode items: shop %q: %w", shop, err)
			}
			it.Sellable[id] = n
		}
		items = append(items, it)
	}
	return items, nil
}

// lightspeedCatalog reads the items and the tags of every matrix.
func (c *control) lightspeedCatalog(ctx context.Context) ([]lsItem,
	[]lsMatrix, error) {
	items, err := c.lsItems(ctx)
	if err != nil {
		return nil, nil, err
	}
	matrices, err := c.lsMatrices(ctx)
	if err != nil {
		return nil, nil, err
	}
	return items, matrices, nil
}

// lsMatrices reads the matrices' tags. The control API has no matrix
// route, so they are read through the REST API with a pair of tokens of
// their own, which leaves storesync's pair untouched; it costs a few
// drips of the account's bucket.
func (c *control) lsMatrices(ctx context.Context) ([]lsMatrix, error) {
	var tok struct {
		Access string `json:"access_token"`
	}
	_, err := c.do(ctx, http.MethodPost,
		c.ready.LightspeedURL+"/_sandbox/tokens", nil, struct{}{}, &tok)
	if err != nil {
		return nil, err
	}
	header := http.Header{"Authorization": {"Bearer " + tok.Access}}

	q := url.Values{}
	q.Set("load_relations", `["Tags"]`)
	q.Set("limit", "100")
	next := fmt.Sprintf("%s/API/V3/Account/%s/ItemMatrix.json?%s",
		c.ready.LightspeedURL, url.PathEscape(c.ready.AccountID), q.Encode())

	var out []lsMatrix
	for next != "" {
		var page matrixPage
		if err := c.getPaced(ctx, next, header, &page); err != nil {
			return nil, err
		}
		for _, m := range page.Matrices {
			out = append(out, lsMatrix{MatrixID: int64(m.ID), Tags: m.Tags})
		}
		next = page.Attributes.Next
	}
	return out, nil
}

// getPaced is do for REST reads: on 429 it waits as told and tries again,
// a few times.
func (c *control) getPaced(ctx context.Context, rawURL string,
	header http.Header, out any) error {
	for attempt := 0; ; attempt++ {
		status, err := c.do(ctx, http.MethodGet, rawURL, header, nil, out)
		if status != http.StatusTooManyRequests || attempt == 5 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// matrixPage is one page of ItemMatrix.json: a list of one may come as a
// bare object, numbers come as strings, and Tags is "" when empty, a
// bare string for one tag and a list for more.
type matrixPage struct {
	Attributes struct {
		Next string `json:"next"`
	} `json:"@attributes"`
	Matrices oneOrMany[restMatrix] `json:"ItemMatrix"`
}

type restMatrix struct {
	ID   stringInt `json:"itemMatrixID"`
	Tags restTags  `json:"Tags"`
}

// oneOrMany decodes a JSON list, a bare object, or "" as a list.
type oneOrMany[T any] []T

func (l *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0, string(b) == `""`, string(b) == "null":
		*l = nil
		return nil
	case b[0] == '[':
		var v []T
		err := json.Unmarshal(b, &v)
		*l = v
		return err
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*l = []T{v}
	return nil
}

// stringInt decodes a number sent as a string.
type stringInt int64

func (n *stringInt) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var v int64
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*n = stringInt(v)
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	*n = stringInt(v)
	return err
}

// restTags decodes the Tags relation.
type restTags []string

func (t *restTags) UnmarshalJSON(b []byte) error {
	var v struct {
		Tag oneOrMany[string] `json:"tag"`
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		*t = nil
		return nil
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = restTags(v.Tag)
	return nil
}

// webProduct is the part of a WooCommerce product or variation compare
// reads.
type webProduct struct {
	SKU           string `json:"sku"`
	RegularPrice  string `json:"regular_price"`
	StockQuantity *int64 `json:"stock_quantity"`
	Status        string `json:"status"`
	MetaData      []struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	} `json:"meta_data"`
}

// entry is p as compare sees it.
func (p webProduct) entry() webEntry {
	e := webEntry{SKU: p.SKU, Stock: p.StockQuantity, Price: p.RegularPrice,
		Status: p.Status}
	for _, m := range p.MetaData {
		switch m.Key {
		case metaItemID:
			e.ItemID = fmt.Sprint(m.Value)
		case metaMatrixID:
			e.MatrixID = fmt.Sprint(m.Value)
		}
	}
	return e
}

// The meta data keys storesync writes the Lightspeed ids under.
const (
	metaItemID   = "lightspeed_item_id"
	metaMatrixID = "lightspeed_matrix_id"
)

// webProducts reads every product and variation of the web store.
func (c *control) webProducts(ctx context.Context) ([]webEntry, error) {
	var raw []struct {
		Product    webProduct   `json:"product"`
		Variations []webProduct `json:"variations"`
	}
	_, err := c.do(ctx, http.MethodGet,
		c.ready.WooCommerceURL+"/_sandbox/products", nil, nil, &raw)
	if err != nil {
		return nil, err
	}
	var out []webEntry
	for _, r := range raw {
		out = append(out, r.Product.entry())
		for _, v := range r.Variations {
			out = append(out, v.entry())
		}
	}
	return out, nil
}
