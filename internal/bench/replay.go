package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"github.com/storesync/storesync/internal/catalog"
	"github.com/storesync/storesync/internal/jobs"
	"github.com/storesync/storesync/internal/seed"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/webstore"
	"github.com/storesync/storesync/internal/webstore/woo"
	"github.com/storesync/storesync/pkg/lightspeed"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
	"github.com/storesync/storesync/pkg/woocommerce"
	"github.com/storesync/storesync/pkg/woocommerce/woocommercetest"
)

// Replay settings: one sync every five minutes of simulated time; a run
// takes, in production, 200 ms per Lightspeed request and 1 s per
// web-store request, one after the other.
const (
	syncEvery     = 5 * time.Minute
	lsRequestDur  = 200 * time.Millisecond
	webRequestDur = time.Second
)

// The default budget (30 a minute from 07:00 to 18:00, 130 otherwise)
// spread over a whole day.
const dayBudget = 30*11*60 + 130*13*60

// simClock is the simulated time both emulators read.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// replay holds the emulators, the state file and the jobs' environment.
type replay struct {
	clock *simClock
	ls    *lightspeedtest.Server
	wc    *woocommercetest.Server
	st    *state.Store
	env   *jobs.Env
	shift time.Duration // added to a sale's time to get simulated time
}

// runReplay sells every line of the sales week through the Lightspeed
// emulator at its own (shifted) time and runs sync in process every five
// simulated minutes, then reports requests per day and how long each
// sale took to reach the web store.
// It covers the first days days of the extract, 1 to 5.
func runReplay(ctx context.Context, dir string, days int, out, logw io.Writer) error {
	if days < 1 || days > 5 {
		return fmt.Errorf("replay days %d: want 1 to 5", days)
	}
	r, cleanup, err := newReplay(ctx, dir)
	if err != nil {
		return err
	}
	defer cleanup()

	var sales []seed.Sale
	for d := range days {
		day := time.Date(2011, 11, 14+d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		s, err := seed.Sales(dir, day)
		if err != nil {
			return err
		}
		sales = append(sales, s...)
	}
	fmt.Fprintf(logw, "replay: %d sales lines; publishing the catalog\n", len(sales))

	// Publish the whole catalog first, so every sold item is in the store.
	start := time.Date(2011, 11, 14, 0, 0, 0, 0, time.UTC).Add(r.shift)
	r.clock.Set(start.Add(-time.Hour))
	if _, err := jobs.TagScan(ctx, r.env, false); err != nil {
		return fmt.Errorf("tag-scan: %w", err)
	}
	if _, err := jobs.TagSync(ctx, r.env, jobs.PushOptions{}); err != nil {
		return fmt.Errorf("tag-sync: %w", err)
	}
	webIDs, err := r.webIDs(ctx)
	if err != nil {
		return err
	}

	rep, err := r.loop(ctx, sales, days, start, webIDs, logw)
	if err != nil {
		return err
	}
	rep.write(out)
	return nil
}

func newReplay(ctx context.Context, dir string) (*replay, func(), error) {
	cat, err := seed.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	tagAll(&cat)

	// Simulated time runs from tomorrow, midnight UTC, so that it is
	// ahead of the wall clock the state file records pushes by.
	now := time.Now().UTC()
	week := time.Date(2011, 11, 14, 0, 0, 0, 0, time.UTC)
	tomorrow := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
	r := &replay{clock: &simClock{t: now}, shift: tomorrow.Sub(week)}

	// The bucket never fills: the replay counts requests, the budget
	// that paces them is reported against the day's allowance.
	r.ls = lightspeedtest.NewServer(lightspeedtest.Options{BucketSize: 1e9,
		DripRate: 1e9, BurstLimit: 1 << 30, Clock: r.clock.Now})
	r.ls.SeedCatalog(cat)
	lsHTTP := httptest.NewServer(r.ls)
	r.wc = woocommercetest.NewServer(woocommercetest.Options{Now: r.clock.Now})
	wcHTTP := httptest.NewServer(r.wc)

	tmp, err := os.MkdirTemp("", "storesync-replay-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() {
		lsHTTP.Close()
		wcHTTP.Close()
		if r.st != nil {
			r.st.Close()
		}
		os.RemoveAll(tmp)
	}
	r.st, err = state.Open(ctx, filepath.Join(tmp, "state.db"))
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	if err := r.buildEnv(lsHTTP.URL, wcHTTP.URL); err != nil {
		cleanup()
		return nil, nil, err
	}
	return r, cleanup, nil
}

// tagAll tags every standalone item and matrix for the web store.
func tagAll(c *lightspeedtest.Catalog) {
	for i := range c.Items {
		if c.Items[i].ItemMatrixID == 0 {
			c.Items[i].Tags = append(c.Items[i].Tags, seed.WebTag)
		}
	}
	for i := range c.Matrices {
		c.Matrices[i].Tags = append(c.Matrices[i].Tags, seed.WebTag)
	}
}

func (r *replay) buildEnv(lsURL, wcURL string) error {
	access, refresh := r.ls.IssueTokens()
	lc, err := lightspeed.New(lightspeed.Config{
		BaseURL: lsURL, TokenURL: lsURL + "/auth/oauth/token", AccountID: "1",
		ClientID: "sandbox-client", ClientSecret: "sandbox-secret",
		Tokens: lightspeedtest.NewMemTokens(access, refresh),
	})
	if err != nil {
		return err
	}
	key, secret := r.wc.Credentials()
	wcl, err := woocommerce.New(woocommerce.Config{BaseURL: wcURL, Key: key, Secret: secret})
	if err != nil {
		return err
	}
	r.env = &jobs.Env{
		LS: lc, Web: woo.New(wcl, woo.Options{}), State: r.st, Log: zerolog.Nop(),
		Settings: jobs.Settings{
			Tags:      []string{seed.WebTag},
			Catalog:   catalog.Options{Shops: []int64{1, 2}, PriceLevel: "Default"},
			NewStatus: webstore.Publish, Archived: webstore.Draft,
			BatchSize: 100, DryRunOut: io.Discard,
		},
	}
	return nil
}

// webIDs maps each item in the web store to its web product.
func (r *replay) webIDs(ctx context.Context) (map[int64]int64, error) {
	rows, err := r.st.Query(ctx, "kind = 'item' AND web_id <> 0")
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int64, len(rows))
	for _, p := range rows {
		out[p.ID] = p.WebID
	}
	return out, nil
}

