// Package config loads storesync's settings: defaults, then a TOML file,
// then STORESYNC_* environment variables, then command-line flags through
// Set. Validate checks the result and reports the first problem as a single
// line naming the key and where its value came from.
//
// Secrets (the Lightspeed client secret and the WooCommerce keys) never come
// from flags. They come from the environment, from a private file named by
// a "<key>_file" setting, or from the config file when that file is private
// to its owner.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/storesync/storesync/internal/exitcode"
)

// Sources a value can come from, as Source reports them.
const (
	sourceDefault = "the default"
	sourceFlag    = "the command line"
)

// Config is the whole configuration of storesync.
type Config struct {
	// Path is the configuration file that was loaded; empty when none was.
	Path string `toml:"-"`

	// StateFile is the SQLite state file. A relative path in the config
	// file is taken relative to the config file's directory.
	StateFile string `toml:"state_file"`

	Lightspeed  Lightspeed  `toml:"lightspeed"`
	WooCommerce WooCommerce `toml:"woocommerce"`
	Tags        Tags        `toml:"tags"`
	Budget      Budget      `toml:"budget"`
	Run         Run         `toml:"run"`

	// sources maps a dotted key to where its value came from.
	sources map[string]string
}

// Lightspeed is the [lightspeed] table: the POS account and OAuth client.
type Lightspeed struct {
	AccountID        string `toml:"account_id"`
	ClientID         string `toml:"client_id"`
	ClientSecret     Secret `toml:"client_secret"`
	ClientSecretFile string `toml:"client_secret_file"`
	BaseURL          string `toml:"base_url"`
	TokenURL         string `toml:"token_url"`
	AuthorizeURL     string `toml:"authorize_url"`

	// Shops are the locations whose stock is published; empty means the
	// all-locations total (shopID 0).
	Shops []int64 `toml:"shops"`

	PriceLevel     string `toml:"price_level"`
	SalePriceLevel string `toml:"sale_price_level"`

	// SKUField is the item field used as the web SKU: "custom",
	// "system", "manufacturer" or "upc".
	SKUField string `toml:"sku_field"`
}

// WooCommerce is the [woocommerce] table: the web store.
type WooCommerce struct {
	URL                string `toml:"url"`
	ConsumerKey        Secret `toml:"consumer_key"`
	ConsumerKeyFile    string `toml:"consumer_key_file"`
	ConsumerSecret     Secret `toml:"consumer_secret"`
	ConsumerSecretFile string `toml:"consumer_secret_file"`

	// QueryAuth sends the keys as query parameters instead of basic auth,
	// for hosts that strip the Authorization header.
	QueryAuth bool `toml:"query_auth"`

	BatchSize      int `toml:"batch_size"`
	ImageBatchSize int `toml:"image_batch_size"`

	// NewStatus is the status of products storesync creates: "publish" or
	// "draft".
	NewStatus string `toml:"new_status"`

	// ArchivedStatus is how a product archived in Lightspeed is taken off
	// sale: "draft", "private" or "outofstock".
	ArchivedStatus string `toml:"archived_status"`

	// KeepFields are fields the retailer edits in the store: storesync
	// sets them when it creates a product and leaves them alone after.
	KeepFields []string `toml:"keep_fields"`

	// ImageMode is "sync" (images follow Lightspeed), "create-only"
	// (images are sent when a product is created, never after) or "none".
	ImageMode string `toml:"image_mode"`

	// ClearImages lets an item with no image in Lightspeed remove the
	// store's images; by default such an item leaves them alone.
	ClearImages bool `toml:"clear_images"`

	// BrandMode is "brands" (the store's brands taxonomy) or "attribute"
	// (a visible Brand attribute, for stores without brands).
	BrandMode string `toml:"brand_mode"`

	// AdoptCategories lets storesync use a category it did not create
	// that has the same name under the same parent.
	AdoptCategories bool `toml:"adopt_categories"`
}

// Tags is the [tags] table: the Lightspeed tags that mark an item for the
// web store.
type Tags struct {
	Names []string `toml:"names"`
}

// Match reports whether tag is one of the configured names, ignoring case
// and surrounding spaces.
func (t Tags) Match(tag string) bool {
	tag = strings.TrimSpace(tag)
	for _, n := range t.Names {
		if strings.EqualFold(strings.TrimSpace(n), tag) {
			return true
		}
	}
	return false
}

