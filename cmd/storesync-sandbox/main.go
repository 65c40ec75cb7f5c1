// Command storesync-sandbox runs the Lightspeed and WooCommerce emulators on
// loopback, seeded from the sample catalog, and acts on them like a shop
// floor: it replays real sales, changes prices and tags, and compares what
// the till holds with what the web store shows.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/storesync/storesync/internal/exitcode"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storesync-sandbox:", err)
	}
	os.Exit(exitcode.Code(err))
}
