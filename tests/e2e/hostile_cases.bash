# hostile_cases.bash - the table hostile.bats feeds to the CLI: one case per
# line, `bad STATUS ARG...`, STATUS the documented exit code (README: 1 for
# an error, 2 for a usage error, 125 for `run` failing before the command).
# The state they run against (hostile.bats setup_file): network "mynet"
# 10.77.0.0/24 with container "web" (10.77.0.2, -p 8080:80) on it, and an
# exited container "gone".  Every case must leave that state untouched.

LONG=$(printf 'a%.0s' $(seq 1 5000))
HUGE=$(printf 'b%.0s' $(seq 1 100000))
HEX64=$(printf '%064d' 0 | tr 0 f)

# Garbage any name-like slot gets: empty, too short, path tricks, spaces,
# control bytes, invalid UTF-8, valid but non-ASCII UTF-8, overlong.
GARBAGE_NAMES=(
	'' 'a' '-ab' '.ab' '_ab' 'a/b' '../etc' '..' 'a b' 'a:b' 'a*b' 'a%sb%n'
	$'a\x01b' $'ab\n' $'\tab' $'\xff\xfe' $'na\xc3\x28me' 'né' $'\xe2\x80\x8bweb' '日本語'
	"$LONG" "$HUGE"
)
# Garbage for address and CIDR slots.
GARBAGE_ADDRS=(
	'' 'abc' '10.0.0' '10.0.0.256' '10.0.0.0.0' ' 10.0.0.1' '10.0.0.1 ' '010.0.0.1' '0x0a.0.0.1'
	'10.0.0.1/24' 'fd00:::1' 'fe80::1%eth0' '::ffff:999.0.0.1' $'10.0.0.\xff' "$LONG"
)

