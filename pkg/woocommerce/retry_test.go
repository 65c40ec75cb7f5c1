package woocommerce_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/rs/zerolog"

	"github.com/storesync/storesync/pkg/woocommerce"
	"github.com/storesync/storesync/pkg/woocommerce/woocommercetest"
)

// updates returns a batch that sets a new price on each product.
func updates(ps []woocommerce.Product, price string) woocommerce.Batch[woocommerce.Product] {
	var b woocommerce.Batch[woocommerce.Product]
	for _, p := range ps {
		b.Update = append(b.Update, woocommerce.Product{ID: p.ID,
			RegularPrice: str(price)})
	}
	return b
}

func checkPrices(t *testing.T, res woocommerce.BatchResult[woocommerce.Product],
	ps []woocommerce.Product, price string) {
	t.Helper()
	if len(res.Update) != len(ps) {
		t.Fatalf("%d update results, want %d", len(res.Update), len(ps))
	}
	for i, r := range res.Update {
		if r.Err != nil || r.Value.ID != ps[i].ID ||
			r.Value.RegularPrice == nil || *r.Value.RegularPrice != price {
			t.Errorf("update %d = %+v %v", i, r.Value.ID, r.Err)
		}
	}
}

func TestUpdateBatchSurvivesFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault woocommercetest.Fault
	}{
		{"503", woocommercetest.Fault{Kind: woocommercetest.Fault503}},
		{"500", woocommercetest.Fault{Kind: woocommercetest.Fault500}},
		{"429", woocommercetest.Fault{Kind: woocommercetest.Fault429}},
		{"html firewall page", woocommercetest.Fault{
			Kind: woocommercetest.FaultHTML}},
		{"cut connection", woocommercetest.Fault{
			Kind: woocommercetest.FaultCut}},
		{"malformed json", woocommercetest.Fault{
			Kind: woocommercetest.FaultMalformed}},
		{"proxy timeout", woocommercetest.Fault{
			Kind: woocommercetest.FaultTimeout, Delay: time.Millisecond}},
		{"client timeout", woocommercetest.Fault{
			Kind: woocommercetest.FaultSlow, Delay: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t, func(c *woocommerce.Config) {
				c.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
			})
			ps := s.createProducts(t, simple("U1"), simple("U2"), simple("U3"))
			s.emu.ResetCounters()
			f := tt.fault
			f.Path = "/products/batch"
			s.emu.Inject(f)

			res, err := s.client.BatchProducts(context.Background(),
				updates(ps, "12.50"))
			if err != nil {
				t.Fatalf("batch: %v", err)
			}
			checkPrices(t, res, ps, "12.50")
			if n := s.emu.Requests()["POST /products/batch"]; n < 2 {
				t.Errorf("%d batch calls, want a retry", n)
			}
		})
	}
}

func TestSingleUpdateRetriedAfter503(t *testing.T) {
	s := newStore(t, nil)
	ps := s.createProducts(t, simple("R1"))
	s.emu.ResetCounters()
	s.emu.Inject(woocommercetest.Fault{Path: "/products/batch",
		Kind: woocommercetest.Fault503})

	res, err := s.client.BatchProducts(context.Background(), updates(ps, "3"))
	if err != nil {
		t.Fatalf("batch: %v", err)
	}
	checkPrices(t, res, ps, "3")
	if n := s.emu.Requests()["POST /products/batch"]; n != 2 {
		t.Errorf("%d calls, want 503 then 200", n)
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	s := newStore(t, nil)
	ctx := context.Background()
	tests := []struct {
		name   string
		do     func() error
		status int
	}{
		{"400 missing parent", func() error {
			_, err := s.client.CreateCategory(ctx,
				woocommerce.Category{Name: "X", Parent: 424242})
			return err
		}, 400},
		{"404 unknown product", func() error {
			_, err := s.client.Product(ctx, 424242)
			return err
		}, 404},
		{"400 update of unknown category", func() error {
			_, err := s.client.UpdateCategory(ctx,
				woocommerce.Category{ID: 424242, Name: "Y"})
			return err
		}, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.emu.ResetCounters()
			err := tt.do()
			var apiErr *woocommerce.Error
			if !errors.As(err, &apiErr) || apiErr.Status != tt.status {
				t.Fatalf("error %v, want a %d *Error", err, tt.status)
			}
			if n := s.emu.TotalRequests(); n != 1 {
				t.Errorf("tried %d times, want exactly once", n)
			}
		})
	}
}

