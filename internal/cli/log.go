package cli

import (
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"

	"github.com/storesync/storesync/internal/exitcode"
)

// newLogger logs to stderr: JSON unless stderr is a terminal or the user
// asked for console output.
func newLogger(opts *Options) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(opts.LogLevel)
	if err != nil || opts.LogLevel == "" {
		return zerolog.Nop(), exitcode.Usagef("bad --log-level %q: use debug, info, warn or error",
			opts.LogLevel)
	}
	var w io.Writer = opts.Stderr
	switch opts.LogFormat {
	case "json", "console", "auto", "":
	default:
		return zerolog.Nop(), exitcode.Usagef("bad --log-format %q: use json, console or auto",
			opts.LogFormat)
	}
	if !jsonLogs(opts) {
		w = zerolog.ConsoleWriter{Out: opts.Stderr, TimeFormat: time.Kitchen,
			NoColor: !terminal(opts.Stderr)}
	}
	zerolog.TimeFieldFormat = time.RFC3339
	zerolog.DurationFieldUnit = time.Second
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
}

// jsonLogs tells whether logs are JSON: asked for, or by default whenever
// stderr is not a terminal (cron, systemd, a pipe).
func jsonLogs(opts *Options) bool {
	switch opts.LogFormat {
	case "json":
		return true
	case "console":
		return false
	}
	return !terminal(opts.Stderr)
}

func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}
