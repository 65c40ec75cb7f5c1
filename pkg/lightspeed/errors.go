package lightspeed

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Errors a caller can test for with errors.Is. An *APIError matches the
// one that fits its status.
var (
	// ErrUnauthorized means the token was refused and could not be
	// refreshed; the retailer must authorise the app again.
	ErrUnauthorized = errors.New("lightspeed: unauthorized")
	// ErrForbidden means the token lacks the scope or employee right.
	ErrForbidden = errors.New("lightspeed: forbidden")
	// ErrNotFound means the record or the URL does not exist.
	ErrNotFound = errors.New("lightspeed: not found")
	// ErrBadRequest means the API refused the query or payload.
	ErrBadRequest = errors.New("lightspeed: bad request")
	// ErrRateLimited means 429 answers outlasted the attempts allowed.
	ErrRateLimited = errors.New("lightspeed: rate limited")
	// ErrServer means 5xx answers outlasted the retries allowed.
	ErrServer = errors.New("lightspeed: server error")
	// ErrMalformed means a 2xx answer could not be decoded.
	ErrMalformed = errors.New("lightspeed: malformed response")
	// ErrNoAccount means a read needs Config.AccountID and it is empty.
	ErrNoAccount = errors.New("lightspeed: account id not set")
	// ErrPageLoop means a next link pointed back at a page already read.
	ErrPageLoop = errors.New("lightspeed: pagination loops")
)

// APIError is an error answer of the API or of its token endpoint.
type APIError struct {
	Status  int    // HTTP status code
	Message string // the message of the body, or the status text
	Class   string // errorClass, or the OAuth error code such as invalid_grant
	Body    []byte // the body as received
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("lightspeed: ")
	b.WriteString(strconv.Itoa(e.Status))
	if e.Class != "" {
		b.WriteString(" " + e.Class)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Is matches the sentinel that fits the status, so callers can write
// errors.Is(err, ErrNotFound).
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized ||
			e.Class == "invalid_grant" || e.Class == "invalid_client"
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrBadRequest:
		return e.Status == http.StatusBadRequest
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrServer:
		return e.Status >= 500
	}
	return false
}

// errorBody covers both documented error shapes: the REST one and the
// OAuth one. All values may be strings or numbers.
type errorBody struct {
	HTTPCode    flexString `json:"httpCode"`
	HTTPMessage flexString `json:"httpMessage"`
	Message     flexString `json:"message"`
	ErrorClass  flexString `json:"errorClass"`
	Error       flexString `json:"error"`
	Description flexString `json:"error_description"`
	Hint        flexString `json:"hint"`
}

// newAPIError builds an APIError from an answer. The body is parsed as
// JSON whatever its Content-Type, since the API serves JSON errors as
// text/html too; an HTML page leaves the status text as the message.
func newAPIError(status int, body []byte) *APIError {
	e := &APIError{Status: status, Body: body}
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil {
		e.Class = string(eb.ErrorClass)
		e.Message = string(eb.Message)
		if eb.Error != "" {
			e.Class = string(eb.Error)
			e.Message = joinNonEmpty(": ", string(eb.Description),
				string(eb.Hint))
		}
		if e.Message == "" {
			e.Message = string(eb.HTTPMessage)
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

// malformedError reports a 2xx answer that could not be decoded.
func malformedError(body []byte, err error) error {
	return fmt.Errorf("%w: %.40q: %w", ErrMalformed, body, err)
}
