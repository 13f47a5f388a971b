/*
 * sim_world.h - the deterministic simulator's world (docs/simulation.md).
 *
 * Cores of agent/core on a virtual clock, with everything around them
 * simulated: LANs (loss, delay, duplication, reordering through random
 * delays, one-way cuts), carrier and link resets, the gateway, power, fence
 * devices, VIPs, services, process hangs and event-loop stalls. Every
 * delivery is a queued item with a due time and an insertion number that
 * breaks ties, so a seed reproduces a run exactly: no wall clock, nothing
 * ordered by address.
 *
 * Two nodes today (the core is a two-node engine); the world is written for
 * SIM_MAX_NODES so that a membership layer can add more later.
 */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <stdint.h>

#include "agent/core/core.h"
#include "sim_rng.h"

#define SIM_MAX_NODES   4
#define SIM_QMAX        16384
#define SIM_TRACE       256
#define SIM_TRACE_LINE  200
#define SIM_SOCKBUF     64     /* packets a frozen node's socket keeps */
#define SIM_HOLD        (INT64_MAX / 4)  /* due time of items a frozen node keeps */
#define SIM_GRANTS      32     /* granting answers remembered per node */

enum sim_item {
	SIM_I_EVENT,    /* a core event (job result, link, command) */
	SIM_I_UDP,      /* heartbeat bytes in flight: encoded, decoded on arrival */
	SIM_I_ICMP_REQ, /* echo request reaching the peer's kernel */
	SIM_I_POWER_OFF,/* the fence device cuts .to's power */
	SIM_I_FAULT,    /* a scheduled fault or its end (sim_fault.c) */
};

struct sim_qitem {
	hg_ms due;
	uint64_t order;           /* insertion number: deterministic ties */
	int kind, to, from, arg;
	uint32_t boot;            /* .to's boot number when queued (jobs) */
	struct hg_event ev;
	uint8_t bytes[HG_WIRE_LEN];
};

/* What a service's stop does (the stop script as the daemon's job runs it). */
enum sim_stop_mode { SIM_STOP_OK, SIM_STOP_FAILS, SIM_STOP_HANGS, SIM_STOP_COUNT };

/* What a fence device does with the next request (sim_fault.c picks). */
enum sim_fence_mode {
	SIM_FD_OK,        /* power off, read back off: CONFIRMED */
	SIM_FD_SLOW,      /* same, seconds later */
	SIM_FD_FAIL,      /* BMC unreachable: FAILED, power untouched */
	SIM_FD_UNKNOWN,   /* power off may or may not happen: UNKNOWN */
	SIM_FD_LATE,      /* UNKNOWN at the timeout, then a late CONFIRMED */
	SIM_FD_LOST,      /* the device may act; its answer never arrives */
	SIM_FD_COUNT
};

struct sim_node {
	struct hg_core core;
	struct hg_params params;
	int powered;
	uint32_t boot;            /* power-on / agent start count */
	uint32_t power_epoch;     /* power-on count */
	uint64_t incarnation;
	hg_ms frozen_until;       /* hang or stall: not stepped; -1 none, INT64_MAX open-ended */
	int held_udp;             /* packets kept in the socket while frozen */
	int vip;                  /* VIP configured in the kernel */
	int link[HG_MAX_LANS];    /* carrier */
	int cable_cut[HG_MAX_LANS]; /* a link reset does not repair it */
	int gw_blocked;           /* gateway does not answer this node */
	int host_bad;             /* host watch: load, memory or disk bad */
	/* its BMC (sim_bmc.c) */
	int bmc_down, bmc_slow, bmc_truncated, sensor_worst;
	/* its management port (issue 11): each BMC request through it (peer
	 * readings, fences, and with own_lan its own readings and resets) is
	 * lost, per mille; 1000 is the cable out. own_lan: own_bmc = lan;
	 * else its own BMC is reached in-band, which no port fault touches. */
	uint32_t mgmt_loss_pm;
	int own_lan;
	uint32_t lan_self_fences; /* own_lan: powered off by its watchdog while resetting */
	int pet_lost_bmc;         /* a reset since the last that landed was lost to bmc_down */
	int wdt_armed, wdt_fired;
	uint32_t wdt_ms;
	hg_ms wdt_last_pet, own_poll_at;
	hg_ms shell_last_pet;     /* the daemon's own reset throttle */
	hg_ms pet_streak_since;   /* watchdog reset at the daemon's cadence without a gap since */
	int svc_running[HG_MAX_SERVICES];
	int svc_broken[HG_MAX_SERVICES];
	int svc_stop_mode[HG_MAX_SERVICES];  /* enum sim_stop_mode */
	hg_ms bmc_good_since;     /* its BMC gives usable watchdog readings since */
	enum sim_fence_mode fence_mode;
	hg_ms next_tick;          /* when the core was last asked to wake */
	/* evidence for the invariant checks (sim_check.c) */
	hg_ms heard_at;           /* last packet of the peer delivered to the core */
	hg_ms off_at, on_at;      /* its last power-off and power-on */
	uint32_t confirmed_epoch; /* peer power epoch our CONFIRMED fence turned off */
	uint64_t confirm_step;    /* the step that delivers that confirmation */
	/* granting answers to claims we sent: (our life, claimant's life, claim) */
	struct { uint64_t acker, claimant, claim; } grants[SIM_GRANTS];
	unsigned n_grants;
	int fences;
};

