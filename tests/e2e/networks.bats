#!/usr/bin/env bats
# User-defined networks: create/ls/inspect/connect/disconnect/rm/prune,
# isolation, ICC off, internal, MTU, IPv6 - with real packets.

load helpers
load invariants

FIX="$BATS_TEST_DIRNAME/../fixtures/docker"

setup_file() {
	# an "external host" in a namespace of our own, routed (no NAT yet) through the host
	external_host 203.0.113.1/24 203.0.113.2/24
	ip -n ext route add 10.0.0.0/8 via 203.0.113.1
	ip -n ext route add 172.16.0.0/12 via 203.0.113.1
	ip -n ext route add 192.168.0.0/16 via 203.0.113.1
	sysctl -qw net.ipv4.ip_forward=1
}

setup() { cleanup_containers; }
teardown() {
	cleanup_containers
	cnm network prune -f >/dev/null
}

@test "create prints the id; inspect has Docker's keys, order and types" {
	run cnm network create --subnet 10.50.0.0/24 --gateway 10.50.0.254 --ip-range 10.50.0.128/25 \
		--aux-address router=10.50.0.10 -o com.docker.network.driver.mtu=1400 --label team=net mynet
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	got=$(cnm network inspect mynet)
	want=$(cat "$FIX/21_network_inspect_mynet_empty.json")
	shape='[paths(scalars, type == "null", type == "object", type == "array") | map(tostring) | join(".")] | sort'
	types='[paths(scalars) as $p | [($p | map(tostring) | join(".")), (getpath($p) | type)]] | sort'
	[ "$(jq -c "$shape" <<<"$got")" = "$(jq -c "$shape" <<<"$want")" ]
	[ "$(jq -c "$types" <<<"$got")" = "$(jq -c "$types" <<<"$want")" ]
	[ "$(jq -c '.[0] | keys_unsorted' <<<"$got")" = "$(jq -c '.[0] | keys_unsorted' <<<"$want")" ]
	# and the values Docker shows for the same command
	for k in .IPAM .Options .Labels .Internal .EnableIPv6 .Driver .Scope .Name; do
		[ "$(jq -c ".[0]$k" <<<"$got")" = "$(jq -c ".[0]$k" <<<"$want")" ]
	done
	[ "$(jq -r '.[0].Id' <<<"$got")" = "$id" ]
	cnm network create --internal --ipv6 --subnet 10.51.0.0/24 --subnet fd00:51::/64 v6int
	got=$(cnm network inspect v6int)
	want=$(cat "$FIX/21_network_inspect_v6int.json")
	for k in .IPAM .Options .Labels .Internal .EnableIPv6; do
		[ "$(jq -c ".[0]$k" <<<"$got")" = "$(jq -c ".[0]$k" <<<"$want")" ]
	done
}

@test "ls lists networks; -q, --filter name/driver/label/id" {
	cnm network create --label team=net alpha >/dev/null
	cnm network create --label team=web beta >/dev/null
	run cnm network ls
	[ "${#lines[@]}" -eq 6 ]
	[[ "${lines[1]}" =~ \ alpha\ +bridge\ +local$ ]]
	run cnm network ls -q -f name=alp
	[ "$output" = "$(cnm network inspect alpha | jq -r '.[0].Id[0:12]')" ]
	run cnm network ls -q -f label=team
	[ "${#lines[@]}" -eq 2 ]
	run cnm network ls -q -f label=team=web
	[ "${#lines[@]}" -eq 1 ]
	run cnm network ls -q -f driver=null
	[ "${#lines[@]}" -eq 1 ]
	run cnm network ls -q -f name=alpha -f name=beta
	[ "${#lines[@]}" -eq 2 ]
	run cnm network ls --format json -f name=beta
	[ "$(jq -r .Labels <<<"$output")" = team=web ]
	run cnm network ls -f bogus=1
	[ "$status" -eq 2 ]
	# name= and id= are regular expressions, unanchored, as Docker's
	cnm network create alphabet >/dev/null
	[ "$(cnm network ls --format json -f name=alpha | jq -r .Name | tr '\n' ' ')" = "alpha alphabet " ]
	[ "$(cnm network ls --format json -f 'name=^alpha$' | jq -r .Name)" = alpha ]
	[ "$(cnm network ls --format json -f 'name=^(alpha|beta)$' | jq -r .Name | tr '\n' ' ')" = "alpha beta " ]
	id=$(cnm network inspect beta | jq -r '.[0].Id')
	[ "$(cnm network ls --format json -f "id=^${id:0:6}" | jq -r .Name)" = beta ]
	run -2 cnm network ls -f 'name=(['
	[ "$output" = "cnm: invalid filter 'name=([': not a regular expression" ]
}

