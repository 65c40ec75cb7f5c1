package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestChangesPickDistinctItemsInStock(t *testing.T) {
	s := syntheticShape(1000, 0.3)
	c := s.changes(30)
	if len(c.SellSimple) != 10 || len(c.PriceSimple) != 10 || len(c.SellVariant) != 10 {
		t.Fatalf("changes %d/%d/%d, want 10 of each", len(c.SellSimple),
			len(c.PriceSimple), len(c.SellVariant))
	}
	seen := map[int64]bool{}
	for _, id := range append(append(c.SellSimple, c.PriceSimple...), c.SellVariant...) {
		if seen[id] {
			t.Errorf("item %d changed twice", id)
		}
		seen[id] = true
	}
	for _, id := range append(c.SellSimple, c.SellVariant...) {
		if !s.InStock[id] {
			t.Errorf("sold item %d has no stock on the shop floor", id)
		}
	}
	b := c.syncBound()
	if b.LS != 2 || b.Web != 1+len(c.Parents) {
		t.Errorf("bound %+v, want 2 LS and %d web", b, 1+len(c.Parents))
	}
}

func TestTableExtrapolatesFromTheLargestMeasuredSize(t *testing.T) {
	results := []result{
		{Job: "sync idle", N: 1000, Mode: fast.Name, LS: 130, Bound: bound{LS: 130}},
		{Job: "sync idle", N: 1000, Mode: prod.Name, LS: 130, Wall: 2 * time.Minute},
		{Job: "sync idle", N: 10000, Mode: fast.Name, LS: 260, Bound: bound{LS: 130}},
	}
	var buf bytes.Buffer
	writeTable(&buf, results)
	out := buf.String()
	if !strings.Contains(out, "2m00s") || !strings.Contains(out, "~4m00s") ||
		!strings.Contains(out, "~2.00") {
		t.Errorf("table:\n%s", out)
	}
}
