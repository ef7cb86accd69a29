#!/usr/bin/env bats
# The seed walkthrough: default bridge, two containers, real packets, clean teardown.

load helpers

setup() { cleanup_containers; }
teardown() { cleanup_containers; }

@test "network ls lists bridge, host and none with 12-hex ids" {
	run cnm network ls
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NETWORK ID     NAME      DRIVER    SCOPE" ]
	[[ "${lines[1]}" =~ ^[0-9a-f]{12}\ \ \ bridge\ \ \ \ bridge\ \ \ \ local$ ]]
	[[ "${lines[2]}" =~ ^[0-9a-f]{12}\ \ \ host\ \ \ \ \ \ host\ \ \ \ \ \ local$ ]]
	[[ "${lines[3]}" =~ ^[0-9a-f]{12}\ \ \ none\ \ \ \ \ \ null\ \ \ \ \ \ local$ ]]
	[ "${#lines[@]}" -eq 4 ]
}

@test "two containers on cnm0 ping each other and the host pings them" {
	run cnm run -d --name test1 -- sleep 3600
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	cnm run -d --name test2 -- sleep 3600
	cnm exec test1 ping -c1 -W2 172.17.0.3
	cnm exec test2 ping -c1 -W2 172.17.0.2
	ping -c1 -W2 172.17.0.2
	ping -c1 -W2 172.17.0.3
}

@test "the container side is eth0@ifN with Docker's MAC, address and routes" {
	cnm run -d --name test1 -- sleep 3600
	run ip netns exec test1 ip -o link show eth0
	[[ "$output" =~ eth0@if[0-9]+: ]]
	[[ "$output" =~ link/ether\ 02:42:ac:11:00:02 ]]
	run ip netns exec test1 ip -o -4 addr show eth0
	[[ "$output" =~ inet\ 172.17.0.2/16 ]]
	run ip netns exec test1 ip route
	[[ "$output" =~ "default via 172.17.0.1 dev eth0" ]]
	[[ "$output" =~ "172.17.0.0/16 dev eth0 proto kernel scope link src 172.17.0.2" ]]
	run ip netns exec test1 ip -o link show lo
	[[ "$output" =~ LOOPBACK,UP ]]
	run ip -o -4 addr show cnm0
	[[ "$output" =~ inet\ 172.17.0.1/16 ]]
}

@test "ip netns list shows the containers and bridge link shows their veths on cnm0" {
	cnm run -d --name test1 -- sleep 3600
	cnm run -d --name test2 -- sleep 3600
	run ip netns list
	[[ "$output" =~ test1 ]]
	[[ "$output" =~ test2 ]]
	run bridge link
	[ "$(grep -c 'master cnm0' <<<"$output")" -eq 2 ]
	[[ "$output" =~ veth[0-9a-f]{7}@ ]]
}

