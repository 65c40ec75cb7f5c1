package lightspeed

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestFlexScalars(t *testing.T) {
	tests := []struct {
		in      string
		wantInt int64
		wantStr string
		wantOK  bool
	}{
		{`"12"`, 12, "12", true},
		{`12`, 12, "12", true},
		{`""`, 0, "", true},
		{`null`, 0, "", true},
		{`"12.000"`, 12, "12.000", true},
		{`"-5"`, -5, "-5", true},
		{`"abc"`, 0, "abc", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var n flexInt
			err := n.UnmarshalJSON([]byte(tt.in))
			if (err == nil) != tt.wantOK || (tt.wantOK && int64(n) != tt.wantInt) {
				t.Errorf("int: got %d, %v", n, err)
			}
			var s flexString
			if err := s.UnmarshalJSON([]byte(tt.in)); err != nil ||
				string(s) != tt.wantStr {
				t.Errorf("string: got %q, %v", s, err)
			}
		})
	}
}

func TestFlexBool(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`"true"`, true}, {`true`, true}, {`"1"`, true}, {`1`, true},
		{`"false"`, false}, {`false`, false}, {`""`, false}, {`null`, false},
	}
	for _, tt := range tests {
		var b flexBool
		if err := b.UnmarshalJSON([]byte(tt.in)); err != nil || bool(b) != tt.want {
			t.Errorf("%s: got %v, %v", tt.in, b, err)
		}
	}
}

func TestFlexTime(t *testing.T) {
	want := time.Date(2021, 3, 30, 19, 38, 7, 0, time.UTC)
	tests := []string{
		`"2021-03-30T19:38:07+00:00"`,
		`"2021-03-30T15:38:07-04:00"`,
		`"2021-03-30T19:38:07Z"`,
		`"2021-03-30 19:38:07"`,
		`"2021-03-30T15:38:07-0400"`,
	}
	for _, in := range tests {
		var ft flexTime
		if err := ft.UnmarshalJSON([]byte(in)); err != nil ||
			!time.Time(ft).Equal(want) {
			t.Errorf("%s: got %v, %v", in, time.Time(ft), err)
		}
	}
	var ft flexTime
	if err := ft.UnmarshalJSON([]byte(`""`)); err != nil || !time.Time(ft).IsZero() {
		t.Errorf(`"": got %v, %v`, time.Time(ft), err)
	}
}

func TestOneOrMany(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"Array", `{"ItemShop":[{"shopID":"1"},{"shopID":2}]}`, "[1 2]"},
		{"BareObject", `{"ItemShop":{"shopID":"1"}}`, "[1]"},
		{"EmptyString", `""`, "[]"},
		{"EmptyObject", `{}`, "[]"},
		{"Null", `null`, "[]"},
		{"EmptyArray", `{"ItemShop":[]}`, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rel one[rawItemShops]
			if err := rel.UnmarshalJSON([]byte(tt.in)); err != nil {
				t.Fatalf("decode: %v", err)
			}
			ids := []int64{}
			for _, s := range rel.V.ItemShop {
				ids = append(ids, int64(s.ShopID))
			}
			if got := fmt.Sprint(ids); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDecodeItemPage(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, items []Item)
	}{
		{"BareObjectWithNumbers", `{"@attributes":{"next":"","previous":""},
			"Item":{"itemID":5,"archived":true,"description":"Cup",
			"Prices":{"ItemPrice":{"amount":12,"useTypeID":1,"useType":"Default"}},
			"ItemShops":"","Images":{},"Tags":{"@attributes":{"count":"1"},"tag":"Sale"},
			"ItemECommerce":{"ItemECommerce":{"longDescription":"Long","listOnStore":"true"}},
			"ItemAttributes":{"attribute1":"Red","itemAttributeSetID":"3"}}}`,
			func(t *testing.T, items []Item) {
				if len(items) != 1 {
					t.Fatalf("got %d items", len(items))
				}
				it := items[0]
				if it.ItemID != 5 || !it.Archived || it.Prices[0].Amount != "12" {
					t.Errorf("fields: %+v", it)
				}
				if it.ItemShops != nil || it.Images != nil {
					t.Errorf("empty relations: %+v %+v", it.ItemShops, it.Images)
				}
				if fmt.Sprint(it.Tags) != "[sale]" {
					t.Errorf("tags %v", it.Tags)
				}
				if it.ECommerce == nil || it.ECommerce.LongDescription != "Long" ||
					!it.ECommerce.ListOnStore {
					t.Errorf("wrapped ecommerce: %+v", it.ECommerce)
				}
				if it.Attributes == nil || it.Attributes.Attribute1 != "Red" ||
					it.Attributes.ItemAttributeSetID != 3 {
					t.Errorf("attributes: %+v", it.Attributes)
				}
			}},
		{"ArrayWithStrings", `{"@attributes":{"next":"x"},"Item":[
			{"itemID":"1","archived":"false","ItemECommerce":{"weight":"2.5"},
			 "TagRelations":{"TagRelation":[{"tagID":"1","Tag":{"tagID":"1","name":"Web"}},
			   {"tagID":"2","Tag":{"name":"sale"}}]},
			 "Tags":{"tag":["web","Clearance"]}},
			{"itemID":"2","TagRelations":""}]}`,
			func(t *testing.T, items []Item) {
				if len(items) != 2 || items[1].ItemID != 2 {
					t.Fatalf("items: %+v", items)
				}
				if fmt.Sprint(items[0].Tags) != "[web sale clearance]" {
					t.Errorf("tags %v", items[0].Tags)
				}
				if items[0].ECommerce == nil || items[0].ECommerce.Weight != "2.5" {
					t.Errorf("flat ecommerce: %+v", items[0].ECommerce)
				}
			}},
		{"EmptyListOmitted", `{"@attributes":{"next":"","previous":""}}`,
			func(t *testing.T, items []Item) {
				if len(items) != 0 {
					t.Errorf("got %d items", len(items))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rows, err := decodePage[rawItem]([]byte(tt.body), "Item")
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			var items []Item
			for _, r := range rows {
				items = append(items, r.normal())
			}
			tt.check(t, items)
		})
	}
}

