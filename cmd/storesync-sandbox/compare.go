package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/exitcode"
)

// ErrStoreDiffers is returned by compare when a tagged product is
// missing from the web store, listed more than once, or shows another
// stock or price.
var ErrStoreDiffers = errors.New("web store differs from the till")

// CompareOptions are the flags of compare.
type CompareOptions struct {
	ReadyFile  string
	Tag        string
	Shops      []int64
	PriceLevel string
	Out        io.Writer
}

func newCompareCmd() *cobra.Command {
	opts := CompareOptions{}
	var shops string
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "Check every tagged Lightspeed item against the web store",
		Long: `Compare lists every Lightspeed item that carries the tag (in any case),
or is a variant of a matrix that does, and is not archived, beside what
the web store shows for its SKU: stock, price and how many web products
have that SKU. It also checks the web store as a whole, tagged or not:
no SKU and no Lightspeed id (lightspeed_item_id, lightspeed_matrix_id) on
more than one product or variation, and no archived item still published.
It exits 1 when any product is missing, duplicated or different, or the
store fails a check.

LS stock is the sellable quantity summed over --shops, a shop below zero
counting as zero, or the all-shops total when no shops are given; it is
never negative. LS price is the --price-level amount, or Default when
that level is unset.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if opts.Shops, err = parseShops(shops); err != nil {
				return err
			}
			opts.Out = cmd.OutOrStdout()
			return runCompare(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ReadyFile, "ready-file", "",
		"ready `file` written by serve (required)")
	f.StringVar(&opts.Tag, "tag", "webon", "tag that marks web products")
	f.StringVar(&shops, "shops", "",
		"comma-separated shop `IDs` whose stock is summed; none = total")
	f.StringVar(&opts.PriceLevel, "price-level", "Default",
		"price `level` the web price should equal")
	return cmd
}

func parseShops(s string) ([]int64, error) {
	var ids []int64
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			return nil, exitcode.Usagef("--shops: %q is not a shop ID", part)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func runCompare(ctx context.Context, opts CompareOptions) error {
	if opts.Tag == "" {
		return exitcode.Usagef("--tag must not be empty")
	}
	ready, err := readReady(opts.ReadyFile)
	if err != nil {
		return err
	}

	// Read both sides through their control APIs.
	ls := newControl(ready)
	items, matrices, err := ls.lightspeedCatalog(ctx)
	if err != nil {
		return err
	}
	web, err := ls.webProducts(ctx)
	if err != nil {
		return err
	}

	rows := compareRows(items, matrices, web, opts)
	chk := checkStore(items, web)
	fmt.Fprintf(opts.Out, "%d web products and variations; %d SKUs and %d "+
		"Lightspeed ids on more than one; %d archived items published\n",
		chk.entries, chk.dupSKUs, chk.dupIDs, chk.archivedOnSale)
	sum := printComparison(opts.Out, rows)
	if sum.missing+sum.duplicated+(sum.once-sum.matching) > 0 ||
		chk.dupSKUs+chk.dupIDs+chk.archivedOnSale > 0 {
		return fmt.Errorf("%w: %d missing, %d duplicated, %d different; "+
			"%d shared SKUs, %d shared ids, %d archived published",
			ErrStoreDiffers, sum.missing, sum.duplicated,
			sum.once-sum.matching, chk.dupSKUs, chk.dupIDs,
			chk.archivedOnSale)
	}
	return nil
}

// storeCheck counts what is wrong with the web store as a whole.
type storeCheck struct {
	entries        int // products and variations
	dupSKUs        int // SKUs held by more than one entry
	dupIDs         int // Lightspeed ids carried by more than one entry
	archivedOnSale int // archived items whose entry is published
}

// checkStore looks at every web product and variation, tagged or not: a
// SKU or a Lightspeed id on two entries is a product created twice, and
// an archived item must be taken off sale.
func checkStore(items []lsItem, web []webEntry) storeCheck {
	chk := storeCheck{entries: len(web)}
	skus := map[string]int{}
	ids := map[string]int{}
	for _, w := range web {
		if w.SKU != "" {
			skus[w.SKU]++
		}
		if w.ItemID != "" {
			ids["item:"+w.ItemID]++
		}
		if w.MatrixID != "" {
			ids["matrix:"+w.MatrixID]++
		}
	}
	for _, n := range skus {
		if n > 1 {
			chk.dupSKUs++
		}
	}
	for _, n := range ids {
		if n > 1 {
			chk.dupIDs++
		}
	}

	published := map[string]bool{}
	for _, w := range web {
		if w.ItemID != "" && w.Status == "publish" {
			published[w.ItemID] = true
		}
	}
	for _, it := range items {
		if it.Archived && published[strconv.FormatInt(it.ItemID, 10)] {
			chk.archivedOnSale++
		}
	}
	return chk
}

// lsItem is what compare needs of a Lightspeed item.
type lsItem struct {
	ItemID   int64
	MatrixID int64
	SKU      string
	Tags     []string
	Archived bool
	Sellable map[int64]int64 // by shopID; 0 is the all-shops total
	Prices   map[string]string
}

// lsMatrix is what compare needs of a Lightspeed matrix.
type lsMatrix struct {
	MatrixID int64
	Tags     []string
}

// webEntry is one web product or variation.
type webEntry struct {
	SKU    string
	Stock  *int64 // nil when the store does not manage its stock
	Price  string // regular price
	Status string

	// ItemID and MatrixID are the Lightspeed ids in the entry's meta
	// data, "" when it has none.
	ItemID, MatrixID string
}

// compareRow is one line of the table.
type compareRow struct {
	SKU      string
	LSStock  int64
	LSPrice  string
	WebStock *int64
	WebPrice string
	Count    int
}

// matches reports whether the row's one web product agrees with the till.
func (r compareRow) matches() bool {
	return r.Count == 1 && r.WebStock != nil && *r.WebStock == r.LSStock &&
		samePrice(r.LSPrice, r.WebPrice)
}

func compareRows(items []lsItem, matrices []lsMatrix, web []webEntry,
	opts CompareOptions) []compareRow {
	taggedMatrix := map[int64]bool{}
	for _, m := range matrices {
		taggedMatrix[m.MatrixID] = hasTag(m.Tags, opts.Tag)
	}
	bySKU := map[string][]webEntry{}
	for _, w := range web {
		bySKU[w.SKU] = append(bySKU[w.SKU], w)
	}

	var rows []compareRow
	for _, it := range items {
		if it.Archived ||
			!hasTag(it.Tags, opts.Tag) && !taggedMatrix[it.MatrixID] {
			continue
		}
		row := compareRow{
			SKU:     it.SKU,
			LSStock: stockOf(it.Sellable, opts.Shops),
			LSPrice: priceOf(it.Prices, opts.PriceLevel),
		}
		found := bySKU[it.SKU]
		if it.SKU == "" {
			found = nil
		}
		row.Count = len(found)
		if len(found) > 0 {
			row.WebStock, row.WebPrice = found[0].Stock, found[0].Price
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].SKU < rows[j].SKU })
	return rows
}

// compareSummary counts the rows by outcome.
type compareSummary struct {
	tagged, once, matching, missing, duplicated int
}

func printComparison(out io.Writer, rows []compareRow) compareSummary {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SKU\tLS STOCK\tWEB STOCK\tLS PRICE\tWEB PRICE\tWEB COUNT")
	var sum compareSummary
	for _, r := range rows {
		sum.tagged++
		switch {
		case r.Count == 0:
			sum.missing++
		case r.Count > 1:
			sum.duplicated++
		default:
			sum.once++
			if r.matches() {
				sum.matching++
			}
		}
		webStock, webPrice := "-", "-"
		if r.Count > 0 {
			webPrice = r.WebPrice
			if r.WebStock != nil {
				webStock = strconv.FormatInt(*r.WebStock, 10)
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\n", r.SKU, r.LSStock,
			webStock, r.LSPrice, webPrice, r.Count)
	}
	tw.Flush()
	fmt.Fprintf(out, "%d tagged products; %d in the web store exactly once; "+
		"%d with matching stock and price; %d missing; %d duplicated\n",
		sum.tagged, sum.once, sum.matching, sum.missing, sum.duplicated)
	return sum
}

// hasTag reports whether tags hold tag in any case.
func hasTag(tags []string, tag string) bool {
	for _, t := range tags {
		if strings.EqualFold(strings.TrimSpace(t), tag) {
			return true
		}
	}
	return false
}

// stockOf sums the sellable stock of shops, a negative shop counting as
// zero, or takes the total row when shops is empty. It is never negative.
func stockOf(sellable map[int64]int64, shops []int64) int64 {
	if len(shops) == 0 {
		return max(sellable[0], 0)
	}
	var n int64
	for _, id := range shops {
		n += max(sellable[id], 0)
	}
	return n
}

// priceOf picks a price level, falling back to Default when the level is
// missing or zero, as Lightspeed leaves unused levels at 0.
func priceOf(prices map[string]string, level string) string {
	if p := prices[level]; isSet(p) {
		return p
	}
	return prices["Default"]
}

func isSet(amount string) bool {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(amount))
	return ok && r.Sign() > 0
}

// samePrice compares two decimal amounts by value: "15.0" equals "15.00".
func samePrice(a, b string) bool {
	x, ok1 := new(big.Rat).SetString(strings.TrimSpace(a))
	y, ok2 := new(big.Rat).SetString(strings.TrimSpace(b))
	return ok1 && ok2 && x.Cmp(y) == 0
}
