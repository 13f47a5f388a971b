#!/bin/bash
# B's BMC stops answering while A is healthy: nothing moves; B says it is not
# eligible (no self-fence), A says B could not be fenced; both raise alerts
# and status shows it.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active" 10 is a .role active
watch_holders
"$LAB" inject bmc-down b >/dev/null || fail "inject bmc-down b"
wait_for "b's status shows its own BMC not answering" 8 is b .bmc.own.reachable false
wait_for "a's status shows b's BMC not answering" 8 is a .bmc.peer.reachable false
check "b is not eligible" is b .eligible false
sleep 2
check "a is still active" is a .role active
check "b is still standby" is b .role standby
check "nobody fenced" [ "$(field a .fences)$(field b .fences)" = 00 ]
check "b's hook raised an alert" grep -q ' alert .*record=bmc_unreachable' "$RUN/b/hooks.log"
check "a's hook raised an alert" grep -q ' alert .*record=bmc_unreachable' "$RUN/a/hooks.log"
check "the client is still served by a" client_gets a
check "never two VIP holders" never_two_holders
