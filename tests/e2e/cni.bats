#!/usr/bin/env bats
# cnm as a CNI plugin, run exactly as a runtime runs it: environment, the
# network configuration on stdin, the result on stdout.  Namespaces are
# made with `ip netns add`, as a runtime would, and real packets prove the
# result.  The reference plugins (containernetworking-plugins) run beside it.

load helpers

REF=/usr/lib/cni

setup_file() {
	external_host 198.51.100.1/24 198.51.100.2/24
	ip route add default via 198.51.100.2
	ip netns exec ext socat TCP-LISTEN:7000,fork,reuseaddr SYSTEM:'echo seen=$SOCAT_PEERADDR' \
		</dev/null >/dev/null 2>&1 3>&- &
}

teardown_file() {
	pkill -f 'socat TCP-LISTEN:7000' || true
}

setup() {
	export DATA=$BATS_TEST_TMPDIR/data
	for n in a b c; do ip netns add $n; done
}

teardown() {
	for n in a b c d; do ip netns del $n 2>/dev/null || true; done
	pkill -f 'socat TCP-LISTEN:80' || true
	ip link del cni0 2>/dev/null || true
	ip link del cni1 2>/dev/null || true
	ip link del ref0 2>/dev/null || true
	for l in $(ip -o link show type veth | sed -n 's/^[0-9]*: \(cnivl0\.[0-9]*\)@.*/\1/p'); do
		ip link del "$l"
	done
	ip link del cnivl0 2>/dev/null || true
	wait_until 10 no_ports
}

# conf VERSION [JQ-EXPR]: the network configuration a runtime hands a plugin
conf() {
	jq -cn --arg v "$1" --arg d "$DATA" '{cniVersion: $v, name: "net1", type: "cnm",
		bridge: "cni0", isGateway: true, isDefaultGateway: true, ipMasq: true,
		ipam: {type: "cnm", dataDir: $d, ranges: [[{subnet: "10.88.0.0/24"}]],
		       routes: [{dst: "0.0.0.0/0"}]}}' | jq -c "${2:-.}"
}

# plugin CMD CONTAINERID NS IFNAME [CONF-JSON]: run cnm as a CNI plugin
plugin() {
	local c=${5:-$(conf 1.0.0)}
	echo "$c" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=${3:+/run/netns/$3} \
		CNI_IFNAME=$4 CNI_PATH=$REF cnm
}

# the same with the reference plugin binary named by the configuration's type
ref_plugin() {
	echo "$5" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/run/netns/$3 CNI_IFNAME=$4 \
		CNI_PATH=$REF $REF/bridge
}

# wait for each pid; a wait interrupted by a signal bats traps is retried
wait_all() {
	for p in "$@"; do
		while kill -0 "$p" 2>/dev/null; do wait "$p" || true; done
	done
}

no_ports() { [ "$(veth_count)" = 0 ]; }