// Budget is the [budget] table: how many Lightspeed requests storesync may
// spend per minute, by time of day, across all its processes.
type Budget struct {
	DayPerMinute   int    `toml:"day_per_minute"`
	NightPerMinute int    `toml:"night_per_minute"`
	NightStarts    string `toml:"night_starts"`
	NightEnds      string `toml:"night_ends"`
	TimeZone       string `toml:"time_zone"`

	// Reserve is how many drips of Lightspeed's own bucket are kept free.
	Reserve float64 `toml:"reserve"`

	// loc is TimeZone loaded by Validate.
	loc *time.Location
}

// Location is the time zone that decides day and night and the day budget
// spend is counted in. It is UTC when TimeZone cannot be loaded, which
// Validate refuses.
func (b Budget) Location() *time.Location {
	if b.loc != nil {
		return b.loc
	}
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Run is the [run] table: limits of one run.
type Run struct {
	// Timeout bounds a run; a job may choose its own when the user did not
	// set one (see Config.IsSet).
	Timeout time.Duration `toml:"timeout"`

	// MaxRequests caps the Lightspeed requests of one run; 0 means no cap.
	MaxRequests int `toml:"max_requests"`
}

// Secret is a credential. It prints as "[redacted]" through fmt, JSON and
// text encoders; Value returns the credential itself.
type Secret string

// Value returns the credential.
func (s Secret) Value() string {
	return string(s)
}

// String returns "[redacted]", or "" when the secret is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString keeps %#v from printing the credential.
func (s Secret) GoString() string {
	return fmt.Sprintf("config.Secret(%q)", s.String())
}

// MarshalText keeps encoders from writing the credential.
func (s Secret) MarshalText() ([]byte, error) {
	return []byte(s.String()), nil
}

// Default returns the configuration used for every key that no file,
// variable or flag sets.
func Default() *Config {
	return &Config{
		StateFile: "storesync.db",
		Lightspeed: Lightspeed{
			BaseURL:      "https://api.lightspeedapp.com",
			TokenURL:     "https://cloud.lightspeedapp.com/auth/oauth/token",
			AuthorizeURL: "https://cloud.lightspeedapp.com/auth/oauth/authorize",
			PriceLevel:   "Default",
			SKUField:     "custom",
		},
		WooCommerce: WooCommerce{
			BatchSize:      100,
			ImageBatchSize: 10,
			NewStatus:      "publish",
			ArchivedStatus: "draft",
			ImageMode:      "sync",
			BrandMode:      "brands",
		},
		Tags: Tags{Names: []string{"webon"}},
		Budget: Budget{
			DayPerMinute:   30,
			NightPerMinute: 130,
			NightStarts:    "18:00",
			NightEnds:      "07:00",
			TimeZone:       "America/Los_Angeles",
			Reserve:        5,
		},
		Run:     Run{Timeout: 4 * time.Minute},
		sources: map[string]string{},
	}
}

// Load reads the configuration file at path over the defaults, then applies
// the STORESYNC_* variables that env returns (os.Getenv when env is nil).
// An empty path loads no file. Errors are usage errors. Load does not
// validate: apply flags with Set, then call Validate.
func Load(path string, env func(string) string) (*Config, error) {
	c := Default()
	if path != "" {
		if err := c.loadFile(path); err != nil {
			return nil, err
		}
	}
	if env == nil {
		env = os.Getenv
	}
	if err := c.applyEnv(env); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return exitcode.Usagef("read config file: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return exitcode.Usagef("read config file: %w", err)
	}
	c.Path = path

	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(c)
	if err != nil {
		return exitcode.Usagef("parse config file %s: %s", path, tomlMessage(err))
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return unknownKey(path, data, keys[0])
	}
	for _, k := range md.Keys() {
		c.sources[k.String()] = "config file " + path
	}

	if err := c.checkFileSecrets(path, fi.Mode().Perm()); err != nil {
		return err
	}
	c.resolvePaths(filepath.Dir(path))
	return nil
}

// tomlMessage turns a decoder error into one line without the "toml: "
// prefix; it keeps the line number and the key.
func tomlMessage(err error) string {
	var pe toml.ParseError
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	if errors.As(err, &pe) {
		msg = fmt.Sprintf("line %d: %s", pe.Position.Line, pe.Message)
		if pe.LastKey != "" {
			msg = fmt.Sprintf("line %d: %s: %s", pe.Position.Line, pe.LastKey, pe.Message)
		}
	}
	if m := typeMismatch.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("line %s: %s: want %s, got %s", m[1], m[2],
			typeName(m[4]), typeName(m[3]))
	}
	return strings.Join(strings.Fields(msg), " ")
}

