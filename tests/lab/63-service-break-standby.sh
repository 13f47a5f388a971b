#!/bin/bash
# service-break on the standby: it reports itself not eligible; a switchover
# to it is refused; and when the active then loses power the cluster stays
# down with an alert rather than failing over into a broken node.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active" 10 is a .role active
"$LAB" inject service-break demo b >/dev/null || fail "inject service-break demo b"
wait_for "b reports the service not ready" 5 is b '.services[0].ready' false
check "b is not eligible" is b .eligible false
wait_for "a sees b not eligible" 3 is a .peer.eligible false
out=$(ip netns exec hg-a "$HG" switchover -c "$RUN/a.conf" -n a 2>&1); rc=$?
check "a switchover to b is refused" [ "$rc" -ne 0 ]
check "the refusal says why" grep -q "refused" <<<"$out"
check "a is still active after the refusal" is a .role active
"$LAB" inject power-off a >/dev/null || fail "inject power-off a"
wait_for "b notices a is gone" 10 log_has b peer_lost
sleep 3
not_holding() { ! holds_vip "$1"; }
check "b did not take over" not_holding b
check "b fenced nobody" is b .fences 0
check "b recorded why it does not take over" log_has b not_accusing
check "b's hook raised an alert" grep -q ' alert ' "$RUN/b/hooks.log"
