# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# bench/peers.bash - how bench/run drives the peers beyond a single attach:
# the CNI chain podman uses, netavark with published ports, and the counts
# (nftables objects, processes) the port, scale and parallel sections report.
# Sourced by bench/run inside its sandbox; uses its W, ERRLOG, CNI_DIR,
# NETAVARK, timed.
#
# The CNI chain is podman's default conflist: bridge (gateway, masquerade,
# host-local IPAM), portmap, firewall, tuning.  A runtime passes each
# plugin's result to the next as prevResult and the final result to every
# DEL; here that is done with bash string operations on files, no jq and no
# subshell, so the time measured is the plugins' own (podman does the same
# work in-process).  Each plugin's netconf is written once per (chain,
# ports) as a file ending just before its closing brace.

# nft_objects: chains + rules + set/map elements in this network namespace
nft_objects() {
	nft -j list ruleset 2>/dev/null | jq '[.nftables[] | if .rule or .chain then 1
		elif (.set or .map) then ((.set // .map).elem // [] | length) else 0 end] | add // 0'
}
# cnm's store holder (cnm-hold) is one per state directory, started and gone
# with idleness (lib/storehold.c), not a process per container or port
nprocs() { ps -e --no-headers -o comm | grep -vcx cnm-hold; }

# chain_conf DIR NAME BRIDGE SUBNET PORTS_JSON: the plugin netconfs into DIR
chain_conf() {
	local d=$1 name=$2 br=$3 subnet=$4 ports=$5 v='"cniVersion":"1.0.0","name":"'$2'"'
	mkdir -p "$d"
	printf '{%s,"type":"bridge","bridge":"%s","isGateway":true,"ipMasq":true,"hairpinMode":true,"ipam":{"type":"host-local","ranges":[[{"subnet":"%s"}]],"routes":[{"dst":"0.0.0.0/0"}],"dataDir":"/run/cni-ipam-%s"}' \
		"$v" "$br" "$subnet" "$name" >"$d/0-bridge"
	printf '{%s,"type":"portmap","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":%s}' \
		"$v" "$ports" >"$d/1-portmap"
	printf '{%s,"type":"firewall","backend":"iptables"' "$v" >"$d/2-firewall"
	printf '{%s,"type":"tuning"' "$v" >"$d/3-tuning"
}

# cni_chain ADD|DEL ID NETNS_PATH CONFDIR: run the chain, keep the result in
# $W/cnires/ID for the DEL.  Returns the first failing plugin's status.
# TMO=SECONDS puts each plugin under timeout; CNI_WRAP=(nsenter ...) runs the
# plugins in another "host" namespace (the data plane's).
CNI_WRAP=()
cni_chain() {
	local cmd=$1 id=$2 ns=$3 d=$4 f k files=() conf res
	res=$W/cnires/$id
	mkdir -p "$W/cnires"
	files=("$d"/*)
	[ "$cmd" = ADD ] && rm -f "$res"
	if [ "$cmd" = DEL ]; then
		local rev=()
		for ((k = ${#files[@]} - 1; k >= 0; k--)); do rev+=("${files[$k]}"); done
		files=("${rev[@]}")
	fi
	for f in "${files[@]}"; do
		conf=$(<"$f")
		if [ -s "$res" ]; then
			conf+=",\"prevResult\":$(<"$res")}"
		else
			conf+="}"
		fi
		# shellcheck disable=SC2086
		CNI_COMMAND=$cmd CNI_CONTAINERID=$id CNI_NETNS=$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_DIR \
			${TMO:+timeout $TMO} "${CNI_WRAP[@]}" "$CNI_DIR/${f##*-}" <<<"$conf" >"$res.out" || return

		[ "$cmd" = ADD ] && mv "$res.out" "$res"
	done
	[ "$cmd" = DEL ] && rm -f "$res" "$res.out"
	return 0
}

# nv_ports_opts K ADDR MODE N: netavark options with N ports from 10000, as
# one range entry (MODE=range, what podman sends for -p A-B:A-B) or one
# entry per port (MODE=each)
nv_ports_opts() {
	local pm
	if [ "$4" = 0 ]; then
		pm='[]'
	elif [ "$3" = range ]; then
		pm='[{"host_ip":"","container_port":10000,"host_port":10000,"range":'$4',"protocol":"tcp"}]'
	else
		pm=$(seq 10000 $((10000 + $4 - 1)) | awk 'BEGIN { printf "[" } { if (NR > 1) printf ","
			printf "{\"host_ip\":\"\",\"container_port\":%d,\"host_port\":%d,\"range\":1,\"protocol\":\"tcp\"}", $1, $1 }
			END { printf "]" }')
	fi
	nv_opts "$1" "$2" | sed "s/^{/{\"port_mappings\":$pm,/"
}

# portmap_json N: CNI runtimeConfig.portMappings, one entry per port (podman
# expands ranges)
portmap_json() {
	[ "$1" = 0 ] && { echo '[]'; return; }
	seq 10000 $((10000 + $1 - 1)) | awk 'BEGIN { printf "[" } { if (NR > 1) printf ","
		printf "{\"hostPort\":%d,\"containerPort\":%d,\"protocol\":\"tcp\"}", $1, $1 } END { print "]" }'
}

# port_spec N: cnm's / Docker's -p for N ports from 10000
port_spec() {
	if [ "$1" = 1 ]; then echo 10000:10000; else echo "10000-$((10000 + $1 - 1)):10000-$((10000 + $1 - 1))"; fi
}
