package lightspeed

import (
	"context"
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
}

// pace waits until the bucket can take a request of cost without coming
// within Reserve drips of its size, and until the burst window has room.
func (c *Client) pace(ctx context.Context, endpoint string,
	cost float64) error {
	d := c.bucket.reserve(cost, c.cfg.Reserve, time.Now())
	if d <= 0 {
		return nil
	}
	c.log.Debug().Str("endpoint", endpoint).Dur("delay", d).
		Msg("waiting for lightspeed bucket")
	return c.cfg.Sleep(ctx, d)
}

// reserve books a request of cost at now and returns how long to wait
// before sending it. The booking is counted at once, so concurrent
// callers queue behind each other instead of all seeing room.
func (b *bucket) reserve(cost, reserve float64, now time.Time) time.Duration {
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
		b.level, b.at = level, now
		// A bucket smaller than reserve plus cost still takes one
		// request when empty.
		limit := max(b.size-reserve, cost)
		if level > limit {
			d = time.Duration((level - limit) / drip * float64(time.Second))
		}
	}

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
	b.sent = append(b.sent, sendAt)
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
	_, burst, okBurst := fraction(h.Get("X-LS-API-Burst-Level"))

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
		// windows are not aligned.
		b.burstCap = max(int(burst)-2, 1)
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

// retryAfter reads Retry-After in seconds or as an HTTP date; one second
// when absent or unreadable.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return time.Second
}
