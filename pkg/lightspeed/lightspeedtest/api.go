package lightspeedtest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// route answers a request once faults have had their say.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == tokenPath:
		s.serveToken(w, r)
	case strings.HasPrefix(path, "/images/"):
		s.serveImage(w, r)
	case strings.HasPrefix(path, "/API/V3/"):
		s.serveAPI(w, r)
	default:
		writeAPIError(w, http.StatusNotFound, "Not Found",
			"Route not found.", "Exception")
	}
}

// serveAPI answers GET requests under /API/V3/.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()

	client, ok := s.authorize(w, r)
	if !ok {
		return
	}
	if r.Method != http.MethodGet {
		if s.admit(w, client, 1) {
			writeAPIError(w, http.StatusMethodNotAllowed,
				"Method Not Allowed", "The emulator only serves reads.",
				"Exception")
		}
		return
	}
	if r.URL.Path == "/API/V3/Account.json" {
		if s.admit(w, client, 1) {
			writeJSON(w, http.StatusOK, map[string]any{
				"@attributes": map[string]string{"count": "1"},
				"Account": map[string]any{
					"accountID": itoa(s.opts.AccountID),
					"name":      s.opts.AccountName,
					"link": map[string]any{"@attributes": map[string]string{
						"href": "/API/V3/Account/" + itoa(s.opts.AccountID)}},
				}})
		}
		return
	}

	rest := strings.TrimPrefix(r.URL.Path, "/API/V3/Account/")
	acct, rest, _ := strings.Cut(rest, "/")
	name, idPart, single := strings.Cut(strings.TrimSuffix(rest, ".json"), "/")
	e := entities[name]
	if acct != itoa(s.opts.AccountID) || e == nil ||
		!strings.HasSuffix(rest, ".json") {
		if s.admit(w, client, 1) {
			writeAPIError(w, http.StatusNotFound, "Not Found",
				"Route not found.", "Exception")
		}
		return
	}

	q, msg := parseQuery(e, r.URL.Query(), single)
	cost := 1.0
	if msg == "" {
		cost = q.cost(!single)
	}
	if !s.admit(w, client, cost) {
		return
	}
	if msg != "" {
		badRequest(w, msg)
		return
	}
	if single {
		s.serveOne(w, e, idPart, q)
		return
	}
	s.serveList(w, r, e, q)
}

// query is a parsed list or single read.
type query struct {
	filters  []filter
	rels     relSet
	relNames []string
	sortBy   string
	desc     bool
	limit    int
	archived string
	after    string
	before   string
	count    bool
	entity   *entity
}

type filter struct {
	field, op, arg string
}

// reserved are the parameters that are not filters.
var reserved = map[string]bool{
	"limit": true, "sort": true, "archived": true, "load_relations": true,
	"after": true, "before": true, "count": true,
}

// filterOps are the operators in the order they must be tried, longest
// first.
var filterOps = []string{"><", ">=", "<=", "!=", "!~", ">", "<", "=", "~",
	"IN", "NOT IN"}

// parseQuery checks the parameters of a read; a non-empty message is the
// 400 to send.
func parseQuery(e *entity, v url.Values, single bool) (*query, string) {
	q := &query{entity: e, rels: relSet{}, sortBy: e.idField, limit: 100}
	if msg := q.parseRelations(v.Get("load_relations")); msg != "" {
		return nil, msg
	}
	if single {
		return q, ""
	}
	if msg := q.parseShape(v); msg != "" {
		return nil, msg
	}

	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if reserved[k] {
			continue
		}
		switch k {
		case "or", "offset", "orderby", "orderby_desc":
			return nil, "The parameter '" + k +
				"' is not supported by this endpoint."
		}
		for _, raw := range v[k] {
			f, msg := q.parseFilter(k, raw)
			if msg != "" {
				return nil, msg
			}
			q.filters = append(q.filters, f)
		}
	}
	return q, ""
}

