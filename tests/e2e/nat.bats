#!/usr/bin/env bats
# NAT to the outside and published ports, with real connections.  The
# "outside" is a namespace of the test's own, wired to the sandbox host with
# documentation addresses; the host's default route points at it.

load helpers

SERVE='socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:"echo peer=\$SOCAT_PEERADDR"'

setup_file() {
	external_host 198.51.100.1/24 198.51.100.2/24 2001:db8::1/64 2001:db8::2/64
	ip route add default via 198.51.100.2
	ip -6 route add default via 2001:db8::2
	# a server on the outside that says who it sees
	# (detached from bats' descriptors, or bats waits for them at the end)
	ip netns exec ext socat TCP-LISTEN:7000,fork,reuseaddr SYSTEM:'echo seen=$SOCAT_PEERADDR' \
		</dev/null >/dev/null 2>&1 3>&- &
	ip netns exec ext socat TCP6-LISTEN:7000,fork,reuseaddr,ipv6only=1 \
		SYSTEM:'echo seen=$SOCAT_PEERADDR' </dev/null >/dev/null 2>&1 3>&- &
}

teardown_file() {
	pkill -f 'socat TCP6?-LISTEN:7000' || true
}

setup() { cleanup_containers; }
teardown() {
	cleanup_containers
	cnm network prune -f >/dev/null
}

listening() { ip netns exec "$1" ss -Hln "sport = :$2" | grep -q .; }
fetch() { socat -T2 - "$1" </dev/null; }
serve() { # serve NAME [run options...]: a container answering "peer=<client>" on tcp/80
	local name=$1; shift
	cnm run -d --name "$name" "$@" -- sh -c "$SERVE"
	wait_until 5 listening "$name" 80
}

@test "containers reach the outside with the host's address (masquerade)" {
	wait_until 5 ip netns exec ext sh -c 'ss -Hltn "sport = :7000" | grep -q .'
	cnm run -d --name out1 -- sleep 3600
	[ "$(cnm exec out1 socat -T2 - TCP:198.51.100.2:7000 </dev/null)" = seen=198.51.100.1 ]
	[ "$(nft list set inet cnm masq4 | grep -o '172.17.0.0/16')" = 172.17.0.0/16 ]
	[ "$(sysctl -n net.ipv4.ip_forward)" = 1 ]
}

@test "enable_ip_masquerade=false: the outside sees the container's own address" {
	cnm network create --subnet 10.88.0.0/24 -o com.docker.network.bridge.enable_ip_masquerade=false nomasq >/dev/null
	ip -n ext route add 10.88.0.0/24 via 198.51.100.1
	cnm run -d --name out2 --network nomasq -- sleep 3600
	[ "$(cnm exec out2 socat -T2 - TCP:198.51.100.2:7000 </dev/null)" = seen=10.88.0.2 ]
	ip -n ext route del 10.88.0.0/24
}

@test "a published port answers from everywhere, and the outside client keeps its address" {
	serve web -p 8080:80
	[ "$(ip netns exec ext socat -T2 - TCP:198.51.100.1:8080 </dev/null)" = peer=198.51.100.2 ]
	[ "$(fetch TCP:198.51.100.1:8080)" = peer=198.51.100.1 ]
	[ "$(fetch TCP:127.0.0.1:8080)" = peer=172.17.0.1 ]
	cnm run -d --name same -- sleep 3600
	[ "$(cnm exec same socat -T2 - TCP:198.51.100.1:8080 </dev/null)" = peer=172.17.0.1 ]
	# the container reaching its own published port (hairpin)
	[ "$(cnm exec web socat -T2 - TCP:198.51.100.1:8080 </dev/null)" = peer=172.17.0.1 ]
	cnm network create othernet >/dev/null
	cnm run -d --name far --network othernet -- sleep 3600
	[[ "$(cnm exec far socat -T2 - TCP:198.51.100.1:8080 </dev/null)" =~ ^peer= ]]
	# and no proxy process: the only socat of port 8080 is in the container
	[ "$(pgrep -f 'docker-proxy|cnm-proxy' | wc -l)" -eq 0 ]
}

