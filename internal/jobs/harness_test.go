package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/rs/zerolog"

	"github.com/storesync/storesync/internal/catalog"
	"github.com/storesync/storesync/internal/jobs"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/webstore"
	"github.com/storesync/storesync/internal/webstore/woo"
	"github.com/storesync/storesync/pkg/lightspeed"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
	"github.com/storesync/storesync/pkg/woocommerce"
	"github.com/storesync/storesync/pkg/woocommerce/woocommercetest"
)

// memTokens keeps the token pair in memory.
type memTokens struct {
	mu  sync.Mutex
	tok lightspeed.Token
}

func (m *memTokens) Token(context.Context) (lightspeed.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tok, nil
}

func (m *memTokens) Refresh(_ context.Context, stale lightspeed.Token,
	fn func(lightspeed.Token) (lightspeed.Token, error)) (lightspeed.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok.Access != stale.Access {
		return m.tok, nil
	}
	t, err := fn(m.tok)
	if err != nil {
		return t, err
	}
	m.tok = t
	return t, nil
}

var _ lightspeed.TokenStore = (*memTokens)(nil)

// harness runs the jobs against both emulators and a state file.
type harness struct {
	t   *testing.T
	ls  *lightspeedtest.Server
	wc  *woocommercetest.Server
	st  *state.Store
	env *jobs.Env

	// lsURL and wcURL are where the emulators listen.
	lsURL, wcURL string

	mu sync.Mutex
	// lsHook, when set, sees each Lightspeed request first and may answer
	// it itself by returning true.
	lsHook func(w http.ResponseWriter, r *http.Request) bool
	// fetchHook, when set, may refuse an image download of the web store.
	fetchHook func(src string) error
	// batchOps holds the operations each web-store batch request carried.
	batchOps []int
	// sleeps holds every wait the Lightspeed client asked for.
	sleeps []time.Duration
}

// harnessOptions change the emulators a harness starts.
type harnessOptions struct {
	lsClock func() time.Time // the Lightspeed emulator's clock
}

func fastBackOff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = time.Millisecond
	b.MaxInterval = 5 * time.Millisecond
	b.MaxElapsedTime = 2 * time.Second
	return b
}

func newHarness(t *testing.T, cat lightspeedtest.Catalog) *harness {
	t.Helper()
	return newHarnessWith(t, cat, harnessOptions{})
}

func newHarnessWith(t *testing.T, cat lightspeedtest.Catalog, opts harnessOptions) *harness {
	t.Helper()
	ctx := context.Background()
	h := &harness{t: t}

	h.ls = lightspeedtest.NewServer(lightspeedtest.Options{BucketSize: 10000, DripRate: 1000,
		BurstLimit: 10000, Clock: opts.lsClock})
	h.ls.SeedCatalog(cat)
	lsHTTP := httptest.NewServer(http.HandlerFunc(h.serveLightspeed))
	t.Cleanup(lsHTTP.Close)
	h.lsURL = lsHTTP.URL

	h.wc = woocommercetest.NewServer(woocommercetest.Options{ImageFetcher: h.fetchImage})
	wcHTTP := httptest.NewServer(http.HandlerFunc(h.serveWeb))
	t.Cleanup(wcHTTP.Close)
	h.wcURL = wcHTTP.URL

	st, err := state.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.st = st

	access, refresh := h.ls.IssueTokens()
	lc, err := h.lightspeedClient(&memTokens{tok: lightspeed.Token{Access: access,
		Refresh: refresh, Expiry: time.Now().Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	key, secret := h.wc.Credentials()
	wcl, err := woocommerce.New(woocommerce.Config{BaseURL: wcHTTP.URL, Key: key,
		Secret: secret, NewBackOff: fastBackOff})
	if err != nil {
		t.Fatal(err)
	}

	h.env = &jobs.Env{
		LS:    lc,
		Web:   woo.New(wcl, woo.Options{}),
		State: st,
		Log:   zerolog.Nop(),
		Settings: jobs.Settings{
			Tags:      []string{"webon"},
			Catalog:   catalog.Options{Shops: []int64{1, 2}, PriceLevel: "Default"},
			NewStatus: webstore.Publish,
			Archived:  webstore.Draft,
			BatchSize: 100,
			DryRunOut: io.Discard,
		},
	}
	return h
}

// lightspeedClient returns a client of the Lightspeed emulator over
// tokens whose waits are recorded, not slept.
func (h *harness) lightspeedClient(tokens lightspeed.TokenStore) (*lightspeed.Client, error) {
	return lightspeed.New(lightspeed.Config{
		BaseURL:      h.lsURL,
		TokenURL:     h.lsURL + "/auth/oauth/token",
		AccountID:    "1",
		ClientID:     "sandbox-client",
		ClientSecret: "sandbox-secret",
		Tokens:       tokens,
		NewBackOff:   fastBackOff,
		Sleep: func(ctx context.Context, d time.Duration) error {
			h.mu.Lock()
			h.sleeps = append(h.sleeps, d)
			h.mu.Unlock()
			return ctx.Err()
		},
	})
}

// setLSHook sets or, with nil, removes the Lightspeed request hook.
func (h *harness) setLSHook(fn func(w http.ResponseWriter, r *http.Request) bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lsHook = fn
}

// setFetchHook sets or, with nil, removes the image download hook.
func (h *harness) setFetchHook(fn func(src string) error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fetchHook = fn
}

// takeSleeps returns the waits asked for since the last call.
func (h *harness) takeSleeps() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.sleeps
	h.sleeps = nil
	return out
}

func (h *harness) serveLightspeed(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	hook := h.lsHook
	h.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	h.ls.ServeHTTP(w, r)
}

// serveWeb records how many operations each batch carries.
func (h *harness) serveWeb(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/batch") && r.Method == http.MethodPost {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var b struct {
			Create, Update, Delete []json.RawMessage
		}
		_ = json.Unmarshal(body, &b)
		h.mu.Lock()
		h.batchOps = append(h.batchOps, len(b.Create)+len(b.Update)+len(b.Delete))
		h.mu.Unlock()
	}
	h.wc.ServeHTTP(w, r)
}

