// Command bench measures storesync's jobs against the sandbox: requests to
// each API against their lower bound, CPU time, peak memory and wall time,
// without latency and with production-like latency and budget. It runs
// the real storesync binary against the real storesync-sandbox binary;
// scripts/bench.sh builds both and calls it. With -replay it replays the
// sales week instead (see replay.go).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

// Options are the driver's flags.
type Options struct {
	Storesync    string
	Sandbox      string
	Sizes        []int
	LatencySizes []int
	MatrixShare  float64
	Work         string
	Out          io.Writer
	Log          io.Writer
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	opts := Options{Out: os.Stdout, Log: os.Stderr}
	var sizes, latSizes string
	var replay bool
	var days int
	var catalogDir string
	fs.StringVar(&opts.Storesync, "storesync", "", "storesync binary")
	fs.StringVar(&opts.Sandbox, "sandbox", "", "storesync-sandbox binary")
	fs.StringVar(&sizes, "sizes", "1000,10000,100000", "catalog sizes, comma separated")
	fs.StringVar(&latSizes, "latency-sizes", "1000",
		"sizes also run with production-like latency and budget")
	fs.Float64Var(&opts.MatrixShare, "matrix-share", 0.3, "share of items that are variants")
	fs.StringVar(&opts.Work, "work", "", "directory for state files and logs")
	fs.BoolVar(&replay, "replay", false, "replay the sales week instead")
	fs.IntVar(&days, "replay-days", 5, "days of the sales week to replay, 1 to 5")
	fs.StringVar(&catalogDir, "catalog", "testdata/catalog", "sample catalog, for -replay")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if replay {
		return runReplay(ctx, catalogDir, days, opts.Out, opts.Log)
	}
	var err error
	if opts.Sizes, err = parseSizes(sizes); err != nil {
		return err
	}
	if opts.LatencySizes, err = parseSizes(latSizes); err != nil {
		return err
	}
	if opts.Storesync == "" || opts.Sandbox == "" || opts.Work == "" {
		return fmt.Errorf("-storesync, -sandbox and -work are required")
	}

	results, err := runAll(ctx, &opts)
	if err != nil {
		return err
	}
	writeTable(opts.Out, results)
	return nil
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad size %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// The two modes: the sandbox as fast as it goes with no budget to speak
// of, and answers as slow as production's under the night budget.
var (
	fast = mode{Name: "no latency", Budget: 1000000}
	prod = mode{Name: "production", Latency: true, LSLatency: 200 * time.Millisecond,
		WCLatency: time.Second, Budget: 130}
)

func runAll(ctx context.Context, opts *Options) ([]result, error) {
	var all []result
	plan := []struct {
		n int
		m mode
	}{}
	for _, n := range opts.Sizes {
		plan = append(plan, struct {
			n int
			m mode
		}{n, fast})
	}
	for _, n := range opts.LatencySizes {
		plan = append(plan, struct {
			n int
			m mode
		}{n, prod})
	}
	for _, p := range plan {
		dir, err := os.MkdirTemp(opts.Work, fmt.Sprintf("n%d-", p.n))
		if err != nil {
			return nil, err
		}
		s := &scenario{opts: opts, n: p.n, mode: p.m, dir: dir,
			shape: syntheticShape(p.n, opts.MatrixShare),
			http:  &http.Client{Timeout: time.Minute}}
		s.logf("starting")
		rs, err := s.run(ctx)
		all = append(all, rs...)
		if err != nil {
			return all, fmt.Errorf("%s N=%d: %w", p.m.Name, p.n, err)
		}
	}
	return all, nil
}
