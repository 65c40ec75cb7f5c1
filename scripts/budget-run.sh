#!/usr/bin/env bash
# Measures the Lightspeed requests per minute storesync actually makes with
# the default budget (30 a minute by day, 130 by night), counted by the
# emulated Lightspeed, and the highest level its rate-limit bucket reaches.
#
# The sandbox serves the documented bucket: 90 drips, leaking 1 a second.
# For each setting, the night window in the config is placed around the
# current time (night) or away from it (day), and storesync runs full
# tag-scans back to back while a sync-all runs beside them, both as
# separate processes sharing one state file, for RUN_SECONDS (120 by
# default). The emulator then reports its request log.
#
# Needs Go, a C compiler and curl; takes about five minutes. Everything
# it writes goes to a temporary folder, removed at the end (KEEP=1 keeps
# it).
set -euo pipefail
cd "$(dirname "$0")/.."

RUN_SECONDS=${RUN_SECONDS:-120}
ZONE=America/Los_Angeles
work=$(mktemp -d "${TMPDIR:-/tmp}/storesync-budget.XXXXXX")
sandbox_pid=""
cleanup() {
	[ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
	[ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

echo "building into $work/bin"
export CGO_ENABLED=1
go build -o "$work/bin/storesync" ./cmd/storesync
go build -o "$work/bin/storesync-sandbox" ./cmd/storesync-sandbox
ss="$work/bin/storesync"

sb="$work/bin/storesync-sandbox"
. scripts/lib/sandbox.sh
start_sandbox --ls-bucket 90 --ls-drip 1
val() { ready_val "$@"; }
ls_url=$(val lightspeed_url)

# clock prints the time in $ZONE, shifted by $1 hours, as HH:MM.
clock() {
	local now h
	now=$(TZ=$ZONE date +%H:%M)
	h=$(( (10#${now%:*} + $1 + 24) % 24 ))
	printf '%02d:%s' "$h" "${now#*:}"
}

# stat prints one value of the emulator's statistics.
stat() {
	curl -fsS "$ls_url/_sandbox/stats" | tr -d '\n' |
		sed -n "s/.*\"$1\": *\(\[[^]]*\]\|[0-9.]*\).*/\1/p"
}

# measure runs storesync for RUN_SECONDS with the night window $2 to $3
# and reports what the emulator counted under the label $1.
measure() {
	local label=$1 dir="$work/$1" end left
	mkdir -p "$dir"
	umask 077
	cat >"$dir/storesync.toml" <<TOML
state_file = "storesync.db"

[lightspeed]
account_id = "$(val account_id)"
client_id = "$(val client_id)"
client_secret = "$(val client_secret)"
base_url = "$ls_url"
token_url = "$(val token_url)"
shops = [1, 2]

[woocommerce]
url = "$(val woocommerce_url)"
consumer_key = "$(val woocommerce_key)"
consumer_secret = "$(val woocommerce_secret)"

[budget]
# The default 30 a minute by day and 130 by night; only the window moves.
time_zone = "$ZONE"
night_starts = "$2"
night_ends = "$3"
TOML
	export STORESYNC_CONFIG="$dir/storesync.toml" STORESYNC_LOG_FORMAT=json
	curl -fsS -X POST -d '{}' "$ls_url/_sandbox/tokens" |
		sed -n 's/.*"refresh_token": *"\([^"]*\)".*/\1/p' >"$dir/refresh-token"
	"$ss" auth --refresh-token-file "$dir/refresh-token" >"$dir/auth.log" 2>&1
	curl -fsS -X POST -d '{}' "$ls_url/_sandbox/reset-stats" >/dev/null

	# Full tag-scans back to back, and one sync-all beside them, each
	# stopped by its deadline at the end of the measured span. A run that
	# stops (exit 3) found the budget would outlast the deadline.
	end=$(( $(date +%s) + RUN_SECONDS ))
	"$ss" sync-all --timeout "${RUN_SECONDS}s" >>"$dir/sync-all.log" 2>&1 &
	local other=$! scans=0
	while left=$(( end - $(date +%s) )); [ "$left" -gt 1 ]; do
		scans=$(( scans + 1 ))
		"$ss" tag-scan --full --timeout "${left}s" >>"$dir/tag-scan.log" 2>&1 || break
	done
	wait "$other" || true

	printf '%-6s night %s-%s %s: %s requests, per minute %s, most in any 60 s %s,' \
		"$label" "$2" "$3" "$ZONE" "$(stat api_requests)" "$(stat api_per_minute)" \
		"$(stat api_max_in_60s)"
	printf ' largest bucket level %.2f/90, refused with 429: %s (%d tag-scans)\n' \
		"$(stat max_bucket_level)" "$(stat api_limited)" "$scans"
}

echo "measuring for ${RUN_SECONDS}s per setting, from $(TZ=$ZONE date '+%H:%M %Z')"
measure day "$(clock 2)" "$(clock 4)"
measure night "$(clock -1)" "$(clock 2)"
