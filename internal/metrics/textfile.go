package metrics

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/storesync/storesync/internal/lock"
)

// Names of the series WriteTextfile writes.
const (
	LastRunName     = "storesync_last_run_timestamp_seconds"
	LastSuccessName = "storesync_last_success_timestamp_seconds"
	DurationName    = "storesync_run_duration_seconds"
	ProductsName    = "storesync_last_run_products"
	RequestsName    = "storesync_last_run_requests"
	ExitCodeName    = "storesync_last_run_exit_code"
)

// lockWait bounds how long a write waits for another job writing the same
// file; writes take milliseconds, so a longer wait means something is stuck.
const lockWait = 10 * time.Second

// RunMetrics is what one run of a job reports.
type RunMetrics struct {
	// Job names the job, such as "sync"; it is the job label.
	Job string

	// Start and End bound the run.
	Start, End time.Time

	// ExitCode is the status storesync exits with; only 0 is a success.
	ExitCode int

	// Products by what the run did to them.
	Created, Updated, Unchanged, Failed, Flagged int

	// Requests spent on the Lightspeed API and on the web store.
	LSRequests, WebRequests int
}

// family is one metric name with its help text.
type family struct {
	name, help string
}

// families lists the metric families in the order they are written.
func families() []family {
	return []family{
		{LastRunName, "When the last run of the job ended, in seconds since the epoch."},
		{LastSuccessName, "When the last run of the job that exited 0 ended, " +
			"in seconds since the epoch."},
		{DurationName, "How long the last run of the job took."},
		{ProductsName, "Products the last run of the job handled, by result."},
		{RequestsName, "Requests the last run of the job made, by API."},
		{ExitCodeName, "The exit status of the last run of the job."},
	}
}

// WriteTextfile records m in the Prometheus textfile at path. The series of
// other jobs already in the file are kept, and so is the job's last success
// time when this run did not exit 0. Series of other names are dropped: the
// file belongs to storesync.
//
// The new content goes to a temporary file in the same directory, whose
// name does not end in .prom so the collector skips it, and is renamed over
// path once it is on disk; readers see the old file or the new one, never
// a part. Writers of one path take turns through a lock file beside it.
// A file at path that does not parse is left alone and reported, so that a
// hand-edited file is not silently lost; delete it to start afresh.
//
// A run skipped because another run held the job's lock did nothing worth
// recording; callers should not write it.
func WriteTextfile(path string, m RunMetrics) error {
	if m.Job == "" {
		return errors.New("write metrics: empty job name")
	}

	ctx, cancel := context.WithTimeout(context.Background(), lockWait)
	defer cancel()
	lk, err := lock.Wait(ctx, path+".lock")
	if err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	defer lk.Release()

	old, err := readTextfile(path)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, mf := range merge(old, m) {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			return fmt.Errorf("encode metric %s: %w", mf.GetName(), err)
		}
	}
	return replaceFile(path, buf.Bytes())
}

// readTextfile parses the file at path; a missing file is empty.
func readTextfile(path string) (map[string]*dto.MetricFamily, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read metrics file: %w", err)
	}
	defer f.Close()

	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(f)
	if err != nil {
		return nil, fmt.Errorf("parse metrics file %s (delete it to start afresh): %w",
			path, err)
	}
	return mfs, nil
}

// merge returns the families to write: the series of other jobs from old,
// the job's previous success time when this run failed, and this run.
func merge(old map[string]*dto.MetricFamily, m RunMetrics) []*dto.MetricFamily {
	current := runSeries(m)
	var out []*dto.MetricFamily
	for _, f := range families() {
		var ms []*dto.Metric
		for _, om := range old[f.name].GetMetric() {
			job, ok := label(om, "job")
			keep := job != m.Job || (f.name == LastSuccessName && m.ExitCode != 0)
			if ok && keep {
				ms = append(ms, gauge(value(om), canonical(om.GetLabel())...))
			}
		}
		ms = append(ms, current[f.name]...)
		if len(ms) == 0 {
			continue
		}
		slices.SortFunc(ms, compareLabels)
		out = append(out, &dto.MetricFamily{
			Name:   ptr(f.name),
			Help:   ptr(f.help),
			Type:   dto.MetricType_GAUGE.Enum(),
			Metric: ms,
		})
	}
	return out
}

