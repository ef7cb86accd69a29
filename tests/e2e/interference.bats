#!/usr/bin/env bats
# Outside interference: someone deletes a veth, a bridge, the cnm table or
# flushes the ruleset behind cnm's back.  `cnm gc` notices, repairs and says
# what it repaired; `cnm network inspect` notices too.

load helpers
load invariants

setup() {
	cnm network ls -q --filter name=ifnet | grep -q . ||
		cnm network create --subnet 10.66.0.0/24 -o com.docker.network.bridge.name=br-if ifnet >/dev/null
	cnm run -d --name i1 --network ifnet -p 8383:80 -- sleep 1000 >/dev/null
	cnm run -d --name i2 --network ifnet -- sleep 1000 >/dev/null
}

teardown() { cleanup_containers; }

host_veth() { cnm inspect "$1" | jq -r '.[0].NetworkSettings.Networks.ifnet.EndpointID' >/dev/null; inv_db "SELECT host_ifname FROM endpoints e JOIN containers c ON c.id = e.container_id WHERE c.name = '$1'"; }

@test "a deleted veth is re-made, with its address" {
	ip link del "$(host_veth i1)"
	run check_invariants # the checker sees it too
	[ "$status" -ne 0 ]
	[[ "$output" == *"invariant: container i1: eth0 lacks 10.66.0.2"* ]]
	run cnm gc
	echo "$output"
	[ "$output" = "container i1: eth0 on network ifnet: its host veth is missing: re-made the veth pair and its addresses" ]
	cnm exec i1 ping -c1 -W2 10.66.0.3
	check_invariants
	[ "$(cnm gc)" = "nothing to repair" ]
}

@test "a deleted bridge is re-made and every container put back on it" {
	ip link del br-if
	run cnm gc
	echo "$output"
	[ "${lines[0]}" = "network ifnet: bridge br-if is missing: re-created it with its gateway and firewall elements" ]
	[[ "$output" == *"container i1: eth0 on network ifnet: its host veth is"*": re-made the veth pair and its addresses"* ]]
	[[ "$output" == *"container i2: eth0 on network ifnet: its host veth is"*": re-made the veth pair and its addresses"* ]]
	cnm exec i1 ping -c1 -W2 10.66.0.3
	cnm exec i2 ping -c1 -W2 10.66.0.1
	check_invariants
}

@test "a deleted cnm table or a flushed ruleset is put back, published ports included" {
	for how in "nft delete table inet cnm" "nft flush ruleset"; do
		$how
		run check_invariants
		[[ "$output" == *"invariant: no table inet cnm, yet 1 published ports"* ]]
		run cnm gc
		echo "$output"
		[ "${lines[0]}" = "firewall table inet cnm is missing: re-created it" ]
		[[ "$output" == *"network ifnet: firewall element bridges \"br-if\" is missing: put back its elements"* ]]
		[[ "$output" == *"container i1: firewall element ports4 tcp . 8383 : 10.66.0.2 . 80 is missing: put back its elements"* ]]
		nft list map inet cnm ports4 | grep -q "tcp . 8383 .*: 10.66.0.2 . 80"
		check_invariants
	done
}

@test "a stray element and a stray veth are deleted; a foreign namespace is left alone" {
	nft add element inet cnm ports4 '{ tcp . 7000 : 10.66.0.99 . 80 }'
	ip link add vethstray type veth peer name vethstray1
	ip link set vethstray master br-if
	ip netns add foreign
	ip link add br-0123456789ab type bridge  # the shape of a cnm bridge, no network
	ip link add br-mine type bridge          # someone else's
	run cnm gc
	echo "$output"
	[[ "$output" == *"bridge br-0123456789ab belongs to no network: deleted it"* ]]
	ip link show br-mine
	ip link del br-mine
	[[ "$output" == *"firewall element ports4 tcp . 7000 : 10.66.0.99 . 80 belongs to nothing in the store: deleted it"* ]]
	[[ "$output" == *"interface vethstray on bridge br-if belongs to no container: deleted it"* ]]
	[ -e /run/netns/foreign ]
	ip netns del foreign
	check_invariants
}

@test "network inspect notices a deleted bridge and says what it repaired" {
	ip link del br-if
	run cnm network inspect ifnet
	[ "$status" -eq 0 ]
	[[ "$output" == *"cnm: note: repaired: network ifnet: bridge br-if is missing: re-created it"* ]]
	ip link show br-if
	cnm exec i1 ping -c1 -W2 10.66.0.3
	run cnm network inspect ifnet
	[[ "$output" != *"repaired"* ]]
}

