# shellcheck shell=bash disable=SC2034
# common.sh - names, addresses and small helpers shared by sim/lab,
# sim/node-host and sim/svc. The topology is DESIGN.md's "The lab" table;
# docs/lab.md explains every name below. Sourced, never executed.

HG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_RUN=/run/headguard-lab
BUILD=$HG_ROOT/build
KEEPALIVED=/usr/sbin/keepalived
# Which failover system the nodes run (docs/lab.md, "keepalived mode"):
# `up` takes HG_LAB_SYSTEM (default headguard) and records it in
# $LAB_RUN/system; every later command, node-host and svc read it there.
lab_system_set() {	# headguard|keepalived
	case $1 in
	headguard)
		# HG_LAB_AGENT replaces the agent binary (tests of the lab itself).
		AGENT=${HG_LAB_AGENT:-$BUILD/agent/headguard}
		ACTIVE_ROLE=active STANDBY_ROLE=standby
		;;
	keepalived)
		AGENT=$KEEPALIVED
		ACTIVE_ROLE=master STANDBY_ROLE=backup
		;;
	*) echo "lab: HG_LAB_SYSTEM must be headguard or keepalived, got '$1'" >&2; exit 2 ;;
	esac
	LAB_SYSTEM=$1
}
if [ -r "$LAB_RUN/system" ]; then
	lab_system_set "$(<"$LAB_RUN/system")"
else
	lab_system_set "${HG_LAB_SYSTEM:-headguard}"
fi
FENCE_AGENT=$BUILD/fencing/hg-fence-ipmi
DEMO_SVC=$BUILD/sim/hg-demo-svc
PROBE=$BUILD/sim/hg-probe
MKCONF=$HG_ROOT/sim/bmc/mkconf

NODES=(a b)
LANS=(public cluster management)
NAMESPACES=(hg-sw hg-a hg-b hg-bmc-a hg-bmc-b hg-client)
declare -A LAN_IF=([public]=pub0 [cluster]=clu0 [management]=mgmt0)
declare -A LAN_SHORT=([public]=pub [cluster]=clu [management]=mgmt)
declare -A LAN_NET=([public]=192.0.2 [cluster]=198.51.100 [management]=203.0.113)
declare -A NODE_OCTET=([a]=11 [b]=12)
declare -A NODE_ID=([a]=1 [b]=2)
declare -A NODE_PRIO=([a]=200 [b]=100)
declare -A BMC_ADDR=([a]=203.0.113.21 [b]=203.0.113.22)
# Each node's private link to its own BMC (docs/lab.md, "The in-band
# link"): a veth hif0 between hg-X and hg-bmc-X, outside hg-sw, so no
# injected LAN fault reaches it. Same addresses in both pairs: each pair
# lives in its own two namespaces.
HIF_IF=hif0
HIF_HOST_ADDR=169.254.0.2
HIF_BMC_ADDR=169.254.0.1
HIF_PREFIX=30
VIP=192.0.2.10
GATEWAY=192.0.2.1
CLIENT_ADDR=192.0.2.100
OPERATOR_ADDR=203.0.113.1	# hg-sw's own address on the management bridge
BMC_USER=ADMIN
DEMO_PORT=8080
NFT_TABLE=hg_lab		# bridge family, in hg-sw only

JSON=${JSON:-0}

now_ms() { date +%s%3N; }

die() {
	echo "lab: $*" >&2
	exit 1
}

# Human progress: stdout normally, stderr under --json (stdout is JSON only).
say() {
	if [ "$JSON" = 1 ]; then echo "$*" >&2; else echo "$*"; fi
}

# One JSON line on stdout, only under --json. Arguments are jq -n args
# followed by the filter, e.g. emit --arg n a '{node:$n}'.
emit() {
	[ "$JSON" = 1 ] || return 0
	jq -nc "$@"
}

valid_node() {
	case ${1:-} in a | b) return 0 ;; *) return 1 ;; esac
}

need_node() {
	valid_node "${1:-}" || die "node must be a or b, got '${1:-}'"
}

