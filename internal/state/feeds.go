package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StockRow is the remembered stock of one item in one location.
type StockRow struct {
	ItemID   int64
	ShopID   int64
	QOH      int64
	Sellable int64
	Stamp    time.Time
}

// RecordStock upserts stock rows; an older row never replaces a newer one.
func RecordStock(ctx context.Context, tx *sql.Tx, rows []StockRow) error {
	stmt, err := tx.PrepareContext(ctx, `
INSERT INTO stock (item_id, shop_id, qoh, sellable, stamp) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (item_id, shop_id) DO UPDATE SET
	qoh = excluded.qoh, sellable = excluded.sellable, stamp = excluded.stamp
WHERE excluded.stamp >= stock.stamp`)
	if err != nil {
		return fmt.Errorf("prepare stock upsert: %w", err)
	}
	defer stmt.Close()

	for _, r := range rows {
		_, err := stmt.ExecContext(ctx, r.ItemID, r.ShopID, r.QOH, r.Sellable, Stamp(r.Stamp))
		if err != nil {
			return fmt.Errorf("record stock of item %d shop %d: %w", r.ItemID, r.ShopID, err)
		}
	}
	return nil
}

// RecordPrices replaces the remembered price levels of an item.
func RecordPrices(ctx context.Context, tx *sql.Tx, itemID int64, levels map[string]string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM prices WHERE item_id = ?`, itemID); err != nil {
		return fmt.Errorf("clear prices of item %d: %w", itemID, err)
	}
	if len(levels) == 0 {
		return nil
	}
	// One statement for all levels: a page of 100 items makes 100 inserts,
	// not 300.
	q := `INSERT INTO prices (item_id, level, amount) VALUES `
	args := make([]any, 0, 3*len(levels))
	for level, amount := range levels {
		if len(args) > 0 {
			q += ", "
		}
		q += "(?, ?, ?)"
		args = append(args, itemID, level, amount)
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("record prices of item %d: %w", itemID, err)
	}
	return nil
}

// Cursor returns the named cursor, or the zero time when it was never set.
func (s *Store) Cursor(ctx context.Context, name string) (time.Time, error) {
	var v string
	err := s.DB.QueryRowContext(ctx, `SELECT value FROM cursors WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read cursor %s: %w", name, err)
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("read cursor %s: %w", name, err)
	}
	return t, nil
}

// SetCursor moves a cursor forward; it never moves back.
func SetCursor(ctx context.Context, tx *sql.Tx, name string, t time.Time) error {
	_, err := tx.ExecContext(ctx, `
INSERT INTO cursors (name, value) VALUES (?, ?)
ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`,
		name, Stamp(t))
	if err != nil {
		return fmt.Errorf("move cursor %s: %w", name, err)
	}
	return nil
}

// ResetCursor forgets a cursor so the next read starts from the beginning.
func (s *Store) ResetCursor(ctx context.Context, name string) error {
	_, err := s.DB.ExecContext(ctx, `DELETE FROM cursors WHERE name = ?`, name)
	return err
}

