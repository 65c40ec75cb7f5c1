package state_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/storesync/storesync/internal/state"
)

// benchRows is the size of one feed page.
const benchRows = 100

func openBench(b *testing.B) *state.Store {
	b.Helper()
	st, err := state.Open(context.Background(), filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// benchTx runs fn for page after page, one transaction each, and reports
// the cost per page of benchRows rows. Pages reuse the same IDs, so after
// the first one every row is an update, as in a steady feed.
func benchTx(b *testing.B, fn func(ctx context.Context, tx *sql.Tx, page int) error) {
	ctx := context.Background()
	st := openBench(b)
	b.ReportAllocs()
	page := 0
	for b.Loop() {
		page++
		err := st.Tx(ctx, func(tx *sql.Tx) error { return fn(ctx, tx, page) })
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecordSeen(b *testing.B) {
	base := time.Date(2024, 3, 2, 11, 0, 0, 0, time.UTC)
	benchTx(b, func(ctx context.Context, tx *sql.Tx, page int) error {
		rows := make([]state.Seen, benchRows)
		for i := range rows {
			id := int64(1000 + i)
			rows[i] = state.Seen{Key: state.Key{Kind: state.KindItem, ID: id},
				SKU: fmt.Sprintf("SYN-%07d", id), Name: "Synthetic Mug",
				Stamp: base.Add(time.Duration(page) * time.Second)}
		}
		return state.RecordSeen(ctx, tx, rows)
	})
}

func BenchmarkRecordStock(b *testing.B) {
	base := time.Date(2024, 3, 2, 11, 0, 0, 0, time.UTC)
	benchTx(b, func(ctx context.Context, tx *sql.Tx, page int) error {
		rows := make([]state.StockRow, benchRows)
		for i := range rows {
			rows[i] = state.StockRow{ItemID: int64(1000 + i/2), ShopID: int64(1 + i%2),
				QOH: int64(page % 50), Sellable: int64(page % 50),
				Stamp: base.Add(time.Duration(page) * time.Second)}
		}
		return state.RecordStock(ctx, tx, rows)
	})
}

// BenchmarkRecordPrices records three price levels for each of 100 items,
// as readItems does for one page.
func BenchmarkRecordPrices(b *testing.B) {
	benchTx(b, func(ctx context.Context, tx *sql.Tx, page int) error {
		amount := fmt.Sprintf("%d.99", page%90)
		levels := map[string]string{"Default": amount, "MSRP": amount, "Online": "0"}
		for i := range benchRows {
			if err := state.RecordPrices(ctx, tx, int64(1000+i), levels); err != nil {
				return err
			}
		}
		return nil
	})
}
