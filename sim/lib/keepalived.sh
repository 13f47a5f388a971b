# shellcheck shell=bash
# keepalived.sh - the lab's keepalived mode (docs/lab.md, "keepalived mode"):
# the same nodes, BMCs, LANs and demo service, with Debian's keepalived in
# place of headguard, so that the benchmarks measure both the same way.
# Sourced by common.sh.
#
# Per node X, under $LAB_RUN:
#   X.keepalived.conf     written by `up`
#   X/keepalived.log      keepalived's own log (-l -D: console, detailed)
#   X/keepalived*.pid     its pid files (the nodes share one filesystem)
#   X/agent.log           node-host's lines and sim/keepalived-notify's
#                         (vrrp_master, vrrp_backup, ..., services_started)

KAL_VRID=10		# virtual_router_id: any value both nodes share

# advert_int in seconds for an interval in ms: VRRPv3 counts centiseconds.
kal_advert_int() {	# MS
	awk -v ms="$1" 'BEGIN { printf "%g", ms / 1000 }'
}

# The configuration a keepalived user would write for this pair: one
# VRRPv3 instance on the public LAN, multicast adverts (keepalived's
# default), a preferred at 200 and b at 100 with preemption (the default),
# no fencing (keepalived has none). The notify script moves the demo
# service with the VIP.
write_keepalived_conf() {	# NODE INTERVAL_MS
	local node=$1 state=BACKUP
	[ "$node" = a ] && state=MASTER
	cat >"$LAB_RUN/$node.keepalived.conf" <<-EOF
		global_defs {
		    router_id lab_$node
		    script_user root
		}

		vrrp_instance lab {
		    state $state
		    interface pub0
		    virtual_router_id $KAL_VRID
		    priority ${NODE_PRIO[$node]}
		    advert_int $(kal_advert_int "$2")
		    version 3
		    virtual_ipaddress {
		        $VIP/24 dev pub0
		    }
		    notify "$HG_ROOT/sim/keepalived-notify $node"
		}
	EOF
	chmod 600 "$LAB_RUN/$node.keepalived.conf"
}

# Starts keepalived in node X's namespace, in the foreground of a
# background job (node-host's child, like the agent). Pid files and log
# under X/: the nodes share the filesystem.
kal_start() {	# NODE
	local node=$1 d=$LAB_RUN/$1
	ip netns exec "hg-$node" "$KEEPALIVED" -n -l -D -G \
		-f "$LAB_RUN/$node.keepalived.conf" -p "$d/keepalived.pid" \
		-r "$d/keepalived-vrrp.pid" -c "$d/keepalived-checkers.pid" \
		-b "$d/keepalived-bfd.pid" >>"$d/keepalived.log" 2>&1 </dev/null &
}

# keepalived's own latest word on its state: "master", "backup", "fault",
# or "init" if it has started and not yet entered a state.
kal_state() {	# NODE
	local last
	last=$(grep -aoE 'Starting Keepalived|Entering [A-Z]+ STATE' \
		"$LAB_RUN/$1/keepalived.log" 2>/dev/null | tail -n 1)
	case $last in
	"Entering "*) last=${last#Entering }; last=${last% STATE}; echo "${last,,}" ;;
	*) echo init ;;
	esac
}

# The status object of node X in keepalived mode, or nothing (exit 1) if
# keepalived does not run there.
kal_status_json() {	# NODE
	local pids holds=false
	pids=$(agent_pids "$1" | tr '\n' ' ')
	[ -n "${pids// /}" ] || return 1
	holds_vip_ip "$1" && holds=true
	jq -nc --arg role "$(kal_state "$1")" --argjson holds "$holds" --arg pids "$pids" \
		'{system:"keepalived", role:$role, holds_vip:$holds,
		  pids:($pids | split(" ") | map(select(. != "") | tonumber))}'
}
