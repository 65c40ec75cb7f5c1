#!/usr/bin/env bash
# Runs storesync's jobs against the sandbox again and again while things go
# wrong: faults injected on both emulators (429 storms, 5xx, slow and cut
# answers, timeouts, malformed JSON, HTML pages, partial batch commits, lost
# token refreshes), shop-floor changes in between, and SIGKILL at a random
# moment of most runs. Then it clears the faults, runs the jobs to
# completion and checks that the web store matches Lightspeed (every
# Sell-on-Web product exactly once, right stock and price, nothing created
# twice, nothing archived left on sale) and that doctor passes.
#
#   scripts/chaos.sh                 200 kills
#   scripts/chaos.sh --kills 500     more
#   scripts/chaos.sh --short         25 kills, for CI (also CHAOS_KILLS=25)
#   scripts/chaos.sh --seed 42       repeat a run's choices
#
# Needs Go and a C compiler. Works in a temporary folder, removed at the
# end unless KEEP=1. Exits 1 when any check fails.
set -uo pipefail
cd "$(dirname "$0")/.."

kills_wanted=${CHAOS_KILLS:-200}
seed=${CHAOS_SEED:-$(( $(date +%s) % 32768 ))}
while [ $# -gt 0 ]; do
	case "$1" in
	--kills) kills_wanted=$2; shift 2 ;;
	--short) kills_wanted=25; shift ;;
	--seed) seed=$2; shift 2 ;;
	*) echo "usage: $0 [--kills N] [--short] [--seed S]" >&2; exit 2 ;;
	esac
done
case "$kills_wanted" in
'' | *[!0-9]*) echo "--kills needs a whole number" >&2; exit 2 ;;
esac
RANDOM=$seed
max_runs=$(( kills_wanted * 3 + 20 ))

work=$(mktemp -d "${TMPDIR:-/tmp}/storesync-chaos.XXXXXX")
sandbox_pid=""
job_pids=()
cleanup() {
	for p in "${job_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	if [ -n "$sandbox_pid" ]; then
		kill "$sandbox_pid" 2>/dev/null
		wait "$sandbox_pid" 2>/dev/null
	fi
	[ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
start=$(date +%s)
say() { printf '== %s\n' "$*"; }

say "chaos: $kills_wanted kills, seed $seed, in $work"
export CGO_ENABLED=1
go build -o "$work/bin/storesync" ./cmd/storesync || exit 1
go build -o "$work/bin/storesync-sandbox" ./cmd/storesync-sandbox || exit 1
ss="$work/bin/storesync"
sb="$work/bin/storesync-sandbox"
. scripts/lib/sandbox.sh

# Access tokens live 45 seconds, so runs refresh them every quarter of a
# minute or so and some kills land in the middle of a refresh.
start_sandbox --ls-drip 40 --ls-access-ttl 45s || exit 1
val() { ready_val "$@"; }
write_config "day_per_minute = 100000
night_per_minute = 100000"
mkdir -p "$work/runs"
"$ss" auth --refresh-token-file "$work/refresh-token" \
	>"$work/runs/auth.log" 2>&1 || { cat "$work/runs/auth.log"; exit 1; }

# The items the shop floor acts on.
"$sb" items --ready-file "$ready" >"$work/items.txt" || exit 1
mapfile -t tagged < <(awk '$4 == "tagged" && $5 == "active" { print $1 }' \
	"$work/items.txt")
mapfile -t untagged < <(awk '$3 == 0 && $4 == "untagged" && $5 == "active" \
	{ print $1 }' "$work/items.txt")
say "${#tagged[@]} tagged and ${#untagged[@]} untagged standalone items"

pick() { local -n list=$1; printf '%s' "${list[RANDOM % ${#list[@]}]}"; }

# Every fault kind of both emulators, queued in a random order so the run
# uses each at least once before picking at random.
kinds=(ls:429 ls:500 ls:503 ls:slow ls:cut ls:malformed ls:html
	ls:lost-refresh woo:429 woo:500 woo:503 woo:slow woo:timeout woo:cut
	woo:html woo:malformed woo:partial_commit woo:image_error_but_saved)
queue=()
for k in "${kinds[@]}"; do queue+=("$(( RANDOM ))|$k"); done
mapfile -t queue < <(printf '%s\n' "${queue[@]}" | sort -n | cut -d'|' -f2)

declare -A faults=() codes=() changes=() changed_skus=() logs=()
runs=0 kills=0 hung=0 locked=0 doctor_failed=0 overlaps=0

inject() {
	local k=$1 api=${1%%:*} kind=${1#*:} args=()
	case "$kind" in
	429) args=(--count $(( 2 + RANDOM % 8 )) --retry-after 1) ;;
	slow | timeout) args=(--delay "$(( 200 + RANDOM % 1300 ))ms"
		--count $(( 1 + RANDOM % 2 ))) ;;
	partial_commit) args=(--path batch --commit-first $(( RANDOM % 30 ))) ;;
	image_error_but_saved) args=(--path batch) ;;
	*) args=(--count $(( 1 + RANDOM % 3 ))) ;;
	esac
	if "$sb" fault --ready-file "$ready" "$api" "$kind" "${args[@]}" \
		>/dev/null; then
		faults[$k]=$(( ${faults[$k]:-0} + 1 ))
	else
		echo "could not inject $k" >&3
		exit 1
	fi
}