elements() { nft -j list ruleset | jq -r '.nftables[] | select(.set or .map) | .[] |
	select(.table == "cnm") | .elem // [] | .[] | tostring'; }

@test "VERSION answers every supported version" {
	run -0 sh -c 'echo "{\"cniVersion\":\"1.0.0\"}" | CNI_COMMAND=VERSION cnm'
	[ "$(echo "$output" | jq -c .supportedVersions)" = '["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]' ]
	[ "$(echo "$output" | jq -r .cniVersion)" = 1.0.0 ]
}

@test "ADD gives each version its own result shape, and the interface index points at the container" {
	n=0
	for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
		n=$((n + 1))
		run -0 plugin ADD ctr$n a eth$n "$(conf $v)"
		[ "$(echo "$output" | jq -r .cniVersion)" = "$v" ]
		[ "$(echo "$output" | jq -r ".ips[0].address")" = 10.88.0.2/24 ]
		[ "$(echo "$output" | jq -r '.ips[0].gateway')" = 10.88.0.1 ]
		idx=$(echo "$output" | jq -r '.ips[0].interface')
		[ "$(echo "$output" | jq -r ".interfaces[$idx].name")" = eth$n ]
		[ "$(echo "$output" | jq -r ".interfaces[$idx].sandbox")" = /run/netns/a ]
		[ "$(echo "$output" | jq -r '.interfaces[0].name')" = cni0 ]
		if [ "$v" = 1.0.0 ] || [ "$v" = 1.1.0 ]; then
			[ "$(echo "$output" | jq -r '.ips[0].version')" = null ]
		else
			[ "$(echo "$output" | jq -r '.ips[0].version')" = 4 ]
		fi
		ip -n a -br addr show eth$n | grep -q "10.88.0.2/24"
		plugin DEL ctr$n a eth$n "$(conf $v)"
	done
}

@test "two namespaces reach each other and the outside (masquerade), with the default route" {
	plugin ADD ctra a eth0 >/dev/null
	plugin ADD ctrb b eth0 >/dev/null
	ip netns exec a ping -c1 -W2 10.88.0.3
	[ "$(ip -n a route show default)" = "default via 10.88.0.1 dev eth0 proto boot " ] ||
		ip -n a route show default | grep -q 'default via 10.88.0.1 dev eth0'
	wait_until 5 ip netns exec ext sh -c 'ss -Hltn "sport = :7000" | grep -q .'
	[ "$(ip netns exec a socat -T2 - TCP:198.51.100.2:7000 </dev/null)" = seen=198.51.100.1 ]
}

@test "runtimeConfig.portMappings publish through the nftables table: the outside client keeps its address" {
	c=$(conf 1.0.0 '. + {runtimeConfig: {portMappings: [{hostPort: 8080, containerPort: 80, protocol: "tcp"}]}}')
	plugin ADD ctra a eth0 "$c" >/dev/null
	ip netns exec a socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo peer=$SOCAT_PEERADDR' \
		</dev/null >/dev/null 2>&1 3>&- &
	wait_until 5 ip netns exec a sh -c 'ss -Hltn "sport = :80" | grep -q .'
	[ "$(ip netns exec ext socat -T2 - TCP:198.51.100.1:8080 </dev/null)" = peer=198.51.100.2 ]
	elements | grep -q '"container ctra"'
	plugin DEL ctra a eth0 "$c"
	[ -z "$(elements | grep ctra)" ]
	run ip netns exec ext socat -T1 - TCP:198.51.100.1:8080 </dev/null
	[ "$output" != peer=198.51.100.2 ]
}

@test "DEL is idempotent and complete even when the namespace is already gone" {
	c=$(conf 1.0.0 '. + {runtimeConfig: {portMappings: [{hostPort: 8081, containerPort: 80}]}}')
	plugin ADD ctra a eth0 "$c" >/dev/null
	[ "$(veth_count)" = 1 ]
	ip netns del a
	plugin DEL ctra a eth0 "$c"
	plugin DEL ctra a eth0 "$c"
	plugin DEL ctra "" eth0 "$c"
	wait_until 5 no_ports
	[ -z "$(elements | grep ctra)" ]
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT count(*) FROM endpoints')" = 0 ]
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT count(*) FROM containers')" = 0 ]
	# the address is free again
	run -0 plugin ADD ctrb b eth0
	[ "$(echo "$output" | jq -r '.ips[0].address')" = 10.88.0.2/24 ]
}

@test "ADD of an existing attachment, or a failed ADD, changes nothing" {
	plugin ADD ctra a eth0 >/dev/null
	before=$(sqlite3 "$DATA/cnm.db" .dump; ip -o link; elements)
	run -1 plugin ADD ctra a eth0
	[ "$(echo "$output" | jq -r .msg)" = "container ctra already has interface eth0 on network net1" ]
	# a second interface on the same network: refused, and the message says why
	run -1 plugin ADD ctra a eth1
	[ "$(echo "$output" | jq -r .msg)" = "container ctra already has interface eth0 on network net1 (cnm gives a container one interface per network)" ]
	[ "$before" = "$(sqlite3 "$DATA/cnm.db" .dump; ip -o link; elements)" ]
	# a port another attachment holds: refused, nothing left behind
	c=$(conf 1.0.0 '. + {runtimeConfig: {portMappings: [{hostPort: 8082, containerPort: 80}]}}')
	plugin ADD ctrb b eth0 "$c" >/dev/null
	before=$(sqlite3 "$DATA/cnm.db" .dump; ip -o link | grep -v '^[0-9]*: veth'; elements)
	run -1 plugin ADD ctrc c eth0 "$c"
	echo "$output" | jq -r .msg | grep -q 'ctrb'
	after=$(sqlite3 "$DATA/cnm.db" .dump; ip -o link | grep -v '^[0-9]*: veth'; elements)
	[ "$before" = "$after" ]
	[ "$(veth_count)" = 2 ]
	[ -z "$(ip -n c -o link show type veth)" ]
}

@test "bad environment and configuration get the spec's error codes" {
	code() { echo "$output" | jq -r .code; }
	run -1 sh -c "echo '$(conf 1.0.0)' | CNI_COMMAND=ADD CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 cnm"
	[ "$(code)" = 4 ]
	run -1 plugin ADD '-bad' a eth0
	[ "$(code)" = 4 ]
	run -1 plugin ADD ctra a ''
	[ "$(code)" = 4 ]
	run -1 plugin ADD ctra a 'eth0/x'
	[ "$(code)" = 4 ]
	# every kind of white space the kernel refuses, refused first with the spec's code
	for n in 'e th0' "$(printf 'e\tx')" "$(printf 'e\rx')" "$(printf 'e\vx')" "$(printf 'e\fx')" . ..; do
		run -1 plugin ADD ctra a "$n"
		[ "$(code)" = 4 ]
	done
	run -1 plugin ADD ctra '' eth0
	[ "$(code)" = 4 ]
	run -1 plugin ADD ctra a eth0 '{"cniVersion": "1.0.0", "name": '
	[ "$(code)" = 6 ]
	run -1 plugin ADD ctra a eth0 "$(conf 9.9.9)"
	[ "$(code)" = 1 ]
	run -1 plugin ADD ctra a eth0 "$(conf 1.0.0 '.isGateway = "yes"')"
	[ "$(code)" = 6 ]
	run -1 plugin ADD ctra a eth0 "$(conf 1.0.0 '.ipam.ranges[0][0].subnet = "10.88.0.0/33"')"
	[ "$(code)" = 7 ]
	run -1 plugin ADD ctra a eth0 "$(conf 1.0.0 '.bridge = "a-name-longer-than-15"')"
	[ "$(code)" = 7 ]
	run -1 sh -c "echo '$(conf 1.0.0)' | CNI_COMMAND=FROB CNI_CONTAINERID=x CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 cnm"
	[ "$(code)" = 4 ]
	run -1 sh -c "echo '$(conf 1.0.0)' | CNI_ARGS='FOO=bar' CNI_COMMAND=ADD CNI_CONTAINERID=x CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 cnm"
	[ "$(code)" = 4 ]
	run -1 plugin ADD ctra nonexistent eth0
	echo "$output" | jq -r .msg | grep -q 'cannot open network namespace /run/netns/nonexistent'
	# a file, or a namespace of another kind, is named as such
	for ns in "$BATS_TEST_TMPDIR" /proc/self/ns/mnt; do
		run -1 sh -c "echo '$(conf 1.0.0)' | CNI_COMMAND=ADD CNI_CONTAINERID=ctra CNI_NETNS=$ns CNI_IFNAME=eth0 cnm"
		[ "$(echo "$output" | jq -r .msg)" = "$ns is not a network namespace" ]
	done
	run -1 plugin CHECK ctra a eth0 "$(conf 0.3.1)"
	[ "$(code)" = 1 ]
	# nothing was made by any of them
	no_ports
	[ ! -e "$DATA/cnm.db" ] || [ "$(sqlite3 "$DATA/cnm.db" 'SELECT count(*) FROM endpoints')" = 0 ]
}

@test "address exhaustion is an error that names the pool" {
	c=$(conf 1.0.0 '.ipam.ranges[0][0].subnet = "10.89.0.0/30"')
	plugin ADD ctra a eth0 "$c" >/dev/null
	run -1 plugin ADD ctrb b eth0 "$c"
	echo "$output" | jq -r .msg | grep -q 'no available IPv4 address in 10.89.0.0/30'
	[ "$(veth_count)" = 1 ]
}

@test "CNI_ARGS IP= and MAC=, args.cni.ips and runtimeConfig.ips pick the address" {
	run -0 sh -c "echo '$(conf 1.0.0)' | CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.88.0.50;MAC=02:00:00:00:00:50' CNI_COMMAND=ADD CNI_CONTAINERID=ctra CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 cnm"
	[ "$(echo "$output" | jq -r '.ips[0].address')" = 10.88.0.50/24 ]
	[ "$(ip -n a -br link show eth0 | awk '{print $3}')" = 02:00:00:00:00:50 ]
	run -0 plugin ADD ctrb b eth0 "$(conf 1.0.0 '. + {args: {cni: {ips: ["10.88.0.60"]}}}')"
	[ "$(echo "$output" | jq -r '.ips[0].address')" = 10.88.0.60/24 ]
	run -0 plugin ADD ctrc c eth0 "$(conf 1.0.0 '. + {runtimeConfig: {ips: ["10.88.0.70/24"], mac: "02:00:00:00:00:70"}}')"
	[ "$(echo "$output" | jq -r '.ips[0].address')" = 10.88.0.70/24 ]
	[ "$(echo "$output" | jq -r '.interfaces[2].mac')" = 02:00:00:00:00:70 ]
	run -1 plugin ADD ctrd c eth1 "$(conf 1.0.0 '. + {args: {cni: {ips: ["10.88.0.60"]}}}')"
	echo "$output" | jq -r .msg | grep -q 'already in use'
	# a MAC no interface can have: refused by name with code 7, nothing made
	run -1 plugin ADD ctrd c eth2 "$(conf 1.0.0 '. + {runtimeConfig: {mac: "00:00:00:00:00:00"}}')"
	[ "$(echo "$output" | jq -r .code)" = 7 ]
	[ "$(echo "$output" | jq -r .msg)" = 'invalid MAC address "00:00:00:00:00:00"' ]
	[ "$(veth_count)" = 3 ]
}

@test "rangeStart and rangeEnd bound the allocation" {
	c=$(conf 1.0.0 '.ipam.ranges[0][0] += {rangeStart: "10.88.0.100", rangeEnd: "10.88.0.101"}')
	[ "$(plugin ADD ctra a eth0 "$c" | jq -r '.ips[0].address')" = 10.88.0.100/24 ]
	[ "$(plugin ADD ctrb b eth0 "$c" | jq -r '.ips[0].address')" = 10.88.0.101/24 ]
	run -1 plugin ADD ctrc c eth0 "$c"
}

@test "CHECK passes on a healthy attachment and names what is missing" {
	r=$(plugin ADD ctra a eth0)
	c=$(conf 1.0.0 ". + {prevResult: $r}")
	plugin CHECK ctra a eth0 "$c"
	run -1 plugin CHECK ctra a eth0 "$(conf 1.0.0)"
	echo "$output" | jq -r .msg | grep -q prevResult
	ip -n a addr flush dev eth0
	run -1 plugin CHECK ctra a eth0 "$c"
	echo "$output" | jq -r .msg | grep -q 'lacks address 10.88.0.2/24'
	run -1 plugin CHECK ctrz a eth0 "$c"
	[ "$(echo "$output" | jq -r .code)" = 3 ]
}

@test "CHECK fails when cnm's firewall is gone, as portmap's does when its chains are" {
	r=$(plugin ADD ctra a eth0)
	c=$(conf 1.0.0 ". + {prevResult: $r}")
	plugin CHECK ctra a eth0 "$c"
	nft delete element inet cnm bridges '{ "cni0" }'
	run -1 plugin CHECK ctra a eth0 "$c"
	[ "$(echo "$output" | jq -r .msg)" = "bridge cni0 of network net1 is missing from nftables set inet cnm bridges" ]
	nft delete table inet cnm
	run -1 plugin CHECK ctra a eth0 "$c"
	[ "$(echo "$output" | jq -r .msg)" = "nftables table inet cnm is missing: network net1 has no masquerade, isolation or published ports" ]
	[ "$(echo "$output" | jq -r .code)" = 999 ]
}

@test "CHECK finds prevResult's routes and MAC as the reference plugin does, in every version" {
	for v in 0.4.0 1.0.0 1.1.0; do
		c=$(conf $v '.ipam.ranges += [[{subnet: "fd00:88::/64"}]] | .ipam.routes += [{dst: "192.168.5.0/24", gw: "10.88.0.254"}]')
		r=$(plugin ADD ctra a eth0 "$c")
		cc=$(echo "$c" | jq -c --argjson r "$r" '.prevResult = $r')
		plugin CHECK ctra a eth0 "$cc"
		ip -n a route del 192.168.5.0/24
		run -1 plugin CHECK ctra a eth0 "$cc"
		[ "$(echo "$output" | jq -r .msg)" = "route 192.168.5.0/24 via 10.88.0.254 is missing in /run/netns/a" ]
		ip -n a route add 192.168.5.0/24 via 10.88.0.254
		ip -n a -6 route del default
		run -1 plugin CHECK ctra a eth0 "$cc"
		[ "$(echo "$output" | jq -r .msg)" = "route ::/0 via fd00:88::1 is missing in /run/netns/a" ]
		ip -n a -6 route add default via fd00:88::1
		plugin CHECK ctra a eth0 "$cc"
		run -1 plugin CHECK ctra a eth0 "$(echo "$cc" | jq -c '.prevResult.interfaces[2].mac = "02:00:00:00:00:09"')"
		echo "$output" | jq -r .msg | grep -q 'prevResult says interface eth0 has MAC 02:00:00:00:00:09'
		plugin DEL ctra a eth0 "$c"
	done
}

@test "STATUS is ready when the store opens, 50 when it cannot" {
	plugin STATUS "" "" "" "$(conf 1.1.0)"
	mkdir -p "$BATS_TEST_TMPDIR/ro"
	touch "$BATS_TEST_TMPDIR/ro/cnm.db"
	chmod 000 "$BATS_TEST_TMPDIR/ro/cnm.db"
	echo garbage > "$BATS_TEST_TMPDIR/ro/cnm.db"
	run -1 plugin STATUS "" "" "" "$(conf 1.1.0 ".ipam.dataDir = \"$BATS_TEST_TMPDIR/ro\"")"
	[ "$(echo "$output" | jq -r .code)" = 50 ]
}

