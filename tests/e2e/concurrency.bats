#!/usr/bin/env bats
# Many cnm commands at once: each succeeds or fails cleanly, no address is
# handed out twice, no row is lost, the store and the kernel agree.

load helpers
load invariants

teardown() { cleanup_containers; }

@test "50 run -d and 50 rm -f at once on one network, with gc running among them" {
	cnm network create --subnet 10.61.0.0/24 conc >/dev/null
	for i in $(seq 1 50); do
		cnm run -d --name old$i --network conc -- sleep 1000 >/dev/null
	done
	out=$BATS_TEST_TMPDIR
	for i in $(seq 1 50); do
		(cnm run -d --name new$i --network conc -- sleep 1000 >"$out/new$i" 2>&1; echo $? >"$out/new$i.rc") </dev/null 3>&- &
		(cnm rm -f old$i >"$out/old$i" 2>&1; echo $? >"$out/old$i.rc") </dev/null 3>&- &
		# and gc in the middle of it all: it must leave runs in progress alone
		[ $((i % 17)) != 0 ] || (cnm gc >"$out/gc$i" 2>&1; echo $? >"$out/gc$i.rc") </dev/null 3>&- &
	done
	wait
	for f in "$out"/gc*.rc; do
		cat "${f%.rc}"
		[ "$(cat "$f")" = 0 ]
		! grep -q "repair failed\|interrupted\|is missing" "${f%.rc}"
	done
	ok_new=0 ok_old=0
	for i in $(seq 1 50); do
		rc=$(cat "$out/new$i.rc")
		if [ "$rc" = 0 ]; then
			ok_new=$((ok_new + 1))
		else
			echo "new$i: $rc $(cat "$out/new$i")"
			[ "$rc" = 125 ] && grep -q '^cnm: ' "$out/new$i"
		fi
		rc=$(cat "$out/old$i.rc")
		if [ "$rc" = 0 ]; then
			ok_old=$((ok_old + 1))
		else
			echo "old$i: $rc $(cat "$out/old$i")"
			[ "$rc" = 1 ] && grep -q '^cnm: ' "$out/old$i"
		fi
	done
	echo "runs ok: $ok_new, removals ok: $ok_old"
	# no lost row: what succeeded is there, what was removed is gone
	[ "$(cnm ps -q --filter name=new 2>/dev/null | wc -l || true)" -ge 0 ]
	[ "$(inv_db "SELECT count(*) FROM containers WHERE name LIKE 'new%' AND state = 'running'")" -eq "$ok_new" ]
	[ "$(inv_db "SELECT count(*) FROM containers WHERE name LIKE 'old%'")" -eq $((50 - ok_old)) ]
	[ "$(inv_db "SELECT count(DISTINCT addr) FROM endpoints e JOIN networks n ON n.id = e.network_id WHERE n.name = 'conc'")" -eq \
	  "$(inv_db "SELECT count(*) FROM endpoints e JOIN networks n ON n.id = e.network_id WHERE n.name = 'conc'")" ]
	check_invariants
	[ "$(cnm gc)" = "nothing to repair" ]
	# they talk to each other over the bridge
	a=$(cnm inspect new1 | jq -r '.[0].NetworkSettings.Networks.conc.IPAddress')
	cnm exec new50 ping -c1 -W2 "$a"
}

# connect commits its endpoint row before it makes the veth, disconnect
# deletes the veth before the row: a gc (or a network inspect, which runs
# one when a veth is missing) in between took the half-made endpoint for a
# broken one: it re-made the veth of a disconnect (an orphan holding a
# freed address) and raced a connect's own (which then failed).
@test "network connect and disconnect racing gc and network inspect: no orphan veth, connect succeeds" {
	cnm network create --subnet 10.62.0.0/24 racea >/dev/null
	cnm network create --subnet 10.63.0.0/24 -o com.docker.network.bridge.name=br-raceb raceb >/dev/null
	cnm run -d --name rc1 --network racea -- sleep 1000 >/dev/null
	for i in $(seq 1 15); do
		cnm network connect raceb rc1 & c=$!
		cnm gc >/dev/null
		wait $c
		cnm network disconnect raceb rc1 & c=$!
		cnm network inspect raceb >/dev/null
		cnm gc >/dev/null
		wait $c
		[ -z "$(ip -o link show master br-raceb)" ] || { echo "round $i: $(ip -o link show master br-raceb)" >&2; false; }
	done
	check_invariants
	[ "$(cnm gc)" = "nothing to repair" ]
	cnm network rm raceb >/dev/null
}
