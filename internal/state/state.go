// Package state keeps storesync's memory in one SQLite file: which products
// are Sell on Web, the timeStamps and stock last seen in Lightspeed, what was
// pushed to the web store, cursors, runs, tokens and budget spend.
package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-sqlite3"
	"golang.org/x/sys/unix"
)

// Errors returned when the state file cannot be used.
var (
	ErrNewerSchema = errors.New("state file was written by a newer storesync")
	ErrCorrupt     = errors.New("state file is not a readable SQLite database")
)

// Store is an open state file.
type Store struct {
	DB   *sql.DB
	Path string
}

// Open opens or creates the state file at path, private to its owner, and
// brings its schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := createPrivate(path); err != nil {
		return nil, err
	}

	// WAL lets readers and one writer share the file across processes; the
	// busy timeout makes a second process wait for a write lock instead of
	// failing at once.
	dsn := "file:" + path +
		"?_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on" +
		"&_synchronous=NORMAL&_txlock=immediate"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open state file %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)

	s := &Store{DB: db, Path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the state file.
func (s *Store) Close() error {
	return s.DB.Close()
}

func createPrivate(path string) error {
	// SQLite keeps its write-ahead log and shared-memory index beside the
	// file, so the directory must be writable even to read.
	dir := filepath.Dir(path)
	if err := unix.Access(dir, unix.W_OK); err != nil {
		return fmt.Errorf("open state file %s: directory %s is not writable: %w",
			path, dir, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open state file: %w", err)
	}
	return f.Close()
}

func (s *Store) migrate(ctx context.Context) error {
	var version int
	err := s.DB.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt) {
		return fmt.Errorf("read state file %s: %w: %w", s.Path, ErrCorrupt, err)
	}
	if err != nil {
		return fmt.Errorf("read state file %s: %w", s.Path, err)
	}
	if version > len(migrations) {
		return fmt.Errorf("read state file %s: schema %d, this storesync knows %d: %w",
			s.Path, version, len(migrations), ErrNewerSchema)
	}

	for i := version; i < len(migrations); i++ {
		err := s.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate state file %s to schema %d: %w", s.Path, i+1, err)
		}
	}
	return nil
}

// Tx runs fn in one transaction. Transactions take the write lock when
// they begin (_txlock=immediate), so two processes never interleave a
// read-modify-write. An error SQLite raised names the state file.
func (s *Store) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return s.located(fmt.Errorf("begin state transaction: %w", err))
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return s.located(err)
	}
	if err := tx.Commit(); err != nil {
		return s.located(fmt.Errorf("commit state transaction: %w", err))
	}
	return nil
}

// Now is the time written into the state file: UTC, RFC 3339.
func Now() string {
	return time.Now().UTC().Format(time.RFC3339Nano)
}
