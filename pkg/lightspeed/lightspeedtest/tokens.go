package lightspeedtest

import (
	"context"
	"sync"

	"github.com/storesync/storesync/pkg/lightspeed"
)

// MemTokens is an in-memory lightspeed.TokenStore for tests. It
// serialises refreshes like a real store must.
type MemTokens struct {
	mu        sync.Mutex
	tok       lightspeed.Token
	refreshes int
}

var _ lightspeed.TokenStore = (*MemTokens)(nil)

// NewMemTokens returns a store holding the given pair.
func NewMemTokens(access, refresh string) *MemTokens {
	return &MemTokens{tok: lightspeed.Token{Access: access, Refresh: refresh}}
}

// Token implements lightspeed.TokenStore.
func (m *MemTokens) Token(context.Context) (lightspeed.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tok, nil
}

// Refresh implements lightspeed.TokenStore.
func (m *MemTokens) Refresh(_ context.Context, stale lightspeed.Token,
	fn func(lightspeed.Token) (lightspeed.Token, error)) (lightspeed.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok.Access != stale.Access {
		return m.tok, nil
	}
	tok, err := fn(m.tok)
	if err != nil {
		return lightspeed.Token{}, err
	}
	m.tok = tok
	m.refreshes++
	return tok, nil
}

// Set replaces the stored pair.
func (m *MemTokens) Set(tok lightspeed.Token) {
	m.mu.Lock()
	m.tok = tok
	m.mu.Unlock()
}

// Refreshes counts the refreshes that went through fn.
func (m *MemTokens) Refreshes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refreshes
}
