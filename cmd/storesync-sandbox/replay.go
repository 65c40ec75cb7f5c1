package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/seed"
)

// ReplayOptions are the flags of replay.
type ReplayOptions struct {
	ReadyFile  string
	CatalogDir string
	Day        string
	Limit      int
	ShopID     int64
	Out        io.Writer
}

func newReplayCmd() *cobra.Command {
	opts := ReplayOptions{}
	cmd := &cobra.Command{
		Use:   "replay",
		Short: "Sell a day of real sales through the Lightspeed emulator",
		Long: `Replay sells the sales lines of one day of the sample data (2011-11-14
to 2011-11-18) in the order they were rung up, each as a sale in one
shop; a negative quantity (a cancellation or an adjustment) puts the
goods back. Lines for items the emulator refuses, such as archived ones,
are counted and skipped. It prints one summary line.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out = cmd.OutOrStdout()
			return runReplay(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ReadyFile, "ready-file", "",
		"ready `file` written by serve (required)")
	f.StringVar(&opts.CatalogDir, "catalog", "",
		"directory of the sample catalog; default: the one serve used")
	f.StringVar(&opts.Day, "day", "", "`day` to replay, such as "+
		seed.FirstSalesDay+" (required)")
	f.IntVar(&opts.Limit, "limit", 0, "replay at most `N` lines; 0 = all")
	f.Int64Var(&opts.ShopID, "shop", 1, "shop `ID` the sales are rung up in")
	return cmd
}

func runReplay(ctx context.Context, opts ReplayOptions) error {
	if opts.ReadyFile == "" || opts.Day == "" {
		return exitcode.Usagef("--ready-file and --day are required")
	}
	if opts.Limit < 0 {
		return exitcode.Usagef("--limit must not be negative")
	}
	ready, err := readReady(opts.ReadyFile)
	if err != nil {
		return err
	}
	if opts.CatalogDir == "" {
		opts.CatalogDir = ready.CatalogDir
	}
	sales, err := seed.Sales(opts.CatalogDir, opts.Day)
	if errors.Is(err, seed.ErrNoSuchDay) {
		return exitcode.Usage(err)
	}
	if err != nil {
		return err
	}
	if opts.Limit > 0 && opts.Limit < len(sales) {
		sales = sales[:opts.Limit]
	}

	// Ring up each line; a refusal skips the line, anything else stops.
	c := newControl(ready)
	touched := map[int64]bool{}
	var replayed, returns, refused int
	for _, s := range sales {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := c.sell(ctx, s.ItemID, opts.ShopID, s.Quantity)
		var re *RefusedError
		if errors.As(err, &re) && re.Status == http.StatusUnprocessableEntity {
			refused++
			continue
		}
		if err != nil {
			return fmt.Errorf("sell %s (invoice %s): %w", s.SKU, s.InvoiceNo,
				err)
		}
		replayed++
		touched[s.ItemID] = true
		if s.Quantity < 0 {
			returns++
		}
	}

	fmt.Fprintf(opts.Out, "replayed %d sales lines of %s in shop %d "+
		"(%d returns, %d refused); %d items touched\n", replayed, opts.Day,
		opts.ShopID, returns, refused, len(touched))
	return nil
}
