package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/exitcode"
)

// FaultOptions are the flags and arguments of fault.
type FaultOptions struct {
	ReadyFile   string
	API         string // ls or woo; "" with Clear clears both
	Kind        string
	Path        string
	Method      string
	Count       int
	Delay       time.Duration
	RetryAfter  int
	CommitFirst int
	Status      int
	Clear       bool
	Out         io.Writer
}

func newFaultCmd() *cobra.Command {
	opts := FaultOptions{}
	cmd := &cobra.Command{
		Use:   "fault ls|woo KIND",
		Short: "Make the next requests to one emulator go wrong",
		Long: `Fault queues a fault on the Lightspeed (ls) or WooCommerce (woo)
emulator through its control API. Kinds on ls: 429, 500, 503, slow, cut,
malformed, html, lost-refresh. Kinds on woo: 429, 500, 503, slow, timeout,
cut, html, malformed, partial_commit, image_error_but_saved, strip_auth.
"fault clear" drops every queued fault on both emulators.`,
		Example: `  storesync-sandbox fault --ready-file r.json ls 429 --count 5
  storesync-sandbox fault --ready-file r.json woo timeout --delay 1s
  storesync-sandbox fault --ready-file r.json clear`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && args[0] == "clear" {
				return nil
			}
			return exactArgs(2)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out = cmd.OutOrStdout()
			if args[0] == "clear" {
				opts.Clear = true
			} else {
				opts.API, opts.Kind = args[0], args[1]
			}
			return runFault(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ReadyFile, "ready-file", "",
		"ready `file` written by serve (required)")
	f.StringVar(&opts.Path, "path", "",
		"only requests whose path contains this `text`")
	f.StringVar(&opts.Method, "method", "", "only this HTTP `method` (woo)")
	f.IntVar(&opts.Count, "count", 1,
		"how many requests it hits; below 0 until cleared")
	f.DurationVar(&opts.Delay, "delay", 0, "wait of slow and timeout")
	f.IntVar(&opts.RetryAfter, "retry-after", 0,
		"Retry-After `seconds` of 429 and 503")
	f.IntVar(&opts.CommitFirst, "commit-first", 0,
		"creates partial_commit saves before failing (woo)")
	f.IntVar(&opts.Status, "status", 0,
		"status of html and partial_commit (woo)")
	return cmd
}

func runFault(ctx context.Context, opts FaultOptions) error {
	c, ready, err := openControl(opts.ReadyFile)
	if err != nil {
		return err
	}
	if opts.Clear {
		if err := c.lsAction(ctx, "clear-faults", map[string]any{}); err != nil {
			return fmt.Errorf("clear lightspeed faults: %w", err)
		}
		_, err := c.do(ctx, http.MethodDelete,
			ready.WooCommerceURL+"/_sandbox/fault", nil, nil, nil)
		if err != nil {
			return fmt.Errorf("clear woocommerce faults: %w", err)
		}
		fmt.Fprintln(opts.Out, "faults cleared")
		return nil
	}

	delayMS := int(opts.Delay / time.Millisecond)
	switch opts.API {
	case "ls":
		err = c.lsAction(ctx, "fault", map[string]any{"path": opts.Path,
			"kind": opts.Kind, "count": opts.Count,
			"retry_after": opts.RetryAfter, "delay_ms": delayMS})
	case "woo":
		_, err = c.do(ctx, http.MethodPost,
			ready.WooCommerceURL+"/_sandbox/fault", nil, map[string]any{
				"path": opts.Path, "method": opts.Method, "kind": opts.Kind,
				"count": opts.Count, "commit_first": opts.CommitFirst,
				"retry_after": opts.RetryAfter, "delay_ms": delayMS,
				"status": opts.Status}, nil)
	default:
		return exitcode.Usagef("fault: %q is not ls or woo", opts.API)
	}
	if err != nil {
		return fmt.Errorf("inject %s fault %s: %w", opts.API, opts.Kind, err)
	}
	fmt.Fprintf(opts.Out, "%s fault %s queued for %d requests\n", opts.API,
		opts.Kind, opts.Count)
	return nil
}

// ItemsOptions are the flags of items.
type ItemsOptions struct {
	ReadyFile string
	Tag       string
	Out       io.Writer
}

func newItemsCmd() *cobra.Command {
	opts := ItemsOptions{}
	cmd := &cobra.Command{
		Use:   "items",
		Short: "List every Lightspeed item: SKU, ids, tagged and archived",
		Long: `Items prints one line per Lightspeed item, archived ones included:
its custom SKU, itemID, itemMatrixID, whether it or its matrix carries
--tag (in any case) and whether it is archived. Items without a SKU are
left out. Scripts use it to pick items to act on.`,
		Example: `  storesync-sandbox items --ready-file r.json | awk '$4 == "tagged"'`,
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out = cmd.OutOrStdout()
			return runItems(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ReadyFile, "ready-file", "",
		"ready `file` written by serve (required)")
	f.StringVar(&opts.Tag, "tag", "webon", "tag that marks web products")
	return cmd
}

func runItems(ctx context.Context, opts ItemsOptions) error {
	c, _, err := openControl(opts.ReadyFile)
	if err != nil {
		return err
	}
	items, matrices, err := c.lightspeedCatalog(ctx)
	if err != nil {
		return err
	}
	tagged := map[int64]bool{}
	for _, m := range matrices {
		tagged[m.MatrixID] = hasTag(m.Tags, opts.Tag)
	}
	for _, it := range items {
		if it.SKU == "" {
			continue
		}
		tag, arch := "untagged", "active"
		if hasTag(it.Tags, opts.Tag) || tagged[it.MatrixID] {
			tag = "tagged"
		}
		if it.Archived {
			arch = "archived"
		}
		fmt.Fprintf(opts.Out, "%s %d %d %s %s\n", it.SKU, it.ItemID,
			it.MatrixID, tag, arch)
	}
	return nil
}
