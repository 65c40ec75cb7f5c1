// Package lock keeps two runs of the same storesync job apart with an
// advisory lock file. The lock is a flock(2) on an open file, so the kernel
// drops it when the holder exits, however it exits: a lock file left behind
// by a killed run never blocks the next one.
package lock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ErrLocked is returned by Acquire when another process holds the lock.
var ErrLocked = errors.New("another storesync run holds the lock")

// pollInterval is how often Wait retries a lock held by someone else.
const pollInterval = 20 * time.Millisecond

// Lock is a held lock. Release it when the work it guards is done.
type Lock struct {
	path string
	f    *os.File
}

// Acquire takes the exclusive lock on path without waiting, creating the
// file private to its owner if needed. When another process (or another
// open of the same file in this process) holds it, the error wraps
// ErrLocked and names path.
func Acquire(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}

	err = flock(f, unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, ErrLocked)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{path: path, f: f}, nil
}

// Wait takes the exclusive lock on path, retrying every few milliseconds
// while someone else holds it, until ctx ends. The error then wraps
// the context's error.
func Wait(ctx context.Context, path string) (*Lock, error) {
	t := time.NewTicker(pollInterval)
	defer t.Stop()

	for {
		l, err := Acquire(path)
		if !errors.Is(err, ErrLocked) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for lock %s: %w", path, ctx.Err())
		case <-t.C:
		}
	}
}

// Path is the lock file.
func (l *Lock) Path() string {
	return l.path
}

// Release drops the lock. The file stays in place: removing it would let a
// process that opened the old file and one that creates a new file both
// believe they hold the lock. Releasing twice is harmless.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil

	err := flock(f, unix.LOCK_UN)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("release lock %s: %w", l.path, err)
	}
	return nil
}

// flock retries the call when a signal interrupts it.
func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