@test "udp ports are published too" {
	cnm run -d --name dns -p 5353:53/udp -- socat UDP-RECVFROM:53,fork SYSTEM:'echo pong'
	wait_until 5 listening dns 53
	# UDP is lossy by design: like any UDP client, ask up to three times
	udp_ask() { for _ in 1 2 3; do r=$(echo ping | "$@") && [ "$r" = pong ] && return 0; done; return 1; }
	udp_ask ip netns exec ext socat -T1 - UDP:198.51.100.1:5353
	udp_ask socat -T1 - UDP:127.0.0.1:5353
	[ "$(cnm port dns)" = "53/udp -> 0.0.0.0:5353" ]
}

@test "sctp ports are published: an INIT from outside reaches the container, its source kept" {
	# this kernel may lack SCTP sockets; conntrack and nf_tables do not need
	# them, so a raw INIT packet (tests/tools/sctp_probe.c) proves the path
	cnm network create --ipv6 --subnet 10.88.0.0/24 --subnet fd00:88::/64 sc6net >/dev/null
	cnm run -d --name sc --network sc6net -p 9132:9000/sctp -- sleep 3600
	ip4=$(inspect_field sc NetworkSettings.Networks.sc6net.IPAddress)
	ip6=$(inspect_field sc NetworkSettings.Networks.sc6net.GlobalIPv6Address)
	out=$BATS_TEST_TMPDIR/sctp
	for dst in 198.51.100.1 2001:db8::1; do
		cnm exec sc sctp_probe recv 9000 10 >"$out" 2>&1 </dev/null 3>&- &
		pid=$!
		wait_until 5 grep -q listening "$out"
		ip netns exec ext sctp_probe send "$dst" 9132 41000
		wait "$pid"
		got=$(sed -n 2p "$out")
		echo "$dst: $got"
		case $dst in
		*:*) [ "$got" = "[2001:db8::2]:41000 [$ip6]:9000" ] ;;
		*) [ "$got" = "198.51.100.2:41000 $ip4:9000" ] ;;
		esac
	done
	cnm port sc
	[ "$(cnm port sc 9000/sctp | head -1)" = "0.0.0.0:9132" ]
}

@test "IPv6: published on [::] and reachable from the outside and the host" {
	cnm network create --ipv6 --subnet 10.89.0.0/24 --subnet fd00:89::/64 v6net >/dev/null
	cnm run -d --name web6 --network v6net -p 8086:80 -- socat TCP6-LISTEN:80,fork,reuseaddr SYSTEM:'echo peer=$SOCAT_PEERADDR'
	wait_until 5 listening web6 80
	run cnm port web6 80
	[ "$output" = "$(printf '0.0.0.0:8086\n[::]:8086')" ]
	# (socat prints IPv6 addresses in full)
	[ "$(ip netns exec ext socat -T2 - 'TCP6:[2001:db8::1]:8086' </dev/null)" = "peer=[2001:0db8:0000:0000:0000:0000:0000:0002]" ]
	[ "$(fetch 'TCP6:[2001:db8::1]:8086')" = "peer=[2001:0db8:0000:0000:0000:0000:0000:0001]" ]
	# and outbound IPv6 is masqueraded
	[ "$(cnm exec web6 socat -T2 - 'TCP6:[2001:db8::2]:7000' </dev/null)" = "seen=[2001:0db8:0000:0000:0000:0000:0000:0001]" ]
}

# [::1] cannot be DNATed (no route_localnet for IPv6): the monitor relays it
@test "IPv6: [::1] reaches the container over TCP and UDP, and stops with it" {
	cnm network create --ipv6 --subnet 10.89.0.0/24 --subnet fd00:89::/64 v6net >/dev/null
	cnm run -d --name lo6 --network v6net -p 8086:80 -p 5354:53/udp -p 0.0.0.0:8087:81 -- sh -c \
		'socat UDP6-RECVFROM:53,fork SYSTEM:"echo pong" & exec socat TCP6-LISTEN:80,fork,reuseaddr SYSTEM:"echo peer=\$SOCAT_PEERADDR"'
	wait_until 5 listening lo6 80
	wait_until 5 listening lo6 53
	# the relay connects from the host: the container sees the gateway
	[ "$(fetch 'TCP6:[::1]:8086')" = "peer=[fd00:0089:0000:0000:0000:0000:0000:0001]" ]
	udp_ask() { for _ in 1 2 3; do r=$(echo ping | "$@") && [ "$r" = pong ] && return 0; done; return 1; }
	udp_ask socat -T1 - 'UDP6:[::1]:5354'
	[[ "$(ss -Hltnp 'sport = :8086')" =~ cnm-monitor ]]
	# published on IPv4 only: nothing on [::1]
	run fetch 'TCP6:[::1]:8087'
	[ "$status" -ne 0 ]
	cnm rm -f lo6
	wait_until 5 sh -c '! pgrep -x cnm-monitor >/dev/null'
	run fetch 'TCP6:[::1]:8086'
	[ "$status" -ne 0 ]
	# the port is free again at once, [::1] included, and a foreground run relays too
	cnm run --name fg6 --network v6net -p 8086:80 -- sh -c "${SERVE/TCP-/TCP6-}" </dev/null >/dev/null 2>&1 3>&- &
	wait_until 5 listening fg6 80
	wait_until 5 sh -c "ss -Hltn 'sport = :8086' | grep -q '::1'"
	[ "$(fetch 'TCP6:[::1]:8086')" = "peer=[fd00:0089:0000:0000:0000:0000:0000:0001]" ]
}

