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
	"github.com/storesync/storesync/internal/jobs"
	"github.com/storesync/storesync/internal/seed"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/tokens"
	"github.com/storesync/storesync/pkg/lightspeed"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
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

// process is one simulated storesync process: its own connection to the
// state file, its own budget Pacer and its own Lightspeed client.
type process struct {
	st  *state.Store
	env *jobs.Env
}

func newProcess(t *testing.T, path, lsURL string, clock *simClock,
	opts budget.Options) *process {
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
	return &process{st: st, env: &jobs.Env{LS: ls, State: st, Log: zerolog.Nop(),
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
			var ps []*process
			for i := range procs {
				ps = append(ps, newProcess(t, path, srv.URL, clock, budget.Options{
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
			len(got), len(want), head(got), head(want))
	}
}

func head(ids []int64) string {
	return strings.Trim(fmt.Sprint(ids[:min(len(ids), 5)]), "[]")
}
