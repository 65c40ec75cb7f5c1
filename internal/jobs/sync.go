package jobs

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/storesync/storesync/internal/catalog"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/webstore"
	"github.com/storesync/storesync/pkg/lightspeed"
)

// Sync pushes stock and price changes of Sell-on-Web products that are
// already in the web store. It reads the stock feed (ItemShop rows, which a
// sale moves) and the price feed (items whose timeStamp moved), remembers
// both, then pushes every product whose stock or price differs from what
// was last pushed, so a failed push is simply retried next time.
func Sync(ctx context.Context, e *Env) (Summary, error) {
	var sum Summary

	// Read the stock feed.
	if err := e.readStock(ctx); err != nil {
		return sum, err
	}

	// Read the price feed.
	if err := e.readItems(ctx, cursorPrices, nil); err != nil {
		return sum, err
	}

	// Push what differs.
	return e.pushStockPrice(ctx)
}

func (e *Env) readStock(ctx context.Context) error {
	filters, err := e.since(ctx, cursorStock)
	if err != nil {
		return err
	}
	shops := e.Settings.Catalog.Shops
	if len(shops) == 0 {
		filters = append(filters, lightspeed.Filter{Field: "shopID", Op: "=", Value: "0"})
	} else {
		filters = append(filters, lightspeed.In("shopID", shops...))
	}
	q := lightspeed.Query{Filters: filters, Sort: "timeStamp"}

	start := e.readStart()
	err = e.LS.ItemShops(ctx, q, func(page []lightspeed.ItemShop) error {
		rows := make([]state.StockRow, 0, len(page))
		var last time.Time
		for _, r := range page {
			rows = append(rows, state.StockRow{ItemID: r.ItemID, ShopID: r.ShopID,
				QOH: r.QOH, Sellable: r.Sellable, Stamp: r.TimeStamp})
			last = maxStamp(last, r.TimeStamp)
		}
		return e.State.Tx(ctx, func(tx *sql.Tx) error {
			if err := state.RecordStock(ctx, tx, rows); err != nil {
				return err
			}
			return state.SetCursor(ctx, tx, cursorStock, last)
		})
	})
	if err != nil {
		return err
	}
	return e.feedDone(ctx, start, cursorStock)
}

// readItems reads the item feed behind cursor and remembers each item's
// timeStamp, SKU and price levels. Archived items are included so that an
// archive is noticed. onPage, when set, runs inside each page's transaction.
func (e *Env) readItems(ctx context.Context, cursor string,
	onPage func(*sql.Tx, []lightspeed.Item) error) error {
	filters, err := e.since(ctx, cursor)
	if err != nil {
		return err
	}
	q := lightspeed.Query{Filters: filters, Sort: "timeStamp", Archived: "true"}

	start := e.readStart()
	err = e.LS.Items(ctx, q, func(page []lightspeed.Item) error {
		seen := make([]state.Seen, 0, len(page))
		var last time.Time
		for _, it := range page {
			seen = append(seen, e.seenItem(it))
			last = maxStamp(last, it.TimeStamp)
		}
		return e.State.Tx(ctx, func(tx *sql.Tx) error {
			if err := state.RecordSeen(ctx, tx, seen); err != nil {
				return err
			}
			for _, it := range page {
				levels := catalog.Levels(it.Prices)
				if err := state.RecordPrices(ctx, tx, it.ItemID, levels); err != nil {
					return err
				}
			}
			if onPage != nil {
				if err := onPage(tx, page); err != nil {
					return err
				}
			}
			return state.SetCursor(ctx, tx, cursor, last)
		})
	})
	if err != nil {
		return err
	}
	return e.feedDone(ctx, start, cursor)
}

func (e *Env) seenItem(it lightspeed.Item) state.Seen {
	return state.Seen{
		Key:         state.Key{Kind: state.KindItem, ID: it.ItemID},
		MatrixID:    it.ItemMatrixID,
		SKU:         catalog.SKU(it, e.Settings.Catalog.SKUField),
		Name:        it.Description,
		Stamp:       it.TimeStamp,
		Archived:    it.Archived,
		Fingerprint: fingerprint(it),
	}
}

