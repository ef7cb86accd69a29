#!/usr/bin/env bats
# Anti-spoofing: a container sends frames only with its own MAC, IPv4 and
# IPv6 source addresses (table bridge cnm, one element per veth), proven
# with real packets from a container that changed its own address or MAC.

load helpers

setup() { cleanup_containers; }
teardown() {
	cleanup_containers
	cnm network prune -f >/dev/null
}

@test "a container cannot send from an IPv4 address that is not its own" {
	cnm network create --subnet 10.81.0.0/24 sp >/dev/null
	cnm run -d --name s1 --network sp -- sleep 3600
	cnm run -d --name s2 --network sp -- sleep 3600
	cnm exec s1 ping -c1 -W2 10.81.0.3
	# another container's address and an unused one: neither gets through
	cnm exec s1 ip addr add 10.81.0.50/24 dev eth0
	run cnm exec s1 ping -c1 -W1 -I 10.81.0.50 10.81.0.3
	[ "$status" -ne 0 ]
	run cnm exec s1 ping -c1 -W1 -I 10.81.0.50 10.81.0.1
	[ "$status" -ne 0 ]
	# its own address still works, and so does the other container
	cnm exec s1 ping -c1 -W2 -I 10.81.0.2 10.81.0.3
	cnm exec s2 ping -c1 -W2 10.81.0.2
	# taking over s2's address (and stealing its ARP entry) does not work either
	cnm exec s1 ip addr flush dev eth0
	cnm exec s1 ip addr add 10.81.0.3/24 dev eth0
	run cnm exec s1 ping -c1 -W1 10.81.0.1
	[ "$status" -ne 0 ]
	cnm exec s2 ping -c1 -W2 10.81.0.1
}

@test "a container cannot send with another MAC" {
	cnm network create --subnet 10.82.0.0/24 mac >/dev/null
	cnm run -d --name m1 --network mac -- sleep 3600
	cnm run -d --name m2 --network mac -- sleep 3600
	own=$(inspect_field m1 NetworkSettings.Networks.mac.MacAddress)
	cnm exec m1 ping -c1 -W2 10.82.0.3
	cnm exec m1 ip link set eth0 address 02:42:0a:52:00:63
	run cnm exec m1 ping -c1 -W1 10.82.0.3
	[ "$status" -ne 0 ]
	run cnm exec m1 ping -c1 -W1 10.82.0.1
	[ "$status" -ne 0 ]
	cnm exec m1 ip link set eth0 address "$own"
	cnm exec m1 ping -c1 -W2 10.82.0.3
}

@test "IPv6: only the container's own addresses leave it" {
	cnm network create --ipv6 --subnet 10.83.0.0/24 --subnet fd00:83::/64 sp6 >/dev/null
	cnm run -d --name v1 --network sp6 -- sleep 3600
	cnm run -d --name v2 --network sp6 -- sleep 3600
	cnm exec v1 ping -6 -c1 -W2 fd00:83::3
	# link-local, derived from the MAC, works too (neighbour discovery needs it)
	for c in v1 v2; do # the kernel's duplicate address detection ends by itself
		wait_until 10 sh -c "! ip netns exec $c ip -6 addr show dev eth0 | grep -q tentative"
	done
	ll=$(ip netns exec v2 ip -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1)
	[[ "$ll" =~ ^fe80:: ]]
	cnm exec v1 ping -6 -c1 -W2 "$ll%eth0"
	cnm exec v1 ip addr add fd00:83::77/64 dev eth0 nodad
	run cnm exec v1 ping -6 -c1 -W1 -I fd00:83::77 fd00:83::3
	[ "$status" -ne 0 ]
	cnm exec v1 ping -6 -c1 -W2 -I fd00:83::2 fd00:83::3
}

@test "elements live exactly as long as the endpoint" {
	cnm network create --subnet 10.84.0.0/24 life >/dev/null
	cnm network create --subnet 10.85.0.0/24 life2 >/dev/null
	cnm run -d --name l1 --network life -- sleep 3600
	[ "$(nft -j list set bridge cnm ports | jq '[.nftables[].set.elem // empty | .[]] | length')" -eq 1 ]
	[ "$(nft -j list set bridge cnm macs | jq '[.nftables[].set.elem // empty | .[]] | length')" -eq 1 ]
	cnm network connect life2 l1
	[ "$(nft -j list set bridge cnm ports | jq '[.nftables[].set.elem // empty | .[]] | length')" -eq 2 ]
	cnm exec l1 ping -c1 -W2 10.85.0.1
	cnm network disconnect life2 l1
	[ "$(nft -j list set bridge cnm ports | jq '[.nftables[].set.elem // empty | .[]] | length')" -eq 1 ]
	cnm rm -f l1
	for s in ports macs addrs4 addrs6; do
		[ "$(nft -j list set bridge cnm $s | jq '[.nftables[].set.elem // empty | .[]] | length')" -eq 0 ]
	done
}