func (q *query) parseRelations(raw string) string {
	if raw == "" {
		return ""
	}
	var names []string
	if raw == "all" {
		for name := range q.entity.rels {
			if !strings.HasPrefix(name, "CustomFieldValues") {
				names = append(names, name)
			}
		}
		sort.Strings(names)
	} else if err := json.Unmarshal([]byte(raw), &names); err != nil {
		return "load_relations must be passed as a JSON encoded array"
	}
	for _, name := range names {
		if _, ok := q.entity.rels[name]; !ok {
			return "Invalid relation '" + name + "' for " + q.entity.name + "."
		}
		q.rels[name] = true
		if head, _, nested := strings.Cut(name, "."); nested {
			q.rels[head] = true
		}
	}
	q.relNames = names
	return ""
}

func (q *query) parseShape(v url.Values) string {
	if raw := v.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 100 {
			return "Limit must be an integer between 1 and 100."
		}
		q.limit = n
	}
	if raw := v.Get("sort"); raw != "" {
		field := strings.TrimPrefix(raw, "-")
		if !contains(q.entity.sorts, field) {
			return "Sorting by '" + field + "' is not supported. " +
				"Sortable fields: " + strings.Join(q.entity.sorts, ", ") + "."
		}
		q.sortBy, q.desc = field, strings.HasPrefix(raw, "-")
	}
	switch a := v.Get("archived"); a {
	case "", "false", "0":
	case "true", "1", "only":
		if a == "1" {
			a = "true"
		}
		q.archived = a
	default:
		return "archived must be true, false or only."
	}
	q.after, q.before = v.Get("after"), v.Get("before")
	if v.Get("count") == "1" || v.Get("count") == "true" {
		if v.Has("limit") || v.Has("sort") || q.after != "" || q.before != "" {
			return "count cannot be combined with limit, sort, after or before."
		}
		q.count = true
	}
	return ""
}

func (q *query) parseFilter(field, raw string) (filter, string) {
	f := filter{field: field, op: "=", arg: raw}
	for _, op := range filterOps {
		if arg, ok := strings.CutPrefix(raw, op+","); ok {
			f.op, f.arg = op, arg
			break
		}
	}
	if head, _, nested := strings.Cut(field, "."); nested {
		if _, known := q.entity.rels[head]; !known {
			return f, "Invalid relation '" + head + "' in filter '" + field + "'."
		}
		if !q.rels[head] {
			return f, "Searching on '" + field + "' requires '" + head +
				"' in load_relations."
		}
	}
	if isTimeField(field) && f.op != "~" && f.op != "!~" {
		for _, a := range f.args() {
			if _, ok := parseTimeArg(a); !ok {
				return f, "Invalid date '" + a + "' for '" + field +
					"'. Use ISO 8601, such as 2024-01-01T00:00:00-00:00."
			}
		}
	}
	if (f.op == "IN" || f.op == "NOT IN") && len(f.args()) > 100 {
		return f, "IN takes at most 100 values."
	}
	return f, ""
}

// args splits the argument of >< and IN.
func (f filter) args() []string {
	switch f.op {
	case "><":
		lo, hi, _ := strings.Cut(f.arg, ",")
		return []string{lo, hi}
	case "IN", "NOT IN":
		inner := strings.TrimSuffix(strings.TrimPrefix(f.arg, "["), "]")
		var out []string
		for _, p := range strings.Split(inner, ",") {
			out = append(out, strings.Trim(strings.TrimSpace(p), `"`))
		}
		return out
	}
	return []string{f.arg}
}

func isTimeField(field string) bool {
	_, last, found := strings.Cut(field, ".")
	if !found {
		last = field
	}
	return last == "timeStamp" || last == "createTime"
}

var argLayouts = []string{time.RFC3339, "2006-01-02T15:04:05-0700",
	"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"}