// runSeries returns the series of one run by metric name.
func runSeries(m RunMetrics) map[string][]*dto.Metric {
	job := labelPair("job", m.Job)
	end := seconds(m.End)
	s := map[string][]*dto.Metric{
		LastRunName:  {gauge(end, job)},
		DurationName: {gauge(m.End.Sub(m.Start).Seconds(), job)},
		ExitCodeName: {gauge(float64(m.ExitCode), job)},
		RequestsName: {
			gauge(float64(m.LSRequests), job, labelPair("api", "lightspeed")),
			gauge(float64(m.WebRequests), job, labelPair("api", "web")),
		},
	}
	if m.ExitCode == 0 {
		s[LastSuccessName] = []*dto.Metric{gauge(end, job)}
	}
	results := []struct {
		name string
		n    int
	}{
		{"created", m.Created}, {"updated", m.Updated}, {"unchanged", m.Unchanged},
		{"failed", m.Failed}, {"flagged", m.Flagged},
	}
	for _, r := range results {
		s[ProductsName] = append(s[ProductsName],
			gauge(float64(r.n), job, labelPair("result", r.name)))
	}
	return s
}

// replaceFile puts data at path through a temporary file in the same
// directory, so the rename is atomic.
func replaceFile(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, tempPattern(base))
	if err != nil {
		return fmt.Errorf("create temporary metrics file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	// node_exporter often runs as another user; the content is no secret.
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("chmod temporary metrics file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write temporary metrics file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync temporary metrics file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close temporary metrics file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename metrics file: %w", err)
	}
	return syncDir(dir)
}

// tempPattern names the temporary file for os.CreateTemp: hidden, and
// ending in .tmp, so the textfile collector never reads it.
func tempPattern(base string) string {
	return "." + base + ".*.tmp"
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open metrics directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync metrics directory: %w", err)
	}
	return nil
}

func gauge(v float64, labels ...*dto.LabelPair) *dto.Metric {
	return &dto.Metric{Label: labels, Gauge: &dto.Gauge{Value: ptr(v)}}
}

func labelPair(name, value string) *dto.LabelPair {
	return &dto.LabelPair{Name: ptr(name), Value: ptr(value)}
}

// value reads a sample whatever type an older file gave it.
func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Untyped != nil:
		return m.GetUntyped().GetValue()
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	}
	return 0
}

func label(m *dto.Metric, name string) (string, bool) {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue(), true
		}
	}
	return "", false
}

// canonical orders labels the way runSeries writes them: job first, then
// the rest by name.
func canonical(labels []*dto.LabelPair) []*dto.LabelPair {
	out := slices.Clone(labels)
	slices.SortStableFunc(out, func(a, b *dto.LabelPair) int {
		aj, bj := a.GetName() == "job", b.GetName() == "job"
		if aj != bj {
			if aj {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.GetName(), b.GetName())
	})
	return out
}

// compareLabels orders series by their label values in canonical order,
// so the file reads the same after every write.
func compareLabels(a, b *dto.Metric) int {
	la, lb := a.GetLabel(), b.GetLabel()
	for i := range min(len(la), len(lb)) {
		if c := cmp.Compare(la[i].GetValue(), lb[i].GetValue()); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(la), len(lb))
}

// seconds is t as fractional seconds since the epoch, to the millisecond.
func seconds(t time.Time) float64 {
	return float64(t.UnixMilli()) / 1000
}

func ptr[T any](v T) *T {
	return &v
}
