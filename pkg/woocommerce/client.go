package woocommerce

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/rs/zerolog"
)

const (
	apiPath = "/wp-json/wc/v3"

	// MaxBatch is the largest batch WooCommerce accepts by default.
	MaxBatch = 100
	// MaxPerPage is the largest page size of a list request.
	MaxPerPage = 100

	defaultMaxAttempts = 8
	defaultTimeout     = 2 * time.Minute
	maxRetryAfter      = 5 * time.Minute
	maxBodySize        = 64 << 20
)

// Config configures a Client.
type Config struct {
	// BaseURL is the site root, such as "https://shop.example"; the client
	// appends /wp-json/wc/v3.
	BaseURL string
	// Key and Secret are the REST API consumer key and secret.
	Key, Secret string
	// HTTPClient sends the requests; by default one with a 2 minute timeout.
	HTTPClient *http.Client
	// NewBackOff returns the retry policy for one operation; by default
	// exponential from 1 s up to 30 s, giving up after about 2 minutes.
	NewBackOff func() backoff.BackOff
	// MaxAttempts bounds the attempts of one request, and the consecutive
	// failed calls of one batch; default 8.
	MaxAttempts int
	// QueryAuth sends the key and secret as query parameters instead of
	// Basic credentials, for hosts that strip the Authorization header.
	QueryAuth bool
	// Logger receives retries at warn and each request at debug.
	Logger zerolog.Logger
	// OnRequest, when set, is called after every HTTP exchange with the
	// path under /wp-json/wc/v3 and the status (0 when no answer came).
	OnRequest func(method, path string, status int)
	// BatchSize is the most operations sent in one batch call; default and
	// maximum 100.
	BatchSize int
}

// Client talks to one WooCommerce store. It is safe for concurrent use.
type Client struct {
	base        url.URL
	key, secret string
	http        *http.Client
	newBackOff  func() backoff.BackOff
	maxAttempts int
	queryAuth   bool
	log         zerolog.Logger
	onRequest   func(method, path string, status int)
	batchSize   int
}

// New checks the configuration and returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.Key == "" || cfg.Secret == "" {
		return nil, errors.New("check config: consumer key and secret " +
			"are required")
	}
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}

	c := &Client{
		base:        *base,
		key:         cfg.Key,
		secret:      cfg.Secret,
		http:        cfg.HTTPClient,
		newBackOff:  cfg.NewBackOff,
		maxAttempts: cfg.MaxAttempts,
		queryAuth:   cfg.QueryAuth,
		log:         cfg.Logger,
		onRequest:   cfg.OnRequest,
		batchSize:   cfg.BatchSize,
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: defaultTimeout}
	}
	if c.newBackOff == nil {
		c.newBackOff = defaultBackOff
	}
	if c.maxAttempts <= 0 {
		c.maxAttempts = defaultMaxAttempts
	}
	if c.batchSize <= 0 || c.batchSize > MaxBatch {
		c.batchSize = MaxBatch
	}
	return c, nil
}

// parseBaseURL validates the site root and returns the API root.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("parse store url %q: %w", raw, err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("parse store url %q: no host", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("check store url %q: %w", raw,
				ErrInsecureURL)
		}
	default:
		return nil, fmt.Errorf("check store url %q: scheme must be https",
			raw)
	}
	u.Path = strings.TrimRight(u.Path, "/") + apiPath
	u.RawPath = ""
	u.RawQuery = ""
	u.Fragment = ""
	u.User = nil
	return u, nil
}

// isLoopback accepts localhost, 127.0.0.0/8 and ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func defaultBackOff() backoff.BackOff {
	return backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(time.Second),
		backoff.WithMaxInterval(30*time.Second),
		backoff.WithMaxElapsedTime(2*time.Minute),
	)
}
