package cli

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/storesync/storesync/internal/budget"
	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/jobs"
	"github.com/storesync/storesync/internal/seed"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/tokens"
	"github.com/storesync/storesync/pkg/lightspeed"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
	"github.com/storesync/storesync/pkg/woocommerce"
)

// simClock is simulated time shared by a fixed number of workers. It
// stands still while any worker runs and, once every worker sleeps, jumps
// to the earliest wake-up. Requests therefore take no time at all, which
// is the hardest case for pacing: nothing but the sleeps spaces them.
type simClock struct {
	mu       sync.Mutex
	now      time.Time
	running  int
	sleepers []*simSleeper
}

type simSleeper struct {
	at   time.Time
	wake chan struct{}
}

func newSimClock(start time.Time, workers int) *simClock {
	return &simClock{now: start, running: workers}
}

// Now returns the simulated time.
func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep parks the calling worker until the clock reaches now+d.
func (c *simClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil || d <= 0 {
		return err
	}
	c.mu.Lock()
	s := &simSleeper{at: c.now.Add(d), wake: make(chan struct{})}
	c.sleepers = append(c.sleepers, s)
	c.running--
	c.advance()
	c.mu.Unlock()

	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		defer c.mu.Unlock()
		if i := slices.Index(c.sleepers, s); i >= 0 {
			c.sleepers = slices.Delete(c.sleepers, i, i+1)
			c.running++
		}
		return ctx.Err()
	}
}

// Done takes a finished worker out of the count, so the others' time can
// move on without it.
func (c *simClock) Done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running--
	c.advance()
}

// advance wakes the earliest sleepers once no worker runs. The caller
// holds c.mu.
func (c *simClock) advance() {
	for c.running == 0 && len(c.sleepers) > 0 {
		next := c.sleepers[0].at
		for _, s := range c.sleepers {
			if s.at.Before(next) {
				next = s.at
			}
		}
		if next.After(c.now) {
			c.now = next
		}
		c.sleepers = slices.DeleteFunc(c.sleepers, func(s *simSleeper) bool {
			if s.at.After(c.now) {
				return false
			}
			close(s.wake)
			c.running++
			return true
		})
	}
}

// simProcess is one simulated storesync process: its own connection to the
// state file, its own budget Pacer and its own Lightspeed client.
type simProcess struct {
	st  *state.Store
	env *jobs.Env
}