cases() {
	local g

	# unknown verbs and flags
	bad 2 bogus
	bad 2 RUN
	bad 2 ''
	bad 2 --bogus
	bad 2 -x
	bad 2 "$LONG"
	bad 2 $'\xff'
	bad 2 network bogus
	bad 2 network ''
	bad 2 network --bogus
	bad 2 ps --bogus
	bad 2 ps -z
	bad 2 ps --format
	bad 2 rm
	bad 2 rm --bogus web
	bad 2 stop
	bad 2 stop -t
	bad 2 stop -t abc web
	bad 2 stop -t -5 web
	bad 2 stop -t 99999999999999999999 web
	bad 2 inspect
	bad 2 exec
	bad 2 exec web
	bad 2 exec --bogus web true
	bad 2 port
	bad 2 run
	bad 2 run -d
	bad 2 run --bogus -- true
	bad 2 run --name
	bad 2 network create
	bad 2 network create --bogus x1
	bad 2 network create --subnet
	bad 2 network connect mynet
	bad 2 network connect
	bad 2 network disconnect
	bad 2 network disconnect mynet
	bad 2 network rm
	bad 2 network inspect
	bad 2 network ls --bogus
	bad 2 network ls -f
	bad 2 network prune --bogus
	bad 2 ps --format '{{.ID'
	bad 2 ps --format '{{range .Names}}'
	bad 2 network ls --format 'table {{if .Name}}{{else}}{{else}}{{end}}'
	bad 2 network ls --format '{{template "x"}}'
	bad 2 inspect -f
	bad 2 inspect -f '{{.Name}}'
	bad 2 inspect -f 'table {{.Name}}' web
	bad 2 network inspect --format '{{"unterminated}}' mynet
	bad 2 network inspect --format '{{(.Name}}' mynet
	bad 2 network ls -f bogus=1
	bad 2 network ls -f noequals

	# objects that do not exist, ids and prefixes
	for g in nosuch "$HEX64" 'ffff' '' '*' 'we%s' "$LONG" $'\xff'; do
		bad 1 inspect "$g"
		bad 1 rm "$g"
		bad 1 stop "$g"
		bad 1 network inspect "$g"
		bad 1 network rm "$g"
	done
	bad 1 port nosuch
	bad 1 exec nosuch true
	bad 1 exec gone true
	bad 1 network connect nosuch web
	bad 1 network connect mynet nosuch
	bad 1 network disconnect nosuch web
	bad 1 network disconnect mynet nosuch

	# conflicts with what exists
	bad 1 network create mynet
	bad 1 network create bridge
	bad 1 network create host
	bad 1 network create none
	bad 1 network create --subnet 10.77.0.0/24 other1
	bad 1 network create --subnet 10.77.0.128/25 other1
	bad 1 network create --subnet 10.0.0.0/8 other1
	bad 1 network rm bridge
	bad 1 network rm host
	bad 1 network rm mynet
	bad 1 network connect mynet web
	bad 1 network disconnect bridge web
	bad 1 network connect --ip 10.77.0.2 mynet gone
	bad 125 run --name web -d -- sleep 1
	bad 125 run --network mynet --ip 10.77.0.2 -d -- sleep 1
	bad 125 run -p 8080:80 -d -- sleep 1

	# network create: CIDRs, gateways, ranges, aux addresses, drivers
	for g in 10.0.0.0/33 10.0.0.0/-1 10.0.0.0/ /24 10.0.0/24 10.0.0.256/24 10.1/16 010.0.0.0/8 \
		10.0.0.0/08 10.0.0.0/24x ' 10.0.0.0/24' '10.0.0.0 /24' 10.0.0.0/24/24 fd00::/129 \
		fd00:::/64 'fe80::1%eth0/64' abc '' 1.2.3.4 0x0a000000/8 10.0.0.0/1e1 4294967296/8 \
		10.88.0.1/24 "$LONG/24" $'10.88.0.0/2\xff'; do
		bad 1 network create --subnet "$g" n1
	done
	for g in "${GARBAGE_ADDRS[@]}" 10.98.0.1 10.88.0.0 10.88.0.255 fd00::1; do
		bad 1 network create --subnet 10.88.0.0/24 --gateway "$g" n1
	done
	bad 1 network create --gateway 10.88.0.1 n1
	bad 1 network create --subnet 10.88.0.0/24 --gateway 10.88.0.1 --gateway 10.88.0.2 n1
	bad 1 network create --subnet 10.88.0.0/24 --ip-range 10.89.0.0/25 n1
	bad 1 network create --subnet 10.88.0.0/24 --ip-range 10.88.0.0/23 n1
	bad 1 network create --subnet 10.88.0.0/24 --ip-range bogus n1
	bad 1 network create --ip-range 10.88.0.0/25 n1
	bad 1 network create --subnet 10.88.0.0/24 --aux-address noequals n1
	bad 1 network create --subnet 10.88.0.0/24 --aux-address r=10.89.0.1 n1
	bad 1 network create --subnet 10.88.0.0/24 --aux-address r=bogus n1
	bad 1 network create --subnet 10.88.0.0/24 --aux-address =10.88.0.5 n1
	bad 1 network create --subnet fd00:88::/64 n1
	bad 1 network create --driver overlay n1
	bad 1 network create --driver '' n1
	bad 1 network create --driver "$LONG" n1

	# network create -o
	local o=com.docker.network
	for g in "$o.bridge.name=0123456789abcdef" "$o.bridge.name=a/b" "$o.bridge.name=a b" \
		"$o.bridge.name=" "$o.bridge.name=.." "$o.bridge.name=$(printf 'a\x01b')" \
		"$o.bridge.enable_icc=maybe" "$o.bridge.enable_icc=" "$o.bridge.enable_ip_masquerade=yes" \
		"$o.bridge.enable_dns=2" "$o.driver.mtu=abc" "$o.driver.mtu=67" "$o.driver.mtu=65536" \
		"$o.driver.mtu=-1" "$o.driver.mtu=1e3" "$o.driver.mtu=" "$o.driver.mtu= 1500" \
		"$o.driver.mtu=99999999999999999999999" "$o.bridge.host_binding_ipv4=::1" \
		"$o.bridge.host_binding_ipv4=999.1.1.1" "$o.bridge.host_binding_ipv4=" \
		"$o.container_iface_prefix=eth0" "$o.container_iface_prefix=" \
		"$o.container_iface_prefix=abcdefghijk" "$o.bogus=1" "$o.=1" "=value" noequals \
		"$LONG=1" "$o.bridge.name=$LONG" $'\xff=\xff'; do
		bad 1 network create -o "$g" n1
	done
	bad 1 network create -o "$o.bridge.name=mynetbr0" -o "$o.bridge.name=${LONG}" n1
	bad 1 network create --label $'\xff=1' n1
	bad 1 network create --label $'k=\xc3\x28' n1
	bad 1 network create --label "$LONG=1" n1

	# names: networks, containers, hostnames, aliases
	for g in "${GARBAGE_NAMES[@]}"; do
		[ "$g" != a ] && bad 1 network create -- "$g" # one letter is a fine network name
		bad 125 run --name "$g" -d -- sleep 1
		[ "$g" != a ] && bad 125 run --hostname "$g" -d -- sleep 1
	done
	bad 125 run --hostname a.b_c -d -- sleep 1
	bad 125 run --network bridge --network bridge -d -- sleep 1
	bad 125 run -p 192.0.2.77:8080:80 -d -- sleep 1 # not an address of the host
	bad 125 run --hostname "$(printf 'h%.0s' $(seq 1 64))" -d -- sleep 1

	# run: networks, addresses, ports, root file systems
	for g in nosuch '' "$LONG" $'\xff' container:web; do
		bad 125 run --network "$g" -d -- sleep 1
	done
	for g in "${GARBAGE_ADDRS[@]}" 10.78.0.5 10.77.0.1 10.77.0.0 10.77.0.255 ::1; do
		bad 125 run --network mynet --ip "$g" -d -- sleep 1
	done
	bad 125 run --network mynet --ip6 fd00::5 -d -- sleep 1
	bad 125 run --network mynet --ip6 10.77.0.9 -d -- sleep 1
	# ("80/" and "80/TCP" are tcp, as in Docker)
	for g in '' abc 0 80000 -1 80/icmp 80/tc 80/udpx ::80x 1.2.3.4.5:80:80 '[::1:80:80' '[::1]80:80' \
		'[zz::]:80:80' 80-70 8000-8010:80-81 0:80 65536:80 '80:80:80:80' '127.0.0.1:80' \
		'300.0.0.1:80:80' '[::1]:80:80' '127.0.0.1::1-65535' "$LONG" $'8\xff0'; do
		bad 125 run -p "$g" -d -- sleep 1
	done
	for g in '' nope 01:00:5e:00:00:01 00:00:00:00:00:00 02:42:ac:11:00 "$LONG"; do
		bad 125 run --mac-address "$g" -d -- sleep 1
	done
	bad 125 run --rootfs /nonexistent -d -- sleep 1
	bad 125 run --rootfs /etc/passwd -d -- sleep 1
	bad 125 run --network none -p 80 -d -- sleep 1
	bad 125 run --network host -p 80 -d -- sleep 1
	bad 125 run --network host --ip 10.0.0.1 -d -- sleep 1

	# port and connect arguments
	for g in 99999 0 abc 80/icmp '' 80/tcp/udp "$LONG"; do
		bad 1 port web "$g"
	done
	for g in "${GARBAGE_ADDRS[@]}" 10.78.0.9 10.77.0.1 10.77.0.2; do
		bad 1 network connect --ip "$g" bridge web
	done
	bad 2 exec -e NOEQUALS web true
}
