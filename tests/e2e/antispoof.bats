#!/usr/bin/env bats
# Anti-spoofing: a container sends frames only with its own MAC, IPv4 and
# IPv6 source addresses (table bridge cnm, elements per veth), proven with
# real packets from a container that changed its own address or MAC.

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
	for s in ports macs src4 src6; do
		[ "$(nft -j list set bridge cnm $s | jq '[.nftables[].set.elem // empty | .[]] | length')" -eq 0 ]
	done
}

@test "the hot rule wants the veth, the MAC and the address together: another container's pair does not pass" {
	cnm network create --subnet 10.86.0.0/24 pair >/dev/null
	cnm run -d --name p1 --network pair -- sleep 3600
	cnm run -d --name p2 --network pair -- sleep 3600
	cnm run -d --name p3 --network pair -- sleep 3600
	cnm exec p1 ping -c1 -W2 10.86.0.4
	# p1 becomes p2 entirely: p2's MAC and p2's address (p2 keeps quiet)
	mac2=$(inspect_field p2 NetworkSettings.Networks.pair.MacAddress)
	cnm exec p2 ip link set eth0 down
	cnm exec p1 ip link set eth0 address "$mac2"
	cnm exec p1 ip addr flush dev eth0
	cnm exec p1 ip addr add 10.86.0.3/24 dev eth0
	cnm exec p3 ip neigh flush all
	run cnm exec p1 ping -c1 -W1 10.86.0.4
	[ "$status" -ne 0 ]
	run cnm exec p1 ping -c1 -W1 10.86.0.1
	[ "$status" -ne 0 ]
	# p3 never learnt the impostor: its ARP for p2 gets no answer from p1
	run cnm exec p3 ping -c1 -W1 10.86.0.3
	[ "$status" -ne 0 ]
	cnm exec p3 ping -c1 -W2 10.86.0.1
}

@test "a port that is not a container's is not checked" {
	cnm network create --subnet 10.87.0.0/24 other >/dev/null
	cnm run -d --name o1 --network other -- sleep 3600
	br=$(ip -o addr show to 10.87.0.1 | awk '{print $2}')
	ip netns add plainns
	ip link add vplain type veth peer name eth0 netns plainns
	ip link set vplain master "$br" up
	ip -n plainns link set eth0 up
	# any address it likes, from any MAC: cnm only answers for its own ports
	ip -n plainns addr add 10.87.0.99/24 dev eth0
	ip -n plainns link set eth0 address 02:00:00:00:00:99
	ip netns exec plainns ping -c1 -W2 10.87.0.2
	ip link del vplain
	ip netns del plainns
}

@test "a table of the earlier layout (veth . address sets) is migrated on the next container, keeping everyone's" {
	cnm network create --ipv6 --subnet 10.88.0.0/24 --subnet fd00:88::/64 old >/dev/null
	cnm run -d --name q1 --network old -- sleep 3600
	veth=$(nft -j list set bridge cnm ports | jq -r '.nftables[].set.elem // empty | .[] | (.elem.val // .)')
	mac=$(inspect_field q1 NetworkSettings.Networks.old.MacAddress)
	ll=$(ip netns exec q1 ip -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1)
	# the table as an earlier cnm made it, with q1's elements
	nft delete table bridge cnm
	nft -f - <<EOF
table bridge cnm {
	set ports { type ifname; elements = { "$veth" } }
	set macs { type ifname . ether_addr; elements = { "$veth" . $mac } }
	set addrs4 { type ifname . ipv4_addr; elements = { "$veth" . 10.88.0.2 comment "network old" } }
	set addrs6 { type ifname . ipv6_addr; elements = { "$veth" . fd00:88::2, "$veth" . fe80::42:aff:fe58:2 } }
	chain prerouting { type filter hook prerouting priority -300; policy accept;
		iifname != @ports accept
		iifname . ether saddr != @macs drop
		ether type arp iifname . arp saddr ether != @macs drop
		ether type arp iifname . arp saddr ip != @addrs4 drop
		ether type ip iifname . ip saddr != @addrs4 drop
		ether type ip6 ip6 saddr != :: iifname . ip6 saddr != @addrs6 drop
	}
}
EOF
	cnm run -d --name q2 --network old -- sleep 3600
	run nft list table bridge cnm
	[[ "$output" != *addrs4* && "$output" != *addrs6* ]]
	[[ "$output" == *"\"$veth\" . $mac . 10.88.0.2 comment \"network old\""* ]]
	[ "$(nft -j list set bridge cnm src6 | jq '[.nftables[].set.elem // empty | .[]] | length')" -eq 6 ]
	# both talk, over IPv4 and IPv6; q1 is still held to its own address
	cnm exec q1 ping -c1 -W2 10.88.0.3
	cnm exec q2 ping -c1 -W2 10.88.0.2
	wait_until 10 cnm exec q2 ping -6 -c1 -W1 fd00:88::2
	cnm exec q1 ip addr add 10.88.0.50/24 dev eth0
	run cnm exec q1 ping -c1 -W1 -I 10.88.0.50 10.88.0.3
	[ "$status" -ne 0 ]
	[ "$ll" = fe80::42:aff:fe58:2 ]
}