@test "--format runs Docker's Go templates on inspect, network inspect, network ls and ps" {
	cnm network create --subnet 10.50.0.0/24 --gateway 10.50.0.254 --label team=net \
		-o com.docker.network.bridge.name=brfmt fmtnet >/dev/null
	cnm network create --subnet 10.51.0.0/24 plain >/dev/null
	cnm run -d --name web --network fmtnet -p 8080:80 -- sleep 600 >/dev/null
	cnm network connect --ip 10.51.0.9 plain web
	# the one-liners of Docker users' scripts
	run cnm network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' fmtnet plain
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '10.50.0.0/24 10.50.0.254\n10.51.0.0/24 ')" ]
	run cnm network inspect --format '{{index .Options "com.docker.network.bridge.name"}} {{.Labels.team}} {{index .Labels "nope"}}|{{json .Labels}}' fmtnet
	[ "$output" = 'brfmt net |{"team":"net"}' ]
	ip=$(cnm inspect -f '{{.NetworkSettings.Networks.fmtnet.IPAddress}}' web)
	[ "$ip" = "$(cnm inspect web | jq -r '.[0].NetworkSettings.Networks.fmtnet.IPAddress')" ]
	ping -c1 -W2 "$ip"
	run cnm inspect -f '{{range $n, $e := .NetworkSettings.Networks}}{{$n}}={{$e.IPAddress}} {{end}}{{.State.Status}}' web
	[ "$output" = "fmtnet=$ip plain=10.51.0.9 running" ]
	[ "$(cnm inspect -f '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}' web)" = 8080 ]
	[ "$(cnm inspect -f '{{json .NetworkSettings.Networks.plain.IPAMConfig}}' web)" = '{"IPv4Address":"10.51.0.9"}' ]
	# list verbs: a template per row, or a table with Docker's titles; \t typed as two characters
	[ "$(cnm network ls -f type=custom --format '{{.Name}}:{{.Driver}}' | sort | tr '\n' ' ')" = "fmtnet:bridge plain:bridge " ]
	run cnm network ls -f name=fmtnet --format 'table {{.Name}}\t{{.Driver}}\t{{.Internal}}'
	[ "${lines[0]}" = "NAME      DRIVER    INTERNAL" ]
	[ "${lines[1]}" = "fmtnet    bridge    false" ]
	run cnm ps --format 'table {{.Names}}\t{{.Ports}}'
	[ "${lines[0]}" = "NAMES     PORTS" ]
	[ "${lines[1]}" = "web       0.0.0.0:8080->80/tcp" ]
	[ "$(cnm ps --format '{{.Names}} {{.State}}')" = "web running" ]
	# Docker's row keys (fixtures 31_ps_a_format_json.txt, 30_network_ls_format_json.txt)
	[ "$(cnm ps --format json | jq -c keys)" = '["Command","CreatedAt","ID","Image","Labels","LocalVolumes","Mounts","Names","Networks","Platform","Ports","RunningFor","Size","State","Status"]' ]
	[ "$(cnm network ls -f name=plain --format json | jq -c keys)" = '["CreatedAt","Driver","ID","IPv4","IPv6","Internal","Labels","Name","Scope"]' ]
	[ "$(cnm ps --format '{{.Size}} {{.Platform}}')" = "0B <nil>" ]
	run cnm ps --format 'table {{.Names}}\t{{.Size}}'
	[ "${lines[0]}" = "NAMES     SIZE" ]
	# a template wins over -q (docker/cli's NewContainerFormat); plain -q is ids
	[ "$(cnm ps -q --format '{{.Names}}')" = web ]
	[ "$(cnm network ls -q -f name=fmtnet --format '{{.Name}}')" = fmtnet ]
	[ "$(cnm ps -q)" = "$(cnm ps --format '{{.ID}}')" ]
	# an empty format is the usual output, as in Docker (ps shows "Up N
	# seconds": a second may turn between the two calls, so ask again)
	wait_until 5 sh -c '[ "$(cnm ps --format "")" = "$(cnm ps)" ]'
	[ "$(cnm network ls --format '')" = "$(cnm network ls)" ]
	[ "$(cnm inspect --format '' web)" = "$(cnm inspect web)" ]
	# errors: a bad template prints nothing else, exit 2; a misspelt field names the object, exit 1
	run -2 cnm network inspect -f '{{.Name' fmtnet
	[ "$output" = "cnm: invalid --format: template: column 1: unclosed action" ]
	run -2 cnm ps --format '{{if .Names}}x'
	[[ "$output" == *"missing {{end}}"* ]]
	run -1 cnm inspect -f '{{.Nmae}}' web
	[ "$output" = 'cnm: web: template: executing "{{.Nmae}}": map has no entry for key "Nmae"' ]
	run -1 cnm network ls -f name=plain --format '{{.Bogus}}'
	[[ "$output" == "cnm: plain: "*'"Bogus"'* ]]
	run -2 cnm inspect -f 'table {{.Name}}' web
	[ "$output" = "cnm: --format table is for ps and network ls" ]
	# json stays json
	[ "$(cnm network ls -f name=plain --format json | jq -r .Name)" = plain ]
	[ "$(cnm inspect -f json web | jq -r .Name)" = /web ]
}

