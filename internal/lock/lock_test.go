package lock_test

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
	"testing"
	"time"

	"github.com/storesync/storesync/internal/lock"
)

// helperEnv names the lock file a child test process should hold.
const helperEnv = "STORESYNC_LOCK_TEST_HOLD"

// TestHelperProcess is not a test: run as a child with helperEnv set, it
// takes the lock, says "held" on stdout and keeps the lock until its stdin
// closes or it is killed.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	l, err := lock.Acquire(path)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("held")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = l.Release()
}

// holder is a child process holding a lock.
type holder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

func startHolder(t *testing.T, path string) *holder {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
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
	h := &holder{cmd: cmd, stdin: stdin}
	t.Cleanup(func() {
		_ = h.cmd.Process.Kill()
		_ = h.cmd.Wait()
	})

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "held" {
		t.Fatalf("child did not take the lock: %q, %v", line, err)
	}
	return h
}

func TestAcquireRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sync.lock")

	l, err := lock.Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("lock file mode = %o, want 600", perm)
	}

	// A second open of the file conflicts even inside one process.
	_, err = lock.Acquire(path)
	if !errors.Is(err, lock.ErrLocked) {
		t.Fatalf("second Acquire: err = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}

	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}

	l2, err := lock.Acquire(path)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	if err := l2.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestAcquireMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "x.lock")
	_, err := lock.Acquire(path)
	if err == nil || errors.Is(err, lock.ErrLocked) {
		t.Fatalf("err = %v, want an open error", err)
	}
}

func TestHeldByOtherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sync.lock")
	h := startHolder(t, path)

	_, err := lock.Acquire(path)
	if !errors.Is(err, lock.ErrLocked) {
		t.Fatalf("Acquire while child holds: err = %v, want ErrLocked", err)
	}

	// The child releases when its stdin closes.
	h.stdin.Close()
	if err := h.cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	l, err := lock.Acquire(path)
	if err != nil {
		t.Fatalf("Acquire after child released: %v", err)
	}
	_ = l.Release()
}

func TestKilledHolderDoesNotBlock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sync.lock")
	h := startHolder(t, path)

	if _, err := lock.Acquire(path); !errors.Is(err, lock.ErrLocked) {
		t.Fatalf("Acquire while child holds: err = %v, want ErrLocked", err)
	}

	// A killed process leaves the file behind but not the lock.
	if err := h.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = h.cmd.Wait()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("lock file gone: %v", err)
	}
	l, err := lock.Acquire(path)
	if err != nil {
		t.Fatalf("Acquire after child was killed: %v", err)
	}
	_ = l.Release()
}

func TestWait(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.lock")
	h := startHolder(t, path)

	// Wait gives up when its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := lock.Wait(ctx, path)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait while held: err = %v, want DeadlineExceeded", err)
	}

	// Wait returns once the holder lets go.
	done := make(chan error, 1)
	go func() {
		l, err := lock.Wait(context.Background(), path)
		if err == nil {
			err = l.Release()
		}
		done <- err
	}()
	h.stdin.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Wait after release: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return after the holder released")
	}
}