func TestDecodeMatrixValues(t *testing.T) {
	body := `{"ItemMatrix":{"itemMatrixID":"4","attribute1Values":"Red",
		"attribute2Values":["S","M"],"attribute3Values":"",
		"ItemAttributeSet":{"itemAttributeSetID":"2","attributeName1":"Color"},
		"Items":{"Item":{"itemID":"9"}}}}`
	_, rows, err := decodePage[rawMatrix]([]byte(body), "ItemMatrix")
	if err != nil || len(rows) != 1 {
		t.Fatalf("decode: %v, %d rows", err, len(rows))
	}
	m := rows[0].normal()
	if fmt.Sprint(m.Attribute1Values, m.Attribute2Values, m.Attribute3Values) !=
		"[Red] [S M] []" {
		t.Errorf("values %v %v %v", m.Attribute1Values, m.Attribute2Values,
			m.Attribute3Values)
	}
	if m.AttributeSet == nil || m.AttributeSet.AttributeName1 != "Color" ||
		len(m.Items) != 1 || m.Items[0].ItemID != 9 {
		t.Errorf("relations: %+v", m)
	}
}

func TestQueryEncode(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		q    Query
		want string
	}{
		{"Since", Query{Filters: []Filter{Since("timeStamp", at)}},
			"timeStamp=%3E%3D%2C2024-01-01T00%3A00%3A00%2B00%3A00&limit=100"},
		{"In", Query{Filters: []Filter{In("itemID", 1, 2, 3)}, Limit: 500},
			"itemID=IN%2C%5B1%2C2%2C3%5D&limit=100"},
		{"Like", Query{Filters: []Filter{{Field: "description", Op: "~",
			Value: "shirt%"}}}, "description=~%2Cshirt%25&limit=100"},
		{"NotEqual", Query{Filters: []Filter{{Field: "categoryID", Op: "!=",
			Value: "0"}}}, "categoryID=%21%3D%2C0&limit=100"},
		{"Relations", Query{Relations: []string{"ItemShops", "TagRelations.Tag"},
			Sort: "-timeStamp", Limit: 20, Archived: "true"},
			"load_relations=%5B%22ItemShops%22%2C%22TagRelations.Tag%22%5D" +
				"&sort=-timeStamp&limit=20&archived=true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.q.encode()
			if err != nil || got != tt.want {
				t.Errorf("got %s (%v)\nwant %s", got, err, tt.want)
			}
		})
	}
}

