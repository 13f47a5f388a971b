/*
 * core.h - the decision engine. Events in, actions out, time handed in.
 *
 * Pure: no system call, no clock, no socket, no randomness (DESIGN.md "The
 * core is pure"). The shell reads CLOCK_MONOTONIC once per loop turn and
 * passes it in every event; the deterministic simulator passes a virtual
 * clock. The rules cited in comments are DESIGN.md's "Decisions that must
 * hold"; the state table is mirrored in docs/decisions.md.
 *
 * Contract: hg_core_init once, then hg_core_step for every event, in time
 * order. Each step appends actions to *out (cleared by the caller); the
 * caller executes them in order. hg_core_next_wakeup tells when the core
 * wants a HG_EV_TICK at the latest. The struct is public so that it can be
 * allocated statically and many cores can live in one process (simulator);
 * outside agent/core it is read-only.
 */
#ifndef HG_CORE_H
#define HG_CORE_H

#include <stdint.h>
#include "agent/core/wire.h"

#define HG_MAX_LANS      4
#define HG_MAX_PATHS     (2 * HG_MAX_LANS)   /* UDP and ICMP per LAN */
#define HG_MAX_SERVICES  16
#define HG_MAX_ACTIONS   64
#define HG_WHY_MAX       200

typedef int64_t hg_ms;  /* monotonic milliseconds */

struct hg_params {
	uint16_t self_id, peer_id;
	uint32_t self_prio, peer_prio;
	int n_lans;                 /* heartbeat paths: UDP + ICMP on each */
	int public_lan;             /* the VIPs' LAN */
	int n_services;
	int have_gateway;
	int failback_auto;
	uint32_t interval, deadtime, wait_for_peer, fence_delay, fence_retry;
	/* Positive evidence first (issue 12): every path silent this long asks
	 * the peer's BMC at once; power off read since the silence began is
	 * fenced without waiting out the deadtime. 0: off. */
	uint32_t suspect;
	uint32_t failback_holddown, gateway_timeout;
	uint32_t garp_count, garp_interval, garp_refresh;
	uint32_t svc_check_interval[HG_MAX_SERVICES];
	uint32_t svc_restarts[HG_MAX_SERVICES];      /* restarts allowed per window */
	uint32_t svc_window[HG_MAX_SERVICES];        /* restart window, ms */
	uint32_t svc_backoff[HG_MAX_SERVICES];       /* first restart delay, doubled each time */
	int svc_has_ready[HG_MAX_SERVICES];          /* a standby readiness check exists */
	int svc_has_check[HG_MAX_SERVICES];          /* a check (probe) exists */
	uint32_t svc_timeout[HG_MAX_SERVICES];       /* a start or stop, at most (the shell kills it then) */
	uint32_t svc_check_timeout[HG_MAX_SERVICES]; /* a check, at most */
	int have_own_bmc, have_peer_bmc;  /* BMC readings arrive as HG_EV_BMC */
	int self_fence;                   /* own watchdog armed: pet it (HG_ACT_WDT_PET) */
	uint32_t wdt_timeout;             /* own watchdog timeout; reset every sixth of it */
	/* Deadlines of the core's requests (issue 10, hole 5): past one, the
	 * outcome is unknown and the normal retry runs. 0: a default. */
	uint32_t bmc_timeout;             /* one BMC request (a reading, a reset), at most */
	uint32_t fence_timeout;           /* a whole fence, every level, at most */
	uint32_t vip_timeout;             /* a VIP change, at most */
};

enum hg_ev_type {
	HG_EV_TICK,        /* time passed */
	HG_EV_HB,          /* authenticated heartbeat from the peer's address on .lan */
	HG_EV_HB_REJECT,   /* a packet that changes nothing, only counted: .reject */
	HG_EV_ICMP,        /* echo reply from the peer's address on .lan */
	HG_EV_GATEWAY,     /* echo reply from the gateway */
	HG_EV_LINK,        /* .lan has carrier (.ok = 1) or not */
	HG_EV_FENCE,       /* fence outcome for .gen: .outcome */
	HG_EV_SVC,         /* service .svc finished .op with .ok; .gen of the request */
	HG_EV_VIP,         /* VIP add (.op = HG_VIP_ADD) or del finished with .ok; .gen of the request */
	HG_EV_CMD,         /* operator command .cmd */
	HG_EV_HOST,        /* host watch (load, memory, disk) says .ok */
	HG_EV_BMC,         /* a BMC reading: .bmc */
};

