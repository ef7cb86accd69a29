#!/usr/bin/env bats
# --dry-run changes nothing, and the commands it prints, replayed by hand in
# a fresh sandbox, make the same kernel state as cnm itself makes.

load helpers

# fresh SCRIPT: run bash SCRIPT in a brand-new sandbox (net, mount and pid
# namespaces, empty /run and store), then print that sandbox's kernel state.
fresh() {
	unshare --net --mount --pid --fork --mount-proc --propagation private \
		bash -c 'set -e
		mount -t tmpfs -o mode=0755 tmpfs /run
		mkdir -p /run/netns /run/cnm /run/state
		ip link set lo up
		export CNM_STATE_DIR=/run/state CNM_RUN_DIR=/run/cnm
		eval "$1" >&2
		'"$(declare -f kstate ns_state)"'
		kstate' _ "$1"
}

# One namespace's interfaces, addresses and routes; host veth names are
# random, so they are all called vethX; host MACs are random too.
ns_state() { # ns_state [-n NS]
	ip "$@" -d -j link show | jq -c --arg ns "${2:-}" '.[] | {n: .ifname, kind: .linkinfo.info_kind,
		master: .master, mtu: .mtu, up: (.flags | index("UP") != null),
		mac: (if $ns == "" then null else .address end),
		hairpin: .linkinfo.info_slave_data.hairpin, isolated: .linkinfo.info_slave_data.isolated}'
	ip "$@" -j addr show | jq -c '.[] | {n: .ifname, a: [.addr_info[] | select(.scope == "global")
		| "\(.local)/\(.prefixlen) \(.broadcast // "")"]}'
	# "linkdown" follows a bridge's carrier, which settles in the background
	ip "$@" route show | sed 's/ linkdown//'
	ip "$@" -6 route show | grep -v '^fe80' | sed 's/ linkdown//' || true
}
kstate() {
	{
		ns_state
		for ns in $(ip netns list | awk '{print $1}' | sort); do
			echo "netns $ns"
			ns_state -n "$ns"
		done
		# a set lists its elements in the order of their hash, and the hash
		# of a random veth name (bridge cnm's keys) differs: sort them
		nft list ruleset | perl -0pe 's/veth[0-9a-f]{7}/vethX/g; s/elements = \{(.*?)\}/"elements = { " .
			join(", ", sort map { s#^\s+|\s+$##gr } split(m#,\n#, $1)) . " }"/gse'
		for f in /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/*/route_localnet; do
			echo "$f $(cat "$f")"
		done
	} | sed -E 's/veth[0-9a-f]{7}/vethX/g'
}

# The store, the kernel and the firewall of this sandbox, to prove nothing changed.
everything() { # operstate, carrier and DAD are left out: they settle in the background
	sqlite3 "$CNM_STATE_DIR/cnm.db" .dump
	ip -o link | sed -E 's/ state [A-Z]+//; s/NO-CARRIER,//'
	ip -o addr | sed 's/ tentative//' 
	ip route | sed 's/ linkdown//'
	nft list ruleset
}

NET='--subnet 10.80.0.0/24 -o com.docker.network.bridge.name=br80'

@test "network create --dry-run changes nothing" {
	cnm network ls >/dev/null
	before=$(everything)
	run cnm network create --dry-run $NET mynet
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" = "ip link add name br80 mtu 1500 up type bridge" ]]
	[[ "$output" =~ "ip addr add 10.80.0.1/24 brd + dev br80" ]]
	[[ "$output" =~ "sysctl -qw net/ipv4/ip_forward=1" ]]
	[[ "$output" =~ "nft add element inet cnm bridges '{ \"br80\" comment \"network mynet\" }'" ]]
	[ "$before" = "$(everything)" ]
	run cnm network inspect mynet
	[ "$status" -eq 1 ]
}

@test "network create: the dry run's commands make what cnm makes" {
	by_hand=$(fresh "cnm network create --dry-run $NET mynet >/run/plan; bash -e /run/plan")
	by_cnm=$(fresh "cnm network create $NET mynet")
	[[ "$by_cnm" =~ br80 ]]
	diff <(echo "$by_hand") <(echo "$by_cnm")
}

@test "network create --internal (and a second network next to a first): same state" {
	setup="cnm network create --subnet 10.81.0.0/24 -o com.docker.network.bridge.name=br81 first"
	by_hand=$(fresh "$setup; cnm network create --dry-run --internal $NET mynet >/run/plan; bash -e /run/plan")
	by_cnm=$(fresh "$setup; cnm network create --internal $NET mynet")
	diff <(echo "$by_hand") <(echo "$by_cnm")
}

@test "network connect and disconnect: the dry run's commands make what cnm makes" {
	setup="cnm network create $NET mynet; cnm run -d --name test1 -- sleep 3600"
	by_hand=$(fresh "$setup; cnm network connect --dry-run mynet test1 >/run/plan; bash -e /run/plan")
	by_cnm=$(fresh "$setup; cnm network connect mynet test1")
	[[ "$by_cnm" =~ '{"n":"eth1","a":["10.80.0.2/24 10.80.0.255"]}' ]]
	[[ "$by_cnm" =~ '"master":"br80","mtu":1500,"up":true,"mac":null,"hairpin":true' ]]
	diff <(echo "$by_hand") <(echo "$by_cnm")
	setup="$setup; cnm network connect mynet test1"
	by_hand=$(fresh "$setup; cnm network disconnect --dry-run mynet test1 >/run/plan; bash -e /run/plan")
	by_cnm=$(fresh "$setup; cnm network disconnect mynet test1")
	diff <(echo "$by_hand") <(echo "$by_cnm")
}

@test "network rm: the dry run's commands make what cnm makes" {
	setup="cnm network create $NET mynet"
	by_hand=$(fresh "$setup; cnm network rm --dry-run mynet >/run/plan; bash -e /run/plan")
	by_cnm=$(fresh "$setup; cnm network rm mynet")
	diff <(echo "$by_hand") <(echo "$by_cnm")
}

@test "connect, disconnect and rm --dry-run change nothing" {
	cnm network create $NET mynet >/dev/null
	cnm run -d --name test1 -- sleep 3600 >/dev/null
	before=$(everything)
	cnm network connect --dry-run mynet test1 >/dev/null
	cnm network rm --dry-run mynet >/dev/null
	[ "$before" = "$(everything)" ]
	cnm network connect mynet test1
	before=$(everything)
	cnm network disconnect --dry-run mynet test1 >/dev/null
	[ "$before" = "$(everything)" ]
	cnm rm -f test1 >/dev/null
	cnm network rm mynet
}

@test "a dry run's errors are the real ones" {
	run cnm network rm --dry-run nosuchnet
	[ "$status" -eq 1 ]
	[ "$output" = "cnm: network nosuchnet not found" ]
	run cnm network create --dry-run --subnet 10.80.0.0/33 bad
	[ "$status" -eq 1 ]
}

RUN='-d --name test1 -p 8080:80 -p 127.0.0.1:5353:53/udp -- sleep 3600'

@test "run --dry-run changes nothing" {
	wait_until 10 no_veths # the previous test's container, torn down in the background
	before=$(everything)
	run cnm run --dry-run $RUN
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ip netns add test1" ]
	[[ "$output" =~ "ip -n test1 addr add 172.17.0.2/16 brd + dev eth0" ]]
	[[ "$output" =~ "nft add element inet cnm ports4 '{ tcp . 8080 comment \"container test1\" : 172.17.0.2 . 80 }'" ]]
	diff <(echo "$before") <(everything)
	[ -z "$(cnm ps -aq)" ]
	[ -z "$(ip netns list)" ]
}

@test "run: the dry run's commands give the namespace what cnm gives the container" {
	by_hand=$(fresh "cnm run --dry-run $RUN >/run/plan; bash -e /run/plan")
	by_cnm=$(fresh "cnm run $RUN")
	[[ "$by_cnm" =~ '{"n":"eth0","a":["172.17.0.2/16 172.17.255.255"]}' ]]
	[[ "$by_cnm" =~ 'udp . 5353 comment "container test1" : 172.17.0.2 . 53' ]]
	diff <(echo "$by_hand") <(echo "$by_cnm")
}

@test "rm -f: the dry run's commands leave what cnm leaves" {
	setup="cnm run $RUN"
	gone='until [ -z "$(ip -o link show type veth)" ]; do sleep 0.02; done' # polling, bounded by bats
	by_hand=$(fresh "$setup; cnm rm --dry-run -f test1 >/run/plan; cnm ps -q | grep -q .; bash -e /run/plan; $gone")
	by_cnm=$(fresh "$setup; cnm rm -f test1; $gone")
	diff <(echo "$by_hand") <(echo "$by_cnm")
}
