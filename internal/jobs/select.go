package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/storesync/storesync/internal/catalog"
	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/webstore"
	"github.com/storesync/storesync/pkg/lightspeed"
)

// Resolve finds the Lightspeed products the user named: "item:ID",
// "matrix:ID", "sku:SKU", or a bare word that is an itemID or else a SKU.
// Each is read from Lightspeed and remembered. An unknown or ambiguous
// name is a usage error.
func Resolve(ctx context.Context, e *Env, args []string) ([]state.Key, error) {
	var keys []state.Key
	for _, arg := range args {
		k, err := e.resolveOne(ctx, arg)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func (e *Env) resolveOne(ctx context.Context, arg string) (state.Key, error) {
	kind, value, explicit := strings.Cut(arg, ":")
	if !explicit {
		kind, value = "", arg
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return state.Key{}, exitcode.Usagef("empty product name %q", arg)
	}

	switch kind {
	case "matrix":
		id, err := strconv.ParseInt(value, 10, 64)
		if err != nil || id <= 0 {
			return state.Key{}, exitcode.Usagef("bad matrix id %q", value)
		}
		return e.findMatrix(ctx, id)
	case "item":
		id, err := strconv.ParseInt(value, 10, 64)
		if err != nil || id <= 0 {
			return state.Key{}, exitcode.Usagef("bad item id %q", value)
		}
		return e.findItems(ctx, arg, lightspeed.In("itemID", id))
	case "sku":
		return e.findItems(ctx, arg, e.skuFilter(value))
	case "":
	default:
		return state.Key{}, exitcode.Usagef(
			"unknown kind %q in %q: use item:ID, matrix:ID or sku:SKU", kind, arg)
	}

	// A bare number may be an itemID or a numeric SKU; if it is both,
	// for different items, the user must say which.
	byID := state.Key{}
	if id, err := strconv.ParseInt(value, 10, 64); err == nil && id > 0 {
		k, err := e.findItems(ctx, arg, lightspeed.In("itemID", id))
		if err == nil {
			byID = k
		}
	}
	bySKU, skuErr := e.findItems(ctx, arg, e.skuFilter(value))
	switch {
	case byID.ID != 0 && skuErr == nil && bySKU != byID:
		return state.Key{}, exitcode.Usagef(
			"%q is item %d and the SKU of item %d: write item:%s or sku:%s",
			value, byID.ID, bySKU.ID, value, value)
	case byID.ID != 0:
		return byID, nil
	default:
		return bySKU, skuErr
	}
}

func (e *Env) skuFilter(sku string) lightspeed.Filter {
	field := map[string]string{"system": "systemSku", "manufacturer": "manufacturerSku",
		"upc": "upc"}[e.Settings.Catalog.SKUField]
	if field == "" {
		field = "customSku"
	}
	return lightspeed.Filter{Field: field, Op: "=", Value: sku}
}

// findItems reads the items a filter selects; exactly one must match.
func (e *Env) findItems(ctx context.Context, arg string, f lightspeed.Filter) (state.Key, error) {
	var found []lightspeed.Item
	q := lightspeed.Query{Filters: []lightspeed.Filter{f}, Archived: "true", Limit: 3}
	err := e.LS.Items(ctx, q, func(page []lightspeed.Item) error {
		found = append(found, page...)
		if len(found) > 2 {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return state.Key{}, fmt.Errorf("look up %q in Lightspeed: %w", arg, err)
	}
	found = e.exactSKU(found, f)
	switch len(found) {
	case 0:
		return state.Key{}, exitcode.Usagef("no Lightspeed item matches %q", arg)
	case 1:
	default:
		ids := make([]string, len(found))
		for i, it := range found {
			ids[i] = "item:" + strconv.FormatInt(it.ItemID, 10)
		}
		return state.Key{}, exitcode.Usagef("%q matches several items (%s): name one by id",
			arg, strings.Join(ids, ", "))
	}
	it := found[0]
	err = e.State.Tx(ctx, func(tx *sql.Tx) error {
		return state.RecordSeen(ctx, tx, []state.Seen{e.seenItem(it)})
	})
	return state.Key{Kind: state.KindItem, ID: it.ItemID}, err
}

var errEnough = errors.New("enough results")

// exactSKU keeps the items whose SKU equals the filter's value exactly.
// Lightspeed compares text without regard to case, but SKUs that differ
// only in case (85123A and 85123a) are different products.
func (e *Env) exactSKU(found []lightspeed.Item, f lightspeed.Filter) []lightspeed.Item {
	if f.Field == "itemID" {
		return found
	}
	var exact []lightspeed.Item
	for _, it := range found {
		if catalog.SKU(it, e.Settings.Catalog.SKUField) == f.Value {
			exact = append(exact, it)
		}
	}
	return exact
}

func (e *Env) findMatrix(ctx context.Context, id int64) (state.Key, error) {
	var found []lightspeed.Matrix
	q := lightspeed.Query{Filters: []lightspeed.Filter{lightspeed.In("itemMatrixID", id)},
		Archived: "true"}
	err := e.LS.Matrices(ctx, q, func(page []lightspeed.Matrix) error {
		found = append(found, page...)
		return nil
	})
	if err != nil {
		return state.Key{}, fmt.Errorf("look up matrix %d in Lightspeed: %w", id, err)
	}
	if len(found) == 0 {
		return state.Key{}, exitcode.Usagef("no Lightspeed matrix has id %d", id)
	}
	m := found[0]
	k := state.Key{Kind: state.KindMatrix, ID: id}
	err = e.State.Tx(ctx, func(tx *sql.Tx) error {
		return state.RecordSeen(ctx, tx, []state.Seen{{Key: k, Name: m.Description,
			Stamp: m.TimeStamp, Archived: m.Archived}})
	})
	return k, err
}

// SyncSelected pushes every field of the named products now, whatever
// their timeStamps. Each must be Sell on Web.
func SyncSelected(ctx context.Context, e *Env, args []string) (Summary, error) {
	keys, err := Resolve(ctx, e, args)
	if err != nil {
		return Summary{}, err
	}
	for i, k := range keys {
		p, err := e.State.Get(ctx, k)
		if err != nil {
			return Summary{}, err
		}
		if !p.SellOnWeb {
			return Summary{}, exitcode.Usagef(
				"%s (%s) is not Sell on Web; mark it first with: storesync web on %s",
				args[i], describe(p), keyArg(k))
		}
	}
	return TagSync(ctx, e, PushOptions{Only: keys})
}

func describe(p state.Product) string {
	if p.SKU != "" {
		return fmt.Sprintf("%s, SKU %s", p.Key, p.SKU)
	}
	return p.Key.String()
}

func keyArg(k state.Key) string {
	return fmt.Sprintf("%s:%d", k.Kind, k.ID)
}

// WebOn marks the named products Sell on Web by hand. A matrix marks all
// its variants, and variants added to it later.
func WebOn(ctx context.Context, e *Env, args []string) (Summary, error) {
	var sum Summary
	keys, err := Resolve(ctx, e, args)
	if err != nil {
		return sum, err
	}
	var matrices []int64
	err = e.State.Tx(ctx, func(tx *sql.Tx) error {
		n, err := state.SetSellOnWeb(ctx, tx, keys, true, state.FlaggedByHand)
		sum.Flagged += n
		for _, k := range keys {
			if k.Kind != state.KindMatrix {
				continue
			}
			matrices = append(matrices, k.ID)
			if _, err := state.TagMatrix(ctx, tx, k.ID, state.FlaggedByHand); err != nil {
				return err
			}
		}
		return err
	})
	if err != nil || len(matrices) == 0 {
		return sum, err
	}
	q := lightspeed.Query{Filters: []lightspeed.Filter{lightspeed.In("itemMatrixID", matrices...)}}
	err = e.LS.Items(ctx, q, func(page []lightspeed.Item) error {
		return e.State.Tx(ctx, func(tx *sql.Tx) error {
			return e.markItems(ctx, tx, page, &sum)
		})
	})
	return sum, err
}

// WebOff unmarks the named products. Their web products stay as they are
// and stop receiving changes, unless unpublish takes them off sale too (a
// product becomes a draft, a variation private). tag-scan does not mark
// them again.
func WebOff(ctx context.Context, e *Env, args []string, unpublish bool) (Summary, error) {
	var sum Summary
	keys, err := Resolve(ctx, e, args)
	if err != nil {
		return sum, err
	}
	err = e.State.Tx(ctx, func(tx *sql.Tx) error {
		n, err := state.SetSellOnWeb(ctx, tx, keys, false, state.UnflaggedHand)
		sum.Flagged = n
		return err
	})
	if err != nil || !unpublish {
		return sum, err
	}

	var changes []webstore.StatusChange
	var owners []state.Key
	for _, k := range keys {
		p, err := e.State.Get(ctx, k)
		if err != nil {
			return sum, err
		}
		if p.WebID == 0 {
			continue
		}
		changes = append(changes, webstore.StatusChange{WebID: p.WebID,
			ParentWebID: p.WebParentID, Status: webstore.Draft})
		owners = append(owners, k)
	}
	if len(changes) == 0 || e.Settings.DryRun {
		return sum, nil
	}
	errs, err := e.Web.SetStatus(ctx, changes)
	for i, werr := range errs {
		if werr != nil {
			sum.Failed++
			e.Log.Warn().Err(werr).Str("product", owners[i].String()).Msg("product not unpublished")
		} else {
			sum.Updated++
		}
	}
	if err == nil && sum.Failed > 0 {
		err = ErrPartial
	}
	return sum, err
}

// WebList prints the products marked Sell on Web.
func WebList(ctx context.Context, st *state.Store, w io.Writer) error {
	rows, err := st.Query(ctx, "sell_on_web = 1")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%-8s %-10s %-16s %-10s %-9s %s\n",
		"KIND", "ID", "SKU", "WEB ID", "MARKED", "NAME")
	for _, p := range rows {
		by := p.FlaggedBy
		fmt.Fprintf(w, "%-8s %-10d %-16s %-10d %-9s %s\n",
			p.Kind, p.ID, p.SKU, p.WebID, by, p.Name)
	}
	return nil
}
