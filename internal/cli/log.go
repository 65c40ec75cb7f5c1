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
	case "json":
	case "console":
		w = zerolog.ConsoleWriter{Out: opts.Stderr, TimeFormat: time.Kitchen}
	case "auto", "":
		if f, ok := opts.Stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			w = zerolog.ConsoleWriter{Out: opts.Stderr, TimeFormat: time.Kitchen}
		}
	default:
		return zerolog.Nop(), exitcode.Usagef("bad --log-format %q: use json, console or auto",
			opts.LogFormat)
	}
	zerolog.TimeFieldFormat = time.RFC3339
	zerolog.DurationFieldUnit = time.Second
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
}
