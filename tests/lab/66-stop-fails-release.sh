#!/bin/bash
# A switchover whose stop hangs (issue 10, hole 4): the demo service's stop on
# a outlasts its timeout and is killed, the service still running. a must not
# hand over (b would start the service beside it): it keeps the VIP, stops
# resetting its watchdog, its BMC powers it off, and b takes over on the
# confirmed power-off. Prints the time from the switchover to b serving.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active and serves" 10 client_gets a
watch_holders

watch_services

"$LAB" inject service-slow-stop demo a 60 >/dev/null || fail "inject service-slow-stop demo a"
t0=$(date +%s%3N)
ip netns exec hg-a "$HG" switchover -c "$RUN/a.conf" -n a >/dev/null 2>&1 ||
	fail "switchover refused"
wait_for "b serves the client" 20 client_gets b
t1=$(date +%s%3N)
echo "measure: switchover to b serving, through a's self-fence: $((t1 - t0)) ms"
sleep 1
n=$(services_both)
echo "measure: samples with the demo service on both nodes: $n"
check "the demo service never ran on both nodes at once" [ "$n" = 0 ]
check "never two VIP holders" never_two_holders
check "a kept the VIP when its stop failed (release_stuck)" log_has a release_stuck
check "a was powered off (its own watchdog, or b's fence)" [ "$(lab_power a)" = off ]
check "b fenced a and confirmed it" log_has b fence_confirmed
