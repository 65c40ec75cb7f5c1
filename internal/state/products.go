package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kinds of product rows.
const (
	KindItem   = "item"
	KindMatrix = "matrix"
)

// Flag sources recorded in products.flagged_by.
const (
	FlaggedByHand = "hand"
	UnflaggedHand = "off:hand"
	flaggedByTag  = "tag:"
)

// FlaggedByTag is the flagged_by value for a product marked by tag-scan.
func FlaggedByTag(tag string) string { return flaggedByTag + tag }

// Key identifies a Lightspeed item or matrix.
type Key struct {
	Kind string
	ID   int64
}

func (k Key) String() string { return fmt.Sprintf("%s %d", k.Kind, k.ID) }

// Seen is what a Lightspeed read tells about an item or matrix.
type Seen struct {
	Key
	MatrixID int64
	SKU      string
	Name     string
	Stamp    time.Time
	Archived bool

	// Fingerprint sums up the fields the read showed. Lightspeed's
	// timeStamps have one-second resolution, so a change in the same
	// second as an earlier read shows only as a new fingerprint.
	Fingerprint string
}

// Product is one row of the products table.
type Product struct {
	Key
	MatrixID    int64
	SKU         string
	Name        string
	SellOnWeb   bool
	FlaggedBy   string
	Stamp       string
	Archived    bool
	WebID       int64
	WebParentID int64
	PushedStamp string
	PushedHash  string
	PushedPrice string
	PushedStock sql.NullInt64
	Failures    int
	LastError   string
}

const productColumns = `kind, ls_id, matrix_id, sku, name, sell_on_web,
	flagged_by, ls_stamp, archived, web_id, web_parent_id, pushed_stamp,
	pushed_hash, pushed_price, pushed_stock, failures, last_error`

func scanProduct(sc interface{ Scan(...any) error }) (Product, error) {
	var p Product
	err := sc.Scan(&p.Kind, &p.ID, &p.MatrixID, &p.SKU, &p.Name, &p.SellOnWeb,
		&p.FlaggedBy, &p.Stamp, &p.Archived, &p.WebID, &p.WebParentID,
		&p.PushedStamp, &p.PushedHash, &p.PushedPrice, &p.PushedStock,
		&p.Failures, &p.LastError)
	return p, err
}

// Stamp formats a Lightspeed timeStamp for the state file. The fixed width
// keeps string comparison in step with time order.
func Stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// RecordSeen upserts what a Lightspeed read showed, keeping flags and push
// history. A row's timeStamp never goes backwards.
func RecordSeen(ctx context.Context, tx *sql.Tx, rows []Seen) error {
	stmt, err := tx.PrepareContext(ctx, `
INSERT INTO products (kind, ls_id, matrix_id, sku, name, ls_stamp, archived, seen_hash)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (kind, ls_id) DO UPDATE SET
	matrix_id = excluded.matrix_id,
	sku = excluded.sku,
	name = excluded.name,
	archived = excluded.archived,
	dirty = CASE WHEN excluded.seen_hash <> '' AND products.seen_hash <> ''
		AND excluded.seen_hash <> products.seen_hash
		AND excluded.ls_stamp = products.pushed_stamp THEN 1 ELSE dirty END,
	seen_hash = CASE WHEN excluded.seen_hash <> '' THEN excluded.seen_hash
		ELSE products.seen_hash END,
	ls_stamp = max(ls_stamp, excluded.ls_stamp)`)
	if err != nil {
		return fmt.Errorf("prepare product upsert: %w", err)
	}
	defer stmt.Close()

	for _, r := range rows {
		_, err := stmt.ExecContext(ctx, r.Kind, r.ID, r.MatrixID, r.SKU, r.Name,
			Stamp(r.Stamp), r.Archived, r.Fingerprint)
		if err != nil {
			return fmt.Errorf("record %s: %w", r.Key, err)
		}
	}
	return nil
}

