package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storesync/storesync/internal/config"
)

func TestInvalid(t *testing.T) {
	tests := []struct {
		name  string
		set   map[string]string // TOML literals over base
		del   []string          // keys removed from base
		raw   string            // whole file instead of base
		mode  os.FileMode       // of the config file; 0600 when zero
		env   map[string]string
		files map[string]os.FileMode // files beside the config, by name
		want  []string               // "$FILE" stands for the config path
	}{
		{
			name: "unknown top-level key",
			set:  map[string]string{"colour": `"blue"`},
			want: []string{"$FILE", "unknown key", `"colour"`, "line "},
		},
		{
			name: "unknown key in table",
			set:  map[string]string{"lightspeed.sku_feild": `"system"`},
			want: []string{"$FILE", "unknown key", "lightspeed.sku_feild", "line "},
		},
		{
			name: "unknown table",
			set:  map[string]string{"shopify.url": `"https://x.example"`},
			want: []string{"$FILE", "unknown key", "shopify"},
		},
		{
			name: "string for integer",
			set:  map[string]string{"woocommerce.batch_size": `"100"`},
			want: []string{"$FILE", "woocommerce.batch_size", "line "},
		},
		{
			name: "integer for string",
			set:  map[string]string{"lightspeed.account_id": `123456`},
			want: []string{"$FILE", "lightspeed.account_id", "line "},
		},
		{
			name: "string for list",
			set:  map[string]string{"lightspeed.shops": `"1,2"`},
			want: []string{"$FILE", "lightspeed.shops", "line "},
		},
		{
			name: "bad duration",
			set:  map[string]string{"run.timeout": `"four minutes"`},
			want: []string{"$FILE", "run.timeout", "line "},
		},
		{
			name: "syntax error",
			raw:  "[lightspeed\naccount_id = \"1\"\n",
			want: []string{"$FILE", "line "},
		},
		{
			name: "missing config file",
			raw:  "-",
			want: []string{"config file", "no-such.toml"},
		},
		{
			name: "missing account_id",
			del:  []string{"lightspeed.account_id"},
			want: []string{"lightspeed.account_id", "$FILE", "STORESYNC_LIGHTSPEED_ACCOUNT_ID"},
		},
		{
			name: "account_id not numeric",
			set:  map[string]string{"lightspeed.account_id": `"acme"`},
			want: []string{"lightspeed.account_id", "$FILE", "numeric"},
		},
		{
			name: "missing client_id",
			del:  []string{"lightspeed.client_id"},
			want: []string{"lightspeed.client_id", "$FILE"},
		},
		{
			name: "missing client secret",
			del:  []string{"lightspeed.client_secret"},
			want: []string{
				"lightspeed.client_secret", "STORESYNC_LIGHTSPEED_CLIENT_SECRET",
				"client_secret_file", "$FILE",
			},
		},
		{
			name: "missing woocommerce url",
			del:  []string{"woocommerce.url"},
			want: []string{"woocommerce.url", "STORESYNC_WOOCOMMERCE_URL"},
		},
		{
			name: "missing consumer key",
			del:  []string{"woocommerce.consumer_key"},
			want: []string{"woocommerce.consumer_key", "STORESYNC_WOOCOMMERCE_CONSUMER_KEY"},
		},
		{
			name: "missing consumer secret",
			del:  []string{"woocommerce.consumer_secret"},
			want: []string{"woocommerce.consumer_secret"},
		},
		{
			name: "world-readable file holding a secret",
			mode: 0o644,
			want: []string{"$FILE", "lightspeed.client_secret", "0644", "chmod 600"},
		},
		{
			name: "group-readable file holding a secret",
			del:  []string{"lightspeed.client_secret"},
			mode: 0o640,
			want: []string{"$FILE", "woocommerce.consumer_key", "0640"},
		},
		{
			name:  "group-readable secret file",
			del:   []string{"lightspeed.client_secret"},
			set:   map[string]string{"lightspeed.client_secret_file": `"ls.secret"`},
			files: map[string]os.FileMode{"ls.secret": 0o640},
			want:  []string{"lightspeed.client_secret_file", "ls.secret", "0640", "$FILE"},
		},
		{
			name: "missing secret file",
			del:  []string{"lightspeed.client_secret"},
			set:  map[string]string{"lightspeed.client_secret_file": `"nope.secret"`},
			want: []string{"lightspeed.client_secret_file", "nope.secret"},
		},
		{
			name: "secret inline and by file",
			set:  map[string]string{"lightspeed.client_secret_file": `"ls.secret"`},
			want: []string{"$FILE", "lightspeed.client_secret", "not both"},
		},
		{
			name: "secret and secret file in env",
			env: map[string]string{
				"STORESYNC_WOOCOMMERCE_CONSUMER_SECRET":      "a",
				"STORESYNC_WOOCOMMERCE_CONSUMER_SECRET_FILE": "/b",
			},
			want: []string{"STORESYNC_WOOCOMMERCE_CONSUMER_SECRET_FILE", "not both"},
		},
		{
			name: "bad time zone",
			set:  map[string]string{"budget.time_zone": `"Mars/Olympus_Mons"`},
			want: []string{"budget.time_zone", "Mars/Olympus_Mons", "$FILE"},
		},
		{
			name: "hour out of range",
			set:  map[string]string{"budget.night_starts": `"25:00"`},
			want: []string{"budget.night_starts", "25:00", "$FILE", "HH:MM"},
		},
		{
			name: "single-digit hour",
			set:  map[string]string{"budget.night_ends": `"7:00"`},
			want: []string{"budget.night_ends", "$FILE"},
		},
		{
			name: "batch_size 0",
			set:  map[string]string{"woocommerce.batch_size": "0"},
			want: []string{"woocommerce.batch_size", "$FILE", "1 to 100"},
		},
		{
			name: "batch_size 101",
			set:  map[string]string{"woocommerce.batch_size": "101"},
			want: []string{"woocommerce.batch_size", "101", "$FILE"},
		},
		{
			name: "image_batch_size 0",
			set:  map[string]string{"woocommerce.image_batch_size": "0"},
			want: []string{"woocommerce.image_batch_size", "$FILE"},
		},
		{
			name: "unknown sku_field",
			set:  map[string]string{"lightspeed.sku_field": `"sku"`},
			want: []string{"lightspeed.sku_field", `"sku"`, "$FILE", "custom, system"},
		},
		{
			name: "unknown new_status",
			set:  map[string]string{"woocommerce.new_status": `"pending"`},
			want: []string{"woocommerce.new_status", "publish, draft"},
		},
		{
			name: "unknown archived_status",
			set:  map[string]string{"woocommerce.archived_status": `"trash"`},
			want: []string{"woocommerce.archived_status", "outofstock"},
		},
		{
			name: "url without scheme",
			set:  map[string]string{"woocommerce.url": `"shop.example.com"`},
			want: []string{"woocommerce.url", "$FILE", "URL"},
		},
		{
			name: "shop 0 in list",
			set:  map[string]string{"lightspeed.shops": "[1, 0]"},
			want: []string{"lightspeed.shops", "$FILE"},
		},
		{
			name: "empty price level",
			set:  map[string]string{"lightspeed.price_level": `""`},
			want: []string{"lightspeed.price_level", "$FILE"},
		},
		{
			name: "zero day budget",
			set:  map[string]string{"budget.day_per_minute": "0"},
			want: []string{"budget.day_per_minute", "$FILE"},
		},
		{
			name: "negative reserve",
			set:  map[string]string{"budget.reserve": "-1"},
			want: []string{"budget.reserve", "$FILE"},
		},
		{
			name: "zero timeout",
			set:  map[string]string{"run.timeout": `"0s"`},
			want: []string{"run.timeout", "$FILE"},
		},
		{
			name: "negative max_requests",
			set:  map[string]string{"run.max_requests": "-1"},
			want: []string{"run.max_requests", "$FILE"},
		},
		{
			name: "env not a number",
			env:  map[string]string{"STORESYNC_BUDGET_DAY_PER_MINUTE": "lots"},
			want: []string{"STORESYNC_BUDGET_DAY_PER_MINUTE", `"lots"`},
		},
		{
			name: "env value out of range",
			env:  map[string]string{"STORESYNC_WOOCOMMERCE_BATCH_SIZE": "500"},
			want: []string{"woocommerce.batch_size", "$STORESYNC_WOOCOMMERCE_BATCH_SIZE"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "storesync.toml")
			for name, mode := range tt.files {
				writeFile(t, filepath.Join(dir, name), "secret\n", mode)
			}

			switch tt.raw {
			case "":
				kv := base()
				for _, k := range tt.del {
					delete(kv, k)
				}
				for k, v := range tt.set {
					kv[k] = v
				}
				mode := tt.mode
				if mode == 0 {
					mode = 0o600
				}
				writeFile(t, path, render(kv), mode)
			case "-":
				path = filepath.Join(dir, "no-such.toml")
			default:
				writeFile(t, path, tt.raw, 0o600)
			}

			c, err := config.Load(path, envOf(tt.env))
			if err == nil {
				err = c.Validate()
			}
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = strings.ReplaceAll(w, "$FILE", path)
			}
			checkUsageError(t, err, want)
		})
	}
}
