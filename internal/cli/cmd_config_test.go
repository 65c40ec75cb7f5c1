package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storesync/storesync/internal/exitcode"
)

const goodConfig = `[lightspeed]
account_id = "123456"
client_id = "cid"
client_secret = "ls-secret-value"

[woocommerce]
url = "https://shop.example.com"
consumer_key = "ck_value"
consumer_secret = "cs_value"
`

// runConfig runs "config check" on a private config file holding content,
// with env as the whole environment.
func runConfig(t *testing.T, content string, env map[string]string,
	args ...string) (string, string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "storesync.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	opts := &Options{
		ConfigPath: path,
		Stdout:     &stdout,
		Stderr:     &stderr,
		Getenv:     func(k string) string { return env[k] },
	}
	// As under the root command, main prints the error, not cobra.
	cmd := newConfigCmd(opts)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs(append([]string{"check"}, args...))
	err := cmd.Execute()
	return stdout.String(), path, err
}

func TestConfigCheckGood(t *testing.T) {
	env := map[string]string{"STORESYNC_BUDGET_DAY_PER_MINUTE": "25"}
	out, path, err := runConfig(t, goodConfig, env)
	if err != nil {
		t.Fatalf("config check: %v", err)
	}

	if first, _, _ := strings.Cut(out, "\n"); first != "configuration OK: "+path {
		t.Errorf("first line = %q, want the OK line naming %s", first, path)
	}
	for _, want := range []string{
		`account_id = "123456"`,
		`client_secret = "[redacted]"`,
		`consumer_key = "[redacted]"`,
		"day_per_minute = 25",
		"[woocommerce]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"ls-secret-value", "ck_value", "cs_value"} {
		if strings.Contains(out, secret) {
			t.Errorf("output shows the secret %q:\n%s", secret, out)
		}
	}
}

func TestConfigCheckBad(t *testing.T) {
	tests := []struct {
		name    string
		content string
		env     map[string]string
		want    string
	}{
		{
			name:    "missing key",
			content: strings.Replace(goodConfig, `url = "https://shop.example.com"`, "", 1),
			want:    "missing woocommerce.url",
		},
		{
			name:    "unknown key",
			content: goodConfig + "colour = \"blue\"\n",
			want:    `unknown key "woocommerce.colour"`,
		},
		{
			name:    "bad environment",
			content: goodConfig,
			env:     map[string]string{"STORESYNC_WOOCOMMERCE_BATCH_SIZE": "500"},
			want:    "invalid woocommerce.batch_size",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runConfig(t, tt.content, tt.env)
			if err == nil {
				t.Fatalf("config check passed:\n%s", out)
			}
			var ue *exitcode.UsageError
			if !errors.As(err, &ue) || exitcode.Code(err) != exitcode.BadUsage {
				t.Errorf("error %v exits %d, want a usage error (exit %d)",
					err, exitcode.Code(err), exitcode.BadUsage)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to mention %q", err, tt.want)
			}
			if out != "" {
				t.Errorf("printed on failure:\n%s", out)
			}
		})
	}
}

func TestConfigCheckTakesNoArguments(t *testing.T) {
	if _, _, err := runConfig(t, goodConfig, nil, "extra"); err == nil {
		t.Fatal("config check accepted an argument")
	}
}
