package metrics

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// at is a fixed instant, so the golden files do not change between runs.
func at(sec int) time.Time {
	return time.Date(2026, 3, 14, 12, 0, sec, 250*int(time.Millisecond), time.UTC)
}

func syncRun(end int, code int) RunMetrics {
	return RunMetrics{
		Job: "sync", Start: at(0), End: at(end), ExitCode: code,
		Updated: 12, Unchanged: 40, Failed: 1, LSRequests: 7, WebRequests: 2,
	}
}

func tagScanRun() RunMetrics {
	return RunMetrics{
		Job: "tag-scan", Start: at(1), End: at(31), Flagged: 5, LSRequests: 20,
	}
}

// parse reads a textfile the way node_exporter does, failing the test on
// anything the collector would refuse.
func parse(t *testing.T, data []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse textfile: %v\n%s", err, data)
	}
	for name, mf := range mfs {
		if mf.GetHelp() == "" || mf.GetType() != dto.MetricType_GAUGE {
			t.Errorf("%s: want help text and type gauge, got %q %v",
				name, mf.GetHelp(), mf.GetType())
		}
		for _, m := range mf.GetMetric() {
			if m.TimestampMs != nil {
				t.Errorf("%s: sample has a timestamp; the collector rejects the file",
					name)
			}
		}
	}
	return mfs
}

// sample returns the value of the series of name whose labels include
// want, and whether there is one.
func sample(mfs map[string]*dto.MetricFamily, name string, want ...string) (float64, bool) {
	for _, m := range mfs[name].GetMetric() {
		ok := true
		for i := 0; i+1 < len(want); i += 2 {
			if v, _ := label(m, want[i]); v != want[i+1] {
				ok = false
			}
		}
		if ok {
			return value(m), true
		}
	}
	return 0, false
}

