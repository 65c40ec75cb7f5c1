package woocommercetest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const (
	taxCategory = "product_cat"
	taxBrand    = "product_brand"
)

func taxonomyOf(segment string) string {
	if segment == "brands" {
		return taxBrand
	}
	return taxCategory
}

type termView struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Slug        string `json:"slug"`
	Parent      int64  `json:"parent"`
	Description string `json:"description"`
	Display     string `json:"display"`
	Image       any    `json:"image"`
	MenuOrder   int    `json:"menu_order"`
	Count       int    `json:"count"`
}

func termViewOf(t *term) termView {
	return termView{ID: t.ID, Name: t.Name, Slug: t.Slug, Parent: t.Parent,
		Description: t.Description, Display: "default"}
}

// serveTerms serves /products/categories and /products/brands.
func (s *Server) serveTerms(w http.ResponseWriter, r *http.Request,
	tax string, seg []string) {
	if len(seg) == 0 {
		switch r.Method {
		case http.MethodGet:
			s.listTerms(w, r, tax)
		case http.MethodPost:
			s.createTerm(w, r, tax)
		default:
			s.noRoute(w)
		}
		return
	}
	id, err := strconv.ParseInt(seg[0], 10, 64)
	if err != nil || len(seg) > 1 {
		s.noRoute(w)
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		defer s.mu.Unlock()
		t, e := s.findTerm(tax, id)
		if e != nil {
			writeError(w, e)
			return
		}
		writeJSON(w, http.StatusOK, termViewOf(t))
	case http.MethodPut, http.MethodPost, http.MethodPatch:
		s.updateTerm(w, r, tax, id)
	default:
		s.noRoute(w)
	}
}

func (s *Server) findTerm(tax string, id int64) (*term, *apiError) {
	t := s.terms[id]
	if t == nil || t.Taxonomy != tax {
		return nil, &apiError{Status: http.StatusNotFound,
			Code: "woocommerce_rest_term_invalid", Message: "Resource does not exist."}
	}
	return t, nil
}

// sortedTerms lists the terms of a taxonomy by id. The caller holds s.mu.
func (s *Server) sortedTerms(tax string) []*term {
	var out []*term
	for _, t := range s.terms {
		if t.Taxonomy == tax {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *term) int { return cmpID(a.ID, b.ID) })
	return out
}

func (s *Server) listTerms(w http.ResponseWriter, r *http.Request,
	tax string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.sortedTerms(tax)
	if r.URL.Query().Get("orderby") != "id" {
		slices.SortStableFunc(list, func(a, b *term) int {
			return strings.Compare(strings.ToLower(a.Name),
				strings.ToLower(b.Name))
		})
	}
	if r.URL.Query().Get("order") == "desc" {
		slices.Reverse(list)
	}
	lo, hi, e := paginate(w, r, len(list))
	if e != nil {
		writeError(w, e)
		return
	}
	views := []termView{}
	for _, t := range list[lo:hi] {
		views = append(views, termViewOf(t))
	}
	writeJSON(w, http.StatusOK, views)
}

func (s *Server) createTerm(w http.ResponseWriter, r *http.Request,
	tax string) {
	in, e := readFields(r)
	if e != nil {
		writeError(w, e)
		return
	}
	name, _ := in.str("name")
	slug, _ := in.str("slug")
	desc, _ := in.str("description")
	parent, _ := in.integer("parent")
	if e := in.err(); e != nil {
		writeError(w, e)
		return
	}
	if strings.TrimSpace(name) == "" {
		writeError(w, &apiError{Status: http.StatusBadRequest,
			Code:    "rest_missing_callback_param",
			Message: "Missing parameter(s): name",
			Data:    map[string]any{"params": []string{"name"}}})
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	t := &term{Taxonomy: tax, Name: strings.TrimSpace(name), Parent: parent,
		Description: desc}
	if e := s.placeTerm(t, slug); e != nil {
		writeError(w, e)
		return
	}
	s.nextTerm++
	t.ID = s.nextTerm
	s.terms[t.ID] = t
	writeJSON(w, http.StatusCreated, termViewOf(t))
}

// placeTerm checks the parent, refuses a duplicate name under the same
// parent or a taken slug, and gives the term a free slug. The caller holds
// s.mu.
func (s *Server) placeTerm(t *term, slug string) *apiError {
	if t.Parent != 0 {
		if p := s.terms[t.Parent]; p == nil || p.Taxonomy != t.Taxonomy ||
			p.ID == t.ID {
			return badRequest("missing_parent", "Parent term does not exist.")
		}
	}
	for _, o := range s.terms {
		if o.Taxonomy == t.Taxonomy && o.ID != t.ID && o.Parent == t.Parent &&
			strings.EqualFold(o.Name, t.Name) {
			return &apiError{Status: http.StatusBadRequest,
				Code: "term_exists",
				Message: "A term with the name provided already exists " +
					"with this parent.",
				Data: map[string]any{"resource_id": o.ID}}
		}
	}
	if slug != "" {
		if o := s.termBySlug(t.Taxonomy, slugify(slug)); o != nil &&
			o.ID != t.ID {
			return &apiError{Status: http.StatusBadRequest,
				Code: "term_exists",
				Message: "A term with the name provided already exists " +
					"in this taxonomy.",
				Data: map[string]any{"resource_id": o.ID}}
		}
		t.Slug = slugify(slug)
		return nil
	}
	if t.Slug != "" {
		return nil
	}
	base := slugify(t.Name)
	t.Slug = base
	for i := 2; s.termBySlug(t.Taxonomy, t.Slug) != nil; i++ {
		t.Slug = base + "-" + strconv.Itoa(i)
	}
	return nil
}

func (s *Server) termBySlug(tax, slug string) *term {
	for _, o := range s.terms {
		if o.Taxonomy == tax && o.Slug == slug {
			return o
		}
	}
	return nil
}

func (s *Server) updateTerm(w http.ResponseWriter, r *http.Request,
	tax string, id int64) {
	in, e := readFields(r)
	if e != nil {
		writeError(w, e)
		return
	}
	name, hasName := in.str("name")
	slug, _ := in.str("slug")
	desc, hasDesc := in.str("description")
	parent, hasParent := in.integer("parent")
	if e := in.err(); e != nil {
		writeError(w, e)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	old, e := s.findTerm(tax, id)
	if e != nil {
		writeError(w, e)
		return
	}
	t := *old
	if hasName && strings.TrimSpace(name) != "" {
		t.Name = strings.TrimSpace(name)
	}
	if hasDesc {
		t.Description = desc
	}
	if hasParent {
		t.Parent = parent
	}
	if e := s.placeTerm(&t, slug); e != nil {
		writeError(w, e)
		return
	}
	*old = t
	writeJSON(w, http.StatusOK, termViewOf(old))
}

// readFields reads a request body of JSON fields.
func readFields(r *http.Request) (*fields, *apiError) {
	body, e := readBody(r)
	if e != nil {
		return nil, e
	}
	return parseFields(body)
}
