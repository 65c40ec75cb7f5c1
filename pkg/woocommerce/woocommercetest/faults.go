package woocommercetest

import (
	"net/http"
	"strings"
	"time"
)

// FaultKind names a misbehaviour of the emulated store or of its host.
type FaultKind string

// The faults the emulator can inject.
const (
	// Fault429 answers 429 without doing anything.
	Fault429 FaultKind = "429"
	// Fault500 answers 500 internal_server_error without doing anything.
	Fault500 FaultKind = "500"
	// Fault503 answers 503 without doing anything.
	Fault503 FaultKind = "503"
	// FaultSlow waits Delay, then serves the request normally.
	FaultSlow FaultKind = "slow"
	// FaultTimeout serves the request, then holds the answer for Delay (by
	// default until the client gives up) and answers 504 from the "proxy":
	// the work is done although the client never learns it.
	FaultTimeout FaultKind = "timeout"
	// FaultCut serves the request, then closes the connection without an
	// answer.
	FaultCut FaultKind = "cut"
	// FaultHTML answers an HTML firewall page (Status, 403 by default)
	// without doing anything.
	FaultHTML FaultKind = "html"
	// FaultMalformed serves the request and answers truncated JSON.
	FaultMalformed FaultKind = "malformed"
	// FaultPartialCommit makes a batch save only its first CommitFirst
	// creates and then answer Status (503 by default).
	FaultPartialCommit FaultKind = "partial_commit"
	// FaultImageErrorButSaved makes a create that carries images report
	// woocommerce_product_image_upload_error although the product was
	// saved, as older stores did.
	FaultImageErrorButSaved FaultKind = "image_error_but_saved"
	// FaultStripAuth behaves as if the host dropped the Authorization
	// header: only query-string credentials get through.
	FaultStripAuth FaultKind = "strip_auth"
)

// Fault is a misbehaviour applied to the requests it matches.
type Fault struct {
	// Path is a substring of the request path; "" matches every request.
	Path string
	// Method, when set, restricts the fault to that HTTP method.
	Method string
	Kind   FaultKind
	// Count is how many requests the fault hits: 0 means once, a negative
	// count means every matching request until ClearFaults.
	Count int
	// CommitFirst is how many creates FaultPartialCommit saves.
	CommitFirst int
	// RetryAfter, in seconds, is sent with 429 and 503 answers when set.
	RetryAfter int
	// Delay is the wait of FaultSlow and FaultTimeout.
	Delay time.Duration
	// Status overrides the status of FaultHTML and FaultPartialCommit.
	Status int
}

func (f *Fault) matches(r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	return strings.Contains(r.URL.Path, f.Path)
}

// Inject adds a fault; faults are tried in the order they were added.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Count == 0 {
		f.Count = 1
	}
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns a copy of the first fault matching r and uses it up.
func (s *Server) takeFault(r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if !f.matches(r) {
			continue
		}
		hit := *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return &hit
	}
	return nil
}

const firewallPage = `<!DOCTYPE html>
<html><head><title>403 Forbidden</title></head>
<body><h1>Access denied</h1>
<p>This request was blocked by the security rules of this site.</p>
</body></html>
`

const gatewayTimeoutPage = `<html><head><title>504 Gateway Time-out</title>
</head><body><center><h1>504 Gateway Time-out</h1></center></body></html>
`

// refuse answers the faults that stop a request before WordPress runs. It
// reports whether it answered.
func (s *Server) refuse(w http.ResponseWriter, f *Fault) bool {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", itoa(int64(f.RetryAfter)))
	}
	switch f.Kind {
	case Fault429:
		writeError(w, &apiError{Status: http.StatusTooManyRequests,
			Code: "too_many_requests", Message: "Too many requests."})
	case Fault500:
		writeError(w, &apiError{Status: http.StatusInternalServerError,
			Code:    "internal_server_error",
			Message: "There has been a critical error on this website."})
	case Fault503:
		writeError(w, &apiError{Status: http.StatusServiceUnavailable,
			Code:    "service_unavailable",
			Message: "The server is temporarily unable to serve the request."})
	case FaultHTML:
		status := f.Status
		if status == 0 {
			status = http.StatusForbidden
		}
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(firewallPage))
	default:
		return false
	}
	return true
}
