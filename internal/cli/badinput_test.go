package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/storesync/storesync/internal/exitcode"
	"github.com/storesync/storesync/internal/lock"
	"github.com/storesync/storesync/internal/state"
	"github.com/storesync/storesync/pkg/lightspeed/lightspeedtest"
	"github.com/storesync/storesync/pkg/woocommerce/woocommercetest"
)

// badEnv is what one row of the bad-input table works with: its own copy
// of a state file that already records a published catalog, and its own
// configuration and arguments.
type badEnv struct {
	t      *testing.T
	s      *sandbox
	dir    string
	state  string   // the row's state file
	config string   // the row's configuration file
	args   []string // extra global flags
	// restore undoes what made the state file unwritable, so that what
	// it holds can be counted.
	restore []func()
}

// editConfig rewrites the row's configuration with the regular
// expression old replaced by new.
func (e *badEnv) editConfig(old, new string) {
	e.t.Helper()
	data, err := os.ReadFile(e.config)
	if err != nil {
		e.t.Fatal(err)
	}
	re := regexp.MustCompile(old)
	if !re.Match(data) {
		e.t.Fatalf("config has no %q", old)
	}
	data = re.ReplaceAll(data, []byte(new))
	if err := os.WriteFile(e.config, data, 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// proxy puts an httptest proxy in front of one emulator (the config key
// names which: base_url or url) that answers the requests whose path
// contains path with answer, and passes the others through.
func (e *badEnv) proxy(key, path string, answer http.HandlerFunc) {
	e.t.Helper()
	data, err := os.ReadFile(e.config)
	if err != nil {
		e.t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + key + ` = "([^"]+)"`).FindSubmatch(data)
	if m == nil {
		e.t.Fatalf("config has no %s", key)
	}
	target, err := url.Parse(string(m[1]))
	if err != nil {
		e.t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		if strings.Contains(r.URL.Path, path) {
			answer(w, r)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	e.t.Cleanup(srv.Close)
	e.editConfig(`(?m)^`+key+` = "[^"]+"`, key+` = "`+srv.URL+`"`)
}

// answerJSON answers status with body as JSON.
func answerJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// extraFields passes the request through and adds unknown fields to
// every JSON object of the answer.
func extraFields(next http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := bytes.ReplaceAll(rec.Body.Bytes(), []byte(`{"`),
			[]byte(`{"x_new_field":{"a":[1,"b"]},"`))
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}
}

// lightspeedItems is the path of the item list.
const lightspeedItems = "/Item.json"

// makeReadOnly makes path unwritable. root ignores file modes, so it then
// sets the immutable attribute instead, and skips when it cannot.
func makeReadOnly(e *badEnv, path string, mode os.FileMode) {
	t := e.t
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(path, 0o700) })
		e.restore = append(e.restore, func() { _ = os.Chmod(path, 0o700) })
		return
	}
	if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
		t.Skipf("cannot make %s read-only for root: %v %s", path, err, out)
	}
	undo := func() { _ = exec.Command("chattr", "-i", path).Run() }
	t.Cleanup(undo)
	e.restore = append(e.restore, undo)
}

// fillDisk moves dir onto a filesystem with no room left, and skips when
// it cannot mount one.
func fillDisk(e *badEnv, dir string) {
	t := e.t
	t.Helper()
	saved := t.TempDir()
	if out, err := exec.Command("cp", "-a", dir+"/.", saved).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v %s", dir, err, out)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs",
		dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small filesystem: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	if out, err := exec.Command("cp", "-a", saved+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy back %s: %v %s", dir, err, out)
	}
	// Fill what is left, so the next page SQLite writes has no room.
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	e.restore = append(e.restore, func() { _ = os.Remove(filler) })
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			break
		}
	}
}

// recorded counts the products and runs in a state file without
// changing it.
func recorded(t *testing.T, path string) (products, runs int) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FROM products`).Scan(&products); err != nil {
		t.Fatalf("count products in %s: %v", path, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM runs`).Scan(&runs); err != nil {
		t.Fatalf("count runs in %s: %v", path, err)
	}
	return products, runs
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// badRow is one bad input.
type badRow struct {
	name string
	prep func(e *badEnv)
	args []string
	code int
	// want are parts of the error: what went wrong and where. $STATE and
	// $CONFIG stand for the row's files.
	want []string
	// after checks what is left, when the row's state file is the broken
	// thing; otherwise the file must keep every product and run and pass
	// doctor.
	after func(e *badEnv)
}

