// Package budget paces storesync's Lightspeed requests to the retailer's
// own per-minute budget, which is lower by day than by night.
//
// The budget is shared by every storesync process on the host through the
// state file: each request is a row in budget_spend, and a process may add a
// row only while fewer than the current limit were added in the last 61
// seconds: the minute, and a second for the time between recording a
// request and its arrival at Lightspeed, which is not the same for every
// request. Requests are also counted per day and endpoint in budget_daily.
package budget

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/storesync/storesync/internal/config"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/pkg/lightspeed"
)

// Errors returned by Wait.
var (
	// ErrExhausted means the run made as many requests as its MaxRequests.
	ErrExhausted = errors.New("run's Lightspeed request cap reached")
	// ErrPastDeadline means the budget frees up only after the run's
	// deadline. It wraps context.DeadlineExceeded.
	ErrPastDeadline = fmt.Errorf("budget wait past the run's deadline: %w",
		context.DeadlineExceeded)
)

// DayLayout is how budget_daily writes a day, in the budget's time zone.
const DayLayout = time.DateOnly

// window is the span no more than the per-minute limit may arrive in.
const window = time.Minute

// slack keeps a request in the window a second longer than the minute. A
// request arrives at Lightspeed a little after it is recorded here, and
// the later the first request of a minute arrives compared with the last,
// the shorter the minute Lightspeed sees; at_ms is also rounded down to
// the millisecond. Without slack, one request more than the limit was
// seen within 60 seconds on Lightspeed's side.
const slack = time.Second

// Defaults used for zero Options fields.
const (
	DefaultDayPerMinute   = 30
	DefaultNightPerMinute = 130
)

// Options configure a Pacer.
type Options struct {
	// DayPerMinute and NightPerMinute are the requests allowed in any 60
	// seconds, by day and by night. Zero means the default.
	DayPerMinute   int
	NightPerMinute int

	// NightStarts and NightEnds bound the night as HH:MM in Location; the
	// night may span midnight. Empty or equal values mean no night.
	NightStarts string
	NightEnds   string

	// Location decides day and night and the day spend is counted in;
	// time.Local when nil.
	Location *time.Location

	// Job names the job spending, as recorded in budget_spend.
	Job string

	// MaxRequests caps the requests of this Pacer; 0 means no cap.
	MaxRequests int

	// Now and Sleep replace the clock in tests. Sleep must return early
	// with ctx's error when ctx ends.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Pacer is a lightspeed.Pacer drawing on the budget in a state file.
type Pacer struct {
	st    *state.Store
	opts  Options
	pid   int
	night [2]time.Duration // start and end, since midnight
	err   error            // a bad option, returned by every Wait

	mu    sync.Mutex
	spent int
}

var _ lightspeed.Pacer = (*Pacer)(nil)

// New returns a Pacer over the budget tables of st. Bad night times are
// reported by the first Wait.
func New(st *state.Store, opts Options) *Pacer {
	if opts.DayPerMinute <= 0 {
		opts.DayPerMinute = DefaultDayPerMinute
	}
	if opts.NightPerMinute <= 0 {
		opts.NightPerMinute = DefaultNightPerMinute
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}

	p := &Pacer{st: st, opts: opts, pid: os.Getpid()}
	if opts.NightStarts != "" || opts.NightEnds != "" {
		start, err := config.ParseClock(opts.NightStarts)
		end, err2 := config.ParseClock(opts.NightEnds)
		if err = errors.Join(err, err2); err != nil {
			p.err = fmt.Errorf("set up budget: %w", err)
		}
		p.night = [2]time.Duration{start, end}
	}
	return p
}

// Limit returns the requests allowed in the 60 seconds up to t: the night
// limit when t falls in the night window, else the day limit.
func (p *Pacer) Limit(t time.Time) int {
	start, end := p.night[0], p.night[1]
	if start == end {
		return p.opts.DayPerMinute
	}

	// The wall clock, not the time since midnight, which differs on the
	// days daylight saving starts or ends.
	h, m, s := t.In(p.opts.Location).Clock()
	clock := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second

	night := clock >= start && clock < end
	if start > end {
		night = clock >= start || clock < end
	}
	if night {
		return p.opts.NightPerMinute
	}
	return p.opts.DayPerMinute
}

// Wait blocks until the shared budget allows one more request to endpoint
// and records it. It returns ErrExhausted once MaxRequests were made,
// ErrPastDeadline when the budget frees up only after ctx's deadline, and
// ctx's error when ctx ends while waiting.
func (p *Pacer) Wait(ctx context.Context, endpoint string) error {
	_, err := p.wait(ctx, endpoint)
	return err
}

// wait is Wait returning when the request was recorded.
func (p *Pacer) wait(ctx context.Context, endpoint string) (time.Time, error) {
	if p.err != nil {
		return time.Time{}, p.err
	}
	for {
		if err := ctx.Err(); err != nil {
			return time.Time{}, err
		}
		if capped := p.opts.MaxRequests; capped > 0 && p.Spent() >= capped {
			return time.Time{}, fmt.Errorf("spent %d requests: %w", capped, ErrExhausted)
		}

		at, delay, err := p.take(ctx, endpoint)
		if err != nil {
			return time.Time{}, err
		}
		if delay == 0 {
			p.mu.Lock()
			p.spent++
			p.mu.Unlock()
			return at, nil
		}

		if dl, ok := ctx.Deadline(); ok && delay > time.Until(dl) {
			return time.Time{}, ErrPastDeadline
		}
		if err := p.opts.Sleep(ctx, delay); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return time.Time{}, ErrPastDeadline
			}
			return time.Time{}, err
		}
	}
}

