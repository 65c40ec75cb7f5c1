package woocommercetest

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const maxRequestBody = 32 << 20

func readBody(r *http.Request) ([]byte, *apiError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		return nil, badRequest("rest_invalid_json", "Invalid JSON body passed.")
	}
	return body, nil
}

// listProducts serves GET /products with the filters storesync uses.
func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	match, e := productFilter(q)
	if e != nil {
		writeError(w, e)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*post
	for _, p := range s.sortedPosts() {
		if match(p) {
			list = append(list, p)
		}
	}
	sortPosts(list, q.Get("orderby"), q.Get("order"))

	lo, hi, e := paginate(w, r, len(list))
	if e != nil {
		writeError(w, e)
		return
	}
	views := []productView{}
	for _, p := range list[lo:hi] {
		views = append(views, s.productView(p))
	}
	writeJSON(w, http.StatusOK, views)
}

// productFilter builds the filter of a product list. With sku the list
// spans products and variations; without it, products only.
func productFilter(q map[string][]string) (func(*post) bool, *apiError) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var skus []string
	for _, s := range strings.Split(get("sku"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			skus = append(skus, s)
		}
	}
	var include []int64
	for _, v := range strings.Split(get("include"), ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			include = append(include, id)
		}
	}
	var after time.Time
	if v := get("modified_after"); v != "" {
		t, err := parseDate(v)
		if err != nil {
			return nil, invalidParams(map[string]string{"modified_after": "" +
				"Invalid date."})
		}
		after = t
	}
	status, typ := get("status"), get("type")
	if status == "" {
		status = "any"
	}

	return func(p *post) bool {
		switch {
		case len(skus) > 0 && !slices.Contains(skus, p.SKU),
			len(skus) == 0 && p.isVariation(),
			status == "any" && p.Status == "trash",
			status != "any" && p.Status != status,
			typ != "" && p.Type != typ,
			len(include) > 0 && !slices.Contains(include, p.ID),
			!after.IsZero() && !p.Modified.After(after):
			return false
		}
		return true
	}, nil
}

func parseDate(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, dateLayout} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Parse(time.DateOnly, v)
}

// sortPosts orders a list as orderby and order ask; by date, newest first,
// by default.
func sortPosts(list []*post, orderby, order string) {
	slices.SortStableFunc(list, func(a, b *post) int {
		switch orderby {
		case "id":
			return cmpID(a.ID, b.ID)
		case "title":
			return strings.Compare(a.Name, b.Name)
		}
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return cmpID(a.ID, b.ID)
	})
	if order != "asc" {
		slices.Reverse(list)
	}
}

func (s *Server) getProduct(w http.ResponseWriter, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.posts[id]
	if p == nil {
		writeError(w, &apiError{Status: http.StatusNotFound,
			Code: "woocommerce_rest_product_invalid_id", Message: "Invalid ID."})
		return
	}
	writeJSON(w, http.StatusOK, s.productView(p))
}

func (s *Server) createProduct(w http.ResponseWriter, r *http.Request,
	f *Fault) {
	s.writeOne(w, r, target{}, http.StatusCreated,
		f != nil && f.Kind == FaultImageErrorButSaved)
}

func (s *Server) updateProduct(w http.ResponseWriter, r *http.Request,
	id int64) {
	s.writeOne(w, r, target{id: id}, http.StatusOK, false)
}

func (s *Server) createVariation(w http.ResponseWriter, r *http.Request,
	parentID int64) {
	s.writeOne(w, r, target{variation: true, parentID: parentID},
		http.StatusCreated, false)
}

func (s *Server) updateVariation(w http.ResponseWriter, r *http.Request,
	parentID, id int64) {
	s.writeOne(w, r, target{variation: true, parentID: parentID, id: id},
		http.StatusOK, false)
}

func (s *Server) writeOne(w http.ResponseWriter, r *http.Request, t target,
	status int, imageFault bool) {
	body, e := readBody(r)
	if e != nil {
		writeError(w, e)
		return
	}
	view, e := s.write(t, body, imageFault)
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, status, view)
}

// deleteProduct trashes a product, or deletes it with force=true.
func (s *Server) deleteProduct(w http.ResponseWriter, r *http.Request,
	id int64) {
	force := r.URL.Query().Get("force") == "true"
	s.mu.Lock()
	defer s.mu.Unlock()
	view, e := s.remove(target{id: id}, force)
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, view)
}

func (s *Server) deleteVariation(w http.ResponseWriter, r *http.Request,
	parentID, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	view, e := s.remove(target{variation: true, parentID: parentID, id: id},
		true)
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// remove deletes or trashes a post and returns it as it was. Variations
// have no trash. The caller holds s.mu.
func (s *Server) remove(t target, force bool) (any, *apiError) {
	p, e := s.draft(t)
	if e != nil {
		if e == errInvalidID {
			e = &apiError{Status: http.StatusNotFound, Code: e.Code,
				Message: e.Message}
		}
		return nil, e
	}
	p = s.posts[p.ID]
	view := s.view(p)
	if !force && !p.isVariation() {
		p.Status = "trash"
		p.Modified = s.opts.Now()
		return s.view(p), nil
	}
	for _, vid := range p.Variations {
		delete(s.posts, vid)
	}
	if parent := s.posts[p.ParentID]; parent != nil {
		parent.Variations = slices.DeleteFunc(parent.Variations,
			func(id int64) bool { return id == p.ID })
	}
	delete(s.posts, p.ID)
	return view, nil
}

func (s *Server) getVariation(w http.ResponseWriter, parentID, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.draft(target{variation: true, parentID: parentID, id: id})
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, s.variationView(p))
}

