package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/jobs"
)

// SyncAllOptions are the flags of sync-all.
type SyncAllOptions struct {
	DryRun    bool
	Reconcile bool
}

func newSyncAllCmd(g *Options) *cobra.Command {
	opts := &SyncAllOptions{}
	cmd := &cobra.Command{
		Use:   "sync-all",
		Short: "Push every field of changed products, images included",
		Long: `sync-all does tag-sync's work plus the image pass: images whose timeStamp
moved are uploaded again, the others are reused by their media id.
--reconcile re-reads every Sell-on-Web product and pushes what differs,
catching edits that move no timeStamp and items archived since.`,
		Example: `  storesync sync-all
  storesync sync-all --reconcile`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSyncAll(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print what would change; write nothing")
	cmd.Flags().BoolVar(&opts.Reconcile, "reconcile", false,
		"re-read every Sell-on-Web product, changed or not")
	return cmd
}

func runSyncAll(ctx context.Context, g *Options, opts *SyncAllOptions) error {
	return runJob(ctx, g, "sync-all", 4*time.Hour, dryRun(opts.DryRun),
		func(ctx context.Context, e *jobs.Env) (jobs.Summary, error) {
			return jobs.TagSync(ctx, e, jobs.PushOptions{Images: true, Reconcile: opts.Reconcile})
		})
}