func TestBadInputs(t *testing.T) {
	s := newSandbox(t)
	s.mustRun("tag-scan")
	s.mustRun("tag-sync")
	base := filepath.Join(s.dir, "base.db")
	st, err := state.Open(context.Background(), filepath.Join(s.dir, "storesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB.Exec(`VACUUM INTO ?`, base); err != nil {
		t.Fatal(err)
	}
	st.Close()
	setPragma(t, base, "PRAGMA journal_mode = WAL")
	baseProducts, baseRuns := recorded(t, base)
	webProducts := len(s.wc.Products())
	if baseProducts < 100 || webProducts < 100 {
		t.Fatalf("baseline: %d products recorded, %d in the store", baseProducts,
			webProducts)
	}

	rows := append(append(append(configRows(), argumentRows(s)...), apiRows(s)...),
		stateRows(baseProducts, baseRuns)...)
	if len(rows) < 40 {
		t.Fatalf("only %d bad inputs", len(rows))
	}
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			e := newBadEnv(t, s, base)
			t.Cleanup(func() {
				s.ls.ClearFaults()
				s.wc.ClearFaults()
			})
			if tt.prep != nil {
				tt.prep(e)
			}
			args := append([]string{"--config", e.config, "--state-file", e.state},
				e.args...)
			_, _, err := s.run(append(args, tt.args...)...)
			checkBadRun(t, e, tt, err)

			if tt.after != nil {
				tt.after(e)
				return
			}
			products, runs := recorded(t, e.state)
			if products < baseProducts || runs < baseRuns {
				t.Errorf("state file now holds %d products and %d runs, had %d and %d",
					products, runs, baseProducts, baseRuns)
			}
			if out, _, err := s.run("--state-file", e.state, "doctor"); err != nil {
				t.Errorf("doctor after the row: %v\n%s", err, out)
			}
			if n := len(s.wc.Products()); n < webProducts {
				t.Errorf("web store has %d products, had %d", n, webProducts)
			}
		})
	}
}