func write(t *testing.T, path string, runs ...RunMetrics) []byte {
	t.Helper()
	for _, r := range runs {
		if err := WriteTextfile(path, r); err != nil {
			t.Fatalf("write %s run: %v", r.Job, err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestWriteTextfileGolden(t *testing.T) {
	tests := []struct {
		name string
		runs []RunMetrics
	}{
		{"one-job", []RunMetrics{syncRun(42, 0)}},
		{"two-jobs", []RunMetrics{syncRun(42, 0), tagScanRun()}},
		{"failed-after-success", []RunMetrics{syncRun(42, 0), tagScanRun(), syncRun(50, 1)}},
		{"never-succeeded", []RunMetrics{syncRun(42, 3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := write(t, filepath.Join(t.TempDir(), "storesync.prom"), tt.runs...)
			parse(t, got)

			golden := filepath.Join("testdata", tt.name, "storesync.prom")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs (run with -update if the change is meant):\n"+
					"got:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

func TestWriteTextfileKeepsOtherJobs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storesync.prom")
	mfs := parse(t, write(t, path, syncRun(42, 0), tagScanRun()))

	for _, f := range families() {
		for _, job := range []string{"sync", "tag-scan"} {
			if _, ok := sample(mfs, f.name, "job", job); !ok {
				t.Errorf("%s: no series for job %q", f.name, job)
			}
		}
	}
	if v, _ := sample(mfs, ProductsName, "job", "tag-scan", "result", "flagged"); v != 5 {
		t.Errorf("tag-scan flagged = %v, want 5", v)
	}
	if v, _ := sample(mfs, RequestsName, "job", "sync", "api", "lightspeed"); v != 7 {
		t.Errorf("sync lightspeed requests = %v, want 7", v)
	}
}

func TestWriteTextfileFailedRunKeepsLastSuccess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storesync.prom")
	mfs := parse(t, write(t, path, syncRun(42, 0), syncRun(50, 1)))

	success, ok := sample(mfs, LastSuccessName, "job", "sync")
	if want := seconds(at(42)); !ok || success != want {
		t.Errorf("last success = %v (present %v), want %v", success, ok, want)
	}
	if last, _ := sample(mfs, LastRunName, "job", "sync"); last != seconds(at(50)) {
		t.Errorf("last run = %v, want %v", last, seconds(at(50)))
	}
	if code, _ := sample(mfs, ExitCodeName, "job", "sync"); code != 1 {
		t.Errorf("exit code = %v, want 1", code)
	}
	if n := len(mfs[ExitCodeName].GetMetric()); n != 1 {
		t.Errorf("exit code has %d series for one job, want 1", n)
	}

	// The next success moves it.
	mfs = parse(t, write(t, path, syncRun(60, 0)))
	if success, _ := sample(mfs, LastSuccessName, "job", "sync"); success != seconds(at(60)) {
		t.Errorf("last success after a success = %v, want %v", success, seconds(at(60)))
	}
}

func TestWriteTextfileNoSuccessYet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storesync.prom")
	mfs := parse(t, write(t, path, syncRun(42, 3)))
	if _, ok := sample(mfs, LastSuccessName, "job", "sync"); ok {
		t.Error("a job that never exited 0 has a last success time")
	}
}

func TestTempFileNameNeverEndsInProm(t *testing.T) {
	dir := t.TempDir()
	for _, base := range []string{"storesync.prom", "x.prom", "prom", ".prom", "a"} {
		for range 20 {
			f, err := os.CreateTemp(dir, tempPattern(base))
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			if name := filepath.Base(f.Name()); strings.HasSuffix(name, ".prom") {
				t.Errorf("temporary file %q ends in .prom", name)
			}
		}
	}
}

func TestWriteTextfileLeavesOnlyItsFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "storesync.prom"), syncRun(42, 0), tagScanRun())

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "storesync.prom storesync.prom.lock" {
		t.Errorf("directory holds %q, want the textfile and its lock file", got)
	}
	fi, err := os.Stat(filepath.Join(dir, "storesync.prom"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o644 {
		t.Errorf("textfile mode = %04o, want 0644 so node_exporter can read it", perm)
	}
}

func TestWriteTextfileRemovesTempOnFailure(t *testing.T) {
	dir := t.TempDir()
	// A directory in the way makes the rename fail after the write.
	path := filepath.Join(dir, "storesync.prom")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteTextfile(path, syncRun(42, 0)); err == nil {
		t.Fatal("write over a directory succeeded")
	}
	matches, err := filepath.Glob(filepath.Join(dir, "*.tmp"))
	if err != nil {
		t.Fatal(err)
	}
	hidden, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(matches)+len(hidden) != 0 {
		t.Errorf("temporary files left behind: %v %v", matches, hidden)
	}
}

func TestWriteTextfileRefusesUnparseableFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storesync.prom")
	junk := []byte("storesync_last_run_exit_code{job=\"sync\" 1\n")
	if err := os.WriteFile(path, junk, 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteTextfile(path, syncRun(42, 0))
	if err == nil || !strings.Contains(err.Error(), "parse metrics file") {
		t.Fatalf("error = %v, want a parse error", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, junk) {
		t.Errorf("unparseable file was changed to:\n%s", got)
	}
}

func TestWriteTextfileNeedsJob(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storesync.prom")
	if err := WriteTextfile(path, RunMetrics{}); err == nil {
		t.Fatal("a run without a job name was written")
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("textfile created for a run without a job name")
	}
}

func TestWriteTextfileCarriesOverHandWrittenSeries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storesync.prom")
	old := "storesync_last_run_requests{api=\"web\",job=\"other\"} 9\n" +
		"storesync_last_run_requests{job=\"other\",api=\"lightspeed\"} 3\n" +
		"some_other_metric 1\n"
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	data := write(t, path, syncRun(42, 0))
	mfs := parse(t, data)

	if v, _ := sample(mfs, RequestsName, "job", "other", "api", "web"); v != 9 {
		t.Errorf("carried-over web requests = %v, want 9", v)
	}
	if _, ok := mfs["some_other_metric"]; ok {
		t.Error("a series storesync does not write was kept")
	}
	want := `storesync_last_run_requests{job="other",api="lightspeed"} 3` + "\n" +
		`storesync_last_run_requests{job="other",api="web"} 9` + "\n"
	if !strings.Contains(string(data), want) {
		t.Errorf("carried-over series not in canonical order:\n%s", data)
	}
}
