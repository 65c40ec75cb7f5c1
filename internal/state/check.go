package state

import (
	"context"
	"fmt"
	"os"
)

// Finding is one result of Check.
type Finding struct {
	OK     bool
	Check  string
	Detail string
}

// Check examines the state file: SQLite's own integrity and foreign-key
// checks, the schema version, the file's permissions, and rows that
// contradict each other.
func (s *Store) Check(ctx context.Context) []Finding {
	var out []Finding
	add := func(ok bool, check, detail string) {
		out = append(out, Finding{OK: ok, Check: check, Detail: detail})
	}

	var integrity string
	if err := s.DB.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&integrity); err != nil {
		add(false, "integrity", err.Error())
	} else {
		add(integrity == "ok", "integrity", integrity)
	}

	rows, err := s.DB.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		add(false, "foreign keys", err.Error())
	} else {
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		add(n == 0, "foreign keys", fmt.Sprintf("%d broken references", n))
	}

	var version int
	if err := s.DB.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		add(false, "schema", err.Error())
	} else {
		add(version == len(migrations), "schema",
			fmt.Sprintf("version %d of %d", version, len(migrations)))
	}

	if info, err := os.Stat(s.Path); err != nil {
		add(false, "permissions", err.Error())
	} else {
		perm := info.Mode().Perm()
		add(perm&0o077 == 0, "permissions",
			fmt.Sprintf("%v (tokens live here: keep it 0600)", perm))
	}

	var orphans int
	err = s.DB.QueryRowContext(ctx, `SELECT count(*) FROM products
		WHERE kind = 'item' AND web_parent_id <> 0 AND web_id = 0`).Scan(&orphans)
	if err != nil {
		add(false, "products", err.Error())
	} else {
		add(orphans == 0, "products",
			fmt.Sprintf("%d variations with a parent but no id of their own", orphans))
	}
	return out
}
