package woocommerce_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/storesync/storesync/pkg/woocommerce"
	"github.com/storesync/storesync/pkg/woocommerce/woocommercetest"
)

// store is an emulated shop with a client pointed at it.
type store struct {
	emu    *woocommercetest.Server
	srv    *httptest.Server
	client *woocommerce.Client
}

func newStore(t *testing.T, edit func(*woocommerce.Config)) *store {
	t.Helper()
	return startStore(t, setup{config: edit})
}

// newWrappedStore serves the emulator through wrap.
func newWrappedStore(t *testing.T, edit func(*woocommerce.Config),
	wrap func(http.Handler) http.Handler) *store {
	t.Helper()
	return startStore(t, setup{config: edit, wrap: wrap})
}

// setup describes a test store: emulator options, client config changes
// and a handler wrapped around the emulator, each optional.
type setup struct {
	emu    woocommercetest.Options
	config func(*woocommerce.Config)
	wrap   func(http.Handler) http.Handler
}

func startStore(t *testing.T, st setup) *store {
	t.Helper()
	if st.emu.ImageFetcher == nil {
		st.emu.ImageFetcher = func(src string) ([]byte, error) {
			return []byte("fake image bytes"), nil
		}
	}
	emu := woocommercetest.NewServer(st.emu)
	var h http.Handler = emu
	if st.wrap != nil {
		h = st.wrap(emu)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	key, secret := emu.Credentials()
	cfg := woocommerce.Config{
		BaseURL:    srv.URL,
		Key:        key,
		Secret:     secret,
		NewBackOff: fastBackOff,
	}
	if st.config != nil {
		st.config(&cfg)
	}
	client, err := woocommerce.New(cfg)
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	return &store{emu: emu, srv: srv, client: client}
}

func fastBackOff() backoff.BackOff {
	return backoff.NewConstantBackOff(time.Millisecond)
}

func str(s string) *string { return &s }

func qty(n int64) *int64 { return &n }

func yes() *bool { b := true; return &b }

func simple(sku string) woocommerce.Product {
	return woocommerce.Product{Name: "Item " + sku, Type: "simple",
		SKU: sku, RegularPrice: str("10.00")}
}

// createProducts creates products through the client and fails the test
// on any error.
func (s *store) createProducts(t *testing.T,
	ps ...woocommerce.Product) []woocommerce.Product {
	t.Helper()
	res, err := s.client.BatchProducts(context.Background(),
		woocommerce.Batch[woocommerce.Product]{Create: ps})
	if err != nil {
		t.Fatalf("create products: %v", err)
	}
	out := make([]woocommerce.Product, len(res.Create))
	for i, r := range res.Create {
		if r.Err != nil {
			t.Fatalf("create product %d: %v", i, r.Err)
		}
		out[i] = r.Value
	}
	return out
}

func TestProductsBySKU(t *testing.T) {
	s := newStore(t, nil)
	ctx := context.Background()
	parent := woocommerce.Product{Name: "Tee", Type: "variable", SKU: "LSM-1",
		Attributes: []woocommerce.Attribute{{Name: "Size", Variation: true,
			Visible: true, Options: []string{"S", "M"}}}}
	got := s.createProducts(t, simple("A"), simple("B"), parent)
	vres, err := s.client.BatchVariations(ctx, got[2].ID,
		woocommerce.Batch[woocommerce.Variation]{Create: []woocommerce.Variation{{
			SKU: "TEE-S", RegularPrice: str("5"),
			Attributes: []woocommerce.VariationAttribute{{Name: "Size",
				Option: "S"}},
		}}})
	if err != nil || vres.Create[0].Err != nil {
		t.Fatalf("create variation: %v %v", err, vres.Create[0].Err)
	}
	s.emu.ResetCounters()

	found, err := s.client.ProductsBySKU(ctx,
		[]string{"A", " ", "", "TEE-S", "B", "nope", "A"})
	if err != nil {
		t.Fatalf("look up: %v", err)
	}
	bySKU := map[string]woocommerce.Product{}
	for _, p := range found {
		bySKU[p.SKU] = p
	}
	if len(found) != 3 || bySKU["A"].ID == 0 || bySKU["B"].ID == 0 {
		t.Fatalf("found %+v, want A, B and TEE-S", found)
	}
	if v := bySKU["TEE-S"]; v.ParentID != got[2].ID {
		t.Errorf("variation parent = %d, want %d", v.ParentID, got[2].ID)
	}
	if n := s.emu.Requests()["GET /products"]; n != 1 {
		t.Errorf("lookup made %d requests, want 1", n)
	}

	// Only blanks: no request at all, nothing found.
	s.emu.ResetCounters()
	found, err = s.client.ProductsBySKU(ctx, []string{"", "  ", "\t"})
	if err != nil || len(found) != 0 || s.emu.TotalRequests() != 0 {
		t.Errorf("blank lookup: %v, %d found, %d requests", err, len(found),
			s.emu.TotalRequests())
	}

	// 250 SKUs take three requests of at most 100.
	s.emu.ResetCounters()
	many := []string{"A"}
	for i := range 249 {
		many = append(many, fmt.Sprintf("X-%d", i))
	}
	found, err = s.client.ProductsBySKU(ctx, many)
	if err != nil || len(found) != 1 {
		t.Fatalf("large lookup: %v, %d found", err, len(found))
	}
	if n := s.emu.Requests()["GET /products"]; n != 3 {
		t.Errorf("250 skus made %d requests, want 3", n)
	}
}

// opCounter records how many operations each batch call carried.
type opCounter struct {
	mu    sync.Mutex
	calls []int
	next  http.Handler
}

func (o *opCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/batch") {
		var b woocommerce.Batch[map[string]any]
		body := readAll(r)
		_ = jsonUnmarshal(body, &b)
		o.mu.Lock()
		o.calls = append(o.calls, b.Len())
		o.mu.Unlock()
		r.Body = newBody(body)
	}
	o.next.ServeHTTP(w, r)
}

