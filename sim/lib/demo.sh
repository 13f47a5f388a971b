# shellcheck shell=bash disable=SC2016
# demo.sh - `sim/lab demo`: up, power node a off through its BMC, measure
# the failover to b from the client's side and from the agents' logs,
# print the timeline, down (docs/lab.md, "Demo").

DEMO_TIMEOUT_S=20

# Split-brain watch: every ~50 ms, does each node have the VIP on an
# interface that is up? Both at once is a split brain. Runs in the
# background from right after the network exists until the demo ends.
monitor_start() {
	(
		trap 'exit 0' TERM
		while :; do
			a=0 b=0
			holds_vip_ip a up && a=1
			holds_vip_ip b up && b=1
			echo -n . >>"$LAB_RUN/monitor.polls"
			[ $a$b != 11 ] || now_ms >>"$LAB_RUN/monitor.both"
			sleep 0.05
		done
	) </dev/null >/dev/null 2>&1 &
	echo $! >"$LAB_RUN/monitor.pid"
}

monitor_stop() {
	local p
	p=$(read_pid "$LAB_RUN/monitor.pid") || return 0
	kill -TERM "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	rm -f "$LAB_RUN/monitor.pid"
}

# Unix ms of node's first EVENT at or after T, or empty.
log_first() {	# NODE EVENT T
	jq -R --arg e "$2" --argjson t "$3" \
		'fromjson? | select(type == "object" and .event == $e and (.ts // 0) >= $t) | .ts' \
		"$LAB_RUN/$1/agent.log" 2>/dev/null | head -1
}

# "a", "b", "both" or "none": who has the VIP on an up interface now.
vip_holder_now() {
	local a=0 b=0
	holds_vip_ip a up && a=1
	holds_vip_ip b up && b=1
	case $a$b in
	10) echo a ;; 01) echo b ;; 11) echo both ;; *) echo none ;;
	esac
}

demo_client_ready() {	# TIMEOUT_S
	local i
	for ((i = 0; i < $1 * 4; i++)); do
		ip netns exec hg-client ping -n -q -c 1 -W 0.25 "$VIP" >/dev/null 2>&1 && return 0
	done
	return 1
}

# One timeline step: human line or JSON line.
demo_step() {	# STEP TS FAULT_TS TEXT
	local ms=null
	[ -z "$2" ] || ms=$(($2 - $3))
	if [ "$JSON" = 1 ]; then
		jq -nc --arg s "$1" --argjson ms "$ms" --argjson ts "${2:-null}" --arg t "$4" \
			'{step:$s, ms:$ms, ts:$ts, what:$t}'
	elif [ "$ms" = null ]; then
		printf '%8s  %s\n' "-" "$4 (not seen)"
	else
		printf '%8d  %s\n' "$ms" "$4"
	fi
}

demo_cleanup() {
	monitor_stop
	if p=$(read_pid "$LAB_RUN/probe.pid" 2>/dev/null); then
		kill -KILL "$p" 2>/dev/null || true
	fi
	if [ "${DEMO_KEEP:-0}" != 1 ] && lab_exists; then lab_down >/dev/null || true; fi
}

