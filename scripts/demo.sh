#!/usr/bin/env bash
# Runs storesync end to end against the built-in sandbox: emulated
# Lightspeed and WooCommerce on loopback, seeded with the public sample
# catalog in testdata/catalog. It marks the tagged products, publishes them,
# replays a real day of sales, changes a price and sells one more unit, runs
# sync, and checks the web store against Lightspeed.
#
# Needs Go and a C compiler. Everything it writes goes to a temporary
# folder, printed at the start and removed at the end (KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."

DAY=${DAY:-2011-11-14}
work=$(mktemp -d "${TMPDIR:-/tmp}/storesync-demo.XXXXXX")
sandbox_pid=""
cleanup() {
	[ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
	[ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
start=$(date +%s)
say() { printf '\n== %s\n' "$*"; }

say "building into $work/bin"
export CGO_ENABLED=1
go build -o "$work/bin/storesync" ./cmd/storesync
go build -o "$work/bin/storesync-sandbox" ./cmd/storesync-sandbox
ss="$work/bin/storesync"
sb="$work/bin/storesync-sandbox"

say "starting the sandbox"
. scripts/lib/sandbox.sh
# The emulated Lightspeed bucket is the documented 90 drips; it leaks 10
# a second here so the demo takes seconds, not minutes.
start_sandbox --ls-drip 10

say "writing $work/storesync.toml"
# A real account shares its budget with other apps: keep the defaults
# (30 a minute by day, 130 by night) there.
write_config "day_per_minute = 1200
night_per_minute = 1200"

run() {
	say "storesync $*"
	"$ss" "$@" --log-format console 2>&1 | sed 's/^/  /'
	return "${PIPESTATUS[0]}"
}

run auth --refresh-token-file "$work/refresh-token"
run tag-scan
run tag-sync
run sync

say "replaying the sales of $DAY"
"$sb" replay --ready-file "$ready" --day "$DAY"

# One tagged product gets a new price and sells one more unit.
sku=$("$ss" web list | awk 'NR > 1 && $1 == "item" && $3 != "" && !n++ { print $3 }')
say "changing the price of $sku to 9.99 and selling one"
"$sb" act --ready-file "$ready" price "$sku" 9.99
"$sb" act --ready-file "$ready" sell "$sku" 1

run sync
run sync

# One variable product through its life: the V-neck tee's matrix was tagged
# and published above; now it gains a variant, one variant's price changes
# and another is archived. The nightly tag-sync carries all three.
say "the V-neck tee: a new variant, a new price, an archived variant"
"$sb" act --ready-file "$ready" add-variant woo-vneck-tee-red-large \
	woo-vneck-tee-purple-large Purple,Large 21.00 5
"$sb" act --ready-file "$ready" price woo-vneck-tee-blue-small 17.50
"$sb" act --ready-file "$ready" archive woo-vneck-tee-green-small
run tag-sync
"$sb" compare --ready-file "$ready" --tag webon --shops 1,2 |
	awk '$1 ~ /^woo-vneck-tee/'

# The product whose price changed shows as pending: sync pushed its stock
# and price; its other fields follow with the nightly tag-sync or sync-all.
run status

say "web store against Lightspeed"
"$sb" compare --ready-file "$ready" --tag webon --shops 1,2 | tail -n 8

say "checking that $sku reached the web store with its new price"
"$sb" compare --ready-file "$ready" --tag webon --shops 1,2 |
	awk -v sku="$sku" '$1 == sku' | tee "$work/changed.txt"
grep -q '9.99' "$work/changed.txt"

echo
echo "demo finished in $(( $(date +%s) - start ))s"
