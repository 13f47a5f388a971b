# shellcheck shell=bash
# bmc.sh - one ipmi_sim per head node, in hg-bmc-X, configured by
# sim/bmc/mkconf with the hgbmc.so module (docs/bmc-simulator.md): a
# truthful watchdog, power off at once, named sensors with SDRs. Its host
# process is `sim/node-host X`: the BMC owns the node's power (docs/lab.md,
# "Power").

BMC_CONSOLE_PORT=9000	# ipmi_sim console on 127.0.0.1 inside hg-bmc-X
BMC_KILL_WAIT=2		# seconds from SIGTERM to SIGKILL of node-host
BMC_MODULE=$BUILD/sim/bmc/hgbmc.so
BMC_SENSOR=$HG_ROOT/sim/bmc/sensor

bmc_configure() {	# NODE
	local node=$1 pass module=$BMC_MODULE
	[ -x "$MKCONF" ] || die "$MKCONF is missing"
	if ! [ -f "$module" ]; then
		say "warning: $module is missing (libopenipmi-dev? see $LAB_RUN/build.log):" \
			"plain ipmi_sim, whose watchdog replies are truncated"
		module=none
	fi
	pass=$(<"$LAB_RUN/bmc-$node.pass")
	HG_BMC_NAME=hg-bmc-$node HG_BMC_CONSOLE_PORT=$BMC_CONSOLE_PORT \
		HG_BMC_KILL_WAIT=$BMC_KILL_WAIT HG_BMC_MODULE=$module HG_BMC_HOSTIF_ADDR=$HIF_BMC_ADDR \
		HG_BMC_DARK_FILE=$LAB_RUN/$node/dark \
		"$MKCONF" "$LAB_RUN/bmc-$node" "${BMC_ADDR[$node]}" 623 "$BMC_USER" "$pass" \
		"$HG_ROOT/sim/node-host $node"
}

# Sets a sensor of node's BMC through the simulator console (127.0.0.1:
# $BMC_CONSOLE_PORT in hg-bmc-X): NAME cpu_temp|fan|psu with a value in
# its unit or a level, or a sensor number with a raw value (sim/bmc/sensor).
# Prints the console commands sent.
bmc_sensor_set() {	# NODE NAME VALUE
	local node=$1 cmds rc=0
	cmds=$("$BMC_SENSOR" cmds "$2" "$3") || die "bad sensor or value: $2 $3"
	bmc_pid "$node" >/dev/null || die "the BMC of node $node does not run"
	ip netns exec "hg-bmc-$node" "$BMC_SENSOR" set --console "127.0.0.1:$BMC_CONSOLE_PORT" \
		"$2" "$3" || rc=$?
	[ "$rc" = 0 ] || die "setting sensor $2 of node $node failed"
	echo "$cmds"
}

# Every named sensor back to its nominal reading (`heal`).
bmc_sensors_nominal() {	# NODE
	local name
	for name in cpu_temp fan psu; do
		ip netns exec "hg-bmc-$1" "$BMC_SENSOR" set --console "127.0.0.1:$BMC_CONSOLE_PORT" \
			"$name" ok >/dev/null 2>&1 || return 1
	done
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

# `heal`: continue a stopped BMC and put its sensors back to nominal;
# restart one that died (a fresh one starts nominal). A dead BMC's orphaned
# host is powered off first: a fresh ipmi_sim starts its own.
bmc_heal() {	# NODE
	local node=$1 p h
	if p=$(bmc_pid "$node"); then
		kill -CONT "$p" 2>/dev/null || true
		bmc_sensors_nominal "$node" || say "warning: sensors of node $node not reset"
		return 0
	fi
	if h=$(node_host_pid "$node"); then
		kill -TERM "$h" 2>/dev/null || true
		wait_pids_gone "$h" || true
	fi
	say "BMC of node $node was dead: restarting it (this power-cycles node $node)"
	bmc_start "$node"
}
