#!/bin/bash
# The standby's own link goes down: it does not take over, does not accuse the
# peer, and repairs its link (rule 3).
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active" 10 is a .role active
watch_holders
"$LAB" inject link-down b cluster >/dev/null || fail "inject link-down b cluster"
wait_for "b saw its link go down" 5 log_has b link_down
wait_for "b reset its link" 5 log_has b link_reset
wait_for "b's cluster link is up again" 5 bash -c "[[ \$(ip -n hg-b link show clu0) == *'state UP'* ]]"
sleep 2
check "a is still active" is a .role active
check "b is standby" is b .role standby
check "b fenced nobody" is b .fences 0
check "never two VIP holders" never_two_holders
