/*
 * bmc_int.h - shared by the files of ipmi/ only: the session and the one
 * raw command path every reply parsed by reply.h comes through.
 */
#ifndef HG_BMC_INT_H
#define HG_BMC_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <freeipmi/freeipmi.h>

#include "ipmi/bmc.h"
#include "ipmi/reply.h"

#define BMC_NETFN_CHASSIS	0x00
#define BMC_NETFN_SENSOR	0x04
#define BMC_NETFN_APP		0x06
#define BMC_NETFN_STORAGE	0x0a

/* Largest IPMI response: cmd byte, completion code, data. */
#define BMC_RS_MAX		256

struct bmc_session {
	ipmi_ctx_t ctx;		/* NULL after a failed reopen: bmc_ready() retries */
	int path;		/* enum bmc_path: LAN, or the in-band driver opened */
	char host[320];		/* "host", "host:port" or "[v6]:port" */
	char user[IPMI_MAX_USER_NAME_LENGTH + 1];
	char password[IPMI_2_0_MAX_PASSWORD_LENGTH + 1];	/* wiped by bmc_close */
	int cipher_suite, privilege;
	unsigned timeout_ms;	/* FreeIPMI's session timeout, as opened */
	unsigned workarounds;	/* the FreeIPMI workaround flags that worked */
	struct timespec last_rx;	/* CLOCK_MONOTONIC of the last reply */
	fiid_obj_t status_rs;	/* Get Chassis Status response */
	fiid_obj_t control_rs;	/* Chassis Control response */
	/* SDR cache (sensors.c): read once per session. A load cut short
	 * (an error, the hook) resumes at sdr_next with the records so far. */
	int sdr_loaded, sdr_partial;
	uint16_t sdr_next;
	unsigned sdr_walked;	/* records walked, against a BMC that loops */
	struct bmc_sdr *sdr;
	size_t n_sdr;
	/* bmc_set_hook: called before each request, never from inside itself. */
	int (*hook)(void *arg);
	void *hook_arg;
	int in_hook;
};

/*
 * Before a command: reopen the session if it sat idle for most of its
 * timeout (bmc.c says why). After a reply: note the time.
 */
int bmc_ready(struct bmc_session *s);
void bmc_touch(struct bmc_session *s);

/* FreeIPMI's error of ctx (errno right after the call) as -errno. */
int bmc_errno(ipmi_ctx_t ctx, int sys_errno);

/*
 * Sends cmd with req (len bytes) to netfn/lun and leaves the response,
 * completion code first (the command byte stripped), in rs[0..*rs_len).
 * Fails only for transport errors and a reply without even a completion
 * code or for another command; the completion code is the parser's.
 */
int bmc_raw(struct bmc_session *s, uint8_t lun, uint8_t netfn, uint8_t cmd,
    const uint8_t *req, size_t req_len, uint8_t *rs, size_t *rs_len);

/* sensors.c: drop the cache (bmc_close); a sensor number's SDR name or NULL. */
void bmc_sdr_free(struct bmc_session *s);
const char *bmc_sdr_name(struct bmc_session *s, uint8_t number);

#endif