// fingerprint sums up the item fields every read returns, whatever
// relations it loads.
func fingerprint(it lightspeed.Item) string {
	h := sha256.New()
	fmt.Fprintln(h, it.ItemMatrixID, it.CategoryID, it.ManufacturerID, it.Archived,
		it.Description, it.SystemSKU, it.CustomSKU, it.ManufacturerSKU, it.UPC, it.EAN)
	for _, p := range it.Prices {
		fmt.Fprintln(h, p.UseType, p.Amount)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

type stockChange struct {
	key      state.Key
	matrixID int64 // the matrix of a variant, 0 for a standalone item
	oldPrice string
	oldStock string
	price    string
	sale     string
	stock    int64
	web      webstore.StockPrice
}

// pushStockPrice compares the remembered stock and prices of every
// Sell-on-Web item in the web store with what was pushed, and pushes the
// differences in batches.
func (e *Env) pushStockPrice(ctx context.Context) (Summary, error) {
	var sum Summary
	var changes []stockChange
	err := e.State.OnSale(ctx, func(p state.Product, sellable map[int64]int64,
		levels map[string]string) error {
		c, changed := e.stockPrice(p, sellable, levels)
		if !changed {
			sum.Unchanged++
			return nil
		}
		changes = append(changes, c)
		return nil
	})
	if err != nil {
		return sum, err
	}

	if e.Settings.DryRun {
		for _, c := range changes {
			fmt.Fprintf(e.Settings.DryRunOut, "update %s:%s\n", c.key, c.describe())
		}
		sum.Updated = len(changes)
		return sum, nil
	}

	for _, group := range chunk(changes, max(e.Settings.BatchSize, 1)*10) {
		web := make([]webstore.StockPrice, len(group))
		for i, c := range group {
			web[i] = c.web
		}
		errs, err := e.Web.UpdateStockPrice(ctx, web)
		// As for full pushes: record the answers even when the run's
		// context ended while the store was answering.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordGrace)
		rerr := e.recordStockPrice(rctx, group, errs, &sum)
		cancel()
		if rerr != nil && err != nil {
			return sum, fmt.Errorf("%w; record the updates: %w", err, rerr)
		}
		if rerr != nil {
			return sum, rerr
		}
		if err != nil {
			return sum, err
		}
	}
	if sum.Failed > 0 {
		return sum, ErrPartial
	}
	return sum, nil
}

func (e *Env) stockPrice(p state.Product, sellable map[int64]int64,
	levels map[string]string) (stockChange, bool) {
	opts := e.Settings.Catalog
	c := stockChange{
		key:      p.Key,
		matrixID: p.MatrixID,
		price:    catalog.Price(levels, opts.PriceLevel),
		stock:    catalog.StockFromMap(sellable, opts.Shops),
	}
	c.sale = catalog.SalePrice(levels, opts.SalePriceLevel, c.price)
	c.oldPrice, c.oldStock = p.PushedPrice, "none"
	if p.PushedStock.Valid {
		c.oldStock = fmt.Sprint(p.PushedStock.Int64)
	}
	if c.price == "" {
		// A price of 0 is never pushed; the full push reports it.
		return c, false
	}
	c.web = webstore.StockPrice{ItemID: p.ID, WebID: p.WebID, ParentWebID: p.WebParentID,
		Price: c.price, SalePrice: c.sale, Stock: c.stock}
	changed := !p.PushedStock.Valid || p.PushedStock.Int64 != c.stock ||
		p.PushedPrice != priceKey(c.price, c.sale) || p.LastError != ""
	return c, changed
}

func (e *Env) recordStockPrice(ctx context.Context, group []stockChange, errs []error,
	sum *Summary) error {
	return e.State.Tx(ctx, func(tx *sql.Tx) error {
		for i, c := range group {
			if i >= len(errs) {
				break
			}
			if errs[i] != nil {
				sum.Failed++
				e.Log.Debug().Err(errs[i]).Int64("item_id", c.key.ID).Msg("stock push failed")
				if err := recordFailure(ctx, tx, c.key, errs[i]); err != nil {
					return err
				}
				if c.matrixID != 0 && errors.Is(errs[i], webstore.ErrGone) {
					// The variation or its whole product went: the next
					// full push adopts the product again, or creates it.
					err := state.ForgetWebID(ctx, tx, state.Key{Kind: state.KindMatrix,
						ID: c.matrixID}, errText(errs[i]))
					if err != nil {
						return err
					}
				}
				continue
			}
			sum.Updated++
			err := state.RecordStockPrice(ctx, tx, c.key, priceKey(c.price, c.sale), c.stock)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// describe names what a stock and price push changes, old and new.
func (c stockChange) describe() string {
	var out string
	if price := priceKey(c.price, c.sale); price != c.oldPrice {
		out += fmt.Sprintf(" price %s -> %s", c.oldPrice, price)
	}
	if stock := fmt.Sprint(c.stock); stock != c.oldStock {
		out += fmt.Sprintf(" stock %s -> %s", c.oldStock, stock)
	}
	if out == "" {
		out = " retry after a failed push"
	}
	return out
}
