package lightspeedtest

import (
	"bufio"
	"net"
	"net/http"
	"slices"
	"time"
)

// maxLogged bounds the request log, so a sandbox left running for days
// does not grow without end. Requests past it are counted, not logged.
const maxLogged = 200_000

// Request is one request as the emulator saw it: when it arrived, by the
// emulator's clock, what it read and how it was answered.
type Request struct {
	At     time.Time
	Entity string // as in Requests: "Item", "ItemShop", "token", "image", ...
	Status int    // 0 when the connection was cut without an answer
}

// API reports whether the request reached the rate-limited API, as
// opposed to the token endpoint or image bytes, which are not paced.
func (r Request) API() bool {
	return r.Entity != "token" && r.Entity != "image"
}

// statusWriter remembers the status of an answer. It passes Hijack on,
// so the cut-connection fault still works through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader implements http.ResponseWriter.
func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Hijack implements http.Hijacker when the underlying writer does.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	return hj.Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequest adds r to the request log.
func (s *Server) logRequest(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) >= maxLogged {
		s.unlogged++
		return
	}
	s.log = append(s.log, r)
}

// RequestLog returns the requests since the emulator started or its
// statistics were last reset, in order of arrival. It holds at most the
// first 200,000; Stats reports how many more there were.
func (s *Server) RequestLog() []Request {
	s.mu.Lock()
	out := slices.Clone(s.log)
	s.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Request) int { return a.At.Compare(b.At) })
	return out
}

// ResetStats clears the request counters, the request log, the highest
// bucket level and the image count, so a measurement can start afresh.
// The buckets themselves are left as they are.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
	s.log, s.unlogged = nil, 0
	s.maxLvl = 0
	s.images = 0
}

// Rate summarises the paced API requests of a request log.
type Rate struct {
	// Total counts the API requests; Limited those answered 429.
	Total   int
	Limited int
	// MaxInWindow is the most API requests that arrived within any span
	// of the window length.
	MaxInWindow int
	// PerWindow counts the API requests in consecutive windows from the
	// first one: PerWindow[0] those in [first, first+window).
	PerWindow []int
}

// RateOf summarises the API requests of log, which must be in order of
// arrival, over windows of length window (such as a minute).
func RateOf(log []Request, window time.Duration) Rate {
	var r Rate
	var api []time.Time
	for _, req := range log {
		if !req.API() {
			continue
		}
		api = append(api, req.At)
		if req.Status == http.StatusTooManyRequests {
			r.Limited++
		}
	}
	r.Total = len(api)
	if len(api) == 0 {
		return r
	}

	// A window that holds the most requests can be taken to end at one of
	// them, so sliding the start over the sorted times finds it.
	first := 0
	for i, at := range api {
		for !api[first].After(at.Add(-window)) {
			first++
		}
		r.MaxInWindow = max(r.MaxInWindow, i-first+1)

		k := int(at.Sub(api[0]) / window)
		for len(r.PerWindow) <= k {
			r.PerWindow = append(r.PerWindow, 0)
		}
		r.PerWindow[k]++
	}
	return r
}
