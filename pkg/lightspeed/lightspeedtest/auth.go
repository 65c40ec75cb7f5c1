package lightspeedtest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// tokenPath is where tokens are issued and refreshed.
const tokenPath = "/auth/oauth/token"

// refreshIdle is how long a refresh token lives unused.
const refreshIdle = 30 * 24 * time.Hour

// refreshPerMinute bounds the refreshes of one refresh token a minute.
const refreshPerMinute = 5

// codeTTL is how long an authorisation code can be exchanged.
const codeTTL = 60 * time.Second

type accessToken struct {
	parent string // the refresh token that was traded for it
	expiry time.Time
	used   bool
}

type refreshToken struct {
	issued   time.Time
	revoked  bool
	attempts []time.Time
}

type authState struct {
	access  map[string]*accessToken
	refresh map[string]*refreshToken
	codes   map[string]time.Time
}

func (a *authState) init() {
	a.access = map[string]*accessToken{}
	a.refresh = map[string]*refreshToken{}
	a.codes = map[string]time.Time{}
}

func randomToken(prefix string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// IssueTokens returns a valid starting pair, as if the merchant had just
// authorised the app.
func (s *Server) IssueTokens() (access, refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issuePair("")
}

// IssueCode returns an authorisation code, valid for 60 seconds, that the
// token endpoint trades for a pair.
func (s *Server) IssueCode() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	code := randomToken("code-")
	s.auth.codes[code] = s.now().Add(codeTTL)
	return code
}

// issuePair creates a pair; parent is the refresh token traded for it.
// The caller holds s.mu.
func (s *Server) issuePair(parent string) (access, refresh string) {
	now := s.now()
	access = randomToken("at-")
	refresh = randomToken("rt-")
	s.auth.access[access] = &accessToken{parent: parent,
		expiry: now.Add(s.opts.AccessTTL)}
	s.auth.refresh[refresh] = &refreshToken{issued: now}
	return access, refresh
}

// oauthError sends the documented OAuth error body.
func oauthError(w http.ResponseWriter, status int, code, desc, hint string) {
	writeJSON(w, status, map[string]string{
		"error": code, "error_description": desc, "hint": hint,
	})
}

// serveToken is POST /auth/oauth/token.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request",
			"The request method must be POST.", "")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request",
			"The request body could not be read.", err.Error())
		return
	}
	f := r.PostForm

	s.mu.Lock()
	access, refresh, ok := s.grant(w, f.Get("grant_type"), f)
	lost := ok && s.takeFault(r.URL.Path, FaultLostRefresh) != nil
	s.mu.Unlock()
	if !ok {
		return
	}
	if lost {
		// The pair is issued and remembered, but the answer never
		// arrives.
		cut(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":    "Bearer",
		"expires_in":    int(s.opts.AccessTTL / time.Second),
		"access_token":  access,
		"refresh_token": refresh,
	})
}

// grant checks a token request and issues a pair, or writes the error.
// The caller holds s.mu.
func (s *Server) grant(w http.ResponseWriter, grantType string,
	f map[string][]string) (access, refresh string, ok bool) {
	get := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if get("client_id") == "" || grantType == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request",
			"The request is missing a required parameter.",
			"Check the `client_id` and `grant_type` parameters")
		return "", "", false
	}
	if get("client_id") != s.opts.ClientID ||
		get("client_secret") != s.opts.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client",
			"Client authentication failed", "")
		return "", "", false
	}
	now := s.now()
	switch grantType {
	case "authorization_code":
		exp, found := s.auth.codes[get("code")]
		delete(s.auth.codes, get("code"))
		if !found || now.After(exp) {
			oauthError(w, http.StatusBadRequest, "invalid_grant",
				"The authorization code is invalid or expired.",
				"Authorization code has expired")
			return "", "", false
		}
		access, refresh = s.issuePair("")
		return access, refresh, true
	case "refresh_token":
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type",
			"The authorization grant type is not supported.", "")
		return "", "", false
	}

	old := get("refresh_token")
	rt := s.auth.refresh[old]
	switch {
	case rt == nil || rt.revoked:
		oauthError(w, http.StatusBadRequest, "invalid_grant",
			"The refresh token is invalid.", "Token has been revoked")
		return "", "", false
	case now.Sub(rt.issued) > refreshIdle:
		oauthError(w, http.StatusBadRequest, "invalid_grant",
			"The refresh token is invalid.", "Token has expired")
		return "", "", false
	}
	recent := rt.attempts[:0]
	for _, t := range rt.attempts {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	rt.attempts = recent
	if len(rt.attempts) >= refreshPerMinute {
		oauthError(w, http.StatusTooManyRequests, "too_many_requests",
			"Too many refresh attempts.", "Retry in a minute")
		return "", "", false
	}
	rt.attempts = append(rt.attempts, now)
	access, refresh = s.issuePair(old)
	return access, refresh, true
}

// authorize checks the bearer token of an API request and returns the
// OAuth client it belongs to, or writes the 401. The first use of an
// access token revokes the refresh token it was traded for. The caller
// holds s.mu.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	tok, found := strings.CutPrefix(h, "Bearer ")
	if !found || tok == "" {
		oauthError(w, http.StatusUnauthorized, "access_denied",
			"The resource owner or authorization server denied the request.",
			`Missing "Authorization" header`)
		return "", false
	}
	at := s.auth.access[strings.TrimSpace(tok)]
	if at == nil || !s.now().Before(at.expiry) {
		oauthError(w, http.StatusUnauthorized, "access_denied",
			"The resource owner or authorization server denied the request.",
			"Access token could not be verified")
		return "", false
	}
	if !at.used {
		at.used = true
		if rt := s.auth.refresh[at.parent]; rt != nil {
			rt.revoked = true
		}
	}
	return s.opts.ClientID, true
}