// TagMatrix records a matrix marked by a tag, so variants added later are
// marked too. It reports whether the matrix was new.
func TagMatrix(ctx context.Context, tx *sql.Tx, matrixID int64, tag string) (bool, error) {
	res, err := tx.ExecContext(ctx, `
INSERT INTO tagged_matrices (matrix_id, tag, flagged_at) VALUES (?, ?, ?)
ON CONFLICT (matrix_id) DO NOTHING`, matrixID, tag, Now())
	if err != nil {
		return false, fmt.Errorf("record tagged matrix %d: %w", matrixID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// TaggedMatrix reports whether a matrix was marked by a tag, and which.
func TaggedMatrix(ctx context.Context, tx *sql.Tx, matrixID int64) (string, bool, error) {
	var tag string
	err := tx.QueryRowContext(ctx,
		`SELECT tag FROM tagged_matrices WHERE matrix_id = ?`, matrixID).Scan(&tag)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return tag, err == nil, err
}

// WebTerm reads the web id mapped to a Lightspeed category or brand, with
// the name it was last written with; 0 when none is mapped.
func (s *Store) WebTerm(ctx context.Context, table string, lsID int64) (int64, string, error) {
	if table != "categories" && table != "brands" {
		return 0, "", fmt.Errorf("unknown term table %q", table)
	}
	var id int64
	var name string
	err := s.DB.QueryRowContext(ctx,
		`SELECT web_id, name FROM `+table+` WHERE ls_id = ?`, lsID).Scan(&id, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("read %s %d: %w", table, lsID, err)
	}
	return id, name, nil
}

// SetWebTerm maps a Lightspeed category or brand to its web id.
func (s *Store) SetWebTerm(ctx context.Context, table string, lsID, webID int64,
	name string, parent int64) error {
	var err error
	switch table {
	case "categories":
		_, err = s.DB.ExecContext(ctx, `
INSERT INTO categories (ls_id, web_id, name, parent) VALUES (?, ?, ?, ?)
ON CONFLICT (ls_id) DO UPDATE SET web_id = excluded.web_id, name = excluded.name,
	parent = excluded.parent`, lsID, webID, name, parent)
	case "brands":
		_, err = s.DB.ExecContext(ctx, `
INSERT INTO brands (ls_id, web_id, name) VALUES (?, ?, ?)
ON CONFLICT (ls_id) DO UPDATE SET web_id = excluded.web_id, name = excluded.name`,
			lsID, webID, name)
	default:
		err = fmt.Errorf("unknown term table %q", table)
	}
	if err != nil {
		return fmt.Errorf("map %s %d: %w", table, lsID, err)
	}
	return nil
}

// ImageRow is the remembered upload of one Lightspeed image.
type ImageRow struct {
	LSImageID int64
	OwnerKind string
	OwnerID   int64
	Stamp     string
	PublicID  string
	MediaID   int64
}

// Images returns the remembered images of a product.
func (s *Store) Images(ctx context.Context, k Key) (map[int64]ImageRow, error) {
	rows, err := s.DB.QueryContext(ctx, `
SELECT ls_image_id, owner_kind, owner_id, ls_stamp, public_id, media_id
FROM images WHERE owner_kind = ? AND owner_id = ?`, k.Kind, k.ID)
	if err != nil {
		return nil, fmt.Errorf("read images of %s: %w", k, err)
	}
	defer rows.Close()

	out := map[int64]ImageRow{}
	for rows.Next() {
		var r ImageRow
		err := rows.Scan(&r.LSImageID, &r.OwnerKind, &r.OwnerID, &r.Stamp, &r.PublicID, &r.MediaID)
		if err != nil {
			return nil, err
		}
		out[r.LSImageID] = r
	}
	return out, rows.Err()
}

// RecordImage remembers the media id an image was uploaded as.
func RecordImage(ctx context.Context, tx *sql.Tx, r ImageRow) error {
	_, err := tx.ExecContext(ctx, `
INSERT INTO images (ls_image_id, owner_kind, owner_id, ls_stamp, public_id, media_id)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (ls_image_id) DO UPDATE SET owner_kind = excluded.owner_kind,
	owner_id = excluded.owner_id, ls_stamp = excluded.ls_stamp,
	public_id = excluded.public_id, media_id = excluded.media_id`,
		r.LSImageID, r.OwnerKind, r.OwnerID, r.Stamp, r.PublicID, r.MediaID)
	if err != nil {
		return fmt.Errorf("record image %d: %w", r.LSImageID, err)
	}
	return nil
}

// FirstPush returns when the earliest product still in the web store was
// pushed, or the zero time when none is.
func (s *Store) FirstPush(ctx context.Context) (time.Time, error) {
	var v sql.NullString
	err := s.DB.QueryRowContext(ctx,
		`SELECT min(pushed_at) FROM products WHERE web_id <> 0 AND pushed_at <> ''`).Scan(&v)
	if err != nil || !v.Valid {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339Nano, v.String)
}

// OnSale calls fn for every item on sale in the web store, with its
// remembered sellable stock per shop and price levels. Rows are streamed
// from one query, so memory does not grow with the catalog.
func (s *Store) OnSale(ctx context.Context,
	fn func(p Product, sellable map[int64]int64, levels map[string]string) error) error {
	rows, err := s.DB.QueryContext(ctx, `SELECT `+productColumns+`,
	(SELECT group_concat(shop_id || ':' || sellable, ',') FROM stock
		WHERE item_id = products.ls_id),
	(SELECT group_concat(level || char(31) || amount, char(30)) FROM prices
		WHERE item_id = products.ls_id)
FROM products
WHERE kind = 'item' AND sell_on_web = 1 AND web_id <> 0 AND archived = 0
ORDER BY ls_id`)
	if err != nil {
		return fmt.Errorf("read items on sale: %w", err)
	}
	defer rows.Close()

	for rows.Next() {
		var p Product
		var stock, prices sql.NullString
		err := rows.Scan(&p.Kind, &p.ID, &p.MatrixID, &p.SKU, &p.Name, &p.SellOnWeb,
			&p.FlaggedBy, &p.Stamp, &p.Archived, &p.WebID, &p.WebParentID,
			&p.PushedStamp, &p.PushedHash, &p.PushedPrice, &p.PushedStock,
			&p.Failures, &p.LastError, &stock, &prices)
		if err != nil {
			return fmt.Errorf("read item on sale: %w", err)
		}
		sellable := map[int64]int64{}
		for _, pair := range strings.Split(stock.String, ",") {
			shop, n, ok := strings.Cut(pair, ":")
			if !ok {
				continue
			}
			id, _ := strconv.ParseInt(shop, 10, 64)
			sellable[id], _ = strconv.ParseInt(n, 10, 64)
		}
		levels := map[string]string{}
		for _, pair := range strings.Split(prices.String, "\x1e") {
			if level, amount, ok := strings.Cut(pair, "\x1f"); ok {
				levels[level] = amount
			}
		}
		if err := fn(p, sellable, levels); err != nil {
			return err
		}
	}
	return rows.Err()
}
