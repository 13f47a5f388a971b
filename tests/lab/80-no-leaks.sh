#!/bin/bash
# The daemon under valgrind (memcheck): b's agent runs a few seconds as the
# standby of a live cluster, heartbeats, pings, service readiness checks,
# BMC readings and control socket requests included, then stops on SIGTERM.
# Its report must show no invalid access and no definite leak (STYLE.md:
# assertions and checks stay on; issue 3). HG_VALGRIND_LEAK=1 runs it with
# a deliberate leak, which must make the scenario fail.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || fail "valgrind is not installed (tests/run installs it)"
export HG_VALGRIND_DIR HG_VALGRIND_NODE=b HG_LAB_AGENT=$ROOT/tests/lab/valgrind-agent
HG_VALGRIND_DIR=$(mktemp -d /tmp/hg-valgrind.XXXXXX)
chmod 755 "$HG_VALGRIND_DIR"
if [ "${HG_VALGRIND_LEAK:-0}" = 1 ]; then
	printf '#include <stdlib.h>\nvoid *keep;\n__attribute__((constructor)) static void leak(void) { keep = malloc(64); keep = 0; }\n' |
		cc -shared -fPIC -x c -o "$HG_VALGRIND_DIR/leak.so" - || fail "build leak.so"
fi
REPORT=$HG_VALGRIND_DIR/b.log

lab_up
wait_for "a is active" 20 is a .role active
wait_for "b (under valgrind) is standby" 20 is b .role standby
check "b runs under valgrind" test -s "$REPORT"
for _ in 1 2 3; do
	status b >/dev/null
	sleep 1
done
check "b is still standby after a few seconds" is b .role standby
check "a is still active" is a .role active

pid=$(for p in $(ip netns pids hg-b); do
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "valgrind.*headguard run\|memcheck.*headguard run" && echo "$p"
done | head -1)
check "found b's agent under valgrind" test -n "$pid"
kill -TERM "$pid"
wait_for "b's agent exits on SIGTERM" 30 bash -c "! kill -0 $pid 2>/dev/null"
wait_for "the report is complete" 10 grep -q "ERROR SUMMARY" "$REPORT"
sed -n '/HEAP SUMMARY/,$p' "$REPORT" | sed 's/^==[0-9]*== /    /'
check "no invalid access and no definite leak" grep -q "ERROR SUMMARY: 0 errors" "$REPORT"
check "nothing definitely lost" bash -c "! grep -q 'definitely lost: [1-9]' '$REPORT'"
rm -rf "$HG_VALGRIND_DIR"
