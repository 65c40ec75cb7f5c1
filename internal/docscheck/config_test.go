package docscheck

import (
	"os"
	"strings"
	"testing"

	"github.com/storesync/storesync/internal/config"
)

// readDoc returns a page of docs/, failing the test when it is missing.
func readDoc(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("../../docs/" + name)
	if err != nil {
		t.Fatalf("read docs/%s: %v", name, err)
	}
	return string(data)
}

// sections splits a page at its "### " headings, by heading line.
func sections(doc string) map[string]string {
	out := map[string]string{}
	parts := strings.Split(doc, "\n### ")
	for _, p := range parts[1:] {
		heading, body, _ := strings.Cut(p, "\n")
		out[heading] = body
	}
	return out
}

// section returns the body of the section whose heading names table, or
// the "Top level" section when table is empty.
func section(secs map[string]string, table string) (string, bool) {
	for heading, body := range secs {
		if table == "" && heading == "Top level" ||
			table != "" && strings.HasPrefix(heading, "`["+table+"]`") {
			return body, true
		}
	}
	return "", false
}

// TestConfigurationListsEveryKey fails when a setting or its variable is
// added without a row in docs/configuration.md.
func TestConfigurationListsEveryKey(t *testing.T) {
	doc := readDoc(t, "configuration.md")
	secs := sections(doc)

	envs := config.EnvVars()
	for i, key := range config.Keys() {
		table, name, ok := strings.Cut(key, ".")
		if !ok {
			table, name = "", key
		}
		body, found := section(secs, table)
		if !found {
			t.Errorf("docs/configuration.md has no section for [%s]", table)
			continue
		}
		// A row starts with the key's name and then its variable.
		row := "| `" + name + "` | `" + envs[i] + "` |"
		if !strings.Contains(body, row) {
			t.Errorf("docs/configuration.md lacks the row of %s, starting %s", key, row)
		}
	}
	for _, env := range append(envs, "STORESYNC_CONFIG") {
		if !strings.Contains(doc, "`"+env+"`") {
			t.Errorf("docs/configuration.md does not name $%s", env)
		}
	}
}