/* What one BMC said (docs/bmc.md). who: 0 our own BMC, 1 the peer's. */
enum hg_sev { HG_SEV_OK, HG_SEV_NON_CRITICAL, HG_SEV_CRITICAL, HG_SEV_NON_RECOVERABLE };
struct hg_bmc_report {
	int who;
	int reachable;          /* the BMC answered */
	int power;              /* 1 on, 0 off, -1 unknown */
	int wdt_usable;         /* watchdog running with a known present countdown */
	uint32_t wdt_initial_ms, wdt_present_ms;
	int wdt_expired;        /* the SMS/OS timer use expired (it fired) */
	int sensor_worst;       /* enum hg_sev */
	/* When the BMC measured the countdown: after wdt_lo and before wdt_hi
	 * (the shell's clock around that one command; docs/bmc.md). */
	hg_ms wdt_lo, wdt_hi;
};

enum hg_reject { HG_REJ_MALFORMED, HG_REJ_BAD_MAC, HG_REJ_UNKNOWN, HG_REJ_COUNT };
/* REFUSED: the native level, in its own session, read the peer's watchdog
 * reset after the silence began (hg_bmc_alive_since) and powered nothing
 * off; the shell delivers that reading as HG_EV_BMC first (issue 11). */
enum hg_fence_outcome { HG_FENCE_CONFIRMED, HG_FENCE_FAILED, HG_FENCE_UNKNOWN,
			HG_FENCE_REFUSED };
/* READY: the standby's check that the service could start here (issue 6). */
enum hg_svc_op { HG_SVC_START, HG_SVC_STOP, HG_SVC_CHECK, HG_SVC_READY };
enum hg_vip_op { HG_VIP_ADD, HG_VIP_DEL };
/* A reading: FULL with the sensors; EVIDENCE power and watchdog only, for
 * rule 4, as fast as the BMC answers (the sensors keep their last value). */
enum hg_poll { HG_POLL_FULL, HG_POLL_EVIDENCE };
/* SHUTDOWN: the agent is asked to stop (SIGTERM). An active node releases
 * whether or not the peer can take over; any node becomes admin standby. */
enum hg_cmd { HG_CMD_SWITCHOVER, HG_CMD_STANDBY, HG_CMD_UNSTANDBY, HG_CMD_SHUTDOWN };

struct hg_event {
	enum hg_ev_type type;
	hg_ms now;
	int lan;
	int ok;
	int svc;
	int op;
	uint64_t gen;
	enum hg_fence_outcome outcome;
	enum hg_reject reject;
	enum hg_cmd cmd;
	struct hg_hb hb;
	struct hg_bmc_report bmc;
};

enum hg_act_type {
	HG_ACT_SEND_HB,    /* encode .hb and send it on every heartbeat LAN (.hb.lan set by shell) and ping the peer and gateway */
	HG_ACT_FENCE,      /* fence the peer; answer with HG_EV_FENCE carrying .gen */
	HG_ACT_VIP,        /* .op = HG_VIP_ADD / HG_VIP_DEL for every VIP; answer HG_EV_VIP with .gen */
	HG_ACT_GARP,       /* one gratuitous ARP for every VIP */
	HG_ACT_SVC,        /* run .op of service .svc; answer HG_EV_SVC with .gen */
	HG_ACT_LINK_RESET, /* reset own link on .lan (self-repair) */
	HG_ACT_RECORD,     /* decision record: .event, .rule, .why */
	HG_ACT_REPLY,      /* answer to an operator command: .ok, .why */
	HG_ACT_BMC_POLL,   /* read the BMC of .svc (0 own, 1 peer) now, .op: enum hg_poll; answer HG_EV_BMC */
	HG_ACT_WDT_PET,    /* reset our own BMC watchdog now (self-fence: rule 5);
			      the core asks again within .ms (its cadence) */
	HG_ACT_COUNT
};

