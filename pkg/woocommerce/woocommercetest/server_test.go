package woocommercetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// call sends one request with the store's credentials and decodes the
// answer into a generic value.
func call(t *testing.T, s *Server, method, path, body string) (int, any,
	http.Header) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	key, secret := s.Credentials()
	req.SetBasicAuth(key, secret)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %q", method, path, rec.Body)
	}
	return rec.Code, v, rec.Header()
}

func field(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

const products = "/wp-json/wc/v3/products"

func TestValidation(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		status   int
		code     string
		contains string
	}{
		{"number price", `{"name":"A","regular_price":24.99}`, 400,
			"rest_invalid_param", "regular_price is not of type string."},
		{"fraction stock", `{"name":"A","stock_quantity":1.5}`, 400,
			"rest_invalid_param", "stock_quantity is not of type integer."},
		{"bad type", `{"name":"A","type":"bundle"}`, 400,
			"rest_invalid_param", "type is not one of"},
		{"create with id", `{"id":5,"name":"A"}`, 400,
			"woocommerce_rest_product_exists", ""},
		{"unknown category", `{"name":"A","categories":[{"id":999}]}`, 400,
			"woocommerce_rest_term_invalid", ""},
		{"unknown image id", `{"name":"A","images":[{"id":999}]}`, 400,
			"woocommerce_product_invalid_image_id", ""},
		{"not json", `{"name":`, 400, "rest_invalid_json", ""},
		{"string price", `{"name":"A","regular_price":"24.99"}`, 201, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(Options{})
			status, v, _ := call(t, s, "POST", products, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, v)
			}
			if tt.code == "" {
				return
			}
			if c := field(v, "code"); c != tt.code {
				t.Errorf("code %v, want %s", c, tt.code)
			}
			if got, _ := json.Marshal(v); !strings.Contains(string(got),
				tt.contains) {
				t.Errorf("body %s does not say %q", got, tt.contains)
			}
			if n := len(s.Products()); n != 0 {
				t.Errorf("refused create saved %d products", n)
			}
		})
	}
}

func TestStockAndPriceRules(t *testing.T) {
	s := NewServer(Options{})
	_, v, _ := call(t, s, "POST", products,
		`{"name":"A","manage_stock":false,"stock_quantity":7,
		  "stock_status":"outofstock"}`)
	if q := field(v, "stock_quantity"); q != nil {
		t.Errorf("unmanaged stock kept quantity %v", q)
	}
	if st := field(v, "stock_status"); st != "outofstock" {
		t.Errorf("unmanaged stock status %v", st)
	}

	_, v, _ = call(t, s, "POST", products,
		`{"name":"B","manage_stock":true,"stock_quantity":3,
		  "stock_status":"outofstock","status":"bogus"}`)
	if st := field(v, "stock_status"); st != "instock" {
		t.Errorf("managed stock status %v, want derived instock", st)
	}
	if st := field(v, "status"); st != "draft" {
		t.Errorf("unknown status saved as %v, want draft", st)
	}

	_, v, _ = call(t, s, "POST", products,
		`{"name":"T","type":"variable","regular_price":"9.00","sku":"T",
		  "attributes":[{"name":"Size","variation":true,"options":["S","M"]}]}`)
	if p := field(v, "regular_price"); p != "" {
		t.Errorf("variable parent kept price %v", p)
	}
	id := int64(field(v, "id").(float64))
	path := products + "/" + itoa(id) + "/variations"
	_, v, _ = call(t, s, "POST", path,
		`{"sku":"T-S","regular_price":"9.00",
		  "attributes":[{"name":"size","option":"S"},{"name":"Color","option":"Red"}]}`)
	attrs, _ := field(v, "attributes").([]any)
	if len(attrs) != 1 || field(attrs[0], "option") != "S" {
		t.Errorf("variation attributes %v, want only Size S", attrs)
	}
	_, v, _ = call(t, s, "POST", path,
		`{"sku":"T-X","attributes":[{"name":"Size","option":"XL"}]}`)
	if attrs, _ := field(v, "attributes").([]any); len(attrs) != 0 {
		t.Errorf("unknown option kept: %v (should match any)", attrs)
	}
}

func TestListingAndSKU(t *testing.T) {
	s := NewServer(Options{})
	for _, sku := range []string{"A", "B", "C"} {
		call(t, s, "POST", products, `{"name":"x","sku":"`+sku+`"}`)
	}
	status, v, h := call(t, s, "GET", products+"?per_page=2&page=1", "")
	if status != 200 || len(v.([]any)) != 2 {
		t.Fatalf("page 1: %d %v", status, v)
	}
	if h.Get("X-WP-Total") != "3" || h.Get("X-WP-TotalPages") != "2" ||
		!strings.Contains(h.Get("Link"), `rel="next"`) {
		t.Errorf("headers %v", h)
	}
	status, v, _ = call(t, s, "GET", products+"?per_page=101", "")
	if status != 400 || field(v, "code") != "rest_invalid_param" {
		t.Errorf("per_page 101: %d %v", status, v)
	}
	_, v, _ = call(t, s, "GET", products+"?sku=A,c,B,", "")
	if n := len(v.([]any)); n != 2 {
		t.Errorf("sku filter found %d, want exactly A and B", n)
	}

	status, v, _ = call(t, s, "POST", products, `{"name":"y","sku":"A"}`)
	if status != 400 || field(v, "code") != "product_invalid_sku" ||
		field(v, "data", "unique_sku") != "A-1" ||
		field(v, "data", "resource_id") == nil {
		t.Errorf("duplicate sku: %d %v", status, v)
	}
}

func TestAuthentication(t *testing.T) {
	s := NewServer(Options{Key: "ck_1", Secret: "cs_1"})
	tests := []struct {
		name   string
		url    string
		user   string
		pass   string
		status int
		msg    string
	}{
		{"basic", products, "ck_1", "cs_1", 200, ""},
		{"query", products + "?consumer_key=ck_1&consumer_secret=cs_1",
			"", "", 200, ""},
		{"missing", products, "", "", 401, "Consumer key is missing."},
		{"bad key", products, "ck_2", "cs_1", 401, "Consumer key is invalid."},
		{"bad secret", products, "ck_1", "nope", 401,
			"Consumer secret is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.url, nil)
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != tt.status ||
				!strings.Contains(rec.Body.String(), tt.msg) {
				t.Errorf("got %d %s", rec.Code, rec.Body)
			}
		})
	}
}