cmd_demo() {
	local fault_ts probe_pid probe_json deadline ans tcp_ts='' b_ready='' st
	local t_cut t_off t_lost t_fstart t_fok t_vip t_svc t_ping='' outage=null fenced holder split
	trap demo_cleanup EXIT
	UP_AFTER_NET=monitor_start cmd_up

	say "waiting for the client to reach $VIP"
	demo_client_ready 10 || die "the client cannot ping the VIP $VIP held by node a"
	ip netns exec hg-client "$PROBE" --interval-ms 10 "$VIP" \
		>"$LAB_RUN/probe.json" 2>"$LAB_RUN/probe.err" </dev/null &
	probe_pid=$!
	echo "$probe_pid" >"$LAB_RUN/probe.pid"
	sleep 2

	fault_ts=$(now_ms)
	say "fault: powering node a off through its BMC"
	lab_ipmi a chassis power off >/dev/null || die "chassis power off of node a failed"
	[ "$JSON" = 1 ] || echo "failover timeline, ms after the fault:"
	demo_step fault "$fault_ts" "$fault_ts" "fault: ipmitool chassis power off, node a"

	deadline=$((fault_ts + DEMO_TIMEOUT_S * 1000))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		if [ -z "$tcp_ts" ]; then
			ans=$(ip netns exec hg-client "$DEMO_SVC" --check --timeout-ms 100 "$VIP" 2>/dev/null) || ans=
			[ "$ans" = b ] && tcp_ts=$(now_ms)
		fi
		if [ -n "$tcp_ts" ] && st=$(agent_status_json b) &&
			[ "$(jq -r '.role' <<<"$st")" = "$ACTIVE_ROLE" ] && holds_vip_ip b; then
			b_ready=1
			break
		fi
		sleep 0.02
	done

	kill -INT "$probe_pid" 2>/dev/null || true
	wait "$probe_pid" 2>/dev/null || true
	rm -f "$LAB_RUN/probe.pid"
	probe_json=$(jq -c . "$LAB_RUN/probe.json" 2>/dev/null) || probe_json='{}'
	monitor_stop
	holder=$(vip_holder_now)
	split=false
	[ ! -s "$LAB_RUN/monitor.both" ] || split=true

	t_cut=$(log_first a power_cut "$fault_ts")
	t_off=$(log_first a power_off "$fault_ts")
	if [ "$LAB_SYSTEM" = keepalived ]; then
		# keepalived detects, takes the VIP and announces it in one step and
		# says so only through the notify script, called right after.
		t_lost=$(log_first b vrrp_master "$fault_ts")
		t_vip=$t_lost
	else
		# the accusation: positive evidence after suspect_ms, or rule 4
		# after the deadtime (docs/decisions.md)
		t_lost=$(log_first b accuse "$fault_ts")
		t_vip=$(log_first b vip_added "$fault_ts")
	fi
	t_fstart=$(log_first b fence_start "$fault_ts")
	t_fok=$(log_first b fence_confirmed "$fault_ts")
	t_svc=$(log_first b services_started "$fault_ts")
	# The outage: the longest silence of the probe that covers the fault
	# (its last reply may come a little after we sent power off).
	read -r outage t_ping < <(jq -r --argjson f "$fault_ts" '
		[.gaps[]? | select(.to_ms >= $f and .from_ms <= $f + 2000)] |
		max_by(.gap_ms) // {} | "\(.gap_ms // "null") \(.to_ms // "")"' <<<"$probe_json")
	[ -n "$t_fok" ] && fenced=true || fenced=false

	demo_step power_cut "$t_cut" "$fault_ts" "node a's host process gets SIGTERM from its BMC"
	demo_step powered_off "$t_off" "$fault_ts" "node a powered off (its BMC killed the host)"
	if [ "$LAB_SYSTEM" = keepalived ]; then
		demo_step detection "$t_lost" "$fault_ts" "detection: b's keepalived enters MASTER (notify)"
	else
		demo_step detection "$t_lost" "$fault_ts" "detection: b accuses a (power read off, or every path silent for the deadtime)"
	fi
	demo_step fence_start "$t_fstart" "$fault_ts" "b starts fencing a"
	demo_step fence_confirmed "$t_fok" "$fault_ts" "fence confirmed: a's BMC reads power off"
	demo_step vip_up "$t_vip" "$fault_ts" "VIP $VIP up on b"
	demo_step services_up "$t_svc" "$fault_ts" "services started on b"
	demo_step first_ping_reply "$t_ping" "$fault_ts" "first ICMP reply from the VIP after the outage"
	demo_step first_client_reply "$tcp_ts" "$fault_ts" "client gets \"b\" from $VIP:$DEMO_PORT"

	lab_down >/dev/null
	trap - EXIT
	monitor_stop

	local ok=false
	[ -n "$b_ready" ] && [ "$holder" = b ] && [ "$split" = false ] && ok=true
	if [ "$JSON" = 1 ]; then
		jq -nc --argjson outage "$outage" --argjson fenced "$fenced" --arg holder "$holder" \
			--argjson split "$split" --argjson ok "$ok" --argjson probe "$probe_json" \
			--argjson f "$fault_ts" --arg sys "$LAB_SYSTEM" --arg lost "$t_lost" --arg fok "$t_fok" \
			--arg vip "$t_vip" --arg svc "$t_svc" --arg tcp "$tcp_ts" \
			'def rel(x): if x == "" then null else (x | tonumber) - $f end;
			{summary:true, system:$sys, outage_ms:$outage, fenced:$fenced, vip_holder:$holder,
			 split_brain:$split, ok:$ok, fault_ts:$f,
			 detection_ms:rel($lost), fence_confirmed_ms:rel($fok), vip_ms:rel($vip),
			 services_ms:rel($svc), client_reply_ms:rel($tcp),
			 probe:{sent:$probe.sent, received:$probe.received}}'
	else
		echo "outage seen by the client (ICMP every 10 ms): ${outage} ms"
		echo "system: $LAB_SYSTEM   fenced: $fenced   VIP holder: $holder   split brain: $split   ok: $ok"
	fi
	[ "$ok" = true ]
}
