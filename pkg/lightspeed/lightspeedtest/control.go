package lightspeedtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// The control API lets scripts and the sandbox binary act on the shop
// floor over HTTP. Every route but the two GETs takes a JSON body by POST
// and answers {"ok":true} or {"error":"..."}:
//
//	POST /_sandbox/sell        {"item_id":1,"shop_id":1,"qty":2}
//	POST /_sandbox/stock       {"item_id":1,"shop_id":1,"qoh":5}
//	POST /_sandbox/price       {"item_id":1,"level":"Default","amount":"9.99"}
//	POST /_sandbox/description {"item_id":1,"description":"New name"}
//	POST /_sandbox/tag         {"item_id":1,"tag":"webstore","remove":false}
//	POST /_sandbox/tag-matrix  {"matrix_id":1,"tag":"webstore","remove":false}
//	POST /_sandbox/archive     {"item_id":1} or {"matrix_id":1},
//	                           with "unarchive":true to undo (items only)
//	POST /_sandbox/add-variant {"matrix_id":1,"item":{"CustomSKU":"X-M",
//	                           "Description":"X M","Attributes":["M"],
//	                           "Prices":{"Default":"10"},"Stock":{"1":3}}}
//	                           answers {"ok":true,"item_id":N}
//	POST /_sandbox/fault       {"path":"/Item.json","kind":"429","count":3,
//	                           "retry_after":1,"delay_ms":0}
//	POST /_sandbox/clear-faults {}
//	POST /_sandbox/tokens      {} answers {"access_token":..,"refresh_token":..}
//	POST /_sandbox/reset-stats {} clears the counters, the request log and
//	                           the highest bucket level
//	GET  /_sandbox/stats       counters and bucket, and the paced API
//	                           requests: per minute from the first one
//	                           ("api_per_minute"), the most in any 60
//	                           seconds ("api_max_in_60s") and how many
//	                           were answered 429 ("api_limited")
//	GET  /_sandbox/items       every item: stock and sellable per shop,
//	                           prices, tags, timeStamp

type controlBody struct {
	ItemID      int64  `json:"item_id"`
	MatrixID    int64  `json:"matrix_id"`
	ShopID      int64  `json:"shop_id"`
	Qty         int64  `json:"qty"`
	QOH         int64  `json:"qoh"`
	Level       string `json:"level"`
	Amount      string `json:"amount"`
	Description string `json:"description"`
	Tag         string `json:"tag"`
	Remove      bool   `json:"remove"`
	Unarchive   bool   `json:"unarchive"`
	Item        Item   `json:"item"`
	Path        string `json:"path"`
	Kind        string `json:"kind"`
	Count       int    `json:"count"`
	RetryAfter  int    `json:"retry_after"`
	DelayMS     int    `json:"delay_ms"`
}

// itemView is one item in GET /_sandbox/items.
type itemView struct {
	ItemID      int64             `json:"item_id"`
	MatrixID    int64             `json:"matrix_id"`
	CustomSKU   string            `json:"custom_sku"`
	SystemSKU   string            `json:"system_sku"`
	Description string            `json:"description"`
	Archived    bool              `json:"archived"`
	Tags        []string          `json:"tags"`
	Prices      map[string]string `json:"prices"`
	Stock       map[string]int64  `json:"stock"`
	Sellable    map[string]int64  `json:"sellable"`
	TimeStamp   string            `json:"time_stamp"`
}

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	route := r.URL.Path[len("/_sandbox/"):]
	if r.Method == http.MethodGet {
		switch route {
		case "stats":
			s.serveStats(w)
		case "items":
			s.serveItems(w)
		default:
			controlError(w, http.StatusNotFound, "unknown route")
		}
		return
	}
	if r.Method != http.MethodPost {
		controlError(w, http.StatusMethodNotAllowed, "use GET or POST")
		return
	}
	var b controlBody
	if r.ContentLength != 0 {
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			controlError(w, http.StatusBadRequest, "decode body: "+err.Error())
			return
		}
	}
	s.controlAction(w, route, b)
}

