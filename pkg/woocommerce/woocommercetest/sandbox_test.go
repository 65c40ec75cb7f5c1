package woocommercetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestControlAPI(t *testing.T) {
	s := NewServer(Options{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	key, secret := s.Credentials()
	do := func(method, path, body string, auth bool) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if auth {
			req.SetBasicAuth(key, secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	_, v, _ := call(t, s, "POST", products, `{"name":"T","type":"variable",
		"sku":"T","attributes":[{"name":"Size","variation":true,"options":["S"]}]}`)
	id := itoa(int64(field(v, "id").(float64)))
	call(t, s, "POST", products+"/"+id+"/variations/batch",
		`{"create":[{"sku":"T-S","attributes":[{"name":"Size","option":"S"}]}]}`)

	var snap []ProductWithVariations
	resp := do("GET", "/_sandbox/products", "", false)
	if err := json.NewDecoder(resp.Body).Decode(&snap); err != nil {
		t.Fatalf("decode snapshot: %v", err)
	}
	if len(snap) != 1 || len(snap[0].Variations) != 1 ||
		snap[0].Variations[0].SKU != "T-S" {
		t.Fatalf("snapshot = %+v", snap)
	}

	resp = do("POST", "/_sandbox/fault",
		`{"path":"/products","kind":"503","count":2,"retry_after":3}`, false)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("inject fault: %d", resp.StatusCode)
	}
	for range 2 {
		resp = do("GET", "/wp-json/wc/v3/products", "", true)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "3" {
			t.Fatalf("faulted answer %d %v", resp.StatusCode, resp.Header)
		}
	}
	if resp = do("GET", "/wp-json/wc/v3/products", "", true); resp.StatusCode != 200 {
		t.Fatalf("fault outlived its count: %d", resp.StatusCode)
	}
	resp = do("POST", "/_sandbox/fault", `{"kind":"nonsense"}`, false)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown fault kind accepted: %d", resp.StatusCode)
	}

	var st Stats
	resp = do("GET", "/_sandbox/stats", "", false)
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("decode stats: %v", err)
	}
	if st.Products != 1 || st.Variations != 1 || st.Total != 5 ||
		st.Requests["GET /products"] != 3 ||
		st.Requests["POST /products/{id}/variations/batch"] != 1 {
		t.Errorf("stats = %+v", st)
	}
	do("POST", "/_sandbox/reset", "", false)
	if s.TotalRequests() != 0 {
		t.Error("reset kept the counters")
	}
}

func TestBatchRules(t *testing.T) {
	s := NewServer(Options{BatchLimit: 3})
	status, v, _ := call(t, s, "POST", products+"/batch",
		`{"create":[{"name":"a"},{"name":"b"}],"delete":[1,2]}`)
	if status != 413 ||
		field(v, "code") != "woocommerce_rest_request_entity_too_large" {
		t.Fatalf("over the limit: %d %v", status, v)
	}

	_, v, _ = call(t, s, "POST", products+"/batch",
		`{"create":[{"name":"a","sku":"A","meta_data":[{"key":"ls_id","value":"1"}]},
		            {"name":"b","sku":"A"}]}`)
	created := field(v, "create").([]any)
	id := field(created[0], "id").(float64)
	if field(created[1], "id") != float64(0) ||
		field(created[1], "error", "data", "resource_id") != id {
		t.Fatalf("failed create = %v, want id 0 and owner %v", created[1], id)
	}

	body := `{"update":[{"id":` + itoa(int64(id)) + `,
		"meta_data":[{"key":"ls_id","value":"2"},{"key":"other","value":"x"}]},
		{"id":999999,"name":"nobody"}],"delete":[999998]}`
	status, v, _ = call(t, s, "POST", products+"/batch", body)
	if status != 200 {
		t.Fatalf("batch: %d %v", status, v)
	}
	up := field(v, "update").([]any)
	meta := field(up[0], "meta_data").([]any)
	if len(meta) != 2 || field(meta[0], "value") != "2" {
		t.Errorf("meta after upsert = %v", meta)
	}
	if field(up[1], "error", "code") != "woocommerce_rest_product_invalid_id" {
		t.Errorf("update of unknown id = %v", up[1])
	}
	del := field(v, "delete").([]any)
	if field(del[0], "id") != float64(999998) || field(del[0], "error") == nil {
		t.Errorf("delete of unknown id = %v", del[0])
	}
}

func TestTrashedSKUBlocksCreate(t *testing.T) {
	s := NewServer(Options{})
	_, v, _ := call(t, s, "POST", products, `{"name":"a","sku":"OLD"}`)
	id := itoa(int64(field(v, "id").(float64)))
	call(t, s, "DELETE", products+"/"+id, "")
	_, v, _ = call(t, s, "GET", products+"?sku=OLD", "")
	if len(v.([]any)) != 0 {
		t.Errorf("trashed product listed: %v", v)
	}
	status, v, _ := call(t, s, "POST", products, `{"name":"b","sku":"OLD"}`)
	if status != 400 || field(v, "code") != "woocommerce_rest_product_not_created" {
		t.Errorf("create over a trashed sku: %d %v", status, v)
	}
}

func TestDefaultImageFetcher(t *testing.T) {
	images := httptest.NewServer(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/missing.jpg" {
				http.NotFound(w, r)
				return
			}
			_, _ = w.Write([]byte("\x89PNG fake"))
		}))
	defer images.Close()
	tests := []struct {
		name   string
		src    string
		status int
		msg    string
	}{
		{"png", images.URL + "/a.png", 201, ""},
		{"not found", images.URL + "/missing.jpg", 400,
			"Error getting remote image"},
		{"no extension", images.URL + "/image?id=3", 400,
			"not allowed to upload this file type"},
	}
	s := NewServer(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, v, _ := call(t, s, "POST", products,
				`{"name":"i","images":[{"src":"`+tt.src+`"}]}`)
			got, _ := json.Marshal(v)
			if status != tt.status || !strings.Contains(string(got), tt.msg) {
				t.Errorf("got %d %s", status, got)
			}
		})
	}
	if n := s.MediaDownloads(); n != 3 {
		t.Errorf("%d downloads, want 3", n)
	}
	if n := s.MediaCount(); n != 1 {
		t.Errorf("media library holds %d, want 1", n)
	}
}

