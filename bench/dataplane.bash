# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# bench/dataplane.bash - iperf3 TCP throughput through each tool's rules,
# against the same path with no rules.  Sourced by bench/run inside its
# sandbox, after bench/peers.bash and bench/sections.bash.
#
# Each tool gets a "host" network namespace of its own (dpplain, dpcnm,
# dpcni, dpnv), so that only its own rules are loaded on the path: the
# sandbox's namespace carries every tool's leftovers.  Each host has an
# "external" namespace (HOST-x) behind a veth pair, 198.51.100.1 on the host
# and 198.51.100.2 there, running an iperf3 server; the external side has no
# route back to the containers, so only masquerade gets replies home.
#   plain: a bridge with two namespaces on it and no rules at all.  Its NAT
#          path is measured twice: routed (the external side gets a route
#          back: no NAT, no rules) and through one bare nft masquerade rule
#          the bench loads for that run only.
#   cnm:   two `cnm run -d` containers on cnm0 (CNM_STATE_DIR of its own).
#   cni:   podman's CNI chain (bridge with ipMasq, portmap, firewall, tuning).
#   nv:    netavark, static addresses.
#   docker: a dockerd of its own started inside dpdocker (nsenter --net; the
#          sandbox's mount namespace, data and exec roots under /run), so
#          its bridge, veths and iptables rules are made there; two
#          `docker run -d` containers on its default bridge.  It runs for
#          the whole section, idle while the other paths are measured.
# iperf3 runs in the containers' network namespaces (nsenter), so no tool's
# image matters.  Repetitions are interleaved: each round runs every path
# once, in an order that rotates, so drift and the neighbours' load spread
# over all paths alike.  Samples are Mbit/s as the receiver counted them.

DP_REPS=${BENCH_DP_ROUNDS:-3}
DP_SECS=10
DPNS=(plain cnm)

nsx() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }

# dp_host NAME: host namespace dpNAME and its external side dpNAME-x
dp_host() {
	local h=dp$1
	ip netns add "$h"
	ip netns add "$h-x"
	ip link add up0 netns "$h" type veth peer name eth0 netns "$h-x"
	ip -n "$h" addr add 198.51.100.1/24 dev up0
	ip -n "$h-x" addr add 198.51.100.2/24 dev eth0
	ip -n "$h" link set lo up
	ip -n "$h" link set up0 up
	ip -n "$h-x" link set lo up
	ip -n "$h-x" link set eth0 up
	nsx "$h" sysctl -qw net.ipv4.ip_forward=1
	nsx "$h-x" iperf3 -s -D -I "$W/iperf-$h-x.pid" >/dev/null 2>>"$ERRLOG"
}

# dp_plain_ns NAME ADDR: a namespace on dpplain's bridge brp
dp_plain_ns() {
	ip netns add "$1"
	ip link add "v$1" netns dpplain type veth peer name eth0 netns "$1"
	ip -n dpplain link set "v$1" master brp up
	ip -n "$1" addr add "$2/24" dev eth0
	ip -n "$1" link set lo up
	ip -n "$1" link set eth0 up
	ip -n "$1" route add default via 10.99.0.1
}

dp_cnm() { nsx dpcnm env CNM_STATE_DIR="$DP_STATE" CNM_RUN_DIR=/run/cnm-dp "$CNM" "$@"; }

