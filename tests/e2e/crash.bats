#!/usr/bin/env bats
# Crash consistency: cnm killed by SIGKILL at random moments, the repair
# every command makes at start-up, gc --dry-run.  (crash_steps.bats: every
# named step of every operation; interference.bats: outside hands.)

load helpers
load invariants

setup() {
	cnm network ls -q --filter name=crashnet | grep -q . ||
		cnm network create --subnet 10.77.0.0/24 -o com.docker.network.bridge.name=br-crash crashnet >/dev/null
}

teardown() {
	cleanup_containers
	for n in n2; do cnm network rm "$n" >/dev/null 2>&1 || true; done
	cnm gc >/dev/null
}

@test "an interrupted run is undone by the next ordinary command, which says so" {
	run bash -c "exec 2>/dev/null; CNM_FAULT=run.netns cnm run --name c1 --network crashnet -- sleep 100 </dev/null >/dev/null 2>&1 3>&-; echo \$?"
	[ "$output" = 137 ]
	[ "$(inv_db "SELECT state FROM containers WHERE name = 'c1'")" = creating ]
	run cnm ps -a
	[ "${lines[0]}" = "cnm: note: 1 interrupted run undone (a cnm process died while creating it)" ]
	[ -z "$(inv_db "SELECT 1 FROM containers WHERE name = 'c1'")" ]
	[ ! -e /run/netns/c1 ]
	check_invariants
	cnm run -d --name c1 --network crashnet --ip 10.77.0.2 -- sleep 100 >/dev/null
}

@test "gc --dry-run lists the repairs and changes nothing" {
	cnm run -d --name c1 --network crashnet -p 8181:80 -- sleep 100 >/dev/null
	run bash -c "exec 2>/dev/null; CNM_FAULT=run.ports cnm run --name c2 --network crashnet -p 8282:80 -- sleep 100 </dev/null >/dev/null 2>&1 3>&-; echo \$?"
	[ "$output" = 137 ]
	nft delete element inet cnm ports4 '{ tcp . 8181 }'
	before=$(inv_db .dump; nft list ruleset; ip -o link; ls /run/netns)
	run cnm gc --dry-run
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"container c2: its run was interrupted (state creating, cnm process "*" gone): would remove it, its endpoints, ports and namespace"* ]]
	[[ "$output" == *"container c1: firewall element ports4 tcp . 8181 : 10.77.0.2 . 80 is missing: would put back its elements"* ]]
	[ "$before" = "$(inv_db .dump; nft list ruleset; ip -o link; ls /run/netns)" ]
	run cnm gc
	[[ "$output" == *"cnm: note: 1 interrupted run undone"* ]]
	[[ "$output" == *"put back its elements"* ]]
	check_invariants
}

@test "kill -9 after random delays: hundreds of runs and removals, then gc" {
	local i pids
	for round in 1 2 3 4 5 6 7 8; do
		pids=()
		for i in $(seq 1 20); do
			cnm run --name "k$round-$i" --network crashnet -p $((9000 + round * 20 + i)):80 -- sleep 100 </dev/null >/dev/null 2>&1 3>&- &
			pids+=($!)
		done
		for p in "${pids[@]}"; do
			sleep "$(printf 0.%03d $((RANDOM % 30)))" # the random delay under test, not synchronisation
			kill -9 "$p" 2>/dev/null || true
		done
		wait
		pids=()
		for id in $(cnm ps -q 2>/dev/null | head -20); do
			cnm rm -f "$id" </dev/null >/dev/null 2>&1 &
			pids+=($!)
		done
		for p in "${pids[@]}"; do
			sleep "0.00$((RANDOM % 5))"
			kill -9 "$p" 2>/dev/null || true
		done
		wait
	done
	wait_until 10 sh -c '! pgrep -x cnm' # children dying with their killed cnm
	run cnm gc
	[ "$status" -eq 0 ]
	# what the kills left, by kind (shown with --tap output on failure)
	echo "$output" | sed 's/^[a-z]* [^ ]*: //; s/[0-9][0-9]*/N/g' | sort | uniq -c
	check_invariants
	[ "$(cnm gc)" = "nothing to repair" ]
	# every address and port is free again once the survivors are gone
	cnm rm -f $(cnm ps -aq) >/dev/null 2>&1 || true
	cnm run -d --name again --network crashnet --ip 10.77.0.2 -p 9021:80 -- sleep 100 >/dev/null
	check_invariants
}

