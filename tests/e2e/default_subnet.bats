#!/usr/bin/env bats
# The default bridge moves off 172.17.0.0/16 when a host route overlaps it.

load helpers

setup_file() {
	# a host route into 172.17.0.0/16 and one into 172.18.0.0/16, before cnm's first use
	ip link add upl0 type veth peer name upl1
	ip link set upl0 up
	ip addr add 172.17.40.1/24 dev upl0
	ip route add 172.18.0.0/20 dev upl0
}

@test "the first command picks 172.19.0.0/16 and says why" {
	run cnm network ls
	[ "$status" -eq 0 ]
	[[ "$output" =~ "cnm: note: 172.17.0.0/16 overlaps host route 172.17.40.0/24 dev upl0: the default bridge uses 172.19.0.0/16" ]]
	run cnm network inspect bridge
	[ "$(jq -r '.[0].IPAM.Config[0].Subnet' <<<"$output")" = 172.19.0.0/16 ]
	[ "$(jq -r '.[0].IPAM.Config[0].Gateway' <<<"$output")" = 172.19.0.1 ]
	# said once, at creation
	run cnm network ls
	[[ ! "$output" =~ note ]] || false
}

@test "a command that creates a network says it once too" {
	ip netns add fresh # a sandbox within: no default bridge yet in it
	run ip netns exec fresh sh -c 'ip link set lo up; ip link add upl0 type veth peer name upl1
		ip link set upl0 up; ip addr add 172.17.40.1/24 dev upl0
		CNM_STATE_DIR=$(mktemp -d) CNM_RUN_DIR=$(mktemp -d) cnm network create --subnet 10.201.1.0/24 once 2>&1 >/dev/null'
	[ "$(grep -c 'note: 172.17.0.0/16 overlaps' <<<"$output")" = 1 ]
	ip netns del fresh
}

@test "containers use the moved subnet and still reach each other" {
	cnm run -d --name m1 -- sleep 3600
	cnm run -d --name m2 -- sleep 3600
	[ "$(inspect_field m1 NetworkSettings.IPAddress)" = 172.19.0.2 ]
	[ "$(inspect_field m2 NetworkSettings.MacAddress)" = 02:42:ac:13:00:03 ]
	run ip netns exec m1 ip route
	[[ "$output" =~ "default via 172.19.0.1" ]]
	cnm exec m1 ping -c1 -W2 172.19.0.3
	cnm rm -f m1 m2
}
