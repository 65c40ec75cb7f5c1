package main

import (
	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/exitcode"
)

const rootLong = `storesync-sandbox runs emulators of the Lightspeed Retail and
WooCommerce APIs on loopback, seeded from the public sample catalog under
testdata/catalog, so storesync can be run against them end to end.

Start them with "serve"; it writes a ready file with their URLs and
credentials. The other commands read that file: "replay" sells a day of
real sales, "act" changes one item like a shop assistant would, "fault" makes an
emulator misbehave, "items" lists the till's items, and "compare" checks
the web store against the till.

Exit status:
  0    done
  1    failed, or compare found missing, duplicated or differing products
  2    bad usage
  130  interrupted`

// newRootCmd builds the command tree.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "storesync-sandbox",
		Short:         "Run and drive the Lightspeed and WooCommerce emulators",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return exitcode.Usage(err)
	})
	root.AddCommand(
		newServeCmd(),
		newReplayCmd(),
		newCompareCmd(),
		newActCmd(),
		newFaultCmd(),
		newItemsCmd(),
	)
	return root
}

// exactArgs is cobra.ExactArgs whose complaint exits with bad usage.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		return exitcode.Usage(cobra.ExactArgs(n)(cmd, args))
	}
}
