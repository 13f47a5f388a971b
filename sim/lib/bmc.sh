# shellcheck shell=bash
# bmc.sh - one ipmi_sim per head node, in hg-bmc-X, configured by
# sim/bmc/mkconf (docs/bmc-simulator.md). Its host process is
# `sim/node-host X`: the BMC owns the node's power (docs/lab.md, "Power").

BMC_CONSOLE_PORT=9000	# ipmi_sim console on 127.0.0.1 inside hg-bmc-X
BMC_KILL_WAIT=2		# seconds from SIGTERM to SIGKILL of node-host

bmc_configure() {	# NODE
	local node=$1 pass
	[ -x "$MKCONF" ] || die "$MKCONF is missing"
	pass=$(<"$LAB_RUN/bmc-$node.pass")
	HG_BMC_NAME=hg-bmc-$node HG_BMC_CONSOLE_PORT=$BMC_CONSOLE_PORT \
		HG_BMC_KILL_WAIT=$BMC_KILL_WAIT \
		"$MKCONF" "$LAB_RUN/bmc-$node" "${BMC_ADDR[$node]}" 623 "$BMC_USER" "$pass" \
		"$HG_ROOT/sim/node-host $node"
}

# Starts node's ipmi_sim; startnow in its config powers the node on.
# setsid + no shared fds: the simulator outlives the command that started it
# and never holds the caller's pipes open.
bmc_start() {	# NODE
	local node=$1 d=$LAB_RUN/bmc-$1 pid i
	ip netns exec "hg-bmc-$node" setsid ipmi_sim -n -c "$d/lan.conf" -f "$d/emu.cmds" \
		-s "$d/state" </dev/null >>"$d/ipmi_sim.log" 2>&1 &
	pid=$!
	disown "$pid"	# no "Killed" job notice from this shell at `down`
	echo "$pid" >"$d/ipmi_sim.pid"
	# ip netns exec and setsid both exec: $! is ipmi_sim itself.
	for ((i = 0; i < 50; i++)); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = ipmi_sim ] && return 0
		pid_alive "$pid" || break
		sleep 0.02
	done
	die "ipmi_sim of node $node did not start (see $d/ipmi_sim.log)"
}

# Waits until node's BMC answers IPMI over the management LAN.
bmc_wait() {	# NODE TIMEOUT_S
	local node=$1 end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -lt "$end" ]; do
		[ "$(bmc_power "$node")" != unknown ] && return 0
		sleep 0.1
	done
	return 1
}

# `heal`: continue a stopped BMC; restart one that died. A dead BMC's
# orphaned host is powered off first: a fresh ipmi_sim starts its own.
bmc_heal() {	# NODE
	local node=$1 p h
	if p=$(bmc_pid "$node"); then
		kill -CONT "$p" 2>/dev/null || true
		return 0
	fi
	if h=$(node_host_pid "$node"); then
		kill -TERM "$h" 2>/dev/null || true
		wait_pids_gone "$h" || true
	fi
	say "BMC of node $node was dead: restarting it (this power-cycles node $node)"
	bmc_start "$node"
}