floor() {
	local sku action
	case $(( RANDOM % 10 )) in
	0 | 1 | 2 | 3) action=sell; sku=$(pick tagged)
		"$sb" act --ready-file "$ready" sell "$sku" \
			$(( RANDOM % 4 + 1 )) --shop $(( RANDOM % 2 + 1 )) ;;
	4 | 5 | 6) action=price; sku=$(pick tagged)
		"$sb" act --ready-file "$ready" price "$sku" \
			"$(( RANDOM % 90 + 1 )).$(( RANDOM % 90 + 10 ))" ;;
	7 | 8) action=tag; sku=$(pick untagged)
		"$sb" act --ready-file "$ready" tag "$sku" webon &&
			tagged+=("$sku") ;;
	9) action=archive; sku=$(pick tagged)
		"$sb" act --ready-file "$ready" archive "$sku" &&
			mapfile -t tagged < <(printf '%s\n' "${tagged[@]}" |
				grep -vxF -- "$sku") ;;
	esac >>"$work/floor.log" 2>&1 || { echo "act $action failed" >&3; exit 1; }
	changes[$action]=$(( ${changes[$action]:-0} + 1 ))
	changed_skus[$sku]=$action
}

jobs_list=(tag-scan tag-sync sync-all sync sync-selected)
job_args() {
	local job=$1
	case "$job" in
	sync-selected) printf '%s\n' sync-selected "sku:$(pick tagged)" ;;
	*) printf '%s\n' "$job" ;;
	esac
}

# start runs one job in the background and records its pid.
start_job() {
	local -a args
	mapfile -t args < <(job_args "$1")
	"$ss" "${args[@]}" --timeout 25s --log-format json \
		>"$work/runs/$runs.log" 2>&1 &
	job_pids+=($!)
	logs[$!]="$work/runs/$runs.log"
	runs=$(( runs + 1 ))
}

# running tells whether process $1 still runs: a finished child stays a
# zombie (state Z) until waited for.
running() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# finish kills the running jobs after delay_ms, or (delay_ms 0) waits up
# to 40 seconds for them, and tallies their exit codes. A run counts as
# killed when SIGKILL ended it (status 137), not when it had finished.
finish() {
	local delay_ms=$1 p rc waited=0 watchdog
	if [ "$delay_ms" -gt 0 ]; then
		sleep "$(printf '%d.%03d' $(( delay_ms / 1000 )) $(( delay_ms % 1000 )))"
		for p in "${job_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	fi
	for p in "${job_pids[@]}"; do
		watchdog=0
		while running "$p" && [ "$waited" -lt 400 ]; do
			sleep 0.1
			waited=$(( waited + 1 ))
		done
		[ "$waited" -ge 400 ] && kill -KILL "$p" 2>/dev/null && watchdog=1
		wait "$p"
		rc=$?
		if [ "$watchdog" = 1 ]; then
			hung=$(( hung + 1 ))
		elif [ "$rc" = 137 ]; then
			kills=$(( kills + 1 ))
		fi
		codes[$rc]=$(( ${codes[$rc]:-0} + 1 ))
		[ "$rc" = 0 ] || [ "$rc" = 137 ] || printf '%s %s\n' "$rc" \
			"$(tail -n 1 "${logs[$p]}")" >>"$work/failures.txt"
		# Runs are started one job name at a time, so a 75 means a lock
		# outlived the run that took it.
		[ "$rc" = 75 ] && locked=$(( locked + 1 ))
	done
	job_pids=()
}

