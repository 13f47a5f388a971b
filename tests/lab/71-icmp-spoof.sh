#!/bin/bash
# Spoofed ICMP cannot keep a dead peer alive (issue 10 hole 7). a is powered
# off; from the client's seat on the public LAN a spoofer answers every ping
# b sends there (b's pings of the gateway) with an echo reply from a's public
# address, identifier, sequence and payload copied. Before the nonce rule
# this held b's public ICMP path up for ever and b never took over; now b
# presumes a failed, fences it and takes over as after any power loss.
. "$(dirname "$0")/lib.sh"
SPOOF=$ROOT/build/sim/hg-icmpspoof
[ -x "$SPOOF" ] || fail "$SPOOF not built"
lab_up
wait_for "a is active and serves" 10 client_gets a
watch_holders
out=$(mktemp /tmp/hg-spoof.XXXXXX)
ip netns exec hg-client "$SPOOF" 192.0.2.12 192.0.2.11 20 >"$out" 2>&1 &
spoofer=$!
trap 'kill "$spoofer" 2>/dev/null; cleanup' EXIT
sleep 1
"$LAB" inject power-off a >/dev/null || fail "inject power-off a"
wait_for "b becomes active despite the forged replies" 15 is b .role active
check "b fenced a" is b .fences 1
wait_for "the client is served by b" 10 client_gets b
wait "$spoofer"
forged=$(tail -n 1 "$out")
echo "forged echo replies sent: $forged"
check "the spoofer did forge replies" test "${forged:-0}" -gt 10
check "never two VIP holders" never_two_holders
rm -f "$out"
