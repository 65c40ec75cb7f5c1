package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/storesync/storesync/internal/jobs"
	"github.com/storesync/storesync/internal/state"
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
	}{
		{"product batch", "/products/batch", 2, 0, 3},
		{"variation batch", "/variations/batch", 3, 2, 1},
	}
	skus := append([]string{"VT-L"}, smallSKUs...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, smallCatalog())
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
			_, err = jobs.TagSync(context.Background(), h.env, jobs.PushOptions{})
			if !errors.Is(err, jobs.ErrPartial) {
				t.Fatalf("first tag-sync: %v, want a partial run", err)
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
			sum := h.tagSync()
			if sum.Created+sum.Updated != tt.rewritten || sum.Failed != 0 {
				t.Errorf("second run wrote %d failed %d, want %d and 0",
					sum.Created+sum.Updated, sum.Failed, tt.rewritten)
			}
			assertOnePerItem(t, h, skus, 3)
			parent := h.one("LSM-10")
			if n := len(h.wc.Variations(parent.ID)); n != 3 {
				t.Errorf("matrix has %d variations, want 3", n)
			}

			// A third run has nothing left to do.
			sum = h.tagSync()
			if sum.Created+sum.Updated+sum.Failed != 0 {
				t.Errorf("third run wrote %d and failed %d, want nothing",
					sum.Created+sum.Updated, sum.Failed)
			}
		})
	}
}

// Case crash-before-record: the web store created a product but the state
// file never recorded it; the next run adopts it.
func TestCaseCrashBeforeRecord(t *testing.T) {
	h := newHarness(t, smallCatalog())
	h.tagScan()
	h.tagSync()
	before := map[string]int64{}
	for _, sku := range smallSKUs {
		before[sku] = h.one(sku).ID
	}

	// Forget every push, as if the process had died before recording it.
	_, err := h.st.DB.Exec(`UPDATE products SET web_id = 0, web_parent_id = 0,
		pushed_stamp = '', pushed_hash = '', pushed_price = '', pushed_stock = NULL`)
	if err != nil {
		t.Fatal(err)
	}

	sum := h.tagSync()
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
	p, err := h.st.Get(context.Background(), state.Key{Kind: "item", ID: 11})
	if err != nil {
		t.Fatal(err)
	}
	if p.WebID != before["VT-S"] || p.WebParentID != before["LSM-10"] {
		t.Errorf("variant 11 recorded as %d under %d, want %d under %d",
			p.WebID, p.WebParentID, before["VT-S"], before["LSM-10"])
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
				h.fetchHook = func(src string) error {
					if strings.HasSuffix(src, ".png") && !failed {
						failed = true
						return errors.New("connection reset by peer")
					}
					return nil
				}
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
