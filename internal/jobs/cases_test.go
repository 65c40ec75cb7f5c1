package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storesync/storesync/internal/jobs"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/tokens"
	"github.com/storesync/storesync/pkg/lightspeed"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
	"github.com/storesync/storesync/pkg/woocommerce/woocommercetest"
)

// The tests in this file are the cases of the shared cases list, one test
// per case, each named after it.

// smallSKUs are the web SKUs of the Sell-on-Web products of smallCatalog:
// two simple products, a variable parent and its two variations.
var smallSKUs = []string{"85123A", "84406B", "LSM-10", "VT-S", "VT-M"}

// assertOnePerItem fails unless the store holds exactly one product or
// variation per SKU and want products in all.
func assertOnePerItem(t *testing.T, h *harness, skus []string, want int) {
	t.Helper()
	for _, sku := range skus {
		if n := len(h.webBySKU(sku)); n != 1 {
			t.Errorf("web store has %d products with SKU %s, want 1", n, sku)
		}
	}
	if n := len(h.wc.Products()); n != want {
		t.Errorf("web store has %d products, want %d", n, want)
	}
}

// Case retry-duplicate: a web-store batch of three creates commits two and
// then answers 429; the job runs again.
func TestCaseRetryDuplicate(t *testing.T) {
	tests := []struct {
		name string
		path string // the batch that fails
		// committed is what the store holds after the failed batch:
		// products, and variations of the matrix.
		products, variations int
		// rewritten is how many products the second run writes.
		rewritten int
		// images is how many images the products carry, each to be
		// downloaded once.
		images int
	}{
		{"product batch", "/products/batch", 2, 0, 3, 0},
		{"product batch with images", "/products/batch", 2, 0, 3, 4},
		{"variation batch", "/variations/batch", 3, 2, 1, 0},
	}
	skus := append([]string{"VT-L"}, smallSKUs...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := smallCatalog()
			if tt.images > 0 {
				cat = imageCatalog()
			}
			h := newHarness(t, cat)
			_, err := h.ls.AddVariant(10, lightspeedtest.Item{Description: "Varsity Top L",
				CustomSKU: "VT-L", Prices: map[string]string{"Default": "30.00"},
				Stock: map[int64]int64{1: 1}, Attributes: []string{"L"}})
			if err != nil {
				t.Fatal(err)
			}
			h.tagScan()

			h.wc.Inject(woocommercetest.Fault{Path: tt.path,
				Kind: woocommercetest.FaultPartialCommit, CommitFirst: 2,
				Status: http.StatusTooManyRequests, RetryAfter: 1})
			push := jobs.PushOptions{Images: tt.images > 0}
			_, err = jobs.TagSync(context.Background(), h.env, push)
			if !errors.Is(err, jobs.ErrPartial) {
				t.Fatalf("first run: %v, want a partial run", err)
			}
			if n := len(h.wc.Products()); n != tt.products {
				t.Fatalf("store holds %d products after the 429, want %d", n, tt.products)
			}
			if parent, ok := h.wc.ProductBySKU("LSM-10"); ok {
				if n := len(h.wc.Variations(parent.ID)); n != tt.variations {
					t.Fatalf("store holds %d variations after the 429, want %d",
						n, tt.variations)
				}
			}

			// The second run adopts what landed and creates the rest.
			sum, err := jobs.TagSync(context.Background(), h.env, push)
			if err != nil {
				t.Fatalf("second run: %v", err)
			}
			if sum.Created+sum.Updated != tt.rewritten || sum.Failed != 0 {
				t.Errorf("second run wrote %d failed %d, want %d and 0",
					sum.Created+sum.Updated, sum.Failed, tt.rewritten)
			}
			assertOnePerItem(t, h, skus, 3)
			parent := h.one("LSM-10")
			if n := len(h.wc.Variations(parent.ID)); n != 3 {
				t.Errorf("matrix has %d variations, want 3", n)
			}

			if a, b := h.wc.MediaDownloads(), h.wc.MediaCount(); a != tt.images ||
				b != tt.images {
				t.Errorf("store downloaded %d images and holds %d, want %d and %d",
					a, b, tt.images, tt.images)
			}

			// A third run has nothing left to do.
			sum, err = jobs.TagSync(context.Background(), h.env, push)
			if err != nil || sum.Created+sum.Updated+sum.Failed != 0 {
				t.Errorf("third run wrote %d and failed %d (%v), want nothing",
					sum.Created+sum.Updated, sum.Failed, err)
			}
		})
	}
}

