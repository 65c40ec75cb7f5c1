package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/config"
	"github.com/storesync/storesync/internal/exitcode"
)

func newInitCmd(g *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "init [FILE]",
		Short:   "Write a commented configuration file",
		Example: `  storesync init storesync.toml`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "storesync.toml"
			if len(args) == 1 {
				path = args[0]
			}
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return exitcode.Usagef("write %s: %w", path, err)
			}
			defer f.Close()
			if _, err := f.WriteString(config.Sample()); err != nil {
				return fmt.Errorf("write %s: %w", path, err)
			}
			fmt.Fprintf(g.Stdout, "wrote %s\n", path)
			return nil
		},
	}
}