func parseTimeArg(s string) (time.Time, bool) {
	for _, l := range argLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// cost prices the request the documented way.
func (q *query) cost(list bool) float64 {
	if q.count {
		return 10
	}
	c := 1.0
	for _, name := range q.relNames {
		head, _, nested := strings.Cut(name, ".")
		extra := 0.1
		if q.entity.rels[name] {
			extra = 0.2
		}
		if nested && q.entity.rels[head] {
			extra *= 2
		}
		if list {
			extra *= 2
		}
		c += extra
	}
	return c
}

// match reports whether r passes every filter.
func (q *query) match(r record) bool {
	for _, f := range q.filters {
		if !f.match(values(r, f.field)) {
			return false
		}
	}
	return true
}

// values collects what a field path holds in r, looking inside relations.
func values(r record, path string) []string {
	head, rest, nested := strings.Cut(path, ".")
	v := r[head]
	if nested {
		switch x := v.(type) {
		case record:
			return values(x, rest)
		case []record:
			var out []string
			for _, sub := range x {
				out = append(out, values(sub, rest)...)
			}
			return out
		}
		return nil
	}
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	}
	return nil
}

// match is true when any value matches, as a relation search returns
// records having at least one matching row.
func (f filter) match(vals []string) bool {
	for _, v := range vals {
		if f.matchOne(v) {
			return true
		}
	}
	return false
}

func (f filter) matchOne(v string) bool {
	switch f.op {
	case "=":
		return compare(v, f.arg) == 0
	case "!=":
		return compare(v, f.arg) != 0
	case ">":
		return compare(v, f.arg) > 0
	case ">=":
		return compare(v, f.arg) >= 0
	case "<":
		return compare(v, f.arg) < 0
	case "<=":
		return compare(v, f.arg) <= 0
	case "><":
		a := f.args()
		return compare(v, a[0]) >= 0 && compare(v, a[1]) <= 0
	case "~":
		return like(v, f.arg)
	case "!~":
		return !like(v, f.arg)
	case "IN", "NOT IN":
		in := false
		for _, a := range f.args() {
			if compare(v, a) == 0 {
				in = true
				break
			}
		}
		return in == (f.op == "IN")
	}
	return false
}