// Case crash-before-record: the web store created a product but the state
// file never recorded it; the next run adopts it, images included.
func TestCaseCrashBeforeRecord(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, imageCatalog())
	h.tagScan()
	if _, err := jobs.TagSync(ctx, h.env, jobs.PushOptions{Images: true}); err != nil {
		t.Fatal(err)
	}
	before := map[string]int64{}
	for _, sku := range smallSKUs {
		before[sku] = h.one(sku).ID
	}
	media := h.wc.MediaDownloads()

	// Forget every push, as if the process had died before recording it.
	_, err := h.st.DB.Exec(`UPDATE products SET web_id = 0, web_parent_id = 0,
		pushed_stamp = '', pushed_hash = '', pushed_price = '', pushed_stock = NULL`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.st.DB.Exec(`DELETE FROM images`); err != nil {
		t.Fatal(err)
	}

	sum, err := jobs.TagSync(ctx, h.env, jobs.PushOptions{Images: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 0 || sum.Updated != 3 || sum.Failed != 0 {
		t.Errorf("run after the crash created %d updated %d failed %d, want 0, 3, 0",
			sum.Created, sum.Updated, sum.Failed)
	}
	assertOnePerItem(t, h, smallSKUs, 3)
	for _, sku := range smallSKUs {
		if got := h.one(sku).ID; got != before[sku] {
			t.Errorf("%s is web product %d, want the adopted %d", sku, got, before[sku])
		}
	}
	p, err := h.st.Get(ctx, state.Key{Kind: "item", ID: 11})
	if err != nil {
		t.Fatal(err)
	}
	if p.WebID != before["VT-S"] || p.WebParentID != before["LSM-10"] {
		t.Errorf("variant 11 recorded as %d under %d, want %d under %d",
			p.WebID, p.WebParentID, before["VT-S"], before["LSM-10"])
	}

	// The adopted products keep the images they have.
	if got := h.wc.MediaDownloads(); got != media {
		t.Errorf("adopting made the store download %d images again", got-media)
	}
	if n := h.wc.MediaCount(); n != 4 {
		t.Errorf("the store's media library holds %d items, want 4", n)
	}
}

// imageCatalog is smallCatalog with an image on each Sell-on-Web product:
// a PNG on item 3, JPEGs on the others.
func imageCatalog() lightspeedtest.Catalog {
	c := smallCatalog()
	for i := range c.Items {
		switch c.Items[i].ItemID {
		case 1:
			c.Items[i].Images = []lightspeedtest.SeedImage{{Filename: "heart.jpg"},
				{Filename: "heart-side.jpg"}}
		case 3:
			c.Items[i].Images = []lightspeedtest.SeedImage{{Filename: "cupid.png"}}
		}
	}
	c.Matrices[0].Images = []lightspeedtest.SeedImage{{Filename: "varsity.jpg"}}
	return c
}

// deleteWeb deletes for good a web product, or a variation of parent when
// parent is not 0, as a retailer may in the store's admin.
func (h *harness) deleteWeb(parent, id int64) {
	h.t.Helper()
	path := fmt.Sprintf("/products/%d", id)
	if parent != 0 {
		path = fmt.Sprintf("/products/%d/variations/%d", parent, id)
	}
	req, err := http.NewRequest(http.MethodDelete,
		h.wcURL+"/wp-json/wc/v3"+path+"?force=true", nil)
	if err != nil {
		h.t.Fatal(err)
	}
	key, secret := h.wc.Credentials()
	req.SetBasicAuth(key, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("delete web product %s: HTTP %d", path, resp.StatusCode)
	}
}

// sellThree sells one of items 1 and 3 in shop 1 and of variant 12 in
// shop 2, after a first tag-sync.
func sellThree(h *harness) {
	h.t.Helper()
	for _, sale := range [][2]int64{{1, 1}, {3, 1}, {12, 2}} {
		if err := h.ls.Sell(sale[0], sale[1], 1); err != nil {
			h.t.Fatal(err)
		}
	}
}

// Case ok-with-errors: a batch answers 200 with an error object on one
// item; that item is counted failed and retried next run, the others done.
func TestCaseOKWithErrors(t *testing.T) {
	ctx := context.Background()
	fullPush := func(h *harness) (jobs.Summary, error) {
		return jobs.TagSync(ctx, h.env, jobs.PushOptions{Images: true})
	}
	syncRun := func(h *harness) (jobs.Summary, error) { return jobs.Sync(ctx, h.env) }
	unsold := map[string]int64{"85123A": 15, "84406B": 3, "VT-S": 2, "VT-M": 3}
	sold := map[string]int64{"85123A": 14, "84406B": 2, "VT-S": 2, "VT-M": 2}
	tests := []struct {
		name string
		// spoil arranges the error after tag-scan.
		spoil func(h *harness)
		// run is the job whose batch carries the error; it writes done
		// products and fails the one of failed.
		run    func(h *harness) (jobs.Summary, error)
		done   int
		failed state.Key
		// The next full push creates and updates this many products,
		// after which the store holds stock.
		created, updated int
		stock            map[string]int64
	}{
		{
			name: "create whose image the store cannot fetch",
			spoil: func(h *harness) {
				failed := false
				h.setFetchHook(func(src string) error {
					if strings.HasSuffix(src, ".png") && !failed {
						failed = true
						return errors.New("connection reset by peer")
					}
					return nil
				})
			},
			run:     fullPush,
			done:    2,
			failed:  state.Key{Kind: "item", ID: 3},
			created: 1,
			stock:   unsold,
		},
		{
			name: "stock of a product deleted in the store",
			spoil: func(h *harness) {
				h.tagSync()
				h.deleteWeb(0, h.one("84406B").ID)
				sellThree(h)
			},
			run:     syncRun,
			done:    2,
			failed:  state.Key{Kind: "item", ID: 3},
			created: 1,
			stock:   sold,
		},
		{
			name: "stock of a variation deleted in the store",
			spoil: func(h *harness) {
				h.tagSync()
				v := h.one("VT-M")
				h.deleteWeb(v.Parent, v.ID)
				sellThree(h)
			},
			run:     syncRun,
			done:    2,
			failed:  state.Key{Kind: "item", ID: 12},
			updated: 1,
			stock:   sold,
		},
		{
			name: "stock of a variable product deleted in the store",
			spoil: func(h *harness) {
				h.tagSync()
				h.deleteWeb(0, h.one("LSM-10").ID)
				sellThree(h)
			},
			run:     syncRun,
			done:    2,
			failed:  state.Key{Kind: "item", ID: 12},
			created: 1,
			stock:   sold,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, imageCatalog())
			h.tagScan()
			tt.spoil(h)

			sum, err := tt.run(h)
			if !errors.Is(err, jobs.ErrPartial) {
				t.Fatalf("run: %v, want a partial run", err)
			}
			if sum.Created+sum.Updated != tt.done || sum.Failed != 1 {
				t.Errorf("run wrote %d and failed %d, want %d and 1",
					sum.Created+sum.Updated, sum.Failed, tt.done)
			}
			p, err := h.st.Get(ctx, tt.failed)
			if err != nil {
				t.Fatal(err)
			}
			if p.LastError == "" {
				t.Errorf("%s failed but its row records no error", tt.failed)
			}

			// The next full push retries what failed, and only that.
			sum, err = fullPush(h)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if sum.Created != tt.created || sum.Updated != tt.updated || sum.Failed != 0 {
				t.Errorf("retry created %d updated %d failed %d, want %d, %d, 0",
					sum.Created, sum.Updated, sum.Failed, tt.created, tt.updated)
			}
			assertOnePerItem(t, h, smallSKUs, 3)
			for sku, n := range tt.stock {
				if got := h.one(sku).Stock; got != n {
					t.Errorf("%s stock %d after the retry, want %d", sku, got, n)
				}
			}
		})
	}
}

