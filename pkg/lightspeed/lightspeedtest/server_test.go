package lightspeedtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fixture is an emulator with a token, on a fake clock.
type fixture struct {
	emu   *lightspeedtest.Server
	clock *clock
	token string
}

func newFixture(t *testing.T, opts lightspeedtest.Options) *fixture {
	t.Helper()
	c := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	opts.Clock = c.Now
	opts.BaseURL = "http://ls.test"
	emu := lightspeedtest.NewServer(opts)
	emu.SeedCatalog(lightspeedtest.Catalog{
		Shops: []lightspeedtest.Shop{{ShopID: 1, Name: "A"}, {ShopID: 2, Name: "B"}},
		Items: []lightspeedtest.Item{
			{ItemID: 1, Description: "Mug", Stock: map[int64]int64{1: 2},
				Prices: map[string]string{"Default": "5"}},
			{ItemID: 2, Description: "Cup", Tags: []string{"Sale"}},
			{ItemID: 3, Description: "Old", Archived: true},
		},
	})
	access, _ := emu.IssueTokens()
	return &fixture{emu: emu, clock: c, token: access}
}

// get asks the emulator for path and decodes the JSON answer.
func (f *fixture) get(t *testing.T, path string) (*http.Response, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	rec := httptest.NewRecorder()
	f.emu.ServeHTTP(rec, req)
	var body map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return rec.Result(), body
}

func TestShapes(t *testing.T) {
	f := newFixture(t, lightspeedtest.Options{})
	_, body := f.get(t, `/API/V3/Account/1/Item.json?itemID=1&load_relations=`+
		`%5B%22ItemShops%22%2C%22Images%22%2C%22TagRelations.Tag%22%5D`)
	item, ok := body["Item"].(map[string]any)
	if !ok {
		t.Fatalf("a list of one is not a bare object: %v", body["Item"])
	}
	if item["itemID"] != "1" || item["archived"] != "false" {
		t.Errorf("scalars are not strings: %v %v", item["itemID"], item["archived"])
	}
	if item["Images"] != "" || item["TagRelations"] != "" {
		t.Errorf("empty relations: %v %v", item["Images"], item["TagRelations"])
	}
	shops := item["ItemShops"].(map[string]any)["ItemShop"].([]any)
	if len(shops) != 3 {
		t.Errorf("got %d ItemShop rows, want 2 shops and the total", len(shops))
	}
	prices := item["Prices"].(map[string]any)["ItemPrice"].([]any)
	if len(prices) != 3 {
		t.Errorf("got %d prices, want 3", len(prices))
	}
	attrs := body["@attributes"].(map[string]any)
	if attrs["next"] != "" || attrs["previous"] != "" {
		t.Errorf("attributes %v", attrs)
	}

	_, body = f.get(t, "/API/V3/Account/1/Item.json")
	if list, ok := body["Item"].([]any); !ok || len(list) != 2 {
		t.Errorf("archived item not left out: %v", body["Item"])
	}
	_, body = f.get(t, "/API/V3/Account/1/Item.json?itemID=99")
	if _, ok := body["Item"]; ok {
		t.Errorf("an empty list keeps its key")
	}
	_, body = f.get(t, "/API/V3/Account/1/Item/3.json")
	if body["@attributes"].(map[string]any)["count"] != "1" ||
		body["Item"].(map[string]any)["archived"] != "true" {
		t.Errorf("single read: %v", body)
	}
}

func TestBadRequests(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		{"LimitAbove100", "limit=101", "Limit"},
		{"RelationsNotArray", "load_relations=ItemShops", "JSON encoded array"},
		{"UnsortableField", "sort=customSku", "Sortable fields"},
		{"RelationFilterUnloaded", "ItemShops.shopID=1", "load_relations"},
		{"PlusAsSpace", "timeStamp=%3E%3D%2C2024-01-01T00:00:00+00:00", "Invalid date"},
		{"UnknownField", "colour=red", "Unknown field"},
	}
	f := newFixture(t, lightspeedtest.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.get(t, "/API/V3/Account/1/Item.json?"+tt.query)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("got %d, want 400", resp.StatusCode)
			}
			msg, _ := body["message"].(string)
			if !strings.Contains(msg, tt.want) || body["httpCode"] != "400" {
				t.Errorf("body %v, want message with %q", body, tt.want)
			}
		})
	}
}

