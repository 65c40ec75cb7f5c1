package woocommercetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

const apiPrefix = "/wp-json/wc/v3"

// Options configures an emulated store.
type Options struct {
	// Key and Secret are the accepted credentials; by default
	// "ck_sandbox" and "cs_sandbox".
	Key, Secret string
	// BatchLimit is the most operations a batch may carry; default 100.
	BatchLimit int
	// ImageFetcher downloads an image src; by default an HTTP GET with a
	// 10 second timeout.
	ImageFetcher func(src string) ([]byte, error)
	// Now is the clock; time.Now by default.
	Now func() time.Time
}

// Server is an emulated WooCommerce store. It implements http.Handler and
// is safe for concurrent use.
type Server struct {
	opts Options

	mu       sync.Mutex
	nextPost int64
	nextTerm int64
	nextMeta int64
	posts    map[int64]*post
	media    map[int64]*mediaItem
	terms    map[int64]*term
	faults   []*Fault

	requests  map[string]int
	total     int
	downloads int
}

// NewServer returns an empty store.
func NewServer(opts Options) *Server {
	if opts.Key == "" {
		opts.Key = "ck_sandbox"
	}
	if opts.Secret == "" {
		opts.Secret = "cs_sandbox"
	}
	if opts.BatchLimit <= 0 {
		opts.BatchLimit = 100
	}
	if opts.ImageFetcher == nil {
		opts.ImageFetcher = httpFetch
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Server{
		opts:     opts,
		nextPost: 100,
		nextTerm: 10,
		nextMeta: 1000,
		posts:    map[int64]*post{},
		media:    map[int64]*mediaItem{},
		terms:    map[int64]*term{},
		requests: map[string]int{},
	}
}

// Credentials returns the consumer key and secret the store accepts.
func (s *Server) Credentials() (key, secret string) {
	return s.opts.Key, s.opts.Secret
}

// apiError is a WooCommerce error answer.
type apiError struct {
	Status  int
	Code    string
	Message string
	Data    map[string]any // more data beside the status
}

func (e *apiError) body() map[string]any {
	data := map[string]any{"status": e.Status}
	for k, v := range e.Data {
		data[k] = v
	}
	return map[string]any{"code": e.Code, "message": e.Message, "data": data}
}

func badRequest(code, msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: msg}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, e.body())
}

// ServeHTTP serves the REST API and the control API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		s.serveControl(w, r)
		return
	}
	s.count(r)

	f := s.takeFault(r)
	if f != nil && s.refuse(w, f) {
		return
	}
	if f != nil && f.Kind == FaultSlow {
		if !sleep(r.Context(), f.Delay) {
			return
		}
	}
	if e := s.authenticate(r, f != nil && f.Kind == FaultStripAuth); e != nil {
		writeError(w, e)
		return
	}
	if f == nil {
		s.route(w, r, nil)
		return
	}

	switch f.Kind {
	case FaultTimeout, FaultCut, FaultMalformed:
		// The store does the work; what reaches the client is broken.
		buf := newBufferWriter()
		s.route(buf, r, f)
		s.breakAnswer(w, r, f, buf)
	default:
		s.route(w, r, f)
	}
}

func (s *Server) breakAnswer(w http.ResponseWriter, r *http.Request,
	f *Fault, buf *bufferWriter) {
	switch f.Kind {
	case FaultCut:
		panic(http.ErrAbortHandler)
	case FaultMalformed:
		body := buf.body.Bytes()
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(buf.status)
		_, _ = w.Write(body[:len(body)/2])
	case FaultTimeout:
		delay := f.Delay
		if delay == 0 {
			delay = time.Minute
		}
		sleep(r.Context(), delay)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusGatewayTimeout)
		_, _ = w.Write([]byte(gatewayTimeoutPage))
	}
}

// sleep waits d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// authenticate checks the credentials: the query string first, then Basic
// credentials unless the host strips the Authorization header.
func (s *Server) authenticate(r *http.Request, stripped bool) *apiError {
	q := r.URL.Query()
	key, secret := q.Get("consumer_key"), q.Get("consumer_secret")
	if key == "" && !stripped {
		key, secret, _ = r.BasicAuth()
	}
	unauthorized := func(msg string) *apiError {
		return &apiError{Status: http.StatusUnauthorized,
			Code: "woocommerce_rest_authentication_error", Message: msg}
	}
	switch {
	case key == "":
		return unauthorized("Consumer key is missing.")
	case key != s.opts.Key:
		return unauthorized("Consumer key is invalid.")
	case secret != s.opts.Secret:
		return unauthorized("Consumer secret is invalid.")
	}
	return nil
}

// route dispatches a request of the REST API.
func (s *Server) route(w http.ResponseWriter, r *http.Request, f *Fault) {
	seg, ok := apiSegments(r.URL.Path)
	if !ok || len(seg) == 0 || seg[0] != "products" {
		s.noRoute(w)
		return
	}
	seg = seg[1:]
	switch {
	case len(seg) == 0:
		s.serveProducts(w, r, f)
	case seg[0] == "batch" && len(seg) == 1:
		s.onlyPost(w, r, func() { s.serveProductBatch(w, r, f) })
	case seg[0] == "categories" || seg[0] == "brands":
		s.serveTerms(w, r, taxonomyOf(seg[0]), seg[1:])
	default:
		id, err := strconv.ParseInt(seg[0], 10, 64)
		if err != nil || id <= 0 {
			s.noRoute(w)
			return
		}
		s.serveProductID(w, r, f, id, seg[1:])
	}
}

