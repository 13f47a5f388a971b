/*
 * daemon.h - the event loop: sockets, netlink, jobs and the control socket
 * turned into core events; core actions turned into system calls.
 *
 * One poll() loop. CLOCK_MONOTONIC is read once per turn (STYLE.md habit 1)
 * and stamped on every event of that turn. Anything that may block runs as a
 * job (agent/jobs.h), so heartbeats keep their rhythm.
 */
#ifndef HG_DAEMON_H
#define HG_DAEMON_H

#include <stddef.h>
#include <stdint.h>
#include "agent/config.h"
#include "agent/core/core.h"
#include "agent/ctl.h"
#include "agent/hbnet.h"
#include "agent/jobs.h"
#include "agent/log.h"
#include "agent/bmcw.h"
#include "fencing/fence.h"

struct nif;

/* Datagrams (or echo replies) read per socket per loop turn: a flood costs
 * at most this much work between two ticks. Genuine traffic is a few per
 * interval. */
#define DAEMON_BUDGET 64
#define DAEMON_NETQ   (DAEMON_BUDGET * (HG_CFG_MAX_LANS + 1))
/* Outstanding answers: a job per service callback (DAEMON_SVC_CBS, at most
 * HG_CFG_MAX_SERVICES * 4), hooks, the host watch, a reading per BMC worker,
 * the fence, VIP results of one turn's actions; and per turn a tick, a
 * command and a carrier change per LAN. */
#define DAEMON_LOCQ   (2 * (HG_CFG_MAX_SERVICES * 4 + HOOKS_MAX + HG_MAX_ACTIONS + 16))

/* One per service job in flight (daemon_svc.c): its own generation. */
struct svc_cb { struct daemon *d; int svc, op; uint64_t gen; int busy; };
#define DAEMON_SVC_CBS JOBS_MAX

#define HOOKS_MAX 8
struct hook_cb { struct daemon *d; char event[24]; int busy; };

struct daemon {
	const struct hg_config *cfg;
	uint8_t key[256];
	size_t keylen;
	struct hg_core core;
	struct hbnet net;
	struct nif *nif;
	struct jobs jobs;
	struct fence fence;
	struct ctl ctl;
	int sigfd;
	int64_t now;
	int link[HG_CFG_MAX_LANS];      /* last carrier state given to the core, -1 unknown */
	struct svc_cb svc_cb[DAEMON_SVC_CBS];
	struct hook_cb hook_cb[HOOKS_MAX];
	int64_t next_watch;             /* host watch due, INT64_MAX if none configured */
	struct bmcw bmc[2];             /* workers: [0] our BMC, [1] the peer's */
	struct bmcw_rep bmc_last[2];    /* latest readings, for status */
	int64_t bmc_last_at[2];
	int64_t next_bmc_poll;
	uint64_t native_gen;            /* native fence request in flight */
	fence_done_fn native_done;
	void *native_arg;
	int wdt_failing;
	char own_path[12];       /* the path our BMC was last served on (bmcw_rep.path) */
	int64_t last_pet;               /* last watchdog reset sent */
	int watch_busy;
	uint64_t peer_inc_saved;        /* the peer's incarnation in state_dir */
	int cmd_client;                 /* control client awaiting a reply, -1 none */
	/* Two event queues (docs/performance.md, "Event intake"): the
	 * network's (heartbeats, echo replies), filled at most DAEMON_BUDGET
	 * per socket per turn and drained every turn; and the answers to the
	 * core's own requests and local events (fence, BMC, VIP, services,
	 * hooks, links, commands), sized above what can be outstanding, never
	 * dropped. Rejected datagrams are only counted, never queued. */
	struct hg_event netq[DAEMON_NETQ];
	unsigned nq_head, nq_tail;
	struct hg_event locq[DAEMON_LOCQ];
	unsigned lq_head, lq_tail;
	uint64_t rej[HG_REJ_COUNT];      /* rejected by the shell, before the core */
	uint64_t rej_lan[HG_CFG_MAX_LANS];
	uint64_t budget_hits;            /* turns a socket still had input past its budget */
	uint64_t netq_drops;
	struct log_rl rej_rl[HG_CFG_MAX_LANS], drop_rl;
	int quit;                       /* 1: a stop was requested (daemon_stop.c) */
	int quit_forced;                /* a second signal: exit now */
	int64_t quit_at;                /* the first signal */
	int64_t quit_log_at;            /* next "waiting for" line */
	int64_t quiet_at;               /* quiescent since, -1 not */
	int64_t quit_active_since;      /* role_since of the role the request was sent in */
};

/* Reads the key file, refusing one that group or others can read.
 * Returns 0, or -errno with a message in err. */
int daemon_read_key(const char *path, uint8_t *key, size_t cap, size_t *len,
		    char *err, size_t errlen);

/* Runs until SIGTERM/SIGINT. Returns the exit code. */
int daemon_run(struct daemon *d, const struct hg_config *cfg);

/* Queues an event for the core (drained every loop turn). */
void daemon_push(struct daemon *d, const struct hg_event *ev);
/* hooks.c: run the event hook for a record, if it maps to a hook event. */
void daemon_hook(struct daemon *d, const struct hg_action *a);
/* hooks.c: start the host watch job (and schedule the next). */
void daemon_watch(struct daemon *d);

/* daemon_bmc.c: the BMC workers. */
/* daemon_svc.c: run op of service svc as a job; its answer (HG_EV_SVC)
 * carries gen, this request's, whatever was asked meanwhile. */
void daemon_svc(struct daemon *d, int svc, int op, uint64_t gen);

void daemon_bmc_setup(struct daemon *d, struct hg_params *p);
void daemon_bmc_tick(struct daemon *d);            /* periodic readings */
/* a reading now; evidence_only: power and watchdog, no sensor sweep */
void daemon_bmc_poll(struct daemon *d, int who, int evidence_only);
void daemon_bmc_pet(struct daemon *d);
void daemon_bmc_read(struct daemon *d, int i);     /* after POLLIN on bmc[i].fd */
/* Ends the workers; disarm != 0 stops our watchdog first (a clean stop),
 * else it stays armed and the BMC powers this node off (rule 5). */
void daemon_bmc_stop(struct daemon *d, int disarm);
int  daemon_fence_native(void *ctx, unsigned timeout_ms, int64_t since, fence_done_fn done,
			  void *arg);
int  daemon_bmc_json(const struct daemon *d, char *buf, size_t len);

/* daemon_stop.c: SIGTERM/SIGINT. The first asks the core to shut down; a
 * second, STOP_REPEAT_MS or more later, forces the exit. daemon_stop_due:
 * called after every loop turn, 1 when the loop must end. daemon_stop_clean:
 * 1 when the exit leaves nothing of the cluster here (disarm the watchdog). */
void daemon_stop_signal(struct daemon *d, unsigned signo);
int  daemon_stop_due(struct daemon *d);
int  daemon_stop_clean(const struct daemon *d);

/* Renders `status` (json != 0: one JSON object) into buf. */
void daemon_status(const struct daemon *d, int json, char *buf, size_t len);

#endif
