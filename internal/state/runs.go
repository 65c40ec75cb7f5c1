package state

import (
	"context"
	"database/sql"
	"fmt"
)

// Counts summarise what a run did.
type Counts struct {
	Created     int
	Updated     int
	Unchanged   int
	Failed      int
	Flagged     int
	LSRequests  int
	WebRequests int
}

// Run is one row of the runs table.
type Run struct {
	ID         int64
	Job        string
	StartedAt  string
	FinishedAt string
	Outcome    string
	ExitCode   int
	Counts
	Error string
}

// StartRun records the start of a job and returns its run id.
func (s *Store) StartRun(ctx context.Context, job string) (int64, error) {
	// The caller holds the job's lock, so an earlier run of the job still
	// marked running was killed before it could record its end.
	_, err := s.DB.ExecContext(ctx, `UPDATE runs SET outcome = 'killed'
		WHERE job = ? AND outcome = 'running'`, job)
	if err != nil {
		return 0, fmt.Errorf("record start of %s: %w", job, err)
	}
	res, err := s.DB.ExecContext(ctx,
		`INSERT INTO runs (job, started_at) VALUES (?, ?)`, job, Now())
	if err != nil {
		return 0, fmt.Errorf("record start of %s: %w", job, err)
	}
	return res.LastInsertId()
}

// FinishRun records how a run ended and the requests it spent per endpoint.
func (s *Store) FinishRun(ctx context.Context, id int64, outcome string, code int,
	c Counts, runErr string, requests map[[2]string]int) error {
	return s.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
UPDATE runs SET finished_at = ?, outcome = ?, exit_code = ?, created = ?,
	updated = ?, unchanged = ?, failed = ?, flagged = ?, ls_requests = ?,
	web_requests = ?, error = ?
WHERE id = ?`, Now(), outcome, code, c.Created, c.Updated, c.Unchanged,
			c.Failed, c.Flagged, c.LSRequests, c.WebRequests, runErr, id)
		if err != nil {
			return fmt.Errorf("record end of run %d: %w", id, err)
		}
		for k, n := range requests {
			_, err := tx.ExecContext(ctx, `
INSERT INTO run_requests (run_id, api, endpoint, n) VALUES (?, ?, ?, ?)`, id, k[0], k[1], n)
			if err != nil {
				return fmt.Errorf("record requests of run %d: %w", id, err)
			}
		}
		return nil
	})
}

// LastRuns returns the latest run of each job.
func (s *Store) LastRuns(ctx context.Context) ([]Run, error) {
	rows, err := s.DB.QueryContext(ctx, `
SELECT id, job, started_at, finished_at, outcome, exit_code, created, updated,
	unchanged, failed, flagged, ls_requests, web_requests, error
FROM runs WHERE id IN (SELECT max(id) FROM runs GROUP BY job) ORDER BY job`)
	if err != nil {
		return nil, fmt.Errorf("read runs: %w", err)
	}
	defer rows.Close()

	var out []Run
	for rows.Next() {
		var r Run
		err := rows.Scan(&r.ID, &r.Job, &r.StartedAt, &r.FinishedAt, &r.Outcome,
			&r.ExitCode, &r.Created, &r.Updated, &r.Unchanged, &r.Failed, &r.Flagged,
			&r.LSRequests, &r.WebRequests, &r.Error)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Spend returns the Lightspeed requests counted on day per endpoint.
func (s *Store) Spend(ctx context.Context, day string) (map[string]int, error) {
	rows, err := s.DB.QueryContext(ctx,
		`SELECT endpoint, n FROM budget_daily WHERE day = ?`, day)
	if err != nil {
		return nil, fmt.Errorf("read budget spend: %w", err)
	}
	defer rows.Close()

	out := map[string]int{}
	for rows.Next() {
		var ep string
		var n int
		if err := rows.Scan(&ep, &n); err != nil {
			return nil, err
		}
		out[ep] = n
	}
	return out, rows.Err()
}
