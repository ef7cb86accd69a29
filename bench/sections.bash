# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# bench/sections.bash - the bench's sections beyond one attach: published
# ports, scale, parallel attaches and the data plane (issues 4 and 7).
# Sourced by bench/run inside its sandbox, after bench/peers.bash.
#
# Every sample goes to $S/KEY as an integer, like the attach loop's: times
# in microseconds, throughput in Mbit/s (UNIT[KEY]=mbps), counts
# (UNIT[KEY]=count).  A measurement that was not made leaves no sample and
# a reason in NOTRUN[KEY]; the table prints it as "skipped (reason)".
#
# Peers with published ports, or at 1,000 containers, can take minutes: a
# size is run only when the previous size, scaled linearly, stays under
# PEER_LIMIT seconds (5 minutes) each way, and every peer command runs under
# `timeout PEER_LIMIT`; what was cut is said in the table.

declare -A UNIT NOTRUN
PEER_LIMIT=300
# the largest port count a peer is tried with (the 5-minute rule still
# applies below it); 10,000 may take the peers up to 5 minutes each way
PEER_MAX_PORTS=${BENCH_PEER_MAX_PORTS:-1000}
PORT_SIZES=(1 100 1000 10000)

rec_count() { UNIT[$1]=count; record "$1" "$2"; }
# section_done NAME T0: how long section NAME took since T0 ($SECONDS)
declare -A SECTION_S
section_done() {
	SECTION_S[$1]=$((SECONDS - $2))
	echo "bench: $1 took ${SECTION_S[$1]} s"
}
now_us() { echo "${EPOCHREALTIME/[.,]/}"; }

# ---- published ports -----------------------------------------------------
# One container with 1, 100, 1,000 and 10,000 ports (10000-...), start and
# remove; nftables objects (chains, rules, set and map elements) and
# processes it adds, besides its own, counted on the first repetition.

ports_cnm() {
	local s r spec reps=$N nb pb
	[ "$QUICK" = 1 ] && reps=5
	for s in "${PORT_SIZES[@]}"; do
		spec=$(port_spec "$s")
		for ((r = 1; r <= reps; r++)); do
			[ "$r" = 1 ] && { nb=$(nft_objects); pb=$(nprocs); }
			timed "$W/id" "$CNM" run -d -p "$spec" -- sleep 600
			cnm_must "cnm run -d -p $spec -- sleep 600"
			record "cnm_ports_${s}_up" "$T"
			if [ "$r" = 1 ]; then
				rec_count "cnm_ports_${s}_nft" $(($(nft_objects) - nb))
				rec_count "cnm_ports_${s}_procs" $(($(nprocs) - pb - 1))
			fi
			timed /dev/null "$CNM" rm -f "$(<"$W/id")"
			cnm_must "cnm rm -f (container with $s ports)"
			record "cnm_ports_${s}_down" "$T"
			settle
		done
	done
	# peak RSS of the largest start, for the footprint
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$W/rss10k" "$CNM" run -d -p "$(port_spec 10000)" -- sleep 600 \
			>"$W/id" 2>>"$ERRLOG" && "$CNM" rm -f "$(<"$W/id")" >/dev/null 2>>"$ERRLOG"
		PEAK_RSS_10K_KB=$(tail -n 1 "$W/rss10k")
		settle
	fi
}