// take records one request when the budget allows it now. Otherwise it
// returns how long until enough recorded requests leave the window. Reading
// the clock inside the transaction keeps the rows of all processes in
// commit order.
func (p *Pacer) take(ctx context.Context, endpoint string) (time.Time, time.Duration, error) {
	var at time.Time
	var delay time.Duration
	err := p.st.Tx(ctx, func(tx *sql.Tx) error {
		at = p.opts.Now()
		now := at.UnixMilli()
		since := now - (window + slack).Milliseconds()

		_, err := tx.ExecContext(ctx, `DELETE FROM budget_spend WHERE at_ms <= ?`, since)
		if err != nil {
			return err
		}
		var n int
		err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM budget_spend`).Scan(&n)
		if err != nil {
			return err
		}

		limit := p.Limit(at)
		if n < limit {
			return p.record(ctx, tx, at, endpoint)
		}

		// Enough of the oldest rows must leave the window to bring the
		// count under the limit, which may have just dropped from the
		// night's to the day's.
		var oldest int64
		err = tx.QueryRowContext(ctx,
			`SELECT at_ms FROM budget_spend ORDER BY at_ms LIMIT 1 OFFSET ?`,
			n-limit).Scan(&oldest)
		if err != nil {
			return err
		}
		delay = time.Duration(oldest-since) * time.Millisecond
		// A clock set back leaves rows in the future; never wait longer
		// than the window for them.
		delay = min(max(delay, time.Millisecond), window+slack)
		return nil
	})
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("take budget for %s: %w", endpoint, err)
	}
	return at, delay, nil
}

func (p *Pacer) record(ctx context.Context, tx *sql.Tx, at time.Time, endpoint string) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO budget_spend (at_ms, pid, job) VALUES (?, ?, ?)`,
		at.UnixMilli(), p.pid, p.opts.Job)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO budget_daily (day, endpoint, n) VALUES (?, ?, 1)
		ON CONFLICT (day, endpoint) DO UPDATE SET n = n + 1`,
		p.day(at), endpoint)
	return err
}

func (p *Pacer) day(t time.Time) string {
	return t.In(p.opts.Location).Format(DayLayout)
}

// Spent returns the requests this Pacer recorded.
func (p *Pacer) Spent() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.spent
}

// Today returns the requests every process recorded today, per endpoint.
func (p *Pacer) Today(ctx context.Context) (map[string]int, error) {
	rows, err := p.st.DB.QueryContext(ctx,
		`SELECT endpoint, n FROM budget_daily WHERE day = ?`, p.day(p.opts.Now()))
	if err != nil {
		return nil, fmt.Errorf("read budget spend: %w", err)
	}
	defer rows.Close()

	out := map[string]int{}
	for rows.Next() {
		var endpoint string
		var n int
		if err := rows.Scan(&endpoint, &n); err != nil {
			return nil, fmt.Errorf("read budget spend: %w", err)
		}
		out[endpoint] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read budget spend: %w", err)
	}
	return out, nil
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
