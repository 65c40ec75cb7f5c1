package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/storesync/storesync/internal/exitcode"
)

// field is one setting addressed by its dotted key, for the environment,
// flags and printing.
type field struct {
	key    string
	secret bool                 // refused on the command line
	show   func() string        // the value as TOML would write it
	parse  func(v string) error // sets the value from text
}

// fields lists every setting in the order of the sample file.
func (c *Config) fields() []field {
	ls, wc, b, r := &c.Lightspeed, &c.WooCommerce, &c.Budget, &c.Run
	fs := []field{text("state_file", &c.StateFile)}
	fs = append(fs,
		text("lightspeed.account_id", &ls.AccountID),
		text("lightspeed.client_id", &ls.ClientID))
	fs = append(fs, secretPair("lightspeed.client_secret",
		&ls.ClientSecret, &ls.ClientSecretFile)...)
	fs = append(fs,
		text("lightspeed.base_url", &ls.BaseURL),
		text("lightspeed.token_url", &ls.TokenURL),
		text("lightspeed.authorize_url", &ls.AuthorizeURL),
		ids("lightspeed.shops", &ls.Shops),
		text("lightspeed.price_level", &ls.PriceLevel),
		text("lightspeed.sale_price_level", &ls.SalePriceLevel),
		text("lightspeed.sku_field", &ls.SKUField),
		text("woocommerce.url", &wc.URL))
	fs = append(fs, secretPair("woocommerce.consumer_key",
		&wc.ConsumerKey, &wc.ConsumerKeyFile)...)
	fs = append(fs, secretPair("woocommerce.consumer_secret",
		&wc.ConsumerSecret, &wc.ConsumerSecretFile)...)
	fs = append(fs,
		boolean("woocommerce.query_auth", &wc.QueryAuth),
		integer("woocommerce.batch_size", &wc.BatchSize),
		integer("woocommerce.image_batch_size", &wc.ImageBatchSize),
		text("woocommerce.new_status", &wc.NewStatus),
		text("woocommerce.archived_status", &wc.ArchivedStatus),
		words("woocommerce.keep_fields", &wc.KeepFields),
		text("woocommerce.image_mode", &wc.ImageMode),
		boolean("woocommerce.clear_images", &wc.ClearImages),
		text("woocommerce.brand_mode", &wc.BrandMode),
		boolean("woocommerce.adopt_categories", &wc.AdoptCategories),
		words("tags.names", &c.Tags.Names),
		integer("budget.day_per_minute", &b.DayPerMinute),
		integer("budget.night_per_minute", &b.NightPerMinute),
		text("budget.night_starts", &b.NightStarts),
		text("budget.night_ends", &b.NightEnds),
		text("budget.time_zone", &b.TimeZone),
		decimal("budget.reserve", &b.Reserve),
		duration("run.timeout", &r.Timeout),
		integer("run.max_requests", &r.MaxRequests))
	return fs
}

func (c *Config) field(key string) (field, bool) {
	for _, f := range c.fields() {
		if f.key == key {
			return f, true
		}
	}
	return field{}, false
}

// Keys returns the dotted name of every setting, in the order of the sample
// file.
func Keys() []string {
	var keys []string
	for _, f := range Default().fields() {
		keys = append(keys, f.key)
	}
	return keys
}

// EnvVars returns the environment variable of every setting, in the order
// of the sample file: STORESYNC_ and the upper-cased key with dots as
// underscores.
func EnvVars() []string {
	var names []string
	for _, k := range Keys() {
		names = append(names, envName(k))
	}
	return names
}