# ports_peer TOOL UP DOWN: TOOL's rows at each size; UP S R and DOWN S R are
# functions that start and remove one container with S ports (R = rep).
ports_peer() {
	local tool=$1 up=$2 down=$3 s r reps prev_s=0 prev_us=0 cut="" nb pb t_up t_down
	for s in "${PORT_SIZES[@]}"; do
		if [ -n "$cut" ]; then
			NOTRUN[${tool}_ports_${s}_up]=$cut
			continue
		fi
		if [ "$QUICK" = 1 ] && [ "$s" -gt 100 ]; then
			NOTRUN[${tool}_ports_${s}_up]="quick mode: peers only at 1 and 100 ports"
			continue
		fi
		if [ "$s" -gt "$PEER_MAX_PORTS" ]; then
			NOTRUN[${tool}_ports_${s}_up]="not tried: above BENCH_PEER_MAX_PORTS=$PEER_MAX_PORTS$([ "$prev_s" -gt 0 ] &&
				echo "; $prev_s took $((prev_us / 1000000)) s one way, linearly ~$((prev_us / prev_s * s / 1000000)) s")"
			continue
		fi
		if [ "$prev_s" -gt 0 ] && [ $((prev_us / prev_s * s / 1000000)) -gt "$PEER_LIMIT" ]; then
			cut="$prev_s ports took $((prev_us / 1000000)) s one way; $s would take over 5 minutes"
			NOTRUN[${tool}_ports_${s}_up]=$cut
			continue
		fi
		reps=1
		[ "$s" = 1 ] && reps=$([ "$QUICK" = 1 ] && echo 5 || echo 10)
		[ "$s" = 100 ] && [ "$QUICK" = 0 ] && reps=3
		for ((r = 1; r <= reps; r++)); do
			[ "$r" = 1 ] && { nb=$(nft_objects); pb=$(nprocs); }
			$up "$s" "$r"
			t_up=$T
			if [ "$RC" != 0 ]; then
				cut="$([ "$RC" = 124 ] && echo "timed out after 5 minutes" || echo "failed (exit $RC)") starting with $s ports"
				NOTRUN[${tool}_ports_${s}_up]=$cut
				$down "$s" "$r" # best effort, untimed
				break
			fi
			record "${tool}_ports_${s}_up" "$t_up"
			if [ "$r" = 1 ]; then
				rec_count "${tool}_ports_${s}_nft" $(($(nft_objects) - nb))
				# a CNI or netavark "container" is only a namespace: no process of its own
				rec_count "${tool}_ports_${s}_procs" $(($(nprocs) - pb - $([ "$tool" = docker ] && echo 1 || echo 0)))
				[ "$tool" = docker ] && rec_count "docker_ports_${s}_proxies" "$(pgrep -c docker-proxy || true)"
			fi
			$down "$s" "$r"
			t_down=$T
			if [ "$RC" != 0 ]; then
				cut="$([ "$RC" = 124 ] && echo "timed out after 5 minutes" || echo "failed (exit $RC)") removing $s ports"
				NOTRUN[${tool}_ports_${s}_down]=$cut
				break
			fi
			record "${tool}_ports_${s}_down" "$t_down"
			settle
		done
		[ -n "$cut" ] && continue
		prev_s=$s
		prev_us=$((t_up > t_down ? t_up : t_down))
	done
}

# the CNI chain: a fresh namespace per container, made untimed; its process
# count has no container process, so one is added back to compare alike
cnip_up() {
	ip netns add "cnip$2"
	chain_conf "$W/chain-p$1" cnibench-p cni1 10.87.0.0/16 "$(portmap_json "$1")"
	TMO=$PEER_LIMIT timed /dev/null cni_chain ADD "cnip$2" "/run/netns/cnip$2" "$W/chain-p$1"
	LIVE=$((LIVE + 1))
}
cnip_down() {
	TMO=$PEER_LIMIT timed /dev/null cni_chain DEL "cnip$2" "/run/netns/cnip$2" "$W/chain-p$1"
	ip netns del "cnip$2"
	LIVE=$((LIVE - 1))
}
nvp_up() { # netavark, ports as podman sends -p A-B:A-B (one range entry)
	ip netns add "nvp$2"
	nv_ports_opts "$((500000 + $2))" 10.89.200.2 "${NVP_MODE:-range}" "$1" >"$W/nvp$2.json"
	timed /dev/null timeout "$PEER_LIMIT" "$NETAVARK" --config /run/netavark setup "/run/netns/nvp$2" <"$W/nvp$2.json"
	LIVE=$((LIVE + 1))
}
nvp_down() {
	timed /dev/null timeout "$PEER_LIMIT" "$NETAVARK" --config /run/netavark teardown "/run/netns/nvp$2" <"$W/nvp$2.json"
	ip netns del "nvp$2"
	LIVE=$((LIVE - 1))
}
nvpe_up() { NVP_MODE=each nvp_up "$@"; }
dkp_up() {
	timed "$W/did" timeout "$PEER_LIMIT" docker run -d -p "$(port_spec "$1")" cnm-bench:latest sleep 600
	LIVE=$((LIVE + 1))
}
dkp_down() {
	timed /dev/null timeout "$PEER_LIMIT" docker rm -f "$(<"$W/did")"
	LIVE=$((LIVE - 1))
}

bench_ports() {
	local t0=$SECONDS
	echo "bench: published ports (cnm at ${PORT_SIZES[*]}; peers while under 5 minutes)..."
	ports_cnm
	if [ "$CNI_OK" = 1 ]; then ports_peer cni cnip_up cnip_down; fi
	if [ "$NV_OK" = 1 ]; then
		ports_peer nvrange nvp_up nvp_down
		ports_peer nveach nvpe_up nvp_down
	fi
	section_done ports "$t0"
}

