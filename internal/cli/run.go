package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/storesync/storesync/internal/budget"
	"github.com/storesync/storesync/internal/catalog"
	"github.com/storesync/storesync/internal/config"
	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/jobs"
	"github.com/storesync/storesync/internal/lock"
	"github.com/storesync/storesync/internal/metrics"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/tokens"
	"github.com/storesync/storesync/internal/webstore"
	"github.com/storesync/storesync/internal/webstore/woo"
	"github.com/storesync/storesync/pkg/lightspeed"
	"github.com/storesync/storesync/pkg/woocommerce"
)

// loadConfig reads the configuration: file, then environment, then flags.
func loadConfig(opts *Options) (_ *config.Config, err error) {
	path := opts.ConfigPath
	if path == "" {
		path = opts.Getenv("STORESYNC_CONFIG")
	}
	if path == "" {
		if _, err := os.Stat("storesync.toml"); err == nil {
			path = "storesync.toml"
		}
	}
	cfg, err := config.Load(path, opts.Getenv)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil && path == "" {
			err = exitcode.Usagef("no configuration file found (give --config, set "+
				"$STORESYNC_CONFIG, or create ./storesync.toml): %w", err)
		}
	}()
	if opts.StateFile != "" {
		if err := cfg.Set("state_file", opts.StateFile); err != nil {
			return nil, err
		}
	}
	if opts.Timeout != "" {
		if err := cfg.Set("run.timeout", opts.Timeout); err != nil {
			return nil, err
		}
	}
	if opts.MaxRequests != 0 {
		if err := cfg.Set("run.max_requests", fmt.Sprint(opts.MaxRequests)); err != nil {
			return nil, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// counter tallies the requests of one run per API and endpoint.
type counter struct {
	mu sync.Mutex
	n  map[[2]string]int
}

func (c *counter) add(api, endpoint string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[[2]string]int{}
	}
	c.n[[2]string{api, endpoint}]++
}

func (c *counter) total(api string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for k, n := range c.n {
		if k[0] == api {
			t += n
		}
	}
	return t
}

func (c *counter) snapshot() map[[2]string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[[2]string]int, len(c.n))
	for k, n := range c.n {
		out[k] = n
	}
	return out
}

// jobRun is everything one run of a job holds.
type jobRun struct {
	job   string
	cfg   *config.Config
	st    *state.Store
	log   zerolog.Logger
	env   *jobs.Env
	count *counter
	out   io.Writer

	metricsFile string
	ping        *metrics.Pinger
}

// runJob loads the configuration, opens the state file, takes the job's
// lock, runs fn, records the run and returns fn's error.
func runJob(ctx context.Context, opts *Options, job string, timeout time.Duration,
	setup func(*jobs.Settings), fn func(context.Context, *jobs.Env) (jobs.Summary, error)) error {
	log, err := newLogger(opts)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(opts)
	if err != nil {
		return err
	}
	st, err := state.Open(ctx, cfg.StateFile)
	if err != nil {
		return err
	}
	defer st.Close()

	lk, err := lock.Acquire(cfg.StateFile + "." + job + ".lock")
	if err != nil {
		if errors.Is(err, lock.ErrLocked) {
			log.Warn().Str("job", job).Msg("another run holds the lock")
		}
		return err
	}
	defer lk.Release()

	// The run's deadline: the configured one, or the job's own default.
	if !cfg.IsSet("run.timeout") && timeout > 0 {
		cfg.Run.Timeout = timeout
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Run.Timeout)
	defer cancel()

	r := &jobRun{job: job, cfg: cfg, st: st, log: log.With().Str("job", job).Logger(),
		count: &counter{}, out: opts.Stdout,
		metricsFile: firstSet(opts.MetricsFile, opts.Getenv("STORESYNC_METRICS_FILE"))}
	r.ping = metrics.NewPinger(firstSet(opts.Healthcheck,
		opts.Getenv("STORESYNC_HEALTHCHECK_URL")), nil, r.log)
	r.env, err = r.buildEnv(ctx)
	if err != nil {
		return err
	}
	if setup != nil {
		setup(&r.env.Settings)
	}
	r.env.Progress = newProgress(opts, func() int { return r.count.total("lightspeed") })
	return r.execute(ctx, fn)
}