// typeMismatch matches the decoder's report of a value of the wrong type.
var typeMismatch = regexp.MustCompile(`^line (\d+) \(last key "([^"]+)"\): ` +
	`incompatible types: TOML value has type (\w+); destination has type (\w+)$`)

// typeName names a TOML or Go type as a user writing TOML knows it.
func typeName(t string) string {
	switch t {
	case "string":
		return "a string"
	case "int64", "integer":
		return "an integer"
	case "float64", "float":
		return "a number"
	case "bool", "boolean":
		return "true or false"
	case "slice", "[]interface {}":
		return "a list"
	case "map[string]interface {}":
		return "a table"
	}
	return t
}

// unknownKey reports a key the file sets that storesync does not know,
// with the line it is on when that line can be found.
func unknownKey(path string, data []byte, key toml.Key) error {
	if line := findKey(data, key); line > 0 {
		return exitcode.Usagef("config file %s: line %d: unknown key %q",
			path, line, key.String())
	}
	return exitcode.Usagef("config file %s: unknown key %q", path, key.String())
}

// findKey returns the line that defines key, or 0. It understands table
// headers and plain "name = value" lines, which is all the sample uses.
func findKey(data []byte, key toml.Key) int {
	parent := strings.Join(key[:len(key)-1], ".")
	name := key[len(key)-1]
	table := ""
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			h := strings.Trim(line, "[] \t")
			if h == key.String() {
				return i + 1
			}
			table = h
			continue
		}
		k, _, ok := strings.Cut(line, "=")
		if ok && table == parent && strings.Trim(strings.TrimSpace(k), `"'`) == name {
			return i + 1
		}
	}
	return 0
}

// checkFileSecrets refuses a config file that holds a secret while others
// can read it, and one that sets a secret both inline and by file.
func (c *Config) checkFileSecrets(path string, perm os.FileMode) error {
	for _, s := range c.secrets() {
		if *s.value != "" && *s.file != "" {
			return exitcode.Usagef("config file %s: set %s or %s_file, not both",
				path, s.key, s.key)
		}
		if *s.value != "" && perm&0o077 != 0 {
			return exitcode.Usagef(
				"config file %s holds %s but is readable by group or others "+
					"(mode %04o): chmod 600 it or set $%s instead",
				path, s.key, perm, envName(s.key))
		}
	}
	return nil
}

// resolvePaths makes the relative paths the file set, and the default state
// file, relative to the config file's directory.
func (c *Config) resolvePaths(dir string) {
	paths := []struct {
		key string
		p   *string
	}{{"state_file", &c.StateFile}}
	for _, s := range c.secrets() {
		paths = append(paths, struct {
			key string
			p   *string
		}{s.key + "_file", s.file})
	}

	for _, p := range paths {
		src := c.Source(p.key)
		fromFile := src == sourceDefault || strings.HasPrefix(src, "config file ")
		if *p.p != "" && fromFile && !filepath.IsAbs(*p.p) {
			*p.p = filepath.Join(dir, *p.p)
		}
	}
}

// secretRef ties a secret to the key naming the file it may be read from.
type secretRef struct {
	key   string
	value *Secret
	file  *string
}

func (c *Config) secrets() []secretRef {
	return []secretRef{
		{"lightspeed.client_secret", &c.Lightspeed.ClientSecret, &c.Lightspeed.ClientSecretFile},
		{"woocommerce.consumer_key", &c.WooCommerce.ConsumerKey, &c.WooCommerce.ConsumerKeyFile},
		{
			"woocommerce.consumer_secret", &c.WooCommerce.ConsumerSecret,
			&c.WooCommerce.ConsumerSecretFile,
		},
	}
}

// Source says where the value of key came from: "the default", "config
// file <path>", "$STORESYNC_..." or "the command line".
func (c *Config) Source(key string) string {
	if s, ok := c.sources[key]; ok {
		return s
	}
	return sourceDefault
}

// IsSet reports whether a file, a variable or a flag set key.
func (c *Config) IsSet(key string) bool {
	return c.Source(key) != sourceDefault
}

// String is Redacted, so printing a Config never shows a secret.
func (c *Config) String() string {
	return c.Redacted()
}
