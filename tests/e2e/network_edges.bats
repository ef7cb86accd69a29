#!/usr/bin/env bats
# Corners of the network and port verbs where Docker 20.10 users rely on one
# behaviour: the way out after a reconnect, rm after a disconnect, ranges,
# bridge names, host port ranges, inspect and ls filters.

load helpers

setup() { cleanup_containers; }
teardown() {
	cleanup_containers
	cnm network prune -f >/dev/null
}

@test "a container connected again after leaving every network gets the way out back" {
	cnm network create --subnet 10.81.0.0/24 wa >/dev/null
	cnm run -d --name wo --network wa -- sleep 3600
	cnm network disconnect wa wo
	[ -z "$(ip netns exec wo ip route show default)" ]
	cnm network connect wa wo
	[[ "$(ip netns exec wo ip route show default)" =~ "default via 10.81.0.1 dev eth0" ]]
}

@test "network rm works once a running container left it for another network" {
	cnm network create --subnet 10.82.0.0/24 ra >/dev/null
	cnm network create --subnet 10.83.0.0/24 rb >/dev/null
	cnm run -d --name rc1 --network ra -- sleep 3600
	cnm network connect rb rc1
	cnm network disconnect ra rc1
	run cnm network rm ra
	[ "$status" -eq 0 ]
	[ "$output" = ra ]
	run cnm network inspect ra
	[ "$status" -eq 1 ]
	# still on rb, and rb is what it names now
	[ "$(cnm inspect rc1 | jq -r '.[0].NetworkSettings.Networks | keys | join(",")')" = rb ]
	run cnm network rm rb
	[ "$status" -eq 1 ]
	[[ "$output" =~ "has active endpoints (rc1)" ]]
}

@test "network rm of the network a container left, with no other network, says so" {
	cnm network create --subnet 10.84.0.0/24 na >/dev/null
	cnm run -d --name nc1 --network na -- sleep 3600
	cnm network disconnect na nc1
	run cnm network rm na
	[ "$status" -eq 1 ]
	[[ "$output" =~ "(nc1 (started on it, on no other network))" ]]
	cnm network inspect na >/dev/null
}

@test "ip-ranges: two for one subnet are refused, one as wide as the subnet is shown as given" {
	run cnm network create --subnet 10.85.0.0/24 --ip-range 10.85.0.128/25 --ip-range 10.85.0.0/26 two
	[ "$status" -eq 1 ]
	[ "$output" = "cnm: cannot configure multiple ranges (10.85.0.128/25, 10.85.0.0/26) on the same subnet (10.85.0.0/24)" ]
	run cnm network inspect two
	[ "$status" -eq 1 ]
	cnm network create --subnet 10.85.0.0/24 --ip-range 10.85.0.0/24 whole >/dev/null
	[ "$(cnm network inspect whole | jq -c '.[0].IPAM.Config')" = '[{"Subnet":"10.85.0.0/24","IPRange":"10.85.0.0/24"}]' ]
	# two subnets of a family: the message names the two of that family
	run cnm network create --ipv6 --subnet 10.86.0.0/24 --subnet fd00:86::/64 --subnet 10.87.0.0/24 three
	[ "$output" = "cnm: only one IPv4 subnet per network: 10.87.0.0/24 and 10.86.0.0/24" ]
}

@test "a bridge name another network owns is refused by name, whether its bridge is there or gone" {
	id=$(cnm network create -o com.docker.network.bridge.name=br-owned owner)
	run -1 cnm network create -o com.docker.network.bridge.name=br-owned mine
	[[ "$output" =~ ^"cnm: cannot create network "[0-9a-f]{64}" (br-owned): conflicts with network $id (br-owned): networks have same bridge name"$ ]]
	ip link del br-owned # as after a reboot: re-made on first use
	run cnm network create -o com.docker.network.bridge.name=br-owned mine
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^"cnm: cannot create network "[0-9a-f]{64}" (br-owned): conflicts with network $id (br-owned): networks have same bridge name"$ ]]
	run cnm network inspect mine
	[ "$status" -eq 1 ]
	run cnm network create owner
	[ "$output" = "cnm: network with name owner already exists" ]
}