@test "networks are isolated from each other; a container on both reaches both" {
	cnm network create --subnet 10.61.0.0/24 neta >/dev/null
	cnm network create --subnet 10.62.0.0/24 netb >/dev/null
	cnm run -d --name a1 --network neta -- sleep 3600
	cnm run -d --name b1 --network netb -- sleep 3600
	# forwarding works (a1 reaches the external host) ...
	cnm exec a1 ping -c1 -W2 203.0.113.2
	cnm exec b1 ping -c1 -W2 203.0.113.2
	# ... but not between networks, either way
	run cnm exec a1 ping -c1 -W1 10.62.0.2
	[ "$status" -ne 0 ]
	run cnm exec b1 ping -c1 -W1 10.61.0.2
	[ "$status" -ne 0 ]
	# the default bridge is isolated too
	cnm run -d --name d1 -- sleep 3600
	run cnm exec d1 ping -c1 -W1 10.61.0.2
	[ "$status" -ne 0 ]
	# connected to both: reaches both, and both reach it
	cnm run -d --name ab --network neta -- sleep 3600
	cnm network connect netb ab
	cnm exec ab ping -c1 -W2 10.61.0.2
	cnm exec ab ping -c1 -W2 10.62.0.2
	cnm exec b1 ping -c1 -W2 "$(cnm inspect ab | jq -r '.[0].NetworkSettings.Networks.netb.IPAddress')"
}

@test "an administrator's notrack rule does not open isolation or an internal network" {
	cnm network create --subnet 10.64.0.0/24 nta >/dev/null
	cnm network create --subnet 10.65.0.0/24 ntb >/dev/null
	cnm network create --internal --subnet 10.66.0.0/24 nti >/dev/null
	cnm run -d --name ta --network nta -- sleep 3600
	cnm run -d --name tb --network ntb -- sleep 3600
	cnm run -d --name ti --network nti -- sleep 3600
	ip netns exec ti ip route add default via 10.66.0.1
	# every packet untracked, as a raw-table tuning would leave it: cnm's
	# shortcut for its own bridged frames wants its mark too, so nothing
	# routed between networks passes for being untracked
	nft add table inet admin
	nft add chain inet admin raw '{ type filter hook prerouting priority raw; }'
	nft add rule inet admin raw notrack
	run cnm exec ta ping -c1 -W1 10.65.0.2
	across=$status
	run cnm exec ti ping -c1 -W1 10.64.0.2
	out_of_internal=$status
	run ip netns exec ta ping -c1 -W1 10.66.0.2
	into_internal=$status
	nft delete table inet admin
	echo "statuses: $across $out_of_internal $into_internal"
	[ "$across" -ne 0 ]
	[ "$out_of_internal" -ne 0 ]
	[ "$into_internal" -ne 0 ]
	# the network itself still works
	cnm exec ta ping -c1 -W2 10.64.0.1
}

