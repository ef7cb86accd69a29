#!/usr/bin/env bats
# Containers: namespaces, drivers, life cycle, inspect, errors.

load helpers

setup() { cleanup_containers; }
teardown() { cleanup_containers; }

@test "a container has its own uts, ipc, pid and mount namespaces and /etc files" {
	cnm run -d --name ns1 --hostname web1 -- sleep 3600
	pid=$(inspect_field ns1 State.Pid)
	for ns in net uts ipc pid mnt; do
		[ "$(readlink /proc/$pid/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ]
	done
	[ "$(cnm exec ns1 hostname)" = web1 ]
	[ "$(cnm exec ns1 cat /etc/hostname)" = web1 ]
	run cnm exec ns1 cat /etc/hosts
	[[ "$output" =~ 172.17.0.2[[:space:]]web1\ ns1 ]]
	[ "$(cnm exec ns1 cat /etc/resolv.conf)" = "$(cat /etc/resolv.conf)" ]
	# pid 1 inside is the command
	[ "$(cnm exec ns1 cat /proc/1/comm)" = sleep ]
	# the host's /etc/hosts is untouched
	run grep -c web1 /etc/hosts
	[ "$output" = 0 ]
	# a dotted hostname, as Docker takes it
	[ "$(cnm run --rm --hostname db.example.com -- hostname)" = db.example.com ]
}

@test "run -e sets the command's environment, not cnm's; -i and -t are taken" {
	export KEEP=kept
	[ "$(cnm run --rm -it -e FOO=bar -e KEEP -e EMPTY= -- sh -c 'echo "$FOO $KEEP [$EMPTY]"')" = "bar kept []" ]
	# cnm itself still uses its own state directory
	[ "$(cnm run --rm -e CNM_STATE_DIR=/nonexistent -- sh -c 'echo $CNM_STATE_DIR')" = /nonexistent ]
	cnm run -d --name envd -e MODE=detached -e KEEP -e UNSET_HERE -- sleep 3600 >/dev/null
	[ "$(cnm exec envd sh -c 'tr "\0" "\n" </proc/1/environ | grep ^MODE=')" = MODE=detached ]
	# inspect shows what -e gave; KEY alone is the caller's value, or nothing
	[ "$(cnm inspect -f '{{json .Config.Env}}' envd)" = '["MODE=detached","KEEP=kept"]' ]
	[ "$(cnm ps --format '{{.Names}}')" = envd ]
	run -125 cnm run --rm -e =x -- true
	[ "$output" = "cnm: invalid environment variable: =x" ]
}

@test "run --env-file reads Docker's format; -e wins; a bad file is refused and nothing starts" {
	export FROMHOST=host
	printf '# settings\n\nA=1\n  B=two words \nFROMHOST\nNOTSET_ANYWHERE\nC=from-file\n' >"$BATS_TEST_TMPDIR/a.env"
	cnm run -d --name envf --env-file "$BATS_TEST_TMPDIR/a.env" -e C=from-flag -- sleep 3600 >/dev/null
	[ "$(cnm exec envf sh -c 'tr "\0" "\n" </proc/1/environ | grep -E "^(A|B|C|FROMHOST)=" | sort')" = \
	  "$(printf 'A=1\nB=two words \nC=from-flag\nFROMHOST=host')" ]
	[ "$(cnm inspect -f '{{json .Config.Env}}' envf)" = \
	  '["A=1","B=two words ","FROMHOST=host","C=from-file","C=from-flag"]' ]
	# a pipe is a file too
	[ "$(cnm run --rm --env-file <(echo P=piped) -- sh -c 'echo $P')" = piped ]
	before=$(cnm ps -aq | wc -l)
	run -125 cnm run --rm --env-file "$BATS_TEST_TMPDIR/missing.env" -- true
	[ "$output" = "cnm: open $BATS_TEST_TMPDIR/missing.env: No such file or directory" ]
	printf 'OK=1\nBAD KEY=1\n' >"$BATS_TEST_TMPDIR/b.env"
	run -125 cnm run --rm --env-file "$BATS_TEST_TMPDIR/b.env" -- true
	[ "$output" = "cnm: poorly formatted environment: variable 'BAD KEY' contains whitespaces" ]
	run -125 cnm run --rm --env-file "$BATS_TEST_TMPDIR" -- true
	[[ "$output" == "cnm: read $BATS_TEST_TMPDIR: Is a directory" ]]
	[ "$(cnm ps -aq | wc -l)" = "$before" ]
}

@test "a container does not receive the network namespaces of containers started after it" {
	# the netns directory is a shared mount: without detaching it in each
	# container, every later container's namespace mount would propagate into
	# every running one (a cost growing with the number of containers)
	cnm run -d --name mnt1 -- sleep 3600
	cnm run -d --name mnt2 -- sleep 3600
	pid=$(inspect_field mnt1 State.Pid)
	run grep -c nsfs "/proc/$pid/mountinfo"
	[ "$output" = 0 ]
	# the host still has both
	[ "$(grep -c nsfs /proc/self/mountinfo)" -ge 2 ]
}

@test "containers copy a template mount namespace: no namespace mounts in it, and host mounts made later still reach new containers" {
	cnm run -d --name tp1 -- sleep 3600
	# pinned under the run directory, a mount namespace of its own
	run stat -f -c %T "$CNM_RUN_DIR/mnt/template"
	[ "$output" = nsfs ]
	pid=$(inspect_field tp1 State.Pid)
	[ "$(grep -c nsfs "/proc/$pid/mountinfo")" = 0 ]
	# a filesystem mounted on the host after the template was made
	mkdir -p "$BATS_TEST_TMPDIR/late"
	mount -t tmpfs tmpfs "$BATS_TEST_TMPDIR/late"
	echo here >"$BATS_TEST_TMPDIR/late/file"
	cnm run -d --name tp2 -- sleep 3600
	[ "$(cnm exec tp2 cat "$BATS_TEST_TMPDIR/late/file")" = here ]
	[ "$(grep -c nsfs "/proc/$(inspect_field tp2 State.Pid)/mountinfo")" = 0 ]
	cnm rm -f tp1 tp2
	umount "$BATS_TEST_TMPDIR/late"
}

@test "after iproute2 made the netns directory inside a shared /run, containers still get no namespace mounts" {
	# `ip netns add` binds /run/netns inside /run's peer group: every
	# namespace is then mounted twice, and /run passes new ones on
	run unshare --mount --propagation private -- sh -c '
		mount -t tmpfs tmpfs /run && mount --make-rshared / || exit 1
		ip netns add pre || exit 1
		export CNM_RUN_DIR=/run/cnm
		cnm run -d --name ip1 -- sleep 3600 && cnm run -d --name ip2 -- sleep 3600 || exit 1
		pid=$(cnm inspect ip1 | jq -r ".[0].State.Pid")
		cnm run -d --name ip3 -- sleep 3600 || exit 1
		n=$(grep -c nsfs /proc/$pid/mountinfo)
		cnm rm -f ip1 ip2 ip3 >/dev/null
		ip netns del pre
		[ "$n" = 0 ] || { echo "$n namespace mounts in ip1"; exit 1; }'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "where mounts do not propagate, a container copies the host's mount namespace instead" {
	# a template there would miss filesystems mounted after it was made
	run unshare --mount --propagation private -- sh -c '
		export CNM_RUN_DIR=/run/cnm-private
		cnm run -d --name pv1 -- sleep 3600 || exit 1
		[ ! -e /run/cnm-private/mnt/template ] || { echo "a template was made"; exit 1; }
		pid=$(cnm inspect pv1 | jq -r ".[0].State.Pid")
		[ "$(grep -c nsfs /proc/$pid/mountinfo)" = 0 ] || { echo "namespace mounts in the container"; exit 1; }
		cnm exec pv1 ip -o -4 addr show dev eth0 | grep -q 172.17. || exit 1
		cnm rm -f pv1'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "--network none has only lo, up" {
	cnm run -d --name n0 --network none -- sleep 3600
	run ip netns exec n0 ip -o link
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ lo:\ \<LOOPBACK,UP ]]
	[ "$(inspect_field n0 NetworkSettings.IPAddress)" = "" ]
	[ "$(inspect_field n0 HostConfig.NetworkMode)" = none ]
	[ "$(veth_count)" -eq 0 ]
	cnm exec n0 ping -c1 -W1 127.0.0.1
}

