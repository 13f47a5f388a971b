#!/bin/bash
# Both nodes' management cables pulled at the switch for 60 s (issue 11):
# the heartbeats go on over the public and cluster LANs, but neither node can
# read or fence its peer's BMC. Each node resets its own watchdog over its
# in-band link (own_bmc = hostif, docs/lab.md "The in-band link"), so nobody
# is powered off: a keeps the VIP and serves, nobody is fenced, both raise
# the alert that the peer's BMC does not answer. After the cables are back,
# the peer BMCs answer again and b is eligible again, by itself.
. "$(dirname "$0")/lib.sh"
CUT_S=60
lab_up
wait_for "a is active and serves" 10 client_gets a
wait_for "b is eligible" 10 is b .eligible true
watch_holders
probe_start
"$LAB" inject link-cut a management >/dev/null || fail "inject link-cut a management"
"$LAB" inject link-cut b management >/dev/null || fail "inject link-cut b management"
t0=$(date +%s%3N)
wait_for "a's status shows b's BMC not answering" 10 is a .bmc.peer.reachable false
wait_for "b's status shows a's BMC not answering" 10 is b .bmc.peer.reachable false
check "a's hook raised the alert" grep -q ' alert .*record=bmc_unreachable' "$RUN/a/hooks.log"
check "b's hook raised the alert" grep -q ' alert .*record=bmc_unreachable' "$RUN/b/hooks.log"
# Checked every 5 s through the cut: the watchdog timeout is 3 s.
while [ $(($(date +%s%3N) - t0)) -lt $((CUT_S * 1000)) ]; do
	sleep 5
	if log_has a power_off || log_has b power_off; then
		sleep 3   # the other one's watchdog may be a moment behind
		fail "powered off $(($(date +%s%3N) - t0)) ms into the cut: a $(count_events a power_off) times, b $(count_events b power_off)"
	fi
	client_gets a || fail "the client is not served by a $(($(date +%s%3N) - t0)) ms into the cut"
done
pass "$CUT_S s without the management LAN: both nodes on, a served every 5 s"
check "a's own BMC answers (in-band)" is a .bmc.own.reachable true
check "b's own BMC answers (in-band)" is b .bmc.own.reachable true
check "a is still active" is a .role active
check "a holds the VIP" holds_vip a
check "b is still standby" is b .role standby
check "nobody fenced" [ "$(field a .fences)$(field b .fences)" = 00 ]
check "nobody started a fence" [ "$(count_events a fence_start)$(count_events b fence_start)" = 00 ]
check "a is powered on" [ "$(lab_power a)" = on ]
check "b is powered on" [ "$(lab_power b)" = on ]
"$LAB" heal >/dev/null || fail "heal"
wait_for "a reads b's BMC again" 15 is a .bmc.peer.reachable true
wait_for "b reads a's BMC again" 15 is b .bmc.peer.reachable true
wait_for "b is eligible again" 15 is b .eligible true
check "a is eligible" is a .eligible true
check "a is still active after the heal" is a .role active
gap=$(probe_stop)
echo "measure: longest client gap $gap ms"
check "the client never lost the VIP for more than one interval ($gap ms)" [ "$gap" -le 100 ]
check "nobody was powered off" [ "$(count_events a power_off)$(count_events b power_off)" = 00 ]
check "never two VIP holders" never_two_holders
