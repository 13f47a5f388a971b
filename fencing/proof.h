/*
 * proof.h - the one "power off, then read back" procedure (DESIGN.md rule 2,
 * docs/fencing.md), used by the native fence level (the agent's BMC
 * worker), `headguard fence` and hg-fence-ipmi.
 *
 * The procedure sends the power command once, then reads the power state
 * every poll_ms until it reads as wanted or timeout_ms (counted from before
 * the command) has passed. The proof is the read-back, never the command's
 * answer: a refused or unanswered command is recorded and the reading goes
 * on (the node may be off already, or the answer was lost), and only a
 * state read back as off confirms. Errors: 0 / -errno.
 */
#ifndef HG_FENCE_PROOF_H
#define HG_FENCE_PROOF_H

#include <stddef.h>
#include <stdint.h>

struct bmc_session;

/* How the procedure reaches the power, the clock and sleep (a fake in the
 * unit tests, ipmi/bmc.h in the programs). */
struct fence_power_ops {
	int (*command)(void *ctx, int on);  /* power on (1) / off (0): 0 or -errno */
	int (*get)(void *ctx, int *on);     /* read the state back: 0 or -errno */
	int64_t (*now_ms)(void *ctx);       /* monotonic */
	void (*sleep_ms)(void *ctx, unsigned ms);
	void *ctx;
};

struct fence_timing {
	unsigned timeout_ms;   /* from before the command to the last read */
	unsigned poll_ms;      /* pause between reads; 0 is taken as 1 */
	unsigned settle_ms;    /* pause after the command, before the first read */
};

/* What the procedure saw: the audit of one fence. */
struct fence_proof {
	int confirmed;         /* the state was read back as wanted */
	int want;              /* 0 off, 1 on */
	int command_rc;        /* the command's answer: 0 or -errno (never a proof) */
	int read_rc;           /* the last read: 0 or -errno */
	int power;             /* the last state read: 1 on, 0 off, -1 none read */
	unsigned reads;        /* reads made */
	int64_t elapsed_ms;    /* from before the command to the last read */
};

/*
 * Power off (want 0) or on (want 1) through ops, then read back. 0 when
 * read back as wanted (out->confirmed = 1); -ETIMEDOUT when the last read
 * still said otherwise; the last read's -errno when no read answered at
 * the end; -EINVAL for a NULL argument. *out is always filled (but for
 * -EINVAL).
 */
int fence_power_confirm(const struct fence_power_ops *ops, int want,
			const struct fence_timing *t, struct fence_proof *out);

/* The same on a BMC session (ipmi/bmc.h; in hg_fence_bmc, not hg_fence):
 * Chassis Control power down, Get Chassis Status until off. */
int fence_power_off_confirm(struct bmc_session *s, const struct fence_timing *t,
			    struct fence_proof *out);
/* Chassis Control power up, read back until on (hg-fence-ipmi action=on). */
int fence_power_on_confirm(struct bmc_session *s, const struct fence_timing *t,
			   struct fence_proof *out);

/* One line for the audit ("power read back as off after 812 ms, 9 reads;
 * the off command failed: ..." ); its length as snprintf's. errtext maps a
 * -errno to text (bmc_strerror), or NULL for strerror. */
int fence_proof_text(const struct fence_proof *p, const char *(*errtext)(int),
		     char *buf, size_t len);

#endif
