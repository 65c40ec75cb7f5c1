package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/jobs"
)

// SyncSelectedOptions are the flags of sync-selected.
type SyncSelectedOptions struct {
	DryRun bool
}

func newSyncSelectedCmd(g *Options) *cobra.Command {
	opts := &SyncSelectedOptions{}
	cmd := &cobra.Command{
		Use:   "sync-selected ID...",
		Short: "Push every field of the named products now",
		Long: `sync-selected re-reads the named products from Lightspeed and pushes every
field now, whatever their timeStamps. Name a product by itemID or SKU, or
explicitly as item:ID, matrix:ID or sku:SKU. Each must be Sell on Web; mark
it first with "storesync web on".`,
		Example: `  storesync sync-selected 1234
  storesync sync-selected sku:85123A matrix:7`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSyncSelected(cmd.Context(), g, opts, args)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print what would change; write nothing")
	return cmd
}

func runSyncSelected(ctx context.Context, g *Options, opts *SyncSelectedOptions,
	args []string) error {
	return runJob(ctx, g, "sync-selected", 30*time.Minute, dryRun(opts.DryRun),
		func(ctx context.Context, e *jobs.Env) (jobs.Summary, error) {
			return jobs.SyncSelected(ctx, e, args)
		})
}