@test "ICC off: containers cannot reach each other but reach the gateway and beyond" {
	cnm network create -o com.docker.network.bridge.enable_icc=false -o com.docker.network.bridge.name=br-noicc noicc >/dev/null
	cnm run -d --name n1 --network noicc -- sleep 3600
	cnm run -d --name n2 --network noicc -- sleep 3600
	gw=$(cnm network inspect noicc | jq -r '.[0].IPAM.Config[0].Gateway')
	ip2=$(inspect_field n2 NetworkSettings.Networks.noicc.IPAddress)
	run cnm exec n1 ping -c1 -W1 "$ip2"
	[ "$status" -ne 0 ]
	cnm exec n1 ping -c1 -W2 "$gw"
	cnm exec n2 ping -c1 -W2 203.0.113.2
	ping -c1 -W2 "$ip2"
	[ "$(cnm network inspect noicc | jq -r '.[0].Options["com.docker.network.bridge.enable_icc"]')" = false ]
	# a network with ICC on, for contrast
	cnm network create iccon >/dev/null
	cnm run -d --name y1 --network iccon -- sleep 3600
	cnm run -d --name y2 --network iccon -- sleep 3600
	cnm exec y1 ping -c1 -W2 "$(inspect_field y2 NetworkSettings.Networks.iccon.IPAddress)"
}

@test "internal: containers reach each other, nothing outside, and nothing gets in" {
	cnm network create --internal --subnet 10.63.0.0/24 inet1 >/dev/null
	cnm run -d --name i1 --network inet1 -- sleep 3600
	cnm run -d --name i2 --network inet1 -- sleep 3600
	cnm exec i1 ping -c1 -W2 10.63.0.3
	run ip netns exec i1 ip route
	[[ ! "$output" =~ default ]] || false
	run cnm exec i1 ping -c1 -W1 203.0.113.2
	[ "$status" -ne 0 ]
	# even with a route put in by hand, the firewall drops it
	ip netns exec i1 ip route add default via 10.63.0.1
	run cnm exec i1 ping -c1 -W1 203.0.113.2
	[ "$status" -ne 0 ]
	run ip netns exec ext ping -c1 -W1 10.63.0.2
	[ "$status" -ne 0 ]
	[ "$(cnm network inspect inet1 | jq -r '.[0].Internal')" = true ]
}

