package jobs

import (
	"context"
	"database/sql"
	"time"

	"github.com/storesync/storesync/internal/catalog"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/pkg/lightspeed"
)

var tagRelations = []string{"TagRelations.Tag"}

// TagScan marks Sell on Web the items and matrices that carry a configured
// tag. A tagged matrix marks all its variants, now and when added later.
// It reads incrementally from its cursors; full rescans the catalog.
// Removing a tag does not unmark a product.
func TagScan(ctx context.Context, e *Env, full bool) (Summary, error) {
	var sum Summary
	if full {
		for _, c := range []string{cursorTagItems, cursorTagMatrices} {
			if err := e.State.ResetCursor(ctx, c); err != nil {
				return sum, err
			}
		}
	}

	// Matrices first, so the item pass already knows which are tagged.
	newMatrices, err := e.scanMatrices(ctx, &sum)
	if err != nil {
		return sum, err
	}

	// Variants of newly tagged matrices, whatever their timeStamps. A read
	// of the whole catalog sees them anyway, after the matrices are known.
	filters, err := e.since(ctx, cursorTagItems)
	if err != nil {
		return sum, err
	}
	if filters != nil {
		if err := e.markVariants(ctx, newMatrices, &sum); err != nil {
			return sum, err
		}
	}

	// Items whose timeStamp moved: new tags and new variants.
	shareCatalog, err := e.coversCatalog(ctx, filters)
	if err != nil {
		return sum, err
	}
	q := lightspeed.Query{Filters: filters, Relations: tagRelations, Sort: "timeStamp"}
	start := e.readStart()
	err = e.LS.Items(ctx, q, func(page []lightspeed.Item) error {
		var last time.Time
		for _, it := range page {
			last = maxStamp(last, it.TimeStamp)
		}
		return e.State.Tx(ctx, func(tx *sql.Tx) error {
			if err := e.markItems(ctx, tx, page, &sum); err != nil {
				return err
			}
			for _, it := range page {
				err := state.RecordPrices(ctx, tx, it.ItemID, catalog.Levels(it.Prices))
				if err != nil {
					return err
				}
			}
			if err := state.SetCursor(ctx, tx, cursorTagItems, last); err != nil {
				return err
			}
			if !shareCatalog {
				return nil
			}
			return state.SetCursor(ctx, tx, cursorCatalog, last)
		})
	})
	if err != nil {
		return sum, err
	}
	if shareCatalog {
		return sum, e.feedDone(ctx, start, cursorTagItems, cursorCatalog)
	}
	return sum, e.feedDone(ctx, start, cursorTagItems)
}

// scanMatrices reads the matrix feed, records tagged matrices and returns
// the ones tagged for the first time.
func (e *Env) scanMatrices(ctx context.Context, sum *Summary) ([]int64, error) {
	filters, err := e.since(ctx, cursorTagMatrices)
	if err != nil {
		return nil, err
	}
	var fresh []int64
	q := lightspeed.Query{Filters: filters, Relations: tagRelations, Sort: "timeStamp"}
	start := e.readStart()
	err = e.LS.Matrices(ctx, q, func(page []lightspeed.Matrix) error {
		var last time.Time
		var pageFresh []int64
		err := e.State.Tx(ctx, func(tx *sql.Tx) error {
			for _, m := range page {
				last = maxStamp(last, m.TimeStamp)
				key := state.Key{Kind: state.KindMatrix, ID: m.ItemMatrixID}
				err := state.RecordSeen(ctx, tx, []state.Seen{{Key: key,
					Name: m.Description, Stamp: m.TimeStamp, Archived: m.Archived}})
				if err != nil {
					return err
				}
				tag, ok := e.matchTag(m.Tags)
				if !ok {
					continue
				}
				isNew, err := state.TagMatrix(ctx, tx, m.ItemMatrixID, tag)
				if err != nil {
					return err
				}
				n, err := state.SetSellOnWeb(ctx, tx, []state.Key{key}, true,
					state.FlaggedByTag(tag))
				if err != nil {
					return err
				}
				sum.Flagged += n
				if isNew {
					pageFresh = append(pageFresh, m.ItemMatrixID)
				}
			}
			return state.SetCursor(ctx, tx, cursorTagMatrices, last)
		})
		if err == nil {
			fresh = append(fresh, pageFresh...)
		}
		return err
	})
	if err != nil {
		return fresh, err
	}
	return fresh, e.feedDone(ctx, start, cursorTagMatrices)
}

// markItems records items and marks those that carry a tag or belong to a
// tagged matrix.
func (e *Env) markItems(ctx context.Context, tx *sql.Tx, page []lightspeed.Item,
	sum *Summary) error {
	seen := make([]state.Seen, 0, len(page))
	for _, it := range page {
		seen = append(seen, e.seenItem(it))
	}
	if err := state.RecordSeen(ctx, tx, seen); err != nil {
		return err
	}
	for _, it := range page {
		tag, ok := e.matchTag(it.Tags)
		if !ok && it.ItemMatrixID != 0 {
			var err error
			tag, ok, err = state.TaggedMatrix(ctx, tx, it.ItemMatrixID)
			if err != nil {
				return err
			}
		}
		if !ok || it.Archived {
			continue
		}
		key := state.Key{Kind: state.KindItem, ID: it.ItemID}
		n, err := state.SetSellOnWeb(ctx, tx, []state.Key{key}, true, state.FlaggedByTag(tag))
		if err != nil {
			return err
		}
		sum.Flagged += n
	}
	return nil
}

// coversCatalog reports whether this item read may also stand for
// tag-sync's first read of the catalog feed: it reads the whole catalog,
// that feed was never read, and nothing was pushed yet. The read leaves
// archived items out, which is harmless only while none was ever pushed.
func (e *Env) coversCatalog(ctx context.Context, filters []lightspeed.Filter) (bool, error) {
	if filters != nil {
		return false, nil
	}
	c, err := e.State.Cursor(ctx, cursorCatalog)
	if err != nil || !c.IsZero() {
		return false, err
	}
	first, err := e.State.FirstPush(ctx)
	return first.IsZero(), err
}

// markVariants reads the variants of matrices, 100 matrices a request,
// and marks them.
func (e *Env) markVariants(ctx context.Context, matrices []int64, sum *Summary) error {
	for _, ids := range chunk(matrices, 100) {
		q := lightspeed.Query{Filters: []lightspeed.Filter{lightspeed.In("itemMatrixID", ids...)}}
		err := e.LS.Items(ctx, q, func(page []lightspeed.Item) error {
			return e.State.Tx(ctx, func(tx *sql.Tx) error {
				return e.markItems(ctx, tx, page, sum)
			})
		})
		if err != nil {
			return err
		}
	}
	return nil
}
