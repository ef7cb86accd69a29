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
	echo "bench: published ports (cnm at ${PORT_SIZES[*]}; peers while under 5 minutes)..."
	ports_cnm
	if [ "$CNI_OK" = 1 ]; then ports_peer cni cnip_up cnip_down; fi
	if [ "$NV_OK" = 1 ]; then
		ports_peer nvrange nvp_up nvp_down
		ports_peer nveach nvpe_up nvp_down
	fi
}

# ---- scale ---------------------------------------------------------------
# SCALE containers on one bridge, one after the other; the attach time of
# the first 50 against the last 50, the nftables objects at the end, then
# every removal.

SCALE=1000
scale_tool() { # scale_tool TOOL: cnm or cni
	local tool=$1 k ids=() t0 nb
	nb=$(nft_objects)
	for ((k = 1; k <= SCALE; k++)); do
		if [ "$tool" = cnm ]; then
			timed "$W/id" "$CNM" run -d -- sleep 3600
			cnm_must "cnm run -d -- sleep 3600 (container $k of $SCALE)"
			ids+=("$(<"$W/id")")
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
		[ "$k" -gt $((SCALE - 50)) ] && record "scale_${tool}_last" "$T"
		record "scale_${tool}_up" "$T"
		LIVE=$((LIVE + 1))
	done
	rec_count "scale_${tool}_nft" "$(nft_objects)"
	rec_count "scale_${tool}_nft_added" $(($(nft_objects) - nb))
	t0=$(now_us)
	for ((k = 1; k <= ${SCALE_DONE:-SCALE}; k++)); do
		if [ "$tool" = cnm ]; then
			timed /dev/null "$CNM" rm -f "${ids[$((k - 1))]}"
			cnm_must "cnm rm -f (container $k of $SCALE)"
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
	[ "$QUICK" = 1 ] && SCALE=200
	echo "bench: scale, $SCALE containers on one bridge (cnm$([ "$CNI_OK" = 1 ] && echo ", CNI chain"))..."
	scale_tool cnm
	if [ "$CNI_OK" = 1 ]; then
		chain_conf "$W/chain-p0" cnibench-p cni1 10.87.0.0/16 '[]'
		scale_tool cni
	fi
	NOTRUN[scale_docker_first]="not run: $SCALE containerd-shims (~13 MB RSS each) on a shared machine"
	# PLACEHOLDER (lead): cnm as a CNI plugin (CNI_COMMAND, "type": "cnm") at
	# scale: same loop as the CNI chain with cnm_cni ADD/DEL, keys scale_cnmcni_*.
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
par_nv_up() { "$NETAVARK" --config /run/netavark setup "/run/netns/pn$1" <"$W/pn$1.json"; }
par_nv_down() { "$NETAVARK" --config /run/netavark teardown "/run/netns/pn$1" <"$W/pn$1.json"; }

bench_parallel() {
	local r k reps=$N preps=10
	[ "$QUICK" = 1 ] && { reps=5; preps=3; }
	echo "bench: $PAR attaches at once (cnm x$reps$([ "$CNI_OK" = 1 ] && echo ", CNI chain x$preps")$([ "$NV_OK" = 1 ] && echo ", netavark x$preps"))..."
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
		for ((r = 1; r <= preps; r++)); do
			for ((k = 1; k <= PAR; k++)); do
				ip netns add "pn$k"
				nv_opts "$((700000 + k))" "10.89.201.$k" >"$W/pn$k.json"
			done
			par_run par_nv_up par_nv_up
			rec_count par_nv_up_fail "$PAR_FAIL"
			rec_count par_nv_dup 0 # static addresses: podman does the IPAM
			par_run par_nv_down par_nv_down
			rec_count par_nv_down_fail "$PAR_FAIL"
			# what failed is torn down again, one at a time, so the next rep starts clean
			for ((k = 1; k <= PAR; k++)); do
				[ "$(<"$W/par/$k.rc")" = 0 ] || par_nv_down "$k" >/dev/null 2>&1
				ip netns del "pn$k"
			done
			settle
		done
	fi
	# PLACEHOLDER (lead): cnm as a CNI plugin, 20 ADDs at once: par_run
	# par_cnmcni_up ..., keys par_cnmcni_*.
}
