#!/usr/bin/env bash
# Measures storesync's jobs against the sandbox and prints one table:
# requests to each API against their lower bound, CPU time, peak memory,
# and wall time without latency and with production-like latency and
# budget. See docs/performance.md for what each column means.
#
# Usage: scripts/bench.sh [--sizes 1000,10000] [--latency-sizes 1000]
#                         [--replay] [--hot]
#   --sizes          catalog sizes run without latency (100000 takes long:
#                    the emulator's timeStamp-ordered pages slow down with N)
#   --latency-sizes  sizes also run with 200 ms per Lightspeed request,
#                    1 s per web-store request and a budget of 130 a minute
#   --replay         also replay the sales week (about 5 minutes)
#   --hot            also run the go test benchmarks of the hot paths
#
# Needs Go and a C compiler. Work files go to a temporary folder, removed
# at the end (KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=1000,10000
latency_sizes=1000
replay=0
hot=0
while [ $# -gt 0 ]; do
	case "$1" in
	--sizes) sizes=$2; shift 2 ;;
	--latency-sizes) latency_sizes=$2; shift 2 ;;
	--replay) replay=1; shift ;;
	--hot) hot=1; shift ;;
	*) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/storesync-bench.XXXXXX")
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT

echo "building into $work/bin" >&2
export CGO_ENABLED=1
go build -o "$work/bin/storesync" ./cmd/storesync
go build -o "$work/bin/storesync-sandbox" ./cmd/storesync-sandbox
go build -o "$work/bin/bench" ./internal/bench

"$work/bin/bench" -storesync "$work/bin/storesync" -sandbox "$work/bin/storesync-sandbox" \
	-work "$work" -sizes "$sizes" -latency-sizes "$latency_sizes"

if [ "$replay" = 1 ]; then
	echo
	"$work/bin/bench" -replay -catalog testdata/catalog
fi
if [ "$hot" = 1 ]; then
	echo
	go test -run '^$' -bench . -benchmem ./pkg/lightspeed ./internal/catalog ./internal/state |
		grep -E '^(Benchmark|ok|pkg:)'
fi
