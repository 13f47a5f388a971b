#!/bin/bash
# A critical CPU temperature on the active: a planned switchover to the
# healthy standby before the node dies (HA-OSCAR's predictive failover), no
# fence, an outage of about one gratuitous ARP.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active and serves" 10 client_gets a
watch_holders
probe_start
"$LAB" inject sensor cpu_temp 95 a >/dev/null || fail "inject sensor cpu_temp 95 a"
wait_for "a records the critical sensor" 5 log_has a sensor_critical
wait_for "b becomes active" 5 is b .role active
wait_for "the client is served by b" 10 client_gets b
sleep 0.5
gap=$(probe_stop)
echo "measure: client outage of the planned switchover: $gap ms"
check "b fenced nobody" is b .fences 0
check "a handed over (no failback while the sensor is critical)" is a .eligible false
check "the outage was short (< 500 ms)" [ "$gap" -lt 500 ]
check "never two VIP holders" never_two_holders
