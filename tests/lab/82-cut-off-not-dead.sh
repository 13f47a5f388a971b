#!/bin/bash
# Every heartbeat LAN between A and B cut, management LAN to the BMCs intact,
# both healthy: B reads A's watchdog being reset and does not fence (rule 4);
# A keeps the VIP and serves; the alert says why.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active and serves" 10 client_gets a
watch_holders
"$LAB" inject partition >/dev/null || fail "inject partition"
wait_for "b notices a is silent" 5 log_has b peer_lost
wait_for "b says a is cut off, not dead" 5 log_has b peer_cut_off
sleep 5   # longer than the watchdog timeout (3 s)
check "b fenced nobody" is b .fences 0
check "b did not take over" is b .role standby
check "a is still active" is a .role active
check "a is still powered on" [ "$(lab_power a)" = on ]
check "the client is still served by a" client_gets a
check "b's hook raised the alert" grep -q ' alert .*record=peer_cut_off' "$RUN/b/hooks.log"
check "never two VIP holders" never_two_holders
"$LAB" heal >/dev/null
wait_for "b hears a again" 5 is b .peer.heard true
check "a is still active after the heal" is a .role active
