# invariants.bash - check_invariants: the store and the kernel agree.
# Reusable by any bats file (crash, concurrency, CNI): `load invariants`.
# Call it when no cnm command is in flight.  It prints what is wrong and
# fails; the kernel's background teardown of released namespaces is waited
# for (bounded), everything else must hold at once.
#
#   CNM_OTHER_STATE_DIRS="dir ..."  other stores sharing the firewall table
#   CNM_FOREIGN_NETNS="ext other"  names under /run/netns that are not cnm's
#                                  (a CNI runtime's namespaces, test hosts)
# CNI sandboxes (network_mode "cni": no process of cnm's, the runtime's
# namespace) are held to the same rows, veths, addresses and firewall
# elements; their process and mount are not cnm's to check.

inv_db() { sqlite3 -readonly "$CNM_STATE_DIR/cnm.db" "$@"; }

# The same query over this store and every other store sharing the host's
# one firewall table (CNM_OTHER_STATE_DIRS="dir ...", e.g. the CNI plugin's).
inv_db_all() {
	local d
	for d in "$CNM_STATE_DIR" ${CNM_OTHER_STATE_DIRS:-}; do
		[ -e "$d/cnm.db" ] && sqlite3 -readonly "$d/cnm.db" "$@"
	done
}

inv_fail() { echo "invariant: $*" >&2; inv_bad=1; }

# Host veths on a cnm bridge that no endpoint names (normally empty).
inv_orphan_veths() {
	local bridges names
	bridges=$(inv_db "SELECT bridge FROM networks WHERE bridge IS NOT NULL" | sort)
	names=$(inv_db "SELECT host_ifname FROM endpoints WHERE host_ifname IS NOT NULL" | sort)
	ip -j link show type veth | jq -r '.[] | select(.master != null) | .ifname + " " + .master' |
	while read -r ifname master; do
		grep -qx -- "$master" <<<"$bridges" || continue
		grep -qx -- "$ifname" <<<"$names" || echo "$ifname"
	done
}

