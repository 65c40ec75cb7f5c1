package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/seed"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/tokens"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
	"github.com/storesync/storesync/pkg/woocommerce/woocommercetest"
)

// sandbox is both emulators on httptest servers with a storesync
// configuration pointing at them.
type sandbox struct {
	t      *testing.T
	ls     *lightspeedtest.Server
	wc     *woocommercetest.Server
	dir    string
	config string
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	cat, err := seed.Load(filepath.Join("..", "..", "testdata", "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	ls := lightspeedtest.NewServer(lightspeedtest.Options{AccountID: 123456,
		BucketSize: 5000, DripRate: 1000, BurstLimit: 5000})
	ls.SeedCatalog(cat)
	lsHTTP := httptest.NewServer(ls)
	t.Cleanup(lsHTTP.Close)
	wc := woocommercetest.NewServer(woocommercetest.Options{})
	wcHTTP := httptest.NewServer(wc)
	t.Cleanup(wcHTTP.Close)

	s := &sandbox{t: t, ls: ls, wc: wc, dir: t.TempDir()}
	s.config = filepath.Join(s.dir, "storesync.toml")
	key, secret := wc.Credentials()
	conf := fmt.Sprintf(`[lightspeed]
account_id = "123456"
client_id = "sandbox-client"
client_secret = "sandbox-secret"
base_url = %q
token_url = %q
shops = [1, 2]

[woocommerce]
url = %q
consumer_key = %q
consumer_secret = %q

[budget]
day_per_minute = 100000
night_per_minute = 100000
`, lsHTTP.URL, lsHTTP.URL+"/auth/oauth/token", wcHTTP.URL, key, secret)
	if err := os.WriteFile(s.config, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}

	_, refresh := ls.IssueTokens()
	tokenFile := filepath.Join(s.dir, "refresh-token")
	if err := os.WriteFile(tokenFile, []byte(refresh+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errOut, err := s.run("auth", "--refresh-token-file", tokenFile); err != nil {
		t.Fatalf("auth: %v\n%s%s", err, out, errOut)
	}
	return s
}

// run executes storesync with args and returns stdout, stderr and the error.
func (s *sandbox) run(args ...string) (string, string, error) {
	var stdout, stderr bytes.Buffer
	root := newRootCmd(&Options{Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }})
	root.SetArgs(append([]string{"--config", s.config, "--log-format", "json"}, args...))
	err := root.ExecuteContext(context.Background())
	return stdout.String(), stderr.String(), err
}

func (s *sandbox) mustRun(args ...string) (string, string) {
	s.t.Helper()
	out, errOut, err := s.run(args...)
	if err != nil {
		s.t.Fatalf("storesync %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out, errOut
}

func TestCommandsEndToEnd(t *testing.T) {
	s := newSandbox(t)
	s.mustRun("tag-scan")
	s.mustRun("tag-sync")

	// Every tagged, unarchived item is in the store exactly once.
	products := s.wc.Products()
	seen := map[string]int{}
	for _, p := range products {
		seen[p.SKU]++
		for _, v := range s.wc.Variations(p.ID) {
			seen[v.SKU]++
		}
	}
	tagged := 0
	for _, it := range s.ls.Items() {
		if !isTagged(it.Tags) || it.Archived || it.ItemMatrixID != 0 {
			continue
		}
		tagged++
		if seen[it.CustomSKU] != 1 {
			t.Errorf("tagged item %s is in the store %d times", it.CustomSKU, seen[it.CustomSKU])
		}
	}
	if tagged < 100 {
		t.Fatalf("only %d tagged standalone items in the seed catalog", tagged)
	}

	// A healthy sync at info level prints a start line and a summary.
	_, logs := s.mustRun("sync")
	_, logs = s.mustRun("sync")
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if len(lines) > 2 {
		t.Errorf("idle sync logged %d lines at info, want at most 2:\n%s", len(lines), logs)
	}
	var summary struct {
		Message    string `json:"message"`
		LSRequests int    `json:"ls_requests"`
		WebReqs    int    `json:"web_requests"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &summary); err != nil {
		t.Fatalf("summary line is not JSON: %v", err)
	}
	if summary.Message != "run finished" || summary.LSRequests != 2 || summary.WebReqs != 0 {
		t.Errorf("idle sync summary %+v, want 2 Lightspeed and 0 web requests", summary)
	}

	// status shows each job, in text and JSON.
	out, _ := s.mustRun("status")
	for _, job := range []string{"sync", "tag-scan", "tag-sync"} {
		if !strings.Contains(out, job) {
			t.Errorf("status does not mention %s:\n%s", job, out)
		}
	}
	out, _ = s.mustRun("status", "--json")
	var report struct {
		Runs []struct{ Job string } `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil || len(report.Runs) != 3 {
		t.Errorf("status --json: %v, %d runs", err, len(report.Runs))
	}
}

func isTagged(tags []string) bool {
	for _, t := range tags {
		if strings.EqualFold(strings.ReplaceAll(t, " ", ""), "webon") {
			return true
		}
	}
	return false
}

func TestSyncSelectedNotSellOnWebExits2NamingWebOn(t *testing.T) {
	s := newSandbox(t)
	s.mustRun("tag-scan")

	var untagged lightspeedtest.ItemState
	for _, it := range s.ls.Items() {
		if !isTagged(it.Tags) && it.ItemMatrixID == 0 && !it.Archived && it.CustomSKU != "" {
			untagged = it
			break
		}
	}
	_, _, err := s.run("sync-selected", "sku:"+untagged.CustomSKU)
	if code := exitcode.Code(err); code != exitcode.BadUsage {
		t.Fatalf("exit code %d (%v), want 2", code, err)
	}
	if !strings.Contains(err.Error(), "storesync web on") {
		t.Errorf("error %q does not name the command that marks it", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
}

func TestHelpOfEveryCommandHasExamples(t *testing.T) {
	root := NewRootCmd(&bytes.Buffer{}, &bytes.Buffer{})
	for _, cmd := range root.Commands() {
		if cmd.Hidden || cmd.Name() == "completion" {
			continue
		}
		t.Run(cmd.Name(), func(t *testing.T) {
			if cmd.Example == "" {
				t.Errorf("%s has no examples", cmd.Name())
			}
			var out bytes.Buffer
			r := NewRootCmd(&out, &out)
			r.SetArgs([]string{cmd.Name(), "--help"})
			if err := r.Execute(); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "Usage:") {
				t.Errorf("help of %s has no usage", cmd.Name())
			}
		})
	}
}

func TestBadFlagsAndConfigExit2(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"sync", "--bogus"}},
		{"missing config", []string{"--config", "/nonexistent/storesync.toml", "sync"}},
		{"bad log level", []string{"--log-level", "loud", "sync"}},
		{"extra argument", []string{"sync", "extra"}},
		{"unknown command", []string{"bogus"}},
		{"web on without ids", []string{"web", "on"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			root := newRootCmd(&Options{Stdout: &out, Stderr: &out,
				Getenv: func(string) string { return "" }})
			root.SetArgs(tt.args)
			err := root.Execute()
			if code := exitcode.Code(err); code != exitcode.BadUsage {
				t.Errorf("exit code %d (%v), want 2", code, err)
			}
		})
	}
}

func TestRunWritesMetricsAndPingsHealthcheck(t *testing.T) {
	s := newSandbox(t)
	var pings []string
	var mu sync.Mutex
	hc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		pings = append(pings, r.URL.Path)
		mu.Unlock()
	}))
	defer hc.Close()

	prom := filepath.Join(s.dir, "storesync.prom")
	s.mustRun("--metrics-file", prom, "--healthcheck-url", hc.URL+"/abc", "tag-scan")
	_, _, err := s.run("--metrics-file", prom, "--healthcheck-url", hc.URL+"/abc",
		"sync-selected", "nope-no-such-sku")
	if exitcode.Code(err) != exitcode.BadUsage {
		t.Fatalf("sync-selected of an unknown SKU: %v", err)
	}

	mu.Lock()
	got := strings.Join(pings, " ")
	mu.Unlock()
	want := "/abc/start /abc /abc/start /abc/2"
	if got != want {
		t.Errorf("pings %q, want %q", got, want)
	}

	f, err := os.Open(prom)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(f)
	if err != nil {
		t.Fatalf("metrics textfile does not parse: %v", err)
	}
	codes := map[string]float64{}
	for _, m := range families["storesync_last_run_exit_code"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "job" {
				codes[l.GetValue()] = m.GetGauge().GetValue()
			}
		}
	}
	if codes["tag-scan"] != 0 || codes["sync-selected"] != 2 {
		t.Errorf("exit codes in metrics %v, want tag-scan 0 and sync-selected 2", codes)
	}
}

