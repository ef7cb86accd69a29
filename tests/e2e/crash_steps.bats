#!/usr/bin/env bats
# Crash consistency, step by step: cnm killed by SIGKILL (CNM_FAULT) at every
# named step of every operation, then `cnm gc`: the invariants of
# invariants.bash hold, a second gc finds nothing, and what was being made
# can be made again with the same address and port.  (crash.bats: random
# kills and the start-up repair.)

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

# Every (operation, step) pair: the operation's setup, then the command the
# step kills.  A step reached by several operations appears once for each.
matrix() {
	cat <<'M'
run.intent		-	cnm run --name c1 --network crashnet -p 8181:80 -- sleep 100
run.spawned		-	cnm run --name c1 --network crashnet -p 8181:80 -- sleep 100
attach.veth		-	cnm run --name c1 --network crashnet -p 8181:80 -- sleep 100
attach.addressed	-	cnm run --name c1 --network crashnet -p 8181:80 -- sleep 100
run.netns		-	cnm run --name c1 --network crashnet -p 8181:80 -- sleep 100
run.ports		-	cnm run --name c1 --network crashnet -p 8181:80 -- sleep 100
run.running		-	cnm run --name c1 --network crashnet -p 8181:80 -- sleep 100
run.started		-	cnm run --name c1 --network crashnet -p 8181:80 -- sleep 100
bridge.created		-	cnm network create --subnet 10.78.0.0/24 n2
bridge.addressed	-	cnm network create --subnet 10.78.0.0/24 n2
network.create.row	-	cnm network create --subnet 10.78.0.0/24 n2
network.rm.bridge	cnm network create --subnet 10.78.0.0/24 n2	cnm network rm n2
network.rm.elements	cnm network create --subnet 10.78.0.0/24 n2	cnm network rm n2
rm.killed		cnm run -d --name c1 --network crashnet -p 8181:80 -- sleep 100	cnm rm -f c1
release.unmounted	cnm run -d --name c1 --network crashnet -p 8181:80 -- sleep 100	cnm rm -f c1
release.ports		cnm run -d --name c1 --network crashnet -p 8181:80 -- sleep 100	cnm rm -f c1
rm.committed		cnm run -d --name c1 --network crashnet -p 8181:80 -- sleep 100	cnm rm -f c1
connect.row		cnm run -d --name c1 -p 8181:80 -- sleep 100	cnm network connect crashnet c1
attach.veth		cnm run -d --name c1 -p 8181:80 -- sleep 100	cnm network connect crashnet c1
attach.addressed	cnm run -d --name c1 -p 8181:80 -- sleep 100	cnm network connect crashnet c1
disconnect.veth		cnm run -d --name c1 -p 8181:80 -- sleep 100 && cnm network connect crashnet c1	cnm network disconnect crashnet c1
M
}

# After a crash and gc: what was being made can be made again, with the
# same address and port (nothing leaked), and what exists works.
reuse_ok() {
	local state
	state=$(cnm ps -a --format json | jq -r 'select(.Names == "c1") | .State')
	if [ "$state" = running ]; then
		cnm exec c1 ping -c1 -W2 "$(cnm inspect c1 | jq -r '.[0].NetworkSettings.Networks | to_entries[0].value.Gateway')" >/dev/null
	else
		[ -z "$state" ] || cnm rm -f c1 >/dev/null
		cnm run -d --name c1 --network crashnet --ip 10.77.0.2 -p 8181:80 -- sleep 100 >/dev/null
	fi
	if cnm network inspect n2 >/dev/null 2>&1; then
		ip -o -4 addr show dev "$(cnm network inspect n2 | jq -r '.[0].Options["com.docker.network.bridge.name"] // ("br-" + .[0].Id[0:12])')" |
			grep -q 10.78.0.1/24
	else
		cnm network create --subnet 10.78.0.0/24 n2 >/dev/null
	fi
}

