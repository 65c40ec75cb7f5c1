package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/config"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/tokens"
)

func newDoctorCmd(g *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check the configuration, the state file and the stored Lightspeed token",
		Long: `doctor validates the configuration, runs SQLite's integrity and foreign-key
checks on the state file, checks its schema version and permissions, and
tells whether a Lightspeed token is stored and when it expires. It sends no
request to either API and changes nothing. It exits 1 when a check fails.`,
		Example: `  storesync doctor`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(cmd.Context(), g, func(cfg *config.Config, st *state.Store) error {
				return runDoctor(cmd.Context(), cfg, st, g.Stdout)
			})
		},
	}
}

// errDoctor reports that at least one check failed.
var errDoctor = errors.New("some checks failed")

func runDoctor(ctx context.Context, cfg *config.Config, st *state.Store, w io.Writer) error {
	findings := append([]state.Finding{{OK: true, Check: "configuration",
		Detail: "valid"}}, st.Check(ctx)...)

	tok, err := tokens.New(st, cfg.StateFile+".token.lock").Token(ctx)
	switch {
	case err != nil:
		findings = append(findings, state.Finding{Check: "lightspeed token", Detail: err.Error()})
	case tok.Expiry.Before(time.Now()):
		findings = append(findings, state.Finding{OK: true, Check: "lightspeed token",
			Detail: "stored; the access token has expired and is refreshed on first use"})
	default:
		findings = append(findings, state.Finding{OK: true, Check: "lightspeed token",
			Detail: "stored; valid until " + tok.Expiry.UTC().Format(time.RFC3339)})
	}

	failed := false
	for _, f := range findings {
		mark := "ok  "
		if !f.OK {
			mark = "FAIL"
			failed = true
		}
		fmt.Fprintf(w, "%s %-17s %s\n", mark, f.Check, f.Detail)
	}
	if failed {
		return fmt.Errorf("check %s: %w", cfg.StateFile, errDoctor)
	}
	return nil
}
