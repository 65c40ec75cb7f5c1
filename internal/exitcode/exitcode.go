// Package exitcode decides the status a storesync run exits with. Every
// command returns an error; main passes it to Code, and only main exits.
package exitcode

import (
	"context"
	"errors"
	"fmt"

	"github.com/storesync/storesync/internal/lock"
)

// Exit statuses of storesync.
const (
	// OK means the run did all its work.
	OK = 0
	// Failed means the run failed; nothing after the failure was done.
	Failed = 1
	// BadUsage means the command line or the configuration is wrong.
	BadUsage = 2
	// Partial means the run finished but some products failed; they stay
	// pending and the next run retries them.
	Partial = 3
	// Locked means another run of the same job holds its lock (EX_TEMPFAIL,
	// so cron wrappers treat it as "try again later").
	Locked = 75
	// Interrupted means a signal stopped the run (128 + SIGINT).
	Interrupted = 130
)

// ErrPartial marks a run that finished with some products failed.
var ErrPartial = errors.New("some products failed")

// Help lists the exit statuses, for the long help of the root command.
const Help = `Exit status:
  0    done
  1    the run failed
  2    bad usage or configuration
  3    done in part: some products failed (see "storesync status"), or
       --max-requests or --timeout stopped the run; the next run carries on
  75   another run of the same job holds the lock; try again later
  130  interrupted`

// UsageError is an error the user can fix by changing the command line, the
// environment or the configuration file. It exits with BadUsage.
type UsageError struct {
	Err error
}

// Error returns the message of the wrapped error.
func (e *UsageError) Error() string {
	return e.Err.Error()
}

// Unwrap returns the wrapped error.
func (e *UsageError) Unwrap() error {
	return e.Err
}

// ExitCode returns BadUsage.
func (e *UsageError) ExitCode() int {
	return BadUsage
}

// Usage marks err as a usage error. It returns nil when err is nil.
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return &UsageError{Err: err}
}

// Usagef formats a usage error; %w verbs wrap as in fmt.Errorf.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// Coder is implemented by errors that carry their own exit status. Code
// honours it, so packages that exitcode cannot import can still classify
// their errors.
type Coder interface {
	ExitCode() int
}

// Code maps the error a command returned to the status main exits with:
// nil is OK, an interrupted context is Interrupted, a held lock is Locked,
// a usage error is BadUsage, ErrPartial is Partial and anything else is
// Failed. An interruption wins over what it caused, so a run stopped by a
// signal always exits Interrupted.
func Code(err error) int {
	switch {
	case err == nil:
		return OK
	case errors.Is(err, context.Canceled):
		return Interrupted
	case errors.Is(err, lock.ErrLocked):
		return Locked
	}
	var c Coder
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	if errors.Is(err, ErrPartial) {
		return Partial
	}
	return Failed
}
