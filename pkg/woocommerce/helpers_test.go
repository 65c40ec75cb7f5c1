package woocommerce_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

func readAll(r *http.Request) []byte {
	body, _ := io.ReadAll(r.Body)
	return body
}

func newBody(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
