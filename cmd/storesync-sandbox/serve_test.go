package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/storesync/storesync/internal/seed"
)

func TestServeCatalogSyntheticTagAll(t *testing.T) {
	c, err := serveCatalog(ServeOptions{Synthetic: 200, MatrixShare: 0.5, TagAll: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 200 || len(c.Matrices) == 0 {
		t.Fatalf("got %d items, %d matrices", len(c.Items), len(c.Matrices))
	}
	for _, it := range c.Items {
		tagged := len(it.Tags) == 1 && it.Tags[0] == seed.WebTag
		if tagged == (it.ItemMatrixID != 0) {
			t.Errorf("item %d (matrix %d) tags %v", it.ItemID, it.ItemMatrixID, it.Tags)
		}
	}
	for _, m := range c.Matrices {
		if len(m.Tags) != 1 {
			t.Errorf("matrix %d tags %v", m.ItemMatrixID, m.Tags)
		}
	}
}

func TestDelayedSparesTheControlAPI(t *testing.T) {
	const d = 30 * time.Millisecond
	h := delayed(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), d)
	tests := []struct {
		path string
		slow bool
	}{
		{"/API/V3/Account/1/Item.json", true},
		{"/_sandbox/stats", false},
	}
	for _, tt := range tests {
		start := time.Now()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", tt.path, nil))
		if took := time.Since(start); (took >= d) != tt.slow {
			t.Errorf("%s took %v, want slow = %v", tt.path, took, tt.slow)
		}
	}
}
