package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// mode is how the sandbox answers and how much budget storesync has.
type mode struct {
	Name      string
	Latency   bool
	LSLatency time.Duration
	WCLatency time.Duration
	Budget    int // Lightspeed requests a minute, day and night
}

// result is one step of one scenario, measured.
type result struct {
	Job     string
	N       int
	Mode    string
	LS, Web int
	Bound   bound
	// ByEndpoint counts the requests per emulator route, such as
	// "ls Item" or "web POST /products/batch".
	ByEndpoint map[string]int
	CPU        time.Duration
	MaxRSS     int64 // bytes
	Wall       time.Duration
	Exit       int
}

// scenario runs the jobs once against a fresh sandbox of n items.
type scenario struct {
	opts  *Options
	n     int
	mode  mode
	shape shape
	dir   string
	ready readyFile
	http  *http.Client
}

// readyFile is the part of the sandbox's ready file the driver reads.
type readyFile struct {
	LightspeedURL     string `json:"lightspeed_url"`
	TokenURL          string `json:"token_url"`
	WooCommerceURL    string `json:"woocommerce_url"`
	AccountID         string `json:"account_id"`
	ClientID          string `json:"client_id"`
	ClientSecret      string `json:"client_secret"`
	RefreshToken      string `json:"refresh_token"`
	WooCommerceKey    string `json:"woocommerce_key"`
	WooCommerceSecret string `json:"woocommerce_secret"`
}

func (s *scenario) logf(format string, args ...any) {
	fmt.Fprintf(s.opts.Log, "bench: %s N=%d: %s\n", s.mode.Name, s.n,
		fmt.Sprintf(format, args...))
}

// run starts the sandbox, runs every step and stops the sandbox.
func (s *scenario) run(ctx context.Context) ([]result, error) {
	stop, err := s.startSandbox(ctx)
	if err != nil {
		return nil, err
	}
	defer stop()
	if err := s.writeConfig(); err != nil {
		return nil, err
	}
	if _, _, err := s.storesync(ctx, "auth", "--refresh-token-file",
		filepath.Join(s.dir, "refresh-token")); err != nil {
		return nil, err
	}

	// The steps, in the order a new installation meets them.
	k := max(s.n/100, 30)
	chg := s.shape.changes(k)
	steps := []struct {
		job    string
		args   []string
		bound  bound
		before func(context.Context) error
	}{
		{"tag-scan", []string{"tag-scan"}, s.shape.tagScanBound(), nil},
		{"tag-sync", []string{"tag-sync"}, s.shape.tagSyncBound(), nil},
		{"sync idle", []string{"sync"}, bound{LS: 2}, nil},
		{"sync-all idle", []string{"sync-all"}, bound{LS: 3}, nil},
		{fmt.Sprintf("sync K=%d", chg.total()), []string{"sync"}, chg.syncBound(),
			func(ctx context.Context) error { return s.apply(ctx, chg) }},
	}
	var out []result
	for _, st := range steps {
		if st.before != nil {
			if err := st.before(ctx); err != nil {
				return out, err
			}
		}
		r, err := s.measure(ctx, st.args...)
		if err != nil {
			return out, fmt.Errorf("%s: %w", st.job, err)
		}
		r.Job, r.Bound = st.job, st.bound
		s.logf("%-14s ls %d (bound %d) web %d (bound %d) wall %v exit %d %v",
			st.job, r.LS, r.Bound.LS, r.Web, r.Bound.Web,
			r.Wall.Round(time.Millisecond), r.Exit, r.ByEndpoint)
		out = append(out, r)
	}
	return out, nil
}

// startSandbox runs storesync-sandbox serve and waits for its ready file.
func (s *scenario) startSandbox(ctx context.Context) (func(), error) {
	readyPath := filepath.Join(s.dir, "ready.json")
	args := []string{"serve", "--synthetic", strconv.Itoa(s.n), "--tag-all",
		"--matrix-share", fmt.Sprint(s.opts.MatrixShare), "--ready-file", readyPath}
	if s.mode.Latency {
		// The bucket leaks faster than the budget spends, so the budget
		// is what paces storesync, as it is meant to in production.
		args = append(args, "--ls-drip", "3",
			"--ls-latency", s.mode.LSLatency.String(),
			"--wc-latency", s.mode.WCLatency.String())
	} else {
		args = append(args, "--ls-bucket", "1000000", "--ls-drip", "1000000",
			"--ls-burst", "1000000")
	}
	logFile, err := os.Create(filepath.Join(s.dir, "sandbox.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(s.opts.Sandbox, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start sandbox: %w", err)
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		logFile.Close()
	}

	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		data, err := os.ReadFile(readyPath)
		if err == nil && len(data) > 0 {
			if err := json.Unmarshal(data, &s.ready); err != nil {
				stop()
				return nil, fmt.Errorf("read ready file: %w", err)
			}
			return stop, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return nil, errors.New("sandbox did not become ready; see " +
		filepath.Join(s.dir, "sandbox.log"))
}

func (s *scenario) writeConfig() error {
	r := s.ready
	conf := fmt.Sprintf(`state_file = %q

[lightspeed]
account_id = %q
client_id = %q
client_secret = %q
base_url = %q
token_url = %q
shops = [1, 2]

[woocommerce]
url = %q
consumer_key = %q
consumer_secret = %q

[tags]
names = ["webon"]

[budget]
day_per_minute = %d
night_per_minute = %d

[run]
timeout = "2h"
`, filepath.Join(s.dir, "storesync.db"), r.AccountID, r.ClientID, r.ClientSecret,
		r.LightspeedURL, r.TokenURL, r.WooCommerceURL, r.WooCommerceKey,
		r.WooCommerceSecret, s.mode.Budget, s.mode.Budget)
	if err := os.WriteFile(s.configPath(), []byte(conf), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.dir, "refresh-token"),
		[]byte(r.RefreshToken+"\n"), 0o600)
}

