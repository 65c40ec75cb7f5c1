package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/budget"
	"github.com/storesync/storesync/internal/config"
	"github.com/storesync/storesync/internal/state"
)

// StatusOptions are the flags of status.
type StatusOptions struct {
	JSON bool
}

func newStatusCmd(g *Options) *cobra.Command {
	opts := &StatusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the last run of each job, what is pending, and budget use",
		Example: `  storesync status
  storesync status --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(cmd.Context(), g, func(cfg *config.Config, st *state.Store) error {
				day := time.Now().In(cfg.Budget.Location()).Format(budget.DayLayout)
				return runStatus(cmd.Context(), st, g.Stdout, day, opts)
			})
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON for scripts")
	return cmd
}

type statusReport struct {
	Runs     []state.Run     `json:"runs"`
	Marked   int             `json:"sell_on_web"`
	InStore  int             `json:"in_web_store"`
	Pending  int             `json:"pending"`
	Failing  []state.Product `json:"failing"` // the first 100
	NFailing int             `json:"failing_count"`
	SpentDay map[string]int  `json:"lightspeed_requests_today"`
}

func runStatus(ctx context.Context, st *state.Store, w io.Writer, day string,
	opts *StatusOptions) error {
	var r statusReport
	var err error
	if r.Runs, err = st.LastRuns(ctx); err != nil {
		return err
	}
	if r.Marked, r.InStore, r.Pending, r.NFailing, err = st.MarkedCounts(ctx); err != nil {
		return err
	}
	if r.Failing, err = st.Query(ctx, "last_error <> '' AND ls_id IN (SELECT ls_id "+
		"FROM products WHERE last_error <> '' ORDER BY ls_id LIMIT 100)"); err != nil {
		return err
	}
	if r.SpentDay, err = st.Spend(ctx, day); err != nil {
		return err
	}

	if opts.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintf(w, "%-14s %-20s %-9s %-7s %-7s %-7s %-7s %-6s %s\n", "JOB", "LAST RUN (UTC)",
		"OUTCOME", "CREATED", "UPDATED", "FAILED", "FLAGGED", "LS REQ", "WEB REQ")
	for _, run := range r.Runs {
		fmt.Fprintf(w, "%-14s %-20s %-9s %-7d %-7d %-7d %-7d %-6d %d\n", run.Job,
			shortTime(run.StartedAt), run.Outcome, run.Created, run.Updated, run.Failed,
			run.Flagged, run.LSRequests, run.WebRequests)
	}
	fmt.Fprintf(w, "\nSell on Web: %d products, %d in the web store, %d pending\n",
		r.Marked, r.InStore, r.Pending)
	total := 0
	for _, n := range r.SpentDay {
		total += n
	}
	fmt.Fprintf(w, "Lightspeed requests today (%s): %d\n", day, total)
	if len(r.Failing) > 0 {
		fmt.Fprintf(w, "\nFailing (%d):\n", r.NFailing)
		for i, p := range r.Failing {
			if i == 20 {
				fmt.Fprintf(w, "  ... and %d more\n", r.NFailing-20)
				break
			}
			fmt.Fprintf(w, "  %s %-16s %s\n", p.Key, p.SKU, p.LastError)
		}
	}
	return nil
}

func shortTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.Format("2006-01-02 15:04:05")
}
