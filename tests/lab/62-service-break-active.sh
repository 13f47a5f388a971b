#!/bin/bash
# service-break on the active: after its restarts fail, the active relinquishes
# (rule 5), tells the peer, and the standby takes over with one VIP holder
# throughout and no fence (the release was clean). Prints the time from the
# break to the standby serving.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active and serves" 10 client_gets a
watch_holders
t0=$(date +%s%3N)
"$LAB" inject service-break demo a >/dev/null || fail "inject service-break demo a"
"$LAB" inject service-kill demo a >/dev/null || fail "inject service-kill demo a"
wait_for "b serves the client" 15 client_gets b
t1=$(date +%s%3N)
echo "measure: service-break to the standby serving: $((t1 - t0)) ms"
check "a gave the service up" log_has a service_gave_up
check "a relinquished under rule 5" grep -q '"event":"release","rule":"5"' "$RUN/a/agent.log"
check "b fenced nobody" is b .fences 0
check "a is not eligible (no failback into a broken node)" is a .eligible false
sleep 6
check "still served by b after the failback hold-down" client_gets b
check "a's hook heard it relinquished" grep -q ' relinquished ' "$RUN/a/hooks.log"
check "b's hook heard it became active" grep -q ' active ' "$RUN/b/hooks.log"
check "never two VIP holders" never_two_holders