@test "connect adds eth1 on a running container; disconnect removes it and frees the address" {
	cnm network create --subnet 10.64.0.0/24 first >/dev/null
	cnm network create --subnet 10.65.0.0/24 second >/dev/null
	cnm run -d --name mm --network first -- sleep 3600
	cnm run -d --name peer --network second -- sleep 3600
	run cnm network connect --ip 10.65.0.77 second mm
	[ "$status" -eq 0 ]
	run ip netns exec mm ip -o -4 addr show eth1
	[[ "$output" =~ 10.65.0.77/24 ]]
	run ip netns exec mm ip -o link show eth1
	[[ "$output" =~ 02:42:0a:41:00:4d ]]
	run ip netns exec mm ip route show default
	[ "$output" = "default via 10.64.0.1 dev eth0 " ] || [ "$output" = "default via 10.64.0.1 dev eth0" ]
	cnm exec peer ping -c1 -W2 10.65.0.77
	j=$(cnm inspect mm)
	[ "$(jq -r '.[0].NetworkSettings.Networks | keys | join(",")' <<<"$j")" = first,second ]
	[ "$(jq -r '.[0].NetworkSettings.Networks.second.IPAMConfig.IPv4Address' <<<"$j")" = 10.65.0.77 ]
	[ "$(cnm network inspect second | jq -r '.[0].Containers | length')" -eq 2 ]
	run cnm network connect second mm
	[ "$status" -eq 1 ]
	[ "$output" = "cnm: endpoint with name mm already exists in network second" ]
	run cnm network connect --ip 10.65.0.77 second peer
	[ "$status" -eq 1 ]
	cnm network disconnect second mm
	run ip netns exec mm ip link show eth1
	[ "$status" -ne 0 ]
	run cnm exec peer ping -c1 -W1 10.65.0.77
	[ "$status" -ne 0 ]
	run cnm network disconnect second mm
	[ "$status" -eq 1 ]
	[[ "$output" =~ "is not connected to network second" ]]
	# the address is free again
	cnm run -d --name again --network second --ip 10.65.0.77 -- sleep 3600
	# a stopped container cannot be connected
	cnm stop -t 0 again
	run cnm network connect first again
	[ "$status" -eq 1 ]
	[[ "$output" =~ "is not running" ]]
	# nor disconnected from the network it stopped on: the message says why and what to do
	run cnm network disconnect second again
	[ "$status" -eq 1 ]
	[ "$output" = "cnm: container again is stopped: its endpoint on network second went with it, and cnm has no start; remove it (cnm rm again) to release the network" ]
}

@test "MTU applies to the bridge and both ends of every veth" {
	cnm network create -o com.docker.network.driver.mtu=1400 -o com.docker.network.bridge.name=br-mtu mtunet >/dev/null
	cnm run -d --name mt --network mtunet -- sleep 3600
	[[ "$(ip -o link show br-mtu)" =~ mtu\ 1400 ]]
	[[ "$(ip -o link show master br-mtu)" =~ mtu\ 1400 ]]
	[[ "$(ip netns exec mt ip -o link show eth0)" =~ mtu\ 1400 ]]
	# a second network connected later gets its own MTU on eth1
	cnm network create -o com.docker.network.driver.mtu=1300 mtu2 >/dev/null
	cnm network connect mtu2 mt
	[[ "$(ip netns exec mt ip -o link show eth1)" =~ mtu\ 1300 ]]
}

@test "container_iface_prefix names the interfaces" {
	cnm network create -o com.docker.network.container_iface_prefix=net pfx >/dev/null
	cnm run -d --name pf --network pfx -- sleep 3600
	ip netns exec pf ip link show net0
}

@test "IPv6: containers get addresses from the subnet and ping each other" {
	cnm network create --ipv6 --subnet 10.66.0.0/24 --subnet fd00:66::/64 v6 >/dev/null
	cnm run -d --name s1 --network v6 -- sleep 3600
	cnm run -d --name s2 --network v6 --ip6 fd00:66::99 -- sleep 3600
	[ "$(inspect_field s1 NetworkSettings.Networks.v6.GlobalIPv6Address)" = fd00:66::2 ]
	[ "$(inspect_field s1 NetworkSettings.Networks.v6.IPv6Gateway)" = fd00:66::1 ]
	[ "$(inspect_field s2 NetworkSettings.Networks.v6.GlobalIPv6Address)" = fd00:66::99 ]
	cnm exec s1 ping -6 -c1 -W2 fd00:66::99
	cnm exec s2 ping -6 -c1 -W2 fd00:66::1
	cnm exec s1 ping -c1 -W2 10.66.0.3
	run ip netns exec s1 ip -6 route show default
	[[ "$output" =~ "default via fd00:66::1 dev eth0" ]]
	[ "$(cnm network inspect v6 | jq -r '.[0].Containers[].IPv6Address' | sort | head -1)" = fd00:66::2/64 ]
}

