package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// newProgress returns a progress callback drawing a bar on stderr, or nil
// when stderr is not a terminal (cron, a pipe, a file) or logs are JSON.
func newProgress(opts *Options, requests func() int) func(done, total int) {
	f, ok := opts.Stderr.(*os.File)
	if !ok || !isatty.IsTerminal(f.Fd()) || opts.LogFormat == "json" {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(f),
				progressbar.OptionSetDescription("products"),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(200*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
		}
		bar.Describe(fmt.Sprintf("products, %d Lightspeed requests", requests()))
		_ = bar.Set(done)
	}
}