@test "kill -9 after random delays: network connect and disconnect, then gc" {
	for i in $(seq 1 6); do cnm run -d --name t$i -- sleep 1000 >/dev/null; done
	for round in $(seq 1 10); do
		pids=()
		for i in $(seq 1 6); do
			if cnm inspect t$i | jq -e '.[0].NetworkSettings.Networks.crashnet' >/dev/null; then
				cnm network disconnect crashnet t$i </dev/null >/dev/null 2>&1 3>&- &
			else
				cnm network connect crashnet t$i </dev/null >/dev/null 2>&1 3>&- &
			fi
			pids+=($!)
		done
		for p in "${pids[@]}"; do
			sleep "$(printf 0.%03d $((RANDOM % 25)))" # the random delay under test
			kill -9 "$p" 2>/dev/null || true
		done
		wait
	done
	run cnm gc
	[ "$status" -eq 0 ]
	echo "$output" | sed 's/^[a-z]* [^ ]*: //; s/[0-9][0-9]*/N/g' | sort | uniq -c
	check_invariants
	[ "$(cnm gc)" = "nothing to repair" ]
}

# A CNI runtime answers a plugin killed mid-ADD with a DEL, as the spec asks
# (and a killed DEL with another DEL): after that nothing may be left.
@test "kill -9 after random delays: hundreds of CNI ADDs and DELs, then the runtime's DELs" {
	local main_store=$CNM_STATE_DIR d=$BATS_TEST_TMPDIR/cni i round pids
	conf='{"cniVersion":"1.0.0","name":"cnikill","type":"cnm","bridge":"cni8","isGateway":true,"ipMasq":true,"ipam":{"type":"cnm","dataDir":"'$d'","ranges":[[{"subnet":"10.88.0.0/24"}]]},"runtimeConfig":{"portMappings":[{"hostPort":9500,"containerPort":80}]}}'
	# plug CMD N: the plugin as a runtime runs it, on namespace kN; run in a
	# subshell that becomes cnm (exec), so that kill -9 of $! kills cnm itself
	plug() {
		CNI_COMMAND=$1 CNI_CONTAINERID=k$2 CNI_NETNS=/run/netns/k$2 CNI_IFNAME=eth0 \
			exec cnm <<<"$conf" >/dev/null 2>&1 3>&-
	}
	for i in $(seq 1 20); do ip netns add k$i; done
	for round in $(seq 1 8); do
		pids=()
		for i in $(seq 1 20); do
			conf=$(echo "$conf" | jq -c ".runtimeConfig.portMappings[0].hostPort = $((9500 + i))")
			(plug ADD $i) &
			pids+=($!)
		done
		# each its own killer, after a random delay of 0-29 ms (an ADD takes
		# a few ms here): the delay is what is under test, not synchronisation
		for p in "${pids[@]}"; do
			(sleep "$(printf 0.%03d $((RANDOM % 30)))"; kill -9 "$p" 2>/dev/null) &
		done
		wait
		pids=()
		for i in $(seq 1 20); do
			(plug DEL $i) &
			pids+=($!)
		done
		for p in "${pids[@]}"; do
			(sleep "$(printf 0.%03d $((RANDOM % 25)))"; kill -9 "$p" 2>/dev/null) &
		done
		wait
		# the runtime retries every DEL that did not report success
		for i in $(seq 1 20); do (plug DEL $i); done
		[ -z "$(CNM_STATE_DIR=$d inv_db "SELECT name FROM containers")" ]
	done
	wait_until 10 sh -c '! pgrep -x cnm'
	CNM_OTHER_STATE_DIRS=$main_store CNM_STATE_DIR=$d \
		CNM_FOREIGN_NETNS="$(seq -f 'k%g' -s ' ' 1 20)" check_invariants
	[ "$(CNM_STATE_DIR=$d cnm gc)" = "nothing to repair" ]
	for i in $(seq 1 20); do [ -z "$(ip -n k$i -o link show type veth)" ]; done
	[ "$(nft -j list map inet cnm ports4 | jq '[.nftables[].map.elem // empty] | flatten | length')" = 0 ]
	# every address is free again
	echo "$conf" | CNI_COMMAND=ADD CNI_CONTAINERID=k1 CNI_NETNS=/run/netns/k1 CNI_IFNAME=eth0 cnm |
		jq -e '.ips[0].address == "10.88.0.2/24"'
	(plug DEL 1)
	for i in $(seq 1 20); do ip netns del k$i; done
}