@test "rm is refused while a container is attached, names it, then works" {
	cnm network create --subnet 10.67.0.0/24 -o com.docker.network.bridge.name=br-busy busy >/dev/null
	cnm run -d --name user1 --network busy -- sleep 3600
	run cnm network rm busy
	[ "$status" -eq 1 ]
	[[ "$output" =~ "error while removing network: network busy id " ]]
	[[ "$output" =~ "has active endpoints (user1)" ]]
	ip link show br-busy
	cnm rm -f user1
	run cnm network rm busy
	[ "$status" -eq 0 ]
	[ "$output" = busy ]
	run ip link show br-busy
	[ "$status" -ne 0 ]
	run nft list set inet cnm bridges
	[[ ! "$output" =~ br-busy ]] || false
	for n in bridge host none; do
		run cnm network rm $n
		[ "$status" -eq 1 ]
		[ "$output" = "cnm: $n is a pre-defined network and cannot be removed" ]
	done
	run cnm network rm nosuch
	[ "$output" = "cnm: network nosuch not found" ]
}

@test "prune removes exactly the unused user networks" {
	cnm network create used >/dev/null
	cnm network create unused1 >/dev/null
	cnm network create unused2 >/dev/null
	cnm run -d --name uu --network used -- sleep 3600
	run cnm network prune -f
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'Deleted Networks:\nunused1\nunused2')" ]
	run cnm network ls -q -f name=unused
	[ -z "$output" ]
	cnm network inspect used >/dev/null
	run sh -c 'echo n | cnm network prune'
	cnm network inspect used >/dev/null
}

@test "subnets are picked around other networks and host routes" {
	ip route add 172.20.0.0/16 dev uplink0
	ids=""
	for n in p1 p2 p3 p4; do cnm network create $n >/dev/null; done
	got=$(for n in p1 p2 p3 p4; do cnm network inspect $n | jq -r '.[0].IPAM.Config[0].Subnet'; done | tr '\n' ' ')
	# 172.17 is the default bridge's, 172.20 a host route's
	[ "$got" = "172.18.0.0/16 172.19.0.0/16 172.21.0.0/16 172.22.0.0/16 " ]
	run cnm network create --subnet 172.20.1.0/24 clash
	[ "$status" -eq 1 ]
	[ "$output" = "cnm: Pool overlaps with other one on this address space: 172.20.1.0/24 overlaps host route 172.20.0.0/16 dev uplink0" ]
	run cnm network create --subnet 172.18.0.0/20 clash
	[ "$output" = "cnm: Pool overlaps with other one on this address space: 172.18.0.0/20 overlaps network p1 (172.18.0.0/16)" ]
	ip route del 172.20.0.0/16 dev uplink0
}

