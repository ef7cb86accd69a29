#!/usr/bin/env bats
# The state store between commands: the holder that keeps SQLite's WAL index
# valid (lib/storehold.c), when it leaves, and that the store stays whole.

load helpers
load invariants

holders() { pgrep -fc "^cnm _hold $1\$" || true; }
no_holder() { [ "$(holders "$1")" = 0 ]; }

# A network the restored store no longer knows: its bridge and elements go by hand.
forget_net() {
	ip link del "$1" 2>/dev/null || true
	nft delete element inet cnm bridges "{ \"$1\" }" 2>/dev/null || true
	nft delete element inet cnm nets4 "{ $2 }" 2>/dev/null || true
}

# Did the command rebuild the WAL index?  SQLite's first connection truncates
# the -shm file to 3 bytes before it rebuilds it (unixLockSharedMemory()).
rebuilds_index() {
	local log="$BATS_TEST_TMPDIR/strace"
	strace -f -e trace=ftruncate -o "$log" "$@" >/dev/null
	grep -q 'ftruncate([0-9]*, 3)' "$log"
}

@test "a command leaves one holder; the next commands do not rebuild the WAL index" {
	local dir="$BATS_TEST_TMPDIR/s1"
	export CNM_STATE_DIR=$dir
	cnm network ls -q >/dev/null
	wait_until 5 sh -c "[ \"\$(pgrep -fc '^cnm _hold $dir\$')\" = 1 ]"
	cnm network create --subnet 10.91.0.0/24 -o com.docker.network.bridge.name=br-hold hold >/dev/null
	cnm network ls -q >/dev/null
	[ "$(holders "$dir")" = 1 ]
	run ! rebuilds_index cnm network inspect hold
	# without it every command is the store's first connection again
	pkill -f "^cnm _hold $dir\$"
	wait_until 5 no_holder "$dir"
	CNM_STORE_LINGER=1 rebuilds_index cnm network inspect hold
	cnm network rm hold >/dev/null
}

@test "the holder leaves when the store is removed, and after CNM_STORE_LINGER idle seconds" {
	local dir="$BATS_TEST_TMPDIR/s2"
	CNM_STATE_DIR=$dir cnm network ls -q >/dev/null
	wait_until 5 sh -c "[ \"\$(pgrep -fc '^cnm _hold $dir\$')\" = 1 ]"
	rm -rf "$dir"
	wait_until 5 no_holder "$dir"
	CNM_STORE_LINGER=1 CNM_STATE_DIR=$dir cnm network ls -q >/dev/null
	wait_until 5 sh -c "[ \"\$(pgrep -fc '^cnm _hold $dir\$')\" = 1 ]"
	wait_until 10 no_holder "$dir"
}

@test "the holder keeps no capability and no directory of its starter; a relative state directory works" {
	mkdir "$BATS_TEST_TMPDIR/wd"
	(cd "$BATS_TEST_TMPDIR/wd" && CNM_STATE_DIR=rel cnm network ls -q >/dev/null)
	wait_until 5 sh -c "[ \"\$(pgrep -fc '^cnm _hold rel\$')\" = 1 ]"
	pid=$(pgrep -f '^cnm _hold rel$')
	# (it drops both once it holds the index: wait for that, not for a time)
	wait_until 5 sh -c "[ \"\$(readlink /proc/$pid/cwd)\" = / ]"
	wait_until 5 grep -q '^CapEff:	0000000000000000$' "/proc/$pid/status"
	grep -q '^CapBnd:	0000000000000000$' "/proc/$pid/status"
	# it watches the directory it was meant to: removing that ends it
	rm -rf "$BATS_TEST_TMPDIR/wd/rel"
	wait_until 5 sh -c "[ \"\$(pgrep -fc '^cnm _hold rel\$')\" = 0 ]"
}

# In $CNM_STATE_DIR=DIR: network keepN, a copy of the store, then network laterN.
keep_copy_later() {
	local dir=$1 n=$2
	export CNM_STATE_DIR=$dir
	cnm network create --subnet "10.9$n.1.0/24" -o "com.docker.network.bridge.name=br-keep$n" \
		"keep$n" >/dev/null
	mkdir "$dir.copy"
	cp "$dir/cnm.db" "$dir/cnm.db-wal" "$dir.copy"/
	cnm network create --subnet "10.9$n.2.0/24" -o "com.docker.network.bridge.name=br-later$n" \
		"later$n" >/dev/null
	[ "$(holders "$dir")" = 1 ]
}

# The store read now is the copy: keepN, no laterN, whole.  Then clean up.
reads_copy() {
	local n=$1
	run cnm network inspect "keep$n"
	[ "$status" -eq 0 ]
	run cnm network inspect "later$n"
	[ "$status" -ne 0 ]
	[ "$(sqlite3 "$CNM_STATE_DIR/cnm.db" 'PRAGMA integrity_check')" = ok ]
	forget_net "br-later$n" "10.9$n.2.0/24"
	cnm network rm "keep$n" >/dev/null
}

@test "a store restored in place while the holder runs is read from its own log" {
	local dir="$BATS_TEST_TMPDIR/s3"
	keep_copy_later "$dir" 2
	# copied over the same files: no file goes, the holder sees nothing
	cp "$dir.copy/cnm.db" "$dir/cnm.db"
	cp "$dir.copy/cnm.db-wal" "$dir/cnm.db-wal"
	# (the directory spelt otherwise than when the holder was started)
	export CNM_STATE_DIR="$dir/"
	reads_copy 2
}

@test "a store moved aside and restored while the holder runs is read from its own log" {
	local dir="$BATS_TEST_TMPDIR/s4"
	keep_copy_later "$dir" 5
	rm "$dir/cnm.db" "$dir/cnm.db-wal" "$dir/cnm.db-shm"
	cp "$dir.copy/cnm.db" "$dir.copy/cnm.db-wal" "$dir"/
	reads_copy 5
}

@test "writers killed at random moments while the holder runs leave a whole store" {
	cnm network ls -q >/dev/null
	# the holder execs in a grandchild the command does not wait for (storehold.c)
	wait_until 5 sh -c "[ \"\$(pgrep -fc '^cnm _hold $CNM_STATE_DIR\$')\" = 1 ]"
	for i in $(seq 1 40); do
		(exec cnm network create --subnet "10.97.$i.0/24" -o "com.docker.network.bridge.name=br-k$i" \
			"k$i" >/dev/null 2>&1) &
		p=$!
		sleep "$(printf 0.%03d $((RANDOM % 8)))" # the random delay under test, not synchronisation
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[ "$(holders "$CNM_STATE_DIR")" = 1 ]
	[ "$(sqlite3 "$CNM_STATE_DIR/cnm.db" 'PRAGMA integrity_check')" = ok ]
	run cnm network ls
	[ "$status" -eq 0 ]
	for n in $(cnm network ls -q --filter name=k); do cnm network rm "$n" >/dev/null; done
	cnm gc >/dev/null
	check_invariants
}

@test "twenty commands at once on a store that does not exist yet: one makes it, none finds it damaged" {
	for round in 1 2 3 4 5; do
		local dir="$BATS_TEST_TMPDIR/fresh$round" pids=""
		for i in $(seq 20); do
			(CNM_STATE_DIR=$dir cnm network ls -q >"$dir.out$i" 2>&1; echo $? >"$dir.rc$i") &
			pids="$pids $!"
		done
		for p in $pids; do wait "$p" || true; done
		for i in $(seq 20); do
			[ "$(cat "$dir.rc$i")" = 0 ] || { cat "$dir.out$i"; false; }
		done
	done
}
