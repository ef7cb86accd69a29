#!/usr/bin/env bats
# cnm doctor: each problem is provoked in the sandbox and found, with its
# fix; a healthy sandbox reports nothing and exits 0.

load helpers

setup() {
	cleanup_containers
	cnm run -d --name test1 -- sleep 3600 >/dev/null
}
teardown() {
	ip link del vethorph 2>/dev/null || true # first: cleanup waits for cnm0 to have no veth
	ip link del r0 2>/dev/null || true
	cleanup_containers
	cnm network prune -f >/dev/null
	sysctl -qw net.ipv4.ip_forward=1
	iptables -P FORWARD ACCEPT 2>/dev/null || true
}

# The checks doctor --json reported, one per line.
checks() { cnm doctor --json | jq -r '.findings[].check'; }
one_veth() { [ "$(veth_count)" -eq 1 ]; }
healthy() { run cnm doctor; [ "$status" -eq 0 ] && [ "$output" = "no problems found" ]; }

@test "a healthy sandbox: no findings, exit 0, JSON says healthy" {
	cnm network create --subnet 10.70.0.0/24 other >/dev/null
	cnm run -d --name test2 --network other -p 8080:80 -- sleep 3600 >/dev/null
	healthy
	run cnm doctor --json
	[ "$status" -eq 0 ]
	[ "$(jq -r .healthy <<<"$output")" = true ]
	[ "$(jq -r '.findings | length' <<<"$output")" = 0 ]
}

@test "forwarding off is found, and its fix works" {
	sysctl -qw net.ipv4.ip_forward=0
	run cnm doctor
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" =~ ^forwarding:\ IPv4\ forwarding\ is\ off ]]
	[ "${lines[1]}" = "    fix: sysctl -w net.ipv4.ip_forward=1" ]
	[ "${lines[2]}" = "1 problem found" ]
	sysctl -qw net.ipv4.ip_forward=1
	healthy
}

