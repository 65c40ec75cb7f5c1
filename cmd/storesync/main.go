// Command storesync keeps an online store in step with a Lightspeed Retail
// point of sale. See storesync --help.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/storesync/storesync/internal/cli"
	"github.com/storesync/storesync/internal/exitcode"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitcode.Code(err))
}