# ---- scale ---------------------------------------------------------------
# SCALE containers on one bridge, one after the other; the attach time of
# the first 50 against the last 50, the nftables objects at the end, the
# memory each container takes (MemAvailable before and after, so the other
# users of a shared machine add noise), then every removal.
#
# Docker runs last, with its dockerd started just before and stopped just
# after.  Each of its containers costs a containerd-shim (13 MB RSS, about
# 2.5 MB of it private) plus the kernel's share: about 5 MB here.  Its size
# is SCALE unless memory says otherwise: after 50 containers the cost per
# container so far is projected to the full size, and the size is cut (to a
# multiple of 50) so that MemAvailable stays above SCALE_MEM_RESERVE_KB; it
# also stops at once if MemAvailable falls below half of that.  The table
# then says which size ran and why.

SCALE=1000
SCALE_MEM_RESERVE_KB=$((4 * 1024 * 1024))
mem_avail_kb() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
# scale_floor KEY BRIDGE: the kernel's own wiring of a container onto BRIDGE
# (build/bench/floor in cnm's way, 30 times, each torn down), its median
# recorded as one sample of KEY: what the bridge's size costs the kernel
scale_floor() {
	local out
	out=$("$FLOOR" 30 "$2" 2>>"$ERRLOG" | tail -n 1) || { NOTRUN[$1]="floor on $2 failed"; return; }
	record "$1" "$(echo "$out" | sed -n 's/.*"floor_wire_us":\([0-9]*\).*/\1/p')"
}

# scale_tool TOOL: cnm, cni (the reference chain), cnmcni (cnm's CNI mode)
# or docker; Docker's size can be cut (DK_SCALE, DK_SCALE_WHY)
scale_tool() {
	local tool=$1 k ids=() t0 nb n=$SCALE m0 m per
	nb=$(nft_objects)
	m0=$(mem_avail_kb)
	for ((k = 1; k <= n; k++)); do
		if [ "$tool" = cnm ]; then
			timed "$W/id" "$CNM" run -d -- sleep 3600
			cnm_must "cnm run -d -- sleep 3600 (container $k of $n)"
			ids+=("$(<"$W/id")")
			# the kernel's own share on cnm0, as for the CNI mode below
			if [ "$k" = 1 ] || [ "$k" = "$n" ]; then
				local tr=$T
				scale_floor "scale_floor_cnm_$([ "$k" = 1 ] && echo first || echo last)" cnm0
				T=$tr
			fi
		elif [ "$tool" = cnmcni ]; then
			ip netns add "sm$k"
			timed /dev/null cnm_cni ADD "sm$k" "$W/cnmcni-scale.json"
			cnm_must "cnm CNI ADD (container $k of $n)"
			# the kernel's own share, at the first port and at the last
			if [ "$k" = 1 ] || [ "$k" = "$n" ]; then
				local tk=$T
				scale_floor "scale_floor_$([ "$k" = 1 ] && echo first || echo last)" cnmcni1
				T=$tk
			fi
		elif [ "$tool" = docker ]; then
			timed "$W/did" docker run -d cnm-bench:latest sleep 3600
			if [ "$RC" != 0 ]; then
				NOTRUN[scale_docker_first]="docker run failed at container $k: $(tail -n 1 "$ERRLOG")"
				SCALE_DONE=$((k - 1))
				break
			fi
			ids+=("$(<"$W/did")")
		else
			ip netns add "sc$k"
			timed /dev/null cni_chain ADD "sc$k" "/run/netns/sc$k" "$W/chain-p0"
			if [ "$RC" != 0 ]; then
				NOTRUN[scale_${tool}_first]="CNI ADD failed at container $k: $(tail -n 1 "$ERRLOG")"
				ip netns del "sc$k"
				SCALE_DONE=$((k - 1))
				break
			fi
		fi
		[ "$k" -le 50 ] && record "scale_${tool}_first" "$T"
		[ "$k" -gt $((n - 50)) ] && record "scale_${tool}_last" "$T"
		record "scale_${tool}_up" "$T"
		LIVE=$((LIVE + 1))
		[ "$tool" = docker ] || continue
		# Docker's memory guard (see above)
		m=$(mem_avail_kb)
		if [ "$k" = 50 ] && [ "$n" -gt 100 ]; then
			per=$(((m0 - m) / 50))
			if [ "$per" -gt 0 ] && [ $((m - per * (n - 50))) -lt "$SCALE_MEM_RESERVE_KB" ]; then
				n=$(((50 + (m - SCALE_MEM_RESERVE_KB) / per) / 50 * 50))
				[ "$n" -lt 100 ] && n=100
				DK_SCALE_WHY="cut from $SCALE: $((per / 1024)) MB per container after 50, $((m / 1024)) MB available"
			fi
		fi
		if [ "$m" -lt $((SCALE_MEM_RESERVE_KB / 2)) ]; then
			DK_SCALE_WHY="stopped at $k of $n: MemAvailable $((m / 1024)) MB"
			NOTRUN[scale_docker_last]=$DK_SCALE_WHY
			SCALE_DONE=$k
			break
		fi
	done
	[ "$tool" = docker ] && DK_SCALE=${SCALE_DONE:-$n}
	rec_count "scale_${tool}_nft" "$(nft_objects)"
	rec_count "scale_${tool}_nft_added" $(($(nft_objects) - nb))
	UNIT[scale_${tool}_mem]=KiB
	record "scale_${tool}_mem" $(((m0 - $(mem_avail_kb)) / ${SCALE_DONE:-n}))
	t0=$(now_us)
	for ((k = 1; k <= ${SCALE_DONE:-n}; k++)); do
		if [ "$tool" = cnm ]; then
			timed /dev/null "$CNM" rm -f "${ids[$((k - 1))]}"
			cnm_must "cnm rm -f (container $k of $n)"
		elif [ "$tool" = cnmcni ]; then
			timed /dev/null cnm_cni DEL "sm$k" "$W/cnmcni-scale.json"
			cnm_must "cnm CNI DEL (container $k of $n)"
			ip netns del "sm$k"
		elif [ "$tool" = docker ]; then
			timed /dev/null docker rm -f "${ids[$((k - 1))]}"
		else
			timed /dev/null cni_chain DEL "sc$k" "/run/netns/sc$k" "$W/chain-p0"
			ip netns del "sc$k"
		fi
		record "scale_${tool}_down" "$T"
		LIVE=$((LIVE - 1))
	done
	record "scale_${tool}_down_total" $(($(now_us) - t0))
	unset SCALE_DONE
	settle
}