@test "a host range for one container port gives its lowest free port, as Docker does" {
	cnm run -d --name hr1 -p 9300-9302:80 -- sleep 3600
	cnm run -d --name hr2 -p 9300-9302:80 -- sleep 3600
	[ "$(cnm port hr1)" = "80/tcp -> 0.0.0.0:9300" ]
	[ "$(cnm port hr2)" = "80/tcp -> 0.0.0.0:9301" ]
}

@test "a running container disconnected from every network shows no network in inspect" {
	cnm run -d --name nonet -- sleep 3600
	cnm network disconnect bridge nonet
	[ "$(cnm inspect nonet | jq -c '.[0].NetworkSettings.Networks')" = '{}' ]
	cnm stop -t 0 nonet
	[ "$(cnm inspect nonet | jq -r '.[0].NetworkSettings.Networks | keys | join(",")')" = bridge ]
}

@test "ls --filter label matches whole labels, commas in a value included" {
	cnm network create --label x=1,y=2 commas >/dev/null
	[ "$(cnm network ls -q -f label=x=1,y=2)" != "" ]
	[ "$(cnm network ls -q -f label=x)" != "" ]
	[ -z "$(cnm network ls -q -f label=x=1)" ]
	[ -z "$(cnm network ls -q -f label=y=2)" ]
	[ -z "$(cnm network ls -q -f label=y)" ]
}

@test "disconnecting the network that holds the way out moves it to the next one, as Docker does" {
	cnm network create --subnet 10.84.0.0/24 ga >/dev/null
	cnm network create --subnet 10.85.0.0/24 gb >/dev/null
	cnm network create --internal --subnet 10.86.0.0/24 gi >/dev/null
	cnm run -d --name gw1 --network ga -- sleep 3600
	cnm network connect gi gw1
	cnm network connect gb gw1
	[[ "$(ip netns exec gw1 ip route show default)" =~ "default via 10.84.0.1 dev eth0" ]]
	# gi is older than gb but internal: gb's gateway takes the way out
	cnm network disconnect ga gw1
	[ "$(ip netns exec gw1 ip route show default | wc -l)" = 1 ]
	[[ "$(ip netns exec gw1 ip route show default)" =~ "default via 10.85.0.1 dev eth2" ]]
	# and it is used: the host's address on ga, off every link gw1 has now
	ip netns exec gw1 ping -c1 -W2 10.84.0.1
	# the store agrees: a disconnect of a network that does not hold it changes nothing
	cnm network disconnect gi gw1
	[[ "$(ip netns exec gw1 ip route show default)" =~ "default via 10.85.0.1 dev eth2" ]]
	# with no network left that has a way out, there is none, and rm of ga works
	cnm network disconnect gb gw1
	[ -z "$(ip netns exec gw1 ip route show default)" ]
	run -0 cnm network rm ga
}

@test "a container on an internal network only gets its way out from the first network it joins that has one" {
	cnm network create --internal --subnet 10.87.0.0/24 ii >/dev/null
	cnm network create --subnet 10.88.0.0/24 io >/dev/null
	cnm network create --subnet 10.89.0.0/24 ip2 >/dev/null
	cnm run -d --name in1 --network ii -- sleep 3600
	[ -z "$(ip netns exec in1 ip route show default)" ]
	cnm network connect io in1
	[[ "$(ip netns exec in1 ip route show default)" =~ "default via 10.88.0.1 dev eth1" ]]
	ip netns exec in1 ping -c1 -W2 10.89.0.1
	# a later network does not take it
	cnm network connect ip2 in1
	[ "$(ip netns exec in1 ip route show default | wc -l)" = 1 ]
	[[ "$(ip netns exec in1 ip route show default)" =~ "default via 10.88.0.1 dev eth1" ]]
	# and leaving io hands it to ip2, not to the internal network
	cnm network disconnect io in1
	[[ "$(ip netns exec in1 ip route show default)" =~ "default via 10.89.0.1 dev eth2" ]]
}