// bigMatrixCatalog has one tagged matrix with n variants, sizes 1 to n,
// of SKUs BM-1 to BM-n and five in stock each in shop 1.
func bigMatrixCatalog(n int) lightspeedtest.Catalog {
	c := lightspeedtest.Catalog{
		Shops: []lightspeedtest.Shop{{ShopID: 1, Name: "Floor"}},
		AttributeSets: []lightspeedtest.AttributeSet{{ItemAttributeSetID: 1, Name: "Size",
			AttributeNames: []string{"Size"}}},
		Matrices: []lightspeedtest.Matrix{{ItemMatrixID: 7, Description: "Big Matrix",
			ItemAttributeSetID: 1, DefaultPrice: "9.00", Tags: []string{"webon"}}},
	}
	for i := 1; i <= n; i++ {
		c.Items = append(c.Items, lightspeedtest.Item{ItemID: int64(1000 + i),
			ItemMatrixID: 7, Description: fmt.Sprintf("Big Matrix %d", i),
			CustomSKU: fmt.Sprintf("BM-%d", i), Prices: map[string]string{"Default": "9.00"},
			Stock: map[int64]int64{1: 5}, Attributes: []string{fmt.Sprint(i)}})
	}
	return c
}

// postBatch sends a raw batch of ops delete operations to the web store
// and returns the status.
func (h *harness) postBatch(ops int) int {
	h.t.Helper()
	ids := make([]int, ops)
	for i := range ids {
		ids[i] = 900000 + i
	}
	body, err := json.Marshal(map[string][]int{"delete": ids})
	if err != nil {
		h.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, h.wcURL+"/wp-json/wc/v3/products/batch",
		bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	key, secret := h.wc.Credentials()
	req.SetBasicAuth(key, secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// maxBatch returns the most operations a web-store batch carried since
// the last call, and how many batches there were.
func (h *harness) maxBatch() (most, batches int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range h.batchOps {
		most = max(most, n)
	}
	batches = len(h.batchOps)
	h.batchOps = nil
	return most, batches
}

// Case batch-limit: a matrix with 150 variants; no request carries more
// than 100 operations.
func TestCaseBatchLimit(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, bigMatrixCatalog(150))
	h.env.Settings.Catalog.Shops = []int64{1}

	// The emulated store refuses what a real one refuses.
	if got := h.postBatch(101); got != http.StatusRequestEntityTooLarge {
		t.Fatalf("a batch of 101 operations got HTTP %d, want 413", got)
	}
	if got := h.postBatch(100); got != http.StatusOK {
		t.Fatalf("a batch of 100 operations got HTTP %d, want 200", got)
	}
	h.maxBatch()

	runs := []struct {
		name    string
		prepare func()
		run     func() (jobs.Summary, error)
		written int // products, or variations for sync
		batches int
	}{
		{
			name:    "tag-sync creates",
			prepare: func() { h.tagScan() },
			run: func() (jobs.Summary, error) {
				return jobs.TagSync(ctx, h.env, jobs.PushOptions{})
			},
			written: 1,
			batches: 3, // the parent, then variations 100 and 50
		},
		{
			name: "sync after a sale of each variant",
			prepare: func() {
				for i := int64(1001); i <= 1150; i++ {
					if err := h.ls.Sell(i, 1, 1); err != nil {
						t.Fatal(err)
					}
				}
			},
			run:     func() (jobs.Summary, error) { return jobs.Sync(ctx, h.env) },
			written: 150,
			batches: 2,
		},
		{
			name:    "sync-all --reconcile after the sale",
			prepare: func() {},
			run: func() (jobs.Summary, error) {
				return jobs.TagSync(ctx, h.env, jobs.PushOptions{Images: true,
					Reconcile: true})
			},
			written: 1,
			batches: 3,
		},
	}
	for _, r := range runs {
		r.prepare()
		sum, err := r.run()
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if got := sum.Created + sum.Updated; got != r.written || sum.Failed != 0 {
			t.Errorf("%s wrote %d failed %d, want %d and 0", r.name, got, sum.Failed,
				r.written)
		}
		most, batches := h.maxBatch()
		if most > 100 || batches != r.batches {
			t.Errorf("%s sent %d batches of at most %d operations, want %d of "+
				"at most 100", r.name, batches, most, r.batches)
		}
	}

	parent := h.one("LSM-7")
	vs := h.wc.Variations(parent.ID)
	if len(vs) != 150 {
		t.Fatalf("the variable product has %d variations, want 150", len(vs))
	}
	for _, v := range vs {
		if derefInt(v.StockQuantity) != 4 {
			t.Errorf("variation %s stock %d, want 4", v.SKU, derefInt(v.StockQuantity))
			break
		}
	}
}

// Case rate-storm: Lightspeed answers 429 five times in a row with
// Retry-After: 2 in the middle of a run; the run waits, carries on and
// finishes with nothing skipped.
func TestCaseRateStorm(t *testing.T) {
	h := newHarness(t, smallCatalog())
	h.tagScan()
	h.takeSleeps()

	// The item feed is read first; the storm hits the matrix feed after it.
	h.ls.Inject(lightspeedtest.Fault{Path: "/ItemMatrix.json", Kind: lightspeedtest.Fault429,
		Count: 5, RetryAfter: 2})
	before := h.ls.Requests()
	sum := h.tagSync()
	after := h.ls.Requests()
	sleeps := h.takeSleeps()

	if got := after["Item"] - before["Item"]; got < 2 {
		t.Errorf("tag-sync read items %d times, want the feed and the full read", got)
	}
	if got := after["ItemMatrix"] - before["ItemMatrix"]; got != 7 {
		t.Errorf("tag-sync read matrices %d times, want 5 refused, the feed and the "+
			"full read", got)
	}
	if len(sleeps) != 5 {
		t.Errorf("the client waited %d times (%v), want 5", len(sleeps), sleeps)
	}
	for i, d := range sleeps {
		if d < 2*time.Second {
			t.Errorf("wait %d was %v, want at least the 2s of Retry-After", i+1, d)
		}
	}
	if sum.Created != 3 || sum.Failed != 0 || sum.Skipped != 0 {
		t.Errorf("created %d failed %d skipped %d, want 3, 0, 0",
			sum.Created, sum.Failed, sum.Skipped)
	}
	assertOnePerItem(t, h, smallSKUs, 3)
}

// manyItemsCatalog has n tagged standalone items, 1 to n, five in stock
// each in the only shop.
func manyItemsCatalog(n int) lightspeedtest.Catalog {
	c := lightspeedtest.Catalog{Shops: []lightspeedtest.Shop{{ShopID: 1, Name: "Floor"}}}
	for i := 1; i <= n; i++ {
		c.Items = append(c.Items, lightspeedtest.Item{ItemID: int64(i),
			Description: fmt.Sprintf("Item %d", i), CustomSKU: fmt.Sprintf("MI-%d", i),
			Prices: map[string]string{"Default": "4.00"}, Stock: map[int64]int64{1: 5},
			Tags: []string{"webon"}})
	}
	return c
}

// stepClock is a clock that stands still until told to move.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Case cursor-failure: a feed request fails after others in the same run
// succeeded; the cursor does not move past what was not read.
func TestCaseCursorFailure(t *testing.T) {
	ctx := context.Background()
	const n = 120
	tests := []struct {
		name   string
		feed   string // the path whose second page fails
		cursor string
		status int
		// change edits item i on the shop floor.
		change func(h *harness, i int64) error
		// price and stock every web product shows in the end.
		price string
		stock int64
	}{
		{"stock feed, persistent 500", "/ItemShop.json", "sync.stock",
			http.StatusInternalServerError,
			func(h *harness, i int64) error { return h.ls.Sell(i, 1, 1) }, "4.00", 4},
		{"stock feed, 400", "/ItemShop.json", "sync.stock", http.StatusBadRequest,
			func(h *harness, i int64) error { return h.ls.Sell(i, 1, 1) }, "4.00", 4},
		{"price feed, persistent 500", "/Item.json", "sync.prices",
			http.StatusInternalServerError,
			func(h *harness, i int64) error { return h.ls.SetPrice(i, "Default", "4.50") },
			"4.50", 5},
		{"price feed, 400", "/Item.json", "sync.prices", http.StatusBadRequest,
			func(h *harness, i int64) error { return h.ls.SetPrice(i, "Default", "4.50") },
			"4.50", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := time.Now().UTC().Truncate(time.Second)
			clock := &stepClock{now: base}
			h := newHarnessWith(t, manyItemsCatalog(n), harnessOptions{lsClock: clock.Now})
			h.env.Settings.Catalog.Shops = []int64{1}
			h.tagScan()
			if sum := h.tagSync(); sum.Created != n {
				t.Fatalf("tag-sync created %d, want %d", sum.Created, n)
			}

			// Each change gets its own second, ten minutes on.
			start := base.Add(10 * time.Minute)
			for i := int64(1); i <= n; i++ {
				clock.Set(start.Add(time.Duration(i) * time.Second))
				if err := tt.change(h, i); err != nil {
					t.Fatal(err)
				}
			}

			// Every request for a page after the first fails.
			var refused atomic.Int32
			h.setLSHook(func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, tt.feed) || !r.URL.Query().Has("after") {
					return false
				}
				refused.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				fmt.Fprintf(w, `{"httpCode":"%d","message":"page refused"}`, tt.status)
				return true
			})
			if _, err := jobs.Sync(ctx, h.env); err == nil || errors.Is(err, jobs.ErrPartial) {
				t.Fatalf("sync with a page refused: %v, want a failed run", err)
			}
			if tt.status == http.StatusBadRequest && refused.Load() != 1 {
				t.Errorf("a 400 was asked %d times, want once", refused.Load())
			}
			got, err := h.st.Cursor(ctx, tt.cursor)
			if err != nil {
				t.Fatal(err)
			}
			if pageOne := start.Add(100 * time.Second); !got.Equal(pageOne) {
				t.Errorf("cursor %s, want the last row of page 1, %s", got, pageOne)
			}

			// The next run reads the rest and pushes every change.
			h.setLSHook(nil)
			sum := h.sync()
			if sum.Updated != n || sum.Failed != 0 {
				t.Errorf("next sync updated %d failed %d, want %d and 0",
					sum.Updated, sum.Failed, n)
			}
			for i := 1; i <= n; i++ {
				sku := fmt.Sprintf("MI-%d", i)
				if p := h.one(sku); p.Price != tt.price || p.Stock != tt.stock {
					t.Fatalf("%s: price %s stock %d, want %s and %d", sku, p.Price,
						p.Stock, tt.price, tt.stock)
				}
			}
			got, err = h.st.Cursor(ctx, tt.cursor)
			if err != nil {
				t.Fatal(err)
			}
			if want := start.Add(n * time.Second); !got.Equal(want) {
				t.Errorf("cursor after the second run %s, want the last change %s", got, want)
			}
		})
	}
}