# Docker's own dockerd for this section, inside dpdocker
DKDP=/run/docker-dp
dpd() { docker -H "unix://$DKDP/docker.sock" "$@"; }
dp_docker_start() {
	local k
	if ! mountpoint -q /etc/docker && ! mount -t tmpfs tmpfs /etc/docker; then
		DP_WHY[docker]="cannot put a private tmpfs on /etc/docker"
		return 1
	fi
	mkdir -p "$DKDP/data" "$DKDP/exec" "$DKDP/rootfs/bin"
	nsx dpdocker dockerd --data-root "$DKDP/data" --exec-root "$DKDP/exec" --pidfile "$DKDP/dockerd.pid" \
		-H "unix://$DKDP/docker.sock" --bip 172.30.0.1/16 --cgroup-parent cnm-bench-dp \
		--log-level warn >"$DKDP/log" 2>&1 &
	for ((k = 0; k < 300; k++)); do
		dpd version >/dev/null 2>&1 && break
		sleep 0.05
	done
	if ! dpd version >/dev/null 2>&1; then
		DP_WHY[docker]="dockerd did not start in dpdocker: $(tail -n 1 "$DKDP/log")"
		return 1
	fi
	[ -n "${DK_VERSION:-}" ] || DK_VERSION=$(dpd version --format '{{.Server.Version}}' 2>/dev/null)
	cp /bin/busybox "$DKDP/rootfs/bin/"
	ln -sf busybox "$DKDP/rootfs/bin/sleep"
	if ! tar -C "$DKDP/rootfs" -c . | dpd import - cnm-bench:latest >/dev/null 2>>"$ERRLOG"; then
		DP_WHY[docker]="docker import failed in dpdocker: $(tail -n 1 "$ERRLOG")"
		return 1
	fi
}
dp_docker_stop() {
	local k ids
	[ -s "$DKDP/dockerd.pid" ] || return 0
	ids=$(dpd ps -aq 2>/dev/null)
	# shellcheck disable=SC2086
	[ -n "$ids" ] && dpd rm -f $ids >/dev/null 2>&1
	kill "$(<"$DKDP/dockerd.pid")" 2>/dev/null
	for ((k = 0; k < 200; k++)); do
		[ -e "$DKDP/dockerd.pid" ] || break
		sleep 0.05
	done
	rmdir /sys/fs/cgroup/*/cnm-bench-dp 2>/dev/null
	return 0
}

dp_setup() {
	local pid
	dp_host plain
	ip -n dpplain link add brp type bridge
	ip -n dpplain addr add 10.99.0.1/24 dev brp
	ip -n dpplain link set brp up
	dp_plain_ns dppa 10.99.0.2
	dp_plain_ns dppb 10.99.0.3
	nsx dppb iperf3 -s -D -I "$W/iperf-dppb.pid" >/dev/null 2>>"$ERRLOG"
	DP_CLIENT[plain]=/run/netns/dppa DP_PEER[plain]=10.99.0.3

	dp_host cnm
	DP_STATE=$(mktemp -d /tmp/cnm-bench-dp.XXXXXX)
	dp_cnm run -d --name dpa -- sleep 36000 >/dev/null 2>>"$ERRLOG" &&
		dp_cnm run -d --name dpb -- sleep 36000 >/dev/null 2>>"$ERRLOG"
	RC=$?
	cnm_must "cnm run -d (data plane containers)"
	pid=$(dp_cnm inspect dpb | jq -r '.[0].State.Pid')
	nsenter --net="/proc/$pid/ns/net" iperf3 -s -D -I "$W/iperf-dpb.pid" >/dev/null 2>>"$ERRLOG"
	DP_PEER[cnm]=$(dp_cnm inspect dpb | jq -r '.[0].NetworkSettings.IPAddress')
	DP_CLIENT[cnm]=/proc/$(dp_cnm inspect dpa | jq -r '.[0].State.Pid')/ns/net
	# cnm's tables as cnm made them, to put back after the runs without them
	nsx dpcnm nft list table inet cnm >"$W/dp-inet.nft" 2>>"$ERRLOG"
	nsx dpcnm nft list table bridge cnm >"$W/dp-bridge.nft" 2>>"$ERRLOG"

	if [ "$CNI_OK" = 1 ]; then
		dp_host cni
		chain_conf "$W/chain-dp" cnibench-dp cni0 10.88.0.0/16 '[]'
		ip netns add dpca
		ip netns add dpcb
		CNI_WRAP=(nsenter --net=/run/netns/dpcni)
		if cni_chain ADD dpca /run/netns/dpca "$W/chain-dp" && cni_chain ADD dpcb /run/netns/dpcb "$W/chain-dp"; then
			nsx dpcb iperf3 -s -D -I "$W/iperf-dpcb.pid" >/dev/null 2>>"$ERRLOG"
			DP_PEER[cni]=$(jq -r '.ips[0].address' "$W/cnires/dpcb")
			DP_PEER[cni]=${DP_PEER[cni]%/*}
			DP_CLIENT[cni]=/run/netns/dpca
			DPNS+=(cni)
		else
			DP_WHY[cni]="CNI chain ADD failed: $(tail -n 1 "$ERRLOG")"
		fi
		CNI_WRAP=()
	fi
	if [ "$NV_OK" = 1 ]; then
		dp_host nv
		mkdir -p /run/netavark-dp
		ip netns add dpva
		ip netns add dpvb
		nv_opts 800001 10.89.0.2 >"$W/dpva.json"
		nv_opts 800002 10.89.0.3 >"$W/dpvb.json"
		if nsx dpnv "$NETAVARK" --config /run/netavark-dp setup /run/netns/dpva <"$W/dpva.json" >/dev/null 2>>"$ERRLOG" &&
			nsx dpnv "$NETAVARK" --config /run/netavark-dp setup /run/netns/dpvb <"$W/dpvb.json" >/dev/null 2>>"$ERRLOG"; then
			nsx dpvb iperf3 -s -D -I "$W/iperf-dpvb.pid" >/dev/null 2>>"$ERRLOG"
			DP_PEER[nv]=10.89.0.3 DP_CLIENT[nv]=/run/netns/dpva
			DPNS+=(nv)
		else
			DP_WHY[nv]="netavark setup failed: $(tail -n 1 "$ERRLOG")"
		fi
	fi
	if [ "$DK_OK" = 1 ]; then
		dp_host docker
		if dp_docker_start; then
			if dpd run -d --name dpda cnm-bench:latest sleep 36000 >/dev/null 2>>"$ERRLOG" &&
				dpd run -d --name dpdb cnm-bench:latest sleep 36000 >/dev/null 2>>"$ERRLOG"; then
				pid=$(dpd inspect -f '{{.State.Pid}}' dpdb)
				nsenter --net="/proc/$pid/ns/net" iperf3 -s -D -I "$W/iperf-dpdb.pid" >/dev/null 2>>"$ERRLOG"
				DP_PEER[docker]=$(dpd inspect -f '{{.NetworkSettings.IPAddress}}' dpdb)
				DP_CLIENT[docker]=/proc/$(dpd inspect -f '{{.State.Pid}}' dpda)/ns/net
				DPNS+=(docker)
			else
				DP_WHY[docker]="docker run failed in dpdocker: $(tail -n 1 "$ERRLOG")"
			fi
		fi
	fi
}

# dp_iperf KEY NETNS_PATH ADDR: one run, its Mbit/s recorded under KEY
dp_iperf() {
	local mbps
	UNIT[$1]=mbps
	if ! nsenter --net="$2" iperf3 -c "$3" -t "$DP_SECS" -J >"$W/iperf.json" 2>>"$ERRLOG"; then
		echo "bench: warning: iperf3 to $3 for $1 failed: $(jq -r '.error // empty' "$W/iperf.json" 2>/dev/null)" >&2
		return
	fi
	mbps=$(jq '.end.sum_received.bits_per_second / 1000000 | floor' "$W/iperf.json")
	record "$1" "$mbps"
}

# dp_bare [masq]: cnm's own containers without cnm's tables (with MASQ, one
# bare masquerade rule instead, or nothing would come back): the issue's
# "same path without cnm's table"; dp_restore puts the tables back.
dp_bare() {
	nsx dpcnm nft delete table inet cnm
	nsx dpcnm nft delete table bridge cnm
	[ "${1:-}" = masq ] || return 0
	nsx dpcnm nft -f - <<'EOF'
table ip benchmasq {
	chain post { type nat hook postrouting priority srcnat; oifname "up0" masquerade; }
}
EOF
}
dp_restore() {
	nsx dpcnm nft delete table ip benchmasq 2>/dev/null
	nsx dpcnm nft -f "$W/dp-bridge.nft" && nsx dpcnm nft -f "$W/dp-inet.nft" ||
		echo "bench: warning: cannot restore cnm's tables in dpcnm" >&2
}

dp_path() { # dp_path PATH: PATH is c2c:TOOL or nat:TOOL (nat:routed, nat:masq for plain)
	local kind=${1%%:*} tool=${1#*:}
	if [ "$1" = c2c:cnmbare ]; then
		dp_bare
		dp_iperf dp_c2c_cnmbare "${DP_CLIENT[cnm]}" "${DP_PEER[cnm]}"
		dp_restore
		return
	fi
	if [ "$1" = nat:cnmmasq ]; then
		dp_bare masq
		dp_iperf dp_nat_cnmmasq "${DP_CLIENT[cnm]}" 198.51.100.2
		dp_restore
		return
	fi
	if [ "$1" = c2c:cnmnobr ] || [ "$1" = c2c:cnmbarenobr ]; then
		# the same two paths on a host where nothing turned br_netfilter on
		# (cnm never does): bridged frames skip the IP hooks
		nsx dpcnm sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0
		[ "$tool" = cnmbarenobr ] && dp_bare
		dp_iperf "dp_c2c_$tool" "${DP_CLIENT[cnm]}" "${DP_PEER[cnm]}"
		[ "$tool" = cnmbarenobr ] && dp_restore
		nsx dpcnm sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1
		return
	fi
	if [ "$kind" = c2c ]; then
		dp_iperf "dp_c2c_$tool" "${DP_CLIENT[$tool]}" "${DP_PEER[$tool]}"
		return
	fi
	case $tool in
	routed)
		ip -n dpplain-x route add 10.99.0.0/24 via 198.51.100.1
		dp_iperf dp_nat_routed "${DP_CLIENT[plain]}" 198.51.100.2
		ip -n dpplain-x route del 10.99.0.0/24 via 198.51.100.1 ;;
	masq)
		nsx dpplain nft -f - <<'EOF'
table ip benchmasq {
	chain post { type nat hook postrouting priority srcnat; oifname "up0" masquerade; }
}
EOF
		dp_iperf dp_nat_masq "${DP_CLIENT[plain]}" 198.51.100.2
		nsx dpplain nft delete table ip benchmasq ;;
	*)
		dp_iperf "dp_nat_$tool" "${DP_CLIENT[$tool]}" 198.51.100.2 ;;
	esac
}

bench_dataplane() {
	local r k paths=() order=() np t0=$SECONDS
	declare -gA DP_CLIENT DP_PEER DP_WHY
	[ "$QUICK" = 1 ] && DP_SECS=2 DP_REPS=2
	if ! command -v iperf3 >/dev/null; then
		NOTRUN[dp_c2c_plain]="iperf3 is not installed"
		return
	fi
	dp_setup
	paths=(c2c:plain c2c:cnm c2c:cnmbare nat:routed nat:masq nat:cnm nat:cnmmasq)
	if [ "$(nsx dpcnm cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" = 1 ]; then
		paths+=(c2c:cnmnobr c2c:cnmbarenobr)
	else
		NOTRUN[dp_c2c_cnmnobr]="br_netfilter is off here: the c2c rows above are already without it"
	fi
	for k in "${DPNS[@]:2}"; do paths+=("c2c:$k" "nat:$k"); done
	np=${#paths[@]}
	echo "bench: data plane, iperf3 TCP ${DP_SECS} s x $DP_REPS rounds of ${np} paths (~$((DP_SECS * DP_REPS * np + DP_REPS * np)) s)..."
	for ((r = 0; r < DP_REPS; r++)); do
		order=()
		for ((k = 0; k < np; k++)); do order+=("${paths[$(((k + r * 3) % np))]}"); done
		for k in "${order[@]}"; do dp_path "$k"; done
	done
	for k in cni nv docker; do
		[ -n "${DP_WHY[$k]:-}" ] && NOTRUN[dp_c2c_$k]=${DP_WHY[$k]} NOTRUN[dp_nat_$k]=${DP_WHY[$k]}
	done
	dp_teardown
	section_done dataplane "$t0"
}

dp_teardown() {
	local f
	for f in "$W"/iperf-*.pid; do [ -s "$f" ] && kill "$(<"$f")" 2>/dev/null; done
	dp_cnm rm -f dpa dpb >/dev/null 2>>"$ERRLOG"
	rm -rf "$DP_STATE"
	dp_docker_stop
	for f in dpplain dpplain-x dppa dppb dpcnm dpcnm-x dpcni dpcni-x dpca dpcb dpnv dpnv-x dpva dpvb dpdocker dpdocker-x; do
		[ -e "/run/netns/$f" ] && ip netns del "$f"
	done
}