func TestHTMLPageIsReported(t *testing.T) {
	s := newStore(t, func(c *woocommerce.Config) { c.MaxAttempts = 3 })
	s.emu.Inject(woocommercetest.Fault{Kind: woocommercetest.FaultHTML,
		Count: -1})

	_, err := s.client.ProductsBySKU(context.Background(), []string{"A"})
	var herr *woocommerce.HTTPError
	if !errors.As(err, &herr) || !herr.IsHTML() || herr.Status != 403 {
		t.Fatalf("error %v, want an HTML *HTTPError", err)
	}
	if !strings.Contains(err.Error(), "answered with an HTML page") {
		t.Errorf("message %q does not say it was an HTML page", err)
	}
	if n := s.emu.TotalRequests(); n != 3 {
		t.Errorf("%d attempts, want MaxAttempts 3", n)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	s := newStore(t, nil)
	s.emu.Inject(woocommercetest.Fault{Kind: woocommercetest.Fault429,
		RetryAfter: 1})
	start := time.Now()
	if _, err := s.client.Categories(context.Background()); err != nil {
		t.Fatalf("categories: %v", err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("retried after %v, want the 1 s Retry-After", d)
	}
}

func TestCreateBatchWithUnknownOutcome(t *testing.T) {
	tests := []struct {
		name   string
		fault  woocommercetest.Fault
		stored int
	}{
		{"partial commit then 503", woocommercetest.Fault{
			Kind: woocommercetest.FaultPartialCommit, CommitFirst: 2}, 2},
		{"partial commit then 429", woocommercetest.Fault{
			Kind: woocommercetest.FaultPartialCommit, CommitFirst: 3,
			Status: 429}, 3},
		{"saved then timeout", woocommercetest.Fault{
			Kind: woocommercetest.FaultTimeout}, 5},
		{"saved then cut", woocommercetest.Fault{
			Kind: woocommercetest.FaultCut}, 5},
		{"500 before anything", woocommercetest.Fault{
			Kind: woocommercetest.Fault500}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t, func(c *woocommerce.Config) {
				c.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
			})
			f := tt.fault
			f.Path = "/products/batch"
			s.emu.Inject(f)

			var skus []string
			var ps []woocommerce.Product
			for i := range 5 {
				skus = append(skus, fmt.Sprintf("C-%d", i))
				ps = append(ps, simple(skus[i]))
			}
			res, err := s.client.BatchProducts(context.Background(),
				woocommerce.Batch[woocommerce.Product]{Create: ps})
			var uerr *woocommerce.UncertainError
			if !errors.Is(err, woocommerce.ErrUncertain) ||
				!errors.As(err, &uerr) || uerr.Creates != 5 {
				t.Fatalf("error %v, want an uncertain outcome of 5", err)
			}
			if len(res.Create) != 0 {
				t.Errorf("uncertain batch listed %d results", len(res.Create))
			}
			if n := s.emu.Requests()["POST /products/batch"]; n != 1 {
				t.Errorf("create batch sent %d times, want once", n)
			}
			if n := len(s.emu.Products()); n != tt.stored {
				t.Errorf("store holds %d products, want %d", n, tt.stored)
			}

			// The caller's way out: look up, adopt, create the rest.
			found, err := s.client.ProductsBySKU(context.Background(), skus)
			if err != nil || len(found) != tt.stored {
				t.Errorf("look-up found %d (%v), want %d", len(found), err,
					tt.stored)
			}
		})
	}
}

func TestBatchSplitsWhenTooBigForTheHost(t *testing.T) {
	// The host's proxy gives up on any batch of more than 20 operations.
	var calls, refused atomic.Int32
	s := newWrappedStore(t, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/batch") {
				calls.Add(1)
				body := readAll(r)
				var b woocommerce.Batch[map[string]any]
				_ = jsonUnmarshal(body, &b)
				if b.Len() > 20 {
					refused.Add(1)
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(http.StatusGatewayTimeout)
					_, _ = w.Write([]byte("<html>504 Gateway Time-out</html>"))
					return
				}
				r.Body = newBody(body)
			}
			h.ServeHTTP(w, r)
		})
	})
	var ps []woocommerce.Product
	for i := range 100 {
		ps = append(ps, simple(fmt.Sprintf("B-%03d", i)))
	}
	// Create in small batches, then update all 100 in one.
	for i := 0; i < 100; i += 20 {
		copy(ps[i:i+20], s.createProducts(t, ps[i:i+20]...))
	}
	calls.Store(0)

	res, err := s.client.BatchProducts(context.Background(), updates(ps, "7"))
	if err != nil {
		t.Fatalf("batch: %v", err)
	}
	checkPrices(t, res, ps, "7")
	if refused.Load() == 0 {
		t.Fatal("the host never refused a batch")
	}
	t.Logf("%d calls, %d refused", calls.Load(), refused.Load())
}

func TestBatchLimitOfTheStore(t *testing.T) {
	// A store whose site filter lowers the batch limit to 10 answers 413;
	// nothing was saved, so even creates are split and sent again.
	s := startStore(t, setup{emu: woocommercetest.Options{BatchLimit: 10}})
	var ps []woocommerce.Product
	for i := range 25 {
		ps = append(ps, simple(fmt.Sprintf("L-%02d", i)))
	}
	got := s.createProducts(t, ps...)
	for i, p := range got {
		if p.SKU != ps[i].SKU {
			t.Fatalf("result %d is %q, want %q", i, p.SKU, ps[i].SKU)
		}
	}
	if n := len(s.emu.Products()); n != 25 {
		t.Errorf("store holds %d products, want 25", n)
	}
}

func TestRetriesAreLoggedAtWarn(t *testing.T) {
	var buf bytes.Buffer
	s := newStore(t, func(c *woocommerce.Config) {
		c.Logger = zerolog.New(&buf).Level(zerolog.WarnLevel)
	})
	s.emu.Inject(woocommercetest.Fault{Kind: woocommercetest.Fault503})
	if _, err := s.client.Brands(context.Background()); err != nil {
		t.Fatalf("brands: %v", err)
	}
	line := buf.String()
	for _, want := range []string{`"level":"warn"`,
		`"message":"retrying request"`, `"attempt":1`, `"status":503`} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %s", line, want)
		}
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	s := newStore(t, func(c *woocommerce.Config) {
		c.NewBackOff = func() backoff.BackOff {
			return backoff.NewConstantBackOff(time.Hour)
		}
	})
	s.emu.Inject(woocommercetest.Fault{Kind: woocommercetest.Fault503})
	ctx, cancel := context.WithTimeout(context.Background(),
		50*time.Millisecond)
	defer cancel()
	_, err := s.client.Categories(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the context deadline", err)
	}
}
