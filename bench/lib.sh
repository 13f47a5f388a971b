# shellcheck shell=bash
# bench/lib.sh - what the benchmarks share: the lab lock, keepalived, the
# list of systems, statistics. Sourced by bench/failover, bench/flaps and
# bench/overhead after `cd` to the repository; sets BENCH (the caller's name).
#
# Every bench runs headguard and keepalived in the same lab (sim/lab,
# HG_LAB_SYSTEM selects what the nodes run; docs/lab.md, "keepalived mode")
# at the same interval (HG_LAB_INTERVAL_MS), one system after the other.

BENCH=${BENCH:-bench}
SYSTEMS=(headguard keepalived)
INTERVAL_MS=100
JSON=0
# The lab's names and helpers (at top level: they declare global arrays).
# shellcheck source=sim/lib/common.sh
. sim/lib/common.sh
# shellcheck source=sim/lib/setup.sh
. sim/lib/setup.sh

bench_die() {
	echo "$BENCH: $*" >&2
	exit 2
}

# --systems a,b: which systems to run (both by default).
bench_systems() {	# LIST
	local s
	IFS=, read -r -a SYSTEMS <<<"$1"
	[ ${#SYSTEMS[@]} -gt 0 ] || bench_die "--systems needs headguard and/or keepalived"
	for s in "${SYSTEMS[@]}"; do
		case $s in headguard | keepalived) ;; *) bench_die "unknown system '$s'" ;; esac
	done
}

bench_uint() {	# OPTION VALUE
	[[ $2 =~ ^[0-9]+$ ]] || bench_die "$1 needs a non-negative integer, got '$2'"
}

# Root, the lab lock, the lab's helpers, keepalived installed. The lock is
# held on fd 9 until the bench exits: one lab per machine (fixed namespace
# names), so wait for any other user of it.
bench_start() {
	[ "$(id -u)" = 0 ] || bench_die "run as root"
	exec 9>/run/lock/headguard-lab.lock
	flock 9
	case " ${SYSTEMS[*]} " in
	*" keepalived "*) setup_keepalived >/dev/null ;;
	esac
	BENCH_LOG=$(mktemp "/tmp/hg-$BENCH.XXXXXX")
	trap 'sim/lab down >/dev/null 2>&1 || true' EXIT
}

# The lab for SYSTEM at the bench's interval. Nodes boot with a random
# delay of up to one interval: every trial runs the same steps at the same
# pace after power-on, and without the jitter its power cut would tend to
# land at the same point of the heartbeat / advert cycle (docs/lab.md,
# "keepalived mode").
bench_env() {	# SYSTEM
	echo HG_LAB_SYSTEM="$1" HG_LAB_INTERVAL_MS="$INTERVAL_MS" HG_LAB_BOOT_JITTER_MS="$INTERVAL_MS"
}

# Brings the lab up with SYSTEM on both nodes, a active; progress to
# $BENCH_LOG. Leaves LAB_SYSTEM, AGENT and the roles set for SYSTEM.
bench_up() {	# SYSTEM
	# shellcheck disable=SC2046
	env $(bench_env "$1") sim/lab up >>"$BENCH_LOG" 2>&1 || {
		tail -n 20 "$BENCH_LOG" >&2
		bench_die "sim/lab up with $1 failed (log: $BENCH_LOG)"
	}
	lab_system_set "$1"
}

bench_down() {
	sim/lab down >>"$BENCH_LOG" 2>&1 || bench_die "sim/lab down failed (log: $BENCH_LOG)"
}

# "median p90 min max" of the numbers on stdin ("null null null null" if
# none). p90: nearest rank.
stats() {
	sort -n | awk '{ v[++n] = $1 }
		END {
			if (n == 0) { print "null null null null"; exit }
			med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			r = int(0.9 * n + 0.999); if (r < 1) r = 1
			print med, v[r], v[1], v[n]
		}'
}

# Unix ms of the "event":NAME records of NODE's agent.log in [FROM, TO].
log_events() {	# NODE EVENT FROM TO
	jq -R --arg e "$2" --argjson f "$3" --argjson t "$4" \
		'fromjson? | select(type == "object" and .event == $e and
			(.ts // 0) >= $f and (.ts // 0) <= $t) | .ts' \
		"$LAB_RUN/$1/agent.log" 2>/dev/null
}
