/*
 * bmc.h - talk to one BMC over IPMI 2.0 / RMCP+ (lanplus) through FreeIPMI.
 *
 * Error convention: every int-returning function returns 0 on success or a
 * negative errno. bmc_strerror() gives the text for those values. The
 * mapping from FreeIPMI's errors lives in one place (bmc.c, bmc_errno()):
 *
 *   -EACCES           wrong user name, password or K_g (authentication failed)
 *   -EPERM            the privilege level cannot be obtained for this user,
 *                     or cipher suite 0 was asked for (always refused here)
 *   -EPROTONOSUPPORT  the BMC refuses the cipher suite, or has no IPMI 2.0
 *                     (one that refuses it with a truncated reply, as ipmi_sim
 *                     does for suite 17, gives -EPROTO)
 *   -ETIMEDOUT        no (valid) answer within timeout_ms
 *   -EHOSTUNREACH     host name does not resolve, or the network says so
 *   -EPROTO           reply short, malformed, or with an error completion code
 *   -EOPNOTSUPP       the BMC does not implement the command
 *   -EBUSY            the BMC says it is busy
 *   -EINVAL           bad argument (bmc_target out of range, NULL pointer)
 *   -ENOMEM, -EIO     resources; anything else
 *
 * A session is used by one thread at a time. Every call blocks for up to
 * timeout_ms (bmc_open: a few round trips, each bounded by timeout_ms):
 * STYLE.md habit 3, run it in a worker, never on the heartbeat loop.
 * Nothing here logs, and no error text ever contains the password.
 */
#ifndef HG_BMC_H
#define HG_BMC_H

#include <stdint.h>

#define BMC_PRIV_OPERATOR	3	/* IPMI privilege level numbers */
#define BMC_PRIV_ADMIN		4

#define BMC_DEFAULT_PORT	623
#define BMC_DEFAULT_TIMEOUT_MS	5000

struct bmc_target {
	const char *host;	/* "203.0.113.21", a name, or an IPv6 address */
	uint16_t port;		/* 0 = 623 */
	const char *user;	/* at most 16 bytes */
	const char *password;	/* at most 20 bytes; never logged, never in an error */
	int cipher_suite;	/* 3 in the lab, 17 production default; 0 refused (-EPERM) */
	int privilege;		/* BMC_PRIV_OPERATOR or BMC_PRIV_ADMIN */
	unsigned timeout_ms;	/* per request; 0 = BMC_DEFAULT_TIMEOUT_MS */
};

struct bmc_session;

/*
 * Open an RMCP+ session with t's credentials, cipher suite and privilege.
 * The strings in t need not outlive the call. On success *out is a session
 * to give to bmc_close(); on error *out is NULL.
 */
int bmc_open(const struct bmc_target *t, struct bmc_session **out);

/* Get Chassis Status: *on = 1 if the chassis reports power on, 0 if off. */
int bmc_power_get(struct bmc_session *s, int *on);

/*
 * Chassis Control "power down" (hard off, never a cycle). Success means the
 * BMC accepted the command, not that power is off: read it back with
 * bmc_power_get() (docs/fencing.md).
 */
int bmc_power_off(struct bmc_session *s);

/* Chassis Control "power up". Same caveat: read the state back. */
int bmc_power_on(struct bmc_session *s);

/* Close the session; best effort, returns at once even if the BMC is dead. NULL is fine. */
void bmc_close(struct bmc_session *s);

/* Static text for a value returned above; never NULL, never a secret. */
const char *bmc_strerror(int err);

#endif
