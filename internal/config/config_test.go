package config_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/storesync/storesync/internal/config"
	"github.com/storesync/storesync/internal/exitcode"
)

// base is a valid configuration, as dotted key → TOML literal.
func base() map[string]string {
	return map[string]string{
		"state_file":                  `"state.db"`,
		"lightspeed.account_id":       `"123456"`,
		"lightspeed.client_id":        `"cid"`,
		"lightspeed.client_secret":    `"ls-secret-value"`,
		"woocommerce.url":             `"https://shop.example.com"`,
		"woocommerce.consumer_key":    `"ck_value"`,
		"woocommerce.consumer_secret": `"cs_value"`,
	}
}

// render writes kv as a TOML document, top-level keys first.
func render(kv map[string]string) string {
	tables := map[string][]string{}
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		table, name, ok := strings.Cut(k, ".")
		if !ok {
			table, name = "", k
		}
		tables[table] = append(tables[table], name+" = "+kv[k])
	}

	var b strings.Builder
	for _, t := range slices.Sorted(maps.Keys(tables)) {
		if t != "" {
			fmt.Fprintf(&b, "\n[%s]\n", t)
		}
		for _, line := range tables[t] {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile leaves the mode of an existing file and obeys the umask.
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// load reads content from a private file with env and validates.
func load(t *testing.T, content string, env map[string]string) (*config.Config, error) {
	t.Helper()
	path := writeFile(t, filepath.Join(t.TempDir(), "storesync.toml"), content, 0o600)
	c, err := config.Load(path, envOf(env))
	if err != nil {
		return nil, err
	}
	return c, c.Validate()
}

func TestDefaults(t *testing.T) {
	c, err := load(t, render(base()), nil)
	if err != nil {
		t.Fatal(err)
	}

	ls, wc, b := c.Lightspeed, c.WooCommerce, c.Budget
	checks := []struct {
		name      string
		got, want any
	}{
		{"base_url", ls.BaseURL, "https://api.lightspeedapp.com"},
		{"token_url", ls.TokenURL, "https://cloud.lightspeedapp.com/auth/oauth/token"},
		{"authorize_url", ls.AuthorizeURL,
			"https://cloud.lightspeedapp.com/auth/oauth/authorize"},
		{"shops", len(ls.Shops), 0},
		{"price_level", ls.PriceLevel, "Default"},
		{"sale_price_level", ls.SalePriceLevel, ""},
		{"sku_field", ls.SKUField, "custom"},
		{"query_auth", wc.QueryAuth, false},
		{"batch_size", wc.BatchSize, 100},
		{"image_batch_size", wc.ImageBatchSize, 10},
		{"new_status", wc.NewStatus, "publish"},
		{"archived_status", wc.ArchivedStatus, "draft"},
		{"tags", strings.Join(c.Tags.Names, ","), "webon"},
		{"day", b.DayPerMinute, 30},
		{"night", b.NightPerMinute, 130},
		{"night_starts", b.NightStarts, "18:00"},
		{"night_ends", b.NightEnds, "07:00"},
		{"time_zone", b.Location().String(), "America/Los_Angeles"},
		{"reserve", b.Reserve, 5.0},
		{"timeout", c.Run.Timeout, 4 * time.Minute},
		{"max_requests", c.Run.MaxRequests, 0},
		{"secret", c.Lightspeed.ClientSecret.Value(), "ls-secret-value"},
		{"timeout source", c.Source("run.timeout"), "the default"},
		{"timeout is set", c.IsSet("run.timeout"), false},
	}
	for _, tt := range checks {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestStateFilePath(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "abs.db")
	tests := []struct {
		name  string
		file  string // state_file literal in the file, "" for none
		env   string
		want  func(dir string) string
		where string
	}{
		{
			name: "default next to config",
			want: func(dir string) string { return filepath.Join(dir, "storesync.db") },
		},
		{
			name: "relative in file",
			file: `"data/s.db"`,
			want: func(dir string) string { return filepath.Join(dir, "data", "s.db") },
		},
		{
			name: "absolute in file",
			file: fmt.Sprintf("%q", abs),
			want: func(string) string { return abs },
		},
		{
			name:  "relative in env stays relative",
			file:  `"ignored.db"`,
			env:   "other.db",
			want:  func(string) string { return "other.db" },
			where: "$STORESYNC_STATE_FILE",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv := base()
			delete(kv, "state_file")
			if tt.file != "" {
				kv["state_file"] = tt.file
			}
			dir := t.TempDir()
			path := writeFile(t, filepath.Join(dir, "c.toml"), render(kv), 0o600)
			c, err := config.Load(path, envOf(map[string]string{
				"STORESYNC_STATE_FILE": tt.env,
			}))
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want(dir); c.StateFile != want {
				t.Errorf("StateFile = %q, want %q", c.StateFile, want)
			}
			if tt.where != "" && c.Source("state_file") != tt.where {
				t.Errorf("Source = %q, want %q", c.Source("state_file"), tt.where)
			}
		})
	}
}

func TestPrecedence(t *testing.T) {
	kv := base()
	kv["budget.day_per_minute"] = "40"
	kv["budget.night_per_minute"] = "140"
	kv["woocommerce.batch_size"] = "50"
	path := writeFile(t, filepath.Join(t.TempDir(), "c.toml"), render(kv), 0o600)
	env := map[string]string{
		"STORESYNC_BUDGET_DAY_PER_MINUTE":   "45",
		"STORESYNC_BUDGET_NIGHT_PER_MINUTE": "145",
		"STORESYNC_LIGHTSPEED_SHOPS":        "3, 4",
	}

	c, err := config.Load(path, envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set("budget.day_per_minute", "47"); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		key    string
		got    any
		want   any
		source string
	}{
		{"budget.day_per_minute", c.Budget.DayPerMinute, 47, "the command line"},
		{"budget.night_per_minute", c.Budget.NightPerMinute, 145,
			"$STORESYNC_BUDGET_NIGHT_PER_MINUTE"},
		{"woocommerce.batch_size", c.WooCommerce.BatchSize, 50, "config file " + path},
		{"woocommerce.image_batch_size", c.WooCommerce.ImageBatchSize, 10, "the default"},
		{"lightspeed.shops", fmt.Sprint(c.Lightspeed.Shops), "[3 4]",
			"$STORESYNC_LIGHTSPEED_SHOPS"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.key, tt.got, tt.want)
		}
		if got := c.Source(tt.key); got != tt.source {
			t.Errorf("Source(%s) = %q, want %q", tt.key, got, tt.source)
		}
	}
}

func TestSetEveryKey(t *testing.T) {
	values := map[string]string{
		"lightspeed.shops":             "1,2",
		"woocommerce.query_auth":       "true",
		"woocommerce.clear_images":     "true",
		"woocommerce.adopt_categories": "true",
		"woocommerce.batch_size":       "7",
		"budget.reserve":               "2.5",
		"run.timeout":                  "90s",
		"budget.day_per_minute":        "10",
		"budget.night_per_minute":      "20",
		"run.max_requests":             "300",
		"woocommerce.image_batch_size": "5",
		"tags.names":                   "a, b",
	}
	for _, key := range config.Keys() {
		c := config.Default()
		v, ok := values[key]
		if !ok {
			v = "x"
		}
		err := c.Set(key, v)
		secret := !strings.HasSuffix(key, "_file") &&
			(strings.HasSuffix(key, "secret") || strings.HasSuffix(key, "consumer_key"))
		if secret {
			if exitcode.Code(err) != exitcode.BadUsage {
				t.Errorf("Set(%s) = %v, want a usage error", key, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Set(%s, %q): %v", key, v, err)
		}
		if c.Source(key) != "the command line" {
			t.Errorf("Source(%s) = %q after Set", key, c.Source(key))
		}
	}
}

func TestSetErrors(t *testing.T) {
	tests := []struct {
		key, value string
		want       []string
	}{
		{"lightspeed.client_secret", "s3cret", []string{
			"lightspeed.client_secret", "STORESYNC_LIGHTSPEED_CLIENT_SECRET",
		}},
		{"woocommerce.consumer_key", "k", []string{"woocommerce.consumer_key"}},
		{"woocommerce.consumer_secret", "k", []string{"woocommerce.consumer_secret"}},
		{"no.such", "1", []string{"no.such", "unknown"}},
		{"woocommerce.batch_size", "ten", []string{"woocommerce.batch_size", `"ten"`}},
		{"run.timeout", "4", []string{"run.timeout", "duration"}},
		{"woocommerce.query_auth", "maybe", []string{"woocommerce.query_auth"}},
		{"lightspeed.shops", "1,x", []string{"lightspeed.shops"}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			err := config.Default().Set(tt.key, tt.value)
			checkUsageError(t, err, tt.want)
			if tt.key != "no.such" && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
}

func TestSecretFromFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ls.secret"), "from-file\n", 0o600)
	kv := base()
	delete(kv, "lightspeed.client_secret")
	delete(kv, "woocommerce.consumer_key")
	delete(kv, "woocommerce.consumer_secret")
	kv["lightspeed.client_secret_file"] = `"ls.secret"`

	// Holding no secret itself, the config file may be world readable.
	path := writeFile(t, filepath.Join(dir, "c.toml"), render(kv), 0o644)
	c, err := config.Load(path, envOf(map[string]string{
		"STORESYNC_WOOCOMMERCE_CONSUMER_KEY":    "env-key",
		"STORESYNC_WOOCOMMERCE_CONSUMER_SECRET": "env-secret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}

	if got := c.Lightspeed.ClientSecretFile; got != filepath.Join(dir, "ls.secret") {
		t.Errorf("client_secret_file = %q, want it beside the config file", got)
	}
	if got := c.Lightspeed.ClientSecret.Value(); got != "from-file" {
		t.Errorf("client secret = %q, want from-file", got)
	}
	if got := c.WooCommerce.ConsumerKey.Value(); got != "env-key" {
		t.Errorf("consumer key = %q, want env-key", got)
	}
}

func TestSecretSourcesReplaceEachOther(t *testing.T) {
	dir := t.TempDir()
	secretFile := writeFile(t, filepath.Join(dir, "s"), "file-secret", 0o600)

	tests := []struct {
		name  string
		file  map[string]string // keys added to base, literal TOML
		env   map[string]string
		flags map[string]string
		want  string
	}{
		{
			name: "env value over file value",
			env:  map[string]string{"STORESYNC_LIGHTSPEED_CLIENT_SECRET": "env-secret"},
			want: "env-secret",
		},
		{
			name: "env file over file value",
			env:  map[string]string{"STORESYNC_LIGHTSPEED_CLIENT_SECRET_FILE": secretFile},
			want: "file-secret",
		},
		{
			name:  "flag file over env value",
			env:   map[string]string{"STORESYNC_LIGHTSPEED_CLIENT_SECRET": "env-secret"},
			flags: map[string]string{"lightspeed.client_secret_file": secretFile},
			want:  "file-secret",
		},
		{
			name: "file value alone",
			want: "ls-secret-value",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "c.toml"), render(base()), 0o600)
			c, err := config.Load(path, envOf(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.flags {
				if err := c.Set(k, v); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := c.Lightspeed.ClientSecret.Value(); got != tt.want {
				t.Errorf("client secret = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSample(t *testing.T) {
	path := writeFile(t, filepath.Join(t.TempDir(), "storesync.toml"),
		config.Sample(), 0o644)
	c, err := config.Load(path, envOf(map[string]string{
		"STORESYNC_LIGHTSPEED_CLIENT_SECRET":    "a",
		"STORESYNC_WOOCOMMERCE_CONSUMER_KEY":    "b",
		"STORESYNC_WOOCOMMERCE_CONSUMER_SECRET": "c",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}

	// Every setting is in the sample, set or commented out.
	var keys []string
	table := ""
	for line := range strings.SplitSeq(config.Sample(), "\n") {
		if strings.HasPrefix(line, "[") {
			table = strings.Trim(line, "[]") + "."
			continue
		}
		name, _, ok := strings.Cut(strings.TrimPrefix(line, "# "), " = ")
		if ok && !strings.Contains(name, " ") {
			keys = append(keys, table+name)
		}
	}
	if !slices.Equal(keys, config.Keys()) {
		t.Errorf("sample keys:\n%v\nconfig keys:\n%v", keys, config.Keys())
	}

	// Without the secrets the sample loads but does not validate.
	c, err = config.Load(path, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	checkUsageError(t, c.Validate(), []string{"lightspeed.client_secret"})
}

func TestEnvVars(t *testing.T) {
	vars := config.EnvVars()
	for _, want := range []string{
		"STORESYNC_STATE_FILE",
		"STORESYNC_LIGHTSPEED_CLIENT_SECRET",
		"STORESYNC_LIGHTSPEED_CLIENT_SECRET_FILE",
		"STORESYNC_WOOCOMMERCE_URL",
		"STORESYNC_WOOCOMMERCE_CONSUMER_KEY",
		"STORESYNC_WOOCOMMERCE_CONSUMER_SECRET",
		"STORESYNC_BUDGET_DAY_PER_MINUTE",
		"STORESYNC_TAGS_NAMES",
		"STORESYNC_RUN_TIMEOUT",
	} {
		if !slices.Contains(vars, want) {
			t.Errorf("EnvVars() lacks %s", want)
		}
	}
	if len(vars) != len(config.Keys()) {
		t.Errorf("%d variables for %d keys", len(vars), len(config.Keys()))
	}
}

func TestEnvAppliesEveryKey(t *testing.T) {
	c, err := config.Load("", envOf(map[string]string{
		"STORESYNC_LIGHTSPEED_ACCOUNT_ID":       "42",
		"STORESYNC_LIGHTSPEED_CLIENT_ID":        "id",
		"STORESYNC_LIGHTSPEED_CLIENT_SECRET":    "s",
		"STORESYNC_WOOCOMMERCE_URL":             "http://127.0.0.1:8080",
		"STORESYNC_WOOCOMMERCE_CONSUMER_KEY":    "k",
		"STORESYNC_WOOCOMMERCE_CONSUMER_SECRET": "s",
		"STORESYNC_WOOCOMMERCE_QUERY_AUTH":      "1",
		"STORESYNC_TAGS_NAMES":                  " Web On ,SHOP,shop",
		"STORESYNC_BUDGET_TIME_ZONE":            "Europe/Paris",
		"STORESYNC_RUN_TIMEOUT":                 "10m",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !c.WooCommerce.QueryAuth || c.Run.Timeout != 10*time.Minute ||
		c.Budget.Location().String() != "Europe/Paris" || c.StateFile != "storesync.db" {
		t.Errorf("environment not applied:\n%s", c.Redacted())
	}
	if got := strings.Join(c.Tags.Names, "|"); got != "web on|shop" {
		t.Errorf("tags = %q, want normalised %q", got, "web on|shop")
	}
	if !c.IsSet("run.timeout") {
		t.Error("IsSet(run.timeout) = false after the environment set it")
	}
}

func TestTagsMatch(t *testing.T) {
	tags := config.Tags{Names: []string{"webon", "Online Store"}}
	tests := []struct {
		tag  string
		want bool
	}{
		{"webon", true},
		{"WebOn", true},
		{"  WEBON ", true},
		{"online store", true},
		{"web", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := tags.Match(tt.tag); got != tt.want {
			t.Errorf("Match(%q) = %v, want %v", tt.tag, got, tt.want)
		}
	}
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"00:00", 0, true},
		{"07:30", 7*time.Hour + 30*time.Minute, true},
		{"23:59", 23*time.Hour + 59*time.Minute, true},
		{"24:00", 0, false},
		{"7:00", 0, false},
		{"07:60", 0, false},
		{"0700", 0, false},
		{"", 0, false},
		{"-1:00", 0, false},
	}
	for _, tt := range tests {
		got, err := config.ParseClock(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestRedacted(t *testing.T) {
	c, err := load(t, render(base()), map[string]string{
		"STORESYNC_WOOCOMMERCE_CONSUMER_SECRET": "env-only-secret",
	})
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"Redacted": c.Redacted(),
		"%v":       fmt.Sprintf("%v", c),
		"%+v":      fmt.Sprintf("%+v", *c),
		"%#v":      fmt.Sprintf("%#v", *c),
		"%v field": fmt.Sprintf("%v", c.Lightspeed),
		"json":     string(j),
	}
	for name, out := range outputs {
		for _, secret := range []string{"ls-secret-value", "ck_value", "env-only-secret"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s shows a secret: %s", name, out)
			}
		}
	}
	for _, want := range []string{
		`client_secret = "[redacted]"`, `account_id = "123456"`, "[woocommerce]",
		`timeout = "4m0s"`,
	} {
		if !strings.Contains(c.Redacted(), want) {
			t.Errorf("Redacted lacks %q:\n%s", want, c.Redacted())
		}
	}
}

// checkUsageError fails unless err is a one-line usage error mentioning
// every string in want.
func checkUsageError(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", want)
	}
	if code := exitcode.Code(err); code != exitcode.BadUsage {
		t.Errorf("exit code %d, want %d, for %v", code, exitcode.BadUsage, err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not mention %q", msg, w)
		}
	}
}