func (h *harness) fetchImage(src string) ([]byte, error) {
	h.mu.Lock()
	hook := h.fetchHook
	h.mu.Unlock()
	if hook != nil {
		if err := hook(src); err != nil {
			return nil, err
		}
	}
	resp, err := http.Get(src)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (h *harness) run(name string,
	fn func(context.Context, *jobs.Env) (jobs.Summary, error)) jobs.Summary {
	h.t.Helper()
	sum, err := fn(context.Background(), h.env)
	if err != nil {
		h.t.Fatalf("%s: %v", name, err)
	}
	return sum
}

func (h *harness) tagScan() jobs.Summary {
	return h.run("tag-scan", func(ctx context.Context, e *jobs.Env) (jobs.Summary, error) {
		return jobs.TagScan(ctx, e, false)
	})
}

func (h *harness) tagSync() jobs.Summary {
	return h.run("tag-sync", func(ctx context.Context, e *jobs.Env) (jobs.Summary, error) {
		return jobs.TagSync(ctx, e, jobs.PushOptions{})
	})
}

func (h *harness) sync() jobs.Summary {
	return h.run("sync", jobs.Sync)
}

// webBySKU returns the web products and variations carrying sku.
func (h *harness) webBySKU(sku string) []webItem {
	var out []webItem
	for _, p := range h.wc.Products() {
		if p.SKU == sku {
			out = append(out, webItem{ID: p.ID, Price: deref(p.RegularPrice),
				Stock: derefInt(p.StockQuantity), Status: p.Status, Type: p.Type})
		}
		if p.Type != "variable" {
			continue
		}
		for _, v := range h.wc.Variations(p.ID) {
			if v.SKU == sku {
				out = append(out, webItem{ID: v.ID, Parent: p.ID, Price: deref(v.RegularPrice),
					Stock: derefInt(v.StockQuantity), Status: v.Status})
			}
		}
	}
	return out
}

type webItem struct {
	ID, Parent int64
	Price      string
	Stock      int64
	Status     string
	Type       string
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(n *int64) int64 {
	if n == nil {
		return -1
	}
	return *n
}

// one returns the single web product with sku, failing otherwise.
func (h *harness) one(sku string) webItem {
	h.t.Helper()
	got := h.webBySKU(sku)
	if len(got) != 1 {
		h.t.Fatalf("web store has %d products with SKU %q, want 1", len(got), sku)
	}
	return got[0]
}

func (h *harness) webRequests() int { return h.wc.TotalRequests() }

func (h *harness) lsRequests() int {
	total := 0
	for k, n := range h.ls.Requests() {
		if k != "total" {
			total += n
		}
	}
	return total
}

// smallCatalog has two shops, four standalone items (two tagged, one with a
// tag in other case) and a tagged matrix with two variants.
func smallCatalog() lightspeedtest.Catalog {
	price := func(p string) map[string]string { return map[string]string{"Default": p} }
	return lightspeedtest.Catalog{
		Shops: []lightspeedtest.Shop{{ShopID: 1, Name: "Floor"}, {ShopID: 2, Name: "Back"}},
		Categories: []lightspeedtest.Category{{CategoryID: 1, Name: "Home"},
			{CategoryID: 2, ParentID: 1, Name: "Candles"}},
		Manufacturers: []lightspeedtest.Manufacturer{{ManufacturerID: 1, Name: "Acme"}},
		AttributeSets: []lightspeedtest.AttributeSet{{ItemAttributeSetID: 1, Name: "Size",
			AttributeNames: []string{"Size"}}},
		Matrices: []lightspeedtest.Matrix{{ItemMatrixID: 10, Description: "Varsity Top",
			ItemAttributeSetID: 1, DefaultPrice: "30.00", Tags: []string{"webon"}}},
		Items: []lightspeedtest.Item{
			{ItemID: 1, Description: "WHITE HANGING HEART T-LIGHT HOLDER", CustomSKU: "85123A",
				Prices: price("2.95"), Stock: map[int64]int64{1: 10, 2: 5}, Tags: []string{"webon"},
				CategoryID: 2, ManufacturerID: 1},
			{ItemID: 2, Description: "WHITE METAL LANTERN", CustomSKU: "71053",
				Prices: price("3.39"), Stock: map[int64]int64{1: 4}},
			{ItemID: 3, Description: "CREAM CUPID HEARTS COAT HANGER", CustomSKU: "84406B",
				Prices: price("2.75"), Stock: map[int64]int64{1: 3, 2: -2},
				Tags: []string{"WebOn"}},
			{ItemID: 4, Description: "white hanging heart (lower case twin)", CustomSKU: "85123a",
				Prices: price("6.63"), Stock: map[int64]int64{1: 1}},
			{ItemID: 11, ItemMatrixID: 10, Description: "Varsity Top S", CustomSKU: "VT-S",
				Prices: price("30.00"), Stock: map[int64]int64{1: 2}, Attributes: []string{"S"}},
			{ItemID: 12, ItemMatrixID: 10, Description: "Varsity Top M", CustomSKU: "VT-M",
				Prices: price("30.00"), Stock: map[int64]int64{1: 0, 2: 3},
				Attributes: []string{"M"}},
		},
	}
}
