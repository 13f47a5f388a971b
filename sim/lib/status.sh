# shellcheck shell=bash disable=SC2016
# status.sh - `sim/lab status`: one JSON object per head node.
#
#   power     from the node's BMC (ipmitool, as the operator); if the BMC
#             does not answer, from the BMC's host process (power_source
#             says which).
#   role, holds_vip
#             from `headguard status --json`; an agent that does not answer
#             has role "down" and holds_vip is read from `ip addr`.
#   fences    "fence_start" events in the node's agent log since `up`.
#   links     each LAN's interface, and hostif: the in-band link to the
#             node's own BMC.
#   own_bmc   the path and address of the agent's own-BMC requests, from its
#             status (`bmc.own`; null where the agent does not say).

# "up", "stopped" (SIGSTOP, `inject bmc-down`) or "down".
bmc_state() {
	local p st
	p=$(bmc_pid "$1") || { echo down; return 0; }
	st=$(sed 's/^.*) \(.\).*/\1/' "/proc/$p/stat" 2>/dev/null || echo '?')
	if [ "$st" = T ] || [ "$st" = t ]; then echo stopped; else echo up; fi
}

link_states_json() {	# NODE
	local lan ifc st out='{}'
	for lan in "${LANS[@]}"; do
		ifc=${LAN_IF[$lan]}
		# Read whole: `| grep -q` under pipefail can miss (tests/lab/lib.sh, holds_vip).
		if [ -n "$(ip -n "hg-$1" -o link show dev "$ifc" up 2>/dev/null)" ]; then
			st=up
		else
			st=down
		fi
		out=$(jq -c --arg l "$lan" --arg s "$st" '. + {($l): $s}' <<<"$out")
	done
	# The in-band link to the node's own BMC (docs/lab.md, "The in-band link").
	st=down
	[ -n "$(ip -n "hg-$1" -o link show dev "$HIF_IF" up 2>/dev/null)" ] && st=up
	jq -c --arg s "$st" '. + {hostif: $s}' <<<"$out"
}

# Number of "event":"X" lines in node's agent log.
log_count() {	# NODE EVENT
	local n
	n=$(grep -c "\"event\":\"$2\"" "$LAB_RUN/$1/agent.log" 2>/dev/null) || true
	echo "${n:-0}"
}

# True if every agent process of node $1 is stopped (`inject hang`): asking
# it would only time out.
agent_frozen() {
	local p st n=0
	for p in $(agent_pids "$1"); do
		st=$(sed 's/^.*) \(.\).*/\1/' "/proc/$p/stat" 2>/dev/null) || continue
		case $st in T | t) n=$((n + 1)) ;; *) return 1 ;; esac
	done
	[ $n -gt 0 ]
}

node_status_json() {	# NODE
	local node=$1 power=unknown src=bmc role holds st agent='null' fences bmc pids p svc=stopped frozen
	bmc=$(bmc_state "$node")
	# A stopped or dead BMC would only make ipmitool time out.
	[ "$bmc" != up ] || power=$(bmc_power "$node")
	if [ "$power" = unknown ]; then
		src=host
		if node_host_pid "$node" >/dev/null; then power=on; else power=off; fi
	fi
	frozen=false
	agent_frozen "$node" && frozen=true
	if [ $frozen = false ] && st=$(agent_status_json "$node"); then
		agent=$st
		role=$(jq -r '.role // "unknown"' <<<"$st")
		holds=$(jq -r 'if has("holds_vip") then (.holds_vip | tostring) else "" end' <<<"$st")
	else
		role=down
		holds=
	fi
	if [ -z "$holds" ]; then
		if holds_vip_ip "$node"; then holds=true; else holds=false; fi
	fi
	fences=$(log_count "$node" fence_start)
	pids=$(agent_pids "$node" | tr '\n' ' ')
	if p=$(read_pid "$LAB_RUN/$node/svc-demo.pid") && pid_alive "$p"; then svc=running; fi
	jq -nc --arg node "$node" --arg power "$power" --arg src "$src" --arg role "$role" \
		--argjson holds "$holds" --argjson fences "$fences" --arg bmc "$bmc" \
		--arg pids "$pids" --argjson links "$(link_states_json "$node")" \
		--arg svc "$svc" --argjson agent "$agent" --argjson frozen "$frozen" \
		--argjson broken "$([ -e "$LAB_RUN/$node/broken-demo" ] && echo true || echo false)" \
		'{node:$node, power:$power, role:$role, holds_vip:$holds, fences:$fences,
		  power_source:$src, bmc:$bmc,
		  agent_pids:($pids | split(" ") | map(select(. != "") | tonumber)),
		  agent_frozen:$frozen,
		  links:$links,
		  own_bmc:{path:($agent.bmc.own.path // null), address:($agent.bmc.own.address // null)},
		  demo:$svc, demo_broken:$broken, agent:$agent}'
}

cmd_status() {
	local node line
	[ -d "$LAB_RUN" ] || die "the lab is not up (sim/lab up)"
	if [ "$JSON" != 1 ]; then
		printf '%-4s %-5s %-10s %-4s %-6s %-8s %-8s %-9s %s\n' \
			node power role vip fences bmc demo agent links
	fi
	# Both nodes at once: a BMC or agent that does not answer costs its
	# timeout once, not twice.
	for node in "${NODES[@]}"; do
		node_status_json "$node" >"$LAB_RUN/status-$node.json" &
	done
	wait
	for node in "${NODES[@]}"; do
		line=$(<"$LAB_RUN/status-$node.json")
		rm -f "$LAB_RUN/status-$node.json"
		if [ "$JSON" = 1 ]; then
			echo "$line"
		else
			jq -r '[.node, .power, .role, (if .holds_vip then "yes" else "no" end),
				(.fences | tostring), .bmc, .demo,
				(if (.agent_pids | length) > 0 then (.agent_pids[0] | tostring) else "-" end),
				(.links | to_entries | map(.key + ":" + .value) | join(" "))] |
				@tsv' <<<"$line" |
				awk -F'\t' '{printf "%-4s %-5s %-10s %-4s %-6s %-8s %-8s %-9s %s\n",
					$1, $2, $3, $4, $5, $6, $7, $8, $9}'
		fi
	done
	if [ "$JSON" != 1 ]; then
		local f
		f=$(nft_faults | paste -sd, -)
		[ -z "$f" ] || echo "network faults: $f"
	fi
}
