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
#include "agent/bmcw.h"
#include "fencing/fence.h"

struct nif;

struct svc_cb { struct daemon *d; int svc, op; };

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
	struct svc_cb svc_cb[HG_CFG_MAX_SERVICES][4];
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
	int64_t last_pet;               /* last watchdog reset sent */
	int watch_busy;
	int cmd_client;                 /* control client awaiting a reply, -1 none */
	struct hg_event evq[128];
	unsigned eq_head, eq_tail;
	int quit;                       /* 1: shutting down */
	int64_t quit_by;
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
void daemon_bmc_setup(struct daemon *d, struct hg_params *p);
void daemon_bmc_tick(struct daemon *d);            /* periodic readings */
void daemon_bmc_poll(struct daemon *d, int who);   /* a reading now */
void daemon_bmc_pet(struct daemon *d);
void daemon_bmc_read(struct daemon *d, int i);     /* after POLLIN on bmc[i].fd */
void daemon_bmc_stop(struct daemon *d);
int  daemon_fence_native(void *ctx, unsigned timeout_ms, fence_done_fn done, void *arg);
int  daemon_bmc_json(const struct daemon *d, char *buf, size_t len);

/* Renders `status` (json != 0: one JSON object) into buf. */
void daemon_status(const struct daemon *d, int json, char *buf, size_t len);

#endif