@test "an iptables FORWARD policy drop is found, and with br_netfilter the bridged path too" {
	iptables -P FORWARD DROP
	run cnm doctor --json
	[ "$status" -eq 1 ]
	[ "$(jq -r '.findings[] | select(.check == "foreign_firewall") | .object' <<<"$output")" = "ip filter FORWARD" ]
	[[ "$(jq -r '.findings[] | select(.check == "foreign_firewall") | .fix' <<<"$output")" =~ "iptables -I FORWARD -i BR -j ACCEPT" ]]
	if [ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" = 1 ]; then
		[ "$(jq -r '.findings[] | select(.check == "br_netfilter") | .object' <<<"$output")" = net.bridge.bridge-nf-call-iptables ]
		sysctl -qw net.bridge.bridge-nf-call-iptables=0
		[ "$(checks)" = foreign_firewall ]
		sysctl -qw net.bridge.bridge-nf-call-iptables=1
	fi
	iptables -P FORWARD ACCEPT
	healthy
}

@test "cnm's table modified (a rule added, an element taken out) is found" {
	nft add rule inet cnm forward counter comment '"not cnm"'
	run cnm doctor
	[ "$status" -eq 1 ]
	[[ "$output" =~ "nft_table: cnm's nftables table inet cnm was modified: chain forward has 8 rules, cnm made 7" ]]
	handle=$(nft -a list chain inet cnm forward | sed -n 's/.*"not cnm" # handle \([0-9]*\)/\1/p')
	nft delete rule inet cnm forward handle "$handle"
	healthy
	nft delete element inet cnm bridges '{ "cnm0" }'
	run cnm doctor
	[ "$status" -eq 1 ]
	[[ "$output" =~ "bridge cnm0 (network bridge) is missing from cnm's nftables set bridges" ]]
	nft add element inet cnm bridges '{ "cnm0" }'
	healthy
}

@test "chains with an earlier cnm's rules are found; gc updates them, each in one transaction" {
	cnm run -d --name test2 -- sleep 3600 >/dev/null
	# the rules as cnm made them until 2026-12-01: no mark on bridged frames
	for c in "inet cnm forward" "bridge cnm prerouting"; do
		old=$(nft list chain $c | grep -v 'ct state untracked accept' | sed 's/ meta mark set 0x636e0000//')
		nft flush chain $c
		nft -f - <<<"$old"
	done
	run nft list ruleset
	[[ "$output" != *0x636e0000* ]]
	run cnm doctor
	[ "$status" -eq 1 ]
	[[ "$output" == *"nft_rules: firewall chain inet cnm forward has the rules of an earlier cnm (same verdicts, slower)"* ]]
	[[ "$output" == *"nft_rules: anti-spoofing chain bridge cnm prerouting has the rules of an earlier cnm (same verdicts, slower)"* ]]
	[[ "$output" != *"was modified"* ]]
	[[ "$output" == *"2 problems found" ]]
	ip2=$(inspect_field test2 NetworkSettings.Networks.bridge.IPAddress)
	cnm exec test1 ping -c1 -W2 "$ip2"
	run cnm gc
	[ "$status" -eq 0 ]
	[[ "$output" == *"updated them"* ]]
	healthy
	[ "$(nft list chain inet cnm forward | grep -c 'meta mark 0x636e0000 ct state untracked accept')" -eq 1 ]
	[ "$(nft list chain bridge cnm prerouting | grep -c 'meta mark set 0x636e0000')" -eq 2 ]
	[ "$(nft -a list chain inet cnm forward | grep -c '" # handle')" -eq 7 ]
	cnm exec test1 ping -c1 -W2 "$ip2"
}

@test "anti-spoofing elements of a veth that is gone are found; gc is the fix" {
	nft add element bridge cnm ports '{ "vethgone" }'
	run cnm doctor
	[ "$status" -eq 1 ]
	[[ "$output" == *"nft_elements: anti-spoofing element ports vethgone belongs to no endpoint (veth vethgone is gone)"* ]]
	[[ "$output" == *"fix: cnm gc"* ]]
	cnm gc >/dev/null
	healthy
}

@test "cnm's table missing is found, and its fix works" {
	nft delete table inet cnm
	run cnm doctor
	[ "$status" -eq 1 ]
	[[ "$output" =~ "nft_table: cnm's nftables table inet cnm is missing" ]]
	[ "${lines[1]}" = "    fix: cnm gc" ]
	cnm gc >/dev/null
	healthy
}

# Doctor judges running containers as gc does: whatever gc would repair
# there is reported first, and nothing once gc ran.
@test "a running container's lost veth, bridge, address, mount or process is found; gc is the fix" {
	cnm network create --subnet 10.72.0.0/24 -o com.docker.network.bridge.name=br-doc docnet >/dev/null
	cnm run -d --name test2 --network docnet -- sleep 3600 >/dev/null
	healthy
	veth=$(ip -o link show master br-doc | awk -F'[:@ ]+' '{print $2}')
	for hurt in "ip link del $veth" "ip link set $veth nomaster" "ip link del br-doc" \
		"ip -n test2 link set eth0 down" "ip -n test2 addr flush dev eth0" \
		"umount /run/netns/test2"; do
		echo "== $hurt" >&2
		$hurt
		run cnm doctor --json
		echo "$output" >&2
		[ "$status" -eq 1 ]
		[ "$(jq -r '.findings | length' <<<"$output")" = 1 ]
		[ "$(jq -r '.findings[0].object' <<<"$output")" = test2 ]
		[ "$(jq -r '.findings[0].fix' <<<"$output")" = "cnm gc" ]
		[ "$(cnm gc | wc -l)" -ge 1 ]
		healthy
		veth=$(ip -o link show master br-doc | awk -F'[:@ ]+' '{print $2}')
	done
	# a process gone behind a "running" row (its monitor killed first, so
	# nobody releases it): one finding, not a confusing orphan mount
	pid=$(cnm inspect test2 | jq -r '.[0].State.Pid')
	kill -9 $(pgrep -x cnm-monitor)
	wait_until 10 sh -c '! pgrep -x cnm-monitor'
	kill -9 "$pid"
	run cnm doctor
	echo "$output" >&2
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" =~ ^container:\ container\ test2\ is\ marked\ running\ but\ its\ process\ [0-9]+\ is\ gone ]]
	[[ "$output" != *orphan_netns* ]]
	cnm gc >/dev/null
	wait_until 10 one_veth # test1's, whose monitor is gone but not its process
	healthy
}

@test "a host route overlapping a network's subnet is found" {
	cnm network create --subnet 10.71.0.0/24 other >/dev/null
	ip link add r0 type veth peer name r1
	ip link set r0 up
	ip route add 10.71.0.0/25 dev r0
	run cnm doctor --json
	[ "$status" -eq 1 ]
	[ "$(jq -r '.findings[0].check' <<<"$output")" = route_overlap ]
	[ "$(jq -r '.findings[0].object' <<<"$output")" = other ]
	[[ "$(jq -r '.findings[0].problem' <<<"$output")" =~ "subnet 10.71.0.0/24 of network other overlaps host route 10.71.0.0/25 dev r0" ]]
	[[ "$(jq -r '.findings[0].fix' <<<"$output")" =~ "ip route del 10.71.0.0/25 dev r0" ]]
	ip link del r0
	healthy
}

@test "an orphaned veth on a cnm bridge is found" {
	ip link add vethorph type veth peer name orphpeer
	ip link set vethorph master cnm0
	run cnm doctor
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "orphan_veth: veth vethorph is on bridge cnm0 (network bridge) but no container's endpoint claims it" ]
	[ "${lines[1]}" = "    fix: ip link del vethorph" ]
	ip link del vethorph
	healthy
}

@test "an orphaned namespace mount of a container that is not running is found" {
	cnm run --name gone -- true
	wait_until 10 one_veth
	touch /run/netns/gone
	mount --bind /proc/self/ns/net /run/netns/gone
	run cnm doctor
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "orphan_netns: namespace mount /run/netns/gone belongs to container gone, which is exited" ]
	[ "${lines[1]}" = "    fix: umount /run/netns/gone && rm /run/netns/gone" ]
	umount /run/netns/gone && rm /run/netns/gone
	cnm rm gone >/dev/null
	healthy
}

