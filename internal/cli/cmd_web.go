package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/config"
	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/jobs"
	"github.com/storesync/storesync/internal/state"
)

func newWebCmd(g *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "web",
		Short: "Mark, unmark and list Sell-on-Web products by hand",
		Long: `web on marks products Sell on Web, web off unmarks them (tag-scan will not
mark them again), web list shows what is marked. Name a product by itemID
or SKU, or as item:ID, matrix:ID or sku:SKU. Marking a matrix marks all its
variants, and variants added to it later.`,
		Example: `  storesync web on 1234 sku:85123A matrix:7
  storesync web off 1234
  storesync web list`,
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "on ID...",
			Short: "Mark products Sell on Web",
			Args:  cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return runJob(cmd.Context(), g, "web", 5*time.Minute, nil,
					func(ctx context.Context, e *jobs.Env) (jobs.Summary, error) {
						sum, err := jobs.WebOn(ctx, e, args)
						if err == nil {
							fmt.Fprintf(g.Stdout, "marked %d Sell on Web\n", sum.Flagged)
						}
						return sum, err
					})
			},
		},
		newWebOffCmd(g),
		&cobra.Command{
			Use:   "list",
			Short: "List the products marked Sell on Web",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return withState(cmd.Context(), g, func(_ *config.Config, st *state.Store) error {
					return jobs.WebList(cmd.Context(), st, g.Stdout)
				})
			},
		},
	)
	return cmd
}

// withState runs fn on the configured state file, for commands that only
// read it.
func withState(ctx context.Context, g *Options,
	fn func(*config.Config, *state.Store) error) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.StateFile); err != nil {
		return exitcode.Usagef("no state file at %s: check state_file, or run a job first",
			cfg.StateFile)
	}
	st, err := state.Open(ctx, cfg.StateFile)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(cfg, st)
}

func newWebOffCmd(g *Options) *cobra.Command {
	var unpublish bool
	cmd := &cobra.Command{
		Use:   "off ID...",
		Short: "Stop pushing changes to products",
		Long: `web off unmarks products: their web products stay as they are and stop
receiving changes. --unpublish also takes them off sale: a product becomes a
draft, a variation private.`,
		Example: `  storesync web off 1234
  storesync web off --unpublish sku:85123A`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runJob(cmd.Context(), g, "web", 5*time.Minute, nil,
				func(ctx context.Context, e *jobs.Env) (jobs.Summary, error) {
					sum, err := jobs.WebOff(ctx, e, args, unpublish)
					if err == nil {
						fmt.Fprintf(g.Stdout, "unmarked %d, took %d off sale\n",
							sum.Flagged, sum.Updated)
					}
					return sum, err
				})
		},
	}
	cmd.Flags().BoolVar(&unpublish, "unpublish", false, "also take the products off sale")
	return cmd
}