bench_scale() {
	local t0=$SECONDS
	[ "$QUICK" = 1 ] && SCALE=200
	echo "bench: scale, $SCALE containers on one bridge (cnm$([ "$CNI_OK" = 1 ] && echo ", CNI chain")$([ "$CNMCNI_OK" = 1 ] && echo ", cnm's CNI mode")$([ "$DK_OK" = 1 ] && echo ", Docker"))..."
	scale_tool cnm
	if [ "$CNI_OK" = 1 ]; then
		chain_conf "$W/chain-p0" cnibench-p cni1 10.87.0.0/16 '[]'
		scale_tool cni
	fi
	if [ "$CNMCNI_OK" = 1 ]; then
		# the chain above masquerades and publishes: so does this one
		cnmcni_conf cnmcni-s cnmcni1 10.85.0.0/16 |
			jq -c '.ipMasq = true | .capabilities = {portMappings: true}' >"$W/cnmcni-scale.json"
		scale_tool cnmcni
	fi
	if [ "$DK_OK" = 1 ] && [ "${BENCH_DOCKER_SCALE:-1}" = 0 ]; then
		# its 1,000 containers alone take ~13 minutes here
		NOTRUN[scale_docker_first]="skipped (BENCH_DOCKER_SCALE=0)"
	elif [ "$DK_OK" = 1 ]; then
		# a dockerd of its own, in the sandbox, for this tool only
		docker_start
		[ "$DK_OK" = 1 ] && scale_tool docker
		docker_stop
	fi
	section_done scale "$t0"
}

# ---- parallel ------------------------------------------------------------
# 20 attaches started at once: the wall time until the last ends, the
# failures and the addresses handed out twice; then 20 removals at once.

