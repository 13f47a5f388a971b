#!/bin/bash
# The lab's keepalived mode (docs/lab.md), which the benchmarks compare
# headguard with: keepalived on both nodes, a master, the demo service
# following the VIP; after a power-off of a, b takes over without fencing;
# after heal, a preempts. Status keeps its contract in this mode.
. "$(dirname "$0")/lib.sh"
export HG_LAB_SYSTEM=keepalived
# role NODE: sim/lab status's role of the node
role() { "$LAB" status --json | jq -r --arg n "$1" 'select(.node == $n) | .role'; }
lab_status_is() { [ "$(role "$1")" = "$2" ]; }
lab_fences() { "$LAB" status --json | jq -s -e 'map(.fences) | add == 0' >/dev/null; }

lab_up
check "the lab runs keepalived" grep -qx keepalived "$RUN/system"
check "a is master" lab_status_is a master
check "b is backup" lab_status_is b backup
wait_for "a serves through the VIP" 10 client_gets a
check "b does not hold the VIP" lacks_vip b
watch_holders
"$LAB" inject power-off a >/dev/null || fail "inject power-off a"
wait_for "b becomes master" 15 lab_status_is b master
wait_for "the client is served by b" 10 client_gets b
check "nobody fenced (keepalived cannot)" lab_fences
check "never two VIP holders" never_two_holders
"$LAB" heal >/dev/null || fail "heal"
wait_for "a comes back and preempts" 20 lab_status_is a master
wait_for "b steps down" 10 lab_status_is b backup
wait_for "the client is served by a again" 10 client_gets a