@test "IPv6: [::1] follows the ports when they move, are released and come back" {
	cnm network create --ipv6 --subnet 10.91.0.0/24 --subnet fd00:91::/64 v6a >/dev/null
	cnm network create --ipv6 --subnet 10.92.0.0/24 --subnet fd00:92::/64 v6b >/dev/null
	cnm network create --internal inn6 >/dev/null
	cnm run -d --name fol --network v6a -p 8088:80 -- sh -c "${SERVE/TCP-/TCP6-}"
	wait_until 5 listening fol 80
	# (a first connection to an address may wait for neighbour discovery: under
	# a loaded make check that can outlast one fetch's 2 s, hence the retries)
	fetch_is() { [ "$(fetch "$1")" = "$2" ]; }
	wait_until 10 fetch_is 'TCP6:[::1]:8088' "peer=[fd00:0091:0000:0000:0000:0000:0000:0001]"
	# the ports follow the way out to v6b: so does [::1], once disconnect returns
	cnm network connect v6b fol
	cnm network disconnect v6a fol
	wait_until 10 fetch_is 'TCP6:[::1]:8088' "peer=[fd00:0092:0000:0000:0000:0000:0000:0001]"
	# no way out left: released, [::1] too
	cnm network connect inn6 fol
	cnm network disconnect v6b fol
	[ -z "$(cnm port fol)" ]
	[ -z "$(ss -Hltn 'src [::1] and sport = :8088')" ]
	# published again by the connect that gives a way out
	cnm network connect v6b fol
	wait_until 10 fetch_is 'TCP6:[::1]:8088' "peer=[fd00:0092:0000:0000:0000:0000:0000:0001]"
	[[ "$(ss -Hltnp 'src [::1] and sport = :8088')" =~ cnm-monitor ]]
}

@test "IPv6: [::1] relays streams intact, several at once, half-close included" {
	cnm network create --ipv6 --subnet 10.89.0.0/24 --subnet fd00:89::/64 v6net >/dev/null
	cnm run -d --name echo6 --network v6net -p 9000:9000 -- socat TCP6-LISTEN:9000,fork,reuseaddr SYSTEM:cat
	wait_until 5 listening echo6 9000
	head -c 1000000 /dev/urandom >"$BATS_TEST_TMPDIR/blob"
	want=$(sha1sum <"$BATS_TEST_TMPDIR/blob")
	# the client's EOF reaches cat, whose end reaches the client after all the data
	for i in 1 2 3 4 5 6 7 8; do
		socat -T10 - 'TCP6:[::1]:9000' <"$BATS_TEST_TMPDIR/blob" >"$BATS_TEST_TMPDIR/out$i" &
	done
	wait
	for i in 1 2 3 4 5 6 7 8; do
		[ "$(sha1sum <"$BATS_TEST_TMPDIR/out$i")" = "$want" ]
	done
}

@test "IPv6: a container with 1,000 published ports starts and [::1] answers" {
	cnm network create --ipv6 --subnet 10.89.0.0/24 --subnet fd00:89::/64 v6net >/dev/null
	run cnm run -d --name many6 --network v6net -p 20000-20999:20000-20999 -- \
		socat TCP6-LISTEN:20500,fork,reuseaddr SYSTEM:'echo peer=$SOCAT_PEERADDR'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ] # the id, no warning
	wait_until 5 listening many6 20500
	[ "$(ss -Hltn 'src [::1]' | wc -l)" -eq 1000 ]
	[ "$(fetch 'TCP6:[::1]:20500')" = "peer=[fd00:0089:0000:0000:0000:0000:0000:0001]" ]
}

