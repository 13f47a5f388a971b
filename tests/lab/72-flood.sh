#!/bin/bash
# A garbage flood on a heartbeat LAN (issue 10 hole 9). The client floods
# b's heartbeat port on the public LAN with garbage UDP as fast as it can.
# b keeps its rhythm: a sees no gap in b's heartbeats of 2 intervals or more,
# b answers status and keeps reading its BMCs, nothing is dropped from b's
# event queue; and when a loses power during the flood, b's fence answer and
# BMC readings get through: b fences a and takes over.
. "$(dirname "$0")/lib.sh"
FLOOD=$ROOT/build/sim/hg-flood
[ -x "$FLOOD" ] || fail "$FLOOD not built"
IV=$(cat "$RUN/interval_ms" 2>/dev/null || echo 100)
lab_up
IV=$(cat "$RUN/interval_ms")
wait_for "a is active and serves" 10 client_gets a
wait_for "a hears b" 5 is a .peer.heard true
flooder=
trap '[ -n "$flooder" ] && kill "$flooder" 2>/dev/null; cleanup' EXIT
out=$(mktemp /tmp/hg-flood.XXXXXX)

inc_b=$(field a .peer.incarnation)
gap0=$(field a .peer.max_gap_ms)
echo "a's largest gap in b's heartbeats before the flood: $gap0 ms"
ip netns exec hg-client "$FLOOD" 192.0.2.12 694 0 8 >"$out" 2>&1 &
flooder=$!
sleep 5
st=$(ip netns exec hg-b timeout 3 "$HG" status --json -c "$RUN/b.conf" -n b 2>/dev/null)
check "b answers status during the flood" test -n "$st"
age=$(jq -r '.bmc.peer.reading_age_ms // 999999' <<<"$st" 2>/dev/null || echo 999999)
echo "b's latest reading of a's BMC during the flood: $age ms old"
check "b keeps reading the BMC during the flood (reading under 2 poll periods old)" test "$age" -lt 4000
wait "$flooder"
flooder=
echo "flood: $(cat "$out")"
sent=$(jq -r .sent "$out" 2>/dev/null || echo 0)
check "the flood was sent (over 100000 datagrams)" test "${sent:-0}" -gt 100000
sleep 1
check "b did not restart" is a .peer.incarnation "$inc_b"
gap=$(field a .peer.max_gap_ms)
echo "a's largest gap in b's heartbeats after the flood: $gap ms (interval $IV ms)"
check "a never waited 2 intervals for b's heartbeat" test "${gap:-999999}" -lt $((2 * IV))
check "a is still active, b standby" bash -c "[ \"\$(ip netns exec hg-a '$HG' status --json -c $RUN/a.conf -n a | jq -r .role)\" = active ] && [ \"\$(ip netns exec hg-b '$HG' status --json -c $RUN/b.conf -n b | jq -r .role)\" = standby ]"
check "b counted the garbage" bash -c "[ \$(ip netns exec hg-b '$HG' status --json -c $RUN/b.conf -n b | jq .counters.rx_unknown) -gt 1000 ]"

# Power loss of a during a second flood: fence answer and readings reach b's core.
watch_holders
ip netns exec hg-client "$FLOOD" 192.0.2.12 694 0 20 >"$out" 2>&1 &
flooder=$!
sleep 1
"$LAB" inject power-off a >/dev/null || fail "inject power-off a"
wait_for "b takes over during the flood" 15 is b .role active
check "b fenced a once" is b .fences 1
kill "$flooder" 2>/dev/null
wait "$flooder" 2>/dev/null
flooder=
dropped=$(grep -c 'event queue full' "$RUN/b/agent.log")
echo "b's log: $dropped \"event queue full\" lines, $(grep -c . "$RUN/b/agent.log") lines in all; dropped types: $(grep 'event queue full' "$RUN/b/agent.log" | grep -o 'type [0-9]*' | sort | uniq -c | tr '\n' ' ')"
check "b never dropped an event (no \"event queue full\")" bash -c "! grep -q 'event queue full' $RUN/b/agent.log"
check "b's log lines about the flood are rate-limited (under 300 lines in all)" test "$(grep -c . "$RUN/b/agent.log")" -lt 300
check "never two VIP holders" never_two_holders
rm -f "$out"