// SetSellOnWeb marks or unmarks products. Marking by a tag never overrides
// a retailer who switched the product off by hand.
func SetSellOnWeb(ctx context.Context, tx *sql.Tx, keys []Key, on bool,
	by string) (changed int, err error) {
	for _, k := range keys {
		var res sql.Result
		switch {
		case on && strings.HasPrefix(by, flaggedByTag):
			res, err = tx.ExecContext(ctx, `
UPDATE products SET sell_on_web = 1, flagged_by = ?, flagged_at = ?
WHERE kind = ? AND ls_id = ? AND sell_on_web = 0 AND flagged_by <> ?`,
				by, Now(), k.Kind, k.ID, UnflaggedHand)
		default:
			res, err = tx.ExecContext(ctx, `
UPDATE products SET sell_on_web = ?, flagged_by = ?, flagged_at = ?
WHERE kind = ? AND ls_id = ? AND sell_on_web <> ?`,
				on, by, Now(), k.Kind, k.ID, on)
		}
		if err != nil {
			return changed, fmt.Errorf("flag %s: %w", k, err)
		}
		n, _ := res.RowsAffected()
		changed += int(n)
	}
	return changed, nil
}

// ErrUnknownProduct is returned for a product the state file has not seen.
var ErrUnknownProduct = errors.New("unknown product")

// Get reads one product row.
func (s *Store) Get(ctx context.Context, k Key) (Product, error) {
	row := s.DB.QueryRowContext(ctx, `SELECT `+productColumns+`
FROM products WHERE kind = ? AND ls_id = ?`, k.Kind, k.ID)
	p, err := scanProduct(row)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("%s: %w", k, ErrUnknownProduct)
	}
	return p, err
}