func envName(key string) string {
	return "STORESYNC_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// applyEnv sets every key whose variable env returns non-empty.
func (c *Config) applyEnv(env func(string) string) error {
	for _, s := range c.secrets() {
		v, f := envName(s.key), envName(s.key+"_file")
		if env(v) != "" && env(f) != "" {
			return exitcode.Usagef("set $%s or $%s, not both", v, f)
		}
	}

	for _, f := range c.fields() {
		name := envName(f.key)
		v := env(name)
		if v == "" {
			continue
		}
		if err := f.parse(v); err != nil {
			return exitcode.Usagef("parse $%s: %w", name, err)
		}
		c.sources[f.key] = "$" + name
	}
	return nil
}

// Set sets a key from a command-line flag, over the file and the
// environment. Secrets are refused: a flag's value shows in the process
// list. Errors are usage errors.
func (c *Config) Set(key, value string) error {
	f, ok := c.field(key)
	if !ok {
		return exitcode.Usagef("set %s: unknown config key", key)
	}
	if f.secret {
		return exitcode.Usagef("set %s: secrets are not taken from the command "+
			"line; use $%s or %s_file", key, envName(key), key)
	}
	if err := f.parse(value); err != nil {
		return exitcode.Usagef("set %s: %w", key, err)
	}
	c.sources[key] = sourceFlag
	return nil
}

// Redacted returns the configuration as TOML with every secret replaced by
// "[redacted]", for logs and "storesync status".
func (c *Config) Redacted() string {
	var b strings.Builder
	table := ""
	for _, f := range c.fields() {
		name := f.key
		if t, k, ok := strings.Cut(f.key, "."); ok {
			if t != table {
				fmt.Fprintf(&b, "\n[%s]\n", t)
				table = t
			}
			name = k
		}
		fmt.Fprintf(&b, "%s = %s\n", name, f.show())
	}
	return b.String()
}

func text(key string, p *string) field {
	return field{
		key:   key,
		show:  func() string { return strconv.Quote(*p) },
		parse: func(v string) error { *p = v; return nil },
	}
}

// secretPair returns the secret and the key naming a file that holds it.
// Setting either clears the other, so a later source replaces an earlier
// one whichever form each uses.
func secretPair(key string, p *Secret, file *string) []field {
	return []field{
		{
			key:    key,
			secret: true,
			show:   func() string { return strconv.Quote(p.String()) },
			parse: func(v string) error {
				*p, *file = Secret(v), ""
				return nil
			},
		},
		{
			key:  key + "_file",
			show: func() string { return strconv.Quote(*file) },
			parse: func(v string) error {
				*p, *file = "", v
				return nil
			},
		},
	}
}

func integer(key string, p *int) field {
	return field{
		key:  key,
		show: func() string { return strconv.Itoa(*p) },
		parse: func(v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			*p = n
			return nil
		},
	}
}

func decimal(key string, p *float64) field {
	return field{
		key:  key,
		show: func() string { return strconv.FormatFloat(*p, 'f', -1, 64) },
		parse: func(v string) error {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return fmt.Errorf("%q is not a number", v)
			}
			*p = n
			return nil
		},
	}
}

func boolean(key string, p *bool) field {
	return field{
		key:  key,
		show: func() string { return strconv.FormatBool(*p) },
		parse: func(v string) error {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*p = b
			return nil
		},
	}
}

func duration(key string, p *time.Duration) field {
	return field{
		key:  key,
		show: func() string { return strconv.Quote(p.String()) },
		parse: func(v string) error {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("%q is not a duration such as 4m or 90s", v)
			}
			*p = d
			return nil
		},
	}
}

// ids parses a comma-separated list of IDs; an empty value clears it.
func ids(key string, p *[]int64) field {
	return field{
		key: key,
		show: func() string {
			s := make([]string, len(*p))
			for i, id := range *p {
				s[i] = strconv.FormatInt(id, 10)
			}
			return "[" + strings.Join(s, ", ") + "]"
		},
		parse: func(v string) error {
			var out []int64
			for _, s := range splitList(v) {
				id, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return fmt.Errorf("%q is not a comma-separated list of IDs", v)
				}
				out = append(out, id)
			}
			*p = out
			return nil
		},
	}
}

// words parses a comma-separated list of names; an empty value clears it.
func words(key string, p *[]string) field {
	return field{
		key: key,
		show: func() string {
			s := make([]string, len(*p))
			for i, w := range *p {
				s[i] = strconv.Quote(w)
			}
			return "[" + strings.Join(s, ", ") + "]"
		},
		parse: func(v string) error {
			*p = splitList(v)
			return nil
		},
	}
}

func splitList(v string) []string {
	var out []string
	for s := range strings.SplitSeq(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
