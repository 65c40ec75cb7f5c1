package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/jobs"
)

// SyncOptions are the flags of sync.
type SyncOptions struct {
	DryRun bool
}

func newSyncCmd(g *Options) *cobra.Command {
	opts := &SyncOptions{}
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Push stock and price changes of Sell-on-Web products",
		Long: `sync reads Lightspeed's stock feed (ItemShop rows, which a sale moves) and
price feed (items whose timeStamp moved), and pushes to the web store the
stock and price of every Sell-on-Web product that differs from what was last
pushed. Products not yet in the web store wait for tag-sync or sync-all.
Run it every 5 minutes; with nothing changed it costs two Lightspeed
requests and none to the web store.`,
		Example: `  storesync sync
  storesync sync --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSync(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print what would change; write nothing")
	return cmd
}

func runSync(ctx context.Context, g *Options, opts *SyncOptions) error {
	return runJob(ctx, g, "sync", 4*time.Minute, dryRun(opts.DryRun), jobs.Sync)
}

func dryRun(on bool) func(*jobs.Settings) {
	return func(s *jobs.Settings) { s.DryRun = on }
}