// Query returns the product rows a WHERE clause selects.
func (s *Store) Query(ctx context.Context, where string, args ...any) ([]Product, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT `+productColumns+`
FROM products WHERE `+where+` ORDER BY kind, ls_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("query products: %w", err)
	}
	defer rows.Close()

	var out []Product
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, fmt.Errorf("read product row: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// BySKU returns the item rows whose SKU is sku.
func (s *Store) BySKU(ctx context.Context, sku string) ([]Product, error) {
	return s.Query(ctx, "kind = 'item' AND sku = ?", sku)
}

// Pushed is the record of one successful push.
type Pushed struct {
	Key
	WebID       int64
	WebParentID int64
	Stamp       string // the Lightspeed timeStamp the push reflects
	Hash        string
	Price       string
	Stock       sql.NullInt64
	JSON        string // the fields pushed, for showing later changes
}

// RecordPushed stores a successful full push and clears the failure.
func RecordPushed(ctx context.Context, tx *sql.Tx, p Pushed) error {
	_, err := tx.ExecContext(ctx, `
UPDATE products SET web_id = ?, web_parent_id = ?, pushed_stamp = ?,
	pushed_hash = ?, pushed_price = ?, pushed_stock = ?, pushed_at = ?,
	pushed_json = ?, dirty = 0, failures = 0, last_error = ''
WHERE kind = ? AND ls_id = ?`,
		p.WebID, p.WebParentID, p.Stamp, p.Hash, p.Price, p.Stock, Now(),
		p.JSON, p.Kind, p.ID)
	if err != nil {
		return fmt.Errorf("record push of %s: %w", p.Key, err)
	}
	return nil
}

// RecordWebID remembers the web product of a Lightspeed product as soon as
// it is known, before the rest of the push is recorded.
func RecordWebID(ctx context.Context, tx *sql.Tx, k Key, webID, parentID int64) error {
	_, err := tx.ExecContext(ctx, `
UPDATE products SET web_id = ?, web_parent_id = ? WHERE kind = ? AND ls_id = ?`,
		webID, parentID, k.Kind, k.ID)
	if err != nil {
		return fmt.Errorf("record web id of %s: %w", k, err)
	}
	return nil
}

// RecordStockPrice stores a successful stock and price push.
func RecordStockPrice(ctx context.Context, tx *sql.Tx, k Key, price string,
	stock int64) error {
	_, err := tx.ExecContext(ctx, `
UPDATE products SET pushed_price = ?, pushed_stock = ?, pushed_at = ?,
	failures = 0, last_error = ''
WHERE kind = ? AND ls_id = ?`, price, stock, Now(), k.Kind, k.ID)
	if err != nil {
		return fmt.Errorf("record stock of %s: %w", k, err)
	}
	return nil
}

// RecordFailure keeps a product pending with the reason it failed.
func RecordFailure(ctx context.Context, tx *sql.Tx, k Key, reason string) error {
	_, err := tx.ExecContext(ctx, `
UPDATE products SET failures = failures + 1, last_error = ?, dirty = 1
WHERE kind = ? AND ls_id = ?`, reason, k.Kind, k.ID)
	if err != nil {
		return fmt.Errorf("record failure of %s: %w", k, err)
	}
	return nil
}

// MarkDirty makes products pending for the next full push.
func MarkDirty(ctx context.Context, tx *sql.Tx, keys []Key) error {
	for _, k := range keys {
		_, err := tx.ExecContext(ctx,
			`UPDATE products SET dirty = 1 WHERE kind = ? AND ls_id = ?`, k.Kind, k.ID)
		if err != nil {
			return fmt.Errorf("mark %s pending: %w", k, err)
		}
	}
	return nil
}

// ForgetWebID records that the web store no longer has a product: its web
// id and push history are cleared, and for a matrix those of its variants
// too, so the next full push looks the product up again by SKU and creates
// it when it is not found. The product stays pending.
func ForgetWebID(ctx context.Context, tx *sql.Tx, k Key, reason string) error {
	_, err := tx.ExecContext(ctx, `
UPDATE products SET web_id = 0, web_parent_id = 0, pushed_stamp = '',
	pushed_hash = '', pushed_price = '', pushed_stock = NULL, dirty = 1
WHERE (kind = ? AND ls_id = ?) OR (? = 'matrix' AND kind = 'item' AND matrix_id = ?)`,
		k.Kind, k.ID, k.Kind, k.ID)
	if err != nil {
		return fmt.Errorf("forget web id of %s: %w", k, err)
	}
	return RecordFailure(ctx, tx, k, reason)
}

// PushedJSON returns the fields last pushed for a product, as
// catalog.Encode wrote them; "" when it was never pushed. Rows are read
// without it, so that listing many products stays light.
func (s *Store) PushedJSON(ctx context.Context, k Key) (string, error) {
	var v string
	err := s.DB.QueryRowContext(ctx,
		`SELECT pushed_json FROM products WHERE kind = ? AND ls_id = ?`, k.Kind, k.ID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read pushed fields of %s: %w", k, err)
	}
	return v, nil
}

// unitOf maps a product row to the web product it belongs to: a variant
// to its matrix, anything else to itself.
const unitOf = `CASE WHEN kind = 'item' AND matrix_id <> 0 THEN 'matrix' ELSE kind END`
const unitIDOf = `CASE WHEN kind = 'item' AND matrix_id <> 0 THEN matrix_id ELSE ls_id END`

// UnitKeys returns, in order, up to n keys of the web products (standalone
// items and matrices) that rows matching where belong to, after the key
// after. Reading them a page at a time keeps memory flat however many
// products are pending.
func (s *Store) UnitKeys(ctx context.Context, where string, after Key, n int) ([]Key, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT u, id FROM (
	SELECT `+unitOf+` AS u, `+unitIDOf+` AS id FROM products WHERE `+where+`)
WHERE u > ? OR (u = ? AND id > ?)
GROUP BY u, id ORDER BY u, id LIMIT ?`, after.Kind, after.Kind, after.ID, n)
	if err != nil {
		return nil, fmt.Errorf("list pending products: %w", err)
	}
	defer rows.Close()

	var out []Key
	for rows.Next() {
		var k Key
		if err := rows.Scan(&k.Kind, &k.ID); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// CountUnits counts the web products that rows matching where belong to.
func (s *Store) CountUnits(ctx context.Context, where string) (int, error) {
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT DISTINCT `+unitOf+`, `+
		unitIDOf+` FROM products WHERE `+where+`)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pending products: %w", err)
	}
	return n, nil
}

// MarkedCounts counts the Sell-on-Web products, those in the web store,
// those pending a push (never pushed, or changed since), and the products
// whose last push failed.
func (s *Store) MarkedCounts(ctx context.Context) (marked, inStore, pending, failing int,
	err error) {
	err = s.DB.QueryRowContext(ctx, `SELECT
	coalesce(sum(sell_on_web = 1), 0),
	coalesce(sum(sell_on_web = 1 AND web_id <> 0), 0),
	coalesce(sum(sell_on_web = 1 AND (web_id = 0 OR ls_stamp <> pushed_stamp)), 0),
	coalesce(sum(last_error <> ''), 0)
FROM products`).Scan(&marked, &inStore, &pending, &failing)
	if err != nil {
		err = fmt.Errorf("count products: %w", err)
	}
	return marked, inStore, pending, failing, err
}