func TestEstimateCost(t *testing.T) {
	tests := []struct {
		rels []string
		list bool
		want float64
	}{
		{nil, true, 1},
		{[]string{"ItemShops"}, false, 1.2},
		{[]string{"ItemShops"}, true, 1.4},
		{[]string{"Category", "TagRelations.Tag"}, true, 1.6},
	}
	for _, tt := range tests {
		got := estimateCost(tt.rels, tt.list)
		if fmt.Sprintf("%.2f", got) != fmt.Sprintf("%.2f", tt.want) {
			t.Errorf("%v list=%v: got %v, want %v", tt.rels, tt.list, got, tt.want)
		}
	}
}

func TestMergeParams(t *testing.T) {
	got, err := mergeParams("http://x/Item.json?after=abc&limit=100",
		"categoryID=%3D%2C1&limit=100")
	want := "http://x/Item.json?after=abc&limit=100&categoryID=%3D%2C1"
	if err != nil || got != want {
		t.Errorf("got %s (%v), want %s", got, err, want)
	}
}

func TestBucketReserve(t *testing.T) {
	var b bucket
	h := http.Header{}
	h.Set("x-ls-api-bucket-level", "80/90")
	h.Set("X-Ls-Api-Drip-Rate", "2")
	h.Set("X-LS-API-Burst-Level", "1/5")
	now := time.Unix(1000, 0)
	info := b.update(h, now)
	if info.BucketLevel != 80 || info.BucketSize != 90 || info.DripRate != 2 {
		t.Fatalf("update: %+v", info)
	}
	// Asking without booking leaves the estimate alone.
	for range 3 {
		if got := b.reserve(5, 5, now, false); got != 0 {
			t.Fatalf("reserve without booking: waited %v", got)
		}
	}

	// 80 + 1 fits under 90 - 5; the next five push past and must wait
	// half a second per drip.
	tests := []struct {
		cost float64
		want time.Duration
	}{
		{1, 0},
		{4, 0},
		{1, 500 * time.Millisecond},
		{2, 1500 * time.Millisecond},
	}
	for i, tt := range tests {
		if got := b.reserve(tt.cost, 5, now, true); got != tt.want {
			t.Errorf("reserve %d: waited %v, want %v", i, got, tt.want)
		}
	}
}

func TestBurstCap(t *testing.T) {
	var b bucket
	h := http.Header{}
	h.Set("X-LS-API-Burst-Level", "0/5")
	now := time.Unix(1000, 0)
	b.update(h, now)
	var waits []time.Duration
	for range 4 {
		waits = append(waits, b.reserve(1, 5, now, true))
	}
	// Three a second (5 less 2 of headroom): the fourth waits a second.
	if fmt.Sprint(waits) != "[0s 0s 0s 1s]" {
		t.Errorf("waits %v", waits)
	}
}

// TestBurstWindowSeenFull checks that a burst window the server reports
// full, by the requests of any process, holds the next request for a
// second.
func TestBurstWindowSeenFull(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"5/20", 0},
		{"17/20", 0},
		{"18/20", time.Second},
		{"20/20", time.Second},
		{"3/5", time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			var b bucket
			h := http.Header{}
			h.Set("X-LS-API-Burst-Level", tt.header)
			now := time.Unix(1000, 0)
			b.update(h, now)
			if got := b.reserve(1, 5, now, true); got != tt.want {
				t.Errorf("waited %v, want %v", got, tt.want)
			}
			later := now.Add(400 * time.Millisecond)
			if got := b.reserve(1, 5, later, true); tt.want > 0 &&
				got != 600*time.Millisecond {
				t.Errorf("400ms later waited %v, want 600ms", got)
			}
		})
	}
}

func TestAPIErrorBodies(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		class  string
		msg    string
		is     error
	}{
		{"REST", 404, `{"httpCode":"404","httpMessage":"Not Found",` +
			`"message":"Object of type 'Item' not found","errorClass":"Exception"}`,
			"Exception", "Object of type 'Item' not found", ErrNotFound},
		{"OAuth", 401, `{"error":"access_denied","error_description":"denied",` +
			`"hint":"Access token could not be verified"}`, "access_denied",
			"denied: Access token could not be verified", ErrUnauthorized},
		{"HTML", 503, `<html><body>503</body></html>`, "",
			"Service Unavailable", ErrServer},
		{"Grant", 400, `{"error":"invalid_grant","error_description":"bad"}`,
			"invalid_grant", "bad", ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newAPIError(tt.status, []byte(tt.body))
			if e.Class != tt.class || e.Message != tt.msg {
				t.Errorf("got class %q message %q", e.Class, e.Message)
			}
			if !e.Is(tt.is) {
				t.Errorf("%v does not match %v", e, tt.is)
			}
		})
	}
}
