#!/usr/bin/env bats
# Name resolution on user-defined networks (cnm-dns).  The upstream is a
# dnsmasq in a namespace of the test's own ("ext", 198.51.100.2) that knows
# one name, ext.test, with TTL 4321, and answers NXDOMAIN for anything else;
# the sandbox's /etc/resolv.conf (its own mount namespace) names it.

load helpers

setup_file() {
	# the resolver leaves with the last network at once here (not after
	# lingering 10 s), so tests can wait for it; the linger has a test of its own
	export CNM_DNS_LINGER=0
	external_host 198.51.100.1/24 198.51.100.2/24
	ip netns exec ext dnsmasq --keep-in-foreground --no-resolv --no-hosts \
		--listen-address=198.51.100.2 --bind-interfaces --local-ttl=4321 \
		--address=/ext.test/203.0.113.7 --address=/#/ --local=// --pid-file= \
		</dev/null >/dev/null 2>&1 3>&- &
	printf 'nameserver 198.51.100.2\nsearch example.internal\n' >"$BATS_FILE_TMPDIR/resolv.conf"
	mount --bind "$BATS_FILE_TMPDIR/resolv.conf" /etc/resolv.conf
	wait_until 5 sh -c 'dig +short +time=1 +tries=1 @198.51.100.2 ext.test | grep -q 203.0.113.7'
}

teardown_file() {
	pkill -x dnsmasq || true
	umount /etc/resolv.conf || true
}

setup() { cleanup_containers; }
teardown() {
	cleanup_containers
	cnm network prune -f >/dev/null
}

# q CONTAINER NAME [dig options] (or -x ADDRESS): the addresses NAME resolves to, as CONTAINER sees it
q() { local c=$1; shift; cnm exec "$c" dig +short +time=2 +tries=1 "$@"; }
# status CONTAINER NAME [dig options]: NOERROR, NXDOMAIN, ...
status() {
	local c=$1 out; shift
	out=$(cnm exec "$c" dig +time=2 +tries=1 "$@")
	echo "$out" >&2 # shown when a test fails
	cat "$CNM_RUN_DIR/dns.log" >&2 2>/dev/null || true
	echo "$out" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'
}
resolver_pid() { pgrep -x cnm-dns; }

@test "names, aliases, short ids and NAME.NETWORK resolve; resolv.conf names the gateway" {
	cnm network create --subnet 10.61.0.0/24 front >/dev/null
	wid=$(cnm run -d --name web1 --network front --network-alias www --network-alias api -- sleep 3600)
	id=$(cnm run -d --name db1 --network front -- sleep 3600)
	[ "$(cnm inspect web1 | jq -c .[0].NetworkSettings.Networks.front.Aliases)" = "[\"www\",\"api\",\"${wid:0:12}\"]" ]
	[ "$(q web1 db1)" = 10.61.0.3 ]
	[ "$(q web1 DB1)" = 10.61.0.3 ]
	[ "$(q db1 www)" = 10.61.0.2 ]
	[ "$(q db1 api.)" = 10.61.0.2 ]
	[ "$(q web1 "${id:0:12}")" = 10.61.0.3 ]
	[ "$(q web1 db1.front)" = 10.61.0.3 ]
	# aliases and short ids take the network's name too, as in Docker
	[ "$(q db1 www.front)" = 10.61.0.2 ]
	[ "$(q db1 API.Front.)" = 10.61.0.2 ]
	[ "$(q web1 "${id:0:12}.front")" = 10.61.0.3 ]
	[ "$(status db1 www.back)" = NXDOMAIN ]
	[ "$(q web1 db1 +tcp)" = 10.61.0.3 ]
	[ "$(q web1 -x 10.61.0.3)" = db1.front. ]
	[ "$(cnm exec web1 getent hosts db1)" = "10.61.0.3       db1" ]
	run cnm exec web1 cat /etc/resolv.conf
	[[ "$output" == *"nameserver 10.61.0.1"* ]]
	[[ "$output" == *"search example.internal"* ]]
	[[ "$output" == *"options ndots:0"* ]]
	run cnm exec web1 cat /etc/hosts
	[[ "$output" == *"10.61.0.2	"*"web1"* ]]
	# a name that exists answers AAAA with no data rather than going upstream
	[ "$(status web1 db1 AAAA)" = NOERROR ]
	[ -z "$(q web1 db1 AAAA)" ]
}