@test "--network host shares the host's network namespace" {
	ip link add hostmark0 type veth peer name hostmark1
	cnm run -d --name h0 --network host -- sleep 3600
	pid=$(inspect_field h0 State.Pid)
	[ "$(readlink /proc/$pid/ns/net)" = "$(readlink /proc/self/ns/net)" ]
	cnm exec h0 ip link show hostmark0
	[ -z "$(ip netns list)" ]
	ip link del hostmark0
}

@test "--ip picks the address; taken and out-of-subnet addresses are refused" {
	cnm run -d --name ip1 --ip 172.17.5.5 -- sleep 3600
	[ "$(inspect_field ip1 NetworkSettings.IPAddress)" = 172.17.5.5 ]
	[ "$(inspect_field ip1 NetworkSettings.MacAddress)" = 02:42:ac:11:05:05 ]
	ping -c1 -W2 172.17.5.5
	run cnm run -d --name ip2 --ip 172.17.5.5 -- sleep 3600
	[ "$status" -eq 125 ]
	[[ "$output" =~ ^cnm:\ Address\ already\ in\ use ]]
	run cnm run -d --name ip3 --ip 10.99.0.5 -- sleep 3600
	[ "$status" -eq 125 ]
	[ "$output" = "cnm: Invalid address 10.99.0.5: It does not belong to any of network bridge's subnets" ]
	run cnm run -d --name ip4 --ip 172.17.0.1 -- sleep 3600
	[ "$status" -eq 125 ]
	[[ "$output" =~ gateway ]]
	run cnm run -d --name ip5 --ip not-an-ip -- sleep 3600
	[ "$status" -eq 125 ]
	[ "$output" = "cnm: invalid IPv4 address not-an-ip" ]
	[ "$(cnm ps -aq | wc -l)" -eq 1 ]
	[ "$(ip netns list | wc -l)" -eq 1 ]
}

