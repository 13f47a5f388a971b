#!/bin/bash
# The old active comes back: it boots as standby and fences nobody (rule 6);
# with failback = auto it gets the cluster back after the hold-down, without
# a fence and without two holders.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active" 10 is a .role active
watch_holders
"$LAB" inject power-off a >/dev/null || fail "inject power-off a"
wait_for "b becomes active" 15 is b .role active
"$LAB" heal >/dev/null || fail "heal (power a back on)"
wait_for "a answers again" 20 is a .peer.role active
check "a came back as standby" is a .role standby
check "a fenced nobody" is a .fences 0
wait_for "a gets the cluster back after the hold-down (5 s)" 20 is a .role active
wait_for "the client is served by a" 10 client_gets a
check "b fenced only once in all" is b .fences 1
check "b released cleanly" log_has b released
check "never two VIP holders" never_two_holders
