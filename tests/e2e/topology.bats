#!/usr/bin/env bats
# cnm topology: the picture must be the kernel's.  Every interface, address,
# MAC and published port it shows exists in the kernel, and everything the
# kernel has on cnm's bridges and in cnm's containers is shown.

load helpers

setup_file() {
	external_host 198.51.100.1/24 198.51.100.2/24
	ip route add default via 198.51.100.2
}

setup() { cleanup_containers; }
teardown() {
	ip link del vethorph 2>/dev/null || true # first: cleanup waits for cnm0 to have no veth
	cleanup_containers
	cnm network prune -f >/dev/null
}

# What the picture shows, one kind per function, sorted.
shown_host_veths() { grep -oE 'veth[0-9a-f]{7}@if[0-9]+' <<<"$1" | sort -u; }
shown_bridges() { sed -nE 's/.*bridge ([^ ]+)  network .*/\1/p' <<<"$1" | sort -u; }
shown_ctr_links() { # "NAME eth0@ifN" per container interface
	sed -nE 's/.* <-> ([^ ]+@if[0-9]+)  container ([^ ]+)$/\2 \1/p' <<<"$1" | sort -u
}
shown_addrs() { # every CIDR, IPv4 and IPv6, except the subnets and the NAT line
	sed -E 's/subnet [^ ]+//g; s/out: .*//' <<<"$1" |
		grep -oE '([0-9]+(\.[0-9]+){3}|[0-9a-f]*:[0-9a-f:]+)/[0-9]+' | sort -u
}
shown_macs() { grep -oE '^[│ ]*[├└]── eth[0-9]+ ([0-9a-f]{2}:){5}[0-9a-f]{2}' <<<"$1" | awk '{print $NF}' | sort -u; }
shown_ports() { sed -nE 's/.*port [^:]+:([0-9]+) -> ([0-9.]+):([0-9]+)\/(tcp|udp|sctp)$/\4 . \1 : \2 . \3/p' <<<"$1" | sort -u; }

# What the kernel has, the same way.
kernel_host_veths() { ip -o link show type veth | grep ' master ' | grep -oE 'veth[0-9a-f]{7}@if[0-9]+' | sort -u; }
kernel_bridges() { ip -o link show type bridge | awk -F': ' '{print $2}' | sort -u; }
cnm_names() { cnm ps --format json | jq -r .Names; }
kernel_ctr_links() {
	for c in $(cnm_names); do
		ip -n "$c" -o link | awk -F': ' '$2 != "lo" {print $2}' | sed "s/^/$c /"
	done | sort -u
}
kernel_addrs() {
	{ ip -o addr show scope global
	  for c in $(cnm_names); do ip -n "$c" -o addr show scope global; done
	} | awk '{print $4}' | sort -u
}
kernel_macs() {
	for c in $(cnm_names); do ip -n "$c" -o link | grep -v ' lo:' | grep -oE 'link/ether [^ ]+' | awk '{print $2}'; done | sort -u
}
kernel_ports() { nft list map inet cnm ports4 | sed 's/ comment "[^"]*"//g' | grep -oE '(tcp|udp|sctp) \. [0-9]+ : [0-9.]+ \. [0-9]+' | sort -u; }

# The picture and the kernel agree on every kind of object, both ways.
matches_kernel() {
	local out
	out=$(cnm topology)
	echo "$out"
	diff <(shown_host_veths "$out") <(kernel_host_veths)
	diff <(shown_bridges "$out") <(kernel_bridges)
	diff <(shown_ctr_links "$out") <(kernel_ctr_links)
	diff <(shown_addrs "$out") <(kernel_addrs)
	diff <(shown_macs "$out") <(kernel_macs)
	diff <(shown_ports "$out") <(kernel_ports)
	[ -n "$(shown_host_veths "$out")" ]
}

