#!/bin/bash
# hang A (every process stopped): A's kernel still answers pings, so B does
# not presume it failed; A's agent no longer resets its BMC watchdog, the BMC
# powers A off, and B fences (confirms) and takes over. One holder
# throughout; outage bounded by the watchdog timeout plus the deadtime.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active and serves" 10 client_gets a
out=$(bmc_ipmitool a mc watchdog get)
check "ipmitool sees a's watchdog running" grep -q "Started/Running" <<<"$out"
check "ipmitool sees the action power down" grep -q "Power Down" <<<"$out"
# Reset every 500 ms (timeout/6), the countdown stays within 2.4-3.0 s; one
# not reset would have lost a whole second between these two reads.
countdown() { bmc_ipmitool a mc watchdog get | sed -n 's/Present Countdown: *\([0-9.]*\) sec/\1/p'; }
l1=$(countdown); sleep 1; l2=$(countdown)
check "a's watchdog is being reset (countdown $l1 s, then $l2 s a second later)" \
	awk -v a="$l1" -v b="$l2" 'BEGIN { exit !(a >= 2.4 && b >= 2.4) }'
watch_holders
probe_start
t0=$(date +%s%3N)
"$LAB" inject hang a >/dev/null || fail "inject hang a"
wait_for "b becomes active" 15 is b .role active
t1=$(date +%s%3N)
wait_for "the client is served by b" 10 client_gets b
gap=$(probe_stop)
echo "measure: hang of a to b active: $((t1 - t0)) ms; client outage $gap ms"
check "b active within watchdog + deadtime + 1 s" [ $((t1 - t0)) -lt $((3000 + 300 + 1000)) ]
check "a was powered off by its BMC" [ "$(lab_power a)" = off ]
# Expiration flags bit 4 (SMS/OS): "None (0x00)" before, "(0x10)" once it fired.
flags=$(bmc_ipmitool a mc watchdog get | sed -n 's/.*Expiration Flags:.*(0x\([0-9a-fA-F]*\)).*/\1/p')
sms_os_expired() { [ -n "$flags" ] && [ $((0x$flags & 0x10)) -ne 0 ]; }
check "a's BMC says its SMS/OS watchdog expired (flags 0x$flags)" sms_os_expired
check "b fenced before taking over" is b .fences 1
check "never two VIP holders" never_two_holders
