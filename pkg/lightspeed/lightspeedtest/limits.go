package lightspeedtest

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// limiter is the rate-limit state of one OAuth client: a leaky bucket and
// a fixed one-second burst window.
type limiter struct {
	level  float64
	at     time.Time
	window int64 // the Unix second of the burst window
	burst  int   // requests admitted in that window
}

// admit charges a request of cost to client's bucket and sets the
// rate-limit headers. It writes the 429 and returns false when the
// bucket is already over its size or the burst window is full. The
// caller holds s.mu.
func (s *Server) admit(w http.ResponseWriter, client string,
	cost float64) bool {
	l := s.drain(client)
	h := w.Header()
	h.Set("X-LS-Acct-Id", itoa(s.opts.AccountID))
	h.Set("X-LS-Oauth-Client-Id", client)
	h.Set("X-LS-API-Drip-Rate", fmtFloat(s.opts.DripRate))

	size := s.opts.BucketSize
	switch {
	case l.burst >= s.opts.BurstLimit:
		s.limitHeaders(h, l, 0)
		tooMany(w, "api-burst-limiter", 1,
			"Burst rate limit exceeded. Please slow down.")
		return false
	case l.level > size:
		s.limitHeaders(h, l, 0)
		wait := int(math.Ceil((l.level - size) / s.opts.DripRate))
		tooMany(w, "api-leaky-bucket", max(wait, 1),
			"Rate Limit Exceeded: Please decrease your request volume.")
		return false
	}
	l.level += cost
	l.burst++
	s.maxLvl = max(s.maxLvl, l.level)
	s.limitHeaders(h, l, cost)
	return true
}

// peek sets the rate-limit headers without charging, for answers that
// never reach the bucket (injected faults). The caller holds s.mu.
func (s *Server) peek(w http.ResponseWriter, client string) {
	l := s.drain(client)
	w.Header().Set("X-LS-API-Drip-Rate", fmtFloat(s.opts.DripRate))
	s.limitHeaders(w.Header(), l, 0)
}

// drain leaks the bucket up to now and rolls the burst window.
func (s *Server) drain(client string) *limiter {
	now := s.now()
	l := s.limits[client]
	if l == nil {
		l = &limiter{at: now}
		s.limits[client] = l
	}
	l.level = max(0, l.level-s.opts.DripRate*now.Sub(l.at).Seconds())
	l.at = now
	if sec := now.Unix(); sec != l.window {
		l.window, l.burst = sec, 0
	}
	return l
}

func (s *Server) limitHeaders(h http.Header, l *limiter, cost float64) {
	h.Set("X-LS-API-Bucket-Level",
		fmtFloat(l.level)+"/"+fmtFloat(s.opts.BucketSize))
	h.Set("X-LS-API-Burst-Level",
		strconv.Itoa(l.burst)+"/"+strconv.Itoa(s.opts.BurstLimit))
	h.Set("X-LS-API-Request-Cost", fmtFloat(cost))
}

// tooMany writes a documented 429.
func tooMany(w http.ResponseWriter, kind string, retryAfter int, msg string) {
	w.Header().Set("X-LS-API-RateLimit-Type", kind)
	w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	writeAPIError(w, http.StatusTooManyRequests, "Too Many Requests", msg,
		"RateLimitedException")
}

// BucketLevel is the current level of the default client's bucket.
func (s *Server) BucketLevel() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drain(s.opts.ClientID).level
}
