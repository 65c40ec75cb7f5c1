package seed

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The days the sales extract covers.
const (
	FirstSalesDay = "2011-11-14"
	LastSalesDay  = "2011-11-18"
)

// ErrNoSuchDay is returned by Sales for a day outside the extract.
var ErrNoSuchDay = errors.New("day is not in the sales extract " +
	FirstSalesDay + " to " + LastSalesDay)

// Sale is one transaction line of the sales extract, mapped to the item
// Load seeds for its StockCode.
type Sale struct {
	// At is the invoice time. The source gives UK local time without a
	// zone; in November the UK is on GMT, so it is read as UTC.
	At        time.Time
	InvoiceNo string
	ItemID    int64
	SKU       string
	// Quantity is negative for a cancellation (an invoice number starting
	// with "C") or a stock adjustment: the goods come back.
	Quantity int64
	// UnitPrice is the price charged, as written in the source ("15.0").
	UnitPrice string
}

// Sales returns the sales lines of day (YYYY-MM-DD, 2011-11-14 to
// 2011-11-18) in source order, duplicates included. Lines whose
// StockCode is not a seeded item (postage, manual entries, fees and
// products never sold at a price) are left out.
func Sales(dir, day string) ([]Sale, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil ||
		day < FirstSalesDay || day > LastSalesDay {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchDay, day)
	}

	rows, err := retailProducts(dir)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]int64, len(rows))
	for i, r := range rows {
		ids[r.Code] = firstRetailID + int64(i)
	}

	recs, err := readCSV(filepath.Join(dir, SalesFile))
	if err != nil {
		return nil, err
	}
	var sales []Sale
	for _, r := range recs {
		if !strings.HasPrefix(r["InvoiceDate"], day) {
			continue
		}
		id, ok := ids[r["StockCode"]]
		if !ok {
			continue
		}
		s, err := parseSale(r, id)
		if err != nil {
			return nil, err
		}
		sales = append(sales, s)
	}
	return sales, nil
}

func parseSale(r map[string]string, id int64) (Sale, error) {
	at, err := time.Parse(time.DateTime, r["InvoiceDate"])
	if err != nil {
		return Sale{}, fmt.Errorf("%w: invoice %s date: %v",
			ErrBadData, r["InvoiceNo"], err)
	}
	qty, err := strconv.ParseInt(r["Quantity"], 10, 64)
	if err != nil {
		return Sale{}, fmt.Errorf("%w: invoice %s quantity: %v",
			ErrBadData, r["InvoiceNo"], err)
	}
	return Sale{
		At:        at.UTC(),
		InvoiceNo: r["InvoiceNo"],
		ItemID:    id,
		SKU:       r["StockCode"],
		Quantity:  qty,
		UnitPrice: r["UnitPrice"],
	}, nil
}