func TestTerms(t *testing.T) {
	s := NewServer(Options{})
	cats := products + "/categories"
	_, v, _ := call(t, s, "POST", cats, `{"name":"Shoes"}`)
	shoes := field(v, "id")
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		code   string
	}{
		{"same name other parent", "POST", cats,
			`{"name":"Shoes","parent":` + jsonNum(shoes) + `}`, 201, ""},
		{"duplicate", "POST", cats, `{"name":"SHOES"}`, 400, "term_exists"},
		{"no name", "POST", cats, `{"slug":"x"}`, 400,
			"rest_missing_callback_param"},
		{"bad parent", "POST", cats, `{"name":"x","parent":5000}`, 400,
			"missing_parent"},
		{"update unknown", "PUT", cats + "/5000", `{"name":"x"}`, 404,
			"woocommerce_rest_term_invalid"},
		{"brand", "POST", products + "/brands", `{"name":"Shoes"}`, 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, v, _ := call(t, s, tt.method, tt.path, tt.body)
			if status != tt.status || (tt.code != "" &&
				field(v, "code") != tt.code) {
				t.Errorf("got %d %v", status, v)
			}
			if tt.code == "term_exists" &&
				field(v, "data", "resource_id") != shoes {
				t.Errorf("resource_id = %v, want %v",
					field(v, "data", "resource_id"), shoes)
			}
		})
	}
	_, v, _ = call(t, s, "GET", cats, "")
	if n := len(v.([]any)); n != 2 {
		t.Errorf("%d categories, want 2", n)
	}
}

func jsonNum(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