need_lan() {
	if [ -z "${1:-}" ] || [ -z "${LAN_IF[$1]:-}" ]; then
		die "LAN must be public, cluster or management, got '${1:-}'"
	fi
}

ns_exists() { [ -e "/run/netns/$1" ]; }

# Pids whose network namespace is $1 (empty if the namespace is gone).
ns_pids() {
	ns_exists "$1" || return 0
	ip netns pids "$1" 2>/dev/null || true
}

pid_alive() {
	local st
	[ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] || return 1
	# A zombie is dead for our purposes; its parent or init reaps it.
	st=$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ]
}

read_pid() {
	local p
	[ -r "$1" ] || return 1
	read -r p <"$1" || return 1
	[[ $p =~ ^[0-9]+$ ]] || return 1
	echo "$p"
}

# The ipmi_sim of node $1's BMC, if running.
bmc_pid() {
	local p
	p=$(read_pid "$LAB_RUN/bmc-$1/ipmi_sim.pid") || return 1
	pid_alive "$p" && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = ipmi_sim ] || return 1
	echo "$p"
}

# The node-host of node $1 (its "power"), if running.
node_host_pid() {
	local p
	p=$(read_pid "$LAB_RUN/$1/node-host.pid") || return 1
	pid_alive "$p" && grep -qa node-host "/proc/$p/cmdline" 2>/dev/null || return 1
	echo "$p"
}

# Pids of node $1's agent processes (the daemon and any worker it forked).
agent_pids() {
	local p exe want
	want=$(readlink -f "$AGENT" 2>/dev/null || echo "$AGENT")
	for p in $(ns_pids "hg-$1"); do
		exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
		if [ "$exe" = "$want" ] ||
			tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | head -2 | grep -qxF "$AGENT"; then
			pid_alive "$p" && echo "$p"
		fi
	done
}

# ipmitool against node $1's BMC, as the lab operator on hg-sw's management
# address. Short timeouts: a stopped BMC must not stall status for long.
lab_ipmi() {
	local node=$1
	shift
	ip netns exec hg-sw ipmitool -I lanplus -C 3 -N 1 -R 2 \
		-H "${BMC_ADDR[$node]}" -U "$BMC_USER" -f "$LAB_RUN/bmc-$node.pass" "$@"
}

# "on", "off" or "unknown" (BMC does not answer).
bmc_power() {
	local out
	out=$(lab_ipmi "$1" chassis power status 2>/dev/null) || { echo unknown; return 0; }
	case $out in
	*"is on"*) echo on ;;
	*"is off"*) echo off ;;
	*) echo unknown ;;
	esac
}

# Does node $1 have the VIP configured on pub0? With "up": only if pub0 is up.
holds_vip_ip() {
	local out
	if [ "${2:-}" = up ]; then
		out=$(ip -n "hg-$1" -o -4 addr show dev pub0 up 2>/dev/null) || return 1
	else
		out=$(ip -n "hg-$1" -o -4 addr show dev pub0 2>/dev/null) || return 1
	fi
	[[ $out == *" $VIP/"* ]]
}

# The agent's own status as one JSON object, or nothing if it does not answer.
# In keepalived mode: keepalived's state from its log (sim/lib/keepalived.sh).
agent_status_json() {
	local out
	ns_exists "hg-$1" || return 1
	[ "$LAB_SYSTEM" != keepalived ] || { kal_status_json "$1"; return; }
	out=$(timeout 2 ip netns exec "hg-$1" "$AGENT" status --json \
		-c "$LAB_RUN/$1.conf" -n "$1" 2>/dev/null) || return 1
	jq -ce 'select(type == "object")' <<<"$out" 2>/dev/null
}

# Wait until the processes in "$@" are gone (zombies reaped), up to ~10 s.
wait_pids_gone() {
	local i p left
	for ((i = 0; i < 200; i++)); do
		left=0
		for p in "$@"; do
			[ -e "/proc/$p" ] && left=1
		done
		[ $left = 0 ] && return 0
		sleep 0.05
	done
	return 1
}

# shellcheck source=sim/lib/keepalived.sh
. "$HG_ROOT/sim/lib/keepalived.sh"
