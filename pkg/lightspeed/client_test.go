package lightspeed_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/storesync/storesync/pkg/lightspeed"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
)

func TestItemsNormalised(t *testing.T) {
	e := newEnv(t, lightspeedtest.Options{}, smallCatalog(), nil)
	items, _, err := allItems(t, e.client, lightspeed.Query{
		Filters: []lightspeed.Filter{{Field: "itemID", Op: "=", Value: "1"}},
		Relations: []string{"ItemShops", "TagRelations.Tag", "Images",
			"Category", "Manufacturer", "ItemECommerce"},
	})
	if err != nil {
		t.Fatalf("read items: %v", err)
	}
	if len(items) != 1 {
		t.Fatalf("got %d items, want 1", len(items))
	}
	it := items[0]
	if it.ItemID != 1 || it.CustomSKU != "MUG-1" || it.Description != "Mug" {
		t.Errorf("fields: %+v", it)
	}
	if len(it.Prices) != 3 || it.Prices[0].Amount != "9.99" ||
		it.Prices[0].UseType != "Default" || it.Prices[2].UseTypeID != 3 {
		t.Errorf("prices: %+v", it.Prices)
	}
	want := map[int64][2]int64{1: {3, 3}, 2: {-2, 0}, 0: {1, 3}}
	if len(it.ItemShops) != 3 {
		t.Fatalf("item shops: %+v", it.ItemShops)
	}
	for _, s := range it.ItemShops {
		if got := [2]int64{s.QOH, s.Sellable}; got != want[s.ShopID] {
			t.Errorf("shop %d qoh/sellable = %v, want %v", s.ShopID, got,
				want[s.ShopID])
		}
	}
	if fmt.Sprint(it.Tags) != "[webstore]" {
		t.Errorf("tags = %v", it.Tags)
	}
	if it.Category == nil || it.Category.Name != "Mugs" ||
		it.Manufacturer == nil || it.Manufacturer.Name != "Acme" {
		t.Errorf("category %+v manufacturer %+v", it.Category, it.Manufacturer)
	}
	if len(it.Images) != 1 || !strings.HasPrefix(it.Images[0].URL(), e.srv.URL) {
		t.Errorf("images: %+v", it.Images)
	}
	if it.ECommerce == nil {
		t.Errorf("ecommerce relation missing")
	}
}

func TestMatricesNormalised(t *testing.T) {
	e := newEnv(t, lightspeedtest.Options{}, smallCatalog(), nil)
	var got []lightspeed.Matrix
	err := e.client.Matrices(context.Background(), lightspeed.Query{
		Relations: []string{"ItemAttributeSet", "TagRelations.Tag", "Items"},
	}, func(page []lightspeed.Matrix) error {
		got = append(got, page...)
		return nil
	})
	if err != nil {
		t.Fatalf("read matrices: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d matrices", len(got))
	}
	m := got[0]
	if m.AttributeSet == nil || m.AttributeSet.AttributeName1 != "Size" {
		t.Errorf("attribute set: %+v", m.AttributeSet)
	}
	if fmt.Sprint(m.Attribute1Values) != "[S M]" || len(m.Items) != 2 {
		t.Errorf("values %v, %d variants", m.Attribute1Values, len(m.Items))
	}
	if fmt.Sprint(m.Tags) != "[webstore]" {
		t.Errorf("tags = %v", m.Tags)
	}
}

func TestArchived(t *testing.T) {
	tests := []struct {
		name     string
		archived string
		want     int
	}{
		{"DefaultExcludes", "", 4},
		{"True", "true", 5},
		{"Only", "only", 1},
	}
	e := newEnv(t, lightspeedtest.Options{}, smallCatalog(), nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, _, err := allItems(t, e.client,
				lightspeed.Query{Archived: tt.archived})
			if err != nil {
				t.Fatalf("read items: %v", err)
			}
			if len(items) != tt.want {
				t.Errorf("got %d items, want %d", len(items), tt.want)
			}
		})
	}
}

