#!/bin/bash
# service-kill on the active: the service is restarted, no failover; the
# restart shows in `headguard events` as it happens. Prints the time from the
# kill to the service answering the client again.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active and serves" 10 client_gets a
watch_holders
events=$(mktemp /tmp/hg-events.XXXXXX)
ip netns exec hg-a "$HG" events -c "$RUN/a.conf" -n a >"$events" 2>&1 &
ev_pid=$!
sleep 0.3
t0=$(date +%s%3N)
"$LAB" inject service-kill demo a >/dev/null || fail "inject service-kill demo a"
wait_for "the client is served by a again" 10 client_gets a
t1=$(date +%s%3N)
echo "measure: service-kill to answering again: $((t1 - t0)) ms"
check "a restarted the service" log_has a service_restart
check "the restart was streamed by headguard events" grep -q '"event":"service_restart"' "$events"
check "a is still active" is a .role active
check "b is still standby" is b .role standby
check "b fenced nobody" is b .fences 0
check "status counts the restart" [ "$(field a '.services[0].restarts')" -ge 1 ]
check "status shows a recent probe" [ "$(field a '.services[0].last_probe_ms')" -lt 1000 ]
check "never two VIP holders" never_two_holders
kill "$ev_pid" 2>/dev/null
rm -f "$events"
