package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// budgetPerMinute is the night budget the floor is computed for.
const budgetPerMinute = 130

// floor is the time the budget alone needs for n Lightspeed requests.
func floor(n int) time.Duration {
	return time.Duration(float64(n) / budgetPerMinute * float64(time.Minute))
}

type rowKey struct {
	job string
	n   int
}

// writeTable prints one row per job and size: requests, CPU and memory
// from the run without latency, wall time from both runs. A size run only
// without latency gets its production wall time extrapolated (marked ~)
// from the ratio to the floor of the largest size measured with latency.
func writeTable(w io.Writer, results []result) {
	fast := map[rowKey]result{}
	slow := map[rowKey]result{}
	var keys []rowKey
	for _, r := range results {
		k := rowKey{jobName(r.Job), r.N}
		if r.Mode == prod.Name {
			slow[k] = r
			continue
		}
		fast[k] = r
		keys = append(keys, k)
	}
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].n < keys[j].n })

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "job\tN\tLS req\tLS bound\tLS x\tweb req\tweb bound\tweb x\t"+
		"CPU\tpeak MB\twall 0-lat\twall prod\tLS floor\twall/floor\t")
	for _, k := range keys {
		r := fast[k]
		fl := floor(r.LS)
		prodWall, ratio := "-", "-"
		if s, ok := slow[k]; ok {
			prodWall = dur(s.Wall)
			ratio = fmt.Sprintf("%.2f", s.Wall.Seconds()/fl.Seconds())
		} else if x, ok := nearestRatio(slow, k.job, fast); ok {
			prodWall = "~" + dur(time.Duration(x*float64(fl)))
			ratio = fmt.Sprintf("~%.2f", x)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%d\t%d\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t\n",
			r.Job, r.N, r.LS, r.Bound.LS, times(r.LS, r.Bound.LS), r.Web, r.Bound.Web,
			times(r.Web, r.Bound.Web), dur(r.CPU), float64(r.MaxRSS)/(1<<20),
			dur(r.Wall), prodWall, dur(fl), ratio)
	}
	tw.Flush()
	for k, s := range slow {
		if f, ok := fast[k]; ok && (f.LS != s.LS || f.Web != s.Web) {
			fmt.Fprintf(w, "note: %s N=%d with latency made %d LS and %d web "+
				"requests\n", s.Job, s.N, s.LS, s.Web)
		}
	}
}

// nearestRatio is wall/floor of job at the largest size run with latency.
func nearestRatio(slow map[rowKey]result, job string, fast map[rowKey]result) (float64, bool) {
	best, ok := rowKey{}, false
	for k := range slow {
		if k.job == job && (!ok || k.n > best.n) {
			best, ok = k, true
		}
	}
	if !ok {
		return 0, false
	}
	return slow[best].Wall.Seconds() / floor(fast[best].LS).Seconds(), true
}

// jobName drops the change count, which grows with N, from a step name.
func jobName(job string) string {
	name, _, _ := strings.Cut(job, " K=")
	return name
}

func times(got, bound int) string {
	if bound == 0 {
		if got == 0 {
			return "1.00"
		}
		return "inf"
	}
	return fmt.Sprintf("%.2f", float64(got)/float64(bound))
}

func dur(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d >= 10*time.Second:
		return fmt.Sprintf("%.0fs", d.Seconds())
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}
