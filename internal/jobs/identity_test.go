package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/storesync/storesync/internal/jobs"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/pkg/woocommerce"
)

// createByHand makes a web product as the retailer would in the store's
// admin, optionally carrying a Lightspeed item id.
func (h *harness) createByHand(sku, price string, lsItem string) int64 {
	h.t.Helper()
	p := woocommerce.Product{Name: "Made by hand " + sku, Type: "simple", SKU: sku,
		RegularPrice: &price}
	if lsItem != "" {
		p.MetaData = []woocommerce.Meta{{Key: "lightspeed_item_id", Value: lsItem}}
	}
	res, err := h.webClient().BatchProducts(context.Background(),
		woocommerce.Batch[woocommerce.Product]{Create: []woocommerce.Product{p}})
	if err != nil || len(res.Create) != 1 || res.Create[0].Err != nil {
		h.t.Fatalf("create %s by hand: %v %+v", sku, err, res)
	}
	return res.Create[0].Value.ID
}

func TestExistingWebProductIsAdoptedNotDuplicated(t *testing.T) {
	h := newHarness(t, smallCatalog())
	// The store already sells 85123A, made by hand before storesync.
	id := h.createByHand("85123A", "9.99", "")
	h.tagScan()
	sum := h.tagSync()

	got := h.one("85123A")
	if got.ID != id {
		t.Errorf("85123A is web product %d, want the existing %d", got.ID, id)
	}
	if got.Price != "2.95" || got.Stock != 15 {
		t.Errorf("adopted product has price %s stock %d, want Lightspeed's 2.95 and 15",
			got.Price, got.Stock)
	}
	if sum.Failed != 0 {
		t.Errorf("failed %d", sum.Failed)
	}
	p, err := h.st.Get(context.Background(), state.Key{Kind: "item", ID: 1})
	if err != nil || p.WebID != id {
		t.Errorf("state records web id %d (%v), want %d", p.WebID, err, id)
	}
}

func TestSKUOwnedByAnotherItemIsAConflict(t *testing.T) {
	h := newHarness(t, smallCatalog())
	// 85123A belongs in the store to some other Lightspeed item.
	foreign := h.createByHand("85123A", "9.99", "999")
	h.tagScan()

	sum, err := jobs.TagSync(context.Background(), h.env, jobs.PushOptions{})
	if !errors.Is(err, jobs.ErrPartial) || sum.Failed != 1 || sum.Created != 2 {
		t.Fatalf("tag-sync: %v, created %d failed %d; want partial, 2 and 1",
			err, sum.Created, sum.Failed)
	}
	got := h.webBySKU("85123A")
	if len(got) != 1 || got[0].ID != foreign || got[0].Price != "9.99" {
		t.Errorf("the other item's product was changed or duplicated: %+v", got)
	}
	p, err := h.st.Get(context.Background(), state.Key{Kind: "item", ID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.LastError, "another product") || p.WebID != 0 {
		t.Errorf("state row: web id %d, error %q; want no web id and the conflict",
			p.WebID, p.LastError)
	}

	// It stays a conflict, and nothing is created, run after run.
	if _, err := jobs.TagSync(context.Background(), h.env, jobs.PushOptions{}); err == nil {
		t.Error("a second run succeeded over a conflict")
	}
	if n := len(h.webBySKU("85123A")); n != 1 {
		t.Errorf("%d products with SKU 85123A after a second run, want 1", n)
	}
}
