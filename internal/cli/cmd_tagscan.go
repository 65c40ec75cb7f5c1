package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/jobs"
)

// TagScanOptions are the flags of tag-scan.
type TagScanOptions struct {
	Full bool
}

func newTagScanCmd(g *Options) *cobra.Command {
	opts := &TagScanOptions{}
	cmd := &cobra.Command{
		Use:   "tag-scan",
		Short: "Mark Sell on Web the products that carry the configured tag",
		Long: `tag-scan finds items and matrices that carry one of the configured tags
(compared without regard to case or spaces) and marks them Sell on Web. A
tagged matrix marks all its variants, and variants added to it later. It
reads only what changed since its last run; --full rescans the catalog.
Removing a tag does not unmark a product: use "storesync web off".`,
		Example: `  storesync tag-scan
  storesync tag-scan --full`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTagScan(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Full, "full", false, "rescan the whole catalog")
	return cmd
}

func runTagScan(ctx context.Context, g *Options, opts *TagScanOptions) error {
	return runJob(ctx, g, "tag-scan", 2*time.Hour, nil,
		func(ctx context.Context, e *jobs.Env) (jobs.Summary, error) {
			return jobs.TagScan(ctx, e, opts.Full)
		})
}
