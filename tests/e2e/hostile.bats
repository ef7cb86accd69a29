#!/usr/bin/env bats
# Hostile input: every bad argument of hostile_cases.bash is refused with
# its documented exit code and a clear "cnm: ..." (or "Usage: ...") message,
# never crashes, and leaves the store, the links, the addresses and the
# ruleset exactly as they were.  A damaged state database is refused the
# same way and left as it was.

load helpers
load hostile_cases

setup_file() {
	cnm network create --subnet 10.77.0.0/24 mynet >/dev/null
	cnm run -d --name web --network mynet -p 8080:80 -- sleep 3600 >/dev/null
	cnm run --name gone -- true
	# its namespace, veth and all, goes in the kernel's background: wait, or
	# the baseline would still hold a veth that vanishes during the cases
	wait_until 10 sh -c '[ -z "$(ip -o link show master cnm0)" ]'
}

# Everything a command could change: the store, links, addresses, the
# ruleset, the namespaces and cnm's run directory.
snapshot() {
	sqlite3 "$CNM_STATE_DIR/cnm.db" .dump
	{
		ip -d link show
		ip addr show
		ip -6 route show
		ip route show
		nft list ruleset
		ls -lR /run/netns "$CNM_RUN_DIR" | grep -v '^total'
	} | sed -E 's/[a-z_]+_timer +[0-9.]+//g; s/ state [A-Z]+ / /; s/NO-CARRIER,//; s/ tentative//; s/ linkdown//'
	# (bridge timers tick, carriers and IPv6 DAD settle by themselves)
}

# what printing an argument looks like in a failure report
show() { printf '%q ' "$@" | cut -c1-200; }

n_cases=0
failures=()
bad() {
	local want=$1 err status first after LC_ALL=C
	shift
	n_cases=$((n_cases + 1))
	err=$(cnm "$@" 2>&1 >/dev/null) && status=0 || status=$?
	first=${err%%$'\n'*}
	[ -n "${HOSTILE_LOG:-}" ] && echo "$status cnm $(show "$@") -> ${first:0:300}" >>"$HOSTILE_LOG"
	if [ "$status" != "$want" ]; then
		failures+=("exit $status, not $want: cnm $(show "$@") -> ${first:0:200}")
	elif ! [[ "$first" =~ ^(cnm(\ [a-z]+)*:\ .+|Usage:\ cnm\ .+)$ ]]; then
		failures+=("unclear message: cnm $(show "$@") -> ${first:0:200}")
	elif [[ "$err" =~ (Sanitizer|runtime\ error|Segmentation|Aborted|core\ dumped) ]]; then
		failures+=("crash report: cnm $(show "$@")")
	fi
	after=$(snapshot)
	if [ "$after" != "$baseline" ]; then
		failures+=("state changed: cnm $(show "$@"): $(diff <(echo "$baseline") <(echo "$after") | head -5 | tr '\n' ' ')")
		baseline=$after
	fi
}

@test "at least 200 bad inputs are refused clearly and change nothing" {
	baseline=$(snapshot)
	cases
	echo "$n_cases cases"
	printf '%s\n' "${failures[@]}" | head -100
	[ "$n_cases" -ge 200 ]
	[ "${#failures[@]}" -eq 0 ]
}

# damage KIND FILE: spoil a copy of the store the way KIND says
damage() {
	case $1 in
	garbage) yes 'not a database' | head -c 65536 >"$2" ;;
	truncated) truncate -s 3000 "$2" ;;
	header) printf 'SQLite format 2\0' | dd of="$2" conv=notrunc status=none ;;
	pages) # every page but the first (the schema) zeroed
		dd if=/dev/zero of="$2" bs=4096 seek=1 count=$(($(stat -c %s "$2") / 4096 - 1)) \
			conv=notrunc status=none ;;
	newer) sqlite3 "$2" 'PRAGMA user_version=99' ;;
	dropped) sqlite3 "$2" 'DROP TABLE endpoints' ;;
	esac
}

