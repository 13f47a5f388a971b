#!/bin/bash
# Power-off of the active: the standby fences it with confirmed power-off and
# takes over; never two VIP holders (DESIGN.md rules 1 and 4).
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active and serves" 10 client_gets a
watch_holders
"$LAB" inject power-off a >/dev/null || fail "inject power-off a"
wait_for "b becomes active" 15 is b .role active
wait_for "b holds the VIP" 5 holds_vip b
wait_for "the client is served by b" 10 client_gets b
check "b fenced exactly once" is b .fences 1
check "b's fence was confirmed before its takeover" bash -c "
	grep -n '\"event\":\"fence_confirmed\"' $RUN/b/agent.log | head -1 | cut -d: -f1 > /tmp/hg-fc
	grep -n '\"event\":\"takeover\"' $RUN/b/agent.log | head -1 | cut -d: -f1 > /tmp/hg-to
	[ -s /tmp/hg-fc ] && [ \$(cat /tmp/hg-fc) -lt \$(cat /tmp/hg-to) ]"
check "a is powered off" bash -c "'$LAB' status --json | jq -s -e 'map(select(.node==\"a\"))[0].power == \"off\"' >/dev/null"
check "never two VIP holders" never_two_holders