@test "an explicit IP or host_binding_ipv4 limits where the port answers" {
	serve lo1 -p 127.0.0.1:9001:80
	[ "$(fetch TCP:127.0.0.1:9001)" = peer=172.17.0.1 ]
	run fetch TCP:198.51.100.1:9001
	[ "$status" -ne 0 ]
	# nor from a neighbour that routes 127.0.0.1 to this host (CVE-2020-8558):
	# the bridges' route_localnet must not let it through the DNAT
	ip -n ext addr del 127.0.0.1/8 dev lo
	ip netns exec ext sysctl -qw net.ipv4.conf.all.route_localnet=1
	ip -n ext route add 127.0.0.1/32 via 198.51.100.1 dev eth0
	run ip netns exec ext socat -T1 - TCP:127.0.0.1:9001,connect-timeout=1 </dev/null
	ip -n ext route del 127.0.0.1/32
	ip -n ext addr add 127.0.0.1/8 dev lo
	[ "$status" -ne 0 ]
	cnm network create -o com.docker.network.bridge.host_binding_ipv4=198.51.100.1 bound >/dev/null
	serve b1 --network bound -p 9002:80
	[ "$(ip netns exec ext socat -T2 - TCP:198.51.100.1:9002 </dev/null)" = peer=198.51.100.2 ]
	run fetch TCP:127.0.0.1:9002
	[ "$status" -ne 0 ]
	[ "$(cnm port b1)" = "80/tcp -> 198.51.100.1:9002" ]
}

@test "a container cannot reach the host's 127.0.0.1 through its gateway (route_localnet)" {
	socat TCP-LISTEN:7777,bind=127.0.0.1,fork,reuseaddr SYSTEM:'echo host-only' \
		</dev/null >/dev/null 2>&1 3>&- &
	cnm run -d --name rl -- sleep 3600
	wait_until 5 sh -c 'ss -Hltn "sport = :7777" | grep -q .'
	# a container with NET_ADMIN (or a raw socket) sends to 127.0.0.1 via the bridge
	pid=$(inspect_field rl State.Pid)
	nsenter -t "$pid" -n sh -c 'ip addr del 127.0.0.1/8 dev lo &&
		sysctl -qw net.ipv4.conf.all.route_localnet=1 &&
		ip route add 127.0.0.1/32 via 172.17.0.1 dev eth0'
	run nsenter -t "$pid" -n socat -T1 - TCP:127.0.0.1:7777,connect-timeout=1 </dev/null
	kill %1
	[ "$status" -ne 0 ]
	[ "$output" != host-only ]
	# while the host's own 127.0.0.1:PORT still reaches published ports (tested above)
}

@test "random host ports come from the ephemeral range and stay for the container's life" {
	serve rnd -p 80
	port=$(cnm port rnd 80 | sed 's/.*://')
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range
	[ "$port" -ge "$lo" ] && [ "$port" -le "$hi" ]
	[ "$(fetch TCP:127.0.0.1:$port)" = peer=172.17.0.1 ]
	[ "$(cnm inspect rnd | jq -r '.[0].NetworkSettings.Ports["80/tcp"][0].HostPort')" = "$port" ]
	[ "$(cnm inspect rnd | jq -r '.[0].HostConfig.PortBindings["80/tcp"][0].HostPort')" = "" ]
	cnm run -d --name rng -p 8000-8002:80-82 -- sleep 3600
	run cnm port rng
	[ "$output" = "$(printf '80/tcp -> 0.0.0.0:8000\n81/tcp -> 0.0.0.0:8001\n82/tcp -> 0.0.0.0:8002')" ]
	[ "$(cnm port rnd 80 | sed 's/.*://')" = "$port" ]
}

