package lightspeed_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/storesync/storesync/pkg/lightspeed"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
)

// fakeClock is a settable clock for the emulator.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// sleeps records the waits a client asks for without waiting.
type sleeps struct {
	mu   sync.Mutex
	list []time.Duration
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.list = append(s.list, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) All() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.list...)
}

// fastBackOff retries after a millisecond, giving up after a second.
func fastBackOff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = time.Millisecond
	b.MaxInterval = 5 * time.Millisecond
	b.MaxElapsedTime = time.Second
	return b
}

// env is an emulator on a test server with a client pointed at it.
type env struct {
	emu    *lightspeedtest.Server
	srv    *httptest.Server
	tokens *lightspeedtest.MemTokens
	client *lightspeed.Client
	infos  *[]lightspeed.RequestInfo
}

func newEnv(t *testing.T, opts lightspeedtest.Options, cat lightspeedtest.Catalog,
	tweak func(*lightspeed.Config)) *env {
	t.Helper()
	emu := lightspeedtest.NewServer(opts)
	emu.SeedCatalog(cat)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	access, refresh := emu.IssueTokens()
	tokens := lightspeedtest.NewMemTokens(access, refresh)
	var mu sync.Mutex
	infos := &[]lightspeed.RequestInfo{}
	cfg := lightspeed.Config{
		BaseURL:      srv.URL,
		TokenURL:     srv.URL + "/auth/oauth/token",
		AccountID:    "1",
		ClientID:     "sandbox-client",
		ClientSecret: "sandbox-secret",
		Tokens:       tokens,
		NewBackOff:   fastBackOff,
		OnRequest: func(ri lightspeed.RequestInfo) {
			mu.Lock()
			*infos = append(*infos, ri)
			mu.Unlock()
		},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := lightspeed.New(cfg)
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	return &env{emu: emu, srv: srv, tokens: tokens, client: c, infos: infos}
}

// allItems reads every page of an item query.
func allItems(t *testing.T, c *lightspeed.Client,
	q lightspeed.Query) ([]lightspeed.Item, int, error) {
	t.Helper()
	var items []lightspeed.Item
	pages := 0
	err := c.Items(context.Background(), q, func(page []lightspeed.Item) error {
		pages++
		items = append(items, page...)
		return nil
	})
	return items, pages, err
}

// smallCatalog has two shops, a tagged matrix with two sizes, and three
// standalone items, one archived.
func smallCatalog() lightspeedtest.Catalog {
	return lightspeedtest.Catalog{
		Shops: []lightspeedtest.Shop{{ShopID: 1, Name: "Downtown"},
			{ShopID: 2, Name: "Mall"}},
		Categories:    []lightspeedtest.Category{{CategoryID: 1, Name: "Mugs"}},
		Manufacturers: []lightspeedtest.Manufacturer{{ManufacturerID: 1, Name: "Acme"}},
		AttributeSets: []lightspeedtest.AttributeSet{{ItemAttributeSetID: 1,
			Name: "Size", AttributeNames: []string{"Size"}}},
		Matrices: []lightspeedtest.Matrix{{ItemMatrixID: 1, Description: "Tee",
			ItemAttributeSetID: 1, DefaultPrice: "20", Tags: []string{"webstore"}}},
		Items: []lightspeedtest.Item{
			{ItemID: 1, Description: "Mug", CustomSKU: "MUG-1", CategoryID: 1,
				ManufacturerID: 1, Prices: map[string]string{"Default": "9.99"},
				Stock: map[int64]int64{1: 3, 2: -2}, Tags: []string{"WebStore"},
				Images: []lightspeedtest.SeedImage{{Filename: "mug.jpg"}}},
			{ItemID: 2, Description: "Plate", CustomSKU: "PLATE",
				Stock: map[int64]int64{1: 1}},
			{ItemID: 3, Description: "Old bowl", Archived: true},
			{ItemID: 4, ItemMatrixID: 1, Description: "Tee S", CustomSKU: "TEE-S",
				Attributes: []string{"S"}, Stock: map[int64]int64{2: 5}},
			{ItemID: 5, ItemMatrixID: 1, Description: "Tee M", CustomSKU: "TEE-M",
				Attributes: []string{"M"}},
		},
	}
}