@test "GC removes every attachment not in cni.dev/valid-attachments" {
	plugin ADD ctra a eth0 >/dev/null
	plugin ADD ctrb b eth0 >/dev/null
	[ "$(veth_count)" = 2 ]
	plugin GC "" "" "" "$(conf 1.1.0 '. + {"cni.dev/valid-attachments": [{containerID: "ctra", ifname: "eth0"}]}')"
	wait_until 5 sh -c '[ "$(ip -o link show type veth | grep -c " master ")" = 1 ]'
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT name FROM containers')" = ctra ]
	ip -n a -br addr show eth0 | grep -q 10.88.0.2
}

@test "GC keeps the attachments a runtime lists under cni.dev/attachments, the spec text's name" {
	plugin ADD ctra a eth0 >/dev/null
	plugin ADD ctrb b eth0 >/dev/null
	plugin GC "" "" "" "$(conf 1.1.0 '. + {"cni.dev/attachments": [{containerID: "ctra", ifname: "eth0"}, {containerID: "ctrb", ifname: "eth0"}]}')"
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT name FROM containers ORDER BY name' | tr '\n' ' ')" = "ctra ctrb " ]
	[ "$(veth_count)" = 2 ]
	# libcni's two identical copies count once; the union of two lists is kept
	plugin GC "" "" "" "$(conf 1.1.0 '. + {"cni.dev/valid-attachments": [{containerID: "ctra", ifname: "eth0"}], "cni.dev/attachments": [{containerID: "ctra", ifname: "eth0"}]}')"
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT name FROM containers')" = ctra ]
}

