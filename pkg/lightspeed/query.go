package lightspeed

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// maxLimit is the largest page the API serves.
const maxLimit = 100

// encode turns q into a query string. The operator and the comma after it
// are percent-encoded, as the API documents; so is every value, which
// keeps a "+" offset in a timestamp from turning into a space.
func (q Query) encode() (string, error) {
	var parts []string
	for _, f := range q.Filters {
		if f.Field == "" {
			return "", fmt.Errorf("encode filter: empty field")
		}
		op := f.Op
		if op == "" {
			op = "="
		}
		parts = append(parts, url.QueryEscape(f.Field)+"="+
			url.QueryEscape(op+","+f.Value))
	}
	if len(q.Relations) > 0 {
		rel, err := json.Marshal(q.Relations)
		if err != nil {
			return "", fmt.Errorf("encode relations: %w", err)
		}
		parts = append(parts, "load_relations="+url.QueryEscape(string(rel)))
	}
	if q.Sort != "" {
		parts = append(parts, "sort="+url.QueryEscape(q.Sort))
	}
	limit := q.Limit
	if limit <= 0 || limit > maxLimit {
		limit = maxLimit
	}
	parts = append(parts, "limit="+strconv.Itoa(limit))
	switch q.Archived {
	case "", "false":
	case "true", "only":
		parts = append(parts, "archived="+q.Archived)
	default:
		return "", fmt.Errorf("encode archived %q: want true or only",
			q.Archived)
	}
	return strings.Join(parts, "&"), nil
}

// toMany lists the relations that hold many records; the rest are
// to-one. Their costs differ.
var toMany = map[string]bool{
	"ItemShops": true, "Images": true, "TagRelations": true, "Tags": true,
	"Items": true, "CustomFieldValues": true, "ItemVendorNums": true,
	"ItemComponents": true, "ItemPrices": true,
}

// estimateCost is the documented price of a read in drips: 1, plus 0.1
// per to-one and 0.2 per to-many relation, doubled on lists and under a
// to-many relation.
func estimateCost(relations []string, list bool) float64 {
	cost := 1.0
	for _, r := range relations {
		segs := strings.Split(r, ".")
		extra := 0.1
		if toMany[segs[len(segs)-1]] {
			extra = 0.2
		}
		for _, s := range segs[:len(segs)-1] {
			if toMany[s] {
				extra *= 2
				break
			}
		}
		if list {
			extra *= 2
		}
		cost += extra
	}
	return cost
}

// mergeParams returns next with every parameter of first that next lacks.
// The API is meant to keep them in its next links; one integrator saw
// them dropped, and a dropped filter would silently widen the read.
func mergeParams(next, first string) (string, error) {
	u, err := url.Parse(next)
	if err != nil {
		return "", fmt.Errorf("parse next link: %w", err)
	}
	have, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return next, nil
	}
	extra := []string{}
	for _, p := range strings.Split(first, "&") {
		key, _, _ := strings.Cut(p, "=")
		key, err := url.QueryUnescape(key)
		if err != nil || key == "" {
			continue
		}
		if _, ok := have[key]; !ok {
			extra = append(extra, p)
		}
	}
	if len(extra) == 0 {
		return next, nil
	}
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += strings.Join(extra, "&")
	return u.String(), nil
}
