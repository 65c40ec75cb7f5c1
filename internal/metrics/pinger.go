package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/rs/zerolog"
)

// Limits of one ping: each attempt may take pingTimeout, and a failed
// attempt is tried again pingRetries times.
const (
	pingTimeout = 10 * time.Second
	pingRetries = 2
)

// Pinger reports the start and the end of a run to a healthchecks.io-style
// URL: <url>/start when the run starts, <url> when it succeeds and
// <url>/<exit status> when it does not. A Pinger made from an empty URL
// does nothing, and so does a nil *Pinger.
//
// Pings never fail a run: a ping that cannot be delivered after its retries
// is logged at warn level and dropped.
type Pinger struct {
	base *url.URL
	hc   *http.Client
	log  zerolog.Logger

	// timeout bounds one attempt; newBackOff paces the retries. Tests
	// shorten both.
	timeout    time.Duration
	newBackOff func() backoff.BackOff
}

// NewPinger returns a Pinger for rawURL, sending with hc
// (http.DefaultClient when nil) and logging to log. An empty URL gives a
// Pinger that does nothing; so does a URL that is not http or https, after
// a warning.
func NewPinger(rawURL string, hc *http.Client, log zerolog.Logger) *Pinger {
	p := &Pinger{hc: hc, log: log, timeout: pingTimeout, newBackOff: pingBackOff}
	if p.hc == nil {
		p.hc = http.DefaultClient
	}
	rawURL = strings.TrimSpace(rawURL)
	if rawURL == "" {
		return p
	}

	// The URL holds the check's key, so neither it nor the parse error,
	// which quotes it, goes to the log.
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		log.Warn().Msg("healthcheck url is not an http or https url; not pinging")
		return p
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	p.base = u
	return p
}

// pingBackOff waits about a second, then two, between attempts.
func pingBackOff() backoff.BackOff {
	return backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(time.Second),
		backoff.WithMaxInterval(4*time.Second),
		backoff.WithMaxElapsedTime(0),
	)
}

// Start reports that a run has started. It gives up when ctx ends.
func (p *Pinger) Start(ctx context.Context) {
	p.ping(ctx, "start", "start")
}

// Finish reports how a run ended: code is the status storesync exits with.
// It pings even when ctx has been cancelled, since an interrupted run is
// worth reporting; its own timeouts bound how long that takes. A run skipped
// because another run held the lock should not call it: the running one
// will report.
func (p *Pinger) Finish(ctx context.Context, code int) {
	suffix := ""
	if code != 0 {
		suffix = strconv.Itoa(code)
	}
	p.ping(context.WithoutCancel(ctx), "finish", suffix)
}

// ping sends one report, retrying, and logs when it cannot.
func (p *Pinger) ping(ctx context.Context, kind, suffix string) {
	if p == nil || p.base == nil {
		return
	}
	u := *p.base
	if suffix != "" {
		u.Path += "/" + suffix
		if u.RawPath != "" {
			u.RawPath += "/" + suffix
		}
	}

	attempt := 0
	op := func() error {
		attempt++
		return p.send(ctx, u.String())
	}
	notify := func(err error, delay time.Duration) {
		p.log.Debug().Err(err).Str("ping", kind).Int("attempt", attempt).
			Dur("delay", delay).Msg("retrying healthcheck ping")
	}
	b := backoff.WithContext(backoff.WithMaxRetries(p.newBackOff(), pingRetries), ctx)
	if err := backoff.RetryNotify(op, b, notify); err != nil {
		p.log.Warn().Err(err).Str("ping", kind).Int("attempt", attempt).
			Msg("healthcheck ping failed")
	}
}

// send makes one attempt. Errors worth no retry are permanent.
func (p *Pinger) send(ctx context.Context, target string) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return backoff.Permanent(fmt.Errorf("build ping request: %w", stripURL(err)))
	}
	req.Header.Set("User-Agent", "storesync")
	resp, err := p.hc.Do(req)
	if err != nil {
		return fmt.Errorf("send ping: %w", stripURL(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))

	switch code := resp.StatusCode; {
	case code < 300:
		return nil
	case code >= 500, code == http.StatusTooManyRequests,
		code == http.StatusRequestTimeout:
		return fmt.Errorf("send ping: status %d", code)
	default:
		return backoff.Permanent(fmt.Errorf("send ping: status %d", code))
	}
}

// stripURL drops the URL that net/http quotes in its errors, since it holds
// the check's key.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