@test "a damaged state database is refused clearly and left as it was" {
	local kind cmd dir status out
	for kind in garbage truncated header pages newer dropped; do
		dir=$BATS_TEST_TMPDIR/$kind
		mkdir -m 0700 "$dir"
		sqlite3 "$CNM_STATE_DIR/cnm.db" ".backup '$dir/cnm.db'"
		damage "$kind" "$dir/cnm.db"
		sum=$(sha256sum <"$dir/cnm.db")
		for cmd in "ps -a" "inspect web" "network ls" "network inspect mynet" \
			"run -d --network mynet -- sleep 1" "network create -o x=y n9" "rm -f web" \
			"network rm mynet" "stop web"; do
			out=$(CNM_STATE_DIR=$dir cnm $cmd 2>&1) && status=0 || status=$?
			echo "$kind: cnm $cmd -> $status $out"
			[ "$status" = 1 ] || [ "$status" = 125 ]
			[[ "$out" =~ ^cnm:\ .*(state\ store\ $dir/cnm.db\ is\ damaged|newer\ than|no\ such\ table) ]]
			[ "$(sha256sum <"$dir/cnm.db")" = "$sum" ]
		done
	done
	# a store whose rows hold garbage: reading it never crashes, and what
	# cannot be shown is refused with a message
	dir=$BATS_TEST_TMPDIR/rows
	mkdir -m 0700 "$dir"
	sqlite3 "$CNM_STATE_DIR/cnm.db" ".backup '$dir/cnm.db'"
	sqlite3 "$dir/cnm.db" "UPDATE containers SET argv='{\"a\":1', port_specs='[1,null,\"x\",\"80\"]',
		hostname=x'ff00', pid=-5, pid_start=1, exit_code=999999999999, rootfs='';
		UPDATE networks SET subnet='garbage', gateway='1.2.3', options='[', labels='nope', mtu=-1,
		ipam_config='{', aux='7' WHERE name='mynet';
		UPDATE endpoints SET addr='zz', mac='not-a-mac', prefix=999, aliases='{';
		UPDATE ports SET host_port=999999, proto=77, host_ip='x'"
	for cmd in "ps -a" "ps -a --format json" "inspect web" "network ls" "network inspect mynet" \
		"port web" "network ls --format json"; do
		out=$(CNM_STATE_DIR=$dir cnm $cmd 2>&1) && status=0 || status=$?
		echo "rows: cnm $cmd -> $status $out" | head -3
		[ "$status" = 0 ] || { [ "$status" = 1 ] && [[ "$out" =~ ^cnm:\  ]]; }
	done
	# and the real store, the containers and their kernel objects did not notice
	[ "$(cnm inspect web | jq -r '.[0].State.Status')" = running ]
	[ "$(veth_count)" -eq 1 ]
}

@test "the state directory is 0700 and the database 0600, even when it was not" {
	local dir=$BATS_TEST_TMPDIR/fresh/state
	CNM_STATE_DIR=$dir cnm network ls >/dev/null
	[ "$(stat -c %a "$dir")" = 700 ]
	for f in "$dir"/*; do
		[ "$(stat -c %a "$f")" = 600 ]
	done
	[ -e "$dir/cnm.db" ]
	chmod 0644 "$dir/cnm.db"
	CNM_STATE_DIR=$dir cnm network ls >/dev/null
	[ "$(stat -c %a "$dir/cnm.db")" = 600 ]
}

@test "without CAP_NET_ADMIN cnm refuses with a clear message and changes nothing" {
	local before
	before=$(snapshot)
	run setpriv --bounding-set -net_admin "$CNM" network create noadmin
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^cnm:\ permission\ denied:\ .*CAP_NET_ADMIN\ is\ missing ]]
	run setpriv --bounding-set -net_admin "$CNM" run -d -- sleep 1
	[ "$status" -eq 125 ]
	[[ "$output" =~ ^cnm:\ permission\ denied:\ .*CAP_NET_ADMIN\ is\ missing ]]
	run setpriv --bounding-set -net_admin "$CNM" rm -f web
	[ "$status" -eq 1 ]
	[[ "$output" =~ CAP_NET_ADMIN ]]
	[ "$(snapshot)" = "$before" ]
}
