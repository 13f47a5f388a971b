/*
 * sim_fault.h - faults the simulator injects (docs/simulation.md "Faults"),
 * the heal that undoes them all, and the run of one seed: chaos phases,
 * then heal, settle and a liveness probe, again and again.
 *
 * A fault is drawn and applied in two steps. sim_fault_draw() looks at the
 * world, takes its random choices from the schedule's generator (never the
 * world's, which serves per-packet loss and delays) and returns a concrete
 * record: what, to whom, with which numbers. sim_fault_apply() executes a
 * record, whether it was just drawn or read back from a schedule file
 * (sim_sched.h). A record states values, not toggles ("cut=1", not "flip
 * the cut"), so that it means the same thing when it is replayed against
 * a core that behaves differently.
 *
 * Adding a fault kind: an enum value below, a row in sim_fault_kinds[]
 * (name, the fields and arguments a record of it carries, their bounds,
 * the apply function) in sim_fault.c, and a branch of the draw. The
 * schedule format parses and prints it from the row alone.
 */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include "sim_world.h"

struct sim_stats {
	uint64_t faults, probes, probes_skipped, boots;
	uint64_t fences, takeovers, max_outage;
	uint64_t lan_self_fences; /* own_bmc = lan: healthy nodes powered off by their watchdog */
};

enum sim_fault_type {
	/* the world */
	SIM_F_LAN_LOSS,      /* lan, pm: loss per mille */
	SIM_F_LAN_DELAY,     /* lan, min, max: delay range (reorders) */
	SIM_F_LAN_DUP,       /* lan, pm: duplication per mille */
	SIM_F_LAN_CUT,       /* node, lan, cut: node's packets to its peer dropped or not */
	SIM_F_PARTITION,     /* cut: every LAN, both directions */
	SIM_F_GATEWAY_DOWN,  /* down: the gateway answers nobody */
	SIM_F_SVC_FAIL,      /* pm: a running service dies at a check, per mille */
	/* one node */
	SIM_F_CARRIER_LOSS,  /* node, lan, cable (a reset cannot repair it), up_after (0: stays down) */
	SIM_F_CARRIER_FLAP,  /* node, lan, d1..d5: up, down, up, down, up after these gaps */
	SIM_F_CRASH,         /* node, boot_after (0: stays off) */
	SIM_F_BOOT,          /* node: power on (if off) */
	SIM_F_HANG,          /* node: SIGSTOP, open-ended */
	SIM_F_FREEZE,        /* node, ms: a pause or an event-loop stall */
	SIM_F_AGENT_RESTART, /* node */
	SIM_F_FENCE_MODE,    /* node, mode: what its fence device does next */
	SIM_F_GW_BLOCK,      /* node, on: the gateway ignores this node */
	SIM_F_SVC_BROKEN,    /* node, svc, on: cannot start */
	SIM_F_SVC_KILL,      /* node, svc */
	SIM_F_HOST,          /* node, bad: host watch (load, memory, disk) */
	SIM_F_BMC_DOWN,      /* node, on: its BMC unreachable */
	SIM_F_BMC_SLOW,      /* node, on */
	SIM_F_BMC_TRUNCATED, /* node, on: watchdog replies like ipmi_sim's */
	SIM_F_SENSOR,        /* node, sev: worst sensor (enum hg_sev) */
	SIM_F_CMD,           /* node, cmd: operator command (enum hg_cmd) */
	SIM_F_ANSWERS,       /* pm: answers to the cores' requests lost, late or doubled, per mille */
	SIM_F_SVC_STOP,      /* node, svc, mode: its stop works, fails, or hangs until killed */
	SIM_F_FLOOD,         /* node, ms: garbage datagrams on every LAN for ms */
	SIM_F_MGMT_LOSS,     /* node, pm: its management port loses BMC requests (1000: cable out) */
	/* the run */
	SIM_F_PROBE,         /* end: heal, settle, kill the active, check liveness; end is
			      * when the probe finished as recorded (replay shifts later
			      * records by the difference) */
	SIM_F_COUNT
};

#define SIM_FAULT_ARGS 6
#define SIM_MAX_RUN_MS 1000000000   /* longest run a schedule can hold, ms */

/* One concrete fault. Fields a kind does not take are -1. */
struct sim_fault {
	hg_ms at;                    /* ms of simulated time */
	enum sim_fault_type type;
	int node, lan, svc;
	int64_t arg[SIM_FAULT_ARGS]; /* named by the kind's row */
};

/* What a kind's record carries (sim_fault_kind.takes). */
#define SIM_FK_NODE  1u
#define SIM_FK_LAN   2u
#define SIM_FK_SVC   4u
#define SIM_FK_LIVE  8u   /* does nothing if its node is powered off when applied */

struct sim_fault_arg {
	const char *name;
	int64_t lo, hi;                /* bounds, inclusive */
	const char *const *names;      /* printed and parsed by name (index lo..hi), or NULL */
};

struct sim_fault_kind {
	const char *name;
	unsigned takes;
	int n_args;
	struct sim_fault_arg args[SIM_FAULT_ARGS];
	/* NULL, or a message if the arguments contradict each other */
	const char *(*check)(const struct sim_fault *f);
	void (*apply)(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st);
};

extern const struct sim_fault_kind sim_fault_kinds[SIM_F_COUNT];

/* A record of type t with every field and argument cleared (-1 / 0). */
void sim_fault_init(struct sim_fault *f, enum sim_fault_type t, hg_ms at);
/* Draw one random fault for now from g, reading (never changing) the world.
 * Returns 0 with *f filled, or -1 if the draw picked nothing to do (a victim
 * that is powered off, a service where there is none). */
int  sim_fault_draw(const struct sim_world *w, struct sim_rng *g, struct sim_fault *f);
/* Execute a record now (w->now, whatever f->at says). */
void sim_fault_apply(struct sim_world *w, const struct sim_fault *f, struct sim_stats *st);

/* Undo every fault: links, loss, cuts, gateway, services, fence devices,
 * hangs; power off nodes back on; operator `unstandby` on both. */
void sim_fault_heal(struct sim_world *w);

/* Time within which a standby replaces its dead active peer, from the
 * configuration (deadtime, fence latency, fence delay where it applies,
 * stall hold, one interval and the LAN delays as margin). */
hg_ms sim_liveness_bound(const struct sim_world *w, int survivor);

/* The probe (sim_run.c): heal, settle, power the active off, check that
 * the standby serves within sim_liveness_bound(). */
void sim_probe(struct sim_world *w, struct sim_stats *st);

#endif