@test "every fault step is in the registry, and the code names no other" {
	listed=$(cnm gc --list-fault-steps | awk '{print $1}' | sort)
	used=$(grep -ho 'cnm_fault("[a-z.]*")' "$BATS_TEST_DIRNAME"/../../lib/*.c | sed 's/.*("\(.*\)")/\1/' | sort -u)
	[ "$listed" = "$used" ]
	tested=$( (matrix | cut -f1; echo cni.add.rows; echo cni.del.veth) | sort -u)
	[ "$listed" = "$tested" ]
	[ "$(echo "$listed" | wc -l)" -ge 15 ]
}

@test "SIGKILL at every step of every operation, then gc: consistent, nothing leaked" {
	local n=0
	while IFS=$'\t' read -r step pre cmd; do
		[ -n "$step" ] || continue
		pre=${pre//$'\t'/}
		echo "== $step: $cmd" >&2
		[ "$pre" = - ] || eval "$pre" >/dev/null
		run bash -c "exec 2>/dev/null; CNM_FAULT=$step $cmd </dev/null >/dev/null 2>&1 3>&-; echo \$?"
		[ "$output" = 137 ] || { echo "$step: exit $output, not SIGKILL" >&2; false; }
		# a container process not yet released into exec dies with its cnm
		# (PDEATHSIG), asynchronously: let it finish dying first
		wait_until 5 sh -c '! pgrep -x cnm'
		run cnm gc
		echo "$output" >&2
		[ "$status" -eq 0 ]
		check_invariants
		run cnm gc
		[ "$output" = "nothing to repair" ] || { echo "second gc: $output" >&2; false; }
		reuse_ok
		cleanup_containers
		cnm network rm n2 >/dev/null 2>&1 || true
		n=$((n + 1))
	done < <(matrix | sed 's/\t\t*/\t/g')
	[ "$n" -eq "$(matrix | wc -l)" ]
}


# CNI: the runtime owns the namespace and sends DEL after a failed ADD (and
# again after its own crash): DEL after a kill at any step leaves nothing.
cni_conf() {
	jq -cn --arg d "$BATS_TEST_TMPDIR/cni" '{cniVersion: "1.0.0", name: "cninet", type: "cnm",
		bridge: "cni9", isGateway: true, ipMasq: true,
		ipam: {type: "cnm", dataDir: $d, ranges: [[{subnet: "10.89.0.0/24"}]]}}'
}
cni() { # cni COMMAND [FAULT]
	cni_conf | CNM_FAULT=${2:-} CNI_COMMAND=$1 CNI_CONTAINERID=sb1 CNI_NETNS=/run/netns/cnins \
		CNI_IFNAME=eth0 cnm
}

@test "SIGKILL at every step of CNI ADD and DEL, then the runtime's DEL: nothing left, the address free" {
	local main_store=$CNM_STATE_DIR
	ip netns add cnins
	for step in cni.add.rows attach.veth attach.addressed del:cni.del.veth; do
		echo "== $step" >&2
		if [ "${step#del:}" != "$step" ]; then
			cni ADD >/dev/null
			run bash -c "exec 2>/dev/null; $(declare -f cni_conf cni); BATS_TEST_TMPDIR=$BATS_TEST_TMPDIR cni DEL ${step#del:} >/dev/null; echo \$?"
		else
			run bash -c "exec 2>/dev/null; $(declare -f cni_conf cni); BATS_TEST_TMPDIR=$BATS_TEST_TMPDIR cni ADD $step >/dev/null; echo \$?"
		fi
		[ "$output" = 137 ] || { echo "$step: exit $output, not SIGKILL" >&2; false; }
		cni DEL
		CNM_OTHER_STATE_DIRS=$main_store CNM_STATE_DIR=$BATS_TEST_TMPDIR/cni \
			CNM_FOREIGN_NETNS=cnins check_invariants
		# gc on either store keeps the other's elements and bridges
		[ "$(CNM_STATE_DIR=$BATS_TEST_TMPDIR/cni cnm gc)" = "nothing to repair" ]
		[ "$(cnm gc)" = "nothing to repair" ]
		[ -z "$(CNM_STATE_DIR=$BATS_TEST_TMPDIR/cni inv_db "SELECT name FROM containers")" ]
		[ -z "$(ip -n cnins -o link show type veth)" ]
		# the address is free again: the next ADD gets the same one
		run cni ADD
		[ "$(echo "$output" | jq -r '.ips[0].address')" = 10.89.0.2/24 ]
		cni DEL
	done
	ip netns del cnins
}
