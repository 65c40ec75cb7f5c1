package jobs

import (
	"context"
	"database/sql"
	"errors"

	"github.com/storesync/storesync/internal/catalog"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/webstore"
)

// recordPushes files the outcome of each push in one transaction: web ids,
// what was pushed, uploaded images, and failures that keep a product
// pending for the next run.
func (e *Env) recordPushes(ctx context.Context, units []unit, pushes []webstore.Push,
	results []webstore.Result, sum *Summary) error {
	return e.State.Tx(ctx, func(tx *sql.Tx) error {
		for i, u := range units {
			if i >= len(results) {
				// The push stopped before this product; it stays pending.
				if err := state.RecordFailure(ctx, tx, u.key, "push interrupted"); err != nil {
					return err
				}
				continue
			}
			if err := e.recordOne(ctx, tx, u, pushes[i].Product, results[i], sum); err != nil {
				return err
			}
		}
		return nil
	})
}

func (e *Env) recordOne(ctx context.Context, tx *sql.Tx, u unit, p catalog.Product,
	r webstore.Result, sum *Summary) error {
	if u.key.Kind == state.KindMatrix {
		// A matrix pushed for a tagged variant may not have a row yet.
		err := state.RecordSeen(ctx, tx, []state.Seen{{Key: u.key, Name: p.Name,
			Stamp: p.Stamp, Archived: p.Archived}})
		if err != nil {
			return err
		}
	}
	if r.WebID != 0 {
		if err := state.RecordWebID(ctx, tx, u.key, r.WebID, 0); err != nil {
			return err
		}
	}
	for lsID, media := range r.Media {
		err := state.RecordImage(ctx, tx, state.ImageRow{LSImageID: lsID,
			OwnerKind: u.key.Kind, OwnerID: u.key.ID, Stamp: imageStamp(p, lsID),
			PublicID: imagePublicID(p, lsID), MediaID: media})
		if err != nil {
			return err
		}
	}
	if r.Err != nil {
		sum.Failed++
		e.logFailure(u, r.Err)
		return recordFailure(ctx, tx, u.key, r.Err)
	}

	// Variants first: a failed variant keeps the whole product pending.
	failed, err := e.recordVariants(ctx, tx, p, r, sum)
	if err != nil {
		return err
	}
	if failed {
		return state.RecordFailure(ctx, tx, u.key, "some variations failed")
	}

	pushed := state.Pushed{Key: u.key, WebID: r.WebID, Stamp: state.Stamp(p.Stamp),
		Hash: catalog.Hash(p), JSON: catalog.Encode(p)}
	if p.MatrixID == 0 {
		pushed.Price = priceKey(p.RegularPrice, p.SalePrice)
		pushed.Stock = sql.NullInt64{Int64: p.Stock, Valid: true}
	}
	if r.Created {
		sum.Created++
	} else {
		sum.Updated++
	}
	e.Log.Debug().Str("product", u.key.String()).Int64("web_id", r.WebID).
		Bool("created", r.Created).Msg("product pushed")
	return state.RecordPushed(ctx, tx, pushed)
}

// recordFailure keeps a product pending with the reason it failed. A
// product the store no longer has loses its web id, so that the next full
// push creates it again instead of updating it in vain for ever.
func recordFailure(ctx context.Context, tx *sql.Tx, k state.Key, err error) error {
	if errors.Is(err, webstore.ErrGone) {
		return state.ForgetWebID(ctx, tx, k, errText(err))
	}
	return state.RecordFailure(ctx, tx, k, errText(err))
}

// recordVariants files the outcome of each variation and reports whether
// any failed.
func (e *Env) recordVariants(ctx context.Context, tx *sql.Tx, p catalog.Product,
	r webstore.Result, sum *Summary) (bool, error) {
	failed := false
	for _, v := range p.Variants {
		vk := state.Key{Kind: state.KindItem, ID: v.ItemID}
		vr, ok := r.Variants[v.ItemID]
		if !ok || vr.Err != nil {
			err := vr.Err
			if !ok {
				err = errors.New("variation not written")
			}
			failed = true
			sum.Failed++
			e.logFailure(vk, err)
			if err := recordFailure(ctx, tx, vk, err); err != nil {
				return failed, err
			}
			continue
		}
		err := state.RecordPushed(ctx, tx, state.Pushed{Key: vk, WebID: vr.WebID,
			WebParentID: r.WebID, Stamp: state.Stamp(v.Stamp),
			Price: priceKey(v.RegularPrice, v.SalePrice),
			Stock: sql.NullInt64{Int64: v.Stock, Valid: true}})
		if err != nil {
			return failed, err
		}
	}
	return failed, nil
}

func (e *Env) logFailure(k any, err error) {
	e.Log.Debug().Err(err).Interface("product", k).Msg("product push failed")
}

func imageStamp(p catalog.Product, id int64) string {
	for _, im := range p.Images {
		if im.ID == id {
			return state.Stamp(im.Stamp)
		}
	}
	return ""
}

func imagePublicID(p catalog.Product, id int64) string {
	for _, im := range p.Images {
		if im.ID == id {
			return im.PublicID
		}
	}
	return ""
}
