package lightspeedtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. Zero values take the defaults noted.
type Options struct {
	AccountID    int64  // 1 by default
	AccountName  string // "Sandbox Shop" by default
	ClientID     string // "sandbox-client" by default
	ClientSecret string // "sandbox-secret" by default

	BucketSize float64 // 90 by default
	DripRate   float64 // drips per second; 1 by default
	BurstLimit int     // requests per one-second window; 20 by default

	Clock     func() time.Time // time.Now by default
	AccessTTL time.Duration    // one hour by default

	// BaseURL prefixes next links and image URLs, such as
	// "http://127.0.0.1:8080". By default it is taken from each request.
	BaseURL string
}

// Server is an emulated Lightspeed account. It implements http.Handler
// and is safe for concurrent use.
type Server struct {
	opts Options

	mu            sync.Mutex
	shops         map[int64]*shopRec
	categories    map[int64]*categoryRec
	manufacturers map[int64]*manufacturerRec
	attrSets      map[int64]*attrSetRec
	matrices      map[int64]*matrixRec
	items         map[int64]*itemRec
	tagIDs        map[string]int64
	tagNames      map[int64]string
	levels        []string

	lastItemID, lastStockID, lastImageID, lastTagID int64

	auth     authState
	limits   map[string]*limiter // by OAuth client
	faults   []*Fault
	counts   map[string]int
	log      []Request // see RequestLog
	unlogged int       // requests past the log's bound
	maxLvl   float64
	images   int
	baseURL  string // learned from the last request when Options.BaseURL is ""

	stampIdx map[string]*stampIndex // timeStamp order of each entity's records
}

// NewServer returns an emulator with an empty catalog.
func NewServer(opts Options) *Server {
	if opts.AccountID == 0 {
		opts.AccountID = 1
	}
	if opts.AccountName == "" {
		opts.AccountName = "Sandbox Shop"
	}
	if opts.ClientID == "" {
		opts.ClientID = "sandbox-client"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "sandbox-secret"
	}
	if opts.BucketSize <= 0 {
		opts.BucketSize = 90
	}
	if opts.DripRate <= 0 {
		opts.DripRate = 1
	}
	if opts.BurstLimit <= 0 {
		opts.BurstLimit = 20
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.AccessTTL <= 0 {
		opts.AccessTTL = time.Hour
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	s := &Server{opts: opts, limits: map[string]*limiter{},
		counts: map[string]int{}}
	s.auth.init()
	s.resetCatalog()
	return s
}

// now is the emulator's clock in UTC.
func (s *Server) now() time.Time {
	return s.opts.Clock().UTC()
}

// stamp is the clock at the one-second resolution of API timestamps.
func (s *Server) stamp() time.Time {
	return s.now().Truncate(time.Second)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.HasPrefix(path, "/_sandbox/") {
		s.serveControl(w, r)
		return
	}
	s.learnBase(r)
	// The Date header follows the emulator's clock, as timeStamps do.
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	entity := entityOf(path)
	s.count(entity)
	logged := Request{At: s.now(), Entity: entity}
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		logged.Status = sw.status
		s.logRequest(logged)
	}()
	if s.fault(sw, r) {
		return
	}
	s.route(sw, r)
}

func (s *Server) learnBase(r *http.Request) {
	if s.opts.BaseURL != "" {
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	s.mu.Lock()
	s.baseURL = scheme + "://" + r.Host
	s.mu.Unlock()
}

// base is the URL prefix of links. The caller holds s.mu.
func (s *Server) base() string {
	if s.opts.BaseURL != "" {
		return s.opts.BaseURL
	}
	return s.baseURL
}

// entityOf names what a path reads, for the request counters.
func entityOf(path string) string {
	switch {
	case path == tokenPath:
		return "token"
	case strings.HasPrefix(path, "/images/"):
		return "image"
	case path == "/API/V3/Account.json":
		return "Account"
	}
	rest, ok := strings.CutPrefix(path, "/API/V3/Account/")
	if !ok {
		return "other"
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 2 {
		return "other"
	}
	return strings.TrimSuffix(parts[1], ".json")
}

func (s *Server) count(entity string) {
	s.mu.Lock()
	s.counts[entity]++
	s.counts["total"]++
	s.mu.Unlock()
}

// Requests returns how many requests reached the emulator, by entity
// ("Item", "ItemShop", "token", "image", ...) and in all ("total").
// Control API calls are not counted.
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// MaxBucketLevel is the highest bucket level any request has reached.
func (s *Server) MaxBucketLevel() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxLvl
}

// ImageDownloads counts the image bytes served.
func (s *Server) ImageDownloads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.images
}

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeAPIError sends the documented REST error body, all values strings.
func writeAPIError(w http.ResponseWriter, status int, httpMessage,
	message, class string) {
	writeJSON(w, status, map[string]string{
		"httpCode":    strconv.Itoa(status),
		"httpMessage": httpMessage,
		"message":     message,
		"errorClass":  class,
	})
}

func badRequest(w http.ResponseWriter, message string) {
	writeAPIError(w, http.StatusBadRequest, "Bad Request", message,
		"Exception")
}

func itoa(n int64) string {
	return strconv.FormatInt(n, 10)
}

// fmtFloat writes a level or cost with at most three decimals.
func fmtFloat(f float64) string {
	return strconv.FormatFloat(float64(int64(f*1000+0.5))/1000, 'f', -1, 64)
}
