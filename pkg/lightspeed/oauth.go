package lightspeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// DefaultAuthBase is where the merchant authorises an app.
const DefaultAuthBase = "https://cloud.lightspeedapp.com/auth/oauth"

// expirySkew refreshes a token this long before it expires, so a request
// does not set out with a token that dies on the way.
const expirySkew = 30 * time.Second

// refreshAttempts bounds how often a lost refresh answer is asked again.
// The API allows five attempts a minute with the same refresh token.
const refreshAttempts = 5

// token returns the access token to send, refreshing it first when it is
// known to have expired.
func (c *Client) token(ctx context.Context) (Token, error) {
	c.mu.Lock()
	tok, have := c.tok, c.haveTok
	c.mu.Unlock()
	if !have {
		var err error
		tok, err = c.cfg.Tokens.Token(ctx)
		if err != nil {
			return Token{}, fmt.Errorf("load token: %w", err)
		}
		c.setToken(tok)
	}
	if !tok.Expiry.IsZero() && c.cfg.Now().Add(expirySkew).After(tok.Expiry) {
		return c.refresh(ctx, tok)
	}
	return tok, nil
}

func (c *Client) setToken(tok Token) {
	c.mu.Lock()
	c.tok, c.haveTok = tok, true
	c.mu.Unlock()
}

// refresh renews stale through the token store, which serialises
// refreshes across processes and saves the new pair before it is used.
func (c *Client) refresh(ctx context.Context, stale Token) (Token, error) {
	tok, err := c.cfg.Tokens.Refresh(ctx, stale, func(cur Token) (Token, error) {
		return c.requestRefresh(ctx, cur)
	})
	if err != nil {
		return Token{}, fmt.Errorf("refresh token: %w", err)
	}
	c.setToken(tok)
	c.log.Debug().Time("expiry", tok.Expiry).Msg("lightspeed token refreshed")
	return tok, nil
}

// requestRefresh asks the token endpoint for a new pair. A lost answer
// (cut connection, 5xx) is asked again with the same refresh token: the
// old one stays valid until the new access token is first used.
func (c *Client) requestRefresh(ctx context.Context, cur Token) (Token, error) {
	if cur.Refresh == "" {
		return Token{}, fmt.Errorf("%w: no refresh token", ErrUnauthorized)
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {cur.Refresh},
		"client_id":     {c.cfg.ClientID},
		"client_secret": {c.cfg.ClientSecret},
	}
	b := backoff.WithContext(c.cfg.NewBackOff(), ctx)
	b.Reset()
	for attempt := 1; ; attempt++ {
		tok, err := c.postToken(ctx, form)
		if err == nil || !retryableToken(err) || attempt >= refreshAttempts {
			return tok, err
		}
		delay := b.NextBackOff()
		if delay == backoff.Stop {
			return Token{}, err
		}
		c.log.Warn().Int("attempt", attempt).Dur("delay", delay).Err(err).
			Msg("retrying token refresh")
		if err := c.cfg.Sleep(ctx, delay); err != nil {
			return Token{}, err
		}
	}
}

// retryableToken reports whether a token request may be sent again.
func retryableToken(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Status >= 500 ||
			apiErr.Status == http.StatusTooManyRequests
	}
	return true
}

func (c *Client) postToken(ctx context.Context, form url.Values) (Token, error) {
	start := time.Now()
	tok, status, err := postToken(ctx, c.hc, c.cfg.TokenURL, form, c.cfg.Now())
	if status != 0 && c.cfg.OnRequest != nil {
		c.cfg.OnRequest(RequestInfo{Method: http.MethodPost,
			Endpoint: "oauth/token", Status: status,
			Duration: time.Since(start)})
	}
	return tok, err
}

// tokenAnswer is the token endpoint's answer.
type tokenAnswer struct {
	AccessToken  string  `json:"access_token"`
	RefreshToken string  `json:"refresh_token"`
	ExpiresIn    flexInt `json:"expires_in"`
	TokenType    string  `json:"token_type"`
}

// postToken sends form, url-encoded and without a scope (the endpoint has
// refused JSON bodies carrying one), and reads the new pair. It also
// returns the HTTP status, 0 when no answer came. The expiry counts from
// now.
func postToken(ctx context.Context, hc *http.Client, tokenURL string,
	form url.Values, now time.Time) (Token, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL,
		strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, 0, fmt.Errorf("build token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return Token{}, 0, fmt.Errorf("post token request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Token{}, resp.StatusCode,
			fmt.Errorf("read token answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return Token{}, resp.StatusCode, newAPIError(resp.StatusCode, body)
	}

	var ans tokenAnswer
	if err := json.Unmarshal(body, &ans); err != nil {
		return Token{}, resp.StatusCode, malformedError(body, err)
	}
	if ans.AccessToken == "" {
		return Token{}, resp.StatusCode,
			malformedError(body, fmt.Errorf("no access token"))
	}
	tok := Token{Access: ans.AccessToken, Refresh: ans.RefreshToken}
	if ans.ExpiresIn > 0 {
		tok.Expiry = now.Add(time.Duration(ans.ExpiresIn) * time.Second)
	}
	return tok, resp.StatusCode, nil
}

// AuthorizeURL is the page where the merchant grants the app access.
// authBase defaults to DefaultAuthBase; scope is space-separated, such as
// "employee:inventory_read"; state is echoed back to the redirect URL.
func AuthorizeURL(authBase, clientID, scope, state string) string {
	if authBase == "" {
		authBase = DefaultAuthBase
	}
	authBase = strings.TrimRight(authBase, "/")
	if !strings.HasSuffix(authBase, "/authorize") {
		authBase += "/authorize"
	}
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {clientID},
		"scope":         {scope},
		"state":         {state},
	}
	return authBase + "?" + q.Encode()
}

// ExchangeCode trades an authorisation code (valid for 60 seconds) for
// the first token pair. hc defaults to http.DefaultClient and tokenURL to
// DefaultTokenURL.
func ExchangeCode(ctx context.Context, hc *http.Client, tokenURL, clientID,
	secret, code string) (Token, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"client_id":     {clientID},
		"client_secret": {secret},
	}
	tok, _, err := postToken(ctx, hc, tokenURL, form, time.Now())
	if err != nil {
		return Token{}, fmt.Errorf("exchange code: %w", err)
	}
	return tok, nil
}