@test "taken ports are refused, naming the owner, and nothing changes" {
	serve own -p 8080:80
	elements() { nft -j list ruleset | jq '[.nftables[] | select(.map) | .map.elem // [] | length] | add'; }
	before="$(cnm ps -aq | wc -l) $(elements) $(sqlite3 "$CNM_STATE_DIR/cnm.db" 'select count(*) from ports')"
	run cnm run -d --name thief -p 8080:80 -- sleep 3600
	[ "$status" -eq 125 ]
	[[ "$output" =~ "Bind for 0.0.0.0:8080 failed: port is already allocated" ]]
	[[ "$output" =~ "container own" ]]
	# a port bound by a process on the host
	socat TCP-LISTEN:9500,reuseaddr,fork SYSTEM:true </dev/null >/dev/null 2>&1 3>&- &
	wait_until 5 sh -c 'ss -Hltn "sport = :9500" | grep -q .'
	run cnm run -d --name thief2 -p 9500:80 -- sleep 3600
	[ "$status" -eq 125 ]
	[[ "$output" =~ "9500 failed: port is already allocated" ]]
	[[ "$output" =~ "a process on the host" ]]
	kill %1
	# the owner is the one on that address, not a container on another one
	cnm run -d --name lo9 -p 127.0.0.1:9501:80 -- sleep 3600
	socat TCP-LISTEN:9501,bind=127.0.0.2,reuseaddr,fork SYSTEM:true </dev/null >/dev/null 2>&1 3>&- &
	wait_until 5 sh -c 'ss -Hltn "sport = :9501" | grep -q 127.0.0.2'
	run cnm run -d --name thief3 -p 127.0.0.2:9501:80 -- sleep 3600
	kill %2
	[ "$status" -eq 125 ]
	[[ "$output" =~ "(9501/tcp is held by a process on the host)" ]]
	run cnm run -d --name thief4 -p 9501:80 -- sleep 3600
	[[ "$output" =~ "(9501/tcp is held by container lo9)" ]]
	cnm rm -f lo9 >/dev/null
	# [::] with IPV6_V6ONLY leaves the IPv4 port free; a dual-stack [::] holds it too
	socat TCP6-LISTEN:9502,ipv6only=1,reuseaddr,fork SYSTEM:true </dev/null >/dev/null 2>&1 3>&- &
	only6=$!
	socat TCP6-LISTEN:9503,reuseaddr,fork SYSTEM:true </dev/null >/dev/null 2>&1 3>&- &
	dual=$!
	wait_until 5 sh -c 'ss -Hltn "sport = :9502" | grep -q . && ss -Hltn "sport = :9503" | grep -q .'
	run cnm run -d --name v4free -p 9502:80 -- sleep 3600
	s1=$status
	run cnm run -d --name thief5 -p 9503:80 -- sleep 3600
	kill $only6 $dual
	cnm rm -f v4free >/dev/null 2>&1 || true
	[ "$s1" -eq 0 ]
	[ "$status" -eq 125 ]
	[[ "$output" =~ "(9503/tcp is held by a process on the host)" ]]
	run cnm run -d -p 70000:80 -- sleep 1
	[ "$status" -eq 125 ]
	[[ "$output" =~ "invalid hostPort: 70000" ]]
	run cnm run -d -p 80/bogus -- sleep 1
	[[ "$output" =~ "invalid proto: bogus" ]]
	run cnm run -d --network none -p 80 -- sleep 1
	[ "$status" -eq 125 ]
	[[ "$output" =~ "published ports need a bridge network" ]]
	[ "$before" = "$(cnm ps -aq | wc -l) $(elements) $(sqlite3 "$CNM_STATE_DIR/cnm.db" 'select count(*) from ports')" ]
}