struct hg_action {
	enum hg_act_type type;
	int lan, svc, op, ok;
	uint64_t gen;
	uint32_t ms;
	hg_ms since;            /* FENCE: the silence began then (hg_bmc_alive_since) */
	struct hg_hb hb;
	const char *event;      /* record: short stable name, e.g. "peer_lost" */
	const char *rule;       /* record: DESIGN.md rule, e.g. "4", or "" */
	/* record "transition": typed, for the simulator and the hooks */
	int from, to;           /* enum hg_role; -1 in other records */
	const char *trigger;    /* the table's event, e.g. "peer_lost" */
	char why[HG_WHY_MAX];   /* record/reply: evidence, in words */
};

struct hg_actions {
	int n;
	struct hg_action a[HG_MAX_ACTIONS];
};

enum hg_svc_state { HG_SVC_STOPPED, HG_SVC_STARTING, HG_SVC_RUNNING,
		    HG_SVC_STOPPING, HG_SVC_FAILED };

struct hg_service {
	enum hg_svc_state state;
	int busy;               /* a start or stop is running */
	int check_busy;         /* a check is running */
	int gave_up;            /* restarts exhausted: node unfit until unstandby */
	int unready;            /* standby readiness check failed: node ineligible */
	uint32_t failures;      /* consecutive failed checks or starts */
	uint32_t restarts;      /* restarts since this node became active */
	uint32_t window_restarts; /* restarts in the current window */
	hg_ms window_start;
	hg_ms restart_at;       /* a restart is scheduled then, -1 none */
	hg_ms next_check;
	hg_ms last_failure;     /* -1 = never */
	hg_ms last_probe;       /* last check or readiness answer, -1 never */
	/* the requests in flight: an answer counts only with its generation,
	 * and a request unanswered past its deadline is taken as failed */
	uint64_t op_gen, chk_gen;
	int chk_op;             /* HG_SVC_CHECK or HG_SVC_READY in flight */
	hg_ms op_deadline, chk_deadline;
	uint64_t probe_gen;     /* the start-up clean-up's own probe in flight, 0 none */
	int stop_failed;        /* its last stop failed: it may still run */
};

/* The peer as seen through its heartbeats (replay-checked). */
struct hg_peer {
	uint64_t incarnation;   /* 0 = never heard */
	uint64_t max_seq;
	uint64_t window;        /* bit i: max_seq - i accepted */
	uint64_t min_incarnation;  /* floor: incarnations <= it are replays (hg_core_set_peer_floor) */
	hg_ms last_hb;          /* newest heartbeat that updated the view */
	hg_ms last_rx;          /* newest accepted heartbeat on any path */
	hg_ms max_gap;          /* longest gap between accepted heartbeats */
	struct hg_hb view;      /* from the newest heartbeat */
	hg_ms path_last[HG_MAX_PATHS];  /* path p = lan*2 + (0 udp, 1 icmp) */
	/* The peer's heartbeat cadence in its own clock (sent_ms), per life:
	 * the shortest gap between its batches in a window of them. */
	uint64_t gap_min;
	int gaps;
	int slower;             /* its interval is longer than ours (hg_peer_gap) */
};

struct hg_counters {
	uint64_t rx_ok, rx_replay, rx_reject[HG_REJ_COUNT];
	uint64_t tx_hb, fences, takeovers, releases, stalls;
};

struct hg_core {
	struct hg_params p;
	uint64_t incarnation, seq;
	enum hg_role role;
	hg_ms started, role_since, last_step, next_hb;
	hg_ms stall_hold_until;

	struct hg_peer peer;
	int peer_lost;          /* all paths silent for the deadtime, episode open */
	hg_ms peer_lost_at;

	/* own health */
	int link_up[HG_MAX_LANS];
	hg_ms gw_last;
	hg_ms link_reset_at[HG_MAX_LANS];
	int admin_standby;
	int host_ok;            /* host watch: load, memory, disk */
	int dual_seen;          /* we kept the VIPs while the peer was active too */

	/* BMC evidence (rule 4): the latest reading of each BMC and when */
	struct hg_bmc_report bmc[2];
	struct hg_bmc_report peer_seen;  /* the last peer reading that answered */
	hg_ms peer_seen_at;     /* HG_NEVER: none */
	uint32_t peer_wdt_ms;   /* the peer's watchdog timeout, as its BMC last said; 0 unknown */
	hg_ms bmc_at[2];        /* HG_NEVER: no reading yet */
	hg_ms poll_asked;       /* when we last asked for a peer reading */
	int cut_off_noted;      /* "peer cut off, not dead" recorded this episode */
	int pet_stopped;        /* rule 5: we stopped resetting our watchdog */
	hg_ms pet_next;         /* the next reset is due then */
	hg_ms poll_deadline;    /* the peer reading asked at poll_asked is late then */
	hg_ms own_asked;        /* when we last asked for a reading of our own BMC */
	int suspect_open;       /* this silence's suspicion asked its reading (suspect.c) */
	int self_check_failed;  /* recorded once per peer-lost episode */

