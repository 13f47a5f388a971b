/*
 * bmc.h - talk to one BMC through FreeIPMI, over IPMI 2.0 / RMCP+ (lanplus)
 * or in-band through the host's own interface (the kernel's OpenIPMI
 * driver, KCS, SSIF): chassis power, the watchdog timer, sensors with SDR
 * thresholds, the SEL.
 * The pure parsers of the replies are in ipmi/reply.h (docs/bmc.md).
 *
 * Error convention: every int-returning function returns 0 on success or a
 * negative errno. bmc_strerror() gives the text for those values. The
 * mapping from FreeIPMI's errors lives in one place (bmc.c, bmc_errno()):
 *
 *   -EACCES           wrong user name, password or K_g (authentication failed)
 *   -EPERM            the privilege level cannot be obtained for this user,
 *                     or a refused cipher suite was asked for (bmc_cipher_why)
 *   -EPROTONOSUPPORT  the BMC refuses the cipher suite, or has no IPMI 2.0
 *                     (one that refuses it with a truncated reply, as ipmi_sim
 *                     does for suite 17, gives -EPROTO)
 *   -ETIMEDOUT        no (valid) answer within timeout_ms
 *   -EHOSTUNREACH     host name does not resolve, or the network says so
 *   -EPROTO           reply short, malformed, or with an error completion code
 *   -EOPNOTSUPP       the BMC does not implement the command
 *   -EBUSY            the BMC says it is busy
 *   -ENOENT           no sensor of that name, no such SDR/SEL record
 *   -ENXIO            Reset Watchdog Timer before any Set Watchdog Timer
 *   -ENODEV           in-band: no such interface on this host (driver not
 *                     loaded, no /dev/ipmi0, no KCS/SSIF in the firmware tables)
 *   -EAGAIN           the BMC kept cancelling our SDR reservation
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

#include <stddef.h>
#include <stdint.h>

#define BMC_PRIV_OPERATOR	3	/* IPMI privilege level numbers */
#define BMC_PRIV_ADMIN		4

#define BMC_DEFAULT_PORT	623
#define BMC_DEFAULT_TIMEOUT_MS	5000

/*
 * The path to a BMC (docs/bmc.md, "Paths"). LAN is IPMI 2.0 over UDP to
 * host (the management LAN, or a BMC's host-interface NIC). The in-band
 * paths reach the BMC of the host this runs on, through the kernel or the
 * firmware's system interface: no network, no session, no password. INBAND
 * probes FreeIPMI's drivers in its order (OpenIPMI's /dev/ipmi0 first).
 */
enum bmc_path {
	BMC_PATH_LAN = 0,
	BMC_PATH_INBAND,	/* the first of the three below that is there */
	BMC_PATH_OPENIPMI,	/* /dev/ipmi0 of the ipmi_devintf + ipmi_si drivers */
	BMC_PATH_KCS,		/* KCS registers, directly (root, I/O ports) */
	BMC_PATH_SSIF,		/* SMBus system interface (/dev/i2c-N) */
};

/* "lan", "inband", "openipmi", "kcs", "ssif"; never NULL. */
const char *bmc_path_name(int path);

struct bmc_target {
	int path;		/* enum bmc_path; in-band ignores every field but timeout_ms */
	const char *host;	/* "203.0.113.21", a name, or an IPv6 address */
	uint16_t port;		/* 0 = 623 */
	const char *user;	/* at most 16 bytes */
	const char *password;	/* at most 20 bytes; never logged, never in an error */
	int cipher_suite;	/* 3 in the lab, 17 production default; bmc_cipher_why */
	int privilege;		/* BMC_PRIV_OPERATOR or BMC_PRIV_ADMIN */
	unsigned timeout_ms;	/* per request; 0 = BMC_DEFAULT_TIMEOUT_MS */
};

struct bmc_session;