@test "--mac-address sets the container's MAC, anti-spoofing lets it through, bad ones are refused" {
	cnm run -d --name mac1 --mac-address 02:AA:bb:cc:dd:01 -- sleep 3600
	[ "$(inspect_field mac1 NetworkSettings.MacAddress)" = 02:aa:bb:cc:dd:01 ]
	[ "$(cnm exec mac1 cat /sys/class/net/eth0/address)" = 02:aa:bb:cc:dd:01 ]
	# the reply (and the ARP before it) leaves from that MAC through the bridge's checks
	ping -c1 -W2 "$(inspect_field mac1 NetworkSettings.IPAddress)"
	run cnm run -d --name mac2 --mac-address 01:00:5e:00:00:01 -- sleep 3600
	[ "$status" -eq 125 ]
	[ "$output" = 'cnm: invalid MAC address "01:00:5e:00:00:01"' ]
	run cnm run -d --name mac3 --mac-address nope -- sleep 3600
	[ "$status" -eq 125 ]
	[ "$output" = 'cnm: invalid MAC address "nope"' ]
	run cnm run -d --name mac4 --network none --mac-address 02:aa:bb:cc:dd:02 -- sleep 3600
	[ "$status" -eq 125 ]
	[[ "$output" =~ "--mac-address needs a network with addresses" ]]
	[ "$(cnm ps -aq | wc -l)" -eq 1 ]
	[ "$(ip netns list | wc -l)" -eq 1 ]
}