func (s *scenario) configPath() string { return filepath.Join(s.dir, "storesync.toml") }

// storesync runs the tool once and returns its process state and the
// peak memory its summary line reports (0 when it reports none).
func (s *scenario) storesync(ctx context.Context, args ...string) (*os.ProcessState, int64,
	error) {
	cmd := exec.CommandContext(ctx, s.opts.Storesync, args...)
	cmd.Env = append(os.Environ(), "STORESYNC_CONFIG="+s.configPath(),
		"STORESYNC_LOG_FORMAT=json")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		err = nil // done, some products failed: reported
	}
	if err != nil {
		return nil, 0, fmt.Errorf("storesync %v: %w\n%s", args, err, tail(stderr.Bytes()))
	}
	return cmd.ProcessState, reportedPeak(stderr.Bytes()), nil
}

// reportedPeak reads peak_memory_kb from the run's summary line. The
// kernel's maxrss of a child is no use here: it counts the memory of the
// driver that started it, which is larger than storesync's.
func reportedPeak(logs []byte) int64 {
	var peak int64
	for _, line := range bytes.Split(logs, []byte("\n")) {
		var l struct {
			Message string `json:"message"`
			Peak    int64  `json:"peak_memory_kb"`
		}
		if json.Unmarshal(line, &l) == nil && l.Message == "run finished" {
			peak = l.Peak
		}
	}
	return peak
}

// measure runs one job and reads what it cost from both emulators and
// from the kernel's account of the process.
func (s *scenario) measure(ctx context.Context, args ...string) (result, error) {
	before, err := s.counters(ctx)
	if err != nil {
		return result{}, err
	}
	start := time.Now()
	ps, peak, err := s.storesync(ctx, args...)
	wall := time.Since(start)
	if err != nil {
		return result{}, err
	}
	after, err := s.counters(ctx)
	if err != nil {
		return result{}, err
	}
	r := result{N: s.n, Mode: s.mode.Name, ByEndpoint: map[string]int{},
		CPU: ps.UserTime() + ps.SystemTime(), Wall: wall, Exit: ps.ExitCode()}
	for k, n := range after {
		if d := n - before[k]; d != 0 {
			r.ByEndpoint[k] = d
		}
	}
	r.LS, r.Web = r.ByEndpoint["ls total"], r.ByEndpoint["web total"]
	delete(r.ByEndpoint, "ls total")
	delete(r.ByEndpoint, "web total")
	r.MaxRSS = peak * 1024
	return r, nil
}

// counters reads the request counters of both emulators, keyed "ls
// <entity>" and "web <route>", with the totals as "ls total" and "web
// total".
func (s *scenario) counters(ctx context.Context) (map[string]int, error) {
	var lsStats struct {
		Requests map[string]int `json:"requests"`
	}
	var webStats struct {
		Requests map[string]int `json:"requests"`
		Total    int            `json:"total"`
	}
	if err := s.getJSON(ctx, s.ready.LightspeedURL+"/_sandbox/stats", &lsStats); err != nil {
		return nil, err
	}
	if err := s.getJSON(ctx, s.ready.WooCommerceURL+"/_sandbox/stats", &webStats); err != nil {
		return nil, err
	}
	out := map[string]int{"web total": webStats.Total}
	for k, n := range lsStats.Requests {
		out["ls "+k] = n
	}
	for k, n := range webStats.Requests {
		out["web "+k] = n
	}
	return out, nil
}

func (s *scenario) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("read %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("read %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// apply rings up the sales and price changes on the Lightspeed emulator.
func (s *scenario) apply(ctx context.Context, c change) error {
	post := func(route string, body any) error {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost,
			s.ready.LightspeedURL+"/_sandbox/"+route, bytes.NewReader(data))
		if err != nil {
			return err
		}
		resp, err := s.http.Do(req)
		if err != nil {
			return fmt.Errorf("%s: %w", route, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s %s: %s", route, data, resp.Status)
		}
		return nil
	}
	for _, id := range append(append([]int64(nil), c.SellSimple...), c.SellVariant...) {
		if err := post("sell", map[string]any{"item_id": id, "shop_id": 1, "qty": 1}); err != nil {
			return err
		}
	}
	for i, id := range c.PriceSimple {
		amount := fmt.Sprintf("%d.49", 200+i%50)
		err := post("price", map[string]any{"item_id": id, "level": "Default", "amount": amount})
		if err != nil {
			return err
		}
	}
	return nil
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
