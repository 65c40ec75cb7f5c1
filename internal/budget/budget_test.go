package budget

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storesync/storesync/internal/state"
)

// fakeClock is a shared clock that moves only when someone sleeps.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	return nil
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.slept)
}

func losAngeles(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// openState opens the state file at path; each call is a new connection,
// as another process would have.
func openState(t *testing.T, path string) *state.Store {
	t.Helper()
	st, err := state.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newPacer(t *testing.T, path string, c *fakeClock, opts Options) *Pacer {
	t.Helper()
	if opts.Location == nil {
		opts.Location = losAngeles(t)
	}
	if opts.NightStarts == "" {
		opts.NightStarts, opts.NightEnds = "18:00", "07:00"
	}
	opts.Now, opts.Sleep = c.Now, c.Sleep
	return New(openState(t, path), opts)
}

func TestLimit(t *testing.T) {
	la := losAngeles(t)
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, la)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	tests := []struct {
		name       string
		start, end string
		t          time.Time
		want       int
	}{
		{"midday", "18:00", "07:00", at("2026-07-01 12:00"), 30},
		{"night starts", "18:00", "07:00", at("2026-07-01 18:00"), 130},
		{"evening", "18:00", "07:00", at("2026-07-01 23:30"), 130},
		{"midnight", "18:00", "07:00", at("2026-07-02 00:00"), 130},
		{"before dawn", "18:00", "07:00", at("2026-07-02 06:59"), 130},
		{"night ends", "18:00", "07:00", at("2026-07-02 07:00"), 30},
		{
			"UTC instant in the night of the zone", "18:00", "07:00",
			time.Date(2026, 7, 2, 2, 0, 0, 0, time.UTC), 130,
		},
		{"daylight saving starts", "18:00", "07:00", at("2026-03-08 07:30"), 30},
		{"window within a day", "01:00", "05:00", at("2026-07-01 03:00"), 130},
		{"after window within a day", "01:00", "05:00", at("2026-07-01 06:00"), 30},
		{"before window within a day", "01:00", "05:00", at("2026-07-01 00:30"), 30},
		{"no night", "", "", at("2026-07-01 23:00"), 30},
		{"empty window", "07:00", "07:00", at("2026-07-01 23:00"), 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(nil, Options{
				DayPerMinute: 30, NightPerMinute: 130,
				NightStarts: tt.start, NightEnds: tt.end, Location: la,
			})
			if got := p.Limit(tt.t); got != tt.want {
				t.Errorf("Limit(%v) = %d, want %d", tt.t, got, tt.want)
			}
		})
	}
}

func TestDayAndNightPacing(t *testing.T) {
	la := losAngeles(t)
	tests := []struct {
		name  string
		start time.Time
		want  int
	}{
		{"day", time.Date(2026, 7, 1, 12, 0, 0, 0, la), 30},
		{"night", time.Date(2026, 7, 1, 22, 0, 0, 0, la), 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeClock{now: tt.start}
			p := newPacer(t, filepath.Join(t.TempDir(), "s.db"), c, Options{
				DayPerMinute: 30, NightPerMinute: 130,
			})

			// The limit is spent at once; the next request waits a full
			// minute and the second of slack, because every recorded
			// request is from this instant.
			for i := range tt.want + 1 {
				if err := p.Wait(context.Background(), "Item"); err != nil {
					t.Fatalf("request %d: %v", i+1, err)
				}
				if s := c.Sleeps(); i < tt.want && len(s) > 0 {
					t.Fatalf("request %d slept %v under the limit", i+1, s)
				}
			}
			want := []time.Duration{time.Minute + time.Second}
			if s := c.Sleeps(); !slices.Equal(s, want) {
				t.Errorf("sleeps = %v, want one of a minute and a second", s)
			}
			if p.Spent() != tt.want+1 {
				t.Errorf("Spent = %d, want %d", p.Spent(), tt.want+1)
			}
		})
	}
}

func TestLimitDropsAtDawn(t *testing.T) {
	la := losAngeles(t)
	c := &fakeClock{now: time.Date(2026, 7, 1, 6, 59, 50, 0, la)}
	p := newPacer(t, filepath.Join(t.TempDir(), "s.db"), c, Options{})
	ctx := context.Background()
	for range 130 {
		if err := p.Wait(ctx, "ItemShop"); err != nil {
			t.Fatal(err)
		}
	}

	// At 07:00 the day limit of 30 applies: 101 of the 130 requests made
	// at 06:59:50 must leave the window, which they all do at 07:00:51,
	// the minute and its second of slack after they were made.
	c.Set(time.Date(2026, 7, 1, 7, 0, 0, 0, la))
	if err := p.Wait(ctx, "ItemShop"); err != nil {
		t.Fatal(err)
	}
	if s := c.Sleeps(); !slices.Equal(s, []time.Duration{51 * time.Second}) {
		t.Errorf("sleeps = %v, want one of 51s", s)
	}
}