PAR=20
# par_run KEY CMD...: CMD K run for K = 1..PAR at once; sets PAR_FAIL
par_run() {
	local key=$1 k t0 pids=()
	shift
	rm -f "$W"/par/*.rc
	mkdir -p "$W/par"
	t0=$(now_us)
	for ((k = 1; k <= PAR; k++)); do
		{ "$@" "$k" >"$W/par/$k.out" 2>>"$ERRLOG"; echo $? >"$W/par/$k.rc"; } &
		pids+=($!)
	done
	wait "${pids[@]}"
	record "$key" $(($(now_us) - t0))
	PAR_FAIL=$(cat "$W"/par/*.rc | grep -cv '^0$' || true)
}

par_cnm_up() { "$CNM" run -d -- sleep 600; }
par_cnm_down() { "$CNM" rm -f "$(<"$W/par/$1.id")"; }
par_cni_up() { cni_chain ADD "pc$1" "/run/netns/pc$1" "$W/chain-p0"; }
par_cni_down() { cni_chain DEL "pc$1" "/run/netns/pc$1" "$W/chain-p0"; }
par_cnmcni_up() { cnm_cni ADD "pm$1"; }
par_cnmcni_down() { cnm_cni DEL "pm$1"; }
# netavark, three ways (NV_PAR_MODE):
#   nv      called directly, on the network of the anchor container, which
#           stays up: the bridge and the network's firewall chains exist
#           throughout (netavark's own concurrency, in steady use);
#   nvlock  as podman runs it: podman holds one lock file (netavark.lock)
#           around every netavark setup and teardown, so 20 `podman run` at
#           once reach netavark one at a time; here flock(1) on one file,
#           on a network with no other container;
#   nvbare  called directly, on a network with no other container: the
#           first setups race to create the bridge and the network's
#           chains, and each teardown that finds the bridge without ports
#           deletes it under the others.  This is the case that fails.
NV_PAR_MODE=nv
par_nv() { # par_nv setup|teardown K
	local cfg=/run/netavark
	case $NV_PAR_MODE in
	nv) ;;
	nvlock)
		flock "$W/nvlock/netavark.lock" "$NETAVARK" --config "$W/nvlock" "$1" "/run/netns/pn$2" <"$W/pn$2.json"
		return ;;
	*) cfg=$W/$NV_PAR_MODE ;;
	esac
	"$NETAVARK" --config "$cfg" "$1" "/run/netns/pn$2" <"$W/pn$2.json"
}
par_nv_up() { par_nv setup "$1"; }
par_nv_down() { par_nv teardown "$1"; }
# par_nv_opts K: the options of container K in the current mode; the two
# modes without the anchor have networks of their own (bridge, subnet, id)
par_nv_opts() {
	case $NV_PAR_MODE in
	nv) nv_opts "$((700000 + $1))" "10.89.201.$1" ;;
	nvlock) nv_opts "$((710000 + $1))" "10.91.201.$1" | sed 's/nvbench/nvlock/g; s/nvbr0/nvbr2/; s/10\.89\./10.91./g; s/"id":"53ce/"id":"91ce/' ;;
	nvbare) nv_opts "$((720000 + $1))" "10.90.201.$1" | sed 's/nvbench/nvbare/g; s/nvbr0/nvbr1/; s/10\.89\./10.90./g; s/"id":"53ce/"id":"90ce/' ;;
	esac
}
# par_nv_rounds MODE REPS: REPS rounds of PAR setups at once, then PAR
# teardowns at once; the removal failures counted are those of containers
# whose setup succeeded; the firewall objects left after each round, once
# every container is gone (what failed is torn down again, one at a time),
# are counted against those before the first round
par_nv_rounds() {
	local r k nb failed
	NV_PAR_MODE=$1
	mkdir -p "$W/$1"
	nb=$(nft_objects)
	for ((r = 1; r <= $2; r++)); do
		for ((k = 1; k <= PAR; k++)); do
			ip netns add "pn$k"
			par_nv_opts "$k" >"$W/pn$k.json"
		done
		par_run "par_$1_up" par_nv_up
		rec_count "par_$1_up_fail" "$PAR_FAIL"
		rec_count "par_$1_dup" 0 # static addresses: podman does the IPAM
		for ((k = 1; k <= PAR; k++)); do mv "$W/par/$k.rc" "$W/par/$k.uprc"; done
		par_run "par_$1_down" par_nv_down
		failed=0
		for ((k = 1; k <= PAR; k++)); do
			[ "$(<"$W/par/$k.uprc")" = 0 ] && [ "$(<"$W/par/$k.rc")" != 0 ] && failed=$((failed + 1))
		done
		rec_count "par_$1_down_fail" "$failed"
		for ((k = 1; k <= PAR; k++)); do
			[ "$(<"$W/par/$k.rc")" = 0 ] || par_nv_down "$k" >/dev/null 2>&1
			ip netns del "pn$k"
		done
		rec_count "par_$1_left" $(($(nft_objects) - nb))
		settle
	done
	NV_PAR_MODE=nv
}

# Docker: dockerd does the IPAM and serialises what it must itself
par_docker_up() { docker run -d cnm-bench:latest sleep 600; }
par_docker_down() { docker rm -f "$(<"$W/par/$1.id")"; }

bench_parallel() {
	local r k reps=$N preps=10 t0=$SECONDS
	[ "$QUICK" = 1 ] && { reps=5; preps=3; }
	echo "bench: $PAR attaches at once (cnm x$reps$([ "$CNI_OK" = 1 ] && echo ", CNI chain x$preps")$([ "$NV_OK" = 1 ] && echo ", netavark 3 ways x$preps")$([ "$CNMCNI_OK" = 1 ] && echo ", cnm's CNI mode x$preps")$([ "$DK_OK" = 1 ] && echo ", Docker x$preps"))..."
	for ((r = 1; r <= reps; r++)); do
		par_run par_cnm_up par_cnm_up
		rec_count par_cnm_up_fail "$PAR_FAIL"
		for ((k = 1; k <= PAR; k++)); do mv "$W/par/$k.out" "$W/par/$k.id"; done
		# shellcheck disable=SC2046
		rec_count par_cnm_dup "$("$CNM" inspect $(cat "$W"/par/*.id) 2>>"$ERRLOG" |
			jq -r '.[].NetworkSettings.IPAddress' | sort | uniq -d | wc -l)"
		par_run par_cnm_down par_cnm_down
		rec_count par_cnm_down_fail "$PAR_FAIL"
		settle
	done
	if [ "$CNI_OK" = 1 ]; then
		# the scale section makes this netconf; --only parallel runs without it
		[ -e "$W/chain-p0" ] || chain_conf "$W/chain-p0" cnibench-p cni1 10.87.0.0/16 '[]'
		for ((r = 1; r <= preps; r++)); do
			for ((k = 1; k <= PAR; k++)); do ip netns add "pc$k"; done
			par_run par_cni_up par_cni_up
			rec_count par_cni_up_fail "$PAR_FAIL"
			rec_count par_cni_dup "$(cat "$W"/cnires/pc* 2>/dev/null | jq -r '.ips[].address' | sort | uniq -d | wc -l)"
			par_run par_cni_down par_cni_down
			rec_count par_cni_down_fail "$PAR_FAIL"
			for ((k = 1; k <= PAR; k++)); do ip netns del "pc$k"; done
			settle
		done
	fi
	if [ "$NV_OK" = 1 ]; then
		par_nv_rounds nv "$preps"
		par_nv_rounds nvlock "$preps"
		par_nv_rounds nvbare "$preps"
	fi
	if [ "$CNMCNI_OK" = 1 ]; then
		for ((r = 1; r <= preps; r++)); do
			for ((k = 1; k <= PAR; k++)); do ip netns add "pm$k"; done
			par_run par_cnmcni_up par_cnmcni_up
			rec_count par_cnmcni_up_fail "$PAR_FAIL"
			rec_count par_cnmcni_dup "$(cat "$W"/par/*.out 2>/dev/null | jq -r '.ips[]?.address' | sort | uniq -d | wc -l)"
			par_run par_cnmcni_down par_cnmcni_down
			rec_count par_cnmcni_down_fail "$PAR_FAIL"
			for ((k = 1; k <= PAR; k++)); do ip netns del "pm$k"; done
			settle
		done
	fi
	if [ "$DK_OK" = 1 ]; then
		# last, with a dockerd of its own started just before
		docker_start
		for ((r = 1; r <= preps && DK_OK; r++)); do
			par_run par_docker_up par_docker_up
			rec_count par_docker_up_fail "$PAR_FAIL"
			for ((k = 1; k <= PAR; k++)); do mv "$W/par/$k.out" "$W/par/$k.id"; done
			# shellcheck disable=SC2046
			rec_count par_docker_dup "$(docker inspect -f '{{.NetworkSettings.IPAddress}}' $(cat "$W"/par/*.id) 2>>"$ERRLOG" |
				grep . | sort | uniq -d | wc -l)"
			par_run par_docker_down par_docker_down
			rec_count par_docker_down_fail "$PAR_FAIL"
			settle
		done
		docker_stop
	fi
	section_done parallel "$t0"
}
