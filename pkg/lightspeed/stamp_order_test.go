package lightspeed_test

import (
	"context"
	"testing"
	"time"

	"github.com/storesync/storesync/pkg/lightspeed"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
)

// TestTimeStampReadsPageInOrder reads a catalog whose timeStamps repeat
// within seconds and across pages, sorted by timeStamp, from the start,
// from a bound, and again after edits: every item comes once, in
// (timeStamp, itemID) order.
func TestTimeStampReadsPageInOrder(t *testing.T) {
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var cat lightspeedtest.Catalog
	for i := int64(1); i <= 350; i++ {
		cat.Items = append(cat.Items, lightspeedtest.Item{ItemID: i,
			Description: "item", CustomSKU: "S" + string(rune('A'+i%26)),
			Prices: map[string]string{"Default": "1.00"},
			// Items share seconds, and IDs run against time order.
			TimeStamp: base.Add(time.Duration((400-i)/7) * time.Second),
			Archived:  i%50 == 0})
	}
	e := newEnv(t, lightspeedtest.Options{}, cat, nil)

	read := func(q lightspeed.Query) []lightspeed.Item {
		t.Helper()
		var all []lightspeed.Item
		err := e.client.Items(context.Background(), q, func(page []lightspeed.Item) error {
			all = append(all, page...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return all
	}
	check := func(name string, got []lightspeed.Item, want int) {
		t.Helper()
		if len(got) != want {
			t.Errorf("%s: %d items, want %d", name, len(got), want)
		}
		seen := map[int64]bool{}
		for i, it := range got {
			if seen[it.ItemID] {
				t.Fatalf("%s: item %d twice", name, it.ItemID)
			}
			seen[it.ItemID] = true
			if i == 0 {
				continue
			}
			p := got[i-1]
			if it.TimeStamp.Before(p.TimeStamp) ||
				(it.TimeStamp.Equal(p.TimeStamp) && it.ItemID < p.ItemID) {
				t.Fatalf("%s: item %d after %d out of order", name, it.ItemID, p.ItemID)
			}
		}
	}

	check("all active", read(lightspeed.Query{Sort: "timeStamp"}), 343)
	check("archived too", read(lightspeed.Query{Sort: "timeStamp", Archived: "true"}), 350)
	bound := base.Add(20 * time.Second)
	since := read(lightspeed.Query{Sort: "timeStamp", Archived: "true",
		Filters: []lightspeed.Filter{lightspeed.Since("timeStamp", bound)}})
	// Items 1 to 260 are stamped at or after base+20s: (400-i)/7 >= 20.
	check("since a bound", since, 260)

	// Edits move items to the end of the order, and the next read sees it.
	if err := e.emu.SetPrice(301, "Default", "2.00"); err != nil {
		t.Fatal(err)
	}
	got := read(lightspeed.Query{Sort: "timeStamp"})
	check("after an edit", got, 343)
	if got[len(got)-1].ItemID != 301 {
		t.Errorf("the edited item is not last: %d", got[len(got)-1].ItemID)
	}
}