func TestNextLinkKeepsParameters(t *testing.T) {
	f := newFixture(t, lightspeedtest.Options{})
	_, body := f.get(t, "/API/V3/Account/1/Item.json?archived=true&"+
		"description=~%2C%25&limit=1")
	next := body["@attributes"].(map[string]any)["next"].(string)
	for _, want := range []string{"http://ls.test/API/V3/Account/1/Item.json?",
		"archived=true", "description=~%2C%25", "limit=1", "sort=itemID", "after="} {
		if !strings.Contains(next, want) {
			t.Errorf("next %s lacks %s", next, want)
		}
	}
	var ids []string
	for next != "" {
		_, body = f.get(t, strings.TrimPrefix(next, "http://ls.test"))
		ids = append(ids, body["Item"].(map[string]any)["itemID"].(string))
		next = body["@attributes"].(map[string]any)["next"].(string)
	}
	if strings.Join(ids, ",") != "2,3" {
		t.Errorf("later pages held %v, want 2,3", ids)
	}
}

func TestLeakyBucket(t *testing.T) {
	f := newFixture(t, lightspeedtest.Options{BucketSize: 3, DripRate: 1,
		BurstLimit: 100})
	var statuses []int
	var resp *http.Response
	for range 5 {
		resp, _ = f.get(t, "/API/V3/Account/1/Item.json?load_relations="+
			"%5B%22ItemShops%22%5D")
		statuses = append(statuses, resp.StatusCode)
	}
	// Each costs 1.4: the third takes the level past 3 and is served.
	want := []int{200, 200, 200, 429, 429}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("statuses %v, want %v", statuses, want)
		}
	}
	if resp.Header.Get("Retry-After") != "2" ||
		resp.Header.Get("X-LS-API-RateLimit-Type") != "api-leaky-bucket" ||
		resp.Header.Get("X-LS-API-Bucket-Level") != "4.2/3" {
		t.Errorf("429 headers %v", resp.Header)
	}
	f.clock.Advance(2 * time.Second)
	resp, _ = f.get(t, "/API/V3/Account/1/Item.json")
	if resp.StatusCode != 200 || resp.Header.Get("X-LS-API-Request-Cost") != "1" {
		t.Errorf("after draining: %d %v", resp.StatusCode, resp.Header)
	}
	if got := f.emu.MaxBucketLevel(); got < 4.19 || got > 4.21 {
		t.Errorf("max level %v, want 4.2", got)
	}
}

func TestBurstLimiter(t *testing.T) {
	f := newFixture(t, lightspeedtest.Options{BurstLimit: 3})
	var statuses []int
	for range 4 {
		resp, _ := f.get(t, "/API/V3/Account/1/Tag.json")
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == 429 &&
			resp.Header.Get("X-LS-API-RateLimit-Type") != "api-burst-limiter" {
			t.Errorf("429 type %q", resp.Header.Get("X-LS-API-RateLimit-Type"))
		}
	}
	f.clock.Advance(time.Second)
	resp, _ := f.get(t, "/API/V3/Account/1/Tag.json")
	statuses = append(statuses, resp.StatusCode)
	if got := statuses; got[2] != 200 || got[3] != 429 || got[4] != 200 {
		t.Errorf("statuses %v", got)
	}
}