@test "a damaged state store is found" {
	# a store of its own, so the other tests keep theirs
	state="$BATS_TEST_TMPDIR/state"
	CNM_STATE_DIR=$state cnm network ls >/dev/null
	db="$state/cnm.db"
	page=$(sqlite3 "$db" "SELECT rootpage FROM sqlite_master WHERE name = 'ports_ctr'")
	size=$(sqlite3 "$db" "PRAGMA page_size")
	dd if=/dev/zero of="$db" bs="$size" seek=$((page - 1)) count=1 conv=notrunc status=none
	CNM_STATE_DIR=$state run cnm doctor --json
	[ "$status" -eq 1 ]
	[ "$(jq -r '.findings[] | select(.check == "store") | .object' <<<"$output")" = cnm.db ]
	[[ "$(jq -r '.findings[] | select(.check == "store") | .problem' <<<"$output")" =~ "the state store is damaged: Page $page" ]]
}

@test "a bridge near the kernel's 1,024-port limit is found" {
	# last: its 900 veths stay until the sandbox ends (deleting them costs ~20 ms each)
	cnm network create --subnet 10.72.0.0/24 crowded >/dev/null
	br=$(cnm network inspect crowded | jq -r '.[0].Options["com.docker.network.bridge.name"] // empty')
	[ -n "$br" ] || br=br-$(cnm network inspect crowded | jq -r '.[0].Id' | cut -c1-12)
	for i in $(seq 1 900); do
		echo "link add cp$i type veth peer name cq$i"
		echo "link set cp$i master $br"
	done | ip -batch -
	run cnm doctor --json
	[ "$status" -eq 1 ]
	[ "$(jq -r '.findings[] | select(.check == "bridge_ports") | .problem' <<<"$output")" = \
	  "bridge $br (network crowded) has 900 ports; the kernel allows 1024" ]
	ip link del "$br" # its veths stay, but on no bridge: the teardown need not wait for them
}

@test "a resolver that stopped answering is found, and its fix works" {
	cnm network create --subnet 10.71.0.0/24 named >/dev/null
	cnm run -d --name test3 --network named -- sleep 3600 >/dev/null
	healthy
	pkill -x cnm-dns
	wait_until 5 sh -c '! pgrep -x cnm-dns'
	[ "$(checks)" = resolver ]
	run cnm doctor
	[[ "${lines[0]}" =~ ^resolver:\ no\ resolver\ \(cnm-dns\)\ answers\ while\ 1\ network\ uses\ it\ \(named\) ]]
	cnm run --rm --network named -- true
	# the kernel deletes the veth of a namespace that is gone in the background
	wait_until 5 healthy
}
