# shellcheck shell=bash
# lib.sh - helpers for the lab scenarios (tests/lab/NN-name.sh). A scenario
# sources this, brings the lab up, injects, and asserts with `check`; the
# first failed check ends it with a non-zero exit. The lab goes down on exit.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=$ROOT/sim/lab
HG=$ROOT/build/agent/headguard
RUN=/run/headguard-lab
VIP=192.0.2.10
WATCH_PID=
WATCH_FILE=

fail() { echo "FAIL: $*"; diagnose; exit 1; }
# What a failed scenario leaves for the reader of a CI log: each node's
# role, VIP and power, and the last events of its agent.
diagnose() {
	local n
	for n in a b; do
		echo "    $n: role $(field "$n" .role 2>/dev/null || echo '?'), eligible" \
			"$(field "$n" .eligible 2>/dev/null || echo '?')," \
			"VIP $(holds_vip "$n" && echo held || echo not held), power $(lab_power "$n" 2>/dev/null || echo '?')"
		[ -r "$RUN/$n/agent.log" ] && tail -n 12 "$RUN/$n/agent.log" | sed "s/^/      $n| /" | cut -c1-220
	done
}
pass() { echo "ok: $*"; }

cleanup() {
	[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null
	[ -n "${BOTH_PID:-}" ] && kill "$BOTH_PID" 2>/dev/null && rm -f "$BOTH_FILE"
	"$LAB" down >/dev/null 2>&1
}
trap cleanup EXIT

# check DESCRIPTION COMMAND...: COMMAND must succeed.
check() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# wait_for DESCRIPTION SECONDS COMMAND...: poll every 50 ms.
wait_for() {
	local desc=$1 secs=$2
	shift 2
	local end=$(($(date +%s%3N) + secs * 1000))
	while [ "$(date +%s%3N)" -lt "$end" ]; do
		if "$@" 2>/dev/null; then pass "$desc"; return 0; fi
		sleep 0.05
	done
	fail "$desc (not within $secs s)"
}

lab_up() {
	"$LAB" up >/tmp/hg-lab-up.log 2>&1 || { cat /tmp/hg-lab-up.log; fail "sim/lab up"; }
}

# status NODE: the agent's status JSON ("" if it does not answer)
status() {
	ip netns exec "hg-$1" "$HG" status --json -c "$RUN/$1.conf" -n "$1" 2>/dev/null
}
# field NODE JQ-FILTER
field() { status "$1" | jq -r "$2" 2>/dev/null; }
is() { [ "$(field "$1" "$2")" = "$3" ]; }

# Output is read whole, never piped into `grep -q`: ip writes a line in
# pieces, grep -q exits at the match, ip dies of SIGPIPE at its next write and
# pipefail turns the match into a miss (CI's 89 failure: a held the VIP and
# `holders` said 0 for 10 s).
holds_vip() { [[ "$(ip -n "hg-$1" -br addr show 2>/dev/null)" == *" $VIP/"* ]]; }
lacks_vip() { ! holds_vip "$1"; }
holders() { local n=0; holds_vip a && n=$((n + 1)); holds_vip b && n=$((n + 1)); echo $n; }

# A background watch of the invariant: two VIP holders at one instant.
# Reading two namespaces takes a few ms and a clean handover less than one,
# so one node is read before and after the other: a1 b1 a2 b2. Two holders
# at once is certain when a held it at a1 and a2 and b at b1 in between (or
# b at b1 and b2 and a at a2). Sampled every 20 ms while the scenario runs.
watch_holders() {
	WATCH_FILE=$(mktemp /tmp/hg-holders.XXXXXX)
	echo 0 >"$WATCH_FILE"
	(
		max=0
		while :; do
			a1=0 b1=0 a2=0 b2=0
			holds_vip a && a1=1
			holds_vip b && b1=1
			holds_vip a && a2=1
			holds_vip b && b2=1
			h=$((a2 + b1))
			if [ $((a1 & b1 & a2)) = 1 ] || [ $((b1 & a2 & b2)) = 1 ]; then
				h=2
			elif [ "$h" -gt 1 ]; then
				h=1   # sequential: one let go between the reads
			fi
			if [ "$h" -gt "$max" ]; then max=$h; echo "$max" >"$WATCH_FILE"; fi
			if [ "$h" = 2 ]; then
				echo "two holders at $(date +%s%3N)" >>"$WATCH_FILE.log"
			fi
			sleep 0.02
		done
	) &
	WATCH_PID=$!
}
max_holders() { cat "$WATCH_FILE"; }

# svc_up NODE: the demo service of NODE runs (its pid file, and that pid is still it).
svc_up() {
	local p
	p=$(cat "$RUN/$1/svc-demo.pid" 2>/dev/null) || return 1
	[ -n "$p" ] && [[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" =~ hg-demo-svc\ .*\ $1\ $ ]]
}

# A background watch of rule 1 for the services: the demo service running on
# both nodes at once (read a, b, a again: a at both reads and b between).
# Sampled every 10 ms; services_both prints how many samples saw it.
watch_services() {
	BOTH_FILE=$(mktemp /tmp/hg-both.XXXXXX)
	(
		while :; do
			a1=0 b1=0 a2=0
			svc_up a && a1=1
			svc_up b && b1=1
			svc_up a && a2=1
			[ $((a1 & b1 & a2)) = 1 ] && date +%s%3N >>"$BOTH_FILE"
			sleep 0.01
		done
	) &
	BOTH_PID=$!
}
services_both() { kill "$BOTH_PID" 2>/dev/null; wc -l <"$BOTH_FILE"; }
never_two_holders() { [ "$(max_holders)" -le 1 ]; }

# client_gets NODE: the demo service answers through the VIP, served by NODE
client_gets() {
	[ "$(ip netns exec hg-client timeout 2 bash -c "exec 3<>/dev/tcp/$VIP/8080 && cat <&3" 2>/dev/null)" = "$1" ]
}

log_has() { grep -q "\"event\":\"$2\"" "$RUN/$1/agent.log"; }
count_events() { grep -c "\"event\":\"$2\"" "$RUN/$1/agent.log" || true; }

# The client pings the VIP every 10 ms in the background (sim/tools/hg-probe);
# probe_stop prints the longest gap between replies, in ms (0: none).
PROBE_PID=
probe_start() {
	ip netns exec hg-client "$ROOT/build/sim/hg-probe" --interval-ms 10 "$VIP" \
		>/tmp/hg-test-probe.json 2>/dev/null </dev/null &
	PROBE_PID=$!
	sleep 0.3
}
probe_stop() {
	kill -INT "$PROBE_PID" 2>/dev/null
	wait "$PROBE_PID" 2>/dev/null
	jq '[.gaps[]?.gap_ms] | max // 0' /tmp/hg-test-probe.json
}

# The lab's operator seat (hg-sw, management LAN) asks node N's BMC with ipmitool.
bmc_ipmitool() {
	local n=$1 addr
	shift
	[ "$n" = a ] && addr=203.0.113.21 || addr=203.0.113.22
	ip netns exec hg-sw ipmitool -I lanplus -C 3 -H "$addr" -U ADMIN -f "$RUN/bmc-$n.pass" "$@"
}
lab_power() { "$LAB" status --json | jq -r --arg n "$1" 'select(.node==$n) | .power'; }