func (s *Server) listVariations(w http.ResponseWriter, r *http.Request,
	parentID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, e := s.draft(target{variation: true, parentID: parentID}); e != nil {
		writeError(w, e)
		return
	}
	var list []*post
	for _, p := range s.sortedPosts() {
		if p.ParentID == parentID && p.isVariation() {
			list = append(list, p)
		}
	}
	q := r.URL.Query()
	sortPosts(list, q.Get("orderby"), q.Get("order"))
	lo, hi, e := paginate(w, r, len(list))
	if e != nil {
		writeError(w, e)
		return
	}
	views := []variationView{}
	for _, p := range list[lo:hi] {
		views = append(views, s.variationView(p))
	}
	writeJSON(w, http.StatusOK, views)
}

// batchRequest is the body of a batch call.
type batchRequest struct {
	Create []json.RawMessage `json:"create"`
	Update []json.RawMessage `json:"update"`
	Delete []json.RawMessage `json:"delete"`
}

func (s *Server) serveProductBatch(w http.ResponseWriter, r *http.Request,
	f *Fault) {
	s.serveBatch(w, r, f, target{})
}

func (s *Server) serveVariationBatch(w http.ResponseWriter, r *http.Request,
	f *Fault, parentID int64) {
	s.serveBatch(w, r, f, target{variation: true, parentID: parentID})
}

// serveBatch runs the operations of a batch one by one, not in a
// transaction, and answers 200 with each failure in place.
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request,
	f *Fault, base target) {
	body, e := readBody(r)
	if e != nil {
		writeError(w, e)
		return
	}
	var req batchRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, badRequest("rest_invalid_json",
			"Invalid JSON body passed."))
		return
	}
	n := len(req.Create) + len(req.Update) + len(req.Delete)
	if n > s.opts.BatchLimit {
		writeError(w, &apiError{Status: http.StatusRequestEntityTooLarge,
			Code: "woocommerce_rest_request_entity_too_large",
			Message: "Unable to accept more than " +
				strconv.Itoa(s.opts.BatchLimit) + " items for this request."})
		return
	}
	if base.variation {
		s.mu.Lock()
		_, e := s.draft(base)
		s.mu.Unlock()
		if e != nil {
			writeError(w, e)
			return
		}
	}

	out := map[string][]any{}
	if req.Create != nil {
		out["create"] = s.batchCreates(req.Create, f, base)
	}
	if f != nil && f.Kind == FaultPartialCommit {
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		writeError(w, &apiError{Status: status, Code: "service_unavailable",
			Message: "The server is temporarily unable to serve the request."})
		return
	}
	if req.Update != nil {
		out["update"] = s.batchUpdates(req.Update, base)
	}
	if req.Delete != nil {
		out["delete"] = s.batchDeletes(req.Delete, base)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) batchCreates(raws []json.RawMessage, f *Fault,
	base target) []any {
	imageFault := f != nil && f.Kind == FaultImageErrorButSaved
	out := []any{}
	for i, raw := range raws {
		if f != nil && f.Kind == FaultPartialCommit && i >= f.CommitFirst {
			break
		}
		view, e := s.write(base, raw, imageFault)
		out = append(out, itemResult(view, 0, e))
	}
	return out
}

func (s *Server) batchUpdates(raws []json.RawMessage, base target) []any {
	out := []any{}
	for _, raw := range raws {
		var ref struct {
			ID json.RawMessage `json:"id"`
		}
		_ = json.Unmarshal(raw, &ref)
		id, _ := parseInteger(ref.ID)
		t := base
		t.id = id
		if id <= 0 {
			out = append(out, itemResult(nil, 0, errInvalidID))
			continue
		}
		view, e := s.write(t, raw, false)
		out = append(out, itemResult(view, id, e))
	}
	return out
}

func (s *Server) batchDeletes(raws []json.RawMessage, base target) []any {
	out := []any{}
	for _, raw := range raws {
		id, ok := parseInteger(raw)
		if !ok {
			var ref struct {
				ID json.RawMessage `json:"id"`
			}
			_ = json.Unmarshal(raw, &ref)
			id, _ = parseInteger(ref.ID)
		}
		t := base
		t.id = id
		var view any
		e := errInvalidID
		if id > 0 {
			// Batch deletes are permanent: the store forces them.
			s.mu.Lock()
			view, e = s.remove(t, true)
			s.mu.Unlock()
		}
		out = append(out, itemResult(view, id, e))
	}
	return out
}

// itemResult is one entry of a batch answer: the object, or its error in
// place with the id it was about (0 for a create).
func itemResult(view any, id int64, e *apiError) any {
	if e == nil {
		return view
	}
	return map[string]any{"id": id, "error": e.body()}
}
