package tokens_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storesync/storesync/internal/lock"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/internal/tokens"
	"github.com/storesync/storesync/pkg/lightspeed"
)

var first = lightspeed.Token{
	Access:  "access-1",
	Refresh: "refresh-1",
	Expiry:  time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC),
}

// open opens the state file in dir and returns a token store over it.
func open(t *testing.T, dir string) *tokens.Store {
	t.Helper()
	st, err := state.Open(context.Background(), filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return tokens.New(st, filepath.Join(dir, "tokens.lock"))
}

func TestNoToken(t *testing.T) {
	s := open(t, t.TempDir())
	_, err := s.Token(context.Background())
	if !errors.Is(err, tokens.ErrNoToken) {
		t.Fatalf("Token on an empty state file: err = %v, want ErrNoToken", err)
	}
	if !strings.Contains(err.Error(), "storesync auth") {
		t.Errorf("error %q does not say how to connect", err)
	}

	_, err = s.Refresh(context.Background(), lightspeed.Token{},
		func(lightspeed.Token) (lightspeed.Token, error) {
			t.Error("fn called without a stored pair")
			return first, nil
		})
	if !errors.Is(err, tokens.ErrNoToken) {
		t.Errorf("Refresh on an empty state file: err = %v, want ErrNoToken", err)
	}
}

func TestSaveToken(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())

	paris := time.FixedZone("CEST", 2*3600)
	tok := first
	tok.Expiry = time.Date(2026, 5, 1, 14, 0, 0, 0, paris)
	if err := s.Save(ctx, tok); err != nil {
		t.Fatal(err)
	}
	got, err := s.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Access != first.Access || got.Refresh != first.Refresh ||
		!got.Expiry.Equal(first.Expiry) || got.Expiry.Location() != time.UTC {
		t.Errorf("Token = %+v, want %+v in UTC", got, first)
	}

	// A second save replaces the pair.
	second := lightspeed.Token{Access: "a2", Refresh: "r2", Expiry: first.Expiry}
	if err := s.Save(ctx, second); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Token(ctx); got.Access != "a2" || got.Refresh != "r2" {
		t.Errorf("Token after second save = %+v", got)
	}

	if err := s.Save(ctx, lightspeed.Token{Access: "a"}); err == nil {
		t.Error("Save accepted a pair without a refresh token")
	}
}

func TestRefresh(t *testing.T) {
	ctx := context.Background()
	renewed := lightspeed.Token{Access: "access-2", Refresh: "refresh-2",
		Expiry: first.Expiry.Add(time.Hour)}
	boom := errors.New("invalid_grant")

	tests := []struct {
		name      string
		stale     lightspeed.Token
		fnErr     error
		want      lightspeed.Token
		wantCalls int
		wantErr   error
	}{
		{"stale is current", first, nil, renewed, 1, nil},
		{"another process refreshed", lightspeed.Token{Access: "old"}, nil, first, 0, nil},
		{"fn fails", first, boom, lightspeed.Token{}, 1, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, t.TempDir())
			if err := s.Save(ctx, first); err != nil {
				t.Fatal(err)
			}

			calls := 0
			fn := func(cur lightspeed.Token) (lightspeed.Token, error) {
				calls++
				if cur.Refresh != first.Refresh {
					t.Errorf("fn got refresh token %q, want %q",
						cur.Refresh, first.Refresh)
				}
				return renewed, tt.fnErr
			}
			got, err := s.Refresh(ctx, tt.stale, fn)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if calls != tt.wantCalls {
				t.Errorf("fn called %d times, want %d", calls, tt.wantCalls)
			}
			if got.Access != tt.want.Access || got.Refresh != tt.want.Refresh {
				t.Errorf("Refresh = %+v, want %+v", got, tt.want)
			}

			// What Refresh returned is what is stored; a failed refresh
			// leaves the old pair.
			stored, _ := s.Token(ctx)
			wantStored := tt.want
			if tt.wantErr != nil {
				wantStored = first
			}
			if stored.Access != wantStored.Access || stored.Refresh != wantStored.Refresh {
				t.Errorf("stored %+v, want %+v", stored, wantStored)
			}
		})
	}
}

