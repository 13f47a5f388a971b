#!/bin/bash
# `headguard fence`: --dry-run checks readiness and changes nothing; without
# --yes it asks, and "no" changes nothing; it refuses to fence its own node;
# with --yes it powers the peer off and reads it back as off, and the
# standby takes over. Throughout, the BMC passwords never show in ps, the
# logs, the hooks' environment record, status, or an error message.
. "$(dirname "$0")/lib.sh"
lab_up
wait_for "a is active" 10 is a .role active
pw_a=$(cat "$RUN/bmc-a.pass"); pw_b=$(cat "$RUN/bmc-b.pass")
seen=$(mktemp /tmp/hg-seen.XXXXXX)
( for i in $(seq 1 200); do ps -eo args >>"$seen"; sleep 0.02; done ) &
ps_pid=$!
hgb() { ip netns exec hg-b "$HG" "$@" -c "$RUN/b.conf" -n b; }

out=$(hgb fence --dry-run a 2>&1); rc=$?
echo "$out" >>"$seen"
check "fence --dry-run a succeeds" [ "$rc" -eq 0 ]
check "it says a can be fenced" grep -q "a can be fenced" <<<"$out"
check "a is still on after the dry run" [ "$(lab_power a)" = on ]

out=$(echo no | hgb fence a 2>&1); rc=$?
echo "$out" >>"$seen"
check "answering no fences nothing" [ "$rc" -ne 0 ]
check "a is still on after the refusal" [ "$(lab_power a)" = on ]

out=$(ip netns exec hg-a "$HG" fence --yes a -c "$RUN/a.conf" -n a 2>&1); rc=$?
echo "$out" >>"$seen"
check "fencing one's own node is refused" [ "$rc" -ne 0 ]
check "the refusal says why" grep -q "refusing" <<<"$out"

# a wrong password: an error, and the error does not echo it
cp "$RUN/b.conf" /tmp/hg-wrongpw.conf
echo "WrongPw123456789" >/tmp/hg-wrong.pass; chmod 600 /tmp/hg-wrong.pass
sed -i "s#password_file=$RUN/bmc-a.pass#password_file=/tmp/hg-wrong.pass#g" /tmp/hg-wrongpw.conf
out=$(ip netns exec hg-b "$HG" fence --dry-run a -c /tmp/hg-wrongpw.conf -n b 2>&1); rc=$?
echo "$out" >>"$seen"
check "a wrong password makes the dry run fail" [ "$rc" -ne 0 ]
no_wrong() { ! grep -q "WrongPw123456789" <<<"$out"; }
check "the error does not show the wrong password" no_wrong

out=$(hgb fence --yes a 2>&1); rc=$?
echo "$out" >>"$seen"
check "fence --yes a succeeds" [ "$rc" -eq 0 ]
check "it says the power was read back as off" grep -q "read back as off" <<<"$out"
check "a is off" [ "$(lab_power a)" = off ]
wait_for "b takes over" 10 is b .role active
wait "$ps_pid"
for n in a b; do
	status "$n" >>"$seen" 2>&1
	ip netns exec "hg-$n" "$HG" status -c "$RUN/$n.conf" -n "$n" >>"$seen" 2>&1
	cat "$RUN/$n/agent.log" "$RUN/$n/hooks.log" >>"$seen" 2>/dev/null
done
clean() { ! grep -qF -e "$pw_a" -e "$pw_b" "$seen"; }
check "no password in ps, logs, hooks, status or command output ($(wc -l <"$seen") lines)" clean
rm -f "$seen" /tmp/hg-wrongpw.conf /tmp/hg-wrong.pass