/*
 * Pure: NULL if cipher suite `suite` is accepted, else why it is refused.
 * Accepted: 3, 8, 12, 17 (an authenticated key exchange, integrity and
 * AES-CBC-128 on every message). Refused: 0, 1, 6, 15 have no integrity,
 * so anyone on the management LAN can forge a reply ("power off" among
 * them); 2, 7, 11, 16 have no encryption; other numbers are no IPMI 2.0
 * suite FreeIPMI speaks. bmc_open refuses those with -EPERM (unknown
 * numbers: -EINVAL), and the configuration with a line-numbered error.
 */
static inline const char *bmc_cipher_why(int suite)
{
	switch (suite) {
	case 3: case 8: case 12: case 17:
		return (const char *)0;
	case 0:
		return "no authentication, no integrity";
	case 1: case 6: case 15:
		return "no integrity: replies can be forged";
	case 2: case 7: case 11: case 16:
		return "no encryption";
	default:
		return "not an IPMI 2.0 suite";
	}
}

/*
 * Open an RMCP+ session with t's credentials, cipher suite and privilege.
 * The strings in t need not outlive the call. On success *out is a session
 * to give to bmc_close(); on error *out is NULL.
 */
int bmc_open(const struct bmc_target *t, struct bmc_session **out);

/* The path s was opened on: BMC_PATH_LAN, or the in-band driver found. */
int bmc_session_path(const struct bmc_session *s);

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

/*
 * Watchdog timer (IPMI 2.0 section 27), the node's self-fence (DESIGN.md
 * rule 5). What Get Watchdog Timer said, every field as the BMC sent it.
 * Real BMCs truncate this reply: ipmi_sim 2.0.33 leaves out the present
 * countdown (present_known = 0 then) and never sets the running bit, so a
 * caller that must know whether the peer's watchdog is being reset compares
 * present_ms across reads instead of trusting `running` alone.
 */
#define BMC_WDT_USE_SMS_OS		4	/* timer use: SMS/OS (the agent) */
#define BMC_WDT_ACTION_NONE		0
#define BMC_WDT_ACTION_RESET		1
#define BMC_WDT_ACTION_POWER_DOWN	2
#define BMC_WDT_ACTION_POWER_CYCLE	3
#define BMC_WDT_MAX_MS			6553500u	/* 65535 units of 100 ms */

struct bmc_watchdog {
	int running;		/* "timer is started" bit */
	int dont_log;		/* expiry is not logged in the SEL */
	unsigned use;		/* 1 BIOS FRB2, 2 BIOS/POST, 3 OS load, 4 SMS/OS, 5 OEM */
	unsigned action;	/* BMC_WDT_ACTION_* */
	unsigned pretimeout_intr; /* 0 none, 1 SMI, 2 NMI, 3 messaging interrupt */
	unsigned pretimeout_s;	/* pre-timeout interval, seconds */
	unsigned expired;	/* expiration flags: bit N = use N expired since cleared */
	uint32_t initial_ms;	/* initial countdown */
	uint32_t present_ms;	/* present countdown; 0 if !present_known */
	int present_known;	/* the reply carried the present countdown */
};

/*
 * Set Watchdog Timer: use SMS/OS, action power down, no pre-timeout,
 * logging on, countdown timeout_ms rounded up to 100 ms (100..
 * BMC_WDT_MAX_MS, else -EINVAL), and the SMS/OS expiration flag cleared
 * (a node arming its watchdog starts a new life). This stops the timer:
 * bmc_watchdog_reset() starts it.
 */
int bmc_watchdog_set(struct bmc_session *s, unsigned timeout_ms);

/* Reset Watchdog Timer: restart the countdown (starts a stopped timer). */
int bmc_watchdog_reset(struct bmc_session *s);

/* Set Watchdog Timer with action none: the timer stops (clean shutdown). */
int bmc_watchdog_stop(struct bmc_session *s);

/* Get Watchdog Timer. */
int bmc_watchdog_get(struct bmc_session *s, struct bmc_watchdog *out);

/*
 * Sensors. The SDR repository is read once per session, on the first call
 * that needs it, and cached (bmc_sdr_reload() reads it again). Severity is
 * the worst of the BMC's own threshold status bits and the reading compared
 * with the SDR's thresholds; for discrete sensors it comes from the state
 * bits of the types the agent cares about (power supply, processor, power
 * unit, "severity" sensors). A sensor whose reading is unavailable (host off,
 * scanning disabled) has available = 0 and severity OK.
 */