// Case media-reuse: sync-all twice on an unchanged product with images;
// no image is downloaded again, nor after an edit that moves only an
// image's timeStamp.
func TestCaseMediaReuse(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, imageCatalog())
	h.tagScan()
	syncAll := func() jobs.Summary {
		t.Helper()
		sum, err := jobs.TagSync(ctx, h.env, jobs.PushOptions{Images: true})
		if err != nil {
			t.Fatalf("sync-all: %v", err)
		}
		return sum
	}
	webImages := func(sku string) []int64 {
		p, ok := h.wc.ProductBySKU(sku)
		if !ok {
			t.Fatalf("no web product %s", sku)
		}
		var ids []int64
		for _, im := range p.Images {
			ids = append(ids, im.ID)
		}
		return ids
	}

	// The first run uploads the four images once each.
	if sum := syncAll(); sum.Created != 3 {
		t.Fatalf("first sync-all created %d, want 3", sum.Created)
	}
	media, fetched := h.wc.MediaDownloads(), h.ls.ImageDownloads()
	if media != 4 || fetched != 4 {
		t.Fatalf("first sync-all: store downloaded %d, Lightspeed served %d, want 4 and 4",
			media, fetched)
	}
	heart := webImages("85123A")
	if len(heart) != 2 {
		t.Fatalf("85123A has images %v, want 2", heart)
	}

	// The second run has nothing to write and downloads nothing.
	if sum := syncAll(); sum.Created+sum.Updated != 0 {
		t.Errorf("second sync-all wrote %d products, want 0", sum.Created+sum.Updated)
	}

	// An edit that moves only an image's timeStamp makes its product
	// pending; it is written again with the media it already has.
	imgs, err := h.st.Images(ctx, state.Key{Kind: "item", ID: 1})
	if err != nil || len(imgs) != 2 {
		t.Fatalf("state holds images %v (%v) of item 1, want 2", imgs, err)
	}
	for id := range imgs {
		if err := h.ls.SetImageDescription(id, "new caption"); err != nil {
			t.Fatal(err)
		}
	}
	if sum := syncAll(); sum.Created != 0 || sum.Updated != 1 || sum.Failed != 0 {
		t.Errorf("sync-all after an image edit created %d updated %d failed %d, "+
			"want 0, 1, 0", sum.Created, sum.Updated, sum.Failed)
	}

	// Nor does --reconcile, which reads every product again.
	sum, err := jobs.TagSync(ctx, h.env, jobs.PushOptions{Images: true, Reconcile: true})
	if err != nil || sum.Updated != 0 || sum.Unchanged != 3 {
		t.Errorf("sync-all --reconcile updated %d, found %d unchanged (%v), want 0 and 3",
			sum.Updated, sum.Unchanged, err)
	}
	if a, b := h.wc.MediaDownloads(), h.ls.ImageDownloads(); a != media || b != fetched {
		t.Errorf("after two more runs the store downloaded %d, Lightspeed served %d; "+
			"want still %d and %d", a, b, media, fetched)
	}
	if got := webImages("85123A"); fmt.Sprint(got) != fmt.Sprint(heart) {
		t.Errorf("85123A images are %v, want the same media %v", got, heart)
	}
	if n := h.wc.MediaCount(); n != 4 {
		t.Errorf("the store's media library holds %d items, want 4", n)
	}
}

