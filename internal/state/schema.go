package state

// migrations are applied in order; the state file records how many ran in
// PRAGMA user_version. A migration is never edited once released: changes
// go in a new one.
var migrations = []string{
	// 1: the first schema.
	`
CREATE TABLE products (
	kind          TEXT    NOT NULL CHECK (kind IN ('item', 'matrix')),
	ls_id         INTEGER NOT NULL,
	matrix_id     INTEGER NOT NULL DEFAULT 0,
	sku           TEXT    NOT NULL DEFAULT '',
	name          TEXT    NOT NULL DEFAULT '',
	sell_on_web   INTEGER NOT NULL DEFAULT 0,
	flagged_by    TEXT    NOT NULL DEFAULT '',
	flagged_at    TEXT    NOT NULL DEFAULT '',
	ls_stamp      TEXT    NOT NULL DEFAULT '',
	archived      INTEGER NOT NULL DEFAULT 0,
	web_id        INTEGER NOT NULL DEFAULT 0,
	web_parent_id INTEGER NOT NULL DEFAULT 0,
	pushed_stamp  TEXT    NOT NULL DEFAULT '',
	pushed_hash   TEXT    NOT NULL DEFAULT '',
	pushed_price  TEXT    NOT NULL DEFAULT '',
	pushed_stock  INTEGER,
	pushed_at     TEXT    NOT NULL DEFAULT '',
	dirty         INTEGER NOT NULL DEFAULT 1,
	failures      INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (kind, ls_id)
);
CREATE INDEX products_matrix ON products (matrix_id) WHERE matrix_id <> 0;
CREATE INDEX products_pending ON products (sell_on_web, dirty);
CREATE INDEX products_sku ON products (sku);

CREATE TABLE stock (
	item_id    INTEGER NOT NULL,
	shop_id    INTEGER NOT NULL,
	qoh        INTEGER NOT NULL,
	sellable   INTEGER NOT NULL,
	stamp      TEXT    NOT NULL,
	PRIMARY KEY (item_id, shop_id)
);

CREATE TABLE prices (
	item_id INTEGER NOT NULL,
	level   TEXT    NOT NULL,
	amount  TEXT    NOT NULL,
	PRIMARY KEY (item_id, level)
);

CREATE TABLE tagged_matrices (
	matrix_id  INTEGER PRIMARY KEY,
	tag        TEXT NOT NULL,
	flagged_at TEXT NOT NULL
);

CREATE TABLE images (
	ls_image_id INTEGER PRIMARY KEY,
	owner_kind  TEXT    NOT NULL,
	owner_id    INTEGER NOT NULL,
	ls_stamp    TEXT    NOT NULL,
	public_id   TEXT    NOT NULL,
	media_id    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE categories (
	ls_id   INTEGER PRIMARY KEY,
	web_id  INTEGER NOT NULL,
	name    TEXT    NOT NULL,
	parent  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE brands (
	ls_id  INTEGER PRIMARY KEY,
	web_id INTEGER NOT NULL,
	name   TEXT    NOT NULL
);

CREATE TABLE cursors (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE runs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	job         TEXT    NOT NULL,
	started_at  TEXT    NOT NULL,
	finished_at TEXT    NOT NULL DEFAULT '',
	outcome     TEXT    NOT NULL DEFAULT 'running',
	exit_code   INTEGER NOT NULL DEFAULT 0,
	created     INTEGER NOT NULL DEFAULT 0,
	updated     INTEGER NOT NULL DEFAULT 0,
	unchanged   INTEGER NOT NULL DEFAULT 0,
	failed      INTEGER NOT NULL DEFAULT 0,
	flagged     INTEGER NOT NULL DEFAULT 0,
	ls_requests INTEGER NOT NULL DEFAULT 0,
	web_requests INTEGER NOT NULL DEFAULT 0,
	error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX runs_job ON runs (job, id);

CREATE TABLE run_requests (
	run_id   INTEGER NOT NULL REFERENCES runs (id),
	api      TEXT    NOT NULL,
	endpoint TEXT    NOT NULL,
	n        INTEGER NOT NULL,
	PRIMARY KEY (run_id, api, endpoint)
);

CREATE TABLE tokens (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	access     TEXT NOT NULL,
	refresh    TEXT NOT NULL,
	expiry     TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE budget_spend (
	at_ms   INTEGER NOT NULL,
	pid     INTEGER NOT NULL,
	job     TEXT    NOT NULL
);
CREATE INDEX budget_spend_at ON budget_spend (at_ms);

CREATE TABLE budget_daily (
	day      TEXT    NOT NULL,
	endpoint TEXT    NOT NULL,
	n        INTEGER NOT NULL,
	PRIMARY KEY (day, endpoint)
);
`,
	// 2: the fields last pushed, to show what a push would change.
	`ALTER TABLE products ADD COLUMN pushed_json TEXT NOT NULL DEFAULT '';`,
	// 3: a fingerprint of the fields a feed read shows, to notice a change
	// made in the same second as the read the last push reflects.
	`ALTER TABLE products ADD COLUMN seen_hash TEXT NOT NULL DEFAULT '';`,
}
