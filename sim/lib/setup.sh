# shellcheck shell=bash disable=SC2034
# setup.sh - what `sim/lab up` needs before the network exists: Debian
# packages, the build, the key, the BMC passwords and the agent configs.

LAB_PACKAGES=(openipmi libopenipmi-dev ipmitool freeipmi-tools libfreeipmi-dev libnl-3-dev
	libnl-route-3-dev libinih-dev libsodium-dev nftables iproute2 iputils-ping
	jq cmake gcc pkg-config make)

# Installs the missing packages; `apt-get update` only if something is
# missing. Sets PKGS_INSTALLED.
setup_packages() {
	local p missing=()
	for p in "${LAB_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	PKGS_INSTALLED=${#missing[@]}
	[ ${#missing[@]} -gt 0 ] || return 0
	say "installing: ${missing[*]}"
	{
		DEBIAN_FRONTEND=noninteractive apt-get update -q &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
				"${missing[@]}"
	} >&2 || die "apt-get install ${missing[*]} failed"
}

# Debian's keepalived, for the lab's keepalived mode and the benchmarks.
# Without `apt-get update` if the package lists already know it.
setup_keepalived() {
	local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends keepalived)
	dpkg-query -W -f='${Status}' keepalived 2>/dev/null | grep -q 'install ok installed' &&
		[ -x "$KEEPALIVED" ] && return 0
	say "installing: keepalived"
	{ "${apt[@]}" || { apt-get update -q && "${apt[@]}"; }; } >&2 ||
		die "apt-get install keepalived failed"
}

# True if binary $1 is missing or a source or CMake file under the
# directories $2... (relative to the repository) is newer than it.
stale() {
	local bin=$1 d dirs=()
	shift
	[ -x "$bin" ] || return 0
	for d in CMakeLists.txt "$@"; do
		dirs+=("$HG_ROOT/$d")
	done
	[ -n "$(find "${dirs[@]}" \( -name '*.[ch]' -o -name CMakeLists.txt \) \
		-newer "$bin" -print -quit 2>/dev/null)" ]
}

# True if a lab binary is missing or older than what it is built from.
build_needed() {
	stale "$DEMO_SVC" sim/tools sim/CMakeLists.txt ||
		stale "$PROBE" sim/tools sim/CMakeLists.txt ||
		stale "$FENCE_AGENT" fencing ipmi ||
		stale "$BMC_MODULE" sim/bmc ||
		{ [ "$LAB_SYSTEM" = headguard ] && [ -z "${HG_LAB_AGENT:-}" ] &&
			stale "$AGENT" agent netif ipmi fencing; }
}

# Builds if needed and sets BUILD_RAN (0/1). A module that does not compile yet must not keep the
# lab from its own tools: on failure, build the lab's targets one by one.
setup_build() {
	local t b log=$LAB_RUN/build.log
	BUILD_RAN=0
	build_needed || return 0
	BUILD_RAN=1
	say "building in $BUILD"
	mkdir -p "$LAB_RUN"
	if ! { cmake -S "$HG_ROOT" -B "$BUILD" && cmake --build "$BUILD" -j2; } >"$log" 2>&1; then
		say "full build failed (see $log); building the lab's targets alone"
		for t in headguard hg-fence-ipmi hg-demo-svc hg-probe hgbmc; do
			cmake --build "$BUILD" -j2 --target "$t" >>"$log" 2>&1 || true
		done
	fi
	# The lab's own tools are single files: without CMake if need be.
	for t in hg-demo-svc hg-probe; do
		[ -x "$BUILD/sim/$t" ] && ! [ "$HG_ROOT/sim/tools/$t.c" -nt "$BUILD/sim/$t" ] && continue
		mkdir -p "$BUILD/sim"
		cc -O2 -g -Wall -Wextra -D_GNU_SOURCE -o "$BUILD/sim/$t" "$HG_ROOT/sim/tools/$t.c" \
			>>"$log" 2>&1 || true
	done
	for b in "$DEMO_SVC" "$PROBE" "$AGENT"; do
		[ -x "$b" ] || die "$b is missing after the build (see $log)"
	done
	[ -x "$FENCE_AGENT" ] || say "warning: $FENCE_AGENT missing: the agents cannot fence"
}

# 32 random bytes, hex; the agents' HMAC key.
write_key() {
	(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$LAB_RUN/key" &&
		echo >>"$LAB_RUN/key")
	chmod 600 "$LAB_RUN/key"
}

write_bmc_passwords() {
	local node
	for node in "${NODES[@]}"; do
		# 16 characters: IPMI 2.0 passwords are at most 20 bytes.
		(umask 077 && od -An -tx1 -N8 /dev/urandom | tr -d ' \n' >"$LAB_RUN/bmc-$node.pass")
		chmod 600 "$LAB_RUN/bmc-$node.pass"
	done
}

# The heartbeat / advert interval of the lab in ms (HG_LAB_INTERVAL_MS, 100
# by default): headguard's interval_ms, keepalived's advert_int.
lab_interval_ms() {
	local i=${HG_LAB_INTERVAL_MS:-100}
	if ! [[ $i =~ ^[1-9][0-9]*$ ]] || [ "$i" -lt 10 ] || [ "$i" -gt 40000 ]; then
		die "HG_LAB_INTERVAL_MS must be 10..40000, got '$i'"
	fi
	# VRRPv3 adverts count centiseconds.
	[ "$LAB_SYSTEM" != keepalived ] || [ $((i % 10)) = 0 ] ||
		die "HG_LAB_INTERVAL_MS must be a multiple of 10 for keepalived, got $i"
	echo "$i"
}

int_max() { if [ "$1" -ge "$2" ]; then echo "$1"; else echo "$2"; fi; }

# The agent configuration of node $1 (docs/configuration.md, docs/lab.md).
# Both files are identical but for the per-node paths: the nodes share
# one filesystem. Timers follow the interval $2: deadtime 3 intervals, and
# the lab's other timers stretched only where the configuration's timing
# rules require it (at 100 ms they are the values docs/lab.md shows).
write_agent_conf() {
	local self=$1 iv=$2 n lan dead svc_timeout=${HG_LAB_SVC_TIMEOUT_MS:-3000}
	dead=$((3 * iv))
	[[ $svc_timeout =~ ^[1-9][0-9]*$ ]] ||
		die "HG_LAB_SVC_TIMEOUT_MS must be a number of ms, got '$svc_timeout'"
	{
		cat <<-EOF
			[cluster]
			name = lab
			key_file = $LAB_RUN/key
			interval_ms = $iv
			deadtime_ms = $dead
			wait_for_peer_ms = $(int_max 3000 "$dead")
			fence_delay_ms = 2000
			failback = auto
			failback_holddown_ms = $(int_max 5000 "$dead")
			gateway = $GATEWAY
			gateway_timeout_ms = $(int_max 1000 "$dead")
			garp_count = 3
			garp_interval_ms = 50
			garp_refresh_ms = 5000
			hook = $HG_ROOT/sim/hook
			hook_timeout_ms = 2000
			watchdog_timeout_ms = $(int_max 3000 "$((10 * iv))")
			bmc_poll_ms = 2000
		EOF
		# Its default (1000) must not be shorter than the interval.
		[ "$iv" -le 1000 ] || echo "fence_retry_ms = $iv"
		cat <<-EOF
			control_socket = $LAB_RUN/$self/ctl.sock
			state_dir = $LAB_RUN/$self/state
			log_file = $LAB_RUN/$self/agent.log
			vip = $VIP/24 public

		EOF
		for lan in "${LANS[@]}"; do
			echo "[lan $lan]"
		done
		for n in "${NODES[@]}"; do
			echo
			echo "[node $n]"
			echo "id = ${NODE_ID[$n]}"
			echo "priority = ${NODE_PRIO[$n]}"
			for lan in "${LANS[@]}"; do
				echo "link = $lan ${LAN_IF[$lan]} ${LAN_NET[$lan]}.${NODE_OCTET[$n]}"
			done
			echo "bmc = ${BMC_ADDR[$n]} username=$BMC_USER password_file=$LAB_RUN/bmc-$n.pass" \
				"cipher=3 timeout_ms=1000"
			# This node's own watchdog and readings over its in-band link
			# (docs/lab.md, "The in-band link"); the peer's BMC and fences
			# over the management LAN.
			# HG_LAB_OWN_BMC=lan (or auto) puts them back on the management LAN,
			# for comparison; none omits the key (agents from before it).
			case ${HG_LAB_OWN_BMC:-hostif} in
			hostif) echo "own_bmc = hostif $HIF_BMC_ADDR" ;;
			lan | auto) echo "own_bmc = $HG_LAB_OWN_BMC" ;;
			none) ;;
			*) die "HG_LAB_OWN_BMC must be hostif, lan, auto or none, got '$HG_LAB_OWN_BMC'" ;;
			esac
			# native IPMI on the warm session first; the fence-agents
			# program as the second level
			echo "fence = ipmi timeout_ms=2000"
			echo "fence = $FENCE_AGENT ip=${BMC_ADDR[$n]} username=$BMC_USER lanplus=1" \
				"cipher=3 password_file=$LAB_RUN/bmc-$n.pass timeout_ms=3000"
			# HG_LAB_PDU=1: a third level, the rack's PDU, independent of the BMC
			[ "${HG_LAB_PDU:-0}" != 1 ] ||
				echo "fence = $HG_ROOT/sim/fence-pdu plug=$n timeout_ms=3000"
		done
		cat <<-EOF

			[service demo]
			start = $HG_ROOT/sim/svc start demo
			stop = $HG_ROOT/sim/svc stop demo
			check = $HG_ROOT/sim/svc check demo
			standby_check = $HG_ROOT/sim/svc ready demo
			timeout_ms = $svc_timeout
			check_interval_ms = 200
			check_timeout_ms = 1500
			restarts = 2
			restart_window_ms = 30000
			restart_backoff_ms = 100
		EOF
	} >"$LAB_RUN/$self.conf"
	chmod 600 "$LAB_RUN/$self.conf"
}

setup_run_dir() {
	local node iv
	iv=$(lab_interval_ms)
	rm -rf "$LAB_RUN"
	mkdir -p "$LAB_RUN"
	chmod 700 "$LAB_RUN"
	echo "$LAB_SYSTEM" >"$LAB_RUN/system"
	echo "$iv" >"$LAB_RUN/interval_ms"
	[[ ${HG_LAB_BOOT_JITTER_MS:-0} =~ ^[0-9]+$ ]] ||
		die "HG_LAB_BOOT_JITTER_MS must be a number of ms, got '$HG_LAB_BOOT_JITTER_MS'"
	echo "${HG_LAB_BOOT_JITTER_MS:-0}" >"$LAB_RUN/boot_jitter_ms"
	for node in "${NODES[@]}"; do
		mkdir -p "$LAB_RUN/$node/state" "$LAB_RUN/bmc-$node"
		: >"$LAB_RUN/$node/agent.log"
	done
	write_key
	write_bmc_passwords
	for node in "${NODES[@]}"; do
		if [ "$LAB_SYSTEM" = keepalived ]; then
			write_keepalived_conf "$node" "$iv"
		else
			write_agent_conf "$node" "$iv"
		fi
	done
}
