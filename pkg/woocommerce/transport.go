package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// call is one API request as the retry loop sees it.
type call struct {
	method string
	path   string // under /wp-json/wc/v3, such as "/products/batch"
	query  url.Values
	body   []byte

	// creates marks a request that may create something: it must not be
	// repeated once it may have reached the store.
	creates bool
	// splittable marks a batch of several operations: a 5xx or a timeout
	// is handed back at once so that the caller can split it.
	splittable bool
}

// transient is a failure worth another attempt.
type transient struct {
	err        error
	after      time.Duration // Retry-After, when the server sent one
	status     int           // 0 when no answer came
	uncertain  bool          // the request may have been applied
	splittable bool          // a smaller batch might get through
}

// Error returns the message of the underlying error.
func (t *transient) Error() string { return t.err.Error() }

// splitError asks the batch layer to split the batch it sent.
type splitError struct{ err error }

// Error returns the message of the underlying error.
func (e *splitError) Error() string { return e.err.Error() }

// Unwrap returns the underlying error.
func (e *splitError) Unwrap() error { return e.err }

// retrier holds the back-off state of one operation, which may span several
// calls (the chunks and halves of a batch).
type retrier struct {
	c        *Client
	b        backoff.BackOff
	failures int // consecutive failed attempts
}

func (c *Client) newRetrier() *retrier {
	b := c.newBackOff()
	b.Reset()
	return &retrier{c: c, b: b}
}

// succeeded resets the failure count after a good answer.
func (r *retrier) succeeded(cl call) {
	if r.failures > 0 {
		r.c.log.Info().Str("method", cl.method).Str("path", cl.path).
			Int("attempt", r.failures+1).
			Msg("request succeeded after retries")
	}
	r.failures = 0
	r.b.Reset()
}

// wait sleeps before the next attempt, or returns the error to give up with.
func (r *retrier) wait(ctx context.Context, cl call, t *transient) error {
	r.failures++
	if r.failures >= r.c.maxAttempts {
		return t.err
	}
	delay := r.b.NextBackOff()
	if delay == backoff.Stop {
		return t.err
	}
	if t.after > delay {
		delay = min(t.after, maxRetryAfter)
	}

	r.c.log.Warn().Err(t.err).Str("method", cl.method).Str("path", cl.path).
		Int("status", t.status).Int("attempt", r.failures).
		Dur("delay", delay).Msg("retrying request")
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		// Say what was being retried, or the run's error shows only that
		// its deadline passed.
		return fmt.Errorf("%w while retrying %s %s, last: %w", ctx.Err(),
			cl.method, cl.path, t.err)
	case <-timer.C:
		return nil
	}
}

// do sends cl until it gets an answer, a permanent error, or the retry
// budget of r runs out, and decodes a 2xx answer into out.
func (c *Client) do(ctx context.Context, r *retrier, cl call,
	out any) (http.Header, error) {
	for {
		header, err := c.once(ctx, cl, out)
		t, ok := err.(*transient)
		if !ok {
			if err == nil {
				r.succeeded(cl)
			}
			return header, err
		}
		if cl.creates && t.uncertain {
			return nil, &UncertainError{Err: t.err}
		}
		if err := r.wait(ctx, cl, t); err != nil {
			return nil, err
		}
		if cl.splittable && t.splittable {
			return nil, &splitError{err: t.err}
		}
	}
}

// once makes one HTTP exchange. A failure worth retrying is a *transient.
func (c *Client) once(ctx context.Context, cl call,
	out any) (http.Header, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req, err := c.newRequest(ctx, cl)
	if err != nil {
		return nil, err
	}

	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.report(cl, 0)
		if ctx.Err() != nil {
			return nil, c.interrupted(ctx, cl, err)
		}
		return nil, &transient{
			err:        err,
			uncertain:  !neverSent(err),
			splittable: true,
		}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodySize))
	c.report(cl, resp.StatusCode)
	c.log.Debug().Str("method", cl.method).Str("path", cl.path).
		Int("status", resp.StatusCode).Dur("duration", time.Since(start)).
		Msg("request done")
	if err != nil {
		if ctx.Err() != nil {
			return nil, c.interrupted(ctx, cl, err)
		}
		return nil, &transient{err: fmt.Errorf("read answer: %w", err),
			status: resp.StatusCode, uncertain: true, splittable: true}
	}

	err = c.decode(resp, body, out)
	if _, ok := err.(*transient); !ok && err != nil && cl.creates &&
		resp.StatusCode < 300 {
		// The store said yes in a way that cannot be read.
		return nil, &UncertainError{Err: err}
	}
	return resp.Header, err
}

// interrupted is the error of a request cut short by its context. A create
// may have reached the store before that.
func (c *Client) interrupted(ctx context.Context, cl call, err error) error {
	if cl.creates && !neverSent(err) {
		return &UncertainError{Err: ctx.Err()}
	}
	return ctx.Err()
}

func (c *Client) newRequest(ctx context.Context,
	cl call) (*http.Request, error) {
	u := c.base
	u.Path += cl.path
	q := url.Values{}
	for k, v := range cl.query {
		q[k] = v
	}
	if c.queryAuth {
		q.Set("consumer_key", c.key)
		q.Set("consumer_secret", c.secret)
	}
	u.RawQuery = q.Encode()

	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("build request %s %s: %w", cl.method,
			cl.path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "storesync")
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if !c.queryAuth {
		req.SetBasicAuth(c.key, c.secret)
	}
	return req, nil
}

func (c *Client) report(cl call, status int) {
	if c.onRequest != nil {
		c.onRequest(cl.method, cl.path, status)
	}
}

// decode classifies an answer and decodes a good one into out.
func (c *Client) decode(resp *http.Response, body []byte, out any) error {
	status := resp.StatusCode
	after := retryAfter(resp.Header.Get("Retry-After"))
	if !isJSON(body) {
		herr := &HTTPError{
			Status:      status,
			ContentType: resp.Header.Get("Content-Type"),
			Snippet:     snippet(body),
		}
		// A page from a firewall in front of WordPress (403 and the like)
		// means the request never reached the store.
		pre := status >= 400 && status < 500 && status != 408 &&
			status != 429
		return &transient{err: herr, after: after, status: status,
			uncertain: !pre, splittable: status >= 500}
	}

	if status >= 200 && status < 300 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("decode answer: %w", err)
		}
		return nil
	}

	var eb errorBody
	_ = json.Unmarshal(body, &eb)
	apiErr := eb.toError(status)
	switch {
	case status == 429 || status == 408 || status >= 500:
		return &transient{err: apiErr, after: after, status: status,
			uncertain: true, splittable: status >= 500}
	case status == 401 && !c.queryAuth && keyMissing(apiErr):
		return fmt.Errorf("%w: %w", ErrConsumerKeyMissing, apiErr)
	}
	return apiErr
}

// isJSON tells whether a body is a complete JSON object or array.
func isJSON(body []byte) bool {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return false
	}
	return json.Valid(b)
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// neverSent tells whether a transport error happened before the request
// could reach the server (the connection could not be opened).
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