say "chaos runs"
# The shell reports each killed job on its stderr; keep that in a file.
exec 3>&2 2>>"$work/shell.log"
while [ "$kills" -lt "$kills_wanted" ] && [ "$runs" -lt "$max_runs" ]; do
	"$sb" fault --ready-file "$ready" clear >/dev/null || exit 1
	if [ ${#queue[@]} -gt 0 ]; then
		inject "${queue[0]}"
		queue=("${queue[@]:1}")
	elif [ $(( RANDOM % 3 )) -gt 0 ]; then
		inject "${kinds[RANDOM % ${#kinds[@]}]}"
	fi
	[ $(( RANDOM % 5 )) -lt 2 ] && floor

	job=${jobs_list[RANDOM % ${#jobs_list[@]}]}
	start_job "$job"
	# Sometimes another job runs alongside: different jobs may overlap.
	if [ $(( RANDOM % 8 )) = 0 ]; then
		other=${jobs_list[RANDOM % ${#jobs_list[@]}]}
		if [ "$other" != "$job" ]; then
			start_job "$other"
			overlaps=$(( overlaps + 1 ))
		fi
	fi
	# Most runs die by SIGKILL after 10 to 700 ms; the rest may finish.
	if [ $(( RANDOM % 5 )) -gt 0 ]; then
		finish $(( 10 + RANDOM % 690 ))
	else
		finish 0
	fi

	# Every few runs the state file must still pass doctor.
	if [ $(( runs % 15 )) -lt 2 ]; then
		"$ss" doctor >"$work/doctor.txt" 2>&1 ||
			{ doctor_failed=$(( doctor_failed + 1 )); cat "$work/doctor.txt"; }
	fi
done
exec 2>&3 3>&-
say "$runs runs, $kills kills in $(( $(date +%s) - start ))s"

say "clearing faults and running the jobs to completion"
"$sb" fault --ready-file "$ready" clear >/dev/null || exit 1
finals=""
for job in tag-scan tag-sync sync-all sync; do
	ok=0
	for attempt in 1 2 3 4 5; do
		if "$ss" "$job" --log-format json >>"$work/runs/final-$job.log" 2>&1
		then
			ok=1
			break
		fi
		echo "  $job exited $? (attempt $attempt)"
	done
	finals+="$job:$attempt "
	[ "$ok" = 1 ] || { echo "$job never finished" >&2; tail -n 3 \
		"$work/runs/final-$job.log" >&2; }
done

say "web store against Lightspeed"
"$sb" compare --ready-file "$ready" --tag webon --shops 1,2 \
	>"$work/compare.txt" 2>&1
compare_rc=$?
tail -n 2 "$work/compare.txt"

say "doctor"
"$ss" doctor
doctor_rc=$?

# A change is lost when the product it touched differs in the store.
lost=0
for sku in "${!changed_skus[@]}"; do
	[ "${changed_skus[$sku]}" = archive ] && continue
	awk -v sku="$sku" '$1 == sku && NF == 6 { found = 1
		if ($6 != 1 || $2 != $3 || $4 + 0 != $5 + 0) bad = 1 }
		END { exit !(bad || !found) }' "$work/compare.txt" &&
		{ lost=$(( lost + 1 )); echo "  change lost: $sku"; }
done
archived_published=$(sed -n \
	's/.*; \([0-9]*\) archived items published$/\1/p' "$work/compare.txt")
lost=$(( lost + ${archived_published:-0} ))
# Products created twice: a SKU or a Lightspeed id on two web entries.
dups=$(awk '/ web products and variations; / { n += $6 + $9 }
	END { print n + 0 }' "$work/compare.txt")

# Nothing the runs wrote may be readable by others.
perm_bad=$(find "$work" -maxdepth 1 -name 'storesync.db*' ! -perm 600 | wc -l)
secrets=$(grep -rlF -e "$(val client_secret)" -e "$(val woocommerce_key)" \
	-e "$(val woocommerce_secret)" "$work/runs" | wc -l)

fault_list="" nfaults=0
for k in $(printf '%s\n' "${!faults[@]}" | sort); do
	fault_list+=" $k=${faults[$k]}"
	nfaults=$(( nfaults + faults[$k] ))
done
code_list=""
for c in $(printf '%s\n' "${!codes[@]}" | sort -n); do
	code_list+=" $c:${codes[$c]}"
done
change_list=""
for c in $(printf '%s\n' "${!changes[@]}" | sort); do
	change_list+=" $c=${changes[$c]}"
done
missing_kinds=0
for k in "${kinds[@]}"; do [ -n "${faults[$k]:-}" ] || missing_kinds=1; done

cat <<EOF

chaos figures (seed $seed, $(( $(date +%s) - start ))s)
  runs                $runs ($overlaps with a second job alongside)
  kills (SIGKILL)     $kills
  runs killed as hung $hung
  exit codes         $code_list
  faults injected     $nfaults by kind:$fault_list
  shop-floor changes $change_list
  lock held after run $locked
  doctor failures     $doctor_failed (during the runs)
  final runs          $finals(job:attempts)
  duplicates found    $dups
  changes lost        $lost
  files not 0600      $perm_bad
  logs with a secret  $secrets
  compare             $(tail -n 1 "$work/compare.txt")
EOF

status=0
[ "$compare_rc" = 0 ] || { echo "FAIL: compare exited $compare_rc"; status=1; }
[ "$doctor_rc" = 0 ] || { echo "FAIL: doctor exited $doctor_rc"; status=1; }
[ "$kills" -ge "$kills_wanted" ] || { echo "FAIL: only $kills kills"; status=1; }
[ "$missing_kinds" = 0 ] || { echo "FAIL: a fault kind was never used"; status=1; }
for v in locked doctor_failed dups lost perm_bad secrets hung; do
	[ "${!v}" = 0 ] || { echo "FAIL: $v = ${!v}"; status=1; }
done
[ "$status" = 0 ] && echo "chaos passed"
exit "$status"
