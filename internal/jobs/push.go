package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/storesync/storesync/internal/catalog"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/webstore"
	"github.com/storesync/storesync/pkg/lightspeed"
)

// PushOptions choose what a full push covers.
type PushOptions struct {
	Images    bool        // read the image feed too (sync-all)
	Reconcile bool        // consider every Sell-on-Web product, not only changed ones
	Only      []state.Key // push just these, whatever their timeStamps
}

var (
	itemRelations    = []string{"ItemShops", "ItemECommerce", "Images", "Manufacturer"}
	variantRelations = []string{"ItemShops", "ItemECommerce", "ItemAttributes"}
	matrixRelations  = []string{"ItemAttributeSet", "ItemECommerce", "Images", "Manufacturer"}
)

// TagSync refreshes the remembered timeStamps from the item and matrix
// feeds, then pushes every field of each Sell-on-Web product that changed
// since its last push or was never pushed.
func TagSync(ctx context.Context, e *Env, opts PushOptions) (Summary, error) {
	var sum Summary

	// Refresh what changed in Lightspeed.
	if len(opts.Only) == 0 {
		if err := e.refresh(ctx, opts.Images, &sum); err != nil {
			return sum, err
		}
	}

	// Push the products, a page of web products at a time, each read in
	// full from Lightspeed.
	if err := e.pushPending(ctx, opts, &sum); err != nil {
		return sum, err
	}
	if sum.Failed > 0 {
		return sum, ErrPartial
	}
	return sum, nil
}

// refresh reads the item, matrix and (for sync-all) image feeds. A new
// variant of a tagged matrix is marked here too.
func (e *Env) refresh(ctx context.Context, images bool, sum *Summary) error {
	err := e.readItems(ctx, cursorCatalog, func(tx *sql.Tx, page []lightspeed.Item) error {
		for _, it := range page {
			if it.ItemMatrixID == 0 || it.Archived {
				continue
			}
			tag, ok, err := state.TaggedMatrix(ctx, tx, it.ItemMatrixID)
			if err != nil || !ok {
				return err
			}
			key := state.Key{Kind: state.KindItem, ID: it.ItemID}
			n, err := state.SetSellOnWeb(ctx, tx, []state.Key{key}, true, state.FlaggedByTag(tag))
			if err != nil {
				return err
			}
			sum.Flagged += n
		}
		return nil
	})
	if err != nil {
		return err
	}

	filters, err := e.since(ctx, cursorMatrices)
	if err != nil {
		return err
	}
	q := lightspeed.Query{Filters: filters, Sort: "timeStamp", Archived: "true"}
	start := e.readStart()
	err = e.LS.Matrices(ctx, q, func(page []lightspeed.Matrix) error {
		seen := make([]state.Seen, 0, len(page))
		var last time.Time
		for _, m := range page {
			key := state.Key{Kind: state.KindMatrix, ID: m.ItemMatrixID}
			seen = append(seen, state.Seen{Key: key,
				Name: m.Description, Stamp: m.TimeStamp, Archived: m.Archived})
			last = maxStamp(last, m.TimeStamp)
		}
		return e.State.Tx(ctx, func(tx *sql.Tx) error {
			if err := state.RecordSeen(ctx, tx, seen); err != nil {
				return err
			}
			return state.SetCursor(ctx, tx, cursorMatrices, last)
		})
	})
	if err == nil {
		err = e.feedDone(ctx, start, cursorMatrices)
	}
	if err != nil || !images {
		return err
	}
	return e.readImages(ctx)
}

// readImages marks pending the owners of images whose timeStamp moved.
func (e *Env) readImages(ctx context.Context) error {
	filters, err := e.since(ctx, cursorImages)
	if err != nil {
		return err
	}
	q := lightspeed.Query{Filters: filters, Sort: "timeStamp"}
	start := e.readStart()
	err = e.LS.Images(ctx, q, func(page []lightspeed.Image) error {
		var keys []state.Key
		var last time.Time
		for _, im := range page {
			last = maxStamp(last, im.TimeStamp)
			if im.ItemMatrixID != 0 {
				keys = append(keys, state.Key{Kind: state.KindMatrix, ID: im.ItemMatrixID})
			} else if im.ItemID != 0 {
				keys = append(keys, state.Key{Kind: state.KindItem, ID: im.ItemID})
			}
		}
		return e.State.Tx(ctx, func(tx *sql.Tx) error {
			if err := e.markImagesChanged(ctx, tx, keys, page); err != nil {
				return err
			}
			return state.SetCursor(ctx, tx, cursorImages, last)
		})
	})
	if err != nil {
		return err
	}
	return e.feedDone(ctx, start, cursorImages)
}