@test "GC with cni.dev/valid-attachments null (libcni's nil list) collects everything, as when absent" {
	plugin ADD ctra a eth0 >/dev/null
	plugin ADD ctrb b eth0 >/dev/null
	plugin GC "" "" "" "$(conf 1.1.0 '. + {"cni.dev/valid-attachments": null, "cni.dev/attachments": null}')"
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT count(*) FROM containers')" = 0 ]
	wait_until 5 no_ports
}

@test "a delegated IPAM plugin (host-local) gives the address and gets it back on DEL" {
	hl=$BATS_TEST_TMPDIR/hl
	c=$(conf 1.0.0 ".ipam = {type: \"host-local\", dataDir: \"$hl\", ranges: [[{subnet: \"10.90.0.0/24\"}]], routes: [{dst: \"0.0.0.0/0\"}]}")
	run -0 plugin ADD ctra a eth0 "$c"
	[ "$(echo "$output" | jq -r '.ips[0].address')" = 10.90.0.2/24 ]
	[ -e "$hl/net1/10.90.0.2" ]
	ip -n a -br addr show eth0 | grep -q 10.90.0.2/24
	plugin DEL ctra a eth0 "$c"
	[ ! -e "$hl/net1/10.90.0.2" ]
	run -1 plugin ADD ctra a eth0 "$(echo "$c" | jq -c '.ipam.type = "no-such-ipam"')"
	echo "$output" | jq -r .msg | grep -q 'IPAM plugin "no-such-ipam" not found'
}

# fake_ipam NAME ADD-OUTPUT: an IPAM plugin that logs its commands and
# answers ADD with ADD-OUTPUT (exit 0), everything else with nothing
fake_ipam() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\ncat >/dev/null\necho "$CNI_COMMAND $CNI_CONTAINERID" >>%s\n[ "$CNI_COMMAND" != ADD ] || echo %s\n' \
		"$BATS_TEST_TMPDIR/$1.log" "'$2'" >"$BATS_TEST_TMPDIR/bin/$1"
	chmod +x "$BATS_TEST_TMPDIR/bin/$1"
}

# dplugin CMD CONTAINERID NS IFNAME CONF-JSON: plugin with the fakes on CNI_PATH
dplugin() {
	echo "$5" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/run/netns/$3 CNI_IFNAME=$4 \
		CNI_PATH="$BATS_TEST_TMPDIR/bin:$REF" cnm
}

