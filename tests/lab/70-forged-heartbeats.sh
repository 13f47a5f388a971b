#!/bin/bash
# A heartbeat with a wrong key and a replayed one are dropped and counted in
# status; neither changes anything (DESIGN.md "Heartbeat wire format").
. "$(dirname "$0")/lib.sh"
TOOL=$ROOT/build/sim/hg-hbtool
lab_up
wait_for "a is active" 10 is a .role active
tmp=$(mktemp -d /tmp/hg-forge.XXXXXX)

# Wrong key: a's own address, b's heartbeat port, claiming a released to b.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/wrongkey"
inc=$(field b .peer.incarnation)
"$TOOL" forge "$tmp/wrongkey" 1 2 "$((inc + 1))" 1 1 0x0e "$tmp/forged" || fail "forge"
bad0=$(field b .counters.rx_bad_mac)
ip netns exec hg-a "$TOOL" send 198.51.100.11 198.51.100.12 694 "$tmp/forged" || fail "send forged"
wait_for "b counts the bad HMAC" 3 bash -c "[ \$(ip netns exec hg-b '$HG' status --json -c $RUN/b.conf -n b | jq .counters.rx_bad_mac) -gt $bad0 ]"
check "b's view of a is unchanged (incarnation)" is b .peer.incarnation "$inc"
check "b's view of a is unchanged (active)" is b .peer.role active

# Replay: capture a real heartbeat from a to b on the bridge, send it again.
ip netns exec hg-sw "$TOOL" sniff b-clu 198.51.100.12 "$tmp/real" 3000 || fail "sniff a heartbeat"
sleep 0.3
rep0=$(field b .counters.rx_replay)
ip netns exec hg-a "$TOOL" send 198.51.100.11 198.51.100.12 694 "$tmp/real" || fail "send replay"
wait_for "b counts the replay" 3 bash -c "[ \$(ip netns exec hg-b '$HG' status --json -c $RUN/b.conf -n b | jq .counters.rx_replay) -gt $rep0 ]"
sleep 1
check "a is still active" is a .role active
check "b is still standby" is b .role standby
check "b fenced nobody" is b .fences 0
rm -rf "$tmp"
