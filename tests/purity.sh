#!/bin/bash
# purity.sh OBJ... - the core decides everything and does nothing (DESIGN.md,
# "The core is pure"): its object files may not reference a clock, a socket,
# randomness, FreeIPMI or libnl. Exit 1 and name the culprits otherwise.
set -uo pipefail
[ $# -gt 0 ] || { echo "purity: no object files given"; exit 1; }
forbidden='^(socket|bind|connect|send|sendto|sendmsg|recv|recvfrom|recvmsg|read|write|open|openat|close|poll|ppoll|select|epoll_wait|clock_gettime|gettimeofday|time|sleep|usleep|nanosleep|rand|random|srand|getrandom|randombytes_.*|fork|exec.*|system|popen|kill|ipmi_.*|nl_.*|rtnl_.*)$'
syms=$(nm -u "$@") || { echo "purity: nm failed on $*"; exit 1; }
[ -n "$syms" ] || { echo "purity: no undefined symbols at all: not the core's objects?"; exit 1; }
bad=$(echo "$syms" | awk '{print $2}' | sed 's/@.*//' | grep -E "$forbidden" | sort -u)
if [ -n "$bad" ]; then
	echo "agent/core references what it must be handed instead:"
	echo "$bad" | sed 's/^/  /'
	exit 1
fi
echo "agent/core: $(echo "$syms" | awk 'NF==2 {print $2}' | sort -u | grep -vc '^hg_') external symbols, none forbidden"
echo "1 passed, 0 failed"
