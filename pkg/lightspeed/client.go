package lightspeed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/rs/zerolog"
)

// Defaults of Config.
const (
	DefaultBaseURL     = "https://api.lightspeedapp.com"
	DefaultTokenURL    = "https://cloud.lightspeedapp.com/auth/oauth/token"
	DefaultMaxAttempts = 8
	DefaultReserve     = 5
)

// maxBody bounds how much of an answer is read into memory.
const maxBody = 64 << 20

// Config configures a Client.
type Config struct {
	BaseURL      string // DefaultBaseURL when empty
	TokenURL     string // DefaultTokenURL when empty
	AccountID    string
	ClientID     string
	ClientSecret string
	Tokens       TokenStore   // required
	HTTPClient   *http.Client // http.DefaultClient when nil
	Pacer        Pacer        // the caller's budget, asked before each request

	// NewBackOff builds the retry policy for 5xx answers, timeouts, cut
	// connections and garbled answers. When nil, an exponential backoff
	// that gives up after about two minutes.
	NewBackOff func() backoff.BackOff

	MaxAttempts int     // per request, 429 and 5xx together; default 8
	Reserve     float64 // bucket drips kept free; default 5

	Logger    zerolog.Logger
	OnRequest func(RequestInfo) // called after every HTTP answer

	// Now and Sleep are the clock the client paces by and judges token
	// expiry with. Sleep waits for d or until ctx ends. Tests and
	// simulations may replace them; nil means time.Now and a timer.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client reads a Lightspeed Retail account. It is safe for concurrent use;
// all requests share one view of the rate-limit bucket.
type Client struct {
	cfg Config
	hc  *http.Client
	log zerolog.Logger

	clockMu    sync.Mutex
	serverDate time.Time // the Date header of the last answer
	serverSeen time.Time // when it came, by this host's clock

	mu      sync.Mutex
	tok     Token
	haveTok bool
	bucket  bucket
}

// New checks cfg, fills in defaults and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Tokens == nil {
		return nil, errors.New("new lightspeed client: token store is nil")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if _, err := url.Parse(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("parse base url: %w", err)
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultTokenURL
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Reserve <= 0 {
		cfg.Reserve = DefaultReserve
	}
	if cfg.NewBackOff == nil {
		cfg.NewBackOff = defaultBackOff
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	c := &Client{cfg: cfg, hc: hc, log: cfg.Logger}
	return c, nil
}

// defaultBackOff starts at half a second and gives up after two minutes,
// well inside a five-minute cron interval.
func defaultBackOff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 500 * time.Millisecond
	b.MaxInterval = 30 * time.Second
	b.MaxElapsedTime = 2 * time.Minute
	return b
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// accountURL is the URL of an entity path under the configured account.
func (c *Client) accountURL(path, query string) (string, error) {
	if c.cfg.AccountID == "" {
		return "", ErrNoAccount
	}
	u := c.cfg.BaseURL + "/API/V3/Account/" +
		url.PathEscape(c.cfg.AccountID) + "/" + path
	if query != "" {
		u += "?" + query
	}
	return u, nil
}

// outcome is what one attempt of a request asks the loop to do next.
type outcome int

const (
	done   outcome = iota
	fail           // give up: the error is final
	retry          // back off, then try again
	wait           // sleep the given delay (429), then try again
	reauth         // refresh the token, then try again once
)

// result is the verdict of one attempt.
type result struct {
	next  outcome
	delay time.Duration
	err   error
}

// get reads rawURL and hands the body of the 2xx answer to decode. It
// paces, refreshes the token and retries as described in the package
// documentation. The retry loop is written out rather than handed to
// backoff.Retry because a 429 sleeps what Retry-After says and a 401
// retries once after a refresh, neither of which a BackOff can express.
func (c *Client) get(ctx context.Context, endpoint, rawURL string,
	cost float64, decode func([]byte) error) error {
	b := backoff.WithContext(c.cfg.NewBackOff(), ctx)
	b.Reset()
	refreshed := false
	for attempt := 1; ; attempt++ {
		tok, err := c.token(ctx)
		if err != nil {
			return err
		}

		res := c.attempt(ctx, endpoint, rawURL, cost, tok, decode)
		switch res.next {
		case done:
			if attempt > 1 {
				c.log.Info().Str("endpoint", endpoint).
					Int("attempts", attempt).
					Msg("lightspeed request succeeded after retries")
			}
			return nil
		case fail:
			return res.err
		case reauth:
			if refreshed {
				return res.err
			}
			refreshed = true
			if _, err := c.refresh(ctx, tok); err != nil {
				return err
			}
			continue
		}

		if attempt >= c.cfg.MaxAttempts {
			return fmt.Errorf("give up after %d attempts: %w",
				attempt, res.err)
		}
		delay := res.delay
		if res.next == retry {
			delay = b.NextBackOff()
			if delay == backoff.Stop {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("%w while retrying after %d "+
						"attempts, last: %w", err, attempt, res.err)
				}
				return fmt.Errorf("give up after %d attempts: %w",
					attempt, res.err)
			}
		}
		c.log.Warn().Str("endpoint", endpoint).Int("attempt", attempt).
			Dur("delay", delay).Err(res.err).
			Msg("retrying lightspeed request")
		if err := c.cfg.Sleep(ctx, delay); err != nil {
			// Say what was being retried, or the run's error shows only
			// that its deadline passed.
			return fmt.Errorf("%w while retrying after %d attempts, last: %w",
				err, attempt, res.err)
		}
	}
}

// attempt sends one request and classifies the answer.
func (c *Client) attempt(ctx context.Context, endpoint, rawURL string,
	cost float64, tok Token, decode func([]byte) error) result {
	if err := c.pace(ctx, endpoint, cost); err != nil {
		return result{next: fail, err: err}
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return result{next: fail, err: fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("Authorization", "Bearer "+tok.Access)
	req.Header.Set("Accept", "application/json")

	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return result{next: fail, err: ctx.Err()}
		}
		return result{next: retry, err: fmt.Errorf("get %s: %w", endpoint, err)}
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	c.observe(endpoint, http.MethodGet, resp, time.Since(start))
	return c.classify(ctx, endpoint, resp, body, rerr, decode)
}

// classify turns an answer into the loop's next step.
func (c *Client) classify(ctx context.Context, endpoint string,
	resp *http.Response, body []byte, rerr error,
	decode func([]byte) error) result {
	status := resp.StatusCode
	switch {
	case rerr != nil:
		if ctx.Err() != nil {
			return result{next: fail, err: ctx.Err()}
		}
		return result{next: retry,
			err: fmt.Errorf("read %s answer: %w", endpoint, rerr)}
	case status >= 200 && status < 300:
		if err := decode(body); err != nil {
			return result{next: retry, err: malformedError(body, err)}
		}
		return result{next: done}
	case status == http.StatusTooManyRequests:
		return result{next: wait, delay: retryAfter(resp.Header, c.cfg.Now()),
			err: newAPIError(status, body)}
	case status == http.StatusUnauthorized:
		return result{next: reauth, err: newAPIError(status, body)}
	case status >= 500, status == http.StatusRequestTimeout:
		return result{next: retry, err: newAPIError(status, body)}
	}
	return result{next: fail, err: newAPIError(status, body)}
}

// observe records the rate-limit headers and reports the exchange.
func (c *Client) observe(endpoint, method string, resp *http.Response,
	d time.Duration) {
	info := c.bucket.update(resp.Header, c.cfg.Now())
	if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		c.clockMu.Lock()
		c.serverDate, c.serverSeen = t, c.cfg.Now()
		c.clockMu.Unlock()
	}
	info.Method = method
	info.Endpoint = endpoint
	info.Status = resp.StatusCode
	info.Duration = d
	c.log.Debug().Str("method", method).Str("endpoint", endpoint).
		Int("status", resp.StatusCode).Dur("duration", d).
		Float64("cost", info.Cost).Float64("bucket_level", info.BucketLevel).
		Msg("lightspeed request")
	if c.cfg.OnRequest != nil {
		c.cfg.OnRequest(info)
	}
}

// ServerNow estimates Lightspeed's clock: the Date of the last answer plus
// the time since it came. Before any answer it is this host's clock. Feeds
// use it to move their cursors by the server's time, not the host's.
func (c *Client) ServerNow() time.Time {
	c.clockMu.Lock()
	defer c.clockMu.Unlock()
	if c.serverDate.IsZero() {
		return c.cfg.Now()
	}
	return c.serverDate.Add(c.cfg.Now().Sub(c.serverSeen))
}