func TestShopFloorTimestamps(t *testing.T) {
	f := newFixture(t, lightspeedtest.Options{})
	seeded := f.clock.Now()
	tests := []struct {
		name      string
		act       func() error
		itemMoves bool
	}{
		{"Sell", func() error { return f.emu.Sell(1, 1, 5) }, false},
		{"SetStock", func() error { return f.emu.SetStock(1, 2, 4) }, false},
		{"SetPrice", func() error { return f.emu.SetPrice(1, "Online", "4") }, true},
		{"Tag", func() error { return f.emu.Tag(1, "Web Store") }, true},
		{"Archive", func() error { return f.emu.Archive(2) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.Advance(time.Minute)
			before := f.emu.Items()
			if err := tt.act(); err != nil {
				t.Fatal(err)
			}
			moved := false
			for i, st := range f.emu.Items() {
				if !st.TimeStamp.Equal(before[i].TimeStamp) {
					moved = true
				}
			}
			if moved != tt.itemMoves {
				t.Errorf("Item.timeStamp moved: %v, want %v", moved, tt.itemMoves)
			}
		})
	}
	st, _ := f.emu.Item(1)
	if st.Stock[1] != -3 || st.Stock[2] != 4 || st.Sellable[0] != 4 ||
		st.StockTimeStamps[0].Equal(seeded) {
		t.Errorf("stock after sale and count: %+v", st)
	}
	if st.Prices["Online"] != "4" || st.Tags[0] != "webstore" {
		t.Errorf("price and tag: %+v", st)
	}
}