enum bmc_severity {
	BMC_SEV_OK = 0,
	BMC_SEV_NON_CRITICAL,
	BMC_SEV_CRITICAL,
	BMC_SEV_NON_RECOVERABLE,
};

#define BMC_SENSOR_NAME_MAX	16

struct bmc_sensor {
	char name[BMC_SENSOR_NAME_MAX + 1];	/* SDR ID string, printable */
	uint8_t number;
	uint8_t type;		/* sensor type: 01h temperature, 04h fan, 08h PSU... */
	uint8_t event_type;	/* event/reading type code: 01h threshold */
	int threshold;		/* an analog threshold sensor */
	int available;		/* the BMC returned a usable reading */
	uint8_t raw;		/* reading byte */
	double value;		/* threshold sensors: in `unit` */
	unsigned unit;		/* IPMI base unit code: 1 degrees C, 18 RPM */
	uint16_t state;		/* threshold status bits, or discrete state bits */
	unsigned thresholds_set;	/* bit i: thresholds[i] is from the SDR */
	double thresholds[6];	/* BMC_THR_* order, in `unit` */
	enum bmc_severity severity;
};

enum { BMC_THR_LNC, BMC_THR_LC, BMC_THR_LNR, BMC_THR_UNC, BMC_THR_UC, BMC_THR_UNR };

/* One sensor by SDR name (exact, case-sensitive): -ENOENT if none. */
int bmc_sensor_read(struct bmc_session *s, const char *name, struct bmc_sensor *out);

/*
 * Every readable sensor the SDR lists, up to max; *n says how many were
 * written. A sensor the BMC refuses to read is skipped, not an error; a
 * transport error or the hook's -ECANCELED stops the sweep with it.
 */
int bmc_sensors_read(struct bmc_session *s, struct bmc_sensor *out, size_t max, size_t *n);

/* Forget the cached SDR; the next sensor call reads the repository again. */
void bmc_sdr_reload(struct bmc_session *s);

/*
 * System Event Log. The caller keeps a cursor (zeroed at first: every
 * entry is new) across calls and sessions. A cleared SEL is noticed (the
 * last seen record is gone or changed) and read from the start again.
 */
struct bmc_sel_cursor {
	int valid;
	uint16_t last_id;
	uint32_t last_timestamp;
};

struct bmc_sel_entry {
	uint16_t record_id;
	uint8_t record_type;	/* 02h system event; C0h-FFh OEM */
	uint32_t timestamp;	/* seconds since 1970 ... */
	int pre_init;		/* ... or, if set, since the BMC started (spec 37.1) */
	uint8_t generator;	/* slave address or software ID */
	uint8_t sensor_type;
	uint8_t sensor_number;
	uint8_t event_type;	/* event/reading type code */
	int deassertion;
	uint8_t data[3];	/* event data 1-3 */
	char text[96];		/* "Watchdog 2 #0: power down (use SMS/OS)" */
};

/* Entries after the cursor, oldest first, at most max; advances the cursor. */
int bmc_sel_read_new(struct bmc_session *s, struct bmc_sel_cursor *c,
    struct bmc_sel_entry *out, size_t max, size_t *n);

/*
 * A hook run before each request of s goes out: between any two round
 * trips of every call (an SDR load, a sensor sweep). It may use s itself
 * (it is not run again while it runs), e.g. to serve a more urgent request
 * first. A negative return (-errno) fails the request about to go out, and
 * with it the call, with that value; -ECANCELED is the convention for "cut
 * short", and bmc_sensors_read() and an SDR load stop at it (the load
 * resumes where it stopped at the next call). fn NULL: no hook.
 */
void bmc_set_hook(struct bmc_session *s, int (*fn)(void *arg), void *arg);

/* Close the session; best effort, returns at once even if the BMC is dead. NULL is fine. */
void bmc_close(struct bmc_session *s);

/* Static text for a value returned above; never NULL, never a secret. */
const char *bmc_strerror(int err);

#endif
