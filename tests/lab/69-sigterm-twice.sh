#!/bin/bash
# A second SIGTERM during a slow release (docs/decisions.md, "Stopping the
# agent"): the agent exits at once, with its service and the VIP still on a,
# and leaves its BMC watchdog armed. Nothing resets it any more: a is powered
# off (its own watchdog or b's fence), and b takes over on the confirmed
# power-off. Never two VIP holders.
. "$(dirname "$0")/lib.sh"
export HG_LAB_SVC_TIMEOUT_MS=30000
lab_up
wait_for "a is active and serves" 10 client_gets a
wait_for "b is an eligible standby" 10 is b .eligible true

exe=$(readlink -f "$HG")
daemon_pid() {	# the agent process of a whose parent is not one (BMC workers are its children)
	local p pp
	for p in $(ip netns pids hg-a 2>/dev/null); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$exe" ] || continue
		pp=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null) || continue
		[ "$(readlink "/proc/$pp/exe" 2>/dev/null)" = "$exe" ] || { echo "$p"; return 0; }
	done
	return 1
}
pid=$(daemon_pid) || fail "no agent daemon runs on a"
"$LAB" inject service-slow-stop demo a 20 >/dev/null || fail "inject service-slow-stop"
watch_holders
t0=$(date +%s%3N)
kill -TERM "$pid"
sleep 0.5
kill -TERM "$pid"
sleep 0.5
check "a repeat within 2 s is the same request: the agent still runs" [ -d "/proc/$pid" ]
sleep 2
kill -TERM "$pid"
wait_for "a's agent exits at the second signal" 3 bash -c "! [ -d /proc/$pid ]"
t1=$(date +%s%3N)
check "a's log says it left the watchdog armed" \
	grep -q '"msg":"self-fence: leaving our BMC watchdog armed' "$RUN/a/agent.log"
check "a's log says it stopped not quiescent" grep -q 'NOT quiescent' "$RUN/a/agent.log"
wait_for "a is powered off" 10 bash -c "[ \"\$(\"$LAB\" status --json | jq -r 'select(.node==\"a\") | .power')\" = off ]"
t2=$(date +%s%3N)
wait_for "b becomes active" 10 is b .role active
t3=$(date +%s%3N)
wait_for "the client is served by b" 10 client_gets b
m="measure: second SIGTERM to exit $((t1 - t0 - 3000)) ms; exit to a off $((t2 - t1)) ms; exit to b active $((t3 - t1)) ms"
echo "$m"
echo "$(date -Is) 69: $m" >>"$ROOT/build/lab-measures.log"
check "never two VIP holders" never_two_holders
