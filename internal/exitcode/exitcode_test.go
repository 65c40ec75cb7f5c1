package exitcode_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/lock"
)

type codedError struct{ code int }

func (e codedError) Error() string { return "coded" }
func (e codedError) ExitCode() int { return e.code }

func TestCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitcode.OK},
		{"plain", errors.New("boom"), exitcode.Failed},
		{"usage", exitcode.Usage(errors.New("bad flag")), exitcode.BadUsage},
		{"usagef", exitcode.Usagef("bad %s", "flag"), exitcode.BadUsage},
		{
			"wrapped usage",
			fmt.Errorf("load config: %w", exitcode.Usagef("bad")),
			exitcode.BadUsage,
		},
		{"partial", exitcode.ErrPartial, exitcode.Partial},
		{
			"wrapped partial",
			fmt.Errorf("sync: 3 of 10 products: %w", exitcode.ErrPartial),
			exitcode.Partial,
		},
		{
			"locked",
			fmt.Errorf("lock /tmp/x: %w", lock.ErrLocked),
			exitcode.Locked,
		},
		{"canceled", context.Canceled, exitcode.Interrupted},
		{
			"canceled wins over partial",
			errors.Join(exitcode.ErrPartial, context.Canceled),
			exitcode.Interrupted,
		},
		{"deadline", context.DeadlineExceeded, exitcode.Failed},
		{"coder", fmt.Errorf("x: %w", codedError{42}), 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitcode.Code(tt.err); got != tt.want {
				t.Errorf("Code(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	if exitcode.Usage(nil) != nil {
		t.Error("Usage(nil) is not nil")
	}

	inner := errors.New("inner")
	err := exitcode.Usagef("outer: %w", inner)
	if !errors.Is(err, inner) {
		t.Errorf("Usagef does not wrap %v", inner)
	}
	if err.Error() != "outer: inner" {
		t.Errorf("message = %q", err.Error())
	}
	var ue *exitcode.UsageError
	if !errors.As(err, &ue) {
		t.Error("Usagef does not return a *UsageError")
	}
}

func TestHelpListsEveryCode(t *testing.T) {
	codes := []int{
		exitcode.OK, exitcode.Failed, exitcode.BadUsage,
		exitcode.Partial, exitcode.Locked, exitcode.Interrupted,
	}
	for _, c := range codes {
		if !strings.Contains(exitcode.Help, "\n  "+strconv.Itoa(c)+" ") {
			t.Errorf("Help does not list %d", c)
		}
	}
}