func (s *Server) serveProducts(w http.ResponseWriter, r *http.Request,
	f *Fault) {
	switch r.Method {
	case http.MethodGet:
		s.listProducts(w, r)
	case http.MethodPost:
		s.createProduct(w, r, f)
	default:
		s.noRoute(w)
	}
}

func (s *Server) serveProductID(w http.ResponseWriter, r *http.Request,
	f *Fault, id int64, seg []string) {
	if len(seg) == 0 {
		switch r.Method {
		case http.MethodGet:
			s.getProduct(w, id)
		case http.MethodPut, http.MethodPost, http.MethodPatch:
			s.updateProduct(w, r, id)
		case http.MethodDelete:
			s.deleteProduct(w, r, id)
		default:
			s.noRoute(w)
		}
		return
	}
	if seg[0] != "variations" {
		s.noRoute(w)
		return
	}
	seg = seg[1:]
	switch {
	case len(seg) == 0 && r.Method == http.MethodGet:
		s.listVariations(w, r, id)
	case len(seg) == 0 && r.Method == http.MethodPost:
		s.createVariation(w, r, id)
	case len(seg) == 1 && seg[0] == "batch":
		s.onlyPost(w, r, func() { s.serveVariationBatch(w, r, f, id) })
	case len(seg) == 1:
		vid, err := strconv.ParseInt(seg[0], 10, 64)
		if err != nil || vid <= 0 {
			s.noRoute(w)
			return
		}
		s.serveVariationID(w, r, id, vid)
	default:
		s.noRoute(w)
	}
}

func (s *Server) serveVariationID(w http.ResponseWriter, r *http.Request,
	parentID, id int64) {
	switch r.Method {
	case http.MethodGet:
		s.getVariation(w, parentID, id)
	case http.MethodPut, http.MethodPost, http.MethodPatch:
		s.updateVariation(w, r, parentID, id)
	case http.MethodDelete:
		s.deleteVariation(w, r, parentID, id)
	default:
		s.noRoute(w)
	}
}

func (s *Server) onlyPost(w http.ResponseWriter, r *http.Request, fn func()) {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		fn()
	default:
		s.noRoute(w)
	}
}

func (s *Server) noRoute(w http.ResponseWriter) {
	writeError(w, &apiError{Status: http.StatusNotFound, Code: "rest_no_route",
		Message: "No route was found matching the URL and request method."})
}

// apiSegments splits the path under /wp-json/wc/v3.
func apiSegments(path string) ([]string, bool) {
	rest, ok := strings.CutPrefix(path, apiPrefix)
	if !ok {
		return nil, false
	}
	rest = strings.Trim(rest, "/")
	if rest == "" {
		return nil, true
	}
	return strings.Split(rest, "/"), true
}

// routeKind names the route of a request for the counters, with ids
// replaced: "POST /products/{id}/variations/batch".
func routeKind(r *http.Request) string {
	seg, ok := apiSegments(r.URL.Path)
	if !ok {
		return r.Method + " " + r.URL.Path
	}
	names := []string{"{id}", "{vid}"}
	n := 0
	for i, sg := range seg {
		if _, err := strconv.ParseInt(sg, 10, 64); err == nil && n < 2 {
			seg[i] = names[n]
			n++
		}
	}
	return r.Method + " /" + strings.Join(seg, "/")
}

func (s *Server) count(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[routeKind(r)]++
	s.total++
}

// Requests returns how many requests each route received, such as
// "GET /products" or "POST /products/batch".
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		out[k] = v
	}
	return out
}

// TotalRequests returns how many API requests the store received.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// MediaDownloads returns how many images the store downloaded.
func (s *Server) MediaDownloads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloads
}

// ResetCounters zeroes the request and download counters.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = map[string]int{}
	s.total = 0
	s.downloads = 0
}

// paginate checks page and per_page, sets the collection headers for n
// items and returns the bounds of the page.
func paginate(w http.ResponseWriter, r *http.Request,
	n int) (lo, hi int, e *apiError) {
	q := r.URL.Query()
	page, perPage := 1, 10
	if v := q.Get("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 {
			return 0, 0, invalidParams(map[string]string{
				"page": "page must be greater than or equal to 1"})
		}
		page = p
	}
	if v := q.Get("per_page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 100 {
			return 0, 0, invalidParams(map[string]string{
				"per_page": "per_page must be between 1 (inclusive) " +
					"and 100 (inclusive)"})
		}
		perPage = p
	}

	pages := (n + perPage - 1) / perPage
	w.Header().Set("X-WP-Total", strconv.Itoa(n))
	w.Header().Set("X-WP-TotalPages", strconv.Itoa(pages))
	var links []string
	if page > 1 && page <= pages+1 {
		links = append(links, pageLink(r, page-1, "prev"))
	}
	if page < pages {
		links = append(links, pageLink(r, page+1, "next"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}

	lo = min((page-1)*perPage, n)
	return lo, min(lo+perPage, n), nil
}

func pageLink(r *http.Request, page int, rel string) string {
	q := r.URL.Query()
	q.Del("consumer_key")
	q.Del("consumer_secret")
	q.Set("page", strconv.Itoa(page))
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path,
		RawQuery: q.Encode()}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
}

// bufferWriter keeps an answer so that a fault can break it.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferWriter() *bufferWriter {
	return &bufferWriter{header: http.Header{}, status: http.StatusOK}
}

// Header returns the kept header.
func (b *bufferWriter) Header() http.Header { return b.header }

// Write keeps the body.
func (b *bufferWriter) Write(p []byte) (int, error) { return b.body.Write(p) }

// WriteHeader keeps the status.
func (b *bufferWriter) WriteHeader(status int) { b.status = status }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
