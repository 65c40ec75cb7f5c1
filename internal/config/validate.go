package config

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	// Embedded zone data: a minimal host may have no /usr/share/zoneinfo,
	// and budget.time_zone must still load.
	_ "time/tzdata"

	"github.com/storesync/storesync/internal/exitcode"
)

// maxBatch is the most operations WooCommerce accepts in one batch request.
const maxBatch = 100

// Validate reads the secrets named by *_file keys, checks every setting and
// normalises the tag names. It returns the first problem as a usage error
// whose one-line message names the key and where its value came from.
func (c *Config) Validate() error {
	checks := []func() error{
		c.readSecretFiles,
		c.validateLightspeed,
		c.validateWooCommerce,
		c.validateBudget,
		c.validateRun,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	c.Tags.Names = normaliseTags(c.Tags.Names)
	return nil
}

func (c *Config) readSecretFiles() error {
	for _, s := range c.secrets() {
		if *s.file == "" {
			continue
		}
		v, err := readSecretFile(*s.file)
		if err != nil {
			return exitcode.Usagef("read %s_file (from %s): %w",
				s.key, c.Source(s.key+"_file"), err)
		}
		*s.value = Secret(v)
	}
	return nil
}

// readSecretFile returns the trimmed content of a file only its owner can
// read.
func readSecretFile(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("%s is readable by group or others (mode %04o): "+
			"chmod 600 it", path, perm)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	v := strings.TrimSpace(string(data))
	if v == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return v, nil
}

func (c *Config) validateLightspeed() error {
	ls := c.Lightspeed
	if c.StateFile == "" {
		return c.missing("state_file")
	}
	if ls.AccountID == "" {
		return c.missing("lightspeed.account_id")
	}
	if _, err := strconv.ParseUint(ls.AccountID, 10, 64); err != nil {
		return c.invalid("lightspeed.account_id", "must be the numeric account ID")
	}
	if ls.ClientID == "" {
		return c.missing("lightspeed.client_id")
	}
	if ls.ClientSecret == "" {
		return c.missingSecret("lightspeed.client_secret")
	}

	for _, k := range []string{
		"lightspeed.base_url", "lightspeed.token_url", "lightspeed.authorize_url",
	} {
		if err := c.checkURL(k); err != nil {
			return err
		}
	}
	for _, id := range ls.Shops {
		if id <= 0 {
			return c.invalid("lightspeed.shops",
				"shop IDs are positive; leave the list empty for all locations")
		}
	}
	if strings.TrimSpace(ls.PriceLevel) == "" {
		return c.missing("lightspeed.price_level")
	}
	return c.checkEnum("lightspeed.sku_field", ls.SKUField,
		"custom", "system", "manufacturer", "upc")
}

func (c *Config) validateWooCommerce() error {
	wc := c.WooCommerce
	if wc.URL == "" {
		return c.missing("woocommerce.url")
	}
	if err := c.checkURL("woocommerce.url"); err != nil {
		return err
	}
	if wc.ConsumerKey == "" {
		return c.missingSecret("woocommerce.consumer_key")
	}
	if wc.ConsumerSecret == "" {
		return c.missingSecret("woocommerce.consumer_secret")
	}

	if wc.BatchSize < 1 || wc.BatchSize > maxBatch {
		return c.invalid("woocommerce.batch_size", "must be 1 to 100")
	}
	if wc.ImageBatchSize < 1 || wc.ImageBatchSize > maxBatch {
		return c.invalid("woocommerce.image_batch_size", "must be 1 to 100")
	}
	err := c.checkEnum("woocommerce.new_status", wc.NewStatus, "publish", "draft")
	if err != nil {
		return err
	}
	err = c.checkEnum("woocommerce.archived_status", wc.ArchivedStatus,
		"draft", "private", "outofstock")
	if err != nil {
		return err
	}
	for _, f := range wc.KeepFields {
		if !slices.Contains(KeepableFields, f) {
			return c.invalid("woocommerce.keep_fields",
				"each must be one of "+strings.Join(KeepableFields, ", "))
		}
	}
	err = c.checkEnum("woocommerce.image_mode", wc.ImageMode, "sync", "create-only", "none")
	if err != nil {
		return err
	}
	return c.checkEnum("woocommerce.brand_mode", wc.BrandMode, "brands", "attribute")
}

// KeepableFields are the fields woocommerce.keep_fields may name.
var KeepableFields = []string{"name", "description", "short_description", "categories",
	"brand", "images", "weight", "dimensions"}

func (c *Config) validateBudget() error {
	b := &c.Budget
	if b.DayPerMinute < 1 {
		return c.invalid("budget.day_per_minute", "must be at least 1")
	}
	if b.NightPerMinute < 1 {
		return c.invalid("budget.night_per_minute", "must be at least 1")
	}
	if _, err := ParseClock(b.NightStarts); err != nil {
		return c.invalid("budget.night_starts", "must be HH:MM, such as 18:00")
	}
	if _, err := ParseClock(b.NightEnds); err != nil {
		return c.invalid("budget.night_ends", "must be HH:MM, such as 07:00")
	}

	if b.TimeZone == "" {
		return c.missing("budget.time_zone")
	}
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil {
		return c.invalid("budget.time_zone",
			"unknown time zone; use an IANA name such as America/Los_Angeles")
	}
	b.loc = loc

	if b.Reserve < 0 {
		return c.invalid("budget.reserve", "must not be negative")
	}
	return nil
}

func (c *Config) validateRun() error {
	if c.Run.Timeout <= 0 {
		return c.invalid("run.timeout", "must be a positive duration such as 4m")
	}
	if c.Run.MaxRequests < 0 {
		return c.invalid("run.max_requests", "must be 0 (no cap) or more")
	}
	return nil
}

// ParseClock parses a time of day written HH:MM (24-hour) into the time
// since midnight.
func ParseClock(s string) (time.Duration, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, herr := strconv.Atoi(h)
	mm, merr := strconv.Atoi(m)
	if !ok || len(h) != 2 || len(m) != 2 || herr != nil || merr != nil ||
		hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("parse time of day %q: want HH:MM", s)
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

func (c *Config) checkURL(key string) error {
	f, _ := c.field(key)
	raw, _ := strconv.Unquote(f.show())
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return c.invalid(key, "must be an http or https URL")
	}
	return nil
}

func (c *Config) checkEnum(key, v string, allowed ...string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return c.invalid(key, "must be one of "+strings.Join(allowed, ", "))
}

// invalid reports a bad value with where it came from.
func (c *Config) invalid(key, why string) error {
	f, _ := c.field(key)
	return exitcode.Usagef("invalid %s %s (from %s): %s", key, f.show(), c.Source(key), why)
}

// missing reports a required setting that nothing set.
func (c *Config) missing(key string) error {
	return exitcode.Usagef("missing %s: set it in %s or $%s", key, c.fileName(), envName(key))
}

// missingSecret reports a required secret, naming the ways to give it.
func (c *Config) missingSecret(key string) error {
	return exitcode.Usagef("missing %s: set $%s, or %s_file to a private file, "+
		"or %s in %s", key, envName(key), key, key, c.fileName())
}

func (c *Config) fileName() string {
	if c.Path == "" {
		return "the config file"
	}
	return "config file " + c.Path
}

// normaliseTags trims and lower-cases the names and drops empty ones and
// repeats.
func normaliseTags(names []string) []string {
	var out []string
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
