package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/exitcode"
)

// ErrNoSuchSKU is returned by act when no item has the SKU, compared
// exactly: case matters, as 85123A and 85123a are two items.
var ErrNoSuchSKU = errors.New("no item has this SKU")

// ActOptions are the flags and arguments of the act commands.
type ActOptions struct {
	ReadyFile string
	Action    string // price, sell, tag or archive
	SKU       string
	Value     string // amount, quantity or tag
	Level     string // price level, for price
	ShopID    int64  // shop, for sell
	Out       io.Writer
}

func newActCmd() *cobra.Command {
	opts := ActOptions{}
	cmd := &cobra.Command{
		Use:   "act",
		Short: "Change one item on the Lightspeed shop floor",
		Long: `Act changes one item, named by its custom SKU (case matters), through
the Lightspeed emulator's control API, as a shop assistant would.`,
	}
	cmd.PersistentFlags().StringVar(&opts.ReadyFile, "ready-file", "",
		"ready `file` written by serve (required)")

	run := func(action string, withValue bool) func(*cobra.Command,
		[]string) error {
		return func(cmd *cobra.Command, args []string) error {
			opts.Action, opts.SKU, opts.Out = action, args[0], cmd.OutOrStdout()
			if withValue {
				opts.Value = args[1]
			}
			return runAct(cmd.Context(), opts)
		}
	}
	price := &cobra.Command{
		Use:   "price SKU AMOUNT",
		Short: "Set a price level of an item",
		Args:  exactArgs(2),
		RunE:  run("price", true),
	}
	price.Flags().StringVar(&opts.Level, "level", "Default",
		"price `level` to set")
	sell := &cobra.Command{
		Use:   "sell SKU QTY",
		Short: "Sell QTY units of an item; a negative QTY is a return",
		Args:  exactArgs(2),
		RunE:  run("sell", true),
	}
	sell.Flags().Int64Var(&opts.ShopID, "shop", 1, "shop `ID` of the sale")
	tag := &cobra.Command{
		Use:   "tag SKU TAG",
		Short: "Add a tag to an item",
		Args:  exactArgs(2),
		RunE:  run("tag", true),
	}
	archive := &cobra.Command{
		Use:   "archive SKU",
		Short: "Archive an item",
		Args:  exactArgs(1),
		RunE:  run("archive", false),
	}
	variant := &cobra.Command{
		Use:   "add-variant SIBLING-SKU NEW-SKU VALUES PRICE QTY",
		Short: "Add a variant to the matrix of SIBLING-SKU",
		Long: `add-variant adds an item to the matrix that SIBLING-SKU belongs to, with
the attribute VALUES (comma-separated, in the matrix's attribute order), a
Default PRICE and QTY on hand in shop 1.`,
		Args: exactArgs(5),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAddVariant(cmd.Context(), opts.ReadyFile, args, cmd.OutOrStdout())
		},
	}
	cmd.AddCommand(price, sell, tag, archive, variant)
	return cmd
}

// runAddVariant adds a variant to a sibling's matrix through the control
// API.
func runAddVariant(ctx context.Context, readyFile string, args []string,
	out io.Writer) error {
	qty, err := strconv.ParseInt(args[4], 10, 64)
	if err != nil {
		return exitcode.Usagef("quantity %q is not a whole number", args[4])
	}
	c, ready, err := openControl(readyFile)
	if err != nil {
		return err
	}
	items, err := c.lsItems(ctx)
	if err != nil {
		return err
	}
	var matrixID int64
	for _, it := range items {
		if it.SKU == args[0] {
			matrixID = it.MatrixID
		}
	}
	if matrixID == 0 {
		return fmt.Errorf("%s: %w, or it is in no matrix", args[0], ErrNoSuchSKU)
	}
	var id int64
	_, err = c.do(ctx, http.MethodPost, ready.LightspeedURL+"/_sandbox/add-variant", nil,
		map[string]any{"matrix_id": matrixID, "item": map[string]any{
			"CustomSKU": args[1], "Description": args[1],
			"Attributes": strings.Split(args[2], ","),
			"Prices":     map[string]string{"Default": args[3]},
			"Stock":      map[string]int64{"1": qty},
		}}, &struct {
			ItemID *int64 `json:"item_id"`
		}{&id})
	if err != nil {
		return fmt.Errorf("add variant %s: %w", args[1], err)
	}
	fmt.Fprintf(out, "added %s to matrix %d (item %d)\n", args[1], matrixID, id)
	return nil
}

func runAct(ctx context.Context, opts ActOptions) error {
	c, _, err := openControl(opts.ReadyFile)
	if err != nil {
		return err
	}
	id, err := c.itemIDBySKU(ctx, opts.SKU)
	if err != nil {
		return err
	}

	var msg string
	switch opts.Action {
	case "price":
		if !isSet(opts.Value) && opts.Value != "0" {
			return exitcode.Usagef("price %q is not an amount", opts.Value)
		}
		err = c.lsAction(ctx, "price", map[string]any{"item_id": id,
			"level": opts.Level, "amount": opts.Value})
		msg = fmt.Sprintf("%s price of %s set to %s", opts.Level, opts.SKU,
			opts.Value)
	case "sell":
		qty, perr := strconv.ParseInt(opts.Value, 10, 64)
		if perr != nil || qty == 0 {
			return exitcode.Usagef("quantity %q is not a whole number other "+
				"than 0", opts.Value)
		}
		err = c.sell(ctx, id, opts.ShopID, qty)
		msg = fmt.Sprintf("sold %d of %s in shop %d", qty, opts.SKU,
			opts.ShopID)
	case "tag":
		err = c.lsAction(ctx, "tag", map[string]any{"item_id": id,
			"tag": opts.Value})
		msg = fmt.Sprintf("tagged %s %q", opts.SKU, opts.Value)
	case "archive":
		err = c.lsAction(ctx, "archive", map[string]any{"item_id": id})
		msg = fmt.Sprintf("archived %s", opts.SKU)
	default:
		return exitcode.Usagef("unknown action %q", opts.Action)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", opts.Action, opts.SKU, err)
	}
	fmt.Fprintf(opts.Out, "%s (item %d)\n", msg, id)
	return nil
}

// itemIDBySKU finds the item whose custom SKU is exactly sku.
func (c *control) itemIDBySKU(ctx context.Context, sku string) (int64,
	error) {
	items, err := c.lsItems(ctx)
	if err != nil {
		return 0, err
	}
	for _, it := range items {
		if it.SKU == sku {
			return it.ItemID, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrNoSuchSKU, sku)
}
