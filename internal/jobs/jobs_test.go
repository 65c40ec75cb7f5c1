package jobs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/jobs"
	"github.com/storesync/storesync/internal/state"
)

func TestTagScanMarksTaggedItemsAndMatrixVariants(t *testing.T) {
	h := newHarness(t, smallCatalog())
	sum := h.tagScan()

	want := map[state.Key]bool{
		{Kind: "item", ID: 1}: true, {Kind: "item", ID: 2}: false,
		{Kind: "item", ID: 3}: true, {Kind: "item", ID: 4}: false,
		{Kind: "item", ID: 11}: true, {Kind: "item", ID: 12}: true,
		{Kind: "matrix", ID: 10}: true,
	}
	for k, on := range want {
		p, err := h.st.Get(context.Background(), k)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if p.SellOnWeb != on {
			t.Errorf("%s: Sell on Web = %v, want %v", k, p.SellOnWeb, on)
		}
	}
	if sum.Flagged != 5 {
		t.Errorf("flagged %d, want 5", sum.Flagged)
	}
}

func TestTagSyncPublishesMarkedProductsOnce(t *testing.T) {
	h := newHarness(t, smallCatalog())
	h.tagScan()
	sum := h.tagSync()
	if sum.Created != 3 || sum.Failed != 0 {
		t.Fatalf("created %d failed %d, want 3 and 0", sum.Created, sum.Failed)
	}

	// Stock is the sellable sum of shops 1 and 2, never negative per shop.
	tests := []struct {
		sku   string
		price string
		stock int64
	}{
		{"85123A", "2.95", 15},
		{"84406B", "2.75", 3},
		{"VT-S", "30.00", 2},
		{"VT-M", "30.00", 3},
	}
	for _, tt := range tests {
		got := h.one(tt.sku)
		if got.Price != tt.price || got.Stock != tt.stock {
			t.Errorf("%s: price %s stock %d, want %s and %d", tt.sku, got.Price, got.Stock,
				tt.price, tt.stock)
		}
	}
	parent := h.one("LSM-10")
	if parent.Type != "variable" {
		t.Errorf("matrix pushed as %q, want variable", parent.Type)
	}
	for _, sku := range []string{"71053", "85123a"} {
		if n := len(h.webBySKU(sku)); n != 0 {
			t.Errorf("%s is not Sell on Web but the store has %d", sku, n)
		}
	}

	// The state file remembers where each product went.
	p, err := h.st.Get(context.Background(), state.Key{Kind: "item", ID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if p.WebID != h.one("85123A").ID || p.PushedStamp == "" || p.PushedStamp != p.Stamp {
		t.Errorf("state row %+v does not record the push", p)
	}
}

func TestSecondRunsWithNothingChangedWriteNothing(t *testing.T) {
	h := newHarness(t, smallCatalog())
	h.tagScan()
	h.tagSync()
	h.sync()

	web := h.webRequests()
	ls := h.lsRequests()
	sum := h.sync()
	if got := h.webRequests() - web; got != 0 {
		t.Errorf("idle sync made %d web-store requests, want 0", got)
	}
	if got := h.lsRequests() - ls; got != 2 {
		t.Errorf("idle sync made %d Lightspeed requests, want 2", got)
	}
	if sum.Updated != 0 {
		t.Errorf("idle sync updated %d", sum.Updated)
	}

	web = h.webRequests()
	sum = h.tagSync()
	if got := h.webRequests() - web; got != 0 || sum.Created+sum.Updated != 0 {
		t.Errorf("idle tag-sync made %d web requests, %d writes", got, sum.Created+sum.Updated)
	}
}

func TestSyncPushesStockAfterASaleWithoutItemStampMoving(t *testing.T) {
	h := newHarness(t, smallCatalog())
	h.tagScan()
	h.tagSync()
	before, err := h.st.Get(context.Background(), state.Key{Kind: "item", ID: 1})
	if err != nil {
		t.Fatal(err)
	}

	if err := h.ls.Sell(1, 1, 4); err != nil {
		t.Fatal(err)
	}
	if err := h.ls.Sell(12, 2, 1); err != nil {
		t.Fatal(err)
	}
	h.sync()

	if got := h.one("85123A").Stock; got != 11 {
		t.Errorf("85123A stock %d after selling 4 of 15, want 11", got)
	}
	if got := h.one("VT-M").Stock; got != 2 {
		t.Errorf("VT-M stock %d after selling 1 of 3, want 2", got)
	}
	after, err := h.st.Get(context.Background(), state.Key{Kind: "item", ID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if after.Stamp != before.Stamp {
		t.Errorf("a sale moved the item timeStamp from %s to %s", before.Stamp, after.Stamp)
	}
}

func TestSyncPushesPriceChanges(t *testing.T) {
	h := newHarness(t, smallCatalog())
	h.tagScan()
	h.tagSync()

	if err := h.ls.SetPrice(3, "Default", "3.10"); err != nil {
		t.Fatal(err)
	}
	sum := h.sync()
	if got := h.one("84406B").Price; got != "3.10" {
		t.Errorf("price %s, want 3.10", got)
	}
	if sum.Updated != 1 {
		t.Errorf("updated %d, want 1", sum.Updated)
	}
}

func TestSyncLeavesProductsNotSellOnWebAlone(t *testing.T) {
	h := newHarness(t, smallCatalog())
	h.tagScan()
	h.tagSync()

	// Item 1 is switched off by hand: its changes stop flowing.
	_, err := jobs.WebOff(context.Background(), h.env, []string{"item:1"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.ls.Sell(1, 1, 2); err != nil {
		t.Fatal(err)
	}
	if err := h.ls.Sell(2, 1, 1); err != nil {
		t.Fatal(err)
	}
	web := h.webRequests()
	h.sync()
	if got := h.webRequests() - web; got != 0 {
		t.Errorf("sync wrote %d times for products not Sell on Web", got)
	}
	if got := h.one("85123A").Stock; got != 15 {
		t.Errorf("unmarked product's stock changed to %d", got)
	}

	// tag-scan --full does not mark it again.
	if _, err := jobs.TagScan(context.Background(), h.env, true); err != nil {
		t.Fatal(err)
	}
	p, _ := h.st.Get(context.Background(), state.Key{Kind: "item", ID: 1})
	if p.SellOnWeb {
		t.Error("tag-scan marked again a product switched off by hand")
	}
}

func TestSyncSelectedRefusesProductsNotSellOnWeb(t *testing.T) {
	h := newHarness(t, smallCatalog())
	h.tagScan()

	_, err := jobs.SyncSelected(context.Background(), h.env, []string{"71053"})
	if err == nil {
		t.Fatal("sync-selected of an unmarked item succeeded")
	}
	if exitcode.Code(err) != exitcode.BadUsage {
		t.Errorf("exit code %d, want %d", exitcode.Code(err), exitcode.BadUsage)
	}
	if !strings.Contains(err.Error(), "storesync web on item:2") {
		t.Errorf("error %q does not say how to mark it", err)
	}
}

func TestSyncSelectedPushesNamedProductsWhateverTheirStamps(t *testing.T) {
	h := newHarness(t, smallCatalog())
	h.tagScan()
	sum, err := jobs.SyncSelected(context.Background(), h.env, []string{"sku:85123A", "item:11"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 2 {
		t.Errorf("created %d, want 2 (the item and the matrix)", sum.Created)
	}
	h.one("85123A")
	h.one("VT-S")
	if n := len(h.webBySKU("84406B")); n != 0 {
		t.Errorf("an item not named was pushed")
	}

	// Named again with nothing changed, it is pushed again all the same.
	sum, err = jobs.SyncSelected(context.Background(), h.env, []string{"85123A"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Updated != 1 {
		t.Errorf("updated %d, want 1", sum.Updated)
	}
}

func TestResolveRefusesUnknownAndAmbiguousNames(t *testing.T) {
	h := newHarness(t, smallCatalog())
	tests := []struct {
		name string
		arg  string
		want string
	}{
		{"unknown SKU", "NOPE-1", "no Lightspeed item matches"},
		{"unknown id", "item:999", "no Lightspeed item matches"},
		{"bad kind", "thing:1", "unknown kind"},
		{"empty", "sku:", "empty product name"},
		{"unknown matrix", "matrix:77", "no Lightspeed matrix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jobs.Resolve(context.Background(), h.env, []string{tt.arg})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Resolve(%q) = %v, want an error with %q", tt.arg, err, tt.want)
			}
			if exitcode.Code(err) != exitcode.BadUsage {
				t.Errorf("exit code %d, want 2", exitcode.Code(err))
			}
		})
	}

	// Case twins are different items.
	keys, err := jobs.Resolve(context.Background(), h.env, []string{"sku:85123a"})
	if err != nil || keys[0].ID != 4 {
		t.Errorf("sku:85123a resolved to %v, %v; want item 4", keys, err)
	}
}

func TestDryRunPrintsFieldChangesAndWritesNothing(t *testing.T) {
	h := newHarness(t, smallCatalog())
	h.tagScan()
	h.tagSync()
	if err := h.ls.SetPrice(3, "Default", "3.10"); err != nil {
		t.Fatal(err)
	}
	if err := h.ls.Sell(1, 1, 1); err != nil {
		t.Fatal(err)
	}

	var out strings.Builder
	h.env.Settings.DryRun = true
	h.env.Settings.DryRunOut = &out
	web := h.webRequests()
	h.sync()
	h.tagSync()
	if got := h.webRequests() - web; got != 0 {
		t.Errorf("dry runs made %d web-store requests", got)
	}
	for _, want := range []string{
		"update item 1: stock 15 -> 14",
		`regular_price: "2.75" -> "3.10"`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry-run output lacks %q:\n%s", want, out.String())
		}
	}

	// The real runs that follow still push both changes.
	h.env.Settings.DryRun = false
	h.sync()
	if got := h.one("84406B").Price; got != "3.10" {
		t.Errorf("price after the real sync %s, want 3.10", got)
	}
	if got := h.one("85123A").Stock; got != 14 {
		t.Errorf("stock after the real sync %d, want 14", got)
	}
}