@test "AAAA records on an IPv6 network, and PTR in ip6.arpa" {
	cnm network create --ipv6 --subnet 10.62.0.0/24 --subnet fd00:62::/64 six >/dev/null
	cnm run -d --name v6a --network six -- sleep 3600
	cnm run -d --name v6b --network six -- sleep 3600
	[ "$(q v6a v6b AAAA)" = fd00:62::3 ]
	[ "$(q v6a v6b)" = 10.62.0.3 ]
	[ "$(q v6a -x fd00:62::3)" = v6b.six. ]
}

@test "a container never resolves names of networks it is not on; on two, it sees both" {
	cnm network create --subnet 10.63.0.0/24 na >/dev/null
	cnm network create --subnet 10.64.0.0/24 nb >/dev/null
	cnm run -d --name only-a --network na -- sleep 3600
	cnm run -d --name only-b --network nb -- sleep 3600
	cnm run -d --name both --network na -- sleep 3600
	cnm network connect --alias bee nb both
	[ "$(status only-a only-b)" = NXDOMAIN ]
	[ "$(status only-b only-a)" = NXDOMAIN ]
	[ "$(status only-a only-b.nb)" = NXDOMAIN ]
	[ "$(status only-a -x 10.64.0.2)" = NXDOMAIN ]
	[ "$(q both only-a)" = 10.63.0.2 ]
	[ "$(q both only-b)" = 10.64.0.2 ]
	[ "$(q only-b bee)" = 10.64.0.3 ]
	# the alias lives on nb only
	[ "$(status only-a bee)" = NXDOMAIN ]
	[ "$(q only-a both)" = 10.63.0.3 ]
	# leaving the network whose gateway its resolv.conf names: the other one's takes over
	cnm network disconnect na both
	[[ "$(cnm exec both cat /etc/resolv.conf)" == *"nameserver 10.64.0.1"* ]]
	[ "$(q both only-b)" = 10.64.0.2 ]
	[ "$(status both only-a)" = NXDOMAIN ]
}

@test "a name many containers share answers all their addresses, in a new order each time" {
	cnm network create --ipv6 --subnet 10.87.0.0/24 --subnet fd00:87::/64 many >/dev/null
	cnm run -d --name lb --network many -- sleep 3600 >/dev/null
	for i in $(seq 20); do
		cnm run -d --name "r$i" --network many --network-alias pool --network-alias POOL \
			-- sleep 3600 >/dev/null
	done
	# every replica once (two aliases differing in case are one name)
	[ "$(q lb pool | sort -u | wc -l)" = 20 ]
	[ "$(q lb pool | wc -l)" = 20 ]
	[ "$(q lb pool AAAA | wc -l)" = 20 ]
	[ "$(q lb pool AAAA +tcp | wc -l)" = 20 ]
	# UDP without EDNS takes 17 AAAA records: those, and TC; dig then asks over TCP
	run cnm exec lb dig +noedns +ignore +time=2 +tries=1 pool AAAA
	[[ "$output" == *"flags: qr aa tc rd ra;"*"ANSWER: 17,"* ]]
	[ "$(q lb pool AAAA +noedns | wc -l)" = 20 ]
	# shuffled: ten answers do not all start alike (chance 20^-9)
	firsts=$(for i in $(seq 10); do q lb pool | head -1; done | sort -u | wc -l)
	[ "$firsts" -gt 1 ]
}