func (s *Server) controlAction(w http.ResponseWriter, route string,
	b controlBody) {
	var err error
	answer := map[string]any{"ok": true}
	switch route {
	case "sell":
		err = s.Sell(b.ItemID, b.ShopID, b.Qty)
	case "stock":
		err = s.SetStock(b.ItemID, b.ShopID, b.QOH)
	case "price":
		err = s.SetPrice(b.ItemID, b.Level, b.Amount)
	case "description":
		err = s.SetDescription(b.ItemID, b.Description)
	case "tag":
		if b.Remove {
			err = s.Untag(b.ItemID, b.Tag)
		} else {
			err = s.Tag(b.ItemID, b.Tag)
		}
	case "tag-matrix":
		if b.Remove {
			err = s.UntagMatrix(b.MatrixID, b.Tag)
		} else {
			err = s.TagMatrix(b.MatrixID, b.Tag)
		}
	case "archive":
		switch {
		case b.MatrixID != 0:
			err = s.ArchiveMatrix(b.MatrixID)
		case b.Unarchive:
			err = s.Unarchive(b.ItemID)
		default:
			err = s.Archive(b.ItemID)
		}
	case "add-variant":
		var id int64
		id, err = s.AddVariant(b.MatrixID, b.Item)
		answer["item_id"] = id
	case "fault":
		kind, ok := ParseFaultKind(b.Kind)
		if !ok {
			controlError(w, http.StatusBadRequest, "unknown fault kind")
			return
		}
		s.Inject(Fault{Path: b.Path, Kind: kind, Count: b.Count,
			RetryAfter: b.RetryAfter,
			Delay:      time.Duration(b.DelayMS) * time.Millisecond})
	case "clear-faults":
		s.ClearFaults()
	case "reset-stats":
		s.ResetStats()
	case "tokens":
		access, refresh := s.IssueTokens()
		answer = map[string]any{"access_token": access,
			"refresh_token": refresh}
	default:
		controlError(w, http.StatusNotFound, "unknown route")
		return
	}
	if err != nil {
		controlError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func (s *Server) serveStats(w http.ResponseWriter) {
	rate := RateOf(s.RequestLog(), time.Minute)
	if rate.PerWindow == nil {
		rate.PerWindow = []int{}
	}
	s.mu.Lock()
	unlogged := s.unlogged
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"api_requests":     rate.Total,
		"api_limited":      rate.Limited,
		"api_per_minute":   rate.PerWindow,
		"api_max_in_60s":   rate.MaxInWindow,
		"unlogged":         unlogged,
		"requests":         s.Requests(),
		"max_bucket_level": s.MaxBucketLevel(),
		"bucket_level":     s.BucketLevel(),
		"bucket_size":      s.opts.BucketSize,
		"drip_rate":        s.opts.DripRate,
		"image_downloads":  s.ImageDownloads(),
	})
}

func (s *Server) serveItems(w http.ResponseWriter) {
	var out []itemView
	for _, st := range s.Items() {
		v := itemView{ItemID: st.ItemID, MatrixID: st.ItemMatrixID,
			CustomSKU: st.CustomSKU, SystemSKU: st.SystemSKU,
			Description: st.Description, Archived: st.Archived,
			Tags: st.Tags, Prices: st.Prices, Stock: map[string]int64{},
			Sellable:  map[string]int64{},
			TimeStamp: ts(st.TimeStamp)}
		if v.Tags == nil {
			v.Tags = []string{}
		}
		var total int64
		for shopID, q := range st.Stock {
			v.Stock[strconv.FormatInt(shopID, 10)] = q
			total += q
		}
		v.Stock["0"] = total
		for shopID, q := range st.Sellable {
			v.Sellable[strconv.FormatInt(shopID, 10)] = q
		}
		out = append(out, v)
	}
	if out == nil {
		out = []itemView{}
	}
	writeJSON(w, http.StatusOK, out)
}