@test "a delegate's unusable ADD result is given back with DEL, and nothing is left" {
	fake_ipam noaddr '{"cniVersion":"1.0.0","ips":[]}'
	fake_ipam garbage 'not json'
	run -1 dplugin ADD ctra a eth0 "$(conf 1.0.0 '.ipam = {type: "noaddr"}')"
	echo "$output"
	echo "$output" | jq -r .msg | grep -q 'IPAM plugin noaddr returned no address'
	[ "$(cat "$BATS_TEST_TMPDIR/noaddr.log")" = "ADD ctra
DEL ctra" ]
	run -1 dplugin ADD ctra a eth0 "$(conf 1.0.0 '.ipam = {type: "garbage"}')"
	[ "$(echo "$output" | jq -r .code)" = 6 ]
	[ "$(cat "$BATS_TEST_TMPDIR/garbage.log")" = "ADD ctra
DEL ctra" ]
	no_ports
	[ -z "$(ip -n a -o link show type veth)" ]
}

@test "ADD of an existing attachment with a delegated IPAM never asks the delegate, so its address stays" {
	fake_ipam alloc '{"cniVersion":"1.0.0","ips":[{"address":"10.92.0.5/24","gateway":"10.92.0.1"}]}'
	c=$(conf 1.0.0 '.ipam = {type: "alloc"}')
	run dplugin ADD ctra a eth0 "$c"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.ips[0].address')" = 10.92.0.5/24 ]
	run -1 dplugin ADD ctra a eth0 "$c"
	[ "$(echo "$output" | jq -r .msg)" = "container ctra already has interface eth0 on network net1" ]
	# no second ADD, and above all no DEL releasing the live address
	[ "$(cat "$BATS_TEST_TMPDIR/alloc.log")" = "ADD ctra" ]
	ip -n a -br addr show eth0 | grep -q 10.92.0.5/24
}

@test "side by side with the reference bridge + portmap chain: same address, gateway, routes, connectivity and published port" {
	pm='{runtimeConfig: {portMappings: [{hostPort: 8090, containerPort: 80, protocol: "tcp"}]}}'
	base=$(conf 1.0.0 ".bridge = \"ref0\" | .ipam = {type: \"host-local\", dataDir: \"$BATS_TEST_TMPDIR/ref\", ranges: [[{subnet: \"10.91.0.0/24\"}]]} | . + $pm")
	ip netns exec a socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo peer=$SOCAT_PEERADDR' \
		</dev/null >/dev/null 2>&1 3>&- &
	wait_until 5 ip netns exec a sh -c 'ss -Hltn "sport = :80" | grep -q .'
	# the reference chain: bridge, then portmap with bridge's result as prevResult
	br=$(echo "$base" | jq -c '.type = "bridge"')
	run -0 ref_plugin ADD ctra a eth0 "$br"
	ref=$output
	pmc=$(echo "$base" | jq -c --argjson r "$ref" '.type = "portmap" | .capabilities = {portMappings: true} | .prevResult = $r')
	echo "$pmc" | CNI_COMMAND=ADD CNI_CONTAINERID=ctra CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 CNI_PATH=$REF $REF/portmap >/dev/null
	ip netns exec a ping -c1 -W2 10.91.0.1
	[ "$(ip netns exec ext socat -T2 - TCP:198.51.100.1:8090 </dev/null)" = peer=198.51.100.2 ]
	echo "$pmc" | CNI_COMMAND=DEL CNI_CONTAINERID=ctra CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 CNI_PATH=$REF $REF/portmap
	ref_plugin DEL ctra a eth0 "$br"
	ip link del ref0
	# cnm alone, same configuration but its own IPAM
	mine=$(plugin ADD ctra a eth0 "$(echo "$base" | jq -c '.ipam = {type: "cnm", dataDir: env.DATA, ranges: [[{subnet: "10.91.0.0/24"}]]}')")
	for k in '.ips[0].address' '.ips[0].gateway' '.ips[0].interface' '.routes' '.interfaces[0].name' '.interfaces[2].name' '.interfaces[2].sandbox' '[.interfaces[] | keys]'; do
		[ "$(echo "$ref" | jq -c "$k")" = "$(echo "$mine" | jq -c "$k")" ]
	done
	# every interface's MAC, as the kernel has it
	for i in 0 1; do
		[ "$(echo "$mine" | jq -r ".interfaces[$i].mac")" = \
			"$(ip -j link show "$(echo "$mine" | jq -r ".interfaces[$i].name")" | jq -r '.[0].address')" ]
	done
	[ "$(echo "$mine" | jq -r '.interfaces[2].mac')" = "$(ip -n a -j link show eth0 | jq -r '.[0].address')" ]
	ip netns exec a ping -c1 -W2 10.91.0.1
	[ "$(ip -n a route show default | awk '{print $3}')" = 10.91.0.1 ]
	# and the client keeps its address: no proxy, as with portmap
	[ "$(ip netns exec ext socat -T2 - TCP:198.51.100.1:8090 </dev/null)" = peer=198.51.100.2 ]
}

@test "dual stack: IPv4 and IPv6 ranges give both addresses, and IPv6 works at once (no DAD)" {
	c=$(conf 1.0.0 '.ipam.ranges += [[{subnet: "fd00:88::/64"}]]')
	run -0 plugin ADD ctra a eth0 "$c"
	[ "$(echo "$output" | jq -r '.ips[1].address')" = fd00:88::2/64 ]
	[ "$(echo "$output" | jq -r '.ips[1].gateway')" = fd00:88::1 ]
	plugin ADD ctrb b eth0 "$c" >/dev/null
	ip netns exec a ping -6 -c1 -W2 fd00:88::3
	ip netns exec a ping -6 -c1 -W2 fd00:88::1
}

@test "bridge options act: mtu, hairpinMode, promiscMode, portIsolation, isGateway false" {
	c=$(conf 1.0.0 '. + {mtu: 1400, hairpinMode: true, promiscMode: true, portIsolation: true, isGateway: false, isDefaultGateway: false} | del(.ipam.routes)')
	plugin ADD ctra a eth0 "$c" >/dev/null
	plugin ADD ctrb b eth0 "$c" >/dev/null
	[ "$(ip -j link show cni0 | jq -r '.[0].mtu')" = 1400 ]
	ip -j link show cni0 | jq -e '.[0].flags | index("PROMISC")'
	[ "$(ip -n a -j link show eth0 | jq -r '.[0].mtu')" = 1400 ]
	for v in $(ip -j link show master cni0 | jq -r '.[].ifname'); do
		[ "$(ip -j link show $v | jq -r '.[0].mtu')" = 1400 ]
		[ "$(ip -d -j link show $v | jq -r '.[0].linkinfo.info_slave_data.hairpin')" = true ]
		[ "$(ip -d -j link show $v | jq -r '.[0].linkinfo.info_slave_data.isolated')" = true ]
	done
	[ -z "$(ip -4 addr show dev cni0)" ]
	[ -z "$(ip -n a route show default)" ]
	# isolated ports: the two containers cannot reach each other
	run ! ip netns exec a ping -c1 -W1 10.88.0.3
}

@test "20 parallel ADDs all succeed with distinct addresses, 20 parallel DELs leave nothing" {
	c=$(conf 1.0.0)
	for i in $(seq 20); do ip netns add p$i; done
	pids=""
	for i in $(seq 20); do
		(set +e; plugin ADD par$i p$i eth0 "$c" >"$BATS_TEST_TMPDIR/add$i" 2>&1; echo $? >"$BATS_TEST_TMPDIR/rc$i") &
		pids="$pids $!"
	done
	wait_all $pids
	for i in $(seq 20); do [ "$(cat "$BATS_TEST_TMPDIR/rc$i")" = 0 ] || { cat "$BATS_TEST_TMPDIR/add$i"; false; }; done
	addrs=$(for i in $(seq 20); do jq -r '.ips[0].address' "$BATS_TEST_TMPDIR/add$i"; done | sort)
	[ "$(echo "$addrs" | wc -l)" = 20 ]
	[ "$(echo "$addrs" | sort -u | wc -l)" = 20 ] || { echo "$addrs" | uniq -d; ls -la "$DATA"; sqlite3 "$DATA/cnm.db" 'SELECT e.addr, c.name, e.network_id FROM endpoints e JOIN containers c ON c.id = e.container_id; SELECT id, name FROM networks'; false; }
	[ "$(veth_count)" = 20 ]
	for i in $(seq 20); do ip -n p$i -br addr show eth0 | grep -q "$(jq -r '.ips[0].address' "$BATS_TEST_TMPDIR/add$i")"; done
	[ "$(sqlite3 "$DATA/cnm.db" 'PRAGMA integrity_check')" = ok ]
	pids=""
	for i in $(seq 20); do
		(plugin DEL par$i p$i eth0 "$c"; echo $? >"$BATS_TEST_TMPDIR/drc$i") &
		pids="$pids $!"
	done
	wait_all $pids
	for i in $(seq 20); do [ "$(cat "$BATS_TEST_TMPDIR/drc$i")" = 0 ]; done
	wait_until 10 no_ports
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT count(*) FROM endpoints')" = 0 ]
	for i in $(seq 20); do ip netns del p$i; done
}

@test "an IPv6-only attachment gets a known MAC, so anti-spoofing covers it too" {
	c=$(conf 1.0.0 '.ipam.ranges = [[{subnet: "fd00:87::/64"}]] | del(.ipam.routes)')
	run -0 plugin ADD ctra a eth0 "$c"
	[ "$(echo "$output" | jq -r '.interfaces[2].mac')" = 02:42:00:00:00:02 ]
	plugin ADD ctrb b eth0 "$c" >/dev/null
	ip netns exec a ping -6 -c1 -W2 fd00:87::3
	ip -n a addr add fd00:87::77/64 dev eth0 nodad
	run ip netns exec a ping -6 -c1 -W1 -I fd00:87::77 fd00:87::3
	[ "$status" -ne 0 ]
	ip -n a link set eth0 address 02:42:00:00:00:63
	run ip netns exec a ping -6 -c1 -W1 fd00:87::3
	[ "$status" -ne 0 ]
}

# vconf NAME VLAN SUBNET [JQ-EXPR]: a VLAN network on the shared bridge cnivl0
vconf() {
	conf 1.0.0 ".name = \"$1\" | .bridge = \"cnivl0\" | .vlan = $2 |
		.ipam.ranges = [[{subnet: \"$3\"}]] | ${4:-.}"
}

# does this kernel filter VLANs on bridges (CONFIG_BRIDGE_VLAN_FILTERING)?
vlan_kernel() {
	ip link add cnmvlprobe type bridge vlan_filtering 1 2>/dev/null || return 1
	ip link del cnmvlprobe
}

@test "vlan: bad values are refused before anything is made" {
	code() { echo "$output" | jq -r .code; }
	run -1 plugin ADD ctra a eth0 "$(vconf v10 4095 10.70.10.0/24)"
	[ "$(code)" = 7 ]
	echo "$output" | jq -r .msg | grep -q '"vlan": 4095 is out of range'
	run -1 plugin ADD ctra a eth0 "$(vconf v10 -1 10.70.10.0/24)"
	[ "$(code)" = 7 ]
	# BRIDGE.VLAN, the gateway's name, must fit in 15 bytes
	run -1 plugin ADD ctra a eth0 "$(vconf v10 1000 10.70.10.0/24 '.bridge = "cnivl0-longname"')"
	[ "$(code)" = 7 ]
	echo "$output" | jq -r .msg | grep -q 'cnivl0-longname.1000 would exceed 15 bytes'
	no_ports
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT count(*) FROM endpoints')" = 0 ]
}

@test "vlan on a kernel without bridge VLAN filtering: refused by name, nothing left, the bridge's other network untouched" {
	if vlan_kernel; then skip "this kernel filters VLANs: the next test runs instead"; fi
	run -1 plugin ADD ctra a eth0 "$(vconf v10 10 10.70.10.0/24)"
	echo "$output" | jq -r .msg | grep -q 'network v10: vlan 10 needs bridge VLAN filtering, which this kernel lacks'
	# the request that would have made the bridge failed whole
	run ! ip link show cnivl0
	no_ports
	# a network without vlan holds the bridge; a vlan network on it is refused
	plugin ADD ctrb b eth0 "$(vconf v0 0 10.70.0.0/24)" >/dev/null
	run -1 plugin ADD ctra a eth0 "$(vconf v10 10 10.70.10.0/24)"
	echo "$output" | jq -r .msg | grep -q 'needs bridge VLAN filtering'
	[ "$(veth_count)" = 1 ]
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT count(*) FROM endpoints')" = 1 ]
	ip netns exec b ping -c1 -W2 10.70.0.1
}

@test "vlan: networks share one bridge; a VLAN's containers reach each other and their gateway, never another VLAN's" {
	vlan_kernel || skip "this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)"
	ip netns add d
	c10=$(vconf v10 10 10.70.10.0/24)
	c20=$(vconf v20 20 10.70.20.0/24 '.macspoofchk = false')
	plugin ADD ctra a eth0 "$c10" >/dev/null
	plugin ADD ctrb b eth0 "$c10" >/dev/null
	run -0 plugin ADD ctrc c eth0 "$c20"
	[ "$(echo "$output" | jq -r '.ips[0].address')" = 10.70.20.2/24 ]
	[ "$(echo "$output" | jq -r '.interfaces[0].name')" = cnivl0 ]
	# the bridge filters VLANs; each port (2 containers + gateway, 1 + gateway)
	# is an untagged member of its VLAN only
	[ "$(ip -d -j link show cnivl0 | jq -r '.[0].linkinfo.info_data.vlan_filtering')" = 1 ]
	va=$(ip -j link show master cnivl0 | jq -r '.[].ifname' | while read -r v; do
		bridge -j vlan show dev "$v" | jq -r '.[0].vlans | map((.vlan|tostring) + " " + (.flags // [] | join(","))) | join(";")'
	done | sort | uniq -c | sed 's/^ *//')
	echo "$va"
	[ "$va" = "$(printf '3 10 PVID,Egress Untagged\n2 20 PVID,Egress Untagged')" ]
	# the gateways are BRIDGE.VLAN, as the reference plugin names them
	ip -4 -br addr show cnivl0.10 | grep -q 10.70.10.1/24
	ip -4 -br addr show cnivl0.20 | grep -q 10.70.20.1/24
	[ -z "$(ip -4 addr show dev cnivl0)" ]
	ip netns exec a ping -c1 -W2 10.70.10.3
	ip netns exec b ping -c1 -W2 10.70.10.1
	ip netns exec c ping -c1 -W2 10.70.20.1
	# routed through the host, networks stay apart (inet cnm's isolation)
	ip -n c route add 10.70.10.0/24 via 10.70.20.1
	run ! ip netns exec c ping -c1 -W1 10.70.10.2
	# bridged, an address in VLAN 10's subnet does not make c a neighbour ...
	ip -n c route del 10.70.10.0/24
	ip -n c addr add 10.70.10.99/24 dev eth0
	run ! ip netns exec c ping -c1 -W1 -I 10.70.10.99 10.70.10.2
	# ... until its port joins VLAN 10: the VLAN was the only wall
	vc=$(ip -j link show master cnivl0 | jq -r '.[].ifname' | while read -r v; do
		bridge -j vlan show dev "$v" | jq -e '.[0].vlans[] | select(.vlan == 20)' >/dev/null && echo "$v"
	done | grep -v '^vg')
	bridge vlan add dev "$vc" vid 10 pvid untagged
	ip netns exec c ping -c1 -W2 -I 10.70.10.99 10.70.10.2
	# CHECK knows the gateway's name; DEL leaves the other VLAN alone
	r=$(plugin ADD ctrd d eth0 "$c10")
	plugin CHECK ctrd d eth0 "$(echo "$c10" | jq -c ". + {prevResult: $r}")"
	plugin DEL ctrb b eth0 "$c10"
	ip netns exec a ping -c1 -W2 10.70.10.4
	ip netns exec c ping -c1 -W2 10.70.20.1
}

@test "macspoofchk: a CNI namespace sends only as itself (on unless the configuration says false)" {
	spoof_ports() { nft -j list set bridge cnm ports | jq '[.nftables[] | .set.elem // empty | .[]] | length'; }
	before=$(spoof_ports 2>/dev/null || echo 0) # earlier tests' namespaces died without DEL
	plugin ADD ctra a eth0 >/dev/null # key absent: on
	plugin ADD ctrb b eth0 "$(conf 1.0.0 '.macspoofchk = true')" >/dev/null
	run -0 plugin ADD ctrc c eth0 "$(conf 1.0.0 '.macspoofchk = false')"
	[ "$(spoof_ports)" = $((before + 2)) ]
	ip netns exec a ping -c1 -W2 10.88.0.3
	# an address that is not a's own does not leave it (ARP nor IP) ...
	ip -n a addr add 10.88.0.50/24 dev eth0
	run ! ip netns exec a ping -c1 -W1 -I 10.88.0.50 10.88.0.3
	run ! ip netns exec a ping -c1 -W1 -I 10.88.0.50 10.88.0.1
	ip netns exec a ping -c1 -W2 -I 10.88.0.2 10.88.0.3
	# ... nor does another MAC from b
	own=$(ip -n b -j link show eth0 | jq -r '.[0].address')
	ip -n b link set eth0 address 02:42:0a:58:00:63
	run ! ip netns exec b ping -c1 -W1 10.88.0.1
	ip -n b link set eth0 address "$own"
	ip netns exec b ping -c1 -W2 10.88.0.1
	# "macspoofchk": false: c is not checked, as with the reference's default
	ip -n c addr add 10.88.0.60/24 dev eth0
	ip netns exec c ping -c1 -W2 -I 10.88.0.60 10.88.0.2
	# DEL takes the elements out; c had none, and its DEL still works
	plugin DEL ctrc c eth0 "$(conf 1.0.0 '.macspoofchk = false')"
	plugin DEL ctrb b eth0
	plugin DEL ctra a eth0
	[ "$(spoof_ports)" = "$before" ]
	no_ports
}

# a second network as Podman writes each one: its own bridge and range, 0.0.0.0/0 routed
# (a subnet no earlier test used: their namespaces' network elements may remain)
conf2() {
	conf 1.0.0 '.name = "net2" | .bridge = "cni1" | .ipam.ranges[0][0].subnet = "10.87.0.0/24"' |
		jq -c "${1:-.}"
}

@test "a container on two networks that both route 0.0.0.0/0: the first network's route wins, as in the reference" {
	plugin ADD ctra a eth0 >/dev/null
	run -0 plugin ADD ctra a eth1 "$(conf2)"
	[ "$(echo "$output" | jq -r '.ips[0].address')" = 10.87.0.2/24 ]
	[ "$(ip -n a route show default | wc -l)" = 1 ]
	ip -n a route show default | grep -q 'default via 10.88.0.1 dev eth0'
	ip netns exec a ping -c1 -W2 10.87.0.1
	ip netns exec a ping -c1 -W2 10.88.0.1
	plugin DEL ctra a eth1 "$(conf2)"
	plugin DEL ctra a eth0
	# the same with IPv6 default routes on both
	c6=$(conf 1.0.0 '.ipam.ranges += [[{subnet: "fd00:88::/64"}]] | .ipam.routes += [{dst: "::/0"}]')
	plugin ADD ctrb b eth0 "$c6" >/dev/null
	plugin ADD ctrb b eth1 "$(conf2 '.ipam.ranges += [[{subnet: "fd00:87::/64"}]] | .ipam.routes += [{dst: "::/0"}]')" >/dev/null
	[ "$(ip -n b -6 route show default | wc -l)" = 1 ]
	ip -n b -6 route show default | grep -q 'via fd00:88::1 dev eth0'
}

@test "CHECK allows a later plugin (tuning) to change the MAC: prevResult's MAC is the one checked; mismatches are not I/O failures" {
	r=$(plugin ADD ctra a eth0)
	t=$(jq -cn --argjson r "$r" '{cniVersion: "1.0.0", name: "net1", type: "tuning", mac: "02:00:00:00:00:77", prevResult: $r}')
	r2=$(echo "$t" | CNI_COMMAND=ADD CNI_CONTAINERID=ctra CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 CNI_PATH=$REF $REF/tuning)
	[ "$(ip -n a -j link show eth0 | jq -r '.[0].address')" = 02:00:00:00:00:77 ]
	# the chain's last result: what the runtime hands CHECK
	plugin CHECK ctra a eth0 "$(conf 1.0.0 ". + {prevResult: $r2}")"
	# cnm's own result is out of date now: a mismatch, named, with the reference's code
	run -1 plugin CHECK ctra a eth0 "$(conf 1.0.0 ". + {prevResult: $r}")"
	echo "$output" | jq -r .msg | grep -q 'prevResult says interface eth0 has MAC .*, it has 02:00:00:00:00:77'
	[ "$(echo "$output" | jq -r .code)" = 999 ]
	ip -n a addr flush dev eth0
	run -1 plugin CHECK ctra a eth0 "$(conf 1.0.0 ". + {prevResult: $r2}")"
	[ "$(echo "$output" | jq -r .code)" = 999 ]
}

@test "one-character network names and container ids are the spec's; ids up to 128 characters too" {
	run -0 plugin ADD x a eth0 "$(conf 1.0.0 '.name = "t"')"
	[ "$(echo "$output" | jq -r '.ips[0].address')" = 10.88.0.2/24 ]
	plugin CHECK x a eth0 "$(conf 1.0.0 ".name = \"t\" | .prevResult = $output")"
	long=$(printf 'c%.0s' $(seq 128))
	run -0 plugin ADD "$long" b eth0 "$(conf 1.0.0 '.name = "t"')"
	plugin GC "" "" "" "$(conf 1.1.0 ".name = \"t\" | . + {\"cni.dev/valid-attachments\": [{containerID: \"$long\", ifname: \"eth0\"}]}")"
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT name FROM containers')" = "$long" ]
	plugin DEL "$long" b eth0 "$(conf 1.0.0 '.name = "t"')"
	run -1 plugin ADD "${long}c" c eth0 "$(conf 1.0.0 '.name = "t"')"
	[ "$(echo "$output" | jq -r .code)" = 4 ]
	[ "$(echo "$output" | jq -r .msg)" = "CNI_CONTAINERID \"${long}c\" is invalid: it must match [a-zA-Z0-9][a-zA-Z0-9_.-]* and have at most 128 characters" ]
	plugin DEL x a eth0 "$(conf 1.0.0 '.name = "t"')"
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT count(*) FROM containers')" = 0 ]
}

@test "args.cni.mac picks the MAC, after CNI_ARGS MAC= and before runtimeConfig.mac, as in the reference" {
	run -0 plugin ADD ctra a eth0 "$(conf 1.0.0 '. + {args: {cni: {mac: "02:00:00:00:00:51"}}, runtimeConfig: {mac: "02:00:00:00:00:52"}}')"
	[ "$(ip -n a -j link show eth0 | jq -r '.[0].address')" = 02:00:00:00:00:51 ]
	run -0 sh -c "echo '$(conf 1.0.0 '. + {args: {cni: {mac: "02:00:00:00:00:61"}}}')' | CNI_ARGS='MAC=02:00:00:00:00:60' CNI_COMMAND=ADD CNI_CONTAINERID=ctrb CNI_NETNS=/run/netns/b CNI_IFNAME=eth0 cnm"
	[ "$(ip -n b -j link show eth0 | jq -r '.[0].address')" = 02:00:00:00:00:60 ]
}

@test "a port mapping whose hostIP family the container lacks is skipped, as the reference portmap does" {
	c=$(conf 1.0.0 '. + {runtimeConfig: {portMappings: [{hostPort: 8083, containerPort: 80, hostIP: "::1"}, {hostPort: 8084, containerPort: 80, hostIP: "127.0.0.1"}]}}')
	plugin ADD ctra a eth0 "$c" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	grep -q 'port mapping \[::1\]:8083:80/tcp skipped: container ctra has no IPv6 address on network net1' "$BATS_TEST_TMPDIR/err"
	[ "$(jq -r '.ips[0].address' "$BATS_TEST_TMPDIR/out")" = 10.88.0.2/24 ]
	elements | grep -q 8084
	[ -z "$(elements | grep 8083)" ]
	plugin DEL ctra a eth0 "$c"
}

@test "CNI_IFNAME with Unicode white space is refused with code 4, as libcni refuses it" {
	for n in "$(printf 'e\302\205x')" "$(printf 'e\302\240x')" "$(printf 'e\341\232\200x')" \
		"$(printf 'e\342\200\200x')" "$(printf 'e\342\200\212x')" "$(printf 'e\342\200\250x')" \
		"$(printf 'e\342\200\251x')" "$(printf 'e\342\200\257x')" "$(printf 'e\342\201\237x')" \
		"$(printf 'e\343\200\200x')"; do
		run -1 plugin ADD ctra a "$n"
		[ "$(echo "$output" | jq -r .code)" = 4 ]
	done
	# other non-ASCII names are the kernel's to judge: é is fine
	run -0 plugin ADD ctra a "$(printf 'e\303\251')"
	[ "$(ip -n a -o link | grep -c "$(printf 'e\303\251')")" = 1 ]
}

@test "two addresses of one family requested are refused by name; same-address repeats are fine" {
	run -1 plugin ADD ctra a eth0 "$(conf 1.0.0 '. + {runtimeConfig: {ips: ["10.88.0.70/24", "10.88.0.71/24"]}}')"
	[ "$(echo "$output" | jq -r .code)" = 7 ]
	[ "$(echo "$output" | jq -r .msg)" = "two IPv4 addresses requested, 10.88.0.70 and 10.88.0.71: cnm gives an interface one address per family" ]
	run -1 sh -c "echo '$(conf 1.0.0 '. + {args: {cni: {ips: ["10.88.0.80"]}}}')' | CNI_ARGS='IP=10.88.0.81' CNI_COMMAND=ADD CNI_CONTAINERID=ctra CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 cnm"
	[ "$(echo "$output" | jq -r .code)" = 7 ]
	no_ports
	run -0 plugin ADD ctra a eth0 "$(conf 1.0.0 '. + {args: {cni: {ips: ["10.88.0.90"]}}, runtimeConfig: {ips: ["10.88.0.90/24"]}}')"
	[ "$(echo "$output" | jq -r '.ips[0].address')" = 10.88.0.90/24 ]
}

@test "an interface name taken on another network is named so" {
	plugin ADD ctra a eth0 >/dev/null
	run -1 plugin ADD ctra a eth0 "$(conf2)"
	[ "$(echo "$output" | jq -r .msg)" = "container ctra already has interface eth0 on another network" ]
}

@test "a key given twice in the configuration: the last one counts, as with Go's decoder" {
	run -0 plugin ADD ctrb b eth0 '{"cniVersion": "1.0.0", "name": "net1", "name": "net2", "type": "cnm", "bridge": "cni1", "ipam": {"ranges": [[{"subnet": "10.86.0.0/24"}]], "dataDir": "'"$DATA"'"}}'
	[ "$(echo "$output" | jq -r '.ips[0].address')" = 10.86.0.2/24 ]
	[ "$(sqlite3 "$DATA/cnm.db" "SELECT n.name FROM networks n JOIN endpoints e ON e.network_id = n.id JOIN containers c ON c.id = e.container_id WHERE c.name = 'ctrb'")" = net2 ]
}

@test "VERSION echoes the input's cniVersion, whatever it is" {
	for v in 0.2.0 0.1.0 9.9.9; do
		run -0 sh -c "echo '{\"cniVersion\":\"$v\"}' | CNI_COMMAND=VERSION cnm"
		[ "$(echo "$output" | jq -r .cniVersion)" = "$v" ]
	done
}