@test "flags after the names count, as in Docker; a stray one changes nothing" {
	cnm network create --subnet 10.57.0.0/24 fl >/dev/null
	cnm run -d --name f1 --network fl -- sleep 3600 >/dev/null
	# --dry-run after the name is a dry run, not a container named "--dry-run"
	cnm rm -f f1 --dry-run >/dev/null
	[ "$(cnm ps --format '{{.Names}}')" = f1 ]
	[ "$(cnm inspect f1 -f '{{.State.Status}}')" = running ]
	cnm network create fl2 --subnet 10.58.0.0/24 >/dev/null
	cnm network rm fl2 --dry-run >/dev/null
	cnm network inspect fl2 >/dev/null
	[ "$(cnm network inspect fl2 -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}')" = 10.58.0.0/24 ]
	cnm network connect fl2 f1 --ip 10.58.0.9
	[ "$(cnm inspect -f '{{.NetworkSettings.Networks.fl2.IPAddress}}' f1)" = 10.58.0.9 ]
	cnm network disconnect fl2 f1 --force
	run -2 cnm rm -f f1 --bogus
	run -2 cnm rm -f f1 -- -x
	[ "$output" = "cnm: unknown flag: -x" ]
	[ "$(cnm ps --format '{{.Names}}')" = f1 ]
	cnm stop f1 -t 0 >/dev/null
	[ "$(cnm inspect f1 -f '{{.State.Status}}')" = exited ]
	cnm rm f1 >/dev/null
	cnm network rm fl fl2 >/dev/null
}

@test "--help prints to stdout and succeeds, on every verb; --version too" {
	for v in "" ps run exec inspect stop rm port network "network ls" "network create" \
		"network inspect" "network connect" "network disconnect" "network rm" "network prune" \
		doctor gc topology; do
		# shellcheck disable=SC2086
		out=$(cnm $v --help 2>"$BATS_TEST_TMPDIR/err") || { echo "cnm $v --help failed"; return 1; }
		[[ "$out" == Usage:* ]] || { echo "cnm $v --help: $out"; return 1; }
		[ ! -s "$BATS_TEST_TMPDIR/err" ]
	done
	[ "$(cnm ps -h)" = "$(cnm ps --help)" ]
	[[ "$(cnm --version)" == "cnm version "* ]]
	run -2 cnm ps --bogus
	[[ "$output" == *Usage:* ]]
}

@test "errors name the object, exit non-zero and change nothing" {
	cnm run -d --name taken -- sleep 3600
	before=$(sqlite3 "$CNM_STATE_DIR/cnm.db" 'select count(*) from containers; select count(*) from endpoints')

	run cnm run -d --name taken -- sleep 1
	[ "$status" -eq 125 ]
	[[ "$output" =~ ^cnm:\ Conflict.\ The\ container\ name\ \"/taken\"\ is\ already\ in\ use ]]

	run cnm run -d --network nosuchnet -- sleep 1
	[ "$status" -eq 125 ]
	[ "$output" = "cnm: network nosuchnet not found" ]

	run -127 cnm run -d --name nocmd -- no-such-command-xyz
	[ "$status" -eq 127 ]
	[ "$output" = "cnm: no-such-command-xyz: executable file not found in \$PATH" ]

	# found but not runnable: 126, and nothing of it is left, not even in the firewall
	elems() { nft -j list table bridge cnm | jq '[.nftables[].set.elem? // empty | .[]] | length'; }
	nft_before=$(elems)
	run -126 cnm run --name noexec -- /etc/hostname
	[ "$output" = "cnm: cannot run /etc/hostname: Permission denied" ]
	[ "$(elems)" = "$nft_before" ]
	printf '#!/nonexistent/interp\n' >"$BATS_TEST_TMPDIR/badsh"
	chmod +x "$BATS_TEST_TMPDIR/badsh"
	run -127 cnm run --name badsh -- "$BATS_TEST_TMPDIR/badsh"
	[ "$output" = "cnm: cannot run $BATS_TEST_TMPDIR/badsh: its interpreter (#!) or loader is missing" ]
	! cnm ps -a --format '{{.Names}}' | grep -qx noexec
	run cnm doctor
	[ "$status" -eq 0 ]

	run cnm run -d --name 'bad name' -- sleep 1
	[ "$status" -eq 125 ]
	[[ "$output" =~ Invalid\ container\ name ]]

	run cnm exec nosuch true
	[ "$status" -eq 1 ]
	[ "$output" = "cnm: No such container: nosuch" ]

	run cnm inspect nosuch
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "cnm: No such object: nosuch" ]

	run cnm network inspect nosuch
	[ "$status" -eq 1 ]
	[[ "$output" =~ "cnm: network nosuch not found" ]]

	run cnm rm taken
	[ "$status" -eq 1 ]
	[[ "$output" =~ "You cannot remove a running container" ]]

	run -127 cnm exec taken no-such-command-xyz
	[ "$status" -eq 127 ]
	[[ "$output" =~ "executable file not found" ]]

	run cnm frobnicate
	[ "$status" -eq 2 ]

	after=$(sqlite3 "$CNM_STATE_DIR/cnm.db" 'select count(*) from containers; select count(*) from endpoints')
	[ "$before" = "$after" ]
	[ "$(ip netns list | wc -l)" -eq 1 ]
	[ "$(veth_count)" -eq 1 ]
	[ "$(ls /run/cnm/containers | wc -l)" -eq 1 ]
}

@test "an unprivileged user gets one clear line and nothing changes" {
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$CNM" run -d -- sleep 1
	[ "$status" -eq 125 ]
	[[ "$output" =~ ^cnm:\ permission\ denied:\ cnm\ must\ run\ as\ root ]]
	[ -z "$(cnm ps -aq)" ]
}

@test "ids, short ids and names are accepted wherever a container is named" {
	id=$(cnm run -d --name byref -- sleep 3600)
	[ "$(inspect_field ${id:0:12} Name)" = /byref ]
	[ "$(inspect_field $id Id)" = "$id" ]
	[ "$(inspect_field ${id:0:5} Id)" = "$id" ]
	cnm exec ${id:0:12} true
	# Docker's /NAME, as its inspect shows the name, is the name; one slash only
	[ "$(inspect_field /byref Id)" = "$id" ]
	cnm exec /byref true
	run -1 cnm inspect //byref
	[[ "$output" =~ "No such object: //byref" ]]
	run -1 cnm inspect /${id:0:12}
	[[ "$output" =~ "No such object: /${id:0:12}" ]]
	run cnm ps --no-trunc -q
	[ "$output" = "$id" ]
	run cnm ps -q
	[ "$output" = "${id:0:12}" ]
	run cnm rm -f ${id:0:12}
	[ "$status" -eq 0 ]
	[ -z "$(cnm ps -aq)" ]
}

@test "generated names are Docker-like and unique" {
	cnm run -d -- sleep 3600
	cnm run -d -- sleep 3600
	run sh -c "cnm ps --format json | jq -r .Names"
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^[a-z]+_[a-z]+[0-9]*$ ]]
	[ "${lines[0]}" != "${lines[1]}" ]
}