@test "network inspect notices a flushed ruleset" {
	nft flush ruleset
	run cnm network inspect ifnet
	[[ "$output" == *"cnm: note: repaired: firewall table inet cnm is missing: re-created it"* ]]
	nft list set inet cnm bridges | grep -q br-if
}

@test "a monitor whose container vanished from the store is ended, with its container, veth and mount" {
	mon=$(inv_db "SELECT monitor_pid FROM containers WHERE name = 'i2'")
	veth=$(host_veth i2)
	sqlite3 "$CNM_STATE_DIR/cnm.db" "PRAGMA foreign_keys=ON; DELETE FROM containers WHERE name = 'i2'"
	run cnm gc
	echo "$output"
	[[ "$output" == *"interface $veth on bridge br-if belongs to no container: deleted it"* ]]
	[[ "$output" == *"namespace mount /run/netns/i2 belongs to an orphaned container process "*": unmounted it"* ]]
	[[ "$output" == *"monitor process $mon waits for a container that is not in the store: killed it and its container process"* ]]
	wait_until 5 sh -c "! kill -0 $mon"
	[ ! -e /run/netns/i2 ]
	check_invariants
}

@test "anti-spoofing elements of a veth nobody owns are deleted; live ones stay" {
	live=$(host_veth i1)
	nft add element bridge cnm ports '{ "vethdead000" }'
	nft add element bridge cnm macs '{ "vethdead000" . 02:42:0a:42:00:99 }'
	nft add element bridge cnm src4 '{ "vethdead000" . 02:42:0a:42:00:99 . 10.66.0.99 }'
	run cnm gc --dry-run
	[ "$(echo "$output" | grep -c 'anti-spoofing element .* vethdead000.*would delete it')" = 3 ]
	nft list set bridge cnm ports | grep -q vethdead000
	run cnm gc
	[ "$(echo "$output" | grep -c 'vethdead000.*deleted it')" = 3 ]
	! nft list table bridge cnm | grep -q vethdead000
	nft list set bridge cnm ports | grep -q "$live"
	[ "$(cnm gc)" = "nothing to repair" ]
}

# cnm's own elements carry a comment ("network NAME"), which nft's JSON
# wraps in {"elem": {"val": ...}}: gc must read those too, both ways.
@test "anti-spoofing: cnm's own elements of a gone veth are deleted; a deleted table or element is put back" {
	nft add element bridge cnm ports '{ "vethdead001" comment "network ifnet" }'
	nft add element bridge cnm macs '{ "vethdead001" . 02:42:0a:42:00:98 comment "network ifnet" }'
	run cnm gc
	echo "$output"
	[ "$(echo "$output" | grep -c 'vethdead001.*deleted it')" = 2 ]
	! nft list table bridge cnm | grep -q vethdead001
	v1=$(host_veth i1) v2=$(host_veth i2)
	nft delete table bridge cnm
	run cnm gc --dry-run
	echo "$output"
	[ "${lines[0]}" = "container i1: eth0 on network ifnet: anti-spoofing elements of veth $v1 are missing: would put them back" ]
	[ "${lines[1]}" = "container i2: eth0 on network ifnet: anti-spoofing elements of veth $v2 are missing: would put them back" ]
	[ "${#lines[@]}" -eq 2 ]
	! nft list table bridge cnm >/dev/null 2>&1
	[ "$(cnm gc | grep -c 'put them back')" = 2 ]
	nft list set bridge cnm ports | grep -q "\"$v1\""
	nft list set bridge cnm src4 | grep -q "\"$v2\" . .* . 10.66.0.3"
	# one element taken out: i2 would lose its IPv4 (src4 is an allow list)
	nft delete element bridge cnm src4 "{ \"$v2\" . $(inspect_field i2 'NetworkSettings.Networks.ifnet.MacAddress') . 10.66.0.3 }"
	run cnm gc
	[ "$output" = "container i2: eth0 on network ifnet: anti-spoofing elements of veth $v2 are missing: put them back" ]
	cnm exec i2 ping -c1 -W2 10.66.0.2 >/dev/null
	[ "$(cnm gc)" = "nothing to repair" ]
}
