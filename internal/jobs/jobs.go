// Package jobs holds what each storesync command does in one run: read
// Lightspeed through its feeds, remember what it saw in the state file, and
// push to the web store what changed.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/storesync/storesync/internal/catalog"
	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/webstore"
	"github.com/storesync/storesync/pkg/lightspeed"
)

// Lightspeed is the part of the Lightspeed client the jobs read through.
type Lightspeed interface {
	Items(ctx context.Context, q lightspeed.Query, fn func([]lightspeed.Item) error) error
	Matrices(ctx context.Context, q lightspeed.Query, fn func([]lightspeed.Matrix) error) error
	ItemShops(ctx context.Context, q lightspeed.Query, fn func([]lightspeed.ItemShop) error) error
	Categories(ctx context.Context, q lightspeed.Query, fn func([]lightspeed.Category) error) error
	Images(ctx context.Context, q lightspeed.Query, fn func([]lightspeed.Image) error) error

	// ServerNow estimates Lightspeed's clock, which its timeStamps follow.
	ServerNow() time.Time
}

// Settings are the parts of the configuration the jobs follow.
type Settings struct {
	Tags      []string // tag names that mark products Sell on Web
	Catalog   catalog.Options
	NewStatus webstore.Status // for products created in the store
	Archived  webstore.Status // for products archived in Lightspeed
	BatchSize int             // products per web-store push
	Overlap   time.Duration   // how far feeds re-read behind their cursor
	DryRun    bool
	DryRunOut io.Writer
	// How images, hand-edited fields and categories are treated.
	ImageMode       webstore.ImageMode
	ClearImages     bool
	KeepFields      []string
	AdoptCategories bool
	BrandAttribute  bool // the brand as a product attribute, not a brand term
}

// Env is what a job runs against.
type Env struct {
	LS       Lightspeed
	Web      webstore.Store
	State    *state.Store
	Settings Settings
	Log      zerolog.Logger

	// Progress, when set, hears how many of the products to push are done.
	Progress func(done, total int)
}

// Summary counts what a run did.
type Summary struct {
	Created   int
	Updated   int
	Unchanged int
	Failed    int
	Flagged   int
	Skipped   int // not pushed: waiting for another job or not publishable
}

// ErrPartial reports a run that finished with some products failed.
var ErrPartial = exitcode.ErrPartial

// Names of the cursors in the state file.
const (
	cursorStock       = "sync.stock"
	cursorPrices      = "sync.prices"
	cursorCatalog     = "catalog.items"
	cursorMatrices    = "catalog.matrices"
	cursorImages      = "catalog.images"
	cursorTagItems    = "tagscan.items"
	cursorTagMatrices = "tagscan.matrices"
)

func (e *Env) overlap() time.Duration {
	if e.Settings.Overlap > 0 {
		return e.Settings.Overlap
	}
	return time.Minute
}

// since builds the feed filter for a cursor: everything at or after the
// cursor less the overlap, since many rows share one second and a write
// may land with a slightly older timeStamp.
func (e *Env) since(ctx context.Context, cursor string) ([]lightspeed.Filter, error) {
	t, err := e.State.Cursor(ctx, cursor)
	if err != nil {
		return nil, err
	}
	if t.IsZero() && (cursor == cursorStock || cursor == cursorPrices) {
		// sync's first run needs only what changed since the first push:
		// every push records the stock and prices it read.
		t, err = e.State.FirstPush(ctx)
		if err != nil {
			return nil, err
		}
		if t.IsZero() {
			t = time.Now()
		}
		t = t.Add(-clockSkew)
	}
	if t.IsZero() {
		return nil, nil
	}
	return []lightspeed.Filter{lightspeed.Since("timeStamp", t.Add(-e.overlap()))}, nil
}

// clockSkew is how far this host's clock may be ahead of Lightspeed's.
const clockSkew = 5 * time.Minute

// readStart is the time, by Lightspeed's clock, a feed read begins at,
// less the one-second resolution of its Date header and timeStamps.
func (e *Env) readStart() time.Time {
	return e.LS.ServerNow().Add(-2 * time.Second)
}

// feedDone moves cursors to the time a complete read began at: every row
// written before then was read, even where no row changed, so the next
// read starts there (less the overlap) instead of at the newest row seen.
func (e *Env) feedDone(ctx context.Context, start time.Time, cursors ...string) error {
	return e.State.Tx(ctx, func(tx *sql.Tx) error {
		for _, c := range cursors {
			if err := state.SetCursor(ctx, tx, c, start); err != nil {
				return err
			}
		}
		return nil
	})
}

// matchTag reports the configured tag an entity carries, compared as
// Lightspeed normalises tags: case-insensitive, spaces removed.
func (e *Env) matchTag(tags []string) (string, bool) {
	for _, t := range tags {
		for _, want := range e.Settings.Tags {
			if normTag(t) == normTag(want) {
				return normTag(want), true
			}
		}
	}
	return "", false
}

func normTag(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

func maxStamp(cur time.Time, t time.Time) time.Time {
	if t.After(cur) {
		return t
	}
	return cur
}

func errText(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// chunk splits ids into groups of at most n.
func chunk[T any](list []T, n int) [][]T {
	var out [][]T
	for len(list) > 0 {
		k := min(n, len(list))
		out = append(out, list[:k])
		list = list[k:]
	}
	return out
}

func priceKey(regular, sale string) string {
	if sale == "" {
		return regular
	}
	return fmt.Sprintf("%s|%s", regular, sale)
}