@test "inspect is Docker-shaped" {
	id=$(cnm run -d --name insp -- sleep 3600)
	run cnm inspect insp
	[ "$status" -eq 0 ]
	j="$output"
	[ "$(jq -r '.[0].State.Status' <<<"$j")" = running ]
	[ "$(jq -r '.[0].State.Running' <<<"$j")" = true ]
	[ "$(jq -r '.[0].State.Pid | type' <<<"$j")" = number ]
	[ "$(jq -r '.[0].State.FinishedAt' <<<"$j")" = 0001-01-01T00:00:00Z ]
	[ "$(jq -r '.[0].Path' <<<"$j")" = sleep ]
	[ "$(jq -r '.[0].Args[0]' <<<"$j")" = 3600 ]
	[ "$(jq -r '.[0].HostConfig.NetworkMode' <<<"$j")" = default ]
	[ "$(jq -r '.[0].NetworkSettings.IPAddress' <<<"$j")" = 172.17.0.2 ]
	[ "$(jq -r '.[0].NetworkSettings.IPPrefixLen' <<<"$j")" = 16 ]
	[ "$(jq -r '.[0].NetworkSettings.Gateway' <<<"$j")" = 172.17.0.1 ]
	[ "$(jq -r '.[0].NetworkSettings.MacAddress' <<<"$j")" = 02:42:ac:11:00:02 ]
	net=$(cnm network inspect bridge | jq -r '.[0].Id')
	[ "$(jq -r '.[0].NetworkSettings.Networks.bridge.NetworkID' <<<"$j")" = "$net" ]
	[ "$(jq -r '.[0].NetworkSettings.Networks.bridge.IPAddress' <<<"$j")" = 172.17.0.2 ]
	ep=$(jq -r '.[0].NetworkSettings.Networks.bridge.EndpointID' <<<"$j")
	[ "$(cnm network inspect bridge | jq -r ".[0].Containers[\"$id\"].EndpointID")" = "$ep" ]
	[ "$(jq -r '.[0].NetworkSettings.SandboxKey' <<<"$j")" = /run/netns/insp ]
	# Config.Env and Config.ExposedPorts with Docker's shapes; ExposedPorts left out when empty
	[ "$(jq -c '.[0].Config.Env' <<<"$j")" = '[]' ]
	[ "$(jq -c '.[0].Config | has("ExposedPorts")' <<<"$j")" = false ]
	[ "$(cnm inspect -f '{{.Config.Env}} {{.Config.ExposedPorts}} {{len .Config.Env}}' insp)" = "[] map[] 0" ]
	cnm run -d --name insp2 -p 8080:80 -p 5353:53/udp -- sleep 3600
	[ "$(cnm inspect -f '{{.Config.ExposedPorts}}' /insp2)" = "map[53/udp:{} 80/tcp:{}]" ]
	[ "$(cnm inspect insp2 | jq -c '.[0].Config | [keys_unsorted[], .ExposedPorts]')" = \
		'["Hostname","Domainname","ExposedPorts","Env","Cmd","Image","WorkingDir",{"53/udp":{},"80/tcp":{}}]' ]
}

@test "stop sends SIGTERM, then SIGKILL after -t, and releases the network" {
	cnm run -d --name st -- sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
	run cnm stop -t 5 st
	[ "$status" -eq 0 ]
	[ "$output" = st ]
	[ "$(inspect_field st State.Status)" = exited ]
	[ "$(inspect_field st State.ExitCode)" = 7 ]
	[ -z "$(ip netns list)" ]
	# sleep as pid 1 ignores SIGTERM, as in Docker: -t 0 kills at once
	cnm run -d --name st2 -- sleep 3600
	cnm stop -t 0 st2
	[ "$(inspect_field st2 State.ExitCode)" = 137 ]
	[ "$(inspect_field st2 NetworkSettings.IPAddress)" = "" ]
	run cnm ps -a
	[[ "$output" =~ Exited\ \(137\) ]]
	cnm rm st st2
	[ -z "$(cnm ps -aq)" ]
}

@test "--rm removes the container when it exits" {
	run cnm run --rm --name gone -- true
	[ "$status" -eq 0 ]
	[ -z "$(cnm ps -aq)" ]
	cnm run -d --rm --name gone2 -- true
	wait_until 5 sh -c '! cnm inspect gone2'
	[ -z "$(ls /run/cnm/containers)" ]
}

@test "--rootfs pivots into a directory" {
	root=$BATS_TEST_TMPDIR/rootfs
	mkdir -p $root/bin $root/proc $root/sys $root/etc
	cp /bin/sh /bin/cat /bin/sleep $root/bin/
	for lib in $(ldd /bin/sh /bin/cat /bin/sleep | grep -o '/lib[^ ]*' | sort -u); do
		mkdir -p "$root$(dirname $lib)"; cp -L "$lib" "$root$lib"
	done
	run cnm run --rootfs $root --name rf -- /bin/sh -c 'cat /etc/hostname; ls / 2>&1; echo ok'
	[ "$status" -eq 0 ]
	[[ "$output" =~ ok ]]
	[ "$(cnm run --rootfs $root -- /bin/cat /proc/1/cmdline | tr '\0' ' ')" = "/bin/cat /proc/1/cmdline " ]
	run cnm run --rootfs /nonexistent -- /bin/true
	[ "$status" -eq 125 ]
	[[ "$output" =~ "--rootfs /nonexistent" ]]
}

@test "ps lists running containers; -a adds exited ones; --format json" {
	cnm run -d --name up1 -- sleep 3600
	cnm run --name ex1 -- sh -c 'exit 2' || true
	run cnm ps
	[ "${lines[0]}" = "CONTAINER ID   COMMAND        CREATED                  STATUS                  PORTS     NAMES" ] || [[ "${lines[0]}" =~ ^CONTAINER\ ID\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" =~ \"sleep\ 3600\" ]]
	[[ "${lines[1]}" =~ Up\  ]]
	run cnm ps -a
	[ "${#lines[@]}" -eq 3 ]
	[[ "$output" =~ Exited\ \(2\) ]]
	# Docker's COMMAND: arguments with a space single-quoted, the whole Go-quoted
	[[ "$output" =~ \"sh\ -c\ \'exit\ 2\'\"\  ]]
	run sh -c "cnm ps -a --format '{{.Command}}' | sort"
	[ "$output" = "$(printf '%s\n' "\"sh -c 'exit 2'\"" '"sleep 3600"')" ]
	run sh -c "cnm ps -a --format json | jq -r '.State' | sort | tr '\n' ' '"
	[ "$output" = "exited running " ]
	# cut to 19 characters and an ellipsis, inner quotes escaped
	cnm run --name long1 -- sh -c 'echo "a b" >/dev/null; exit 0'
	[ "$(cnm ps -a --format '{{.Names}} {{.Command}}' | grep '^long1 ')" = 'long1 "sh -c '"'"'echo \"a b\" >…"' ]
	[ "$(cnm ps -a --no-trunc --format '{{.Names}} {{.Command}}' | grep '^long1 ')" = 'long1 "sh -c '"'"'echo \"a b\" >/dev/null; exit 0'"'"'"' ]
}

@test "a container named like another's id outlives that one's removal and its monitor's last look" {
	ida=$(cnm run -d --name twin1 -- sleep 3600)
	cnm run -d --name "$ida" -- sleep 3600 >/dev/null
	pidb=$(cnm ps -q --no-trunc | grep -vx "$ida" | xargs -I{} cnm inspect {} | jq -r '.[0].State.Pid')
	mon=$(pgrep -f -- "--name twin1 ")
	cnm rm -f "$ida"
	# twin1's monitor wakes to its container's exit and releases it by id; with the
	# row gone, that id must not find the container named after it
	wait_until 10 sh -c "! kill -0 $mon"
	[ "$(inspect_field "$ida" State.Status)" = running ]
	kill -0 "$pidb"
	cnm rm -f "$ida"
	wait_until 10 sh -c "! kill -0 $pidb"
}

@test "a reference is an id, a name or a unique id prefix; an id wins over a name" {
	cnm run -d --name refa -- sleep 3600
	ida=$(inspect_field refa Id)
	# a container whose name is the other's id: the id still means the first
	cnm run -d --name "$ida" -- sleep 3600
	[ "$(inspect_field "$ida" Name)" = /refa ]
	idb=$(cnm ps -q --no-trunc | grep -vx "$ida")
	[ "$(inspect_field "${idb:0:12}" Name)" = "/$ida" ]
	# a prefix two ids share is refused (17 ids: two share a first digit)
	for i in $(seq 1 15); do cnm run -d --name "amb$i" -- sleep 3600 >/dev/null; done
	first=$(cnm ps -q --no-trunc | cut -c1 | sort | uniq -d | head -n 1)
	[ -n "$first" ]
	run cnm inspect "$first"
	[ "$status" -ne 0 ]
	[[ "$output" =~ "container id prefix $first is ambiguous" ]]
	for i in $(seq 1 15); do cnm rm -f "amb$i" >/dev/null; done
	# the same for networks
	cnm network create --subnet 10.71.0.0/24 refn >/dev/null
	nid=$(cnm network inspect refn | jq -r '.[0].Id')
	cnm network create --subnet 10.72.0.0/24 "$nid" >/dev/null
	[ "$(cnm network inspect "$nid" | jq -r '.[0].Name')" = refn ]
	[ "$(cnm network inspect "${nid:0:12}" | jq -r '.[0].Name')" = refn ]
	run cnm inspect nosuchthing
	[ "$status" -ne 0 ]
	[[ "$output" =~ "No such object: nosuchthing" ]]
	# removed one after the other: the id first, then the name that is left
	cnm rm -f "$ida" "$ida"
	run cnm inspect refa
	[ "$status" -ne 0 ]
	[ "$(cnm network rm "$nid")" = "$nid" ]
	run cnm network inspect refn
	[ "$status" -ne 0 ]
	cnm network rm "$nid"
	run cnm network inspect "$nid"
	[ "$status" -ne 0 ]
}
