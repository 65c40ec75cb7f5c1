package cli

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/lock"
	"github.com/storesync/storesync/internal/state"
)

// gate holds the first Lightspeed API request it sees until it is opened,
// so that a run can be caught in the middle.
type gate struct {
	next     http.Handler
	once     sync.Once
	entered  chan struct{} // closed when the first request arrives
	open     chan struct{} // closed to let it through
	requests atomic.Int32
}

func newGate(next http.Handler) *gate {
	return &gate{next: next, entered: make(chan struct{}), open: make(chan struct{})}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/API/") {
		g.requests.Add(1)
		first := false
		g.once.Do(func() { first = true })
		if first {
			close(g.entered)
			<-g.open
		}
	}
	g.next.ServeHTTP(w, r)
}

// gateLightspeed points the sandbox's configuration at a gate in front of
// its Lightspeed emulator.
func (s *sandbox) gateLightspeed() *gate {
	s.t.Helper()
	conf, err := os.ReadFile(s.config)
	if err != nil {
		s.t.Fatal(err)
	}
	m := regexp.MustCompile(`base_url = "([^"]+)"`).FindSubmatch(conf)
	if m == nil {
		s.t.Fatalf("no Lightspeed base_url in\n%s", conf)
	}
	g := newGate(s.ls)
	srv := httptest.NewServer(g)
	s.t.Cleanup(srv.Close)
	s.t.Cleanup(func() {
		select {
		case <-g.open:
		default:
			close(g.open)
		}
	})
	conf = []byte(strings.ReplaceAll(string(conf), string(m[1]), srv.URL))
	if err := os.WriteFile(s.config, conf, 0o600); err != nil {
		s.t.Fatal(err)
	}
	return g
}

// Case overlap: the same job started twice at once; one runs, the other
// exits 75 at once.
func TestCaseOverlap(t *testing.T) {
	s := newSandbox(t)
	g := s.gateLightspeed()

	// The first sync stops at its first Lightspeed request, holding the
	// lock of the sync job.
	first := make(chan error, 1)
	go func() {
		_, _, err := s.run("sync")
		first <- err
	}()
	select {
	case <-g.entered:
	case err := <-first:
		t.Fatalf("the first sync ended before reaching Lightspeed: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the first sync never reached Lightspeed")
	}
	web := s.wc.TotalRequests()

	// A second sync meanwhile is refused at once, and asks nothing of
	// either API.
	start := time.Now()
	_, logs, err := s.run("sync")
	took := time.Since(start)
	if !errors.Is(err, lock.ErrLocked) || exitcode.Code(err) != exitcode.Locked {
		t.Fatalf("second sync: %v (exit %d), want the lock held (exit 75)",
			err, exitcode.Code(err))
	}
	if took > 2*time.Second {
		t.Errorf("second sync took %v to give up, want at once", took)
	}
	if n := g.requests.Load(); n != 1 {
		t.Errorf("Lightspeed saw %d requests during the overlap, want only the first's", n)
	}
	if n := s.wc.TotalRequests() - web; n != 0 {
		t.Errorf("the refused sync made %d web-store requests", n)
	}
	if !strings.Contains(logs, "another run holds the lock") {
		t.Errorf("the refused sync did not say why:\n%s", logs)
	}

	// Another job is not held up by the sync's lock.
	s.mustRun("tag-scan")

	// The first sync finishes normally once let through.
	close(g.open)
	select {
	case err := <-first:
		if err != nil || exitcode.Code(err) != exitcode.OK {
			t.Errorf("first sync: %v (exit %d), want exit 0", err, exitcode.Code(err))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the first sync did not finish")
	}

	// With the lock released, the next sync runs. The refused one left no
	// run behind.
	s.mustRun("sync")
	st, err := state.Open(context.Background(), filepath.Join(s.dir, "storesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var runs, ok int
	err = st.DB.QueryRow(`SELECT count(*), count(*) FILTER (WHERE outcome = 'ok')
		FROM runs WHERE job = 'sync'`).Scan(&runs, &ok)
	if err != nil {
		t.Fatal(err)
	}
	if runs != 2 || ok != 2 {
		t.Errorf("state file records %d sync runs, %d ok; want 2 and 2", runs, ok)
	}
}