check_invariants() {
	local inv_bad=0 r
	# the store itself, in one query: each row is a violation
	r=$(inv_db "SELECT 'integrity_check: ' || integrity_check FROM pragma_integrity_check
			WHERE integrity_check != 'ok'
		UNION ALL SELECT 'foreign_key_check: ' || \"table\" FROM pragma_foreign_key_check
		UNION ALL SELECT 'container left creating: ' || name FROM containers WHERE state = 'creating'
		UNION ALL SELECT 'stopped container holding addresses or ports: ' || name FROM containers c
			WHERE c.state != 'running' AND
			(EXISTS (SELECT 1 FROM endpoints e WHERE e.container_id = c.id) OR
			 EXISTS (SELECT 1 FROM ports p WHERE p.container_id = c.id))
		UNION ALL SELECT 'duplicate address: ' || addr FROM endpoints WHERE addr IS NOT NULL
			GROUP BY network_id, addr HAVING count(*) > 1")
	[ -z "$r" ] || inv_fail "$r"

	# every running container: process, mount, veth on its bridge, address
	# inside (one listing of the host's links and one of every namespace's
	# addresses: this runs with many containers)
	local running hostlinks nsaddrs id name pid ifname host addr bridge
	running=$(inv_db "SELECT name FROM containers WHERE state = 'running'" | sort)
	hostlinks=$(ip -j link | jq -r '.[] | .ifname + " " + (.master // "-")')
	nsaddrs=$(ip -all netns exec ip -o addr show scope global 2>/dev/null |
		awk '/^netns: /{ns=$2; next} NF>=4 {split($4, a, "/"); print ns, $2, a[1]}')
	while IFS='|' read -r id name pid; do
		[ -n "$id" ] || continue
		[ -d "/proc/$pid" ] || inv_fail "container $name: process $pid is gone"
		mountpoint -q "/run/netns/$name" || inv_fail "container $name: /run/netns/$name not mounted"
	done < <(inv_db "SELECT id, name, pid FROM containers WHERE state = 'running'
		AND network_mode != 'cni'")
	local mode
	while IFS='|' read -r name ifname host addr bridge mode; do
		[ -n "$host" ] || continue
		grep -qx -- "$host $bridge" <<<"$hostlinks" ||
			inv_fail "container $name: $host is not a port of $bridge"
		[ -z "$addr" ] || [ "$mode" = cni ] || grep -qx -- "$name $ifname $addr" <<<"$nsaddrs" ||
			inv_fail "container $name: $ifname lacks $addr"
	done < <(inv_db "SELECT c.name, e.ifname, e.host_ifname, e.addr, n.bridge, c.network_mode
		FROM endpoints e JOIN networks n ON n.id = e.network_id
		JOIN containers c ON c.id = e.container_id WHERE c.state = 'running'")

	# no address inside two container namespaces at once
	r=$(while read -r ns _ a; do
		case " ${CNM_FOREIGN_NETNS:-} " in *" $ns "*) continue ;; esac
		echo "$a"
	done <<<"$nsaddrs" | sort | uniq -d)
	[ -z "$r" ] || inv_fail "address in two namespaces: $r"

	# /run/netns: every entry is a running container's (or declared foreign)
	for f in /run/netns/*; do
		[ -e "$f" ] || continue
		name=$(basename "$f")
		case " ${CNM_FOREIGN_NETNS:-} " in *" $name "*) continue ;; esac
		grep -qx -- "$name" <<<"$running" || inv_fail "/run/netns/$name belongs to no running container"
	done

	# networks in use, and those made by `network create`, have their bridge
	# (the default bridge and a CNI store's networks get theirs on first use)
	for b in $(inv_db "SELECT n.bridge FROM networks n WHERE n.driver = 'bridge' AND
		(n.builtin = 0 AND EXISTS (SELECT 1 FROM networks WHERE builtin = 1) OR
		 EXISTS (SELECT 1 FROM endpoints e WHERE e.network_id = n.id))"); do
		grep -q "^$b " <<<"$hostlinks" || inv_fail "bridge $b is missing"
	done

	# monitors: each waits for a container the store knows
	local monitors
	monitors=$(inv_db "SELECT monitor_pid FROM containers WHERE state = 'running'")
	for p in $(pgrep -x cnm-monitor); do
		grep -qx "$p" <<<"$monitors" || [ -z "$(cat /proc/$p/task/$p/children 2>/dev/null)" ] ||
			inv_fail "monitor $p has no container in the store"
	done

	# the firewall: published ports = the port rows of running containers,
	# bridges = the bridges of the store's networks that exist
	local table want have
	table=$(nft -j list table inet cnm 2>/dev/null) || table=
	want=$(inv_db_all "SELECT p.host_port FROM ports p JOIN containers c ON c.id = p.container_id
		WHERE c.state = 'running'" | sort -n)
	if [ -n "$table" ]; then
		have=$(jq -r '.nftables[] | .map | select(. != null) | select(.name | startswith("ports")) |
			.elem // [] | .[] | .[0].elem.val.concat[-1]' <<<"$table" | sort -n)
		[ "$want" = "$have" ] || inv_fail "published ports: store [$(echo $want)] nft [$(echo $have)]"
		want=$(for b in $(inv_db_all "SELECT bridge FROM networks WHERE bridge IS NOT NULL"); do
			grep -q "^$b " <<<"$hostlinks" && echo "$b"; done | sort)
		have=$(jq -r '.nftables[] | .set | select(. != null) | select(.name == "bridges") |
			.elem // [] | .[] | .elem.val' <<<"$table" | sort)
		[ "$want" = "$have" ] || inv_fail "bridges set: store [$(echo $want)] nft [$(echo $have)]"
	else
		[ -z "$want" ] || inv_fail "no table inet cnm, yet $(echo "$want" | wc -l) published ports"
	fi

	# veths: none left on a cnm bridge without an endpoint (the kernel may
	# still be destroying released namespaces: wait for that, bounded)
	wait_until 10 bash -c "source '$BATS_TEST_DIRNAME/invariants.bash'; [ -z \"\$(inv_orphan_veths)\" ]" ||
		inv_fail "veths without an endpoint: $(inv_orphan_veths | tr '\n' ' ')"
	return $inv_bad
}
