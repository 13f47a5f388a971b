#!/bin/bash
# One LAN cut between the nodes is not a dead peer (rule 4): no takeover, no
# fence, and the path shows as down in status.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active" 10 is a .role active
watch_holders
"$LAB" inject partition cluster >/dev/null || fail "inject partition cluster"
wait_for "b sees the cluster UDP path down" 5 is b '.paths[] | select(.lan=="cluster" and .kind=="udp") | .up' false
check "b sees the cluster ICMP path down" is b '.paths[] | select(.lan=="cluster" and .kind=="icmp") | .up' false
check "b still sees the public path up" is b '.paths[] | select(.lan=="public" and .kind=="udp") | .up' true
sleep 3
check "a is still active" is a .role active
check "b is still standby" is b .role standby
check "b fenced nobody" is b .fences 0
check "the client is still served by a" client_gets a
check "never two VIP holders" never_two_holders
