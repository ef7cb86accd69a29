#!/usr/bin/env bats
# A real runtime drives cnm as its CNI plugin: Podman 4.3 (Debian) with its
# CNI backend, a conflist whose only plugin is cnm, cnm's own IPAM and
# runtimeConfig.portMappings.  Everything Podman owns is private to this
# sandbox: its configuration (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF),
# storage and run state under /run, tmpfs over /var/lib (Podman writes a
# cache there whatever its graph root) and /dev/shm.  The image is a static
# busybox imported from a tar, so no registry is needed.
# See /work/shared/notes/peers-in-a-sandbox.md for why each setting is here.

load helpers

P=/run/podman
DATA=$P/cnm		# cnm's store: the conflist's ipam.dataDir

setup_file() {
	command -v podman >/dev/null && command -v crun >/dev/null ||
		{ echo "podman and crun are needed (scripts/deps.sh installs them)" >&2; return 1; }
	# crun refuses the hybrid cgroup layout; this mount namespace is the
	# sandbox's own, so the machine keeps its unified hierarchy
	! mountpoint -q /sys/fs/cgroup/unified || umount /sys/fs/cgroup/unified
	mount -t tmpfs tmpfs /var/lib
	mount -t tmpfs tmpfs /dev/shm
	mkdir -p $P/plugins $P/net.d $P/rootfs/bin $P/rootfs/www/cgi-bin $DATA
	ln -s "$CNM" $P/plugins/cnm
	# containers run without cgroups (nothing left in the machine's
	# hierarchy) and with limits root may set here (Podman's default
	# nofile/nproc are above the hard limits)
	cat >$P/containers.conf <<-EOF
	[containers]
	cgroups = "disabled"
	default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=$(ulimit -Hu):$(ulimit -Hu)"]
	[engine]
	runtime = "crun"
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	events_logfile_path = "$P/events.log"
	tmp_dir = "$P/tmp"
	[network]
	network_backend = "cni"
	cni_plugin_dirs = ["$P/plugins"]
	network_config_dir = "$P/net.d"
	EOF
	cat >$P/storage.conf <<-EOF
	[storage]
	driver = "vfs"
	graphroot = "$P/graph"
	runroot = "$P/run"
	EOF
	# the conflist of the README: one plugin, cnm.  "ips" is declared
	# because Podman 4.3, given a static address (--ip, and every network
	# reload), overwrites the first plugin's capabilities with {"ips": true}
	# unless it has that one already, and portMappings would then be lost.
	jq -n --arg d "$DATA" '{cniVersion: "0.4.0", name: "cnmnet", plugins: [{
		type: "cnm", bridge: "cnm-podman0", isGateway: true, ipMasq: true,
		ipam: {type: "cnm", dataDir: $d, ranges: [[{subnet: "10.99.0.0/24"}]],
		       routes: [{dst: "0.0.0.0/0"}]},
		capabilities: {portMappings: true, ips: true}}]}' >$P/net.d/cnmnet.conflist
	# a busybox image; /www/cgi-bin/peer answers with the client's address
	cp "$(command -v busybox)" $P/rootfs/bin/busybox
	for a in sh sleep ping httpd ip; do ln -s busybox $P/rootfs/bin/$a; done
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\npeer=%%s\\n" "$REMOTE_ADDR"\n' \
		>$P/rootfs/www/cgi-bin/peer
	chmod +x $P/rootfs/www/cgi-bin/peer
	tar -C $P/rootfs -cf $P/rootfs.tar .
	export CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf
	pm import $P/rootfs.tar localhost/bb >/dev/null
	external_host 198.51.100.1/24 198.51.100.2/24
}

teardown() {
	pm rm -af -t 0 >/dev/null
	wait_until 10 no_attachments
}

# podman, detached from bats' descriptors (conmon outlives the command)
pm() { podman "$@" </dev/null 3>&-; }

