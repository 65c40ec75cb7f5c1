package woocommercetest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// fields is a JSON object sent by a client, read the way the WordPress
// schema validation reads it: every mistyped field is collected.
type fields struct {
	raw map[string]json.RawMessage
	bad map[string]string
}

func parseFields(body []byte) (*fields, *apiError) {
	f := &fields{bad: map[string]string{}}
	if err := json.Unmarshal(body, &f.raw); err != nil || f.raw == nil {
		return nil, &apiError{Status: http.StatusBadRequest,
			Code: "rest_invalid_json", Message: "Invalid JSON body passed."}
	}
	return f, nil
}

func (f *fields) has(key string) bool {
	_, ok := f.raw[key]
	return ok
}

func (f *fields) fail(key, typ string) {
	f.bad[key] = key + " is not of type " + typ + "."
}

// str reads a string field; numbers and null are refused.
func (f *fields) str(key string) (string, bool) {
	raw, ok := f.raw[key]
	if !ok {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || isNull(raw) {
		f.fail(key, "string")
		return "", false
	}
	return s, true
}

// integer reads an integer field; a numeric string is accepted, as the
// WordPress schema does.
func (f *fields) integer(key string) (int64, bool) {
	raw, ok := f.raw[key]
	if !ok {
		return 0, false
	}
	if n, ok := parseInteger(raw); ok {
		return n, true
	}
	f.fail(key, "integer")
	return 0, false
}

func parseInteger(raw json.RawMessage) (int64, bool) {
	var n int64
	if err := json.Unmarshal(raw, &n); err == nil {
		return n, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return n, true
		}
	}
	return 0, false
}

// boolean reads a boolean field; like WordPress it accepts "true",
// "false", "1", "0", 1 and 0.
func (f *fields) boolean(key string) (bool, bool) {
	raw, ok := f.raw[key]
	if !ok {
		return false, false
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		s = string(raw)
	}
	switch strings.ToLower(s) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	f.fail(key, "boolean")
	return false, false
}

// object decodes a structured field into v.
func (f *fields) object(key, typ string, v any) bool {
	raw, ok := f.raw[key]
	if !ok {
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil || isNull(raw) {
		f.fail(key, typ)
		return false
	}
	return true
}

// err is the rest_invalid_param answer for the mistyped fields, if any.
func (f *fields) err() *apiError {
	if len(f.bad) == 0 {
		return nil
	}
	return invalidParams(f.bad)
}

func invalidParams(params map[string]string) *apiError {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	slices.Sort(names)
	return &apiError{
		Status:  http.StatusBadRequest,
		Code:    "rest_invalid_param",
		Message: "Invalid parameter(s): " + strings.Join(names, ", "),
		Data:    map[string]any{"params": params},
	}
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// dimensionsIn reads dimensions, each of which must be a string.
func (f *fields) dimensions() (map[string]string, bool) {
	var raw map[string]json.RawMessage
	if !f.object("dimensions", "object", &raw) {
		return nil, false
	}
	out := map[string]string{}
	for _, k := range []string{"length", "width", "height"} {
		v, ok := raw[k]
		if !ok {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			f.bad["dimensions"] = "dimensions[" + k +
				"] is not of type string."
			return nil, false
		}
		out[k] = s
	}
	return out, true
}

// termIDs reads [{"id": 12}] or, for brands, [12].
func (f *fields) termIDs(key string) ([]int64, bool) {
	var raws []json.RawMessage
	if !f.object(key, "array", &raws) {
		return nil, false
	}
	ids := make([]int64, 0, len(raws))
	for _, raw := range raws {
		if n, ok := parseInteger(raw); ok {
			ids = append(ids, n)
			continue
		}
		var ref struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(raw, &ref) != nil {
			f.bad[key] = key + "[0] is not of type object."
			return nil, false
		}
		n, ok := parseInteger(ref.ID)
		if !ok {
			f.bad[key] = key + "[0][id] is not of type integer."
			return nil, false
		}
		ids = append(ids, n)
	}
	return ids, true
}

// metaIn is one meta_data entry sent by a client.
type metaIn struct {
	ID    int64  `json:"id"`
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// imageIn is one image sent by a client.
type imageIn struct {
	ID   int64  `json:"id"`
	Src  string `json:"src"`
	Name string `json:"name"`
	Alt  string `json:"alt"`
}

// images reads "images" (a list) or "image" (one, for a variation).
func (f *fields) images() ([]imageIn, bool) {
	if f.has("image") {
		if isNull(f.raw["image"]) {
			return nil, true
		}
		var one *imageIn
		if !f.object("image", "object", &one) {
			return nil, false
		}
		if one == nil {
			return nil, true
		}
		return []imageIn{*one}, true
	}
	var list []imageIn
	if !f.object("images", "array", &list) {
		return nil, false
	}
	return list, true
}
