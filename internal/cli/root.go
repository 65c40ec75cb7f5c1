// Package cli builds the storesync command line: one cobra command per job,
// each a thin layer over package jobs.
package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/storesync/storesync/internal/config"
	"github.com/storesync/storesync/internal/exitcode"
)

// Options are the flags every command shares.
type Options struct {
	ConfigPath  string
	LogLevel    string
	LogFormat   string
	Timeout     string
	MaxRequests int
	StateFile   string
	MetricsFile string
	Healthcheck string

	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

const rootLong = `storesync keeps an online store in step with a Lightspeed Retail (R-Series)
point of sale. Each command does one run and exits; schedule them from cron
(see crontab.example). A local SQLite state file remembers what was seen
and pushed.

Configuration comes from the file named by --config (or STORESYNC_CONFIG),
then STORESYNC_* environment variables, then flags. Secrets come only from
the environment, a private file, or a private config file.

`

// NewRootCmd builds the storesync command tree.
func NewRootCmd(stdout, stderr io.Writer) *cobra.Command {
	return newRootCmd(&Options{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv})
}

func newRootCmd(opts *Options) *cobra.Command {
	stdout, stderr := opts.Stdout, opts.Stderr
	root := &cobra.Command{
		Use:           "storesync",
		Short:         "Keep a web store in step with Lightspeed Retail",
		Long:          rootLong + exitcode.Help + "\n\nEnvironment:\n  " + envHelp(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return exitcode.Usage(err)
	})
	root.SetHelpCommand(&cobra.Command{Hidden: true})

	f := root.PersistentFlags()
	f.StringVarP(&opts.ConfigPath, "config", "c", "",
		"configuration file (env STORESYNC_CONFIG; default ./storesync.toml)")
	f.StringVar(&opts.LogLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&opts.LogFormat, "log-format", "auto",
		"json, console, or auto (console on a terminal, JSON otherwise)")
	f.StringVar(&opts.Timeout, "timeout", "", "stop the run after this long (such as 4m)")
	f.IntVar(&opts.MaxRequests, "max-requests", 0,
		"stop the run after this many Lightspeed requests (0: no cap)")
	f.StringVar(&opts.StateFile, "state-file", "", "state file (overrides the config)")
	f.StringVar(&opts.MetricsFile, "metrics-file", "",
		"write a Prometheus textfile here after each run (env STORESYNC_METRICS_FILE)")
	f.StringVar(&opts.Healthcheck, "healthcheck-url", "",
		"ping this URL at the start and end of each run (env STORESYNC_HEALTHCHECK_URL)")

	root.Args = cobra.NoArgs
	root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	root.AddCommand(
		newSyncCmd(opts),
		newSyncAllCmd(opts),
		newSyncSelectedCmd(opts),
		newTagScanCmd(opts),
		newTagSyncCmd(opts),
		newWebCmd(opts),
		newStatusCmd(opts),
		newInitCmd(opts),
		newAuthCmd(opts),
		newConfigCmd(opts),
		newDoctorCmd(opts),
	)
	usageArgs(root)
	requireSubcommand(root)
	return root
}

// requireSubcommand makes a command group refuse a missing or unknown
// subcommand with a usage error, instead of printing help and exiting 0.
func requireSubcommand(cmd *cobra.Command) {
	for _, sub := range cmd.Commands() {
		requireSubcommand(sub)
	}
	if !cmd.HasSubCommands() || cmd.RunE != nil || cmd.Run != nil {
		return
	}
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return exitcode.Usagef("unknown command %q for %q", args[0], c.CommandPath())
		}
		_ = c.Help()
		return exitcode.Usagef("%s needs a command", c.CommandPath())
	}
}

// usageArgs makes every argument error a usage error (exit 2), as flag
// errors are.
func usageArgs(cmd *cobra.Command) {
	if check := cmd.Args; check != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			return exitcode.Usage(check(c, args))
		}
	}
	for _, sub := range cmd.Commands() {
		usageArgs(sub)
	}
}

func envHelp() string {
	vars := append([]string{"STORESYNC_CONFIG", "STORESYNC_METRICS_FILE",
		"STORESYNC_HEALTHCHECK_URL"}, config.EnvVars()...)
	return strings.Join(vars, "\n  ")
}

// Execute runs the command line, reports its error on stderr once (as a
// JSON log line when logs are JSON), and returns it for main to map to an
// exit code.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts := &Options{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	root := newRootCmd(opts)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		reportError(opts, err)
	}
	return err
}

// reportError prints err as the last line of a run's output.
func reportError(opts *Options, err error) {
	if jsonLogs(opts) {
		line, _ := json.Marshal(map[string]any{"level": "error", "exit_code": exitcode.Code(err),
			"error": err.Error(), "time": time.Now().UTC().Format(time.RFC3339),
			"message": "storesync failed"})
		fmt.Fprintln(opts.Stderr, string(line))
		return
	}
	fmt.Fprintln(opts.Stderr, "storesync:", err)
}
