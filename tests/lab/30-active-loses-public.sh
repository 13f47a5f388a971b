#!/bin/bash
# The active loses its public link (REM-Rocks scenario 1): it releases, tells
# the peer, and the standby takes over without a fence (rule 5).
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active" 10 is a .role active
watch_holders
"$LAB" inject link-down a public >/dev/null || fail "inject link-down a public"
wait_for "b becomes active" 10 is b .role active
wait_for "the client is served by b" 10 client_gets b
check "a recorded a release under rule 5" grep -q '"event":"release","rule":"5"' "$RUN/a/agent.log"
check "b fenced nobody (the release was clean)" is b .fences 0
check "a tried to repair its link" log_has a link_reset
check "never two VIP holders" never_two_holders
