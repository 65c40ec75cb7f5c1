package woocommercetest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// httpFetch downloads an image the way WordPress's download_url does.
func httpFetch(src string) ([]byte, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(src)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%d: %s", resp.StatusCode,
			http.StatusText(resp.StatusCode))
	}
	return io.ReadAll(io.LimitReader(resp.Body, 32<<20))
}

// urlPath is the path part of an image URL, which names the file.
func urlPath(src string) string {
	u, err := url.Parse(src)
	if err != nil {
		return src
	}
	return u.Path
}