// dayStats are the requests and sales of one simulated day.
type dayStats struct {
	Day       string
	Sales     int
	Syncs     int
	LS, Web   int
	IdleSyncs int
	IdleLS    int
}

// replayReport is what the replay measured.
type replayReport struct {
	Days      []dayStats
	Latencies []time.Duration // per sale that reached the web store
	Skipped   int             // sales the emulator refused (archived items)
	Offline   int             // sales of items not in the web store
	Pending   int             // sales not in the web store at the end
	MaxRun    time.Duration   // the longest modelled sync
	SyncWall  time.Duration   // in-process time of all syncs
	// IdleByEntity counts the Lightspeed requests of idle syncs by entity.
	IdleByEntity map[string]int
}

// pendingSale is a sale waiting to show in the web store.
type pendingSale struct {
	item int64
	at   time.Time
}

// week is the replay's progress through the sales.
type week struct {
	sales   []seed.Sale
	next    int // the first sale not yet rung up
	webIDs  map[int64]int64
	pending []pendingSale
	rep     *replayReport
	days    int
}

// loop advances the simulated clock sync by sync over the five days.
func (r *replay) loop(ctx context.Context, sales []seed.Sale, days int, start time.Time,
	webIDs map[int64]int64, logw io.Writer) (*replayReport, error) {
	w := &week{sales: sales, webIDs: webIDs, days: days,
		rep: &replayReport{IdleByEntity: map[string]int{}}}
	for d := range w.days {
		dayStart := start.Add(time.Duration(d) * 24 * time.Hour)
		day := dayStats{Day: dayStart.Add(-r.shift).Format(time.DateOnly)}
		end := dayStart.Add(24 * time.Hour)
		for t := dayStart.Add(syncEvery); !t.After(end); t = t.Add(syncEvery) {
			if err := r.tick(ctx, w, t, &day); err != nil {
				return nil, err
			}
		}
		fmt.Fprintf(logw, "replay: %s: %d sales, %d syncs, %d LS and %d web requests\n",
			day.Day, day.Sales, day.Syncs, day.LS, day.Web)
		w.rep.Days = append(w.rep.Days, day)
	}
	w.rep.Pending = len(w.pending)
	return w.rep, nil
}

