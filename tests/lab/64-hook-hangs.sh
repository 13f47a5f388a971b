#!/bin/bash
# A hook that hangs is killed at its timeout (hook_timeout_ms = 2000 in the
# lab), and meanwhile the agent's heartbeats never miss a beat.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active" 10 is a .role active
touch "$RUN/a/hook-hang"
"$LAB" inject service-kill demo a >/dev/null || fail "inject service-kill demo a"
wait_for "a ran the hook" 5 grep -q ' service_restarted ' "$RUN/a/hooks.log"
wait_for "a killed the hook at its timeout" 5 log_has a hook_killed
rm -f "$RUN/a/hook-hang"
no_hung_hook() { ! pgrep -f '^sleep 3600$' >/dev/null; }
check "no hung hook process is left" no_hung_hook
gap_b=$(field b .peer.max_gap_ms)
gap_a=$(field a .peer.max_gap_ms)
echo "measure: longest heartbeat gap seen by b: $gap_b ms, by a: $gap_a ms (interval 100 ms)"
check "b never missed a heartbeat of a (gap < 2 intervals)" [ "$gap_b" -lt 200 ]
check "a never missed a heartbeat of b (gap < 2 intervals)" [ "$gap_a" -lt 200 ]
check "a is still active" is a .role active
check "b is still standby" is b .role standby
