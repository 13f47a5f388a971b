/*
 * bmcw.h - one worker process per BMC (ours, the peer's). Every BMC call
 * blocks for up to its timeout, so none runs on the heartbeat loop (STYLE.md
 * habit 3): the loop sends typed requests over a socketpair and reads typed
 * replies, each checked for its exact size on receipt. The worker keeps its
 * RMCP+ session warm and reopens it, with a pause, after a failure.
 *
 * Order (docs/bmc.md): watchdog requests and fences before readings, and
 * during a reading between any two of its round trips, so a reading (an
 * SDR load after a session break takes dozens) delays a reset or a fence
 * by at most the round trip in flight. A reading's sensor sweep stops at a
 * budget (2 s from the reading's start) and goes on at the next reading.
 * Errors: 0 / -errno.
 */
#ifndef HG_BMCW_H
#define HG_BMCW_H

#include <stdint.h>
#include <sys/types.h>
#include "agent/config.h"
#include "agent/core/core.h"

enum bmcw_op {
	BMCW_POLL = 1,   /* power, watchdog, worst sensor */
	BMCW_FENCE,      /* power off, read back until off or .ms pass; with .since, first
			    refuse if the watchdog was reset after it (.refused) */
	BMCW_ARM,        /* set the watchdog to .ms, action power down, and start it */
	BMCW_PET,        /* reset the watchdog */
	BMCW_DISARM,     /* stop the watchdog (clean shutdown) */
	BMCW_OP_MAX
};
/* BMCW_POLL's .ms: power and watchdog only, no sensor sweep (the core's
 * rule-4 evidence, HG_POLL_EVIDENCE); the last sweep's worst is reported. */
#define BMCW_POLL_EVIDENCE 1u

struct bmcw_req {
	uint32_t size;   /* sizeof(struct bmcw_req) */
	uint32_t op;
	uint64_t gen;
	uint32_t ms;
	uint32_t pad;
	int64_t since;   /* BMCW_FENCE: the silence began then; INT64_MIN: no check */
};

struct bmcw_rep {
	uint32_t size;   /* sizeof(struct bmcw_rep) */
	uint32_t op;
	uint64_t gen;
	int32_t rc;              /* 0 or -errno of the BMC call that failed */
	int32_t reachable;
	int32_t power;           /* 1 on, 0 off, -1 unknown */
	int32_t wdt_usable, wdt_running, wdt_expired;
	uint32_t wdt_initial_ms, wdt_present_ms;
	int64_t wdt_lo, wdt_hi;  /* CLOCK_MONOTONIC ms around the Get Watchdog Timer command */
	int32_t sensor_worst;    /* enum hg_sev */
	int32_t confirmed;       /* BMCW_FENCE: power read back as off */
	int32_t refused;         /* BMCW_FENCE: 1 the peer is alive (hg_bmc_alive_since on
				    the reading this reply carries), 2 its watchdog could not
				    be read (a lost frame): nothing powered off either way */
	int32_t sensors;         /* BMCW_POLL: sensors read, -1 if the sweep was cut
				    short (sensor_worst is then the last complete one) */
	uint32_t elapsed_ms;     /* time the request took in the worker */
	uint32_t session_age_ms; /* age of the session that served it, 0 none */
	uint32_t opens;          /* sessions opened so far */
	uint32_t retries;        /* BMCW_POLL: new sessions it took for the evidence */
	char sensor[20];         /* name of the worst sensor */
	char path[12];           /* the path that served it: lan, hostif, openipmi, kcs, ssif;
				    "" if none could be opened */
	char text[160];          /* for the audit; never a secret */
};

struct bmcw {
	int fd;              /* -1: no worker */
	pid_t pid;
	int pending[BMCW_OP_MAX];  /* requests sent and not yet answered, per op */
	char name[16];       /* "own" or "peer", for logs */
};

/* Forks the worker for BMC b. own: how this node reaches its own BMC
 * (the own worker); NULL for the peer's, which is always b's address. */
int  bmcw_start(struct bmcw *w, const struct hg_cfg_bmc *b, const struct hg_cfg_own_bmc *own,
		const char *name);
/* Sends a request unless one of the same op is already pending (then 0);
 * a reading may have one more queued behind the one out (measured after). */
int  bmcw_send(struct bmcw *w, enum bmcw_op op, uint64_t gen, uint32_t ms);
/* A reading in a reply as the core takes it (an HG_EV_BMC's report). */
void bmcw_report(const struct bmcw_rep *r, int who, struct hg_bmc_report *out);
/* A fence request (BMCW_FENCE) for the silence that began at since. */
int  bmcw_fence(struct bmcw *w, uint64_t gen, uint32_t ms, int64_t since);
/* One reply: 0 and *rep, -EAGAIN if none waits, other -errno if broken. */
int  bmcw_recv(struct bmcw *w, struct bmcw_rep *rep);
/* Waits up to ms for a reply to op (clean shutdown only). */
int  bmcw_wait(struct bmcw *w, enum bmcw_op op, unsigned ms);
void bmcw_stop(struct bmcw *w);

#endif
