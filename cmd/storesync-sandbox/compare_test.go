package main

import (
	"bytes"
	"strings"
	"testing"
)

func ptr(n int64) *int64 { return &n }

func TestCompareRows(t *testing.T) {
	items := []lsItem{
		{ItemID: 1, SKU: "A", Tags: []string{"webon"},
			Sellable: map[int64]int64{0: 5, 1: 5, 2: 0},
			Prices:   map[string]string{"Default": "15.0", "Online": "0"}},
		{ItemID: 2, SKU: "a", Tags: []string{"WebOn"},
			Sellable: map[int64]int64{0: 3, 1: 3, 2: 0},
			Prices:   map[string]string{"Default": "2.95", "Online": "2.50"}},
		{ItemID: 3, SKU: "B", Tags: []string{"webonly"},
			Sellable: map[int64]int64{0: 1},
			Prices:   map[string]string{"Default": "1"}},
		{ItemID: 4, SKU: "V-S", MatrixID: 9,
			Sellable: map[int64]int64{0: 2, 1: 0, 2: 2},
			Prices:   map[string]string{"Default": "20"}},
		{ItemID: 5, SKU: "OLD", Tags: []string{"webon"}, Archived: true,
			Sellable: map[int64]int64{0: 0},
			Prices:   map[string]string{"Default": "1"}},
		{ItemID: 6, SKU: "DUP", Tags: []string{"webon"},
			Sellable: map[int64]int64{0: 0, 1: 0},
			Prices:   map[string]string{"Default": "1"}},
	}
	matrices := []lsMatrix{{MatrixID: 9, Tags: []string{"WEBON"}}}
	web := []webEntry{
		{SKU: "A", Stock: ptr(5), Price: "15.00"},
		{SKU: "a", Stock: ptr(3), Price: "2.95"},
		{SKU: "V-S", Stock: ptr(1), Price: "20"},
		{SKU: "DUP", Stock: ptr(0), Price: "1"},
		{SKU: "DUP", Stock: ptr(0), Price: "1"},
	}

	tests := []struct {
		name    string
		opts    CompareOptions
		summary string
	}{
		{
			name: "total stock, default price",
			opts: CompareOptions{Tag: "webon", PriceLevel: "Default"},
			summary: "4 tagged products; 3 in the web store exactly once; " +
				"2 with matching stock and price; 0 missing; 1 duplicated",
		},
		{
			name: "online price where set",
			opts: CompareOptions{Tag: "WEBON", PriceLevel: "Online"},
			summary: "4 tagged products; 3 in the web store exactly once; " +
				"1 with matching stock and price; 0 missing; 1 duplicated",
		},
		{
			name: "warehouse only",
			opts: CompareOptions{Tag: "webon", PriceLevel: "Default",
				Shops: []int64{2}},
			summary: "4 tagged products; 3 in the web store exactly once; " +
				"0 with matching stock and price; 0 missing; 1 duplicated",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			rows := compareRows(items, matrices, web, tt.opts)
			printComparison(&out, rows)
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if got := lines[len(lines)-1]; got != tt.summary {
				t.Errorf("summary\n got %q\nwant %q", got, tt.summary)
			}
		})
	}
}

func TestCompareRowsMissing(t *testing.T) {
	items := []lsItem{{ItemID: 1, SKU: "A", Tags: []string{"webon"},
		Sellable: map[int64]int64{0: -4, 1: -4},
		Prices:   map[string]string{"Default": "1"}}}
	rows := compareRows(items, nil, nil, CompareOptions{Tag: "webon"})
	if len(rows) != 1 || rows[0].Count != 0 || rows[0].LSStock != 0 {
		t.Fatalf("rows = %+v, want one missing row with stock 0", rows)
	}
	var out bytes.Buffer
	sum := printComparison(&out, rows)
	if sum.missing != 1 {
		t.Errorf("missing = %d, want 1", sum.missing)
	}
}

func TestStockOf(t *testing.T) {
	sellable := map[int64]int64{0: 7, 1: -3, 2: 7}
	tests := []struct {
		name  string
		shops []int64
		want  int64
	}{
		{"total", nil, 7},
		{"negative shop counts as zero", []int64{1, 2}, 7},
		{"oversold shop alone", []int64{1}, 0},
		{"unknown shop", []int64{3}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stockOf(sellable, tt.shops); got != tt.want {
				t.Errorf("stockOf = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestSamePrice(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"15.0", "15", true},
		{"0.315", "0.315", true},
		{"0.315", "0.32", false},
		{"2.95", "", false},
		{"abc", "abc", false},
	}
	for _, tt := range tests {
		if got := samePrice(tt.a, tt.b); got != tt.want {
			t.Errorf("samePrice(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseShops(t *testing.T) {
	got, err := parseShops("1, 2")
	if err != nil || len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("parseShops(\"1, 2\") = %v, %v", got, err)
	}
	if _, err := parseShops("1,x"); err == nil {
		t.Error("parseShops(\"1,x\") succeeded, want an error")
	}
}

func TestCheckStore(t *testing.T) {
	items := []lsItem{
		{ItemID: 1, SKU: "A"},
		{ItemID: 2, SKU: "B", Archived: true},
		{ItemID: 3, SKU: "C", Archived: true},
	}
	tests := []struct {
		name string
		web  []webEntry
		want storeCheck
	}{
		{
			name: "clean",
			web: []webEntry{
				{SKU: "A", ItemID: "1", Status: "publish"},
				{SKU: "B", ItemID: "2", Status: "draft"},
				{SKU: "C", ItemID: "3", Status: "private"},
				{SKU: "LSM-9", MatrixID: "9", Status: "publish"},
			},
			want: storeCheck{entries: 4},
		},
		{
			name: "a SKU twice, one untagged",
			web: []webEntry{
				{SKU: "X", Status: "publish"},
				{SKU: "X", Status: "draft"},
			},
			want: storeCheck{entries: 2, dupSKUs: 1},
		},
		{
			name: "an item id on two SKUs",
			web: []webEntry{
				{SKU: "A", ItemID: "1"},
				{SKU: "A-old", ItemID: "1"},
				{SKU: "LSM-9", MatrixID: "9"},
				{SKU: "LSM-9b", MatrixID: "9"},
			},
			want: storeCheck{entries: 4, dupIDs: 2},
		},
		{
			name: "archived still published",
			web:  []webEntry{{SKU: "B", ItemID: "2", Status: "publish"}},
			want: storeCheck{entries: 1, archivedOnSale: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkStore(items, tt.web); got != tt.want {
				t.Errorf("checkStore = %+v, want %+v", got, tt.want)
			}
		})
	}
}