func TestPaginationKeepsFilters(t *testing.T) {
	cat := lightspeedtest.Catalog{}
	for i := int64(1); i <= 250; i++ {
		cat.Items = append(cat.Items, lightspeedtest.Item{ItemID: i,
			Description: fmt.Sprint("item ", i), CategoryID: i % 2,
			Stock: map[int64]int64{1: i}})
	}
	var urls []string
	e := newEnv(t, lightspeedtest.Options{BurstLimit: 1000}, cat,
		func(c *lightspeed.Config) {
			c.HTTPClient = &http.Client{Transport: recordURLs(&urls)}
		})
	items, pages, err := allItems(t, e.client, lightspeed.Query{
		Filters:   []lightspeed.Filter{{Field: "categoryID", Op: "=", Value: "1"}},
		Relations: []string{"ItemShops"},
		Sort:      "itemID",
		Limit:     50,
	})
	if err != nil {
		t.Fatalf("read items: %v", err)
	}
	if len(items) != 125 || pages != 3 {
		t.Fatalf("got %d items in %d pages, want 125 in 3", len(items), pages)
	}
	seen := map[int64]bool{}
	for _, it := range items {
		if it.CategoryID != 1 || len(it.ItemShops) != 2 || seen[it.ItemID] {
			t.Fatalf("unexpected item %+v", it)
		}
		seen[it.ItemID] = true
	}
	for _, u := range urls[1:] {
		q, _ := url.ParseQuery(strings.SplitN(u, "?", 2)[1])
		if q.Get("categoryID") != "=,1" || q.Get("load_relations") == "" ||
			q.Get("after") == "" {
			t.Errorf("next link lost parameters: %s", u)
		}
	}

	// More than 100 rows at the default limit.
	all, pages, err := allItems(t, e.client, lightspeed.Query{})
	if err != nil || len(all) != 250 || pages != 3 {
		t.Errorf("got %d items in %d pages (%v), want 250 in 3", len(all),
			pages, err)
	}
}

