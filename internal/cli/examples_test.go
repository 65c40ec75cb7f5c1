package cli

import (
	"bytes"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// examples collects the example command lines of cmd and its subcommands.
func examples(cmd *cobra.Command) []string {
	var out []string
	for _, line := range strings.Split(cmd.Example, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "storesync ") {
			out = append(out, line)
		}
	}
	for _, sub := range cmd.Commands() {
		out = append(out, examples(sub)...)
	}
	return out
}

// exampleOrder runs what marks products before what needs them marked,
// and what unmarks them last.
func exampleOrder(line string) int {
	switch {
	case strings.Contains(line, " tag-scan"):
		return 0
	case strings.Contains(line, " web on"):
		return 1
	case strings.Contains(line, " web off"):
		return 3
	}
	return 2
}

func TestEveryExampleRunsAgainstTheSandbox(t *testing.T) {
	s := newSandbox(t)
	lines := examples(NewRootCmd(&bytes.Buffer{}, &bytes.Buffer{}))
	sort.SliceStable(lines, func(i, j int) bool {
		return exampleOrder(lines[i]) < exampleOrder(lines[j])
	})
	if len(lines) < 20 {
		t.Fatalf("only %d examples found", len(lines))
	}

	dir := t.TempDir()
	ran := 0
	for _, line := range lines {
		args := strings.Fields(strings.TrimPrefix(line, "storesync "))
		// auth waits for a code typed in a browser; the other tests
		// connect through --refresh-token-file.
		if args[0] == "auth" {
			continue
		}
		// Examples name a config file under /opt; the sandbox has its own.
		if args[0] == "--config" {
			args = args[2:]
		}
		if args[0] == "init" {
			args = []string{"init", dir + "/storesync.toml"}
		}
		t.Run(line, func(t *testing.T) {
			out, errOut, err := s.run(args...)
			if err != nil {
				t.Errorf("%s: %v\n%s%s", line, err, out, errOut)
			}
		})
		ran++
	}
	if _, err := os.Stat(dir + "/storesync.toml"); err != nil {
		t.Errorf("storesync init wrote no file: %v", err)
	}
	t.Logf("ran %d examples", ran)
}