func (r *jobRun) execute(ctx context.Context,
	fn func(context.Context, *jobs.Env) (jobs.Summary, error)) error {
	start := time.Now()
	runID, err := r.st.StartRun(ctx, r.job)
	if err != nil {
		return err
	}
	r.log.Info().Int64("run_id", runID).Msg("run started")
	r.ping.Start(ctx)

	sum, runErr := fn(ctx, r.env)
	if runErr == nil && ctx.Err() != nil {
		runErr = ctx.Err()
	}
	stopped := errors.Is(runErr, budget.ErrExhausted) ||
		errors.Is(runErr, context.DeadlineExceeded)
	if stopped {
		runErr = &stoppedError{err: runErr}
	}
	code := exitcode.Code(runErr)
	outcome := map[int]string{exitcode.OK: "ok", exitcode.Partial: "partial",
		exitcode.Interrupted: "interrupted"}[code]
	switch {
	case stopped:
		outcome = "stopped"
	case code == exitcode.BadUsage:
		outcome = "refused"
	case outcome == "":
		outcome = "failed"
	case code == exitcode.OK && r.env.Settings.DryRun:
		outcome = "dry-run"
	}
	counts := state.Counts{Created: sum.Created, Updated: sum.Updated,
		Unchanged: sum.Unchanged, Failed: sum.Failed, Flagged: sum.Flagged,
		LSRequests: r.count.total("lightspeed"), WebRequests: r.count.total("web")}
	errText := ""
	if runErr != nil {
		errText = runErr.Error()
	}

	// Record the run even when the job's context has ended.
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.st.FinishRun(recordCtx, runID, outcome, code, counts, errText,
		r.count.snapshot()); err != nil && runErr == nil {
		runErr = err
	}

	r.report(recordCtx, start, code, counts)

	ev := r.log.Info()
	if code != exitcode.OK {
		ev = r.log.Warn().Err(runErr).Int("exit_code", code)
	}
	ev.Str("outcome", outcome).Int("created", sum.Created).Int("updated", sum.Updated).
		Int("unchanged", sum.Unchanged).Int("failed", sum.Failed).Int("flagged", sum.Flagged).
		Int("ls_requests", counts.LSRequests).Int("web_requests", counts.WebRequests).
		Dur("duration", time.Since(start)).Int64("peak_memory_kb", peakMemory()).
		Msg("run finished")
	return runErr
}