// recordURLs is a transport that notes each URL asked for.
func recordURLs(urls *[]string) http.RoundTripper {
	return roundTrip(func(r *http.Request) (*http.Response, error) {
		*urls = append(*urls, r.URL.String())
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) {
	return f(r)
}

func TestFilters(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, lightspeedtest.Options{Clock: clock.Now}, smallCatalog(), nil)
	clock.Advance(time.Hour)
	if err := e.emu.SetDescription(2, "Plate, large"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    lightspeed.Query
		want string
	}{
		{"Since", lightspeed.Query{Filters: []lightspeed.Filter{
			lightspeed.Since("timeStamp", clock.Now().Add(-time.Minute))}},
			"[2]"},
		{"In", lightspeed.Query{Filters: []lightspeed.Filter{
			lightspeed.In("itemID", 1, 4, 3)}}, "[1 4]"},
		{"Like", lightspeed.Query{Filters: []lightspeed.Filter{
			{Field: "description", Op: "~", Value: "tee%"}}}, "[4 5]"},
		{"NotEqual", lightspeed.Query{Filters: []lightspeed.Filter{
			{Field: "itemMatrixID", Op: "!=", Value: "0"}}}, "[4 5]"},
		{"Between", lightspeed.Query{Filters: []lightspeed.Filter{
			{Field: "itemID", Op: "><", Value: "2,4"}}}, "[2 4]"},
		{"RelationTag", lightspeed.Query{
			Relations: []string{"TagRelations"},
			Filters: []lightspeed.Filter{
				{Field: "TagRelations.tagID", Op: "=", Value: "1"}}}, "[1]"},
		{"RelationShop", lightspeed.Query{
			Relations: []string{"ItemShops"},
			Filters: []lightspeed.Filter{
				{Field: "ItemShops.qoh", Op: ">", Value: "0"}}}, "[1 2 4]"},
		{"SortDesc", lightspeed.Query{Sort: "-itemID", Limit: 2}, "[5 4 2 1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, _, err := allItems(t, e.client, tt.q)
			if err != nil {
				t.Fatalf("read items: %v", err)
			}
			var ids []int64
			for _, it := range items {
				ids = append(ids, it.ItemID)
			}
			if got := fmt.Sprint(ids); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestBadRequestNotRetried(t *testing.T) {
	tests := []struct {
		name string
		q    lightspeed.Query
	}{
		{"UnloadedRelationFilter", lightspeed.Query{Filters: []lightspeed.Filter{
			{Field: "TagRelations.tagID", Op: "=", Value: "1"}}}},
		{"BadSort", lightspeed.Query{Sort: "customSku"}},
		{"UnknownRelation", lightspeed.Query{Relations: []string{"Bogus"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, lightspeedtest.Options{}, smallCatalog(), nil)
			_, _, err := allItems(t, e.client, tt.q)
			var apiErr *lightspeed.APIError
			if !errors.As(err, &apiErr) || !errors.Is(err, lightspeed.ErrBadRequest) {
				t.Fatalf("got %v, want a 400 APIError", err)
			}
			if apiErr.Message == "" || apiErr.Class != "Exception" {
				t.Errorf("error body not parsed: %+v", apiErr)
			}
			if n := e.emu.Requests()["Item"]; n != 1 {
				t.Errorf("sent %d requests, want 1", n)
			}
		})
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name  string
		fault lightspeedtest.Fault
		want  int // requests to Item.json
	}{
		{"500", lightspeedtest.Fault{Kind: lightspeedtest.Fault500, Count: 2}, 3},
		{"503", lightspeedtest.Fault{Kind: lightspeedtest.Fault503}, 2},
		{"HTML", lightspeedtest.Fault{Kind: lightspeedtest.FaultHTML, Count: 2}, 3},
		{"Malformed", lightspeedtest.Fault{Kind: lightspeedtest.FaultMalformed}, 2},
		{"Cut", lightspeedtest.Fault{Kind: lightspeedtest.FaultCut, Count: 2}, 3},
		{"Slow", lightspeedtest.Fault{Kind: lightspeedtest.FaultSlow,
			Delay: 300 * time.Millisecond}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, lightspeedtest.Options{}, smallCatalog(),
				func(c *lightspeed.Config) {
					c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
				})
			tt.fault.Path = "/Item.json"
			e.emu.Inject(tt.fault)
			items, _, err := allItems(t, e.client, lightspeed.Query{})
			if err != nil {
				t.Fatalf("read items: %v", err)
			}
			if len(items) != 4 {
				t.Errorf("got %d items, want 4", len(items))
			}
			if n := e.emu.Requests()["Item"]; n != tt.want {
				t.Errorf("sent %d requests, want %d", n, tt.want)
			}
		})
	}
}

func TestServerErrorsGiveUp(t *testing.T) {
	e := newEnv(t, lightspeedtest.Options{}, smallCatalog(),
		func(c *lightspeed.Config) { c.MaxAttempts = 3 })
	e.emu.Inject(lightspeedtest.Fault{Kind: lightspeedtest.Fault500, Count: -1})
	_, _, err := allItems(t, e.client, lightspeed.Query{})
	if !errors.Is(err, lightspeed.ErrServer) {
		t.Fatalf("got %v, want ErrServer", err)
	}
	if n := e.emu.Requests()["Item"]; n != 3 {
		t.Errorf("sent %d requests, want 3", n)
	}
}

func TestRateLimitStorm(t *testing.T) {
	tests := []struct {
		name      string
		count     int
		wantErr   bool
		wantSends int
	}{
		{"Recovers", 5, false, 6},
		{"GivesUp", 20, true, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var waits sleeps
			e := newEnv(t, lightspeedtest.Options{}, smallCatalog(),
				func(c *lightspeed.Config) { c.Sleep = waits.Sleep })
			e.emu.Inject(lightspeedtest.Fault{Path: "/Item.json",
				Kind: lightspeedtest.Fault429, Count: tt.count, RetryAfter: 3})
			_, _, err := allItems(t, e.client, lightspeed.Query{})
			if tt.wantErr != (err != nil) {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr && !errors.Is(err, lightspeed.ErrRateLimited) {
				t.Errorf("got %v, want ErrRateLimited", err)
			}
			if n := e.emu.Requests()["Item"]; n != tt.wantSends {
				t.Errorf("sent %d requests, want %d", n, tt.wantSends)
			}
			for _, d := range waits.All() {
				if d != 3*time.Second {
					t.Errorf("waited %v, want Retry-After 3s", d)
				}
			}
			if len(waits.All()) != tt.wantSends-1 {
				t.Errorf("waited %d times, want %d", len(waits.All()),
					tt.wantSends-1)
			}
		})
	}
}

func TestPacingKeepsBucketBelowSize(t *testing.T) {
	cat := lightspeedtest.Catalog{}
	for i := int64(1); i <= 40; i++ {
		cat.Items = append(cat.Items, lightspeedtest.Item{ItemID: i})
	}
	opts := lightspeedtest.Options{BucketSize: 8, DripRate: 40, BurstLimit: 1000}
	e := newEnv(t, opts, cat, func(c *lightspeed.Config) { c.Reserve = 2 })
	items, pages, err := allItems(t, e.client, lightspeed.Query{Limit: 1,
		Relations: []string{"ItemShops"}})
	if err != nil || len(items) != 40 || pages != 40 {
		t.Fatalf("got %d items in %d pages: %v", len(items), pages, err)
	}
	if lvl := e.emu.MaxBucketLevel(); lvl > 8 {
		t.Errorf("bucket reached %v, size 8", lvl)
	}
	for _, ri := range *e.infos {
		if ri.Status != http.StatusOK {
			t.Errorf("got status %d", ri.Status)
		}
	}
	last := (*e.infos)[len(*e.infos)-1]
	if last.BucketSize != 8 || last.DripRate != 40 || last.Cost != 1.4 {
		t.Errorf("request info not parsed: %+v", last)
	}
}

// failingPacer refuses every request.
type failingPacer struct{ calls int }

var errBudget = errors.New("budget spent")

func (p *failingPacer) Wait(context.Context, string) error {
	p.calls++
	return errBudget
}

func TestPacerStopsRead(t *testing.T) {
	p := &failingPacer{}
	e := newEnv(t, lightspeedtest.Options{}, smallCatalog(),
		func(c *lightspeed.Config) { c.Pacer = p })
	_, _, err := allItems(t, e.client, lightspeed.Query{})
	if !errors.Is(err, errBudget) || p.calls != 1 {
		t.Fatalf("got %v after %d calls, want the pacer's error", err, p.calls)
	}
	if n := e.emu.Requests()["total"]; n != 0 {
		t.Errorf("sent %d requests, want 0", n)
	}
}

func TestCallbackErrorStopsRead(t *testing.T) {
	e := newEnv(t, lightspeedtest.Options{}, smallCatalog(), nil)
	stop := errors.New("stop")
	err := e.client.Items(context.Background(), lightspeed.Query{Limit: 1},
		func([]lightspeed.Item) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("got %v, want the callback's error", err)
	}
	if n := e.emu.Requests()["Item"]; n != 1 {
		t.Errorf("sent %d requests, want 1", n)
	}
}

func TestSellMovesOnlyItemShop(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, lightspeedtest.Options{Clock: clock.Now}, smallCatalog(), nil)
	seeded := clock.Now().Add(-lightspeedtest.SeedAge)
	clock.Advance(10 * time.Minute)
	if err := e.emu.Sell(1, 1, 2); err != nil {
		t.Fatalf("sell: %v", err)
	}

	it, err := e.client.Item(context.Background(), 1, "ItemShops")
	if err != nil {
		t.Fatalf("read item: %v", err)
	}
	if !it.TimeStamp.Equal(seeded) {
		t.Errorf("Item.timeStamp moved to %v", it.TimeStamp)
	}
	var rows []lightspeed.ItemShop
	err = e.client.ItemShops(context.Background(), lightspeed.Query{
		Filters: []lightspeed.Filter{
			lightspeed.Since("timeStamp", seeded.Add(time.Minute))},
		Sort: "timeStamp",
	}, func(page []lightspeed.ItemShop) error {
		rows = append(rows, page...)
		return nil
	})
	if err != nil {
		t.Fatalf("read item shops: %v", err)
	}
	if len(rows) != 2 {
		t.Fatalf("got %d moved rows, want shop 1 and the total: %+v",
			len(rows), rows)
	}
	for _, r := range rows {
		want := map[int64]int64{1: 1, 0: -1}[r.ShopID]
		if r.ItemID != 1 || r.QOH != want || !r.TimeStamp.Equal(clock.Now()) {
			t.Errorf("row %+v, want qoh %d now", r, want)
		}
	}

	// A price change moves Item.timeStamp.
	if err := e.emu.SetPrice(1, "Default", "11.50"); err != nil {
		t.Fatal(err)
	}
	it, err = e.client.Item(context.Background(), 1)
	if err != nil || !it.TimeStamp.Equal(clock.Now()) ||
		it.Prices[0].Amount != "11.50" {
		t.Errorf("after price change: %+v, %v", it, err)
	}
}

func TestItemNotFound(t *testing.T) {
	e := newEnv(t, lightspeedtest.Options{}, smallCatalog(), nil)
	_, err := e.client.Item(context.Background(), 99)
	if !errors.Is(err, lightspeed.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
}

func TestAccount(t *testing.T) {
	e := newEnv(t, lightspeedtest.Options{AccountID: 7, AccountName: "Shop"},
		smallCatalog(), nil)
	acct, err := e.client.Account(context.Background())
	if err != nil || acct.AccountID != 7 || acct.Name != "Shop" {
		t.Fatalf("got %+v, %v", acct, err)
	}
}