@test "a container connected from the default bridge resolves names; internal plus another forwards" {
	cnm network create --subnet 10.88.0.0/24 joined >/dev/null
	cnm network create --internal --subnet 10.89.0.0/24 walled >/dev/null
	cnm run -d --name peer --network joined -- sleep 3600 >/dev/null
	cnm run -d --name late -- sleep 3600 >/dev/null
	[ "$(status late peer)" = NXDOMAIN ]
	cnm network connect joined late
	[[ "$(cnm exec late cat /etc/resolv.conf)" == *"nameserver 10.88.0.1"* ]]
	[ "$(q late peer)" = 10.88.0.2 ]
	[ "$(q late ext.test)" = 203.0.113.7 ]
	cnm network disconnect joined late
	[ "$(cnm exec late cat /etc/resolv.conf)" = "$(cat /etc/resolv.conf)" ]
	# an internal network's resolver forwards nothing: joining one keeps the host's
	cnm network connect walled late
	[ "$(cnm exec late cat /etc/resolv.conf)" = "$(cat /etc/resolv.conf)" ]
	# a container of an internal network gets external names once it has a way out
	cnm run -d --name inner --network walled -- sleep 3600 >/dev/null
	[ "$(status inner ext.test)" = NXDOMAIN ]
	cnm network connect joined inner
	[[ "$(cnm exec inner cat /etc/resolv.conf)" == *"nameserver 10.89.0.1"* ]]
	[ "$(q inner ext.test)" = 203.0.113.7 ]
	[ "$(q inner peer)" = 10.88.0.2 ]
	cnm network disconnect joined inner
	[ "$(status inner ext.test)" = NXDOMAIN ]
}

@test "a name resolves as soon as run/connect return and stops as soon as rm/disconnect do" {
	cnm network create --subnet 10.65.0.0/24 live >/dev/null
	cnm network create --subnet 10.66.0.0/24 other >/dev/null
	cnm run -d --name asker --network live -- sleep 3600
	for i in 1 2 3; do
		cnm run -d --name fresh --network live -- sleep 3600 >/dev/null
		[ "$(q asker fresh)" = 10.65.0.3 ]
		cnm rm -f fresh >/dev/null
		[ "$(status asker fresh)" = NXDOMAIN ]
	done
	cnm run -d --name roamer --network other -- sleep 3600 >/dev/null
	[ "$(status asker roamer)" = NXDOMAIN ]
	cnm network connect --alias wanderer live roamer
	[ "$(q asker roamer)" = 10.65.0.3 ]
	[ "$(q asker wanderer)" = 10.65.0.3 ]
	cnm network disconnect live roamer
	[ "$(status asker roamer)" = NXDOMAIN ]
	[ "$(status asker wanderer)" = NXDOMAIN ]
	cnm stop -t 0 asker >/dev/null
	cnm run -d --name asker2 --network live -- sleep 3600 >/dev/null
	[ "$(status asker2 asker)" = NXDOMAIN ]
}

# dumps: how many page faults the resolver's finished children took: each
# read of the store (`cnm _dns-dump`) adds hundreds, nothing else adds any
dumps() { awk '{ print $11 }' "/proc/$(resolver_pid)/stat"; }

@test "the store is read again after a change, never for queries alone" {
	cnm network create --subnet 10.86.0.0/24 calm >/dev/null
	cnm run -d --name asker --network calm -- sleep 3600 >/dev/null
	cnm run -d --name peer --network calm -- sleep 3600 >/dev/null
	[ "$(q asker peer)" = 10.86.0.3 ]
	before=$(dumps)
	# queries, commands that only read the store, TCP: no dump
	run cnm exec asker sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do
		dig +short +time=2 +tries=1 peer; dig +short +time=2 +tries=1 +tcp asker; done'
	[ "$(echo "$output" | sort -u | tr '\n' ' ')" = "10.86.0.2 10.86.0.3 " ]
	cnm ps >/dev/null
	cnm network inspect calm >/dev/null
	[ "$(q asker peer)" = 10.86.0.3 ]
	[ "$(dumps)" = "$before" ]
	# a change: the next query reads it, once
	cnm run -d --name third --network calm -- sleep 3600 >/dev/null
	[ "$(q asker third)" = 10.86.0.4 ]
	after=$(dumps)
	[ "$after" -gt "$before" ]
	[ "$(q asker third)" = 10.86.0.4 ]
	[ "$(dumps)" = "$after" ]
}

