# shellcheck shell=bash disable=SC2016
# inject.sh - `sim/lab inject FAULT ...` and `heal` (docs/lab.md, "Faults").
# Every fault is something an operator or the hardware could do to a real
# pair of head nodes; `heal` undoes all of them at once.

inject_done() {	# FAULT NODE [extra jq args and object]
	local fault=$1 node=$2 ts
	ts=$(now_ms)
	shift 2
	local line
	line=$(jq -nc --arg f "$fault" --arg n "$node" --argjson ts "$ts" "$@" \
		'{inject:$f} + (if $n == "" then {} else {node:$n} end) + {ts:$ts} + $extra')
	echo "$line" >>"$LAB_RUN/injects.log"
	if [ "$JSON" = 1 ]; then echo "$line"; else say "injected: $line"; fi
}

service_pid() {	# NAME NODE
	local p
	p=$(read_pid "$LAB_RUN/$2/svc-$1.pid") || return 1
	pid_alive "$p" || return 1
	echo "$p"
}

need_service() {
	[ "${1:-}" = demo ] || die "unknown service '${1:-}' (the lab has: demo)"
}

inject_power_off() {	# NODE
	local out
	out=$(lab_ipmi "$1" chassis power off 2>&1) ||
		die "power off through the BMC of node $1 failed: $out"
	inject_done power-off "$1" --argjson extra '{}'
}

inject_hang() {	# NODE
	local pids
	pids=$(ns_pids "hg-$1")
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -STOP $pids 2>/dev/null || true
	inject_done hang "$1" --argjson extra "{\"stopped\":$(wc -w <<<"$pids")}"
}

inject_agent_kill() {	# NODE
	local pids
	pids=$(agent_pids "$1")
	[ -n "$pids" ] || die "no agent runs on node $1"
	# shellcheck disable=SC2086
	kill -KILL $pids
	inject_done agent-kill "$1" --argjson extra "{\"killed\":$(wc -w <<<"$pids")}"
}

# The cable pulled at the switch: the node's interface loses carrier and no
# link reset of the node's can bring it back; `heal` plugs it in again.
inject_link_cut() {	# NODE LAN
	need_lan "$2"
	ip -n hg-sw link set "$1-${LAN_SHORT[$2]}" down
	inject_done link-cut "$1" --argjson extra "{\"lan\":\"$2\"}"
}

inject_link_down() {	# NODE LAN
	need_lan "$2"
	ip -n "hg-$1" link set "${LAN_IF[$2]}" down
	inject_done link-down "$1" --argjson extra "{\"lan\":\"$2\"}"
}

inject_loss() {	# NODE PERCENT LAN
	local pct=${2%\%}
	if ! [[ $pct =~ ^[0-9]+$ ]] || [ "$pct" -gt 100 ]; then
		die "PERCENT must be 0..100, got '$2'"
	fi
	need_lan "$3"
	nft_loss "$1" "$pct" "$3"
	inject_done loss "$1" --argjson extra "{\"percent\":$pct,\"lan\":\"$3\"}"
}

