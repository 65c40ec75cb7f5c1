package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

const configCheckLong = `config check loads the configuration the way every job does: the file
named by --config (or STORESYNC_CONFIG, or ./storesync.toml), then the
STORESYNC_* environment variables, then the flags. It reads the secrets that
*_file settings name and validates every setting. When all is well it prints
where the configuration came from and every setting, with secrets shown as
[redacted]; otherwise it prints the first problem and exits 2.

It contacts neither Lightspeed nor the web store and does not open the state
file, so it is safe to run at any time, such as after editing the file and
before the next cron run.`

func newConfigCmd(g *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "config",
		Short:   "Inspect the configuration",
		Example: `  storesync config check`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Validate the configuration and print it with secrets redacted",
		Long:  configCheckLong,
		Example: `  storesync config check
  storesync --config /opt/storesync/storesync.toml config check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConfigCheck(g)
		},
	})
	return cmd
}

// runConfigCheck loads and validates the configuration and prints it. Its
// errors are the usage errors loadConfig returns.
func runConfigCheck(g *Options) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}

	src := cfg.Path
	if src == "" {
		src = "no file; defaults and environment only"
	}
	fmt.Fprintf(g.Stdout, "configuration OK: %s\n%s", src, cfg.Redacted())
	return nil
}