// markImagesChanged marks pending only the owners whose image is new or
// newer than the one uploaded, so an unchanged image is never sent again.
func (e *Env) markImagesChanged(ctx context.Context, tx *sql.Tx, keys []state.Key,
	page []lightspeed.Image) error {
	var changed []state.Key
	for i, im := range page {
		if i >= len(keys) {
			break
		}
		var stamp string
		err := tx.QueryRowContext(ctx, `SELECT ls_stamp FROM images WHERE ls_image_id = ?`,
			im.ImageID).Scan(&stamp)
		if err == nil && stamp >= state.Stamp(im.TimeStamp) {
			continue
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		changed = append(changed, keys[i])
	}
	return state.MarkDirty(ctx, tx, changed)
}

// unit is one web product: a standalone item or a matrix with the
// variants to publish.
type unit struct {
	key      state.Key // item or matrix
	variants []state.Product
	row      state.Product // the item or matrix row, when known
}

// pendingWhere selects the product rows to push: every Sell-on-Web
// product never pushed, changed since its push or marked dirty, or
// (reconcile) all of them; matrices in the store count too.
func pendingWhere(opts PushOptions) string {
	if opts.Reconcile {
		return "sell_on_web = 1 OR (kind = 'matrix' AND web_id <> 0)"
	}
	return `(sell_on_web = 1 OR (kind = 'matrix' AND web_id <> 0))
		AND (web_id = 0 OR ls_stamp <> pushed_stamp OR dirty = 1)`
}

// pushPending pushes the pending web products a page at a time, so that
// memory stays flat however many are pending; sync-selected's named
// products are pushed the same way.
func (e *Env) pushPending(ctx context.Context, opts PushOptions, sum *Summary) error {
	page := max(e.Settings.BatchSize, 1)
	next := func(after state.Key) ([]state.Key, error) {
		return e.State.UnitKeys(ctx, pendingWhere(opts), after, page)
	}
	total := 0
	if len(opts.Only) > 0 {
		keys, err := e.unitKeys(ctx, opts.Only)
		if err != nil {
			return err
		}
		total = len(keys)
		next = func(after state.Key) ([]state.Key, error) {
			if after != (state.Key{}) {
				return nil, nil
			}
			return keys, nil
		}
	} else {
		n, err := e.State.CountUnits(ctx, pendingWhere(opts))
		if err != nil {
			return err
		}
		total = n
	}
	e.Log.Debug().Int("products", total).Msg("products pending")

	var cats func(int64) []catalog.Term
	done := 0
	for after := (state.Key{}); ; {
		keys, err := next(after)
		if err != nil || len(keys) == 0 {
			return err
		}
		if cats == nil {
			if cats, err = e.categoryPaths(ctx, true); err != nil {
				return err
			}
		}
		for _, group := range chunk(keys, page) {
			units, err := e.units(ctx, group)
			if err != nil {
				return err
			}
			if err := e.pushUnits(ctx, units, cats, opts, sum); err != nil {
				return err
			}
			done += len(units)
			if e.Progress != nil {
				e.Progress(done, total)
			}
		}
		after = keys[len(keys)-1]
	}
}

// unitKeys maps named products to the web products they belong to, once
// each, in the order named.
func (e *Env) unitKeys(ctx context.Context, named []state.Key) ([]state.Key, error) {
	seen := map[state.Key]bool{}
	var out []state.Key
	for _, k := range named {
		p, err := e.State.Get(ctx, k)
		if err != nil {
			return nil, err
		}
		if p.Kind == state.KindItem && p.MatrixID != 0 {
			k = state.Key{Kind: state.KindMatrix, ID: p.MatrixID}
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

// units reads what the state file knows of each web product. A matrix is
// pushed with all its Sell-on-Web variants, and with the variants in the
// store that are no longer for sale, to take them off.
func (e *Env) units(ctx context.Context, keys []state.Key) ([]unit, error) {
	out := make([]unit, 0, len(keys))
	for _, k := range keys {
		u := unit{key: k}
		p, err := e.State.Get(ctx, k)
		switch {
		case err == nil:
			u.row = p
		case !errors.Is(err, state.ErrUnknownProduct):
			return nil, err
		case k.Kind == state.KindItem:
			continue
		}
		if k.Kind == state.KindMatrix {
			u.variants, err = e.State.Query(ctx,
				"kind = 'item' AND matrix_id = ? AND (sell_on_web = 1 OR web_id <> 0)", k.ID)
			if err != nil {
				return nil, err
			}
		}
		out = append(out, u)
	}
	return out, nil
}

// categoryPaths loads the category tree once and returns a function that
// gives the path from the root to a category.
func (e *Env) categoryPaths(ctx context.Context, need bool) (func(int64) []catalog.Term, error) {
	if !need {
		return nil, nil
	}
	all := map[int64]lightspeed.Category{}
	err := e.LS.Categories(ctx, lightspeed.Query{Sort: "categoryID"},
		func(page []lightspeed.Category) error {
			for _, c := range page {
				all[c.CategoryID] = c
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return func(id int64) []catalog.Term {
		var path []catalog.Term
		for guard := 0; id != 0 && guard < 32; guard++ {
			c, ok := all[id]
			if !ok {
				break
			}
			path = append([]catalog.Term{{ID: c.CategoryID, Name: c.Name}}, path...)
			id = c.ParentID
		}
		return path
	}, nil
}

// pushUnits reads a group of units in full from Lightspeed and pushes them.
func (e *Env) pushUnits(ctx context.Context, group []unit,
	cats func(int64) []catalog.Term, opts PushOptions, sum *Summary) error {
	products, err := e.load(ctx, group, cats)
	if err != nil {
		return err
	}
	units, pushes, err := e.preparePushes(ctx, group, products, opts, sum)
	if err != nil || len(pushes) == 0 {
		return err
	}

	if e.Settings.DryRun {
		for i, p := range pushes {
			if err := e.printPlan(ctx, units[i], p); err != nil {
				return err
			}
		}
		sum.Updated += len(pushes)
		return nil
	}

	results, err := e.Web.Push(ctx, pushes)
	// Record what the store answered even when the run's context ended
	// during the push: a product created there must not be forgotten,
	// and the run's error must say why it stopped, not that the record
	// could not begin.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordGrace)
	defer cancel()
	if rerr := e.recordPushes(rctx, units, pushes, results, sum); rerr != nil {
		if err != nil {
			return fmt.Errorf("%w; record the pushes: %w", err, rerr)
		}
		return rerr
	}
	return err
}

// preparePushes turns the loaded products into pushes, leaving out and
// counting those gone from Lightspeed, not publishable, filed under a
// category storesync may not use, or unchanged since their last push.
func (e *Env) preparePushes(ctx context.Context, group []unit,
	products map[state.Key]catalog.Product, opts PushOptions,
	sum *Summary) ([]unit, []webstore.Push, error) {
	var units []unit
	var pushes []webstore.Push
	for _, u := range group {
		p, ok := products[u.key]
		if !ok {
			// Gone from Lightspeed (deleted, or no variant left to sell).
			sum.Skipped++
			continue
		}
		if err := catalog.Check(p); err != nil {
			sum.Failed++
			e.Log.Warn().Str("product", u.key.String()).Str("reason", err.Error()).
				Msg("product not publishable")
			if err := e.fail(ctx, u, "not publishable: "+err.Error()); err != nil {
				return nil, nil, err
			}
			continue
		}
		push, err := e.preparePush(ctx, u, p)
		if errors.Is(err, webstore.ErrCategoryClash) {
			sum.Failed++
			e.Log.Warn().Str("product", u.key.String()).Err(err).Msg("product not pushed")
			if err := e.fail(ctx, u, errText(err)); err != nil {
				return nil, nil, err
			}
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		// A product whose fields hash as pushed needs no write, even when
		// its timeStamp moved; only sync-selected writes regardless.
		if len(opts.Only) == 0 && u.row.WebID != 0 &&
			u.row.PushedHash == catalog.Hash(p) && u.row.LastError == "" {
			sum.Unchanged++
			if err := e.recordUnchanged(ctx, u, p); err != nil {
				return nil, nil, err
			}
			continue
		}
		pushes = append(pushes, push)
		units = append(units, u)
	}
	return units, pushes, nil
}

// recordGrace bounds the recording of pushes made before the run's
// context ended.
const recordGrace = 10 * time.Second

func (e *Env) fail(ctx context.Context, u unit, reason string) error {
	return e.State.Tx(ctx, func(tx *sql.Tx) error {
		return state.RecordFailure(ctx, tx, u.key, reason)
	})
}

// load reads the units' items, matrices and variants from Lightspeed, with
// the relations a full push needs, 100 per request.
func (e *Env) load(ctx context.Context, group []unit,
	cats func(int64) []catalog.Term) (map[state.Key]catalog.Product, error) {
	var itemIDs, matrixIDs []int64
	for _, u := range group {
		if u.key.Kind == state.KindMatrix {
			matrixIDs = append(matrixIDs, u.key.ID)
		} else {
			itemIDs = append(itemIDs, u.key.ID)
		}
	}
	out := map[state.Key]catalog.Product{}
	opts := e.Settings.Catalog
	fresh := map[int64]lightspeed.Item{}

	if len(itemIDs) > 0 {
		q := lightspeed.Query{Filters: []lightspeed.Filter{lightspeed.In("itemID", itemIDs...)},
			Relations: itemRelations, Archived: "true"}
		err := e.LS.Items(ctx, q, func(page []lightspeed.Item) error {
			for _, it := range page {
				out[state.Key{Kind: state.KindItem, ID: it.ItemID}] =
					catalog.FromItem(it, opts, cats)
				fresh[it.ItemID] = it
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}

	if len(matrixIDs) > 0 {
		if err := e.loadMatrices(ctx, group, matrixIDs, cats, out, fresh); err != nil {
			return nil, err
		}
	}

	// Remember what was read: stock, prices and timeStamps.
	err := e.State.Tx(ctx, func(tx *sql.Tx) error {
		return e.recordFresh(ctx, tx, fresh)
	})
	return out, err
}

// loadMatrices reads matrices and their variants, 100 matrices a request,
// and maps each unit's matrix with the variants it publishes into out.
func (e *Env) loadMatrices(ctx context.Context, group []unit, matrixIDs []int64,
	cats func(int64) []catalog.Term, out map[state.Key]catalog.Product,
	fresh map[int64]lightspeed.Item) error {
	matrices := map[int64]lightspeed.Matrix{}
	byMatrix := []lightspeed.Filter{lightspeed.In("itemMatrixID", matrixIDs...)}
	q := lightspeed.Query{Filters: byMatrix, Relations: matrixRelations, Archived: "true"}
	err := e.LS.Matrices(ctx, q, func(page []lightspeed.Matrix) error {
		for _, m := range page {
			matrices[m.ItemMatrixID] = m
		}
		return nil
	})
	if err != nil {
		return err
	}
	variants := map[int64][]lightspeed.Item{}
	q = lightspeed.Query{Filters: byMatrix, Relations: variantRelations, Archived: "true"}
	err = e.LS.Items(ctx, q, func(page []lightspeed.Item) error {
		for _, it := range page {
			variants[it.ItemMatrixID] = append(variants[it.ItemMatrixID], it)
			fresh[it.ItemID] = it
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, u := range group {
		m, ok := matrices[u.key.ID]
		if u.key.Kind != state.KindMatrix || !ok {
			continue
		}
		if items := selectVariants(variants[u.key.ID], u.variants); len(items) > 0 {
			out[u.key] = catalog.FromMatrix(m, items, e.Settings.Catalog, cats)
		}
	}
	return nil
}

// selectVariants keeps the variants that are Sell on Web, and marks as
// archived those in the store that no longer are.
func selectVariants(all []lightspeed.Item, rows []state.Product) []lightspeed.Item {
	flag := map[int64]state.Product{}
	for _, r := range rows {
		flag[r.ID] = r
	}
	var out []lightspeed.Item
	for _, it := range all {
		r, ok := flag[it.ItemID]
		if !ok {
			continue
		}
		if !r.SellOnWeb {
			it.Archived = true
		}
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ItemID < out[j].ItemID })
	return out
}

func (e *Env) recordFresh(ctx context.Context, tx *sql.Tx, fresh map[int64]lightspeed.Item) error {
	seen := make([]state.Seen, 0, len(fresh))
	for _, it := range fresh {
		seen = append(seen, e.seenItem(it))
		if err := state.RecordPrices(ctx, tx, it.ItemID, catalog.Levels(it.Prices)); err != nil {
			return err
		}
		rows := make([]state.StockRow, 0, len(it.ItemShops))
		for _, r := range it.ItemShops {
			rows = append(rows, state.StockRow{ItemID: it.ItemID, ShopID: r.ShopID,
				QOH: r.QOH, Sellable: r.Sellable, Stamp: r.TimeStamp})
		}
		if err := state.RecordStock(ctx, tx, rows); err != nil {
			return err
		}
	}
	return state.RecordSeen(ctx, tx, seen)
}

// preparePush adds what the state file knows of the product in the store.
func (e *Env) preparePush(ctx context.Context, u unit, p catalog.Product) (webstore.Push, error) {
	pushed, err := e.State.PushedJSON(ctx, u.key)
	if err != nil {
		return webstore.Push{}, err
	}
	push := webstore.Push{
		Product:     p,
		WebID:       u.row.WebID,
		VariantIDs:  map[int64]int64{},
		Media:       map[int64]int64{},
		Status:      e.Settings.NewStatus,
		Archived:    e.Settings.Archived,
		Unarchived:  wasArchived(pushed) && !p.Archived,
		ImageMode:   e.Settings.ImageMode,
		ClearImages: e.Settings.ClearImages,
		KeepFields:  e.Settings.KeepFields,
		BrandAttr:   e.Settings.BrandAttribute,
	}
	for _, v := range u.variants {
		if v.WebID != 0 {
			push.VariantIDs[v.ID] = v.WebID
		}
	}
	imgs, err := e.State.Images(ctx, u.key)
	if err != nil {
		return push, err
	}
	for id, r := range imgs {
		if r.MediaID != 0 {
			push.Media[id] = r.MediaID
		}
	}

	// A dry run resolves no category or brand: that could create them.
	if e.Settings.DryRun {
		return push, nil
	}
	push.CategoryID, err = e.resolveCategory(ctx, p.Category)
	if err != nil {
		return push, err
	}
	push.BrandID, err = e.resolveBrand(ctx, p.Brand)
	return push, err
}

// resolveCategory returns the store's id of the last category of path,
// creating or renaming the path's categories parent first.
func (e *Env) resolveCategory(ctx context.Context, path []catalog.Term) (int64, error) {
	var parent int64
	for _, c := range path {
		known, name, err := e.State.WebTerm(ctx, "categories", c.ID)
		if err != nil {
			return 0, err
		}
		id, err := e.Web.EnsureCategory(ctx, webstore.Category{LSID: c.ID, Name: c.Name,
			Parent: parent, Known: known, KnownName: name,
			Adopt: e.Settings.AdoptCategories})
		if err != nil {
			return 0, err
		}
		if known == 0 || name != c.Name {
			err := e.State.SetWebTerm(ctx, "categories", c.ID, id, c.Name, parent)
			if err != nil {
				return 0, err
			}
		}
		parent = id
	}
	return parent, nil
}

// resolveBrand returns the store's id of a brand, creating it when needed;
// 0 for no brand, or when brands go in an attribute.
func (e *Env) resolveBrand(ctx context.Context, b *catalog.Term) (int64, error) {
	if b == nil || e.Settings.BrandAttribute {
		return 0, nil
	}
	known, _, err := e.State.WebTerm(ctx, "brands", b.ID)
	if err != nil {
		return 0, err
	}
	id, err := e.Web.EnsureBrand(ctx, b.Name, known)
	if err != nil {
		return 0, err
	}
	if known == 0 {
		if err := e.State.SetWebTerm(ctx, "brands", b.ID, id, b.Name, 0); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// recordUnchanged notes that the product's new timeStamp needs no push.
func (e *Env) recordUnchanged(ctx context.Context, u unit, p catalog.Product) error {
	return e.State.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE products SET pushed_stamp = ls_stamp, dirty = 0
WHERE (kind = ? AND ls_id = ?) OR (kind = 'item' AND matrix_id = ? AND ? <> 0
	AND web_id <> 0 AND pushed_hash <> '')`, u.key.Kind, u.key.ID, p.MatrixID, p.MatrixID)
		return err
	})
}

// printPlan prints what a push would change, field by field, for a dry run.
func (e *Env) printPlan(ctx context.Context, u unit, p webstore.Push) error {
	w := e.Settings.DryRunOut
	if u.row.WebID == 0 {
		fmt.Fprintf(w, "create %s %q (SKU %s, %d variants)\n", u.key, p.Product.Name,
			p.Product.SKU, len(p.Product.Variants))
		return nil
	}
	pushed, err := e.State.PushedJSON(ctx, u.key)
	if err != nil {
		return err
	}
	changes := catalog.Diff(pushed, p.Product)
	if len(changes) == 0 {
		fmt.Fprintf(w, "update %s %q: rewrite, no field changed\n", u.key, p.Product.Name)
		return nil
	}
	fmt.Fprintf(w, "update %s %q:\n", u.key, p.Product.Name)
	for _, c := range changes {
		fmt.Fprintf(w, "    %s\n", c)
	}
	return nil
}

// wasArchived tells whether the product was archived when last pushed.
func wasArchived(pushed string) bool {
	var p struct{ Archived bool }
	return pushed != "" && json.Unmarshal([]byte(pushed), &p) == nil && p.Archived
}