@test "invalid input is refused with a clear message and changes nothing" {
	cnm network create --subnet 10.50.0.0/24 mynet >/dev/null
	before=$(cnm network ls -q | sort; ip -o link show type bridge | wc -l; nft list table inet cnm | wc -l)
	bad() {
		run cnm network create "$@"
		[ "$status" -eq 1 ] || { echo "accepted: $*"; return 1; }
		echo "$output"
	}
	[ "$(bad --subnet 10.50.0.0/16 ovl)" = "cnm: Pool overlaps with other one on this address space: 10.50.0.0/16 overlaps network mynet (10.50.0.0/24)" ]
	[ "$(bad --subnet 10.70.0.0/24 --gateway 10.71.0.1 gwbad)" = "cnm: no matching subnet for gateway 10.71.0.1" ]
	[ "$(bad --subnet 10.60.0.0/33 bad33)" = "cnm: Invalid subnet 10.60.0.0/33 : invalid CIDR address: 10.60.0.0/33" ]
	[ "$(bad --subnet notacidr bad)" = "cnm: Invalid subnet notacidr : invalid CIDR address: notacidr" ]
	[ "$(bad --subnet 10.60.0.1/24 bad)" = "cnm: Invalid subnet 10.60.0.1/24 : it should be 10.60.0.0/24" ]
	[ "$(bad --subnet 10.73.0.0/24 --ip-range 10.74.0.0/25 bad)" = "cnm: no matching subnet for range 10.74.0.0/25" ]
	[ "$(bad --gateway 10.75.0.1 bad)" = "cnm: every ip-range, gateway or aux-address must have a corresponding subnet" ]
	[ "$(bad --subnet fd00:1::/64 bad)" = "cnm: IPv6 subnet fd00:1::/64 given without --ipv6" ]
	[ "$(bad mynet)" = "cnm: network with name mynet already exists" ]
	[ "$(bad -o com.docker.network.driver.mtu=abc x)" = "cnm: failed to parse com.docker.network.driver.mtu value: abc (not a number)" ]
	[[ "$(bad -o com.docker.network.bridge.nosuch=1 x)" =~ ^cnm:\ unknown\ option\ com.docker.network.bridge.nosuch ]]
	[[ "$(bad -o com.docker.network.bridge.name=waytoolongbridgename x)" =~ "invalid bridge name" ]]
	[[ "$(bad -o com.docker.network.bridge.enable_icc=maybe x)" =~ "failed to parse com.docker.network.bridge.enable_icc" ]]
	[[ "$(bad --driver nosuchdriver x)" =~ 'plugin "nosuchdriver" not found' ]]
	[[ "$(bad 'bad name')" =~ "invalid network name" ]]
	[[ "$(bad "$(printf 'n%.0s' $(seq 1 65))")" =~ "invalid network name" ]]
	[[ "$(bad '')" =~ "invalid network name" ]]
	cnm network create -o com.docker.network.bridge.name=br-taken t1 >/dev/null
	before=$(cnm network ls -q | sort; ip -o link show type bridge | wc -l; nft list table inet cnm | wc -l)
	[[ "$(bad -o com.docker.network.bridge.name=br-taken t2)" =~ "br-taken" ]]
	# other keys are kept and shown, as Docker does
	cnm network create -o my.own.key=v1 keep >/dev/null
	[ "$(cnm network inspect keep | jq -r '.[0].Options["my.own.key"]')" = v1 ]
	cnm network rm keep
	after=$(cnm network ls -q | sort; ip -o link show type bridge | wc -l; nft list table inet cnm | wc -l)
	[ "$before" = "$after" ]
}

@test "--ip: outside the range is fine, aux and gateway addresses are taken" {
	cnm network create --subnet 10.50.0.0/24 --gateway 10.50.0.254 --ip-range 10.50.0.128/25 --aux-address router=10.50.0.10 mynet >/dev/null
	cnm run -d --name r1 --network mynet -- sleep 3600
	[ "$(inspect_field r1 NetworkSettings.Networks.mynet.IPAddress)" = 10.50.0.128 ]
	cnm run -d --name r2 --network mynet --ip 10.50.0.5 -- sleep 3600
	run cnm run -d --network mynet --ip 10.50.0.10 -- sleep 1
	[ "$status" -eq 125 ]
	[[ "$output" =~ "Address already in use" ]]
	run cnm run -d --network mynet --ip 10.50.0.254 -- sleep 1
	[ "$status" -eq 125 ]
	[[ "$output" =~ "Address already in use" ]]
	cnm exec r1 ping -c1 -W2 10.50.0.5
}

@test "addresses: the lowest free one, after removals, around --ip and aux addresses" {
	cnm network create --subnet 10.51.0.0/24 --aux-address r=10.51.0.5 lownet >/dev/null
	for n in a1 a2 a3; do cnm run -d --name $n --network lownet -- sleep 3600; done
	[ "$(inspect_field a3 NetworkSettings.Networks.lownet.IPAddress)" = 10.51.0.4 ]
	# taken by --ip just above the last one handed out: the next one skips it, and aux .5
	cnm run -d --name a4 --network lownet --ip 10.51.0.6 -- sleep 3600
	cnm run -d --name a5 --network lownet -- sleep 3600
	[ "$(inspect_field a5 NetworkSettings.Networks.lownet.IPAddress)" = 10.51.0.7 ]
	# a removal below: the next one fills the hole, the one after continues above
	cnm rm -f a2 >/dev/null
	cnm run -d --name a6 --network lownet -- sleep 3600
	[ "$(inspect_field a6 NetworkSettings.Networks.lownet.IPAddress)" = 10.51.0.3 ]
	cnm run -d --name a7 --network lownet -- sleep 3600
	[ "$(inspect_field a7 NetworkSettings.Networks.lownet.IPAddress)" = 10.51.0.8 ]
	# the same through disconnect
	cnm network disconnect lownet a1
	cnm run -d --name a8 --network lownet -- sleep 3600
	[ "$(inspect_field a8 NetworkSettings.Networks.lownet.IPAddress)" = 10.51.0.2 ]
	cnm exec a7 ping -c1 -W2 10.51.0.2
}