// buildEnv connects the clients of both APIs.
func (r *jobRun) buildEnv(ctx context.Context) (*jobs.Env, error) {
	cfg := r.cfg
	pacer := budget.New(r.st, budget.Options{
		DayPerMinute:   cfg.Budget.DayPerMinute,
		NightPerMinute: cfg.Budget.NightPerMinute,
		NightStarts:    cfg.Budget.NightStarts,
		NightEnds:      cfg.Budget.NightEnds,
		Location:       cfg.Budget.Location(),
		Job:            r.job,
		MaxRequests:    cfg.Run.MaxRequests,
	})
	ls, err := lightspeed.New(lightspeed.Config{
		BaseURL:      cfg.Lightspeed.BaseURL,
		TokenURL:     cfg.Lightspeed.TokenURL,
		AccountID:    cfg.Lightspeed.AccountID,
		ClientID:     cfg.Lightspeed.ClientID,
		ClientSecret: cfg.Lightspeed.ClientSecret.Value(),
		Tokens:       tokens.New(r.st, cfg.StateFile+".token.lock"),
		HTTPClient:   &http.Client{Timeout: 60 * time.Second},
		Pacer:        pacer,
		Reserve:      cfg.Budget.Reserve,
		Logger:       r.log,
		OnRequest: func(ri lightspeed.RequestInfo) {
			r.count.add("lightspeed", ri.Endpoint)
		},
	})
	if err != nil {
		return nil, exitcode.Usage(err)
	}
	wc, err := woocommerce.New(woocommerce.Config{
		BaseURL:    cfg.WooCommerce.URL,
		Key:        cfg.WooCommerce.ConsumerKey.Value(),
		Secret:     cfg.WooCommerce.ConsumerSecret.Value(),
		QueryAuth:  cfg.WooCommerce.QueryAuth,
		HTTPClient: &http.Client{Timeout: 120 * time.Second},
		Logger:     r.log,
		BatchSize:  cfg.WooCommerce.BatchSize,
		OnRequest: func(method, path string, status int) {
			r.count.add("web", method+" "+path)
		},
	})
	if err != nil {
		return nil, exitcode.Usage(err)
	}
	adapter := woo.New(wc, woo.Options{BatchSize: cfg.WooCommerce.BatchSize,
		ImageBatchSize: cfg.WooCommerce.ImageBatchSize})

	return &jobs.Env{
		LS:    ls,
		Web:   adapter,
		State: r.st,
		Log:   r.log,
		Settings: jobs.Settings{
			Tags:            cfg.Tags.Names,
			Catalog:         catalogOptions(cfg),
			NewStatus:       webstore.Status(cfg.WooCommerce.NewStatus),
			Archived:        webstore.Status(cfg.WooCommerce.ArchivedStatus),
			BatchSize:       cfg.WooCommerce.BatchSize,
			ImageMode:       webstore.ImageMode(cfg.WooCommerce.ImageMode),
			ClearImages:     cfg.WooCommerce.ClearImages,
			KeepFields:      cfg.WooCommerce.KeepFields,
			AdoptCategories: cfg.WooCommerce.AdoptCategories,
			BrandAttribute:  cfg.WooCommerce.BrandMode == "attribute",
			DryRunOut:       r.out,
		},
	}, nil
}

func catalogOptions(cfg *config.Config) catalog.Options {
	return catalog.Options{
		Shops:          cfg.Lightspeed.Shops,
		PriceLevel:     cfg.Lightspeed.PriceLevel,
		SalePriceLevel: cfg.Lightspeed.SalePriceLevel,
		SKUField:       cfg.Lightspeed.SKUField,
	}
}

// stoppedError is a run cut short by --max-requests or its deadline. What
// it did is recorded and the next run carries on from there, so it counts
// as done in part.
type stoppedError struct{ err error }

func (e *stoppedError) Error() string {
	return "run stopped before the end, the next run carries on: " + e.err.Error()
}

func (e *stoppedError) Unwrap() error { return e.err }

// ExitCode makes a stopped run exit as a partial one.
func (e *stoppedError) ExitCode() int { return exitcode.Partial }

// report pings the healthcheck with the exit code and writes the metrics
// textfile. Neither can change how the run ends: failures are logged.
func (r *jobRun) report(ctx context.Context, start time.Time, code int, c state.Counts) {
	r.ping.Finish(ctx, code)
	if r.metricsFile == "" {
		return
	}
	err := metrics.WriteTextfile(r.metricsFile, metrics.RunMetrics{
		Job: r.job, Start: start, End: time.Now(), ExitCode: code,
		Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged,
		Failed: c.Failed, Flagged: c.Flagged,
		LSRequests: c.LSRequests, WebRequests: c.WebRequests,
	})
	if err != nil {
		r.log.Warn().Err(err).Str("path", r.metricsFile).Msg("metrics file not written")
	}
}

func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// peakMemory is the most memory the process has held, in kilobytes: the
// VmHWM line of /proc/self/status on Linux, 0 elsewhere. Unlike getrusage,
// it does not count the parent's memory a child held before exec.
func peakMemory() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
