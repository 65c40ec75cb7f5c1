package cli

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/storesync/storesync/internal/state"
)

// storedTokens reads the Lightspeed pair the state file holds now.
func storedTokens(t *testing.T, path string) []string {
	t.Helper()
	st, err := state.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var access, refresh string
	err = st.DB.QueryRow(`SELECT access, refresh FROM tokens WHERE id = 1`).
		Scan(&access, &refresh)
	if err != nil {
		t.Fatal(err)
	}
	return []string{access, refresh}
}

// A whole day of work at debug level, token refreshes included, leaves no
// secret and no token in what storesync prints.
func TestNoSecretInLogsOfADemoRun(t *testing.T) {
	s := newSandbox(t)
	db := filepath.Join(s.dir, "storesync.db")
	key, secret := s.wc.Credentials()
	secrets := map[string]bool{"sandbox-secret": true, key: true, secret: true}
	expire := func() {
		st, err := state.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.DB.Exec(`UPDATE tokens SET expiry = ?`,
			"2000-01-01T00:00:00Z"); err != nil {
			t.Fatal(err)
		}
	}

	var logs strings.Builder
	steps := [][]string{
		{"tag-scan"}, {"tag-sync"}, {"sync"}, {"sell"}, {"sync"}, {"expire"},
		{"sync-all", "--reconcile"}, {"sync-selected", "sku:85123A"},
		{"web", "list"}, {"status", "--json"}, {"doctor"}, {"config", "check"},
		{"expire"}, {"sync", "--dry-run"}, {"sync-selected", "no-such-sku"},
	}
	for _, step := range steps {
		for _, tok := range storedTokens(t, db) {
			secrets[tok] = true
		}
		switch step[0] {
		case "expire":
			expire()
			continue
		case "sell":
			for _, it := range s.ls.Items()[:40] {
				_ = s.ls.Sell(it.ItemID, 1, 1)
			}
			continue
		}
		out, errOut, err := s.run(append([]string{"--log-level", "debug"}, step...)...)
		logs.WriteString(out + errOut)
		if err != nil {
			logs.WriteString(err.Error())
		}
	}
	for _, tok := range storedTokens(t, db) {
		secrets[tok] = true
	}
	if len(secrets) < 7 {
		t.Fatalf("only %d distinct secrets and tokens: the tokens were not refreshed",
			len(secrets))
	}
	text := logs.String()
	if !strings.Contains(text, "lightspeed token refreshed") {
		t.Fatal("no run refreshed the token")
	}
	for sec := range secrets {
		if sec != "" && strings.Contains(text, sec) {
			t.Errorf("a secret (%d characters) appears in the logs", len(sec))
		}
	}
}

// The state file, its write-ahead log and shared-memory index, and the
// lock files beside it are private to their owner, whatever the umask.
func TestStateFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	s := newSandbox(t)
	s.mustRun("tag-scan")
	s.mustRun("sync")

	// Keep the file open so its -wal and -shm files exist to be checked.
	st, err := state.Open(context.Background(), filepath.Join(s.dir, "storesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.DB.Exec(`INSERT INTO cursors (name, value) VALUES ('x', 'y')`); err != nil {
		t.Fatal(err)
	}

	seen := map[string]bool{}
	matches, err := filepath.Glob(filepath.Join(s.dir, "storesync.db*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range matches {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(path)
		seen[strings.TrimPrefix(name, "storesync.db")] = true
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s is %v, want -rw-------", name, perm)
		}
	}
	for _, want := range []string{"", "-wal", "-shm", ".sync.lock", ".tag-scan.lock"} {
		if !seen[want] {
			t.Errorf("no storesync.db%s was created; files: %v", want, matches)
		}
	}
}

// No code of storesync turns off TLS certificate checks.
func TestTLSVerificationNeverDisabled(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) &&
			path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == "InsecureSkipVerify" {
				t.Errorf("%s: InsecureSkipVerify", fset.Position(id.Pos()))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
