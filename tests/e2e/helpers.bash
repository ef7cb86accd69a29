bats_require_minimum_version 1.5.0
# Shared by the bats files.  Each file runs in its own sandbox (see sandbox).

# Remove every container so each test starts from an empty store, and wait
# for the kernel to finish destroying their namespaces (it does so in the
# background), so that no test sees the previous one's veths.  The kernel
# destroys namespaces one after the other, for every sandbox on the machine
# at once: with make check's files running side by side, a test's 17 took
# over 10 s, so the deadline (a safety net, not a measure) is 60 s.
cleanup_containers() {
	local ids
	ids=$(cnm ps -aq 2>/dev/null) || true
	[ -n "$ids" ] && cnm rm -f $ids >/dev/null 2>&1
	wait_until 60 sh -c '[ -z "$(ip -o link show type veth | grep " master ")" ]'
}

# wait_until SECONDS CMD... - poll for a condition the kernel reaches
# asynchronously (a released namespace's interfaces disappear in the
# background).  Fails the test when the deadline passes.  The deadline is
# only reached by a failing test, so it is generous: SECONDS is what the
# condition takes on a loaded machine, times CNM_TEST_WAIT_SCALE (3; a
# make check sharing 2 CPUs with a bench once missed a 5 s wait).
wait_until() {
	local deadline=$(( $(date +%s%N) + $1 * ${CNM_TEST_WAIT_SCALE:-3} * 1000000000 )); shift
	until "$@" >/dev/null 2>&1; do
		if [ "$(date +%s%N)" -gt "$deadline" ]; then
			echo "condition not reached: $*" >&2
			return 1
		fi
		sleep 0.02 # polling interval, not synchronisation: the loop checks the condition
	done
}

no_veths() { [ -z "$(ip -o link show type veth)" ]; }
veth_count() { ip -o link show type veth | grep -c " master "; }
inspect_field() { cnm inspect "$1" | jq -r ".[0].$2"; }

# external_host HOST_CIDR EXT_CIDR [HOST6_CIDR EXT6_CIDR]: a namespace "ext"
# standing for a host beyond the machine, wired to the sandbox host by a veth
# pair (uplink0 here, eth0 there).  Documentation addresses only.
external_host() {
	ip netns add ext
	ip link add uplink0 type veth peer name eth0 netns ext
	ip addr add "$1" dev uplink0
	ip -n ext addr add "$2" dev eth0
	if [ -n "${3:-}" ]; then
		ip addr add "$3" dev uplink0 nodad
		ip -n ext addr add "$4" dev eth0 nodad
	fi
	ip link set uplink0 up
	ip -n ext link set eth0 up
	ip -n ext link set lo up
}