ip_of() { pm inspect "$1" | jq -r '.[0].NetworkSettings.Networks.cnmnet.IPAddress'; }
mac_of() { pm inspect "$1" | jq -r '.[0].NetworkSettings.Networks.cnmnet.MacAddress'; }
sleeper() { pm run -d --name "$1" --network cnmnet localhost/bb sleep 3600 >/dev/null; }
web() { # web NAME [run options...]: busybox httpd on tcp/80
	local name=$1; shift
	pm run -d --name "$name" --network cnmnet "$@" localhost/bb httpd -f -p 80 -h /www >/dev/null
}
# get HOST:PORT [NETNS]: the client's address as the cgi saw it (httpd
# listens on IPv6 and gives IPv4 clients as [::ffff:A]), from the sandbox
# host or NETNS
get() {
	local ns=(); [ -n "${2:-}" ] && ns=(ip netns exec "$2")
	"${ns[@]}" socat -T2 - "TCP:$1" <<<$'GET /cgi-bin/peer HTTP/1.0\r\n\r' | peer
}
peer() { tr -d '\r' | sed -n 's/^peer=\[::ffff:\(.*\)\]$/\1/p'; }
no_attachments() { [ "$(veth_count)" = 0 ]; }
answers() { [ -n "$(get "$@")" ]; }
endpoints() { sqlite3 "$DATA/cnm.db" 'SELECT count(*) FROM endpoints'; }
elements() { nft -j list ruleset | jq -r '.nftables[] | select(.set or .map) | .[] |
	select(.table == "cnm") | .elem // [] | .[] | tostring'; }

@test "two containers on a cnm network get addresses from cnm and ping each other" {
	sleeper c1
	sleeper c2
	a1=$(ip_of c1) a2=$(ip_of c2)
	[[ $a1 == 10.99.0.* ]] && [[ $a2 == 10.99.0.* ]] && [ "$a1" != "$a2" ]
	[ "$(pm inspect c1 | jq -r '.[0].NetworkSettings.Networks.cnmnet.Gateway')" = 10.99.0.1 ]
	pm exec c1 ping -c1 -W2 "$a2"
	pm exec c2 ping -c1 -W2 "$a1"
	pm exec c1 ip route | grep -q '^default via 10.99.0.1'
	# cnm's store holds both attachments, under Podman's container ids
	[ "$(endpoints)" = 2 ]
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT name FROM containers ORDER BY name')" = \
	  "$(pm inspect -f '{{.Id}}' c1 c2 | sort)" ]
}

@test "a published port answers from outside, from the host and from another container" {
	web web -p 8080:80 -p 9000-9001:9000-9001/udp
	sleeper c1
	wait_until 5 answers "$(ip_of web):80"
	[ "$(get 198.51.100.1:8080 ext)" = 198.51.100.2 ]	# the client keeps its address
	[ "$(get 198.51.100.1:8080)" = 198.51.100.1 ]
	[ "$(get 127.0.0.1:8080)" = 10.99.0.1 ]
	# hairpin: a container on the same bridge, through the host's address
	[ "$(pm exec c1 sh -c "printf 'GET /cgi-bin/peer HTTP/1.0\r\n\r\n' |
		nc -w2 198.51.100.1 8080" | peer)" = 10.99.0.1 ]
	# Podman sends one portMappings entry per port of a range
	id=$(pm inspect -f '{{.Id}}' web)
	[ "$(elements | grep -c "container $id")" = 3 ]
	nft list map inet cnm ports4 | grep -q "udp . 9001 comment \"container $id\" : $(ip_of web) . 9001"
	pm port web | grep -qx "80/tcp -> 0.0.0.0:8080"
}

@test "podman network reload keeps the address, the MAC, the published port and connectivity" {
	web web -p 8080:80
	sleeper c1
	before=$(ip_of web)/$(mac_of web)
	wait_until 5 answers 198.51.100.1:8080 ext
	# conmon holds 8080 open on the host: cnm must not count that as taken
	ss -Hltnp 'sport = :8080' | grep -q conmon
	pm network reload web
	[ "$(ip_of web)/$(mac_of web)" = "$before" ]
	pm exec web ip addr show eth0 | grep -q "inet $(ip_of web)/24"
	pm exec c1 ping -c1 -W2 "$(ip_of web)"
	[ "$(get 198.51.100.1:8080 ext)" = 198.51.100.2 ]
	[ "$(endpoints)" = 2 ]
	[ "$(veth_count)" = 2 ]
	pm network reload --all >/dev/null
	[ "$(ip_of web)/$(mac_of web)" = "$before" ]
	[ "$(get 198.51.100.1:8080 ext)" = 198.51.100.2 ]
}

@test "--ip and --mac-address reach cnm (CNI_ARGS), with a published port beside them" {
	web web --ip 10.99.0.50 --mac-address 02:00:00:00:00:50 -p 8080:80
	[ "$(ip_of web)/$(mac_of web)" = 10.99.0.50/02:00:00:00:00:50 ]
	pm exec web ip link show eth0 | grep -q 02:00:00:00:00:50
	wait_until 5 answers 198.51.100.1:8080 ext
	[ "$(get 198.51.100.1:8080 ext)" = 198.51.100.2 ]
	# a taken address: Podman reports cnm's error, and its clean-up DEL
	# leaves the holder alone
	run -126 pm run -d --name c2 --network cnmnet --ip 10.99.0.50 localhost/bb sleep 3600
	[[ $output == *"10.99.0.50 is taken on network cnmnet"* ]]
	[ "$(veth_count)" = 1 ]
	[ "$(endpoints)" = 1 ]
	[ "$(get 198.51.100.1:8080 ext)" = 198.51.100.2 ]
}

@test "stop and rm leave no veth, no nftables element and no endpoint in cnm's store" {
	web web -p 8080:80
	sleeper c1
	[ "$(veth_count)" = 2 ]
	pm stop -t 0 web c1 >/dev/null
	wait_until 10 no_attachments
	[ "$(endpoints)" = 0 ]
	[ -z "$(elements | grep 'container ')" ]
	[ -z "$(get 198.51.100.1:8080 ext 2>/dev/null)" ]
	# start again: the same network, a working port
	pm start web >/dev/null
	wait_until 5 answers 198.51.100.1:8080 ext
	pm rm -f -t 0 web c1 >/dev/null
	wait_until 10 no_attachments
	[ "$(endpoints)" = 0 ]
	[ "$(sqlite3 "$DATA/cnm.db" 'SELECT count(*) FROM containers')" = 0 ]
	[ -z "$(elements | grep 'container ')" ]
	[ -z "$(nft -j list map inet cnm ports4 | jq -c '.nftables[1].map.elem // empty')" ]
	[ -z "$(pm ps -aq)" ]
	[ -z "$(ls /run/netns | grep -v '^ext$')" ]
}
