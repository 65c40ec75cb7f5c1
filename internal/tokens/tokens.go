// Package tokens keeps the Lightspeed OAuth token pair in the state file
// and serialises refreshes across storesync processes.
//
// Lightspeed issues a new refresh token on every refresh and revokes the
// old one, so two processes refreshing with the same refresh token would
// break the chain. Refresh therefore runs under an flock shared by every
// process and writes the new pair to the state file before anyone uses it.
package tokens

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/storesync/storesync/internal/lock"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/pkg/lightspeed"
)

// ErrNoToken means storesync was never connected to Lightspeed.
var ErrNoToken = errors.New("not connected to Lightspeed: run storesync auth")

// Store is a lightspeed.TokenStore over the tokens table of a state file.
type Store struct {
	st       *state.Store
	lockPath string
}

var _ lightspeed.TokenStore = (*Store)(nil)

// New returns a token store over st. lockPath is the lock file that
// serialises refreshes; every process sharing st must use the same one.
func New(st *state.Store, lockPath string) *Store {
	return &Store{st: st, lockPath: lockPath}
}

// Token returns the stored pair, or an error wrapping ErrNoToken when
// there is none. Errors name the state file.
func (s *Store) Token(ctx context.Context) (lightspeed.Token, error) {
	var tok lightspeed.Token
	var expiry string
	err := s.st.DB.QueryRowContext(ctx,
		`SELECT access, refresh, expiry FROM tokens WHERE id = 1`,
	).Scan(&tok.Access, &tok.Refresh, &expiry)
	if errors.Is(err, sql.ErrNoRows) {
		return lightspeed.Token{}, fmt.Errorf("read token from %s: %w",
			s.st.Path, ErrNoToken)
	}
	if err != nil {
		return lightspeed.Token{}, fmt.Errorf("read token from %s: %w",
			s.st.Path, err)
	}

	tok.Expiry, err = time.Parse(time.RFC3339, expiry)
	if err != nil {
		return lightspeed.Token{}, fmt.Errorf("read token expiry %q: %w", expiry, err)
	}
	return tok, nil
}

// Refresh renews the pair. Under the refresh lock it re-reads the stored
// pair: when its access token differs from stale.Access another process
// refreshed already and the stored pair is returned. Otherwise fn turns the
// stored pair into a new one, which is saved before Refresh returns it.
// Waiting for the lock ends with ctx.
func (s *Store) Refresh(ctx context.Context, stale lightspeed.Token,
	fn func(lightspeed.Token) (lightspeed.Token, error),
) (lightspeed.Token, error) {
	l, err := lock.Wait(ctx, s.lockPath)
	if err != nil {
		return lightspeed.Token{}, fmt.Errorf("refresh token: %w", err)
	}
	// Unlocking cannot fail in a way the caller could act on.
	defer func() { _ = l.Release() }()

	cur, err := s.Token(ctx)
	if err != nil {
		return lightspeed.Token{}, err
	}
	if cur.Access != stale.Access {
		return cur, nil
	}

	next, err := fn(cur)
	if err != nil {
		return lightspeed.Token{}, fmt.Errorf("refresh token: %w", err)
	}
	// Lightspeed revokes the old refresh token only once the new access
	// token is first used, so when saving fails the stored pair still
	// works and the next run can refresh again.
	if err := s.save(ctx, next); err != nil {
		return lightspeed.Token{}, err
	}
	return next, nil
}

// Save stores tok as the current pair, for "storesync auth". It waits for
// any refresh in progress.
func (s *Store) Save(ctx context.Context, tok lightspeed.Token) error {
	l, err := lock.Wait(ctx, s.lockPath)
	if err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	defer func() { _ = l.Release() }()
	return s.save(ctx, tok)
}

func (s *Store) save(ctx context.Context, tok lightspeed.Token) error {
	if tok.Access == "" || tok.Refresh == "" {
		return errors.New("save token: access or refresh token is empty")
	}
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO tokens (id, access, refresh, expiry, updated_at)
			VALUES (1, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET
				access = excluded.access,
				refresh = excluded.refresh,
				expiry = excluded.expiry,
				updated_at = excluded.updated_at`,
			tok.Access, tok.Refresh, tok.Expiry.UTC().Format(time.RFC3339), state.Now())
		return err
	})
	if err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	return nil
}
