#!/usr/bin/env bats
# A "reboot": a fresh network, mount and pid namespace with the same state
# directory.  Networks come back on first use; containers that died with the
# old host are exited and their addresses free.

load helpers
load invariants

# The simulated reboot leaves the old host's processes and namespace mounts
# alive in this sandbox (a real reboot would not): end them, then clean up.
teardown() {
	pkill -9 -x sleep || true
	for f in /run/netns/*; do
		[ -e "$f" ] && umount "$f" && rm -f "$f"
	done
	cleanup_containers
}

# Run cnm commands on a freshly "booted" host sharing only the state directory.
on_new_host() {
	unshare --net --mount --pid --fork --mount-proc --propagation private -- sh -c '
		mount -t tmpfs tmpfs /run/netns && mount -t tmpfs tmpfs /run/cnm &&
		ip link set lo up && '"$1"
}

@test "after a reboot, dead containers are exited, addresses free, networks re-made on use" {
	cnm network create --subnet 10.80.0.0/24 -o com.docker.network.bridge.name=br-persist persist >/dev/null
	cnm run -d --name old1 --network persist -- sleep 3600
	cnm run -d --name old2 -- sleep 3600
	run on_new_host '
		cnm ps -a --format json | jq -r ".Names + \" \" + .State" | sort
		ip link show br-persist >/dev/null 2>&1 && echo "bridge survived?!"
		cnm run -d --name new1 --network persist -- sleep 3600 >/dev/null
		cnm inspect new1 | jq -r ".[0].NetworkSettings.Networks.persist.IPAddress"
		ip -o -4 addr show br-persist | grep -o "10.80.0.1/24"
		nft list set inet cnm bridges | grep -o br-persist
		cnm run -d --name new2 --network persist -- sleep 3600 >/dev/null
		cnm exec new1 ping -c1 -W2 10.80.0.3 >/dev/null && echo ping ok
		cnm run -d --name new3 -- sleep 3600 >/dev/null
		cnm inspect new3 | jq -r ".[0].NetworkSettings.IPAddress"
		cnm rm -f new1 new2 new3 >/dev/null
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "cnm: note: the host restarted since cnm last ran: 2 containers marked exited, their addresses freed" ]
	[ "${lines[1]}" = "old1 exited" ]
	[ "${lines[2]}" = "old2 exited" ]
	[ "${lines[3]}" = "10.80.0.2" ]
	[ "${lines[4]}" = "10.80.0.1/24" ]
	[ "${lines[5]}" = "br-persist" ]
	[ "${lines[6]}" = "ping ok" ]
	[ "${lines[7]}" = "172.17.0.2" ]
	[ "${#lines[@]}" -eq 8 ]
}

@test "after a reboot with an interrupted run, gc leaves a consistent host and every address free" {
	cnm network create --subnet 10.81.0.0/24 -o com.docker.network.bridge.name=br-persist2 persist2 >/dev/null
	cnm run -d --name old3 --network persist2 -p 8484:80 -- sleep 3600 >/dev/null
	run bash -c "exec 2>/dev/null; CNM_FAULT=run.netns cnm run --name half --network persist2 -p 8585:80 -- sleep 3600 </dev/null >/dev/null 2>&1 3>&-; echo \$?"
	[ "$output" = 137 ]
	run on_new_host '
		export BATS_TEST_DIRNAME='"$BATS_TEST_DIRNAME"'
		cnm gc 2>&1
		with_helpers() { bash -c "bats_require_minimum_version() { :; }; source $BATS_TEST_DIRNAME/helpers.bash; source $BATS_TEST_DIRNAME/invariants.bash; $1"; }
		with_helpers check_invariants && echo invariants ok
		cnm ps -a --format json | jq -r ".Names + \" \" + .State" | sort
		cnm run -d --name new4 --network persist2 --ip 10.81.0.2 -p 8484:80 -p 8585:80 -- sleep 3600 >/dev/null && echo reuse ok
		cnm rm -f new4 old3 >/dev/null
		with_helpers "wait_until 10 no_veths"
		cnm gc
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "cnm: note: the host restarted since cnm last ran: 1 container marked exited, their addresses freed; 1 interrupted run undone" ]
	[[ "$output" == *"network persist2: bridge br-persist2 is missing: re-created it with its gateway and firewall elements"* ]]
	[[ "$output" == *"invariants ok"* ]]
	[[ "$output" == *"old3 exited"* ]]
	[[ "$output" != *"half"* ]]
	[[ "$output" == *"reuse ok"* ]]
	[ "${lines[-1]}" = "nothing to repair" ]
}

# A command that found the old host's identity before another recorded the
# new one must look again under the writers' lock: otherwise it takes what
# was made since for the dead host's and releases it (20 parallel CNI ADDs
# on a new store lost most of their rows that way).
@test "after a reboot, a command that waited for the lock releases nothing made since" {
	data=$BATS_TEST_TMPDIR/cni
	conf='{"cniVersion":"1.0.0","name":"rb","type":"cnm","bridge":"cnirb0","isGateway":true,"ipam":{"type":"cnm","ranges":[[{"subnet":"10.82.0.0/24"}]],"dataDir":"'$data'"}}'
	ip netns add rb0
	echo "$conf" | CNI_COMMAND=ADD CNI_CONTAINERID=old CNI_NETNS=/run/netns/rb0 CNI_IFNAME=eth0 cnm >/dev/null
	run on_new_host '
		# poll for a condition (5 s at most); the pause is the polling interval
		until_true() { for i in $(seq 500); do "$@" && return; sleep 0.01; done; exit 9; }
		seen() { until_true grep -q -- "$1" /proc/locks; }
		stopped_off_queue() { grep -q "^State:.*T" /proc/$1/status && ! grep -q -- "-> FLOCK.* $1 " /proc/locks; }
		# the writers lock, held by flock itself (-o: not by its child) until killed
		flock -o '"$data"'/lock sleep 3600 &
		h=$!
		seen "FLOCK.* $h "
		CNM_STATE_DIR='"$data"' cnm ps -a >/dev/null 2>&1 &
		b=$!
		# b has read the old identity and waits for the lock: stop it there
		seen "-> FLOCK.* $b "
		kill -STOP $b
		# stopped and out of the queue: otherwise the release below could hand it the lock
		until_true stopped_off_queue $b
		kill $h
		ip netns add rb1
		echo '"'$conf'"' | CNI_COMMAND=ADD CNI_CONTAINERID=new CNI_NETNS=/run/netns/rb1 CNI_IFNAME=eth0 cnm | jq -r ".ips[0].address"
		kill -CONT $b
		wait $b
		sqlite3 '"$data"'/cnm.db "SELECT c.name FROM endpoints e JOIN containers c ON c.id = e.container_id"
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 10.82.0.2/24 ]
	[ "${lines[1]}" = new ]
	[ "${#lines[@]}" -eq 2 ]
}