@test "frames between two containers are bridged untracked and marked; the gateway's traffic is tracked" {
	cnm network create --subnet 10.88.0.0/24 ct >/dev/null
	cnm run -d --name k1 --network ct -- sleep 3600
	cnm run -d --name k2 --network ct -- sleep 3600
	# a table of the test's own counts what its forward hook sees, by state
	# (with br_netfilter, bridged IPv4 frames come through inet's hooks)
	sysctl -qw net.bridge.bridge-nf-call-iptables=1
	nft -f - <<-'NFT'
	table inet probe {
		chain pfwd { type filter hook forward priority 10; policy accept;
			ip saddr 10.88.0.2 ip daddr 10.88.0.3 ct state untracked meta mark 0x636e0000 counter
			ip saddr 10.88.0.2 ip daddr 10.88.0.3 ct state != untracked counter
		}
		chain pin { type filter hook input priority 10; policy accept;
			ip saddr 10.88.0.2 ip daddr 10.88.0.1 ct state != untracked counter
		}
	}
	NFT
	cnm exec k1 ping -c3 -W2 10.88.0.3
	cnm exec k1 ping -c3 -W2 10.88.0.1
	out=$(nft list table inet probe)
	nft delete table inet probe
	echo "$out"
	packets() { sed -n "$1"p <<<"$(grep -o 'packets [0-9]*' <<<"$out")" | awk '{print $2}'; }
	[ "$(packets 1)" -ge 3 ]	# container to container: untracked, with cnm's mark
	[ "$(packets 2)" -eq 0 ]
	[ "$(packets 3)" -ge 3 ]	# to the gateway: tracked
}

@test "a foreign DNAT between two containers of one network (a Service, as kube-proxy makes one) gets its replies" {
	# br_netfilter on, as Kubernetes wants it: the untracked bridged reply
	# must not be what breaks the flow
	[ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || sysctl -qw net.bridge.bridge-nf-call-iptables=1
	cnm network create --subnet 10.88.0.0/24 svc >/dev/null
	cnm run -d --name s1 --network svc -- sleep 3600
	cnm run -d --name s2 --network svc -- socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR'
	nft -f - <<-'NFT'
	table ip svcnat {
		chain pre { type nat hook prerouting priority dstnat; policy accept;
			ip daddr 10.96.0.10 tcp dport 80 dnat to 10.88.0.3:80
		}
	}
	NFT
	wait_until 5 sh -c 'ip netns exec s2 ss -Hltn "sport = :80" | grep -q .'
	run cnm exec s1 socat -T2 - TCP:10.96.0.10:80
	nft delete table ip svcnat
	[ "$status" = 0 ]
	# cnm masquerades a DNATed flow from a container to a container (as
	# for a published port), so the reply returns through the host and
	# its conntrack entry; bridged straight back, untracked, it would reach
	# s1 from 10.88.0.3 and be refused
	[ "$output" = 10.88.0.1 ]
}