func TestBatchSplitsAt100(t *testing.T) {
	counter := &opCounter{}
	s := newWrappedStore(t, nil, func(h http.Handler) http.Handler {
		counter.next = h
		return counter
	})

	var ps []woocommerce.Product
	for i := range 150 {
		ps = append(ps, simple(fmt.Sprintf("S-%03d", i)))
	}
	got := s.createProducts(t, ps...)
	if len(got) != 150 {
		t.Fatalf("got %d results, want 150", len(got))
	}
	for i, p := range got {
		if want := fmt.Sprintf("S-%03d", i); p.SKU != want {
			t.Fatalf("result %d has sku %q, want %q", i, p.SKU, want)
		}
	}
	if len(counter.calls) != 2 {
		t.Fatalf("made %d batch calls (%v), want 2", len(counter.calls),
			counter.calls)
	}
	for _, n := range counter.calls {
		if n > 100 {
			t.Errorf("a call carried %d operations", n)
		}
	}
	if n := len(s.emu.Products()); n != 150 {
		t.Errorf("store holds %d products, want 150", n)
	}
}

func TestBatchItemErrorsByPosition(t *testing.T) {
	s := newStore(t, nil)
	ctx := context.Background()
	got := s.createProducts(t, simple("P1"), simple("P2"), simple("P3"))

	res, err := s.client.BatchProducts(ctx, woocommerce.Batch[woocommerce.Product]{
		Create: []woocommerce.Product{simple("NEW"), simple("P2")},
		Update: []woocommerce.Product{
			{ID: got[0].ID, RegularPrice: str("24.99")},
			{ID: got[2].ID, SKU: "P1"},
			{ID: got[1].ID, ManageStock: yes(), StockQuantity: qty(0)},
		},
	})
	if err != nil {
		t.Fatalf("batch: %v", err)
	}

	if res.Create[0].Err != nil || res.Create[0].Value.SKU != "NEW" {
		t.Errorf("create 0 = %+v", res.Create[0])
	}
	dup := res.Create[1]
	if dup.Err == nil || dup.Err.Code != "product_invalid_sku" ||
		dup.Err.ResourceID != got[1].ID || dup.Value.ID != 0 {
		t.Errorf("create 1 = %+v %+v, want duplicate of %d", dup.Value.ID,
			dup.Err, got[1].ID)
	}
	if r := res.Update[0]; r.Err != nil || *r.Value.RegularPrice != "24.99" {
		t.Errorf("update 0 = %+v", r)
	}
	if r := res.Update[1]; r.Err == nil || r.Err.ResourceID != got[0].ID ||
		r.Err.Status != 400 || r.Value.ID != got[2].ID {
		t.Errorf("update 1 = %+v %+v, want duplicate of %d", r.Value.ID,
			r.Err, got[0].ID)
	}
	if r := res.Update[2]; r.Err != nil || r.Value.StockStatus != "outofstock" {
		t.Errorf("update 2 = %+v, want derived outofstock", r)
	}
}