func newBadEnv(t *testing.T, s *sandbox, base string) *badEnv {
	t.Helper()
	e := &badEnv{t: t, s: s, dir: t.TempDir()}
	e.state = filepath.Join(e.dir, "storesync.db")
	e.config = filepath.Join(e.dir, "storesync.toml")
	data, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.state, data, 0o600); err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile(s.config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.config, conf, 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

func checkBadRun(t *testing.T, e *badEnv, tt badRow, err error) {
	t.Helper()
	if code := exitcode.Code(err); code != tt.code {
		t.Fatalf("exit code %d, want %d; error: %v", code, tt.code, err)
	}
	if tt.code == exitcode.OK {
		return
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	for _, w := range tt.want {
		w = strings.NewReplacer("$STATE", e.state, "$CONFIG", e.config).Replace(w)
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not say %q", msg, w)
		}
	}
}

func configRows() []badRow {
	return []badRow{
		{
			name: "config/unknown key",
			prep: func(e *badEnv) { e.editConfig(`\[budget\]`, "[budget]\ncolour = 1") },
			args: []string{"sync"}, code: exitcode.BadUsage,
			want: []string{"$CONFIG", "unknown key", "budget.colour"},
		},
		{
			name: "config/wrong type",
			prep: func(e *badEnv) { e.editConfig(`shops = \[1, 2\]`, `shops = "1,2"`) },
			args: []string{"tag-sync"}, code: exitcode.BadUsage,
			want: []string{"$CONFIG", "lightspeed.shops"},
		},
		{
			name: "config/missing secret",
			prep: func(e *badEnv) { e.editConfig(`(?m)^client_secret = .*$`, "") },
			args: []string{"sync"}, code: exitcode.BadUsage,
			want: []string{"client_secret"},
		},
		{
			name: "config/world-readable with a secret",
			prep: func(e *badEnv) {
				if err := os.Chmod(e.config, 0o644); err != nil {
					e.t.Fatal(err)
				}
			},
			args: []string{"sync"}, code: exitcode.BadUsage,
			want: []string{"$CONFIG"},
		},
		{
			name: "config/missing file",
			prep: func(e *badEnv) { e.config = filepath.Join(e.dir, "nope.toml") },
			args: []string{"sync"}, code: exitcode.BadUsage,
			want: []string{"nope.toml"},
		},
		{
			name: "config/a directory",
			prep: func(e *badEnv) { e.config = e.dir },
			args: []string{"sync"}, code: exitcode.BadUsage,
			want: []string{"$CONFIG"},
		},
		{
			name: "config/syntax error",
			prep: func(e *badEnv) { e.editConfig(`\[budget\]`, "[budget") },
			args: []string{"sync"}, code: exitcode.BadUsage,
			want: []string{"$CONFIG", "line "},
		},
		{
			name: "config/plain http to a remote store",
			prep: func(e *badEnv) {
				e.editConfig(`(?m)^url = "[^"]+"`, `url = "http://shop.example.com"`)
			},
			args: []string{"sync"}, code: exitcode.BadUsage,
			want: []string{"https"},
		},
		{
			name: "config/negative budget",
			prep: func(e *badEnv) {
				e.editConfig(`day_per_minute = \d+`, `day_per_minute = -5`)
			},
			args: []string{"sync"}, code: exitcode.BadUsage,
			want: []string{"day_per_minute"},
		},
	}
}

func argumentRows(s *sandbox) []badRow {
	untagged := ""
	for _, it := range s.ls.Items() {
		if !isTagged(it.Tags) && it.ItemMatrixID == 0 && !it.Archived &&
			it.CustomSKU != "" {
			untagged = it.CustomSKU
			break
		}
	}
	return []badRow{
		{name: "args/unknown item id", args: []string{"sync-selected", "item:999999999"},
			code: exitcode.BadUsage, want: []string{"no Lightspeed item", "item:999999999"}},
		{name: "args/unknown SKU", args: []string{"sync-selected", "sku:NO-SUCH-SKU"},
			code: exitcode.BadUsage, want: []string{"no Lightspeed item", "NO-SUCH-SKU"}},
		{name: "args/unknown bare word", args: []string{"sync-selected", "no-such"},
			code: exitcode.BadUsage, want: []string{"no-such"}},
		{name: "args/empty sku", args: []string{"sync-selected", "sku:"},
			code: exitcode.BadUsage, want: []string{"empty", `"sku:"`}},
		{name: "args/blank sku", args: []string{"sync-selected", "sku:   "},
			code: exitcode.BadUsage, want: []string{"empty"}},
		{name: "args/bad kind", args: []string{"sync-selected", "box:12"},
			code: exitcode.BadUsage, want: []string{"unknown kind", "box"}},
		{name: "args/matrix id not a number", args: []string{"sync-selected", "matrix:abc"},
			code: exitcode.BadUsage, want: []string{"matrix", "abc"}},
		{name: "args/negative item id", args: []string{"sync-selected", "item:-4"},
			code: exitcode.BadUsage, want: []string{"item", "-4"}},
		{name: "args/unknown matrix", args: []string{"sync-selected", "matrix:999999"},
			code: exitcode.BadUsage, want: []string{"999999"}},
		{name: "args/not Sell on Web", args: []string{"sync-selected", "sku:" + untagged},
			code: exitcode.BadUsage, want: []string{untagged, "storesync web on"}},
		{
			name: "args/case twin picks the exact SKU",
			args: []string{"web", "on", "sku:85123a"},
			code: exitcode.OK,
		},
		{
			name: "args/SKU shared by two items",
			prep: func(e *badEnv) {
				for range 2 {
					if _, err := e.s.ls.AddItem(lightspeedtest.Item{
						CustomSKU: "TWIN-SKU-1", Description: "twin",
						Prices: map[string]string{"Default": "3"},
					}); err != nil {
						e.t.Fatal(err)
					}
				}
			},
			args: []string{"sync-selected", "sku:TWIN-SKU-1"},
			code: exitcode.BadUsage, want: []string{"TWIN-SKU-1", "item:"},
		},
		{name: "args/web on unknown id", args: []string{"web", "on", "item:999999998"},
			code: exitcode.BadUsage, want: []string{"item:999999998"}},
		{name: "args/web with a bad verb", args: []string{"web", "maybe"},
			code: exitcode.BadUsage, want: []string{"maybe"}},
		{name: "args/sync-selected without ids", args: []string{"sync-selected"},
			code: exitcode.BadUsage, want: []string{"arg"}},
		{name: "args/unknown flag", args: []string{"sync", "--bogus"},
			code: exitcode.BadUsage, want: []string{"--bogus"}},
		{name: "args/bad timeout", args: []string{"--timeout", "soon", "sync"},
			code: exitcode.BadUsage, want: []string{"soon"}},
		{name: "args/negative max requests", args: []string{"--max-requests", "-1", "sync"},
			code: exitcode.BadUsage, want: []string{"max_requests"}},
		{name: "args/bad log format", args: []string{"--log-format", "xml", "sync"},
			code: exitcode.BadUsage, want: []string{"xml"}},
		{name: "args/extra argument", args: []string{"tag-scan", "extra"},
			code: exitcode.BadUsage, want: []string{"extra"}},
	}
}

func apiRows(s *sandbox) []badRow {
	// A Sell-on-Web product already in the store.
	sku := ""
	for _, it := range s.ls.Items() {
		if isTagged(it.Tags) && it.ItemMatrixID == 0 && !it.Archived && it.CustomSKU != "" {
			sku = it.CustomSKU
			break
		}
	}
	lsFault := func(kind lightspeedtest.FaultKind, path string) func(*badEnv) {
		return func(e *badEnv) {
			e.s.ls.Inject(lightspeedtest.Fault{Kind: kind, Path: path, Count: -1})
			e.args = append(e.args, "--timeout", "3s")
		}
	}
	wooFault := func(kind woocommercetest.FaultKind, status int) func(*badEnv) {
		return func(e *badEnv) {
			e.s.wc.Inject(woocommercetest.Fault{Kind: kind, Path: "/products",
				Count: -1, Status: status})
			e.args = append(e.args, "--timeout", "3s")
		}
	}
	lsProxy := func(answer http.HandlerFunc) func(*badEnv) {
		return func(e *badEnv) {
			e.proxy("base_url", lightspeedItems, answer)
			e.args = append(e.args, "--timeout", "3s")
		}
	}
	wooProxy := func(answer http.HandlerFunc) func(*badEnv) {
		return func(e *badEnv) {
			e.proxy("url", "/products", answer)
			e.args = append(e.args, "--timeout", "3s")
		}
	}
	return []badRow{
		{
			name: "api/lightspeed truncated JSON", args: []string{"tag-scan", "--full"},
			prep: lsFault(lightspeedtest.FaultMalformed, lightspeedItems),
			code: exitcode.Partial, want: []string{"Item"},
		},
		{
			name: "api/lightspeed HTML page", args: []string{"tag-scan", "--full"},
			prep: lsFault(lightspeedtest.FaultHTML, lightspeedItems),
			code: exitcode.Partial, want: []string{"Item", "503"},
		},
		{
			name: "api/lightspeed object where a list is expected",
			args: []string{"tag-scan", "--full"},
			prep: lsProxy(answerJSON(200, `{"@attributes":{"count":"1"},`+
				`"Item":{"itemID":{"nested":true}}}`)),
			code: exitcode.Partial, want: []string{"Item"},
		},
		{
			name: "api/lightspeed number where a string is expected",
			args: []string{"tag-scan", "--full"},
			prep: lsProxy(answerJSON(200, `{"@attributes":{"count":"1"},`+
				`"Item":[{"itemID":"1","customSku":{"a":1}}]}`)),
			code: exitcode.Partial, want: []string{"Item"},
		},
		{
			name: "api/lightspeed unknown fields are ignored",
			args: []string{"tag-scan", "--full"},
			prep: func(e *badEnv) { e.proxy("base_url", "/API/", extraFields(e.s.ls)) },
			code: exitcode.OK,
		},
		{
			name: "api/lightspeed account not found",
			prep: func(e *badEnv) {
				e.editConfig(`account_id = "\d+"`, `account_id = "999999"`)
			},
			args: []string{"sync"}, code: exitcode.Failed,
			want: []string{"lightspeed", "404", "ItemShop"},
		},
		{
			name: "api/lightspeed 404 on the account",
			prep: lsProxy(answerJSON(404, `{"httpCode":"404","httpMessage":"Not Found",`+
				`"message":"Account not found","errorClass":"NotFound"}`)),
			args: []string{"tag-scan", "--full"}, code: exitcode.Failed,
			want: []string{"404", "Item"},
		},
		{
			name: "api/lightspeed token refused",
			prep: func(e *badEnv) {
				e.proxy("base_url", "/API/", answerJSON(401,
					`{"httpCode":"401","httpMessage":"Unauthorized",`+
						`"message":"Invalid access token","errorClass":"Unauthorized"}`))
			},
			args: []string{"sync"}, code: exitcode.Failed,
			want: []string{"401"},
		},
		{
			name: "api/woocommerce firewall page",
			prep: wooFault(woocommercetest.FaultHTML, 403),
			args: []string{"sync-selected", "sku:" + sku}, code: exitcode.Partial,
			want: []string{"403", "HTML", "POST /products/batch"},
		},
		{
			name: "api/woocommerce truncated JSON",
			prep: wooFault(woocommercetest.FaultMalformed, 0),
			args: []string{"sync-selected", "sku:" + sku}, code: exitcode.Partial,
			want: []string{"not JSON", "POST /products/batch"},
		},
		{
			name: "api/woocommerce object where a list is expected",
			prep: wooProxy(answerJSON(200, `{"id":1,"sku":"85123A"}`)),
			args: []string{"sync-selected", "sku:" + sku}, code: exitcode.Failed,
			want: []string{"products"},
		},
		{
			name: "api/woocommerce unknown fields are ignored",
			prep: func(e *badEnv) { e.proxy("url", "/wp-json/", extraFields(e.s.wc)) },
			args: []string{"sync-selected", "sku:" + sku}, code: exitcode.OK,
		},
		{
			name: "api/woocommerce key refused",
			prep: func(e *badEnv) {
				e.editConfig(`consumer_secret = "[^"]+"`, `consumer_secret = "cs_wrong"`)
			},
			args: []string{"sync-selected", "sku:" + sku}, code: exitcode.Failed,
			want: []string{"401"},
		},
	}
}

func stateRows(baseProducts, baseRuns int) []badRow {
	intact := func(e *badEnv) {
		for _, undo := range e.restore {
			undo()
		}
		products, runs := recorded(e.t, e.state)
		if products != baseProducts || runs < baseRuns {
			e.t.Errorf("state file holds %d products and %d runs, had %d and %d",
				products, runs, baseProducts, baseRuns)
		}
	}
	var hash [32]byte
	unchanged := func(e *badEnv) {
		if fileHash(e.t, e.state) != hash {
			e.t.Error("the state file was changed")
		}
	}
	return []badRow{
		{
			name: "state/read-only file",
			prep: func(e *badEnv) { makeReadOnly(e, e.state, 0o400) },
			args: []string{"tag-sync"}, code: exitcode.Failed,
			want: []string{"$STATE"}, after: intact,
		},
		{
			name: "state/read-only directory",
			prep: func(e *badEnv) { makeReadOnly(e, e.dir, 0o500) },
			args: []string{"sync"}, code: exitcode.Failed,
			want: []string{"$STATE"}, after: intact,
		},
		{
			name: "state/corrupt header",
			prep: func(e *badEnv) {
				corrupt(e.t, e.state, 0, 100)
				hash = fileHash(e.t, e.state)
			},
			args: []string{"sync"}, code: exitcode.Failed,
			want: []string{"$STATE", "not a readable SQLite database"}, after: unchanged,
		},
		{
			name: "state/corrupt pages",
			prep: func(e *badEnv) {
				corrupt(e.t, e.state, 8192, 16384)
				hash = fileHash(e.t, e.state)
			},
			args: []string{"tag-sync"}, code: exitcode.Failed,
			want: []string{"$STATE", "malformed"},
			after: func(e *badEnv) {
				out, _, err := e.s.run("--state-file", e.state, "doctor")
				if err == nil || !strings.Contains(out, "FAIL integrity") {
					e.t.Errorf("doctor on a corrupt file: %v\n%s", err, out)
				}
			},
		},
		{
			name: "state/newer schema",
			prep: func(e *badEnv) {
				setPragma(e.t, e.state, "PRAGMA user_version = 99")
				hash = fileHash(e.t, e.state)
			},
			args: []string{"sync"}, code: exitcode.Failed,
			want: []string{"$STATE", "newer storesync", "schema 99"}, after: unchanged,
		},
		{
			name: "state/full disk",
			prep: func(e *badEnv) { fillDisk(e, e.dir) },
			args: []string{"tag-scan", "--full"}, code: exitcode.Failed,
			want: []string{"$STATE", "full"}, after: intact,
		},
		{
			name: "state/deleted between runs",
			prep: func(e *badEnv) {
				if err := os.Remove(e.state); err != nil {
					e.t.Fatal(err)
				}
			},
			args: []string{"sync"}, code: exitcode.Failed,
			want: []string{"$STATE", "storesync auth"},
			after: func(e *badEnv) {
				if _, err := os.Stat(e.state); err == nil {
					products, _ := recorded(e.t, e.state)
					if products != 0 {
						e.t.Errorf("a new state file holds %d products", products)
					}
				}
			},
		},
		{
			name: "state/a directory",
			prep: func(e *badEnv) {
				e.state = filepath.Join(e.dir, "dir.db")
				if err := os.Mkdir(e.state, 0o700); err != nil {
					e.t.Fatal(err)
				}
			},
			args: []string{"sync"}, code: exitcode.Failed,
			want: []string{"$STATE"}, after: func(*badEnv) {},
		},
		{
			name: "state/in a missing directory",
			prep: func(e *badEnv) { e.state = filepath.Join(e.dir, "no", "such.db") },
			args: []string{"sync"}, code: exitcode.Failed,
			want: []string{"$STATE"}, after: func(*badEnv) {},
		},
		{
			name: "state/garbage write-ahead log",
			prep: func(e *badEnv) {
				if err := os.WriteFile(e.state+"-wal", bytes.Repeat([]byte{0xA5}, 9000),
					0o600); err != nil {
					e.t.Fatal(err)
				}
			},
			args: []string{"sync"}, code: exitcode.OK,
		},
		{
			name: "state/stale lock file of a killed run",
			prep: func(e *badEnv) {
				if err := os.WriteFile(e.state+".sync.lock", []byte("4242\n"),
					0o600); err != nil {
					e.t.Fatal(err)
				}
			},
			args: []string{"sync"}, code: exitcode.OK,
		},
		{
			name: "state/lock held by another run",
			prep: func(e *badEnv) {
				l, err := lock.Acquire(e.state + ".tag-sync.lock")
				if err != nil {
					e.t.Fatal(err)
				}
				e.t.Cleanup(func() { _ = l.Release() })
			},
			args: []string{"tag-sync"}, code: exitcode.Locked,
			want: []string{"tag-sync"},
		},
		{
			name: "state/readable by others",
			prep: func(e *badEnv) {
				if err := os.Chmod(e.state, 0o644); err != nil {
					e.t.Fatal(err)
				}
			},
			args: []string{"doctor"}, code: exitcode.Failed,
			want: []string{"$STATE"},
			after: func(e *badEnv) {
				intact(e)
				if err := os.Chmod(e.state, 0o600); err != nil {
					e.t.Fatal(err)
				}
			},
		},
	}
}

// corrupt overwrites bytes [from, to) of path with a pattern.
func corrupt(t *testing.T, path string, from, to int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(bytes.Repeat([]byte("garbage!"), int(to-from)/8),
		from); err != nil {
		t.Fatal(err)
	}
}

func setPragma(t *testing.T, path, pragma string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(pragma); err != nil {
		t.Fatalf("%s: %v", pragma, err)
	}
}
