package woocommercetest

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/storesync/storesync/pkg/woocommerce"
)

// ProductWithVariations is one entry of GET /_sandbox/products.
type ProductWithVariations struct {
	Product    woocommerce.Product     `json:"product"`
	Variations []woocommerce.Variation `json:"variations"`
}

// Stats is the answer of GET /_sandbox/stats.
type Stats struct {
	Requests       map[string]int `json:"requests"`
	Total          int            `json:"total"`
	MediaDownloads int            `json:"media_downloads"`
	Media          int            `json:"media"`
	Products       int            `json:"products"`
	Variations     int            `json:"variations"`
	Categories     int            `json:"categories"`
	Brands         int            `json:"brands"`
}

// FaultSpec is the JSON body of POST /_sandbox/fault.
type FaultSpec struct {
	Path        string    `json:"path"`
	Method      string    `json:"method"`
	Kind        FaultKind `json:"kind"`
	Count       int       `json:"count"`
	CommitFirst int       `json:"commit_first"`
	RetryAfter  int       `json:"retry_after"`
	DelayMS     int       `json:"delay_ms"`
	Status      int       `json:"status"`
}

// Snapshot returns every product with its variations.
func (s *Server) Snapshot() []ProductWithVariations {
	out := []ProductWithVariations{}
	for _, p := range s.Products() {
		vs := s.Variations(p.ID)
		if vs == nil {
			vs = []woocommerce.Variation{}
		}
		out = append(out, ProductWithVariations{Product: p, Variations: vs})
	}
	return out
}

// Stats returns the counters and the size of the store.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{
		Requests:       map[string]int{},
		Total:          s.total,
		MediaDownloads: s.downloads,
		Media:          len(s.media),
	}
	for k, v := range s.requests {
		st.Requests[k] = v
	}
	for _, p := range s.posts {
		if p.isVariation() {
			st.Variations++
		} else {
			st.Products++
		}
	}
	for _, t := range s.terms {
		if t.Taxonomy == taxBrand {
			st.Brands++
		} else {
			st.Categories++
		}
	}
	return st
}

// serveControl serves the control API under /_sandbox/.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + r.URL.Path
	switch route {
	case "GET /_sandbox/products":
		writeJSON(w, http.StatusOK, s.Snapshot())
	case "GET /_sandbox/stats":
		writeJSON(w, http.StatusOK, s.Stats())
	case "POST /_sandbox/fault":
		var spec FaultSpec
		if err := json.NewDecoder(r.Body).Decode(&spec); err != nil ||
			!knownFault(spec.Kind) {
			writeError(w, badRequest("sandbox_invalid_fault",
				"Send a JSON fault with a known kind."))
			return
		}
		s.Inject(Fault{Path: spec.Path, Method: spec.Method, Kind: spec.Kind,
			Count: spec.Count, CommitFirst: spec.CommitFirst,
			RetryAfter: spec.RetryAfter, Status: spec.Status,
			Delay: time.Duration(spec.DelayMS) * time.Millisecond})
		w.WriteHeader(http.StatusNoContent)
	case "DELETE /_sandbox/fault":
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case "POST /_sandbox/reset":
		s.ResetCounters()
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, &apiError{Status: http.StatusNotFound,
			Code: "rest_no_route", Message: "No such sandbox route."})
	}
}

func knownFault(k FaultKind) bool {
	switch k {
	case Fault429, Fault500, Fault503, FaultSlow, FaultTimeout, FaultCut,
		FaultHTML, FaultMalformed, FaultPartialCommit,
		FaultImageErrorButSaved, FaultStripAuth:
		return true
	}
	return false
}
