package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/jobs"
)

// TagSyncOptions are the flags of tag-sync.
type TagSyncOptions struct {
	DryRun bool
}

func newTagSyncCmd(g *Options) *cobra.Command {
	opts := &TagSyncOptions{}
	cmd := &cobra.Command{
		Use:   "tag-sync",
		Short: "Push every product that changed or was never pushed",
		Long: `tag-sync refreshes the remembered timeStamps from Lightspeed's item and
matrix feeds, then pushes every field of each Sell-on-Web product that
changed since its last push or was never pushed. This is what makes the
products tag-scan marked appear in the web store. Run it daily at 01:00.`,
		Example: `  storesync tag-sync
  storesync tag-sync --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTagSync(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print what would change; write nothing")
	return cmd
}

func runTagSync(ctx context.Context, g *Options, opts *TagSyncOptions) error {
	return runJob(ctx, g, "tag-sync", 2*time.Hour, dryRun(opts.DryRun),
		func(ctx context.Context, e *jobs.Env) (jobs.Summary, error) {
			return jobs.TagSync(ctx, e, jobs.PushOptions{})
		})
}