func TestCategoriesAndBrands(t *testing.T) {
	s := newStore(t, nil)
	ctx := context.Background()
	shoes, err := s.client.CreateCategory(ctx, woocommerce.Category{Name: "Shoes"})
	if err != nil {
		t.Fatalf("create category: %v", err)
	}
	boots, err := s.client.CreateCategory(ctx,
		woocommerce.Category{Name: "Boots", Parent: shoes.ID})
	if err != nil || boots.Parent != shoes.ID {
		t.Fatalf("create child category: %+v %v", boots, err)
	}

	_, err = s.client.CreateCategory(ctx, woocommerce.Category{Name: "shoes"})
	var apiErr *woocommerce.Error
	if !errors.As(err, &apiErr) || apiErr.Code != "term_exists" ||
		apiErr.ResourceID != shoes.ID {
		t.Fatalf("duplicate category: %v, want term_exists of %d", err,
			shoes.ID)
	}

	boots.Name = "Winter boots"
	if _, err := s.client.UpdateCategory(ctx, boots); err != nil {
		t.Fatalf("update category: %v", err)
	}
	cats, err := s.client.Categories(ctx)
	if err != nil || len(cats) != 2 {
		t.Fatalf("categories: %+v %v", cats, err)
	}

	acme, err := s.client.CreateBrand(ctx, woocommerce.Brand{Name: "Acme"})
	if err != nil {
		t.Fatalf("create brand: %v", err)
	}
	brands, err := s.client.Brands(ctx)
	if err != nil || len(brands) != 1 || brands[0].ID != acme.ID {
		t.Fatalf("brands: %+v %v", brands, err)
	}

	p := simple("CAT-1")
	p.Categories = []woocommerce.Ref{{ID: boots.ID}}
	p.Brands = []woocommerce.Ref{{ID: acme.ID}}
	got := s.createProducts(t, p)
	if len(got[0].Categories) != 1 || got[0].Categories[0].Name != "Winter boots" ||
		len(got[0].Brands) != 1 {
		t.Errorf("product terms = %+v %+v", got[0].Categories, got[0].Brands)
	}
}

func TestNewRefusesPlainHTTP(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		wantErr bool
	}{
		{"https", "https://shop.example", false},
		{"http public host", "http://shop.example", true},
		{"http private address", "http://192.168.1.20", true},
		{"http localhost", "http://localhost:8080", false},
		{"http loopback v4", "http://127.0.0.2:9000/store", false},
		{"http loopback v6", "http://[::1]:9000", false},
		{"no scheme", "shop.example", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := woocommerce.New(woocommerce.Config{BaseURL: tt.url,
				Key: "ck", Secret: "cs"})
			if (err != nil) != tt.wantErr {
				t.Fatalf("New(%q) error = %v, want error %v", tt.url, err,
					tt.wantErr)
			}
			if tt.wantErr && strings.HasPrefix(tt.url, "http://") &&
				!errors.Is(err, woocommerce.ErrInsecureURL) {
				t.Errorf("error %v is not ErrInsecureURL", err)
			}
		})
	}
}