// tick rings up the sales up to t, each at its own time, then runs sync
// at t and sees which sales it carried to the web store.
func (r *replay) tick(ctx context.Context, w *week, t time.Time, day *dayStats) error {
	sold := 0
	for ; w.next < len(w.sales) && !w.sales[w.next].At.Add(r.shift).After(t); w.next++ {
		s := w.sales[w.next]
		r.clock.Set(s.At.Add(r.shift))
		if err := r.ls.Sell(s.ItemID, seed.ShopFloorID, s.Quantity); err != nil {
			w.rep.Skipped++
			continue
		}
		sold++
		if _, ok := w.webIDs[s.ItemID]; !ok {
			w.rep.Offline++
			continue
		}
		w.pending = append(w.pending, pendingSale{s.ItemID, s.At.Add(r.shift)})
	}
	day.Sales += sold

	r.clock.Set(t)
	before, web0 := r.ls.Requests(), r.wc.TotalRequests()
	began := time.Now()
	if _, err := jobs.Sync(ctx, r.env); err != nil {
		return fmt.Errorf("sync at %s: %w", t.Add(-r.shift), err)
	}
	w.rep.SyncWall += time.Since(began)
	after := r.ls.Requests()
	ls, web := after["total"]-before["total"], r.wc.TotalRequests()-web0
	run := time.Duration(ls)*lsRequestDur + time.Duration(web)*webRequestDur
	w.rep.MaxRun = max(w.rep.MaxRun, run)
	day.Syncs++
	day.LS += ls
	day.Web += web
	if sold == 0 {
		day.IdleSyncs++
		day.IdleLS += ls
		for k, n := range after {
			if d := n - before[k]; d != 0 && k != "total" {
				w.rep.IdleByEntity[k] += d
			}
		}
	}
	w.pending = r.settle(w.pending, w.webIDs, t, run, w.rep)
	return nil
}

// settle drops from pending the sales the web store now reflects: the
// web stock of their item equals Lightspeed's. A sale reached the store
// when the sync at t finished, run after t.
func (r *replay) settle(pending []pendingSale, webIDs map[int64]int64, t time.Time,
	run time.Duration, rep *replayReport) []pendingSale {
	if len(pending) == 0 {
		return pending
	}
	web := map[int64]int64{}
	for _, p := range r.wc.Products() {
		if p.StockQuantity != nil {
			web[p.ID] = int64(*p.StockQuantity)
		}
	}
	keep := pending[:0]
	for _, p := range pending {
		it, ok := r.ls.Item(p.item)
		want := catalog.StockFromMap(it.Sellable, []int64{1, 2})
		if got, on := web[webIDs[p.item]]; ok && on && got == want {
			rep.Latencies = append(rep.Latencies, t.Sub(p.at)+run)
			continue
		}
		keep = append(keep, p)
	}
	return keep
}

func (rep *replayReport) write(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "day\tsales lines\tsyncs\tLS req\tweb req\tLS % of day budget\t"+
		"idle syncs\tLS req per idle sync\t")
	for _, d := range rep.Days {
		perIdle := 0.0
		if d.IdleSyncs > 0 {
			perIdle = float64(d.IdleLS) / float64(d.IdleSyncs)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.2f\t%d\t%.2f\t\n", d.Day, d.Sales, d.Syncs,
			d.LS, d.Web, 100*float64(d.LS)/dayBudget, d.IdleSyncs, perIdle)
	}
	tw.Flush()

	l := rep.Latencies
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	pct := func(p float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		return l[min(len(l)-1, int(p*float64(len(l))))]
	}
	fmt.Fprintf(w, "sale to web store (simulated time, %d sales): p50 %v, p95 %v, max %v\n",
		len(l), pct(0.5).Round(time.Second), pct(0.95).Round(time.Second),
		pct(1).Round(time.Second))
	fmt.Fprintf(w, "target: one sync interval plus the run, at most %v (longest run %v)\n",
		(syncEvery + rep.MaxRun).Round(time.Second), rep.MaxRun.Round(time.Second))
	fmt.Fprintf(w, "not counted: %d refused by the till, %d of items not in the web "+
		"store; %d still pending at the end\n", rep.Skipped, rep.Offline, rep.Pending)
	fmt.Fprintf(w, "in-process time of all syncs: %v; LS requests of idle syncs: %v\n",
		rep.SyncWall.Round(time.Millisecond), rep.IdleByEntity)
}