struct sim_lan {
	int cut[SIM_MAX_NODES][SIM_MAX_NODES];  /* from -> to dropped */
	uint32_t loss_pm, dup_pm;               /* per mille */
	uint32_t delay_min, delay_max;          /* ms */
};

struct sim_world {
	struct sim_rng rng;
	uint64_t seed;
	hg_ms now;
	int n_nodes, n_lans, n_services;
	struct sim_node n[SIM_MAX_NODES];
	struct sim_lan lan[HG_MAX_LANS];
	int gateway_down;
	uint32_t svc_fail_pm;     /* a running service dies at a check, per mille */
	uint32_t answer_fault_pm; /* an answer to a request is lost, late or doubled, per mille */
	uint8_t key[32];
	/* fence device timings, ms */
	uint32_t fence_ok_ms, fence_slow_ms, fence_timeout_ms;
	uint32_t bmc_ms;          /* a BMC reading's latency, at most */
	uint32_t bmc_poll_ms;     /* the shell's periodic readings (bmc_poll_ms), 0: 2000 */
	/* queue: a binary heap on (due, order) */
	int nq;
	uint64_t order;
	struct sim_qitem q[SIM_QMAX];
	/* findings */
	int failed;
	char violation[400];
	uint64_t steps, events;
	int verbose;
	/* trace ring */
	unsigned tr_next;
	char trace[SIM_TRACE][SIM_TRACE_LINE];
	struct hg_actions out;
	struct sim_faults *faults;
};

void sim_world_init(struct sim_world *w, uint64_t seed, int n_lans, int n_services,
		    const struct hg_params *base);
void sim_boot(struct sim_world *w, int i);
void sim_power_off(struct sim_world *w, int i);
/* Kill the agent and start it again at once: new incarnation, the kernel
 * state the new agent finds is cleaned as daemon.c does at start. */
void sim_agent_restart(struct sim_world *w, int i);
void sim_freeze(struct sim_world *w, int i, hg_ms until);
void sim_thaw(struct sim_world *w, int i);
void sim_set_link(struct sim_world *w, int i, int lan, int up);
void sim_cmd(struct sim_world *w, int i, enum hg_cmd cmd);
void sim_push(struct sim_world *w, const struct sim_qitem *it);
/* Garbage datagrams for node i on every LAN, every few ms until `until`. */
void sim_flood(struct sim_world *w, int i, hg_ms until);
/* An answer to a core's request (see answer_fault_pm). */
void sim_answer(struct sim_world *w, int to, hg_ms delay, const struct hg_event *ev);
/* Drop every queued item of a kind (faults keep their thaws). */
void sim_purge(struct sim_world *w, int kind);
void sim_pop(struct sim_world *w, struct sim_qitem *it);
/* Items held for frozen node i (due SIM_HOLD): dropped, or due now. */
void sim_release_held(struct sim_world *w, int i, int drop);
/* Run until `until` or a violation. Returns 0, or -1 on a violation. */
int  sim_run(struct sim_world *w, hg_ms until);
int  sim_holders(const struct sim_world *w);
int  sim_frozen(const struct sim_world *w, int i);

/* trace and checks (sim_check.c) */
void sim_trace(struct sim_world *w, int node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sim_fail(struct sim_world *w, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sim_dump_trace(const struct sim_world *w, int lines);
/* Around one core step: `before` is the role before it. */
void sim_check_step(struct sim_world *w, int i, enum hg_role before,
		    const struct hg_actions *out);
void sim_check_action(struct sim_world *w, int i, enum hg_role before,
		      const struct hg_action *a);
void sim_check_world(struct sim_world *w);
/* Node i's peer is alive and cut off, not dead (rule 4's promise, from the
 * ground truth): powering it off would shoot a healthy node. */
int  sim_healthy_cut_off(const struct sim_world *w, int i);

/* faults (sim_fault.c): called by sim_run for SIM_I_FAULT items */
void sim_fault_fire(struct sim_world *w, const struct sim_qitem *it);

#endif
