/*
 * pair.h - two cores on a virtual clock, wired through the real wire codec,
 * with simulated LANs, power, fence devices, VIP and services. Used by the
 * unit tests; the deterministic simulator (sim/dst) grows from it.
 *
 * Every delivery and result is a queued event with a due time; pair_run()
 * steps whichever is due first. After every step the harness checks the
 * safety invariant (never two VIP holders) and counts violations.
 */
#ifndef HG_TEST_PAIR_H
#define HG_TEST_PAIR_H

#include "agent/core/core.h"

#define PAIR_QMAX 4096

struct pair_node {
	struct hg_core core;
	int powered;
	int vip;                 /* VIP configured on this node */
	int link[HG_MAX_LANS];   /* carrier */
	int cable_cut[HG_MAX_LANS]; /* a link reset cannot bring it back */
	int svc_running[HG_MAX_SERVICES];
	int svc_broken[HG_MAX_SERVICES];
	uint64_t incarnation;
	int fences;              /* fence actions issued */
	int fence_fails;         /* >0: the next N fences fail */
	int fence_lost;          /* >0: the next N fence answers never arrive */
	int svc_stop_fails[HG_MAX_SERVICES]; /* its stop exits non-zero, the service runs on */
	int vip_del_fails;       /* >0: the next N VIP removals fail */
	int link_resets;
	int records_stall;
	char events[256][24];    /* record names, in order (first 256) */
	/* the node's BMC (pair_bmc) */
	int hung;                /* SIGSTOP: no steps, no UDP; the kernel answers pings */
	int bmc_down;            /* its BMC does not answer */
	int reads_lost;          /* its readings of the peer's BMC are lost (loss on its
				    management link); a fence's longer session gets through */
	int sensor;              /* worst sensor severity its BMC reports */
	hg_ms wdt_last_pet;      /* HG_NEVER-like when never petted */
	hg_ms shell_last_pet;    /* the daemon's own throttle (daemon_bmc_pet) */
	int wdt_expired;
	hg_ms last_poll;
	int peer_polls;          /* readings of the peer's BMC the core asked for */
	int quick_polls;         /* of those, power and watchdog only (no sensors) */
	int nevents;
};

struct pair_msg {
	hg_ms due;
	int to;
	struct hg_event ev;
	int raw;                 /* 1: ev.hb is to be encoded/decoded on delivery */
};

struct pair {
	hg_ms now;
	struct hg_params params[2];
	struct pair_node n[2];
	int cut[HG_MAX_LANS];    /* node-to-node traffic dropped on this LAN */
	int nq;
	struct pair_msg q[PAIR_QMAX];
	int two_holders;         /* invariant violations seen */
	int two_serving;         /* steps after which both nodes ran a service */
	int max_holders;
	uint8_t key[32];
	int verbose;
	uint32_t wdt_ms;         /* BMCs with a watchdog of this timeout, 0: no BMC */
	uint32_t bmc_poll_ms;    /* the shell's periodic readings (config bmc_poll_ms) */
	/* transitions seen: from role x table event name, for the table walk */
	char seen[64][48];
	int nseen;
	struct hg_actions last;  /* actions of the latest step, for inspection */
	char reply[HG_WHY_MAX];
	int reply_ok;
};

void pair_init(struct pair *pr, int n_lans, int n_services);
void pair_boot(struct pair *pr, int node);          /* power on, new incarnation */
void pair_power_off(struct pair *pr, int node);
/* The agent alone restarts (crash, OOM kill, systemd Restart=): a new
 * incarnation; the kernel keeps what the daemon keeps (services run on), the
 * daemon's start removes the VIPs (daemon.c setup). */
void pair_agent_restart(struct pair *pr, int node);
void pair_run(struct pair *pr, hg_ms until);        /* advance the clock */
void pair_link(struct pair *pr, int node, int lan, int up);
/* Pull (cut = 1) or plug back a node's cable: carrier follows, resets do not help. */
void pair_cable(struct pair *pr, int node, int lan, int cut);
void pair_cmd(struct pair *pr, int node, enum hg_cmd cmd);
void pair_host(struct pair *pr, int node, int ok);   /* host watch result */
/* Both nodes get a BMC whose watchdog powers the node off after wdt_ms
 * without a reset; call after pair_init, before pair_boot. */
void pair_bmc(struct pair *pr, uint32_t wdt_ms);
/* How many records named `event` node produced so far. */
int  pair_records(const struct pair *pr, int node, const char *event);
int  pair_holders(const struct pair *pr);
int  pair_seen(const struct pair *pr, const char *transition);
/* Deliver a BMC reading to node's core at `due`, as the shell would. */
void pair_bmc_reading(struct pair *pr, int node, const struct hg_bmc_report *r, hg_ms due);
/* Deliver raw bytes as if received by `node` on `lan` from the peer's address. */
void pair_inject_raw(struct pair *pr, int node, int lan, const uint8_t *buf, size_t len);

#endif