func TestDoctorReportsAHealthyStateFile(t *testing.T) {
	s := newSandbox(t)
	out, _ := s.mustRun("doctor")
	for _, want := range []string{"ok   integrity", "ok   schema", "ok   lightspeed token",
		"ok   permissions"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}

	// A state file readable by others is reported, and doctor fails.
	if err := os.Chmod(filepath.Join(s.dir, "storesync.db"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := s.run("doctor")
	if err == nil || !strings.Contains(out, "FAIL permissions") {
		t.Errorf("doctor on a world-readable state file: %v\n%s", err, out)
	}
}

func TestNoSecretInLogsOrOutput(t *testing.T) {
	s := newSandbox(t)
	key, secret := s.wc.Credentials()
	secrets := []string{"sandbox-secret", key, secret}

	var all strings.Builder
	for _, args := range [][]string{
		{"--log-level", "debug", "tag-scan"},
		{"--log-level", "debug", "tag-sync"},
		{"--log-level", "debug", "sync"},
		{"--log-level", "debug", "sync-all", "--dry-run"},
		{"status"},
		{"config", "check"},
		{"doctor"},
		{"sync-selected", "no-such-sku"},
	} {
		out, errOut, err := s.run(args...)
		all.WriteString(out + errOut)
		if err != nil {
			all.WriteString(err.Error())
		}
	}
	// The token pair in use now, after the refreshes the runs made.
	st, err := state.Open(context.Background(), filepath.Join(s.dir, "storesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tok, err := tokens.New(st, filepath.Join(s.dir, "storesync.db.token.lock")).
		Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, tok.Access, tok.Refresh)

	logs := all.String()
	if len(logs) < 1000 {
		t.Fatalf("only %d bytes of logs: the runs did not log at debug", len(logs))
	}
	for _, sec := range secrets {
		if sec != "" && strings.Contains(logs, sec) {
			t.Errorf("a secret (%d characters) appears in the logs", len(sec))
		}
	}
}