func TestControlAPI(t *testing.T) {
	f := newFixture(t, lightspeedtest.Options{})
	f.emu.SeedCatalog(lightspeedtest.Catalog{
		Matrices: []lightspeedtest.Matrix{{ItemMatrixID: 1, Description: "Tee"}},
		Items: []lightspeedtest.Item{{ItemID: 1, Description: "Tee S",
			ItemMatrixID: 1, Stock: map[int64]int64{1: 5}}},
	})
	post := func(route, body string) map[string]any {
		req := httptest.NewRequest(http.MethodPost, "/_sandbox/"+route,
			strings.NewReader(body))
		rec := httptest.NewRecorder()
		f.emu.ServeHTTP(rec, req)
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %v", route, rec.Code, out)
		}
		return out
	}
	post("sell", `{"item_id":1,"shop_id":1,"qty":2}`)
	post("price", `{"item_id":1,"level":"Default","amount":"12"}`)
	post("tag-matrix", `{"matrix_id":1,"tag":"webstore"}`)
	added := post("add-variant", `{"matrix_id":1,"item":{"CustomSKU":"TEE-M",`+
		`"Attributes":["M"],"Stock":{"1":3}}}`)
	post("fault", `{"path":"/Tag.json","kind":"500"}`)
	if added["item_id"] != float64(2) {
		t.Errorf("add-variant answered %v", added)
	}
	if id, ok := f.emu.ItemIDBySKU("TEE-M"); !ok || id != 2 {
		t.Errorf("variant not found by SKU")
	}
	resp, _ := f.get(t, "/API/V3/Account/1/Tag.json")
	if resp.StatusCode != 500 {
		t.Errorf("fault not injected: %d", resp.StatusCode)
	}

	rec := httptest.NewRecorder()
	f.emu.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_sandbox/items", nil))
	var items []struct {
		ItemID int64             `json:"item_id"`
		Stock  map[string]int64  `json:"stock"`
		Prices map[string]string `json:"prices"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &items); err != nil || len(items) != 2 {
		t.Fatalf("items: %v %s", err, rec.Body)
	}
	if items[0].Stock["1"] != 3 || items[0].Prices["Default"] != "12" {
		t.Errorf("item 1: %+v", items[0])
	}
	rec = httptest.NewRecorder()
	f.emu.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_sandbox/stats", nil))
	if !bytes.Contains(rec.Body.Bytes(), []byte(`"max_bucket_level"`)) {
		t.Errorf("stats: %s", rec.Body)
	}
}

func TestImages(t *testing.T) {
	f := newFixture(t, lightspeedtest.Options{})
	f.emu.SeedCatalog(lightspeedtest.Catalog{Items: []lightspeedtest.Item{{
		ItemID: 1, Images: []lightspeedtest.SeedImage{{Filename: "a.png"}}}}})
	_, body := f.get(t, "/API/V3/Account/1/Image.json")
	im := body["Image"].(map[string]any)
	url := im["baseImageURL"].(string) + im["publicID"].(string) + ".png"
	srv := httptest.NewServer(f.emu)
	defer srv.Close()
	resp, err := http.Get(srv.URL + strings.TrimPrefix(url, "http://ls.test"))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(data, []byte{0xff, 0xd8}) {
		t.Errorf("image: %d %x", resp.StatusCode, data)
	}
	if f.emu.ImageDownloads() != 1 {
		t.Errorf("downloads %d", f.emu.ImageDownloads())
	}
}

func TestRateOf(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(secs ...float64) []lightspeedtest.Request {
		var log []lightspeedtest.Request
		for _, s := range secs {
			log = append(log, lightspeedtest.Request{Entity: "Item", Status: 200,
				At: t0.Add(time.Duration(s * float64(time.Second)))})
		}
		return log
	}
	tests := []struct {
		name      string
		log       []lightspeedtest.Request
		wantMax   int
		wantPer   []int
		wantTotal int
	}{
		{"empty", nil, 0, nil, 0},
		{"one minute", at(0, 10, 59.9), 3, []int{3}, 3},
		// 60 seconds apart are not in one window: it is open at its start.
		{"exactly a minute apart", at(0, 60), 1, []int{1, 1}, 2},
		{"window across minutes", at(0, 50, 55, 61, 62, 200), 4, []int{3, 2, 0, 1}, 6},
		{"token and images left out", append(at(1, 2),
			lightspeedtest.Request{At: t0, Entity: "token", Status: 200},
			lightspeedtest.Request{At: t0, Entity: "image", Status: 200}),
			2, []int{2}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := lightspeedtest.RateOf(tt.log, time.Minute)
			if r.MaxInWindow != tt.wantMax || r.Total != tt.wantTotal ||
				!slices.Equal(r.PerWindow, tt.wantPer) {
				t.Errorf("got max %d, total %d, per minute %v; want %d, %d, %v",
					r.MaxInWindow, r.Total, r.PerWindow, tt.wantMax,
					tt.wantTotal, tt.wantPer)
			}
		})
	}
}

func TestRequestLogAndStats(t *testing.T) {
	f := newFixture(t, lightspeedtest.Options{BurstLimit: 2})
	for range 3 {
		f.get(t, "/API/V3/Account/1/Item.json")
	}
	f.clock.Advance(90 * time.Second)
	f.get(t, "/API/V3/Account/1/Shop.json")

	log := f.emu.RequestLog()
	var got []string
	for _, r := range log {
		got = append(got, fmt.Sprintf("%s %s %d",
			r.At.Format("15:04:05"), r.Entity, r.Status))
	}
	want := []string{"12:00:00 Item 200", "12:00:00 Item 200",
		"12:00:00 Item 429", "12:01:30 Shop 200"}
	if !slices.Equal(got, want) {
		t.Errorf("log %q, want %q", got, want)
	}

	stats := func() map[string]any {
		rec := httptest.NewRecorder()
		f.emu.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_sandbox/stats", nil))
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	s := stats()
	if fmt.Sprint(s["api_per_minute"]) != "[3 1]" || s["api_max_in_60s"] != float64(3) ||
		s["api_limited"] != float64(1) || s["api_requests"] != float64(4) {
		t.Errorf("stats %v", s)
	}

	rec := httptest.NewRecorder()
	f.emu.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/_sandbox/reset-stats",
		strings.NewReader("{}")))
	s = stats()
	if rec.Code != http.StatusOK || s["api_requests"] != float64(0) ||
		s["max_bucket_level"] != float64(0) || len(f.emu.RequestLog()) != 0 {
		t.Errorf("after reset-stats (%d): %v", rec.Code, s)
	}
}