@test "rm removes exactly the container's elements" {
	cnm run -d --name keep -p 8101:80 -p 8102:80/udp -- sleep 3600
	cnm run -d --name drop -p 8201:80 -p 8202:80/udp -p 127.0.0.1:8203:80 -- sleep 3600
	ip_keep=$(inspect_field keep NetworkSettings.IPAddress)
	ip_drop=$(inspect_field drop NetworkSettings.IPAddress)
	cnm rm -f drop
	json=$(nft -j list ruleset)
	[ "$(jq "[.nftables[] | select(.map) | .map.elem // [] | .[] | tostring | select(contains(\"$ip_drop\"))] | length" <<<"$json")" -eq 0 ]
	[ "$(jq "[.nftables[] | select(.map) | .map.elem // [] | .[] | tostring | select(contains(\"$ip_keep\"))] | length" <<<"$json")" -eq 2 ]
	[ "$(sqlite3 "$CNM_STATE_DIR/cnm.db" 'select count(*) from ports')" -eq 2 ]
	# a container that exits by itself releases its ports too
	cnm run -d --name brief -p 8301:80 -- true
	wait_until 5 sh -c '[ "$(cnm inspect brief | jq -r ".[0].State.Status")" = exited ]'
	[ "$(sqlite3 "$CNM_STATE_DIR/cnm.db" 'select count(*) from ports')" -eq 2 ]
	[ "$(cnm inspect brief | jq -c '.[0].NetworkSettings.Ports')" = "{}" ]
}

@test "published ports follow the way out when the container leaves their network" {
	cnm network create n2 >/dev/null
	cnm network create --internal inn >/dev/null
	serve mv -p 8080:80
	cnm network connect n2 mv
	cnm network disconnect bridge mv
	# the freed address goes to the next container: it must not get mv's port
	serve heir
	[ "$(inspect_field heir NetworkSettings.IPAddress)" = 172.17.0.2 ]
	ip2=$(inspect_field mv NetworkSettings.Networks.n2.IPAddress)
	[ "$(ip netns exec ext socat -T2 - TCP:198.51.100.1:8080 </dev/null)" = peer=198.51.100.2 ]
	[ "$(nft list map inet cnm ports4 | grep -c "$ip2 . 80")" -eq 1 ]
	[ "$(nft list map inet cnm ports4 | grep -c '172.17.0.2 . 80')" -eq 0 ]
	[ "$(cnm port mv)" = "80/tcp -> 0.0.0.0:8080" ]
	# no network with a way out left: released, the port is free
	cnm network connect inn mv
	cnm network disconnect n2 mv
	[ -z "$(cnm port mv)" ]
	[ "$(nft -j list ruleset | jq '[.nftables[] | select(.map) | .map.elem // [] | .[]] | length')" -eq 0 ]
	cnm run -d --name taker -p 8080:80 -- sleep 3600
	# a network that takes the way out publishes them again, refused while taken
	run cnm network connect n2 mv
	[ "$status" -eq 1 ]
	[[ "$output" =~ "held by container taker" ]]
	[ "$(inspect_field mv 'NetworkSettings.Networks | keys | join(",")')" = inn ]
	cnm rm -f taker
	cnm network connect n2 mv
	[ "$(ip netns exec ext socat -T2 - TCP:198.51.100.1:8080 </dev/null)" = peer=198.51.100.2 ]
	[ "$(cnm port mv)" = "80/tcp -> 0.0.0.0:8080" ]
}

@test "ps shows the ports like docker ps" {
	cnm run -d --name pp -p 8080:80 -p 5353:53/udp -- sleep 3600
	run cnm ps
	[[ "${lines[1]}" =~ "0.0.0.0:5353->53/udp, 0.0.0.0:8080->80/tcp" ]]
	[ "$(cnm ps --format json | jq -r .Ports)" = "0.0.0.0:5353->53/udp, 0.0.0.0:8080->80/tcp" ]
	run cnm port pp 53
	[ "$status" -eq 1 ]
	[ "$output" = "cnm: No public port '53' published for pp" ]
	# same-number mappings in consecutive runs are one range, as DisplayablePorts groups them
	cnm run -d --name pr -p 5000-5001:5000-5001 -p 5003:5003 -p 127.0.0.1:9090:90 -- sleep 3600
	[ "$(cnm ps --format '{{.Names}} {{.Ports}}' | grep '^pr ')" = \
		"pr 0.0.0.0:5000-5001->5000-5001/tcp, 0.0.0.0:5003->5003/tcp, 127.0.0.1:9090->90/tcp" ]
}

@test "another firewall's FORWARD policy drop is detected, with the fix" {
	nft add table ip filter
	nft add chain ip filter FORWARD '{ type filter hook forward priority 0; policy drop; }'
	run cnm network create -o com.docker.network.bridge.name=br-dropped dropped
	nft delete table ip filter
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^cnm:\ warning:\ the\ host\'s\ iptables\ FORWARD\ chain\ drops\ forwarded\ traffic ]]
	[[ "${lines[0]}" =~ "Fix: iptables -I FORWARD -i br-dropped -j ACCEPT && iptables -I FORWARD -o br-dropped -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT" ]]
	# no warning without it
	run cnm network create quiet
	[ "${#lines[@]}" -eq 1 ]
}