# tcp_msgs FILE: one line per whole DNS message in the DNS-over-TCP stream
# FILE: "RCODE ANCOUNT LAST-4-BYTES-HEX"
tcp_msgs() {
	local b i=0 m len
	read -ra b <<<"$(od -An -tx1 -v "$1" | tr '\n' ' ')"
	while [ $((i + 2)) -le ${#b[@]} ]; do
		len=$((16#${b[i]} * 256 + 16#${b[i + 1]}))
		m=$((i + 2))
		[ $((m + len)) -le ${#b[@]} ] || break
		echo "$((16#${b[m + 3]} & 15)) $((16#${b[m + 6]} * 256 + 16#${b[m + 7]}))" \
			"${b[m + len - 4]}${b[m + len - 3]}${b[m + len - 2]}${b[m + len - 1]}"
		i=$((m + len))
	done
}

@test "one TCP connection kept open sees a name come and go between its queries" {
	cnm network create --subnet 10.85.0.0/24 keep >/dev/null
	cnm run -d --name asker --network keep -- sleep 3600 >/dev/null
	mkfifo "$BATS_TEST_TMPDIR/in"
	out=$BATS_TEST_TMPDIR/out
	cnm exec asker socat - TCP:10.85.0.1:53 <"$BATS_TEST_TMPDIR/in" >"$out" 2>/dev/null 3>&- &
	exec 5>"$BATS_TEST_TMPDIR/in"
	# A? late, id 0x1234, with its two-byte length
	query='\x00\x16\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04late\x00\x00\x01\x00\x01'
	printf "$query" >&5
	wait_until 5 sh -c "[ \$(od -An -tx1 -v '$out' | wc -w) -ge 24 ]"
	cnm run -d --name late --network keep -- sleep 3600 >/dev/null
	printf "$query" >&5
	wait_until 5 sh -c "[ \$(od -An -tx1 -v '$out' | wc -w) -ge 64 ]"
	cnm rm -f late >/dev/null
	printf "$query" >&5
	wait_until 5 sh -c "[ \$(od -An -tx1 -v '$out' | wc -w) -ge 88 ]"
	exec 5>&-
	wait
	run tcp_msgs "$out"
	echo "$output" >&2
	[ "${lines[0]%% *}" = 3 ] # NXDOMAIN
	[ "${lines[1]}" = "0 1 0a550003" ] # NOERROR, one answer: 10.85.0.3
	[ "${lines[2]%% *}" = 3 ]
}

@test "over TCP one client cannot take every connection, and one that trickles is cut off" {
	cnm network create --subnet 10.87.0.0/24 tcpn >/dev/null
	cnm run -d --name hog --network tcpn -- sleep 3600 >/dev/null
	cnm run -d --name other --network tcpn -- sleep 3600 >/dev/null
	[ "$(q other hog +tcp)" = 10.87.0.2 ]
	conns() { ss -Htn state established "( sport = :53 and dst $1 )" | wc -l; }
	# eight connections that each ask a whole question every second: kept (RFC 7766)
	for i in 1 2 3 4 5 6 7 8; do
		cnm exec hog bash -c 'while :; do
			printf "\x00\x15\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03hog\x00\x00\x01\x00\x01"
			sleep 1; done | socat - TCP:10.87.0.1:53 >/dev/null' 3>&- &
	done
	wait_until 10 sh -c "[ \$(ss -Htn state established '( sport = :53 and dst 10.87.0.2 )' | wc -l) -eq 8 ]"
	# a ninth from the same container is closed unanswered; another container is answered
	run cnm exec hog dig +tcp +time=2 +tries=1 +short hog
	[[ "$output" != *10.87.0.2* ]]
	[ "$(q other hog +tcp)" = 10.87.0.2 ]
	[ "$(conns 10.87.0.2)" -eq 8 ]
	# a question sent a byte a second is cut off after the resolver's 5 s, not served for 30
	cnm exec other bash -c '(printf "\x00\x15\x12"; for i in $(seq 1 30); do sleep 1; printf "\x34"; done) |
		socat - TCP:10.87.0.1:53 >/dev/null' 3>&- &
	wait_until 10 sh -c "[ \$(ss -Htn state established '( sport = :53 and dst 10.87.0.3 )' | wc -l) -eq 1 ]"
	wait_until 20 sh -c "[ \$(ss -Htn state established '( sport = :53 and dst 10.87.0.3 )' | wc -l) -eq 0 ]"
	[ "$(conns 10.87.0.2)" -eq 8 ]
	cnm rm -f hog other >/dev/null
	wait
}

@test "other names go upstream over UDP and TCP, answer and TTL as the upstream gave them" {
	cnm network create --subnet 10.67.0.0/24 fwd >/dev/null
	cnm run -d --name client --network fwd -- sleep 3600
	run cnm exec client dig +time=2 +tries=1 +noall +answer ext.test
	[[ "$output" == *"ext.test."*"4321"*"IN"*"A"*"203.0.113.7"* ]]
	run cnm exec client dig +tcp +time=2 +tries=1 +noall +answer ext.test
	[[ "$output" == *"ext.test."*"4321"*"IN"*"A"*"203.0.113.7"* ]]
	[ "$(status client nowhere.test)" = NXDOMAIN ]
	[ "$(status client nowhere.test +tcp)" = NXDOMAIN ]
}

@test "an upstream answering REFUSED or SERVFAIL is passed over for the next, over UDP and TCP" {
	# a second server in ext that refuses everything (no upstream of its own), named first
	ip -n ext addr add 198.51.100.3/24 dev eth0
	ip netns exec ext dnsmasq --keep-in-foreground --no-resolv --no-hosts \
		--listen-address=198.51.100.3 --bind-interfaces --pid-file= \
		</dev/null >/dev/null 2>&1 3>&- &
	wait_until 5 sh -c 'dig +time=1 +tries=1 @198.51.100.3 ext.test | grep -q "status: REFUSED"'
	printf 'nameserver 198.51.100.3\nnameserver 198.51.100.2\n' >"$BATS_TEST_TMPDIR/two.conf"
	mount --bind "$BATS_TEST_TMPDIR/two.conf" /etc/resolv.conf
	cnm network create --subnet 10.90.0.0/24 two >/dev/null
	cnm run -d --name t1 --network two -- sleep 3600
	a=$(q t1 ext.test)
	t=$(q t1 ext.test +tcp)
	umount /etc/resolv.conf
	pkill -f 'listen-address=198.51.100.3'
	ip -n ext addr del 198.51.100.3/24 dev eth0
	[ "$a" = 203.0.113.7 ]
	[ "$t" = 203.0.113.7 ]
}

@test "systemd-resolved's stub in resolv.conf: its real upstreams are asked" {
	mkdir -p /run/systemd/resolve
	printf 'nameserver 198.51.100.2\n' >/run/systemd/resolve/resolv.conf
	printf 'nameserver 127.0.0.53\noptions edns0\n' >"$BATS_TEST_TMPDIR/stub.conf"
	mount --bind "$BATS_TEST_TMPDIR/stub.conf" /etc/resolv.conf
	cnm network create --subnet 10.68.0.0/24 stub >/dev/null
	cnm run -d --name sd --network stub -- sleep 3600
	umount /etc/resolv.conf
	rm -rf /run/systemd
	# nothing listens on 127.0.0.53 here: the answer came from ext
	[ "$(q sd ext.test)" = 203.0.113.7 ]
}

@test "internal networks: names resolve, nothing is forwarded" {
	cnm network create --internal --subnet 10.69.0.0/24 inside >/dev/null
	cnm run -d --name in1 --network inside -- sleep 3600
	cnm run -d --name in2 --network inside -- sleep 3600
	[ "$(q in1 in2)" = 10.69.0.3 ]
	# forwarded, this would be 203.0.113.7: the resolver itself can reach ext
	[ "$(status in1 ext.test)" = NXDOMAIN ]
	[ -z "$(q in1 ext.test)" ]
}

@test "enable_dns=false and the default bridge: the host's resolv.conf, no resolver" {
	cnm network create --subnet 10.70.0.0/24 -o com.docker.network.bridge.enable_dns=false quiet >/dev/null
	cnm run -d --name q1 --network quiet -- sleep 3600
	cnm run -d --name b1 -- sleep 3600
	[ "$(cnm exec q1 cat /etc/resolv.conf)" = "$(cat /etc/resolv.conf)" ]
	[ "$(cnm exec b1 cat /etc/resolv.conf)" = "$(cat /etc/resolv.conf)" ]
	[ -z "$(ss -Hlun 'sport = :53' | grep -E '10\.70\.0\.1|172\.17\.0\.1')" ]
	run cnm run --rm --network-alias x -- true
	[ "$status" = 125 ]
	[[ "$output" == *"user defined networks"* ]]
	run cnm network create -o com.docker.network.bridge.enable_dns=maybe bad
	[ "$status" = 1 ]
	[[ "$output" == *"enable_dns"* ]]
}

@test "a DNS server already on the host's port 53 keeps it, and both answer" {
	# wait for the previous test's resolver to leave (prune removed its networks)
	wait_until 5 sh -c '! pgrep -x cnm-dns'
	dnsmasq --keep-in-foreground --no-resolv --no-hosts --listen-address=127.0.0.1 \
		--listen-address=198.51.100.1 --bind-interfaces --address=/host.test/192.0.2.53 \
		--pid-file= </dev/null >/dev/null 2>&1 3>&- &
	wait_until 5 sh -c 'dig +short +time=1 +tries=1 @127.0.0.1 host.test | grep -q 192.0.2.53'
	cnm network create --subnet 10.71.0.0/24 coexist >/dev/null
	cnm run -d --name c1 --network coexist -- sleep 3600
	cnm run -d --name c2 --network coexist -- sleep 3600
	[ "$(q c1 c2)" = 10.71.0.3 ]
	[ "$(dig +short +time=2 +tries=1 @127.0.0.1 host.test)" = 192.0.2.53 ]
	[ "$(dig +short +time=2 +tries=1 @198.51.100.1 host.test)" = 192.0.2.53 ]
	[ "$(ss -Hlun 'sport = :53' | grep -c 10.71.0.1)" = 1 ]
	pkill -f 'address=/host.test/'
}

@test "a server holding TCP port 53 on every address is named in a notice; UDP still answers" {
	wait_until 5 sh -c '! pgrep -x cnm-dns'
	socat TCP-LISTEN:53,fork SYSTEM:true </dev/null >/dev/null 2>&1 3>&- &
	wait_until 5 sh -c 'ss -Hltn "sport = :53" | grep -q "0.0.0.0:53"'
	run cnm network create --subnet 10.79.0.0/24 taken
	pkill -f 'TCP-LISTEN:53,fork'
	[ "$status" = 0 ]
	[[ "$output" == *"cannot listen on 10.79.0.1 port 53 (TCP): Address already in use"* ]]
	cnm run -d --name t1 --network taken -- sleep 3600
	cnm run -d --name t2 --network taken -- sleep 3600
	[ "$(q t1 t2)" = 10.79.0.3 ]
	# the next change of networks tries TCP again, and now gets it
	cnm network create --subnet 10.80.0.0/24 later >/dev/null
	[ "$(q t1 t2 +tcp)" = 10.79.0.3 ]
}

@test "the resolver starts on demand, keeps one capability, and leaves with the last network" {
	cnm network create --subnet 10.72.0.0/24 first >/dev/null
	pid=$(resolver_pid)
	[ -n "$pid" ]
	grep -q '^CapEff:	0000000000000400$' /proc/$pid/status
	# every thread (capabilities are per thread)
	[ "$(ls /proc/$pid/task | wc -l)" -ge 2 ]
	for t in /proc/$pid/task/*; do
		grep -q '^CapEff:	0000000000000400$' "$t/status"
		grep -q '^CapBnd:	0000000000000400$' "$t/status"
	done
	cnm network create --subnet 10.73.0.0/24 second >/dev/null
	[ "$(resolver_pid)" = "$pid" ]
	[ "$(ss -Hlun 'sport = :53' | grep -cE '10\.7[23]\.0\.1')" = 2 ]
	cnm network rm first >/dev/null
	[ "$(ss -Hlun 'sport = :53' | grep -cE '10\.7[23]\.0\.1')" = 1 ]
	cnm network rm second >/dev/null
	wait_until 5 sh -c '! pgrep -x cnm-dns'
	cnm network create --subnet 10.74.0.0/24 again >/dev/null
	cnm run -d --name back --network again -- sleep 3600
	[ "$(q back back)" = 10.74.0.2 ]
}

@test "a container joining a served network asks nothing; a killed resolver is started again" {
	cnm network create --subnet 10.75.0.0/24 served >/dev/null
	pid=$(resolver_pid)
	[ -n "$pid" ]
	# serving: it holds dns.alive, so joining costs a flock, not a question
	run flock -n -s "$CNM_RUN_DIR/dns.alive" true
	[ "$status" -ne 0 ]
	cnm run -d --name j1 -- sleep 3600
	# (a connect: strace -f would follow a run's monitor for as long as it lives)
	strace -f -e trace=connect -o "$BATS_TEST_TMPDIR/st" cnm network connect served j1
	! grep -q 'dns.sock' "$BATS_TEST_TMPDIR/st"
	[ "$(q j1 @10.75.0.1 j1)" = 10.75.0.2 ] # j1 began on the default bridge: its resolv.conf is the host's
	# killed, its lock goes with it: the next container starts a new one
	kill -9 "$pid"
	wait_until 5 sh -c "! kill -0 $pid"
	cnm run -d --name j2 --network served -- sleep 3600
	[ -n "$(resolver_pid)" ]
	[ "$(resolver_pid)" != "$pid" ]
	[ "$(q j2 j1)" = 10.75.0.2 ]
	cnm rm -f j1 j2 >/dev/null
	cnm network rm served >/dev/null
	# lingering, with no network, it no longer vouches
	run flock -n -s "$CNM_RUN_DIR/dns.alive" true
	[ "$status" -eq 0 ]
}

@test "the resolver lingers after the last network: a create meanwhile keeps the same process" {
	wait_until 5 sh -c '! pgrep -x cnm-dns'
	CNM_DNS_LINGER=600 cnm network create --subnet 10.81.0.0/24 linger1 >/dev/null
	pid=$(resolver_pid)
	[ -n "$pid" ]
	CNM_DNS_LINGER=600 cnm network rm linger1 >/dev/null
	# still there (for 600 s), no longer listening on the network that went
	[ "$(resolver_pid)" = "$pid" ]
	[ -S "$CNM_RUN_DIR/dns.sock" ]
	[ -z "$(ss -Hlun 'sport = :53' | grep '10\.81\.0\.1')" ]
	# a network created meanwhile: the same resolver takes it, and answers
	CNM_DNS_LINGER=600 cnm network create --subnet 10.82.0.0/24 linger2 >/dev/null
	[ "$(resolver_pid)" = "$pid" ]
	cnm run -d --name l1 --network linger2 -- sleep 3600 >/dev/null
	cnm run -d --name l2 --network linger2 -- sleep 3600 >/dev/null
	[ "$(q l1 l2)" = 10.82.0.3 ]
	cnm rm -f l1 l2 >/dev/null
	# linger 0: the command that removes the last network returns once it has
	# decided to leave: its socket is gone at once, the process right after
	CNM_DNS_LINGER=0 cnm network rm linger2 >/dev/null
	[ ! -e "$CNM_RUN_DIR/dns.sock" ]
	wait_until 5 sh -c '! pgrep -x cnm-dns'
	# a linger that runs out: the resolver leaves by itself
	CNM_DNS_LINGER=1 cnm network create --subnet 10.83.0.0/24 linger3 >/dev/null
	pid=$(resolver_pid)
	CNM_DNS_LINGER=1 cnm network rm linger3 >/dev/null
	wait_until 10 sh -c '! pgrep -x cnm-dns'
	[ ! -e "$CNM_RUN_DIR/dns.sock" ]
	# and the next create starts a new one
	cnm network create --subnet 10.84.0.0/24 linger4 >/dev/null
	[ -n "$(resolver_pid)" ]
	[ "$(resolver_pid)" != "$pid" ]
}

@test "ten networks created at once start one resolver, listening on all of them" {
	wait_until 5 sh -c '! pgrep -x cnm-dns'
	for i in $(seq 10); do
		cnm network create --subnet 10.78.$i.0/24 "par$i" >/dev/null &
	done
	wait
	[ "$(pgrep -xc cnm-dns)" = 1 ]
	[ "$(ss -Hlun 'sport = :53' | grep -c '10\.78\.')" = 10 ]
	[ "$(ss -Hltn 'sport = :53' | grep -c '10\.78\.')" = 10 ]
	# and the last of ten removed at once takes it away
	for i in $(seq 10); do cnm network rm "par$i" >/dev/null & done
	wait
	wait_until 5 sh -c '! pgrep -x cnm-dns'
	[ -z "$(ss -Hlun 'sport = :53' | grep '10\.78\.')" ]
}

@test "1,000 malformed packets leave the resolver answering" {
	cnm network create --subnet 10.75.0.0/24 rough >/dev/null
	cnm run -d --name target --network rough -- sleep 3600
	cnm run -d --name noisy --network rough -- sleep 3600
	pid=$(resolver_pid)
	cnm exec noisy bash -c '
		exec 5>/dev/udp/10.75.0.1/53
		# crafted: a compression loop, a label past the end, counts that lie, a response
		printf "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01" >&5
		printf "\x12\x35\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x3f\x61" >&5
		printf "\x12\x36\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x01\x00\x01" >&5
		printf "\x12\x37\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x01" >&5
		printf "\x12" >&5
		for i in $(seq 995); do head -c $((RANDOM % 200 + 1)) /dev/urandom >&5; done
		head -c 3000 /dev/urandom | timeout 2 socat -u - TCP:10.75.0.1:53 || true
		printf "\xff\xff\x00\x00" | timeout 2 socat -u - TCP:10.75.0.1:53 || true
	'
	[ "$(q noisy target)" = 10.75.0.2 ]
	[ "$(q noisy target +tcp)" = 10.75.0.2 ]
	[ "$(resolver_pid)" = "$pid" ]
}

@test "a host that is not a container of the network gets no names and no forwarding" {
	cnm network create --subnet 10.76.0.0/24 private >/dev/null
	cnm run -d --name hidden --network private -- sleep 3600
	[ "$(dig +time=2 +tries=1 @10.76.0.1 hidden | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')" = NXDOMAIN ]
	[ -z "$(dig +short +time=2 +tries=1 @10.76.0.1 ext.test)" ]
}

@test "after a reboot, the first command that needs the resolver starts it again" {
	cnm network create --subnet 10.77.0.0/24 boot >/dev/null
	cnm run -d --name before --network boot -- sleep 3600 >/dev/null
	# a fresh network, mount and pid namespace with the same state: a rebooted host
	run unshare --net --mount --pid --fork --mount-proc --propagation private -- sh -c '
		mount -t tmpfs tmpfs /run/netns && mount -t tmpfs tmpfs /run/cnm && ip link set lo up &&
		cnm run -d --name after1 --network boot -- sleep 3600 >/dev/null 2>&1 &&
		cnm run -d --name after2 --network boot -- sleep 3600 >/dev/null &&
		echo "after2: $(cnm exec after1 dig +short +time=2 +tries=1 after2)" &&
		echo "before: $(cnm exec after1 dig +short +time=2 +tries=1 before)"
		cnm rm -f after1 after2 >/dev/null'
	# the old host's container, its process and its namespace mount (a real reboot ends them)
	pkill -9 -x sleep || true
	for f in /run/netns/*; do [ -e "$f" ] && umount "$f" && rm -f "$f"; done
	echo "$output" >&2
	[ "${lines[0]}" = "after2: 10.77.0.3" ]
	[ "${lines[1]}" = "before: " ]
}
