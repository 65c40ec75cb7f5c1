package metrics

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/rs/zerolog"
)

// pingServer is a fake healthchecks endpoint that records the paths it was
// asked for and answers each with status.
type pingServer struct {
	*httptest.Server
	mu     sync.Mutex
	paths  []string
	status int
}

func newPingServer(t *testing.T, status int) *pingServer {
	t.Helper()
	s := &pingServer{status: status}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.Path)
		s.mu.Unlock()
		w.WriteHeader(s.status)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *pingServer) seen() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.paths, " ")
}

// testPinger is NewPinger with retries that do not wait.
func testPinger(url string, log *bytes.Buffer) *Pinger {
	p := NewPinger(url, nil, zerolog.New(log))
	p.newBackOff = func() backoff.BackOff { return &backoff.ZeroBackOff{} }
	return p
}

func TestPingerPaths(t *testing.T) {
	tests := []struct {
		name string
		code int
		want string
	}{
		{"success", 0, "/ping/abc/start /ping/abc"},
		{"failed", 1, "/ping/abc/start /ping/abc/1"},
		{"partial", 3, "/ping/abc/start /ping/abc/3"},
		{"interrupted", 130, "/ping/abc/start /ping/abc/130"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newPingServer(t, http.StatusOK)
			var log bytes.Buffer
			p := testPinger(srv.URL+"/ping/abc/", &log)

			p.Start(context.Background())
			p.Finish(context.Background(), tt.code)
			if got := srv.seen(); got != tt.want {
				t.Errorf("paths = %q, want %q", got, tt.want)
			}
			if log.Len() != 0 {
				t.Errorf("healthy pings logged: %s", log.String())
			}
		})
	}
}

func TestPingerServerErrorIsLoggedOnly(t *testing.T) {
	srv := newPingServer(t, http.StatusInternalServerError)
	var log bytes.Buffer
	p := testPinger(srv.URL, &log)

	p.Finish(context.Background(), 1)
	if got, want := srv.seen(), "/1 /1 /1"; got != want {
		t.Errorf("paths = %q, want %q (one try and two retries)", got, want)
	}
	if !strings.Contains(log.String(), `"level":"warn"`) ||
		!strings.Contains(log.String(), "healthcheck ping failed") {
		t.Errorf("no warning logged: %s", log.String())
	}
	if strings.Contains(log.String(), srv.URL) {
		t.Errorf("the ping URL was logged: %s", log.String())
	}
}

func TestPingerClientErrorIsNotRetried(t *testing.T) {
	srv := newPingServer(t, http.StatusNotFound)
	var log bytes.Buffer
	testPinger(srv.URL+"/x", &log).Start(context.Background())
	if got := srv.seen(); got != "/x/start" {
		t.Errorf("paths = %q, want one try of /x/start", got)
	}
	if !strings.Contains(log.String(), "status 404") {
		t.Errorf("log does not give the status: %s", log.String())
	}
}

func TestPingerUnreachable(t *testing.T) {
	srv := newPingServer(t, http.StatusOK)
	url := srv.URL
	srv.Close()

	var log bytes.Buffer
	p := testPinger(url, &log)
	p.timeout = time.Second
	p.Start(context.Background())
	p.Finish(context.Background(), 0)
	if n := strings.Count(log.String(), "healthcheck ping failed"); n != 2 {
		t.Errorf("%d warnings, want one per ping: %s", n, log.String())
	}
}

func TestPingerFinishAfterCancel(t *testing.T) {
	srv := newPingServer(t, http.StatusOK)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	var log bytes.Buffer
	testPinger(srv.URL, &log).Finish(ctx, 130)
	if got := srv.seen(); got != "/130" {
		t.Errorf("paths = %q, want the interrupted run reported", got)
	}
}

func TestPingerNoURL(t *testing.T) {
	var log bytes.Buffer
	for _, url := range []string{"", "  ", "ftp://example.com/x", "not a url"} {
		p := testPinger(url, &log)
		p.Start(context.Background())
		p.Finish(context.Background(), 1)
	}
	var nilPinger *Pinger
	nilPinger.Start(context.Background())
	nilPinger.Finish(context.Background(), 0)
	if strings.Contains(log.String(), "healthcheck ping failed") {
		t.Errorf("a pinger without a URL tried to ping: %s", log.String())
	}
}

func TestPingerKeepsQuery(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RequestURI()
	}))
	defer srv.Close()

	var log bytes.Buffer
	testPinger(srv.URL+"/key/sync?create=1", &log).Finish(context.Background(), 2)
	if want := "/key/sync/2?create=1"; got != want {
		t.Errorf("request = %q, want %q", got, want)
	}
}
