package woocommerce

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrInsecureURL is returned by New for a plain http:// store URL whose
	// host is not loopback: the consumer secret would travel in clear text.
	ErrInsecureURL = errors.New("store url must use https: plain http " +
		"would send the consumer secret in clear text " +
		"(http is allowed only for loopback hosts)")

	// ErrConsumerKeyMissing means WooCommerce did not see the consumer key
	// although the client sent it as Basic credentials: a web server or
	// proxy in front of WordPress probably strips the Authorization header.
	ErrConsumerKeyMissing = errors.New("woocommerce did not receive the " +
		"consumer key: the host probably strips the Authorization header; " +
		"switch to query-string authentication (consumer_key and " +
		"consumer_secret parameters)")

	// ErrUncertain is matched by an *UncertainError: a request that creates
	// something may or may not have been applied.
	ErrUncertain = errors.New("outcome of create unknown")
)

// HTTPError is an answer that is not a WooCommerce JSON body, such as the
// HTML page of a firewall or a proxy, or an empty or truncated body.
type HTTPError struct {
	Status      int
	ContentType string
	// Snippet is the start of the body, with white space collapsed.
	Snippet string
}

// Error says what kind of body came back, with its status and start.
func (e *HTTPError) Error() string {
	what := "a body that is not JSON"
	switch {
	case e.IsHTML():
		what = "an HTML page"
	case e.Snippet == "":
		what = "an empty body"
	}
	msg := fmt.Sprintf("woocommerce answered with %s (HTTP %d", what, e.Status)
	if e.ContentType != "" {
		msg += ", " + e.ContentType
	}
	msg += ")"
	if e.Snippet != "" {
		msg += ": " + e.Snippet
	}
	return msg
}

// IsHTML reports whether the answer was an HTML page.
func (e *HTTPError) IsHTML() bool {
	if strings.Contains(strings.ToLower(e.ContentType), "html") {
		return true
	}
	return strings.HasPrefix(e.Snippet, "<")
}

// UncertainError reports that a request which creates something may or may
// not have been applied: it timed out, the connection was cut, or the
// server answered 429 or 5xx after it may have saved some items. The client
// does not repeat such a request; the caller looks the products up by SKU
// and adopts those that exist.
type UncertainError struct {
	// Creates is how many create operations the request carried.
	Creates int
	// Err is what went wrong with the request.
	Err error
}

// Error says how many creates are in doubt and why.
func (e *UncertainError) Error() string {
	return fmt.Sprintf("outcome of %d creates unknown, look them up "+
		"before creating again: %v", e.Creates, e.Err)
}

// Unwrap returns the transport or HTTP error.
func (e *UncertainError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUncertain) true.
func (e *UncertainError) Is(target error) bool { return target == ErrUncertain }

// errorBody is the JSON shape of a WooCommerce error.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Data    struct {
		Status     int             `json:"status"`
		ResourceID json.RawMessage `json:"resource_id"`
	} `json:"data"`
}

// toError converts an error body; status is used when the body has none.
func (b *errorBody) toError(status int) *Error {
	e := &Error{Code: b.Code, Message: b.Message, Status: b.Data.Status}
	if e.Status == 0 {
		e.Status = status
	}
	e.ResourceID = parseID(b.Data.ResourceID)
	return e
}

// parseID reads an id sent as a number or as a numeric string.
func parseID(raw json.RawMessage) int64 {
	if len(raw) == 0 {
		return 0
	}
	var n int64
	if json.Unmarshal(raw, &n) == nil {
		return n
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if json.Unmarshal([]byte(s), &n) == nil {
			return n
		}
	}
	return 0
}

// keyMissing tells whether a 401 means the credentials never reached
// WooCommerce, as opposed to credentials that were seen and refused.
func keyMissing(e *Error) bool {
	msg := strings.ToLower(e.Message)
	if strings.Contains(msg, "consumer key is missing") {
		return true
	}
	// A request WooCommerce considers anonymous is refused with a
	// capability error; with Basic credentials sent, they were dropped.
	return e.Code == "rest_not_logged_in" ||
		strings.HasPrefix(e.Code, "woocommerce_rest_cannot_")
}

// snippet returns the start of a body with white space collapsed.
func snippet(body []byte) string {
	const max = 160
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "..."
	}
	return s
}