// postRefresh asks the Lightspeed emulator's token endpoint for a new pair
// with refresh and returns the status.
func (h *harness) postRefresh(refresh string) int {
	h.t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh},
		"client_id": {"sandbox-client"}, "client_secret": {"sandbox-secret"}}
	resp, err := http.PostForm(h.lsURL+"/auth/oauth/token", form)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Case token-rotation: the answer to a token refresh is lost once; the
// refresh is asked again and the chain of refresh tokens survives.
func TestCaseTokenRotation(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, smallCatalog())
	store := tokens.New(h.st, filepath.Join(t.TempDir(), "state.db.token.lock"))
	access, refresh := h.ls.IssueTokens()
	expire := func() {
		t.Helper()
		_, err := h.st.DB.Exec(`UPDATE tokens SET expiry = ?`,
			time.Now().Add(-time.Minute).UTC().Format(time.RFC3339))
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Save(ctx, lightspeed.Token{Access: access, Refresh: refresh,
		Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	expire()

	// Each run is a new process: a new client over the same state file.
	runs := []struct {
		name  string
		fault bool
		job   func() (jobs.Summary, error)
		// asks is how many token requests the run makes.
		asks int
	}{
		{"tag-scan, refresh answer lost", true,
			func() (jobs.Summary, error) { return jobs.TagScan(ctx, h.env, false) }, 2},
		{"tag-sync, token expired again", false,
			func() (jobs.Summary, error) {
				return jobs.TagSync(ctx, h.env, jobs.PushOptions{})
			}, 1},
	}
	prev := refresh
	for _, r := range runs {
		lc, err := h.lightspeedClient(store)
		if err != nil {
			t.Fatal(err)
		}
		h.env.LS = lc
		if r.fault {
			h.ls.Inject(lightspeedtest.Fault{Kind: lightspeedtest.FaultLostRefresh})
		}
		asked := h.ls.Requests()["token"]
		if _, err := r.job(); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if got := h.ls.Requests()["token"] - asked; got != r.asks {
			t.Errorf("%s asked for tokens %d times, want %d", r.name, got, r.asks)
		}
		tok, err := store.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Refresh == prev || !tok.Expiry.After(time.Now()) {
			t.Errorf("%s left refresh token %q expiring %s, want a new one",
				r.name, tok.Refresh, tok.Expiry)
		}
		// The refresh token traded in is revoked once the new access token
		// is used, so only the stored pair carries the chain on.
		if got := h.postRefresh(prev); got != http.StatusBadRequest {
			t.Errorf("%s: the refresh token traded in answers HTTP %d, want 400",
				r.name, got)
		}
		prev = tok.Refresh
		expire()
	}
	if n := len(h.wc.Products()); n != 3 {
		t.Errorf("the runs published %d products, want 3", n)
	}

	// The stored refresh token still works.
	if got := h.postRefresh(prev); got != http.StatusOK {
		t.Errorf("the stored refresh token answers HTTP %d, want 200", got)
	}
}

// Case stamp-only-stock: a sale changes stock and leaves the item's own
// timeStamp where it was; sync still pushes the new stock. See also
// TestSyncPushesStockAfterASaleWithoutItemStampMoving.
func TestCaseStampOnlyStock(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		item, shop  int64
		qty         int64
		sku         string
		stock       int64 // in the web store after sync
		updated     int
		webRequests int
		lsRequests  int // Lightspeed requests of the run
	}{
		{"simple item", 1, 1, 4, "85123A", 11, 1, 1, 2},
		{"variant", 12, 2, 1, "VT-M", 2, 1, 1, 2},
		// Shop 2 is already below zero: the sellable stock does not move.
		{"shop already negative", 3, 2, 1, "84406B", 3, 0, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, smallCatalog())
			h.tagScan()
			h.tagSync()
			h.sync()
			key := state.Key{Kind: "item", ID: tt.item}
			before, err := h.st.Get(ctx, key)
			if err != nil {
				t.Fatal(err)
			}

			if err := h.ls.Sell(tt.item, tt.shop, tt.qty); err != nil {
				t.Fatal(err)
			}
			web, ls := h.webRequests(), h.lsRequests()
			sum := h.sync()
			if sum.Updated != tt.updated || sum.Failed != 0 {
				t.Errorf("sync updated %d failed %d, want %d and 0",
					sum.Updated, sum.Failed, tt.updated)
			}
			if got := h.one(tt.sku).Stock; got != tt.stock {
				t.Errorf("%s stock %d, want %d", tt.sku, got, tt.stock)
			}
			if got := h.webRequests() - web; got != tt.webRequests {
				t.Errorf("sync made %d web requests, want %d", got, tt.webRequests)
			}
			if got := h.lsRequests() - ls; got != tt.lsRequests {
				t.Errorf("sync made %d Lightspeed requests, want %d", got, tt.lsRequests)
			}
			after, err := h.st.Get(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if after.Stamp != before.Stamp {
				t.Errorf("the sale moved item %d's timeStamp from %s to %s",
					tt.item, before.Stamp, after.Stamp)
			}

			// Nothing is left to push.
			if sum := h.sync(); sum.Updated != 0 {
				t.Errorf("a second sync updated %d", sum.Updated)
			}
		})
	}
}
