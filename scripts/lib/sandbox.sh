# Shell functions shared by the scripts that run storesync against the
# sandbox. Source it from a script that has set $work (a private folder) and
# $sb (the built storesync-sandbox binary).

# start_sandbox starts the sandbox in the background with the given serve
# flags, sets $sandbox_pid and $ready, and waits until it listens.
start_sandbox() {
	ready="$work/ready.json"
	"$sb" serve --ready-file "$ready" "$@" >"$work/sandbox.log" 2>&1 &
	sandbox_pid=$!
	for _ in $(seq 1 100); do
		[ -s "$ready" ] && return 0
		kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; return 1; }
		sleep 0.1
	done
	echo "sandbox did not start" >&2
	return 1
}

# ready_val prints one value of the sandbox's ready file.
ready_val() {
	sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$ready"
}

# write_config writes $work/storesync.toml for the sandbox, with the budget
# table given as $1, keeps the refresh token in $work/refresh-token and
# exports STORESYNC_CONFIG. Both files are private.
write_config() {
	(
		umask 077
		cat >"$work/storesync.toml" <<TOML
state_file = "storesync.db"

[lightspeed]
account_id = "$(ready_val account_id)"
client_id = "$(ready_val client_id)"
client_secret = "$(ready_val client_secret)"
base_url = "$(ready_val lightspeed_url)"
token_url = "$(ready_val token_url)"
authorize_url = "$(ready_val lightspeed_url)/auth/oauth/authorize"
shops = [1, 2]

[woocommerce]
url = "$(ready_val woocommerce_url)"
consumer_key = "$(ready_val woocommerce_key)"
consumer_secret = "$(ready_val woocommerce_secret)"

[tags]
names = ["webon"]

[budget]
$1
TOML
		ready_val refresh_token >"$work/refresh-token"
	)
	export STORESYNC_CONFIG="$work/storesync.toml"
}
