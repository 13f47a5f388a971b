#!/bin/bash
# Every heartbeat LAN cut, and then A also loses its public link (a pulled
# cable): A is unfit and cannot tell B, so it stops resetting its watchdog
# (rule 5); its BMC powers it off; B fences, confirms and takes over.
# Exactly one holder.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active" 10 is a .role active
watch_holders
"$LAB" inject partition >/dev/null || fail "inject partition"
wait_for "a notices b is silent" 5 log_has a peer_lost
"$LAB" inject link-cut a public >/dev/null || fail "inject link-cut a public"
wait_for "a stops resetting its watchdog" 5 log_has a self_fence
wait_for "b becomes active" 15 is b .role active
check "a is powered off" [ "$(lab_power a)" = off ]
check "b fenced (power read back as off)" log_has b fence_confirmed
check "never two VIP holders" never_two_holders
