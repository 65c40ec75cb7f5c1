package state

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// located names the state file in an error SQLite raised: its own messages,
// such as "database disk image is malformed", do not say which file.
func (s *Store) located(err error) error {
	var se sqlite3.Error
	if err == nil || !errors.As(err, &se) || strings.Contains(err.Error(), s.Path) {
		return err
	}
	return fmt.Errorf("state file %s: %w", s.Path, err)
}
