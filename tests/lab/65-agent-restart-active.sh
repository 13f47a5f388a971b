#!/bin/bash
# The active node's agent dies (SIGKILL: a crash, an OOM kill) and starts
# again at once, as systemd's Restart= would, with its services still running
# (issue 10, hole 3). b is active here (a switchover moved it there), so b's
# new agent, being the less preferred node, would grant at once: it must first
# stop the demo service its previous life left, so that a never starts it
# beside it. Prints how long the demo service ran on both nodes at once.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active and serves" 10 client_gets a
ip netns exec hg-a "$HG" switchover -c "$RUN/a.conf" -n a >/dev/null 2>&1 ||
	fail "switchover to b refused"
wait_for "b is active and serves" 10 client_gets b
watch_holders

watch_services

"$LAB" inject agent-kill b >/dev/null || fail "inject agent-kill b"
check "b's demo service outlives its agent" svc_up b
# Restarted at once, as Restart= would (node-host starts the agent on SIGUSR1;
# `inject heal` would take longer than the 3 s watchdog).
kill -USR1 "$(cat "$RUN/b/node-host.pid")" || fail "restart b's agent"
serves() { client_gets a || client_gets b; }
wait_for "someone serves the client" 15 serves
sleep 2
n=$(services_both)
echo "measure: samples with the demo service on both nodes: $n"
check "the demo service never ran on both nodes at once" [ "$n" = 0 ]
check "never two VIP holders" never_two_holders
check "b's new agent stopped what its previous life left (cleanup_done)" log_has b cleanup_done
check "b fenced nobody" is b .fences 0
check "a fenced nobody" is a .fences 0
