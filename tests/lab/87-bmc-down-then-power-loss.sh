#!/bin/bash
# The peer's BMC is down and the peer then loses power: the standby cannot
# confirm a fence through the BMC, so it does not take over and raises the
# alarm (rule 2). With a second, independent level (the lab's PDU) that
# confirms, it takes over.
. "$(dirname "$0")/lib.sh"
pdu_cut() { printf 'action=off\nplug=%s\n' "$1" | "$ROOT/sim/fence-pdu" 2>/dev/null; }

# 1. Without a second level: no takeover, an alarm.
lab_up
wait_for "a is active" 10 is a .role active
"$LAB" inject bmc-down a >/dev/null || fail "inject bmc-down a"
wait_for "b sees a's BMC not answering" 8 is b .bmc.peer.reachable false
pdu_cut a || fail "cut a's power"
wait_for "b notices a is gone" 5 log_has b peer_lost
wait_for "b's fence cannot be confirmed" 10 log_has b fence_alarm
sleep 2
check "b did not take over" is b .role fencing
not_holding() { ! holds_vip "$1"; }
check "b holds no VIP" not_holding b
check "b's hook raised the alarm" grep -q ' alert .*record=fence_alarm' "$RUN/b/hooks.log"
"$LAB" down >/dev/null 2>&1

# 2. With the PDU as a further level: the PDU confirms, b takes over.
HG_LAB_PDU=1 "$LAB" up >/dev/null 2>&1 || fail "sim/lab up with the PDU level"
wait_for "a is active" 10 is a .role active
"$LAB" inject bmc-down a >/dev/null || fail "inject bmc-down a"
wait_for "b sees a's BMC not answering" 8 is b .bmc.peer.reachable false
pdu_cut a || fail "cut a's power"
wait_for "b takes over" 20 is b .role active
check "the PDU level confirmed" grep -q 'level 3 .*exit 2' "$RUN/b/agent.log"
wait_for "the client is served by b" 10 client_gets b