@test "the walkthrough's picture is the kernel's: veths, bridge, addresses, MACs, ports" {
	cnm run -d --name test1 -p 8080:80 -p 5353:53/udp -- sleep 3600
	cnm run -d --name test2 -- sleep 3600
	matches_kernel
	out=$(cnm topology)
	[[ "$out" =~ "host  uplink uplink0 198.51.100.1/24  ip_forward=1" ]]
	[[ "$out" =~ "bridge cnm0  network bridge  subnet 172.17.0.0/16  gateway 172.17.0.1/16" ]]
	[[ "$out" =~ "out: 172.17.0.0/16 masquerade -> uplink0" ]]
	[[ "$out" =~ "netns /run/netns/test1" ]]
	[[ "$out" =~ "eth0 02:42:ac:11:00:02 172.17.0.2/16" ]]
	[[ "$out" =~ "port 0.0.0.0:8080 -> 172.17.0.2:80/tcp" ]]
	[ "$(shown_host_veths "$out" | wc -l)" -eq 2 ]
}

@test "three networks, multi-homed containers: the picture is the kernel's" {
	cnm network create --subnet 10.61.0.0/24 front >/dev/null
	cnm network create --subnet 10.62.0.0/24 back >/dev/null
	cnm network create --internal --ipv6 --subnet 10.63.0.0/24 --subnet fd00:63::/64 db >/dev/null
	cnm run -d --name web --network front -p 8081:80 -- sleep 3600
	cnm network connect back web
	cnm network connect db web
	cnm run -d --name app --network back -- sleep 3600
	cnm network connect db app
	cnm run -d --name store --network db -- sleep 3600
	matches_kernel
	out=$(cnm topology)
	[[ "$out" =~ "out: internal: no way in or out" ]]
	[[ "$out" =~ "subnet 10.63.0.0/24  subnet fd00:63::/64  gateway 10.63.0.1/24 fd00:63::1/64" ]]
	[ "$(shown_addrs "$out" | grep -c :)" -eq 4 ] # the gateway and three containers
	[ "$(grep -c 'container web$' <<<"$out")" -eq 3 ]
	[ "$(grep -c 'container app$' <<<"$out")" -eq 2 ]
	# only the networks asked for
	out=$(cnm topology db)
	[ "$(shown_bridges "$out" | wc -l)" -eq 1 ]
	[ "$(grep -c ' <-> ' <<<"$out")" -eq 3 ]
}

@test "what the kernel lacks is MISSING, a veth nobody claims is an orphan" {
	cnm run -d --name test1 -- sleep 3600
	veth=$(ip -o link show type veth | grep -oE "veth[0-9a-f]{7}" | head -1)
	ip link del "$veth"
	ip link add vethorph type veth peer name orphpeer
	ip link set vethorph master cnm0
	run cnm topology
	[ "$status" -eq 0 ]
	[[ "$output" =~ "$veth MISSING <-> eth0 MISSING  container test1" ]]
	[[ "$output" =~ vethorph@if[0-9]+\ \ orphan ]]
}

@test "dot is Graphviz source and svg is rendered by Graphviz" {
	cnm run -d --name test1 -p 8080:80 -- sleep 3600
	veth=$(kernel_host_veths | cut -d@ -f1)
	cnm topology --format dot >"$BATS_TEST_TMPDIR/t.dot"
	dot -Tcanon "$BATS_TEST_TMPDIR/t.dot" >/dev/null
	grep -q "$veth" "$BATS_TEST_TMPDIR/t.dot"
	grep -q 'published 0.0.0.0:8080/tcp' "$BATS_TEST_TMPDIR/t.dot"
	run cnm topology --format svg
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^\<\?xml ]]
	[[ "$output" =~ "<svg" ]]
	[[ "$output" =~ $veth ]]
	[[ "$output" =~ "02:42:ac:11:00:02" ]]
}

@test "bad arguments: unknown network, non-bridge network, unknown format" {
	run cnm topology nosuchnet
	[ "$status" -eq 1 ]
	[ "$output" = "cnm: network nosuchnet not found" ]
	run cnm topology host
	[ "$status" -eq 1 ]
	[[ "$output" =~ "network host uses the host driver" ]]
	run cnm topology --format png
	[ "$status" -eq 2 ]
	[[ "$output" =~ "unsupported --format 'png'" ]]
}