func TestRefreshWaitsForLock(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if err := s.Save(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	l, err := lock.Acquire(filepath.Join(dir, "tokens.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Millisecond)
	defer cancel()
	_, err = s.Refresh(ctx, first, func(lightspeed.Token) (lightspeed.Token, error) {
		t.Error("fn called while another process holds the lock")
		return first, nil
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
}

// renew is the refresh every racer uses. It records each call in calls (a
// file, so processes can share it) and is slow enough that the racers
// overlap.
func renew(calls string) func(lightspeed.Token) (lightspeed.Token, error) {
	return func(cur lightspeed.Token) (lightspeed.Token, error) {
		f, err := os.OpenFile(calls, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return lightspeed.Token{}, err
		}
		fmt.Fprintln(f, os.Getpid())
		f.Close()
		time.Sleep(30 * time.Millisecond)
		return lightspeed.Token{
			Access:  fmt.Sprintf("access-%d", os.Getpid()),
			Refresh: "refresh-after-" + cur.Refresh,
			Expiry:  cur.Expiry.Add(time.Hour),
		}, nil
	}
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "\n")
}

func TestRefreshRaceGoroutines(t *testing.T) {
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	setup := open(t, dir)
	if err := setup.Save(context.Background(), first); err != nil {
		t.Fatal(err)
	}

	// Each racer has its own connection to the state file, as separate
	// runs would.
	const racers = 4
	results := make([]lightspeed.Token, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	var start sync.WaitGroup
	start.Add(1)
	for i := range racers {
		s := open(t, dir)
		wg.Go(func() {
			start.Wait()
			results[i], errs[i] = s.Refresh(context.Background(), first, renew(calls))
		})
	}
	start.Done()
	wg.Wait()

	if n := countLines(t, calls); n != 1 {
		t.Errorf("fn called %d times, want 1", n)
	}
	stored, err := setup.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stored.Refresh != "refresh-after-refresh-1" {
		t.Errorf("stored refresh token %q", stored.Refresh)
	}
	for i := range racers {
		if errs[i] != nil {
			t.Errorf("racer %d: %v", i, errs[i])
		}
		if results[i] != stored {
			t.Errorf("racer %d ended with %+v, stored is %+v", i, results[i], stored)
		}
	}
}

// helperEnv names the directory a child test process refreshes in.
const helperEnv = "STORESYNC_TOKENS_TEST_DIR"

// TestHelperProcess is not a test: run as a child with helperEnv set, it
// waits for a line on stdin, refreshes the stale first pair and prints the
// access and refresh tokens it ends with.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	s := open(t, dir)
	fmt.Println("ready")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')

	tok, err := s.Refresh(context.Background(), first, renew(filepath.Join(dir, "calls")))
	if err != nil {
		fmt.Println("error", err)
		return
	}
	fmt.Println("token", tok.Access, tok.Refresh)
}

type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

func startChild(t *testing.T, dir string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	c := &child{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	if line, err := c.out.ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("child did not start: %q, %v", line, err)
	}
	return c
}

func TestRefreshRaceProcesses(t *testing.T) {
	dir := t.TempDir()
	setup := open(t, dir)
	if err := setup.Save(context.Background(), first); err != nil {
		t.Fatal(err)
	}

	children := []*child{startChild(t, dir), startChild(t, dir)}
	var inProcess atomic.Value
	self := open(t, dir)

	// Release every racer at once: both children and this process.
	for _, c := range children {
		fmt.Fprintln(c.stdin, "go")
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		tok, err := self.Refresh(context.Background(), first,
			renew(filepath.Join(dir, "calls")))
		if err != nil {
			inProcess.Store("error " + err.Error())
			return
		}
		inProcess.Store("token " + tok.Access + " " + tok.Refresh)
	})

	var lines []string
	for i, c := range children {
		line, err := c.out.ReadString('\n')
		if err != nil {
			t.Fatalf("child %d: %v", i, err)
		}
		lines = append(lines, strings.TrimSpace(line))
	}
	wg.Wait()
	lines = append(lines, inProcess.Load().(string))

	if n := countLines(t, filepath.Join(dir, "calls")); n != 1 {
		t.Errorf("fn called %d times across processes, want 1", n)
	}
	stored, err := setup.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := "token " + stored.Access + " " + stored.Refresh
	for i, line := range lines {
		if line != want {
			t.Errorf("racer %d ended with %q, stored pair is %q", i, line, want)
		}
	}
}
