package lightspeedtest

import (
	"net/http"
	"sort"
	"strconv"
	"time"
)

// stampIndex keeps an entity's records in timeStamp order, so a read
// sorted by timeStamp renders only the rows it answers with instead of
// every row of the account. It is rebuilt when the records' count or
// timeStamps change.
type stampIndex struct {
	sum   int64 // of the records' timeStamps and IDs, to notice a change
	count int
	rows  []stamped
}

type stamped struct {
	obj   any
	stamp time.Time // truncated to the second, as rendered
	id    int64
}

// stampOf is the timeStamp a record renders with.
func stampOf(obj any) (time.Time, bool) {
	switch o := obj.(type) {
	case *itemRec:
		return o.stamp, true
	case *matrixRec:
		return o.stamp, true
	case stockRef:
		return o.item.stock[o.shopID].stamp, true
	case *imageRec:
		return o.stamp, true
	case *categoryRec:
		return o.stamp, true
	}
	return time.Time{}, false
}

// byStamp returns the entity's records in (timeStamp, ID) order, the
// order a timeStamp sort answers in. The caller holds s.mu.
func (s *Server) byStamp(e *entity) ([]stamped, bool) {
	objs := e.rows(s)
	var sum int64
	for _, o := range objs {
		t, ok := stampOf(o)
		if !ok {
			return nil, false
		}
		sum += t.Unix()*31 + idOf(o)
	}
	if s.stampIdx == nil {
		s.stampIdx = map[string]*stampIndex{}
	}
	idx := s.stampIdx[e.name]
	if idx != nil && idx.sum == sum && idx.count == len(objs) {
		return idx.rows, true
	}

	rows := make([]stamped, len(objs))
	for i, o := range objs {
		t, _ := stampOf(o)
		rows[i] = stamped{obj: o, stamp: t.Truncate(time.Second), id: idOf(o)}
	}
	sort.Slice(rows, func(i, j int) bool { return before(rows[i], rows[j].stamp, rows[j].id) })
	s.stampIdx[e.name] = &stampIndex{sum: sum, count: len(objs), rows: rows}
	return rows, true
}

func before(r stamped, t time.Time, id int64) bool {
	if !r.stamp.Equal(t) {
		return r.stamp.Before(t)
	}
	return r.id < id
}

// serveByStamp answers an ascending timeStamp read from the index: it
// starts after the cursor, or at a timeStamp lower bound among the
// filters, and renders rows only until the page is full. It reports false
// when the query is not one it can answer, and writes nothing then.
func (s *Server) serveByStamp(w http.ResponseWriter, r *http.Request, e *entity, q *query,
	filterRels relSet) bool {
	if q.sortBy != "timeStamp" || q.desc || q.before != "" || q.count {
		return false
	}
	ordered, ok := s.byStamp(e)
	if !ok || len(ordered) == 0 {
		return false
	}
	// An unknown filter field is answered with an error by the full read.
	if !q.knownFields(e.render(s, ordered[0].obj, filterRels)) {
		return false
	}

	start, ok := q.stampStart(ordered)
	if !ok {
		return false
	}

	var page []row
	more := false
	for _, o := range ordered[start:] {
		rec := e.render(s, o.obj, filterRels)
		if !q.keepArchived(rec) || !q.match(rec) {
			continue
		}
		if len(page) == q.limit {
			more = true
			break
		}
		key, _ := rec[q.sortBy].(string)
		page = append(page, row{obj: o.obj, rec: rec, key: key, id: o.id})
	}

	attrs := map[string]string{"next": "", "previous": ""}
	if more && len(page) > 0 {
		attrs["next"] = s.link(r, q, "after", q.cursor(page[len(page)-1]))
	}
	if q.after != "" && len(page) > 0 {
		attrs["previous"] = s.link(r, q, "before", q.cursor(page[0]))
	}
	out := map[string]any{"@attributes": attrs}
	var recs []record
	for _, p := range page {
		recs = append(recs, e.render(s, p.obj, q.rels))
	}
	if len(recs) > 0 {
		out[e.name] = oneOrMany(recs)
	}
	writeJSON(w, http.StatusOK, out)
	return true
}

// stampStart is where in ordered an ascending timeStamp read begins: after
// its cursor, and not before a timeStamp lower bound among its filters.
// It reports false for a cursor or bound it cannot read.
func (q *query) stampStart(ordered []stamped) (int, bool) {
	start := 0
	if q.after != "" {
		c, ok := q.parseCursor(q.after)
		if !ok {
			return 0, false
		}
		t, err := time.Parse(time.RFC3339, c.key)
		if err != nil {
			return 0, false
		}
		start = sort.Search(len(ordered), func(i int) bool {
			return !before(ordered[i], t, c.id+1)
		})
	}
	for _, f := range q.filters {
		if f.field != "timeStamp" || (f.op != ">=" && f.op != ">") {
			continue
		}
		t, err := time.Parse(time.RFC3339, f.arg)
		if err != nil {
			return 0, false
		}
		from := sort.Search(len(ordered), func(i int) bool {
			return !ordered[i].stamp.Before(t.Truncate(time.Second))
		})
		start = max(start, from)
	}
	return start, true
}

// idPrefilter returns a test that rejects, before rendering, the records an
// `ID IN [...]` or `ID = n` filter on the entity's own ID (or an item's
// itemMatrixID) leaves out; nil when the query has no such filter. Reads
// of 100 items by ID then cost what they return, not the whole account.
func (q *query) idPrefilter() func(any) bool {
	for _, f := range q.filters {
		if f.op != "IN" && f.op != "=" {
			continue
		}
		byMatrix := q.entity.name == "Item" && f.field == "itemMatrixID"
		if f.field != q.entity.idField && !byMatrix {
			continue
		}
		ids := map[int64]bool{}
		for _, a := range f.args() {
			id, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				return nil
			}
			ids[id] = true
		}
		if byMatrix {
			return func(obj any) bool {
				it, ok := obj.(*itemRec)
				return !ok || ids[it.matrixID]
			}
		}
		return func(obj any) bool { return ids[idOf(obj)] }
	}
	return nil
}