// TestSharedAcrossProcesses runs three Pacers over separate connections to
// one state file at once and checks that no 60-second window holds more
// requests than the limit.
func TestSharedAcrossProcesses(t *testing.T) {
	const (
		pacers = 3
		each   = 50
		limit  = 30
	)
	path := filepath.Join(t.TempDir(), "s.db")
	la := losAngeles(t)
	c := &fakeClock{now: time.Date(2026, 7, 1, 9, 0, 0, 0, la)}

	var mu sync.Mutex
	var grants []time.Time
	var wg sync.WaitGroup
	errs := make(chan error, pacers)
	for i := range pacers {
		p := newPacer(t, path, c, Options{DayPerMinute: limit, Job: "sync"})
		wg.Go(func() {
			for range each {
				at, err := p.wait(context.Background(), []string{"Item", "ItemShop"}[i%2])
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				grants = append(grants, at)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	if len(grants) != pacers*each {
		t.Fatalf("%d requests granted, want %d", len(grants), pacers*each)
	}
	slices.SortFunc(grants, func(a, b time.Time) int { return a.Compare(b) })
	first := 0
	for i, g := range grants {
		for !grants[first].After(g.Add(-window)) {
			first++
		}
		if n := i - first + 1; n > limit {
			t.Fatalf("%d requests in the minute up to %v, limit %d", n, g, limit)
		}
	}
	if span := grants[len(grants)-1].Sub(grants[0]); span < 4*time.Minute {
		t.Errorf("%d requests at %d a minute took only %v", len(grants), limit, span)
	}

	// Rows that left the window were pruned.
	st := openState(t, path)
	var rows int
	err := st.DB.QueryRow(`SELECT COUNT(*) FROM budget_spend`).Scan(&rows)
	if err != nil {
		t.Fatal(err)
	}
	if rows > limit {
		t.Errorf("%d rows left in budget_spend, want at most %d", rows, limit)
	}
}

func TestMaxRequests(t *testing.T) {
	c := &fakeClock{now: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	p := newPacer(t, filepath.Join(t.TempDir(), "s.db"), c, Options{MaxRequests: 3})
	for i := range 3 {
		if err := p.Wait(context.Background(), "Item"); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	err := p.Wait(context.Background(), "Item")
	if !errors.Is(err, ErrExhausted) {
		t.Fatalf("request 4: err = %v, want ErrExhausted", err)
	}
	if p.Spent() != 3 {
		t.Errorf("Spent = %d, want 3", p.Spent())
	}
}

func TestDeadline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	c := &fakeClock{now: time.Date(2026, 7, 1, 12, 0, 0, 0, losAngeles(t))}

	// Another process spent this minute's budget.
	other := newPacer(t, path, c, Options{DayPerMinute: 2})
	for range 2 {
		if err := other.Wait(context.Background(), "Item"); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		want    error
		message string
	}{
		{
			name: "deadline before the budget frees up",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 5*time.Second)
			},
			want:    context.DeadlineExceeded,
			message: "budget wait past the run's deadline",
		},
		{
			name: "deadline passed",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			},
			want: context.DeadlineExceeded,
		},
		{
			name: "canceled",
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			},
			want: context.Canceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPacer(t, path, c, Options{DayPerMinute: 2})
			ctx, cancel := tt.ctx()
			defer cancel()
			err := p.Wait(ctx, "Item")
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not say %q", err, tt.message)
			}
			if s := c.Sleeps(); len(s) != 0 {
				t.Errorf("slept %v past the deadline", s)
			}
		})
	}
}

func TestSleepCanceled(t *testing.T) {
	c := &fakeClock{now: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	st := openState(t, filepath.Join(t.TempDir(), "s.db"))
	ctx, cancel := context.WithCancel(context.Background())
	p := New(st, Options{DayPerMinute: 1, Now: c.Now, Location: time.UTC,
		Sleep: func(ctx context.Context, d time.Duration) error {
			cancel()
			return sleep(ctx, d)
		}})

	if err := p.Wait(ctx, "Item"); err != nil {
		t.Fatal(err)
	}
	err := p.Wait(ctx, "Item")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want Canceled", err)
	}
}

func TestBadNightTimes(t *testing.T) {
	st := openState(t, filepath.Join(t.TempDir(), "s.db"))
	p := New(st, Options{NightStarts: "6pm", NightEnds: "07:00"})
	err := p.Wait(context.Background(), "Item")
	if err == nil || !strings.Contains(err.Error(), "6pm") {
		t.Errorf("err = %v, want one naming the bad time", err)
	}
}

func TestToday(t *testing.T) {
	la := losAngeles(t)
	path := filepath.Join(t.TempDir(), "s.db")

	// 23:30 in Los Angeles is already the next day in UTC.
	c := &fakeClock{now: time.Date(2026, 7, 1, 23, 30, 0, 0, la)}
	p := newPacer(t, path, c, Options{})
	other := newPacer(t, path, c, Options{})
	for _, ep := range []string{"Item", "Item", "ItemShop"} {
		if err := p.Wait(context.Background(), ep); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Wait(context.Background(), "Item"); err != nil {
		t.Fatal(err)
	}

	got, err := p.Today(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got["Item"] != 3 || got["ItemShop"] != 1 || len(got) != 2 {
		t.Errorf("Today = %v, want Item 3 and ItemShop 1", got)
	}
	if p.Spent() != 3 || other.Spent() != 1 {
		t.Errorf("Spent = %d and %d, want 3 and 1", p.Spent(), other.Spent())
	}

	var day string
	err = p.st.DB.QueryRow(`SELECT DISTINCT day FROM budget_daily`).Scan(&day)
	if err != nil {
		t.Fatal(err)
	}
	if day != "2026-07-01" {
		t.Errorf("day = %q, want the day in Los Angeles", day)
	}

	// The next day starts a new count.
	c.Set(time.Date(2026, 7, 2, 0, 30, 0, 0, la))
	if got, _ := p.Today(context.Background()); len(got) != 0 {
		t.Errorf("Today on a new day = %v, want empty", got)
	}
}
