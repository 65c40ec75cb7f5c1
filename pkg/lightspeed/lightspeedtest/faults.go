package lightspeedtest

import (
	"net/http"
	"strings"
	"time"
)

// FaultKind is a way for a request to go wrong.
type FaultKind int

// The faults Inject can arrange.
const (
	// Fault429 answers 429 with Retry-After, as a rate limit would.
	Fault429 FaultKind = iota + 1
	// Fault500 answers 500 with a documented JSON error body.
	Fault500
	// Fault503 answers 503, as during maintenance.
	Fault503
	// FaultSlow waits Fault.Delay (2 s by default) and then answers
	// normally, or gives up when the client goes away first.
	FaultSlow
	// FaultCut closes the connection without an answer.
	FaultCut
	// FaultMalformed answers 200 with the JSON cut in half.
	FaultMalformed
	// FaultHTML answers 503 with an HTML error page.
	FaultHTML
	// FaultLostRefresh lets the token endpoint issue a new pair and then
	// closes the connection, so the caller never sees it.
	FaultLostRefresh
)

var faultNames = map[string]FaultKind{
	"429": Fault429, "500": Fault500, "503": Fault503, "slow": FaultSlow,
	"cut": FaultCut, "malformed": FaultMalformed, "html": FaultHTML,
	"lost-refresh": FaultLostRefresh,
}

// ParseFaultKind reads a kind by its control API name: 429, 500, 503,
// slow, cut, malformed, html or lost-refresh.
func ParseFaultKind(name string) (FaultKind, bool) {
	k, ok := faultNames[strings.ToLower(name)]
	return k, ok
}

// Fault makes the next Count matching requests go wrong.
type Fault struct {
	// Path selects requests whose path contains it. "" selects every API
	// request (not the token endpoint nor images); FaultLostRefresh
	// always applies to the token endpoint.
	Path string
	Kind FaultKind
	// Count is how many requests it hits; 0 means 1, below 0 forever
	// (until ClearFaults).
	Count int
	// RetryAfter is the Retry-After of a Fault429, in seconds; 1 by
	// default. 0 can be asked for with a negative value.
	RetryAfter int
	// Delay is how long FaultSlow waits.
	Delay time.Duration
}

// Inject queues f. Faults apply in the order injected.
func (s *Server) Inject(f Fault) {
	if f.Count == 0 {
		f.Count = 1
	}
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// takeFault returns and uses up the first fault of kind (any kind but
// FaultLostRefresh when kind is 0) that matches path. The caller holds
// s.mu.
func (s *Server) takeFault(path string, kind FaultKind) *Fault {
	for i, f := range s.faults {
		lost := f.Kind == FaultLostRefresh
		if (kind == 0 && lost) || (kind != 0 && f.Kind != kind) {
			continue
		}
		switch {
		case lost && path != tokenPath:
			continue
		case !lost && f.Path == "" && !strings.HasPrefix(path, "/API/"):
			continue
		case !lost && !strings.Contains(path, f.Path):
			continue
		}
		taken := *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return &taken
	}
	return nil
}

// fault plays the first matching fault, if any, and reports whether it
// answered the request.
func (s *Server) fault(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	f := s.takeFault(r.URL.Path, 0)
	if f != nil && f.Kind != FaultSlow && f.Kind != FaultMalformed &&
		f.Kind != FaultCut {
		s.peek(w, s.opts.ClientID)
	}
	s.mu.Unlock()
	if f == nil {
		return false
	}

	switch f.Kind {
	case Fault429:
		wait := f.RetryAfter
		if wait == 0 {
			wait = 1
		}
		tooMany(w, "api-leaky-bucket", max(wait, 0),
			"Rate Limit Exceeded: Please decrease your request volume.")
	case Fault500:
		writeAPIError(w, http.StatusInternalServerError,
			"Internal Server Error", "An unexpected error occurred.",
			"Exception")
	case Fault503:
		w.Header().Set("Retry-After", "1")
		writeAPIError(w, http.StatusServiceUnavailable,
			"Service Unavailable", "The service is temporarily unavailable.",
			"Exception")
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(htmlErrorPage))
	case FaultCut:
		cut(w)
	case FaultSlow:
		d := f.Delay
		if d <= 0 {
			d = 2 * time.Second
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return true
		case <-t.C:
		}
		return false
	case FaultMalformed:
		rec := &truncating{ResponseWriter: w}
		s.route(rec, r)
		rec.flush()
	}
	return true
}

const htmlErrorPage = `<!DOCTYPE html>
<html><head><title>503 Service Temporarily Unavailable</title></head>
<body><center><h1>503 Service Temporarily Unavailable</h1></center>
<hr><center>nginx</center></body></html>
`

// cut closes the connection without an answer.
func cut(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// truncating buffers an answer and sends the first half of its body.
type truncating struct {
	http.ResponseWriter
	status int
	body   []byte
}

// WriteHeader implements http.ResponseWriter.
func (t *truncating) WriteHeader(status int) { t.status = status }

// Write implements http.ResponseWriter.
func (t *truncating) Write(b []byte) (int, error) {
	t.body = append(t.body, b...)
	return len(b), nil
}

func (t *truncating) flush() {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	half := t.body[:len(t.body)/2]
	t.ResponseWriter.Header().Del("Content-Length")
	t.ResponseWriter.WriteHeader(t.status)
	_, _ = t.ResponseWriter.Write(half)
}