// compare orders two values as times, then as numbers, then as text
// without regard to case.
func compare(a, b string) int {
	if ta, ok := parseTimeArg(a); ok {
		if tb, ok := parseTimeArg(b); ok {
			return ta.Compare(tb)
		}
	}
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// like matches SQL LIKE patterns with % and _, without regard to case.
func like(v, pattern string) bool {
	v, pattern = strings.ToLower(v), strings.ToLower(pattern)
	if pattern == "" {
		return v == ""
	}
	switch pattern[0] {
	case '%':
		for i := 0; i <= len(v); i++ {
			if like(v[i:], pattern[1:]) {
				return true
			}
		}
		return false
	case '_':
		return v != "" && like(v[1:], pattern[1:])
	}
	return v != "" && v[0] == pattern[0] && like(v[1:], pattern[1:])
}

// row is a record with its sort key.
type row struct {
	obj any
	rec record
	key string
	id  int64
}

// less orders rows by the sort key, then by ID.
func (q *query) less(a, b row) bool {
	c := compare(a.key, b.key)
	if c == 0 {
		c = cmpInt(a.id, b.id)
	}
	if q.desc {
		return c > 0
	}
	return c < 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cursor encodes the position of r: base64 of a JSON array holding the
// sort key and the ID, or just the ID when sorting by ID.
func (q *query) cursor(r row) string {
	var v []any
	if q.sortBy != q.entity.idField {
		v = append(v, r.key)
	}
	b, _ := json.Marshal(append(v, r.id))
	return base64.StdEncoding.EncodeToString(b)
}

// parseCursor reads a cursor back into a row to compare with.
func (q *query) parseCursor(c string) (row, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return row{}, false
	}
	var v []json.RawMessage
	if json.Unmarshal(b, &v) != nil || len(v) == 0 {
		return row{}, false
	}
	var r row
	if json.Unmarshal(v[len(v)-1], &r.id) != nil {
		return row{}, false
	}
	r.key = itoa(r.id)
	if len(v) == 2 && json.Unmarshal(v[0], &r.key) != nil {
		return row{}, false
	}
	return r, true
}

// serveList filters, sorts and pages a list read.
func (s *Server) serveList(w http.ResponseWriter, r *http.Request,
	e *entity, q *query) {
	filterRels := relSet{}
	for _, f := range q.filters {
		if head, _, nested := strings.Cut(f.field, "."); nested {
			filterRels[head] = true
			filterRels[f.field[:strings.LastIndex(f.field, ".")]] = true
		}
	}
	if s.serveByStamp(w, r, e, q, filterRels) {
		return
	}
	// Rows come in ID order, so an ascending ID read can skip to its
	// cursor and stop once it has one row more than the page.
	fast := q.sortBy == e.idField && !q.desc && q.before == "" && !q.count
	var from int64
	if fast && q.after != "" {
		c, ok := q.parseCursor(q.after)
		if !ok {
			badRequest(w, "Invalid cursor.")
			return
		}
		from = c.id
	}
	var rows []row
	keep := q.idPrefilter()
	for _, obj := range e.rows(s) {
		if fast && idOf(obj) <= from {
			continue
		}
		if keep != nil && !keep(obj) {
			continue
		}
		if fast && len(rows) > q.limit {
			break
		}
		rec := e.render(s, obj, filterRels)
		if !q.keepArchived(rec) {
			continue
		}
		if len(rows) == 0 && !q.knownFields(rec) {
			badRequest(w, "Unknown field in filter for "+e.name+".")
			return
		}
		if !q.match(rec) {
			continue
		}
		id, _ := strconv.ParseInt(rec[e.idField].(string), 10, 64)
		key, _ := rec[q.sortBy].(string)
		rows = append(rows, row{obj: obj, rec: rec, key: key, id: id})
	}
	if q.count {
		writeJSON(w, http.StatusOK, map[string]any{
			"@attributes": map[string]string{"count": strconv.Itoa(len(rows))}})
		return
	}
	sort.SliceStable(rows, func(i, j int) bool { return q.less(rows[i], rows[j]) })

	page, more, ok := q.window(rows)
	if !ok {
		badRequest(w, "Invalid cursor.")
		return
	}
	attrs := map[string]string{"next": "", "previous": ""}
	if more && len(page) > 0 {
		attrs["next"] = s.link(r, q, "after", q.cursor(page[len(page)-1]))
	}
	if (q.after != "" || q.before != "") && len(page) > 0 {
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
}

// idOf is the primary ID of an emulator record.
func idOf(obj any) int64 {
	switch o := obj.(type) {
	case *itemRec:
		return o.id
	case *matrixRec:
		return o.id
	case stockRef:
		return o.item.stock[o.shopID].id
	case *categoryRec:
		return o.id
	case *manufacturerRec:
		return o.id
	case *imageRec:
		return o.id
	case int64:
		return o
	case *attrSetRec:
		return o.id
	case *shopRec:
		return o.id
	}
	return 0
}

// window cuts the page out of the sorted rows and says whether more rows
// follow it.
func (q *query) window(rows []row) (page []row, more, ok bool) {
	switch {
	case q.after != "":
		c, ok := q.parseCursor(q.after)
		if !ok {
			return nil, false, false
		}
		i := sort.Search(len(rows), func(i int) bool { return q.less(c, rows[i]) })
		rows = rows[i:]
	case q.before != "":
		c, ok := q.parseCursor(q.before)
		if !ok {
			return nil, false, false
		}
		i := sort.Search(len(rows), func(i int) bool { return !q.less(rows[i], c) })
		start := max(i-q.limit, 0)
		return rows[start:i], true, true
	}
	if len(rows) > q.limit {
		return rows[:q.limit], true, true
	}
	return rows, false, true
}

func (q *query) keepArchived(rec record) bool {
	if !q.entity.archivable {
		return true
	}
	archived := rec["archived"] == "true"
	switch q.archived {
	case "true":
		return true
	case "only":
		return archived
	}
	return !archived
}

// knownFields checks that each plain filter names a field of rec.
func (q *query) knownFields(rec record) bool {
	for _, f := range q.filters {
		if strings.Contains(f.field, ".") {
			continue
		}
		if _, ok := rec[f.field]; !ok {
			return false
		}
	}
	return true
}

// link builds a next or previous URL: the request's own parameters, with
// limit and sort made explicit and the cursor replaced.
func (s *Server) link(r *http.Request, q *query, dir, cursor string) string {
	var parts []string
	for _, p := range strings.Split(r.URL.RawQuery, "&") {
		if p == "" || strings.HasPrefix(p, "after=") ||
			strings.HasPrefix(p, "before=") {
			continue
		}
		parts = append(parts, p)
	}
	v := r.URL.Query()
	if !v.Has("limit") {
		parts = append(parts, "limit="+strconv.Itoa(q.limit))
	}
	if !v.Has("sort") {
		parts = append(parts, "sort="+q.entity.idField)
	}
	parts = append(parts, dir+"="+url.QueryEscape(cursor))
	return s.base() + r.URL.Path + "?" + strings.Join(parts, "&")
}

// serveOne answers a single read such as Item/12.json.
func (s *Server) serveOne(w http.ResponseWriter, e *entity, idPart string,
	q *query) {
	id, err := strconv.ParseInt(idPart, 10, 64)
	var obj any
	if err == nil {
		obj = e.find(s, id)
	}
	if obj == nil {
		writeAPIError(w, http.StatusNotFound, "Not Found",
			"Object of type '"+e.name+"' not found with primary ID '"+
				idPart+"'.", "Exception")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@attributes": map[string]string{"count": "1"},
		e.name:        finalize(e.render(s, obj, q.rels)),
	})
}

// fakeJPEG is a tiny valid JPEG (one grey pixel) served for every image.
var fakeJPEG = []byte{
	0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01,
	0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43,
	0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08, 0x07, 0x07, 0x07, 0x09,
	0x09, 0x08, 0x0a, 0x0c, 0x14, 0x0d, 0x0c, 0x0b, 0x0b, 0x0c, 0x19, 0x12,
	0x13, 0x0f, 0x14, 0x1d, 0x1a, 0x1f, 0x1e, 0x1d, 0x1a, 0x1c, 0x1c, 0x20,
	0x24, 0x2e, 0x27, 0x20, 0x22, 0x2c, 0x23, 0x1c, 0x1c, 0x28, 0x37, 0x29,
	0x2c, 0x30, 0x31, 0x34, 0x34, 0x34, 0x1f, 0x27, 0x39, 0x3d, 0x38, 0x32,
	0x3c, 0x2e, 0x33, 0x34, 0x32, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x01,
	0x00, 0x01, 0x01, 0x01, 0x11, 0x00, 0xff, 0xc4, 0x00, 0x14, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0xff, 0xc4, 0x00, 0x14, 0x10, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01,
	0x00, 0x00, 0x3f, 0x00, 0x2a, 0x9f, 0xff, 0xd9,
}

// serveImage serves the bytes of an image by public ID, with or without
// an extension and transform segments.
func (s *Server) serveImage(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	if i := strings.LastIndex(name, "."); i > 0 {
		name = name[:i]
	}
	s.mu.Lock()
	ok := false
	for _, o := range s.allImages() {
		if o.(*imageRec).publicID == name {
			ok = true
			break
		}
	}
	if ok {
		s.images++
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Content-Length", strconv.Itoa(len(fakeJPEG)))
	_, _ = w.Write(fakeJPEG)
}
