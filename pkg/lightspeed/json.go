package lightspeed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The API sends most scalars as strings ("12", "true"), some as real JSON
// numbers, and an empty value as "". The flex types accept all of them.

// flexInt is an integer sent as a number, a string or "".
type flexInt int64

// flexFloat is a decimal sent as a number, a string or "".
type flexFloat float64

// flexBool is a boolean sent as true, "true", "1" or "".
type flexBool bool

// flexString is text that may arrive as a number or a boolean.
type flexString string

// flexTime is a timestamp in ISO-8601 with an offset, or in the older
// "YYYY-MM-DD HH:MM:SS" form (UTC).
type flexTime time.Time

// timeLayouts are the timestamp forms accepted, most common first.
var timeLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05-0700",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// scalarText returns the text of a JSON scalar. Null, "", {} and [] give
// "" because the API uses all of them for "nothing".
func scalarText(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if isEmptyJSON(b) {
		return "", nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", fmt.Errorf("decode string: %w", err)
		}
		return strings.TrimSpace(s), nil
	case '{', '[':
		return "", fmt.Errorf("decode scalar: got %.20s", b)
	}
	return string(b), nil
}

// isEmptyJSON reports whether b is one of the API's ways to say "none".
func isEmptyJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return true
	}
	switch string(b) {
	case "null", `""`, "false":
		return true
	}
	if (b[0] == '{' || b[0] == '[') && len(b) >= 2 {
		inner := bytes.TrimSpace(b[1 : len(b)-1])
		return len(inner) == 0
	}
	return false
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil || s == "" || s == "false" {
		*n = 0
		return err
	}
	if s == "true" {
		*n = 1
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return fmt.Errorf("parse integer %q: %w", s, err)
		}
		v = int64(f)
	}
	*n = flexInt(v)
	return nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil || s == "" {
		*f = 0
		return err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("parse number %q: %w", s, err)
	}
	*f = flexFloat(v)
	return nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (v *flexBool) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		return err
	}
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on":
		*v = true
	case "", "false", "0", "no", "off":
		*v = false
	default:
		return fmt.Errorf("parse boolean %q", s)
	}
	return nil
}

// UnmarshalJSON implements json.Unmarshaler. A number or boolean keeps its
// JSON text.
func (v *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "false" {
		*v = "false"
		return nil
	}
	s, err := scalarText(b)
	if err != nil {
		return err
	}
	*v = flexString(s)
	return nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *flexTime) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil || s == "" {
		*t = flexTime{}
		return err
	}
	v, err := parseTime(s)
	if err != nil {
		return err
	}
	*t = flexTime(v)
	return nil
}

// parseTime reads a timestamp in any of timeLayouts; a time without an
// offset is UTC.
func parseTime(s string) (time.Time, error) {
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			return v.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("parse time %q: unknown layout", s)
}

// many is a collection that may arrive as an array, as one bare object,
// or as "", {}, null or nothing for none.
type many[T any] []T

// UnmarshalJSON implements json.Unmarshaler.
func (m *many[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if isEmptyJSON(b) {
		*m = nil
		return nil
	}
	if b[0] == '[' {
		var list []T
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*m = list
		return nil
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*m = many[T]{one}
	return nil
}

// one is a to-one relation: an object, or "", {}, null or nothing for
// none. An array (seen on some older answers) gives its first element.
type one[T any] struct {
	V   T
	Set bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *one[T]) UnmarshalJSON(b []byte) error {
	var list many[T]
	if err := list.UnmarshalJSON(b); err != nil {
		return err
	}
	*o = one[T]{}
	if len(list) > 0 {
		o.V, o.Set = list[0], true
	}
	return nil
}