	/* handing over / taking over */
	int handover;           /* released on purpose, grant until the peer is active */
	hg_ms handover_until;
	hg_ms want_until;       /* standby asked for a switchover until then */
	uint64_t taking_seq;    /* our claim: the first seq sent as TAKING */
	uint64_t claim_peer_inc;/* the peer's life we claim against (issue 10, hole 1) */
	hg_ms peer_ok_since;    /* failback: preferred peer continuously fit since, -1 none */
	int unfit_noted;

	/* fencing */
	uint64_t fence_gen;
	int fence_busy;
	hg_ms fence_deadline;   /* a fence unanswered then has an unknown outcome */
	hg_ms fence_retry_at;   /* -1 = none scheduled */

	/* VIP and services sequence */
	int vip_held;           /* the VIPs may be configured here: from the add's request
				   until a removal succeeds (rule 1: a lost answer is no proof) */
	int vip_up;             /* the add was confirmed (services may start) */
	uint64_t vip_gen;       /* the VIP change in flight, 0 none */
	int vip_op;
	hg_ms vip_deadline;
	hg_ms vip_retry_at;     /* a failed add or removal is tried again then, -1 none */
	int seq_op;             /* -1 idle, HG_SVC_START or HG_SVC_STOP sequence */
	int seq_idx;
	/* start-up clean-up (hole 3): every service brought to a known stopped
	 * state before this node grants or takes anything */
	int cleanup;            /* enum in services.c: done, pending, stopping, probing */
	int cleanup_left;       /* probes still out */
	uint64_t req_gen;       /* generations of service and VIP requests */
	hg_ms stop_retry_at;    /* a failed stop is tried again then, -1 none */
	hg_ms garp_next;
	uint32_t garp_left;
	struct hg_service svc[HG_MAX_SERVICES];

	struct hg_counters cnt;
};

void hg_core_init(struct hg_core *c, const struct hg_params *p,
		  uint64_t incarnation, hg_ms now);
void hg_core_step(struct hg_core *c, const struct hg_event *ev,
		  struct hg_actions *out);
hg_ms hg_core_next_wakeup(const struct hg_core *c);
/* After hg_core_init, before the first step: the newest incarnation of the
 * peer heard by a previous life of this node (the shell persists it). Every
 * packet of that incarnation or older is a replay: its sequence window died
 * with the previous life (docs/protocol.md, "Incarnations"). */
void hg_core_set_peer_floor(struct hg_core *c, uint64_t incarnation);

/* Derived views, for status and the simulator's invariant checks. */
int hg_core_eligible(const struct hg_core *c);
/* Every service is known stopped, or may run but the node escalated (it
 * keeps what it holds and lets its watchdog fire). */
int hg_core_cleaned(const struct hg_core *c);
int hg_core_path_up(const struct hg_core *c, int path, hg_ms now);
int hg_core_peer_fresh(const struct hg_core *c, hg_ms now);
const char *hg_svc_state_name(enum hg_svc_state s);
/*
 * Pure: the reading r proves that the node's watchdog was reset after
 * `since` (rule 4: its agent is alive and judges itself healthy). Power on,
 * a usable countdown, and its last reset bounded below by the measurement
 * window and the countdown's 100 ms steps. One rule for the core's
 * evidence and for the native fence level's check before its power-off
 * (agent/bmcw.c, the simulators).
 */
int hg_bmc_alive_since(const struct hg_bmc_report *r, hg_ms since);
/* Pure: the earliest moment r allows for the node's last watchdog reset. */
hg_ms hg_bmc_reset_after(const struct hg_bmc_report *r);

/* Nothing of the cluster is here: no VIP, no start/stop sequence, no
 * service that may be running, and the role is not active, releasing or
 * taking. The daemon exits on a stop request only then (commands.c). */
int hg_core_quiescent(const struct hg_core *c);

#endif
