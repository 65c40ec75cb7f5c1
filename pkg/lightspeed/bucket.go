package lightspeed

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// bucket is the client's estimate of the API's leaky bucket for this
// account and app, and of its one-second burst window.
type bucket struct {
	mu       sync.Mutex
	known    bool
	level    float64 // drips in the bucket at time at
	size     float64
	drip     float64 // drips leaked per second
	at       time.Time
	burstCap int         // requests allowed per second; 0 = unknown
	sent     []time.Time // send times inside the last second
	// fullUntil is when the server's burst window, last seen full, has
	// surely rolled over.
	fullUntil time.Time
}

// pace waits until the bucket can take a request of cost without coming
// within Reserve drips of its size, and until the burst window has room;
// then it asks the caller's Pacer. The Pacer comes last so that the
// request it records goes out at once: were the bucket's wait after it,
// the Pacer would count the request up to a minute before it is sent.
func (c *Client) pace(ctx context.Context, endpoint string,
	cost float64) error {
	d := c.bucket.reserve(cost, c.cfg.Reserve, c.cfg.Now(), false)
	if err := c.wait(ctx, endpoint, d); err != nil {
		return err
	}

	if c.cfg.Pacer != nil {
		if err := c.cfg.Pacer.Wait(ctx, endpoint); err != nil {
			return fmt.Errorf("wait for budget: %w", err)
		}
	}

	// Only another request of this client, booked meanwhile, can make
	// this second wait longer than nothing.
	d = c.bucket.reserve(cost, c.cfg.Reserve, c.cfg.Now(), true)
	return c.wait(ctx, endpoint, d)
}

// wait sleeps d, if positive, for the bucket.
func (c *Client) wait(ctx context.Context, endpoint string,
	d time.Duration) error {
	if d <= 0 {
		return nil
	}
	c.log.Debug().Str("endpoint", endpoint).Dur("delay", d).
		Msg("waiting for lightspeed bucket")
	return c.cfg.Sleep(ctx, d)
}

// reserve returns how long to wait before sending a request of cost at
// now. When book is true the request is also counted at once, so
// concurrent callers queue behind each other instead of all seeing room.
func (b *bucket) reserve(cost, reserve float64, now time.Time,
	book bool) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()

	var d time.Duration
	if b.known {
		drip := b.drip
		if drip <= 0 {
			drip = 1
		}
		level := b.level - drip*now.Sub(b.at).Seconds()
		level = max(level, 0) + cost
		if book {
			b.level, b.at = level, now
		}
		// A bucket smaller than reserve plus cost still takes one
		// request when empty.
		limit := max(b.size-reserve, cost)
		if level > limit {
			d = time.Duration((level - limit) / drip * float64(time.Second))
		}
	}

	// The burst window as the server last reported it, which counts the
	// requests of every process sharing the account.
	if wait := b.fullUntil.Sub(now); wait > d {
		d = wait
	}

	// This client's own sends in the second before the request.
	sendAt := now.Add(d)
	keep := b.sent[:0]
	for _, t := range b.sent {
		if sendAt.Sub(t) < time.Second {
			keep = append(keep, t)
		}
	}
	b.sent = keep
	if b.burstCap > 0 && len(b.sent) >= b.burstCap {
		oldest := b.sent[len(b.sent)-b.burstCap]
		if extra := oldest.Add(time.Second).Sub(sendAt); extra > 0 {
			d += extra
			sendAt = sendAt.Add(extra)
		}
	}
	if book {
		b.sent = append(b.sent, sendAt)
	}
	return d
}

// update takes the bucket state from the headers of an answer. Header
// names are matched case-insensitively by http.Header.
func (b *bucket) update(h http.Header, now time.Time) RequestInfo {
	var info RequestInfo
	info.Cost, _ = strconv.ParseFloat(h.Get("X-LS-API-Request-Cost"), 64)
	level, size, okLevel := fraction(h.Get("X-LS-API-Bucket-Level"))
	drip, errDrip := strconv.ParseFloat(
		strings.TrimSpace(h.Get("X-LS-API-Drip-Rate")), 64)
	inWindow, burst, okBurst := fraction(h.Get("X-LS-API-Burst-Level"))

	b.mu.Lock()
	defer b.mu.Unlock()
	if okLevel && size > 0 {
		b.known = true
		b.level, b.size, b.at = level, size, now
	}
	if errDrip == nil && drip > 0 {
		b.drip = drip
	}
	if okBurst && burst > 0 {
		// Keep two requests of headroom: our clock and the server's
		// windows are not aligned, and other processes may each send
		// one more request before they see the window full.
		b.burstCap = max(int(burst)-2, 1)
		// The window is fixed and one second long, so one second from
		// now it has surely rolled over.
		if inWindow >= float64(b.burstCap) {
			b.fullUntil = now.Add(time.Second)
		}
	}
	info.BucketLevel, info.BucketSize, info.DripRate = b.level, b.size, b.drip
	return info
}

// fraction parses "12.5/90".
func fraction(s string) (num, den float64, ok bool) {
	a, c, found := strings.Cut(strings.TrimSpace(s), "/")
	if !found {
		return 0, 0, false
	}
	num, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	den, err2 := strconv.ParseFloat(strings.TrimSpace(c), 64)
	return num, den, err1 == nil && err2 == nil
}

// retryAfter reads Retry-After in seconds or as an HTTP date, which is
// compared with now; one second when absent or unreadable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return time.Second
}
