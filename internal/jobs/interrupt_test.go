package jobs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/storesync/storesync/internal/jobs"
	"github.com/storesync/storesync/internal/webstore"
)

// cancelDuringPush is a web store whose pushes end the run's context as
// the store answers, as a deadline or a signal arriving then would.
type cancelDuringPush struct {
	webstore.Store
	cancel context.CancelFunc
}

func (c *cancelDuringPush) Push(ctx context.Context,
	items []webstore.Push) ([]webstore.Result, error) {
	res, err := c.Store.Push(ctx, items)
	c.cancel()
	return res, err
}

// A run whose context ends while the store answers a push still records
// the products the store created, and says it was interrupted.
func TestPushesRecordedWhenTheRunEnds(t *testing.T) {
	h := newHarness(t, smallCatalog())
	h.tagScan()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.env.Web = &cancelDuringPush{Store: h.env.Web, cancel: cancel}
	_, err := jobs.TagSync(ctx, h.env, jobs.PushOptions{})
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("tag-sync: %v, want nil or context.Canceled", err)
	}

	var created, recorded int
	created = len(h.wc.Products())
	err = h.st.DB.QueryRow(`SELECT count(*) FROM products
		WHERE web_id <> 0 AND web_parent_id = 0`).Scan(&recorded)
	if err != nil {
		t.Fatal(err)
	}
	if created == 0 || recorded != created {
		t.Errorf("the store holds %d products, the state file records %d", created,
			recorded)
	}
}