@test "the store's log stays small however many commands write" {
	for i in $(seq 1 60); do
		cnm network create walnet$i >/dev/null
		cnm network rm walnet$i >/dev/null
	done
	# without a restarted log, 120 writing commands leave ~2 MB of frames
	# that every later command reads back at open
	wal=$(stat -c %s "$CNM_STATE_DIR/cnm.db-wal")
	echo "wal: $wal bytes"
	[ "$wal" -le $((300 * 4120)) ]
}

@test "no IPv6 of the kernel's making on IPv4-only networks, nor on any bridge port" {
	cnm network create --subnet 10.52.0.0/24 v4only >/dev/null
	cnm network create --ipv6 --subnet 10.53.0.0/24 --subnet fd00:53::/64 dual >/dev/null
	cnm run -d --name s4 --network v4only -- sleep 3600
	cnm run -d --name s6 --network dual -- sleep 3600
	# multicast from each new interface (DAD, listener reports) would be
	# flooded to every container of the bridge: none is sent
	[ -z "$(cnm exec s4 ip -6 addr show dev eth0)" ]
	cnm exec s6 ip -6 addr show dev eth0 | grep -q 'inet6 fe80::'
	cnm exec s6 ip -6 addr show dev eth0 | grep -q 'inet6 fd00:53::2/64'
	for net in v4only dual; do
		br=br-$(cnm network inspect "$net" | jq -r '.[0].Id' | cut -c1-12)
		ports=$(ip -o link show master "$br" | awk -F': ' '{print $2}' | cut -d@ -f1)
		[ -n "$ports" ]
		for v in $ports; do [ -z "$(ip -6 addr show dev "$v")" ]; done
	done
	cnm exec s4 ping -c1 -W2 10.52.0.1
	cnm exec s6 ping -6 -c1 -W2 fd00:53::1
}

@test "a full bridge (1,023 ports, the kernel's limit) is refused by name; nothing is left" {
	cnm network create --subnet 10.69.0.0/16 -o com.docker.network.bridge.name=br-full full >/dev/null
	cnm run -d --name infull -- sleep 3600
	# veth pairs of the test's own, in a group so that one request deletes them
	for i in $(seq 1 1023); do
		echo "link add fv$i group 77 master br-full type veth peer name fp$i group 77"
	done | ip -batch -
	links=$(ip -o link | wc -l)
	run cnm run -d --name nope --network full -- sleep 3600
	[ "$status" -ne 0 ]
	[ "$output" = "cnm: network full: bridge br-full already has 1023 ports, the most a Linux bridge takes; put more containers on another network" ]
	run cnm network connect full infull
	[ "$status" -ne 0 ]
	[[ "$output" =~ "bridge br-full already has 1023 ports" ]]
	# nothing changed: no container, no endpoint, no interface, no firewall element
	run cnm inspect nope
	[ "$status" -ne 0 ]
	[ "$(cnm inspect infull | jq '.[0].NetworkSettings.Networks | length')" = 1 ]
	run cnm exec infull ip link show eth1
	[ "$status" -ne 0 ]
	[ "$(ip -o link show master br-full | wc -l)" = 1023 ]
	[ "$(ip -o link | wc -l)" = "$links" ]
	run nft list set bridge cnm ports
	[ "$(grep -o '"veth[0-9a-f]*"' <<<"$output" | wc -l)" = 1 ]
	# a port freed, the same connect works
	ip link del fv1
	cnm network connect full infull
	cnm exec infull ping -c1 -W2 10.69.0.1
	ip link del group 77
	CNM_FOREIGN_NETNS=ext check_invariants
}