@test "ls filters type=, scope= and dangling= as Docker does, and refuses values it does not know" {
	cnm network create --subnet 10.90.0.0/24 dang >/dev/null
	cnm network create --subnet 10.91.0.0/24 used >/dev/null
	cnm run -d --name du --network used -- sleep 3600
	[ "$(cnm network ls -f type=custom --format json | jq -r .Name | sort | tr '\n' ' ')" = "dang used " ]
	[ "$(cnm network ls -f type=builtin --format json | jq -r .Name | tr '\n' ' ')" = "bridge host none " ]
	# dangling: no container, and never a predefined network
	[ "$(cnm network ls -f dangling=true --format json | jq -r .Name | tr '\n' ' ')" = "dang " ]
	[ "$(cnm network ls -f dangling=false --format json | jq -r .Name | tr '\n' ' ')" = "bridge host none used " ]
	[ "$(cnm network ls -q -f scope=local | wc -l)" = 5 ]
	[ -z "$(cnm network ls -q -f scope=swarm)" ]
	# values of one key are OR-ed, keys AND-ed
	[ "$(cnm network ls -f type=custom -f dangling=false --format json | jq -r .Name)" = used ]
	run -2 cnm network ls -f type=other
	[ "$output" = "cnm: invalid filter 'type=other': type is custom or builtin" ]
	run -2 cnm network ls -f dangling=maybe
	[ "$output" = "cnm: invalid filter 'dangling=maybe': dangling is true or false" ]
	run -2 cnm network ls -f colour=blue
	[[ "$output" =~ "invalid filter 'colour=blue'" ]]
}

@test "prune removes every unused network, however many" {
	for i in $(seq 1 260); do
		cnm network create --subnet "10.$((200 + i / 250)).$((i % 250)).0/24" "pr$i" >/dev/null
	done
	cnm run -d --name keep --network pr7 -- sleep 3600
	run -0 cnm network prune -f
	[ "$(echo "$output" | grep -c "^pr")" = 259 ]
	[ "$(cnm network ls -q -f type=custom | wc -l)" = 1 ]
	[ "$(cnm network ls -f type=custom --format json | jq -r .Name)" = pr7 ]
}

@test "prune --filter label=, label!= and until= choose among the unused networks, as Docker's" {
	cnm network create --label team=a --label tier=db --subnet 10.92.0.0/24 pa >/dev/null
	cnm network create --label team=a --subnet 10.92.1.0/24 pb >/dev/null
	cnm network create --label team=b --subnet 10.92.2.0/24 pc >/dev/null
	cnm network create --label team=a --subnet 10.92.3.0/24 pd >/dev/null
	cnm run -d --name pu --network pd -- sleep 3600
	# every label= must match, no label!= may; pd is in use
	run -0 cnm network prune -f --filter label=team=a --filter label!=tier
	[ "$output" = "$(printf 'Deleted Networks:\npb')" ]
	# until=: created before the time; nothing is that old, then everything is
	run -0 cnm network prune -f --filter until=1h
	[ -z "$output" ]
	run -0 cnm network prune -f --filter "until=$(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)" --filter label=team
	[ "$output" = "$(printf 'Deleted Networks:\npa\npc')" ]
	[ "$(cnm network ls -q -f type=custom | wc -l)" = 1 ]
	run -2 cnm network prune -f --filter until=yesterday
	[[ "$output" =~ "invalid filter 'until=yesterday'" ]]
	run -2 cnm network prune -f --filter dangling=true
	[[ "$output" =~ "invalid filter 'dangling=true': use until=, label= or label!=" ]]
}
