#!/bin/bash
# A bad configuration: a clear error naming the line, a non-zero exit, and
# nothing started or changed (no socket, no address, no process left).
. "$(dirname "$0")/lib.sh"
trap - EXIT
dir=$(mktemp -d /tmp/hg-badcfg.XXXXXX)
trap 'rm -rf "$dir"; ip netns del hg-t-cfg 2>/dev/null' EXIT
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/key")
cat >"$dir/good.conf" <<CONF
[cluster]
name = t
key_file = $dir/key
control_socket = $dir/ctl.sock
state_dir = $dir/state
vip = 192.0.2.10/24 public
[lan public]
[node a]
id = 1
link = public t0 192.0.2.11
fence = /bin/false ip=1
[node b]
id = 2
link = public t0 192.0.2.12
fence = /bin/false ip=2
CONF
check "a good file passes check" "$HG" check -c "$dir/good.conf" -n a

sed 's/^interval_ms.*//; s/^\[cluster\]/[cluster]\ninterval_ms = fast/' "$dir/good.conf" >"$dir/bad1.conf"
out=$("$HG" check -c "$dir/bad1.conf" -n a 2>&1); rc=$?
check "a bad value fails check" [ "$rc" -ne 0 ]
check "the error names line 2 and the key" grep -q ":2: interval_ms" <<<"$out"

sed 's/^deadtime_ms.*//; s/^\[cluster\]/[cluster]\ninterval_ms = 100\ndeadtime_ms = 150/' "$dir/good.conf" >"$dir/bad2.conf"
out=$("$HG" check -c "$dir/bad2.conf" -n a 2>&1); rc=$?
check "inconsistent timing fails check" [ "$rc" -ne 0 ]
check "the error explains deadtime" grep -q deadtime <<<"$out"

sed 's#^fence = /bin/false ip=2#fence = /bin/false ip=2 password=Zq7xPw9#' "$dir/good.conf" >"$dir/bad3.conf"
out=$("$HG" check -c "$dir/bad3.conf" -n a 2>&1); rc=$?
check "an inline password is refused" [ "$rc" -ne 0 ]
check "the error does not echo the password" bash -c '! grep -q Zq7xPw9' <<<"$out"

chmod 644 "$dir/key"
out=$("$HG" check -c "$dir/good.conf" -n a 2>&1); rc=$?
check "a key file readable by others is refused" [ "$rc" -ne 0 ]
check "the error says how to fix the mode" grep -q "chmod 600" <<<"$out"
chmod 600 "$dir/key"

# run with a bad file in a scratch namespace: exits at once, changes nothing
ip netns add hg-t-cfg
ip -n hg-t-cfg link add t0 type veth peer name t1   # no dummy driver here
ip -n hg-t-cfg addr add 192.0.2.11/24 dev t0
before=$(ip -n hg-t-cfg addr)
timeout 5 ip netns exec hg-t-cfg "$HG" run -c "$dir/bad1.conf" -n a >/dev/null 2>&1; rc=$?
failed_fast() { [ "$1" -ne 0 ] && [ "$1" -ne 124 ]; }
check "run with a bad file exits non-zero at once" failed_fast "$rc"
check "no control socket was created" [ ! -e "$dir/ctl.sock" ]
check "no address changed" [ "$before" = "$(ip -n hg-t-cfg addr)" ]
check "no agent left running" bash -c "[ -z \"\$(ip netns pids hg-t-cfg)\" ]"