func newSimProcess(t *testing.T, path, lsURL string, clock *simClock,
	opts budget.Options) *simProcess {
	t.Helper()
	st, err := state.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	opts.Now, opts.Sleep = clock.Now, clock.Sleep
	ls, err := lightspeed.New(lightspeed.Config{
		BaseURL:      lsURL,
		TokenURL:     lsURL + "/auth/oauth/token",
		AccountID:    "123456",
		ClientID:     "sandbox-client",
		ClientSecret: "sandbox-secret",
		Tokens:       tokens.New(st, path+".token.lock"),
		Pacer:        budget.New(st, opts),
		Now:          clock.Now,
		Sleep:        clock.Sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &simProcess{st: st, env: &jobs.Env{LS: ls, State: st, Log: zerolog.Nop(),
		Settings: jobs.Settings{Tags: []string{"webon"}}}}
}

// TestBudgetSharedByThreeProcesses runs three full tag-scans at once, each
// as its own process over one state file, against one emulated account
// with the documented bucket (90 drips, 1 a second, 20 a second burst).
// Counted on the emulator's side, no 60 seconds may hold more requests
// than the budget, the bucket may never pass its size and no request may
// be refused.
func TestBudgetSharedByThreeProcesses(t *testing.T) {
	const (
		procs  = 3
		rounds = 2 // full scans per process
	)
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := seed.Load(filepath.Join("..", "..", "testdata", "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	// By day the budget binds: every full minute holds exactly 30. By
	// night the bucket does, 130 a minute being more than it drips: the
	// level comes close to its size, and a minute after the first holds
	// at most the 60 drips it leaks.
	tests := []struct {
		name        string
		start       time.Time
		limit       int
		perMinute   int     // requests in each full minute; 0 = not fixed
		minPeak     float64 // the bucket level the run must reach
		laterMinute int     // most requests in a full minute after the first
	}{
		{"day", time.Date(2026, 7, 1, 10, 0, 0, 0, la), 30, 30, 0, 30},
		{"night", time.Date(2026, 7, 1, 22, 0, 0, 0, la), 130, 0, 80, 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newSimClock(tt.start, procs)
			emu := lightspeedtest.NewServer(lightspeedtest.Options{
				AccountID: 123456, Clock: clock.Now})
			emu.SeedCatalog(cat)
			srv := httptest.NewServer(emu)
			t.Cleanup(srv.Close)

			path := filepath.Join(t.TempDir(), "storesync.db")
			var ps []*simProcess
			for i := range procs {
				ps = append(ps, newSimProcess(t, path, srv.URL, clock, budget.Options{
					NightStarts: "18:00", NightEnds: "07:00", Location: la,
					Job: fmt.Sprintf("tag-scan-%d", i)}))
			}
			access, refresh := emu.IssueTokens()
			err := tokens.New(ps[0].st, path+".token.lock").Save(context.Background(),
				lightspeed.Token{Access: access, Refresh: refresh})
			if err != nil {
				t.Fatal(err)
			}

			// Run the three processes at once.
			errs := make([]error, procs)
			var wg sync.WaitGroup
			for i, p := range ps {
				wg.Go(func() {
					defer clock.Done()
					for range rounds {
						if _, err := jobs.TagScan(context.Background(), p.env,
							true); err != nil {
							errs[i] = err
							return
						}
					}
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("process %d: %v", i, err)
				}
			}

			rate := lightspeedtest.RateOf(emu.RequestLog(), time.Minute)
			took := clock.Now().Sub(tt.start)
			t.Logf("%d requests in %v; per minute %v; most in 60 s %d; "+
				"bucket peak %.2f/90; %d refused", rate.Total, took.Round(time.Second),
				rate.PerWindow, rate.MaxInWindow, emu.MaxBucketLevel(), rate.Limited)
			if rate.MaxInWindow > tt.limit {
				t.Errorf("%d requests in 60 seconds, budget %d", rate.MaxInWindow, tt.limit)
			}
			full := rate.PerWindow[:len(rate.PerWindow)-1]
			for i, n := range full {
				if tt.perMinute != 0 && n != tt.perMinute {
					t.Errorf("minute %d held %d requests, want %d", i+1, n, tt.perMinute)
				}
				if i > 0 && n > tt.laterMinute {
					t.Errorf("minute %d held %d requests, want at most %d",
						i+1, n, tt.laterMinute)
				}
			}
			if lvl := emu.MaxBucketLevel(); lvl > 90 || lvl < tt.minPeak {
				t.Errorf("bucket reached %.2f, want %.0f to 90", lvl, tt.minPeak)
			}
			if rate.Limited != 0 {
				t.Errorf("%d requests refused with 429", rate.Limited)
			}
			checkMarked(t, ps[0].st, cat)
		})
	}
}

// checkMarked checks that the state file marks Sell on Web exactly the
// unarchived items of cat that carry the tag webon or belong to a matrix
// that does.
func checkMarked(t *testing.T, st *state.Store, cat lightspeedtest.Catalog) {
	t.Helper()
	taggedMatrix := map[int64]bool{}
	for _, m := range cat.Matrices {
		taggedMatrix[m.ItemMatrixID] = isTagged(m.Tags)
	}
	var want []int64
	for _, it := range cat.Items {
		if !it.Archived && (isTagged(it.Tags) || taggedMatrix[it.ItemMatrixID]) {
			want = append(want, it.ItemID)
		}
	}
	slices.Sort(want)

	marked, err := st.Query(context.Background(), "kind = ? AND sell_on_web = 1",
		state.KindItem)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, p := range marked {
		got = append(got, p.ID)
	}
	if len(want) < 100 {
		t.Fatalf("only %d tagged items in the seed catalog", len(want))
	}
	if !slices.Equal(got, want) {
		t.Errorf("%d items marked, want %d; first marked %v, first wanted %v",
			len(got), len(want), firstIDs(got), firstIDs(want))
	}
}

func firstIDs(ids []int64) string {
	return strings.Trim(fmt.Sprint(ids[:min(len(ids), 5)]), "[]")
}

// stateOf opens the sandbox's state file.
func (s *sandbox) stateOf() *state.Store {
	s.t.Helper()
	st, err := state.Open(context.Background(), filepath.Join(s.dir, "storesync.db"))
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { st.Close() })
	return st
}

// lastRun returns the last recorded run of job.
func lastRun(t *testing.T, st *state.Store, job string) state.Run {
	t.Helper()
	runs, err := st.LastRuns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Job == job {
			return r
		}
	}
	t.Fatalf("no run of %s recorded", job)
	return state.Run{}
}

// markedCount counts the items marked Sell on Web.
func markedCount(t *testing.T, st *state.Store) int {
	t.Helper()
	marked, err := st.Query(context.Background(), "kind = ? AND sell_on_web = 1",
		state.KindItem)
	if err != nil {
		t.Fatal(err)
	}
	return len(marked)
}

// runStopped runs storesync with --max-requests n and checks that it
// stopped: exit 3, outcome "stopped", exactly n Lightspeed requests.
func (s *sandbox) runStopped(st *state.Store, n int, job string, args ...string) {
	s.t.Helper()
	cmd := append([]string{"--max-requests", fmt.Sprint(n), job}, args...)
	_, logs, err := s.run(cmd...)
	if code := exitcode.Code(err); code != exitcode.Partial {
		s.t.Fatalf("storesync %s: exit %d (%v), want 3\n%s",
			strings.Join(cmd, " "), code, err, logs)
	}
	r := lastRun(s.t, st, job)
	if r.Outcome != "stopped" || r.ExitCode != exitcode.Partial || r.LSRequests != n {
		s.t.Errorf("%s run recorded outcome %q, exit %d, %d Lightspeed requests; "+
			"want stopped, 3, %d", job, r.Outcome, r.ExitCode, r.LSRequests, n)
	}
}

// spreadCatalog reseeds the sandbox's Lightspeed with the sample catalog,
// its items changed ten seconds apart over the last day in ItemID order,
// so that a cursor part-way through the item feed skips what is behind
// it (seeded at one instant, every read would start from the beginning).
func (s *sandbox) spreadCatalog() lightspeedtest.Catalog {
	s.t.Helper()
	cat, err := seed.Load(filepath.Join("..", "..", "testdata", "catalog"))
	if err != nil {
		s.t.Fatal(err)
	}
	slices.SortFunc(cat.Items, func(a, b lightspeedtest.Item) int {
		return int(a.ItemID - b.ItemID)
	})
	start := time.Now().Add(-24 * time.Hour)
	for i := range cat.Items {
		cat.Items[i].TimeStamp = start.Add(time.Duration(i) * 10 * time.Second)
	}
	s.ls.SeedCatalog(cat)
	return cat
}

// TestMaxRequestsStopsAndNextRunCarriesOn cuts tag-scan, tag-sync and sync
// off with --max-requests and checks that each stopped run exits 3 with
// outcome "stopped", and that the next runs carry on from its cursors and
// finish with nothing skipped.
func TestMaxRequestsStopsAndNextRunCarriesOn(t *testing.T) {
	s := newSandbox(t)
	st := s.stateOf()
	cat := s.spreadCatalog()

	// A full scan, to compare with: it is undone by a fresh state file.
	full := newSandbox(t)
	full.spreadCatalog()
	full.mustRun("tag-scan")
	fullScan := lastRun(t, full.stateOf(), "tag-scan").LSRequests

	// tag-scan, cut off twice, gets further each time; the third run
	// reads only what is left.
	var marked []int
	for range 2 {
		s.runStopped(st, 6, "tag-scan")
		marked = append(marked, markedCount(t, st))
	}
	s.mustRun("tag-scan")
	marked = append(marked, markedCount(t, st))
	rest := lastRun(t, st, "tag-scan").LSRequests
	t.Logf("marked after each run %v; the last run read %d, a full scan %d",
		marked, rest, fullScan)
	if !(0 < marked[0] && marked[0] < marked[1] && marked[1] < marked[2]) {
		t.Errorf("marked after each run %v, want growing from above 0", marked)
	}
	if rest > fullScan-6 {
		t.Errorf("the run after two stopped ones read %d pages, a full scan %d: "+
			"it did not carry on from the cursor", rest, fullScan)
	}
	checkMarked(t, st, cat)

	// tag-sync, cut off part-way through the pushes, then finished.
	s.runStopped(st, 42, "tag-sync")
	cut := len(s.wc.Products())
	s.mustRun("tag-sync")
	t.Logf("web store: %d products after the stopped tag-sync, %d after the next",
		cut, len(s.wc.Products()))
	if cut >= len(s.wc.Products()) {
		t.Errorf("the stopped tag-sync pushed all %d products", cut)
	}
	checkInStoreOnce(t, s)

	// sync, cut off after the stock feed, then finished: both a sale and
	// a new price reach the store.
	sku, before := storeStock(t, s)
	id, _ := s.ls.ItemIDBySKU(sku)
	if err := s.ls.Sell(id, 1, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.ls.SetPrice(id, "Default", "123.45"); err != nil {
		t.Fatal(err)
	}
	s.runStopped(st, 1, "sync")
	s.mustRun("sync")
	p := storeProduct(t, s, sku)
	if p.StockQuantity == nil || *p.StockQuantity != before-1 ||
		p.RegularPrice == nil || *p.RegularPrice != "123.45" {
		t.Errorf("%s in the store: stock %v, price %v; want %d and 123.45",
			sku, pointee(p.StockQuantity), pointee(p.RegularPrice), before-1)
	}
}

// storeStock picks a standalone product in the web store with stock on
// the shop floor and returns its SKU and stock there.
func storeStock(t *testing.T, s *sandbox) (string, int64) {
	t.Helper()
	for _, p := range s.wc.Products() {
		id, ok := s.ls.ItemIDBySKU(p.SKU)
		if !ok || p.StockQuantity == nil || *p.StockQuantity < 2 {
			continue
		}
		if it, _ := s.ls.Item(id); it.ItemMatrixID == 0 && it.Stock[1] > 0 {
			return p.SKU, *p.StockQuantity
		}
	}
	t.Fatal("no product with stock on the shop floor in the store")
	return "", 0
}

func storeProduct(t *testing.T, s *sandbox, sku string) woocommerce.Product {
	t.Helper()
	for _, p := range s.wc.Products() {
		if p.SKU == sku {
			return p
		}
	}
	t.Fatalf("%s is not in the store", sku)
	return woocommerce.Product{}
}

func pointee[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestRateLimitStormMidRun answers four reads in the middle of a tag-scan
// with 429 and checks that the run waits out each Retry-After, resends
// the same page and finishes with every tagged item marked.
func TestRateLimitStormMidRun(t *testing.T) {
	s := newSandbox(t)
	st := s.stateOf()
	cat := s.spreadCatalog()

	// Faults apply in order: three item pages pass, the next four are
	// refused.
	s.ls.Inject(lightspeedtest.Fault{Path: "/Item.json", Kind: lightspeedtest.FaultSlow,
		Count: 3, Delay: time.Millisecond})
	s.ls.Inject(lightspeedtest.Fault{Path: "/Item.json", Kind: lightspeedtest.Fault429,
		Count: 4, RetryAfter: 1})
	s.mustRun("tag-scan")

	var items []lightspeedtest.Request
	for _, r := range s.ls.RequestLog() {
		if r.Entity == "Item" {
			items = append(items, r)
		}
	}
	var statuses []int
	for _, r := range items[:8] {
		statuses = append(statuses, r.Status)
	}
	want := []int{200, 200, 200, 429, 429, 429, 429, 200}
	if !slices.Equal(statuses, want) {
		t.Errorf("first item reads answered %v, want %v", statuses, want)
	}
	for i := 4; i < 8; i++ {
		if gap := items[i].At.Sub(items[i-1].At); gap < time.Second {
			t.Errorf("read %d went %v after a 429 with Retry-After 1", i+1, gap)
		}
	}
	refused := 0
	for _, r := range items {
		if r.Status != 200 {
			refused++
		}
	}
	if refused != 4 {
		t.Errorf("%d item reads refused, want the 4 of the storm", refused)
	}
	if r := lastRun(t, st, "tag-scan"); r.Outcome != "ok" {
		t.Errorf("run recorded outcome %q, want ok", r.Outcome)
	}
	checkMarked(t, st, cat)
}

// checkInStoreOnce checks that every tagged standalone item of the
// emulator is in the web store exactly once.
func checkInStoreOnce(t *testing.T, s *sandbox) {
	t.Helper()
	seen := map[string]int{}
	for _, p := range s.wc.Products() {
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
			t.Errorf("tagged item %s is in the store %d times", it.CustomSKU,
				seen[it.CustomSKU])
		}
	}
	if tagged < 100 {
		t.Fatalf("only %d tagged standalone items", tagged)
	}
}