@test "network inspect bridge is Docker's JSON with both containers" {
	id1=$(cnm run -d --name test1 -- sleep 3600)
	id2=$(cnm run -d --name test2 -- sleep 3600)
	run cnm network inspect bridge
	[ "$status" -eq 0 ]
	json="$output"
	[ "$(jq -r '.[0] | keys_unsorted | join(",")' <<<"$json")" = \
	  "Name,Id,Created,Scope,Driver,EnableIPv6,IPAM,Internal,Attachable,Ingress,ConfigFrom,ConfigOnly,Containers,Options,Labels" ]
	[[ "$(jq -r '.[0].Id' <<<"$json")" =~ ^[0-9a-f]{64}$ ]]
	[[ "$(jq -r '.[0].Created' <<<"$json")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z$ ]]
	[ "$(jq -r '.[0].IPAM.Config[0].Subnet' <<<"$json")" = 172.17.0.0/16 ]
	[ "$(jq -r '.[0].IPAM.Config[0].Gateway' <<<"$json")" = 172.17.0.1 ]
	[ "$(jq -r '.[0].IPAM.Options' <<<"$json")" = null ]
	[ "$(jq -r '.[0].EnableIPv6 | type' <<<"$json")" = boolean ]
	[ "$(jq -r ".[0].Containers[\"$id1\"].IPv4Address" <<<"$json")" = 172.17.0.2/16 ]
	[ "$(jq -r ".[0].Containers[\"$id2\"].IPv4Address" <<<"$json")" = 172.17.0.3/16 ]
	[ "$(jq -r ".[0].Containers[\"$id2\"].MacAddress" <<<"$json")" = 02:42:ac:11:00:03 ]
	[ "$(jq -r ".[0].Containers[\"$id1\"].Name" <<<"$json")" = test1 ]
	[ "$(jq -r '.[0].Options["com.docker.network.bridge.name"]' <<<"$json")" = cnm0 ]
	[ "$(jq -r '.[0].Options | length' <<<"$json")" = 6 ]
}

@test "rm -f leaves no veth, no namespace mount, no row, no monitor" {
	cnm run -d --name test1 -- sleep 3600
	cnm run -d --name test2 -- sleep 3600
	[ "$(veth_count)" -eq 2 ]
	run cnm rm -f test1 test2
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'test1\ntest2')" ]
	[ -z "$(ip netns list)" ]
	[ -z "$(cnm ps -aq)" ]
	[ -z "$(ls /run/cnm/containers)" ]
	run ! pgrep -f cnm-monitor
	run ! pgrep -x sleep
	wait_until 5 no_veths
}

@test "the address of a removed container is given to the next one" {
	cnm run -d --name test1 -- sleep 3600
	cnm run -d --name test2 -- sleep 3600
	cnm rm -f test1
	cnm run -d --name test3 -- sleep 3600
	[ "$(inspect_field test3 NetworkSettings.IPAddress)" = 172.17.0.2 ]
	cnm exec test3 ping -c1 -W2 172.17.0.3
}

@test "the container's exit code is propagated in the foreground" {
	run cnm run --name fg -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[ "$(inspect_field fg State.ExitCode)" = 3 ]
	[ "$(inspect_field fg State.Status)" = exited ]
	run cnm run --rm -- sh -c 'echo hello from $(hostname)'
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^hello\ from\ [0-9a-f]{12}$ ]]
}

@test "a detached container that exits by itself releases its address" {
	cnm run -d --name short -- true
	wait_until 5 sh -c '[ "$(cnm inspect short | jq -r ".[0].State.Status")" = exited ]'
	[ "$(inspect_field short NetworkSettings.IPAddress)" = "" ]
	[ -z "$(ip netns list)" ]
	cnm run -d --name next -- sleep 3600
	[ "$(inspect_field next NetworkSettings.IPAddress)" = 172.17.0.2 ]
	wait_until 5 sh -c '[ "$(ip -o link show type veth | wc -l)" -eq 1 ]'
}

@test "50 containers started and removed leave nothing behind" {
	for i in $(seq 1 50); do cnm run -d --name c$i -- sleep 3600 >/dev/null; done
	[ "$(cnm ps -q | wc -l)" -eq 50 ]
	[ "$(veth_count)" -eq 50 ]
	[ "$(inspect_field c50 NetworkSettings.IPAddress)" = 172.17.0.51 ]
	cnm exec c1 ping -c1 -W2 172.17.0.51
	cnm rm -f $(cnm ps -q) >/dev/null
	[ -z "$(cnm ps -aq)" ]
	[ -z "$(ip netns list)" ]
	[ "$(sqlite3 "$CNM_STATE_DIR/cnm.db" 'select count(*) from endpoints')" -eq 0 ]
	wait_until 10 no_veths
	run ! pgrep -f cnm-monitor
}

@test "a detached container keeps none of the caller's file descriptors" {
	# the pipe must reach EOF once cnm run -d returns: nothing may hold it open
	run sh -c 'cnm run -d --name fds -- sleep 3600 | cat'
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	pid=$(inspect_field fds State.Pid)
	[ "$(ls /proc/$pid/fd | sort -n | tr '\n' ' ')" = "0 1 2 " ]
}

@test "parallel runs get distinct addresses" {
	for i in $(seq 1 10); do cnm run -d --name p$i -- sleep 3600 >/dev/null & done
	wait
	[ "$(cnm ps -q | wc -l)" -eq 10 ]
	run sh -c "cnm network inspect bridge | jq -r '.[0].Containers[].IPv4Address' | sort -u | wc -l"
	[ "$output" -eq 10 ]
	[ "$(sqlite3 "$CNM_STATE_DIR/cnm.db" 'pragma integrity_check')" = ok ]
}