inject_partition() {	# [LAN...]
	local lans=("$@") lan
	[ ${#lans[@]} -gt 0 ] || lans=("${LANS[@]}")
	for lan in "${lans[@]}"; do
		need_lan "$lan"
	done
	for lan in "${lans[@]}"; do
		nft_partition "$lan"
	done
	inject_done partition "" --argjson extra "{\"lans\":$(printf '%s\n' "${lans[@]}" | jq -Rsc 'split("\n") | map(select(. != ""))')}"
}

inject_service_kill() {	# NAME NODE
	local p
	need_service "$1"
	p=$(service_pid "$1" "$2") || die "service $1 does not run on node $2"
	kill -KILL "$p"
	inject_done service-kill "$2" --argjson extra "{\"service\":\"$1\",\"pid\":$p}"
}

inject_service_break() {	# NAME NODE
	need_service "$1"
	: >"$LAB_RUN/$2/broken-$1"
	inject_done service-break "$2" --argjson extra "{\"service\":\"$1\"}"
}

inject_service_slow_stop() {	# NAME NODE [SECONDS]
	local secs=${3:-12}
	need_service "$1"
	[[ $secs =~ ^[0-9]+$ ]] || die "SECONDS must be a whole number, got '$secs'"
	echo "$secs" >"$LAB_RUN/$2/slow-stop-$1"
	inject_done service-slow-stop "$2" --argjson extra "{\"service\":\"$1\",\"seconds\":$secs}"
}

inject_bmc_down() {	# NODE
	local p
	p=$(bmc_pid "$1") || die "the BMC of node $1 does not run"
	# SIGSTOP, not kill: ipmi_sim owns the host process, and `heal` must
	# bring the BMC back without power-cycling the node.
	kill -STOP "$p"
	inject_done bmc-down "$1" --argjson extra '{}'
}

# Sets a sensor by name (cpu_temp, fan, psu: a value in its unit or a
# level such as critical) or by number (raw) through the simulator console,
# with an event if a threshold is crossed (bmc_sensor_set, sim/bmc/sensor).
inject_sensor() {	# NAME VALUE NODE
	local cmds extra
	"$BMC_SENSOR" cmds "$1" "$2" >/dev/null || exit 2	# it says what is wrong
	cmds=$(bmc_sensor_set "$3" "$1" "$2")
	extra=$(jq -nc --arg s "$1" --arg v "$2" --arg c "$cmds" \
		'{sensor:$s, value:$v, console:($c | split("\n"))}')
	inject_done sensor "$3" --argjson extra "$extra"
}

# Undo everything: network faults, links, stopped processes, BMCs, broken
# services, killed agents, powered-off nodes.
inject_heal() {
	local node lan pids p i powered=()
	nft_heal
	for node in "${NODES[@]}"; do
		for lan in "${LANS[@]}"; do   # cables cut by link-cut
			ip -n hg-sw link set "$node-${LAN_SHORT[$lan]}" up 2>/dev/null || true
		done
		# No fault touches the in-band link (docs/lab.md); its BMC end up all the same.
		ip -n "hg-bmc-$node" link set "$HIF_IF" up 2>/dev/null || true
		rm -f "$LAB_RUN/$node"/broken-* "$LAB_RUN/$node"/slow-stop-*
		bmc_heal "$node"
		pids=$(ns_pids "hg-$node")
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -CONT $pids 2>/dev/null || true
	done
	for node in "${NODES[@]}"; do
		bmc_wait "$node" 10 || die "the BMC of node $node does not answer after heal"
		if p=$(node_host_pid "$node"); then
			net_node_links "$node" up
			# An agent killed by `inject agent-kill` comes back.
			[ -n "$(agent_pids "$node")" ] || kill -USR1 "$p"
		elif [ "$(bmc_power "$node")" = off ]; then
			lab_ipmi "$node" chassis power on >/dev/null
			powered+=("$node")
		fi
	done
	for node in "${powered[@]}"; do
		for ((i = 0; i < 50; i++)); do
			node_host_pid "$node" >/dev/null && break
			sleep 0.1
		done
	done
	inject_done heal "" --argjson extra \
		"{\"powered_on\":$(printf '%s\n' "${powered[@]}" | jq -Rsc 'split("\n") | map(select(. != ""))')}"
}

cmd_inject() {
	local fault=$1
	shift
	[ -d "$LAB_RUN" ] || die "the lab is not up (sim/lab up)"
	case $fault in
	power-off | hang | agent-kill | bmc-down)
		[ $# -eq 1 ] || usage
		need_node "$1"
		"inject_${fault//-/_}" "$1"
		;;
	link-down | link-cut)
		[ $# -eq 2 ] || usage
		need_node "$1"
		"inject_${fault//-/_}" "$1" "$2"
		;;
	loss)
		[ $# -eq 3 ] || usage
		need_node "$1"
		inject_loss "$1" "$2" "$3"
		;;
	service-kill | service-break)
		[ $# -eq 2 ] || usage
		need_node "$2"
		"inject_${fault//-/_}" "$1" "$2"
		;;
	service-slow-stop)
		[ $# -eq 2 ] || [ $# -eq 3 ] || usage
		need_node "$2"
		inject_service_slow_stop "$@"
		;;
	sensor)
		[ $# -eq 3 ] || usage
		need_node "$3"
		inject_sensor "$1" "$2" "$3"
		;;
	partition) inject_partition "$@" ;;
	heal)
		[ $# -eq 0 ] || usage
		inject_heal
		;;
	*) usage ;;
	esac
}
