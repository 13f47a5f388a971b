/*
 * bmc.c - FreeIPMI wrapper: one RMCP+ session, chassis power, and the raw
 * command path of watchdog.c, sensors.c and sel.c.
 *
 * Every reply is untrusted (STYLE.md habit 5): for chassis power FreeIPMI
 * checks the packet against its template, and we read each field we use
 * with a FIID getter and treat a missing field as -EPROTO; every other
 * command goes through bmc_raw() and a parser of reply.h.
 */
#include "ipmi/bmc_int.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static_assert(BMC_PRIV_OPERATOR == IPMI_PRIVILEGE_LEVEL_OPERATOR, "privilege numbering");
static_assert(BMC_PRIV_ADMIN == IPMI_PRIVILEGE_LEVEL_ADMIN, "privilege numbering");

/*
 * The one place FreeIPMI's error numbers become errno values (bmc.h).
 * sys_errno is errno as it was right after the failing call: FreeIPMI
 * reports socket errors as IPMI_ERR_SYSTEM_ERROR and leaves errno set.
 */
int
bmc_errno(ipmi_ctx_t ctx, int sys_errno)
{
	switch (ipmi_ctx_errnum(ctx)) {
	case IPMI_ERR_SUCCESS:
		return -EIO;	/* failed without saying why */
	case IPMI_ERR_USERNAME_INVALID:
	case IPMI_ERR_PASSWORD_INVALID:
	case IPMI_ERR_K_G_INVALID:
	case IPMI_ERR_PASSWORD_VERIFICATION_TIMEOUT:
		return -EACCES;
	case IPMI_ERR_PERMISSION:
	case IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT:
	case IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED:
		return -EPERM;
	case IPMI_ERR_AUTHENTICATION_TYPE_UNAVAILABLE:
	case IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE:
	case IPMI_ERR_IPMI_2_0_UNAVAILABLE:
		return -EPROTONOSUPPORT;
	case IPMI_ERR_CONNECTION_TIMEOUT:
	case IPMI_ERR_SESSION_TIMEOUT:
	case IPMI_ERR_MESSAGE_TIMEOUT:
	case IPMI_ERR_DRIVER_TIMEOUT:
		return -ETIMEDOUT;
	case IPMI_ERR_HOSTNAME_INVALID:
		return -EHOSTUNREACH;
	case IPMI_ERR_COMMAND_INVALID_OR_UNSUPPORTED:
	case IPMI_ERR_COMMAND_INVALID_FOR_SELECTED_INTERFACE:
		return -EOPNOTSUPP;
	case IPMI_ERR_BAD_COMPLETION_CODE:
	case IPMI_ERR_BAD_RMCPPLUS_STATUS_CODE:
	case IPMI_ERR_IPMI_ERROR:
		return -EPROTO;
	case IPMI_ERR_BMC_BUSY:
	case IPMI_ERR_DRIVER_BUSY:
		return -EBUSY;
	case IPMI_ERR_DEVICE_NOT_FOUND:
	case IPMI_ERR_DEVICE_NOT_SUPPORTED:
	case IPMI_ERR_DRIVER_PATH_REQUIRED:
		return -ENODEV;
	case IPMI_ERR_OUT_OF_MEMORY:
		return -ENOMEM;
	case IPMI_ERR_PARAMETERS:
	case IPMI_ERR_CTX_NULL:
	case IPMI_ERR_CTX_INVALID:
		return -EINVAL;
	case IPMI_ERR_SYSTEM_ERROR:
		if (sys_errno == EHOSTUNREACH || sys_errno == ENETUNREACH)
			return -EHOSTUNREACH;
		if (sys_errno == ENOMEM)
			return -ENOMEM;
		return -EIO;
	default:
		return -EIO;
	}
}

const char *
bmc_strerror(int err)
{
	switch (err) {
	case 0:			return "success";
	case -EACCES:		return "BMC authentication failed (user, password or K_g)";
	case -EPERM:		return "privilege level refused, or a refused cipher suite asked for";
	case -EPROTONOSUPPORT:	return "BMC refuses the cipher suite or has no IPMI 2.0";
	case -ETIMEDOUT:	return "BMC did not answer in time";
	case -EHOSTUNREACH:	return "BMC host unknown or unreachable";
	case -EPROTO:		return "BMC reply malformed or with an error completion code";
	case -EOPNOTSUPP:	return "BMC does not support the command";
	case -EBUSY:		return "BMC busy";
	case -ENOENT:		return "no such sensor or record on the BMC";
	case -ENXIO:		return "watchdog reset before it was set";
	case -EAGAIN:		return "BMC kept cancelling the SDR reservation";
	case -EINVAL:		return "invalid BMC target or argument";
	case -ENODEV:		return "no in-band IPMI interface on this host (driver not loaded?)";
	case -ENOMEM:		return "out of memory";
	case -EIO:		return "BMC I/O error";
	default:		return "unknown BMC error";
	}
}

const char *
bmc_path_name(int path)
{
	static const char *const n[] = { "lan", "inband", "openipmi", "kcs", "ssif" };

	return path >= 0 && path < (int)(sizeof(n) / sizeof(n[0])) ? n[path] : "unknown";
}

int
bmc_session_path(const struct bmc_session *s)
{
	return s ? s->path : BMC_PATH_LAN;
}

/* "host", "host:port", or "[v6]:port" as FreeIPMI parses it. */
static int
format_host(char *buf, size_t len, const char *host, uint16_t port)
{
	int n;

	if (port == 0 || port == BMC_DEFAULT_PORT)
		n = snprintf(buf, len, "%s", host);
	else if (strchr(host, ':'))
		n = snprintf(buf, len, "[%s]:%u", host, (unsigned)port);
	else
		n = snprintf(buf, len, "%s:%u", host, (unsigned)port);
	return n < 0 || (size_t)n >= len ? -EINVAL : 0;
}

static int
check_target(const struct bmc_target *t)
{
	if (t && t->path != BMC_PATH_LAN)
		return t->path > BMC_PATH_LAN && t->path <= BMC_PATH_SSIF ? 0 : -EINVAL;
	if (!t || !t->host || !t->host[0] || !t->user || !t->password)
		return -EINVAL;
	if (t->cipher_suite < 0 || t->cipher_suite > 255 ||
	    !IPMI_CIPHER_SUITE_ID_SUPPORTED(t->cipher_suite))
		return -EINVAL;
	/* Without integrity or encryption: never, whatever the config. */
	if (bmc_cipher_why(t->cipher_suite))
		return -EPERM;
	if (t->privilege != BMC_PRIV_OPERATOR && t->privilege != BMC_PRIV_ADMIN)
		return -EINVAL;
	if (strlen(t->user) > IPMI_MAX_USER_NAME_LENGTH ||
	    strlen(t->password) > IPMI_2_0_MAX_PASSWORD_LENGTH)
		return -EINVAL;
	return 0;
}

/*
 * In-band: the kernel's driver (or the firmware's system interface) does
 * the retries and has no session to keep warm. Not finding the interface
 * is -ENODEV whatever FreeIPMI calls it (for KCS without the hardware it
 * says "internal system error"): the operator's question is "is it there".
 */
static int
open_inband(struct bmc_session *s, int *ipmi_err)
{
	static const ipmi_driver_type_t drv[] = {
		[BMC_PATH_OPENIPMI] = IPMI_DEVICE_OPENIPMI,
		[BMC_PATH_KCS] = IPMI_DEVICE_KCS,
		[BMC_PATH_SSIF] = IPMI_DEVICE_SSIF,
	};
	ipmi_driver_type_t found = IPMI_DEVICE_UNKNOWN;
	ipmi_ctx_t ctx;
	int rc, e;

	if (!(ctx = ipmi_ctx_create()))
		return -ENOMEM;
	if (s->path == BMC_PATH_INBAND)
		rc = ipmi_ctx_find_inband(ctx, &found, 0, 0, 0, NULL, 0, IPMI_FLAGS_DEFAULT);
	else
		rc = ipmi_ctx_open_inband(ctx, drv[s->path], 0, 0, 0, NULL, 0,
		    IPMI_FLAGS_DEFAULT) < 0 ? -1 : 1;
	if (rc != 1) {
		e = errno;
		*ipmi_err = rc < 0 ? ipmi_ctx_errnum(ctx) : IPMI_ERR_DEVICE_NOT_FOUND;
		rc = rc < 0 ? bmc_errno(ctx, e) : -ENODEV;
		if (rc != -ETIMEDOUT && rc != -EACCES && rc != -EPERM && rc != -EBUSY)
			rc = -ENODEV;
		ipmi_ctx_destroy(ctx);
		return rc;
	}
	if (found == IPMI_DEVICE_OPENIPMI)
		s->path = BMC_PATH_OPENIPMI;
	else if (found == IPMI_DEVICE_KCS)
		s->path = BMC_PATH_KCS;
	else if (found == IPMI_DEVICE_SSIF)
		s->path = BMC_PATH_SSIF;
	s->ctx = ctx;
	bmc_touch(s);
	return 0;
}

static int
open_ctx(struct bmc_session *s, unsigned workarounds, int *ipmi_err)
{
	unsigned timeout = s->timeout_ms, retrans = timeout / 10;
	ipmi_ctx_t ctx;
	int rc, e;

	/* FreeIPMI wants retransmission < session timeout. Ten tries per
	 * request: over a lossy management LAN a request then fails only if
	 * ten round trips in a row are lost (test_bmcw_loss: 40 % loss each
	 * way, 9-10 of 12 readings had, 3 of 12 with five tries). */
	if (retrans > 1000)
		retrans = 1000;
	if (retrans < 50)
		retrans = 50;
	if (timeout <= retrans)
		timeout = retrans + 1;
	s->timeout_ms = timeout;

	*ipmi_err = IPMI_ERR_SUCCESS;
	if (s->path != BMC_PATH_LAN)
		return open_inband(s, ipmi_err);
	if (!(ctx = ipmi_ctx_create()))
		return -ENOMEM;
	rc = ipmi_ctx_open_outofband_2_0(ctx, s->host, s->user, s->password,
	    NULL, 0, (uint8_t)s->privilege, (uint8_t)s->cipher_suite,
	    timeout, retrans, workarounds, IPMI_FLAGS_DEFAULT);
	if (rc < 0) {
		e = errno;
		*ipmi_err = ipmi_ctx_errnum(ctx);
		rc = bmc_errno(ctx, e);
		/*
		 * An RMCP+ status code while opening means the BMC refused the
		 * proposed algorithms (ipmi_sim answers suite 17 with "invalid
		 * authentication algorithm", not "no cipher suite match").
		 */
		if (*ipmi_err == IPMI_ERR_BAD_RMCPPLUS_STATUS_CODE)
			rc = -EPROTONOSUPPORT;
		ipmi_ctx_destroy(ctx);
		return rc;
	}
	s->ctx = ctx;
	s->workarounds = workarounds;
	bmc_touch(s);
	return 0;
}

static long
idle_ms(const struct bmc_session *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - s->last_rx.tv_sec) * 1000 +
	    (now.tv_nsec - s->last_rx.tv_nsec) / 1000000L;
}

void
bmc_touch(struct bmc_session *s)
{
	clock_gettime(CLOCK_MONOTONIC, &s->last_rx);
}

/*
 * FreeIPMI declares a session dead once nothing came from the BMC for its
 * session timeout (our timeout_ms), and fails the next command after
 * sending it, even though the BMC answers. A BMC also closes idle sessions
 * itself (typically after 60 s). So a session idle for most of timeout_ms
 * is reopened, with the workaround that worked, before it is used.
 */
int
bmc_ready(struct bmc_session *s)
{
	int ipmi_err;

	if (!s)
		return -EINVAL;
	if (s->hook && !s->in_hook) {
		int rc;
		s->in_hook = 1;
		rc = s->hook(s->hook_arg);
		s->in_hook = 0;
		if (rc < 0)
			return rc;
	}
	if (s->ctx && (s->path != BMC_PATH_LAN || idle_ms(s) < (long)s->timeout_ms * 3 / 4))
		return 0;
	if (s->ctx) {
		ipmi_ctx_close(s->ctx);
		ipmi_ctx_destroy(s->ctx);
		s->ctx = NULL;
	}
	return open_ctx(s, s->workarounds, &ipmi_err);
}

int
bmc_open(const struct bmc_target *t, struct bmc_session **out)
{
	struct bmc_session *s;
	int rc, ipmi_err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if ((rc = check_target(t)) < 0)
		return rc;
	if (!(s = calloc(1, sizeof(*s))))
		return -ENOMEM;
	s->path = t->path;
	if (t->path == BMC_PATH_LAN &&
	    (rc = format_host(s->host, sizeof(s->host), t->host, t->port)) < 0)
		goto fail;
	/* Lengths checked by check_target(); kept to reopen an idle session. */
	snprintf(s->user, sizeof(s->user), "%s", t->user ? t->user : "");
	snprintf(s->password, sizeof(s->password), "%s", t->password ? t->password : "");
	s->cipher_suite = t->cipher_suite;
	s->privilege = t->privilege;
	s->timeout_ms = t->timeout_ms ? t->timeout_ms : BMC_DEFAULT_TIMEOUT_MS;
	s->status_rs = fiid_obj_create(tmpl_cmd_get_chassis_status_rs);
	s->control_rs = fiid_obj_create(tmpl_cmd_chassis_control_rs);
	if (!s->status_rs || !s->control_rs) {
		rc = -ENOMEM;
		goto fail;
	}

	rc = open_ctx(s, 0, &ipmi_err);
	/*
	 * Some BMCs (ipmi_sim among them, and several vendors' firmware) answer
	 * an Open Session Request for "highest privilege" with a level FreeIPMI
	 * rejects. Asking for the exact level is what FreeIPMI's "opensesspriv"
	 * workaround does; retry once with it (docs/bmc-simulator.md). Only for
	 * this error: retrying a wrong password would double the failed logins
	 * a BMC may count towards locking the user out.
	 */
	if (rc < 0 && t->path == BMC_PATH_LAN &&
	    ipmi_err == IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED)
		rc = open_ctx(s, IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE,
		    &ipmi_err);
	if (rc < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	bmc_close(s);
	return rc;
}

/* Completion code must be present and zero (FreeIPMI checks it too). */
static int
check_comp_code(fiid_obj_t obj)
{
	uint64_t cc;

	if (fiid_obj_get(obj, "comp_code", &cc) != 1)
		return -EPROTO;
	return cc == IPMI_COMP_CODE_COMMAND_SUCCESS ? 0 : -EPROTO;
}

int
bmc_power_get(struct bmc_session *s, int *on)
{
	uint64_t v;
	int rc, e;

	if (!s || !on)
		return -EINVAL;
	if ((rc = bmc_ready(s)) < 0)
		return rc;
	if (fiid_obj_clear(s->status_rs) < 0)
		return -EIO;
	if (ipmi_cmd_get_chassis_status(s->ctx, s->status_rs) < 0) {
		e = errno;
		return bmc_errno(s->ctx, e);
	}
	bmc_touch(s);
	if ((rc = check_comp_code(s->status_rs)) < 0)
		return rc;
	if (fiid_obj_get(s->status_rs, "current_power_state.power_is_on", &v) != 1)
		return -EPROTO;
	*on = v ? 1 : 0;
	return 0;
}

static int
chassis_control(struct bmc_session *s, uint8_t what)
{
	int rc, e;

	if (!s)
		return -EINVAL;
	if ((rc = bmc_ready(s)) < 0)
		return rc;
	if (fiid_obj_clear(s->control_rs) < 0)
		return -EIO;
	if (ipmi_cmd_chassis_control(s->ctx, what, s->control_rs) < 0) {
		e = errno;
		return bmc_errno(s->ctx, e);
	}
	bmc_touch(s);
	return check_comp_code(s->control_rs);
}

int
bmc_raw(struct bmc_session *s, uint8_t lun, uint8_t netfn, uint8_t cmd,
    const uint8_t *req, size_t req_len, uint8_t *rs, size_t *rs_len)
{
	uint8_t rq[BMC_RS_MAX], buf[BMC_RS_MAX];
	int n, e, rc;

	if (!s || !rs || !rs_len || req_len + 1 > sizeof(rq) || (req_len && !req))
		return -EINVAL;
	if ((rc = bmc_ready(s)) < 0)
		return rc;
	rq[0] = cmd;
	if (req_len)
		memcpy(rq + 1, req, req_len);
	n = ipmi_cmd_raw(s->ctx, lun, netfn, rq, (unsigned)(req_len + 1), buf, sizeof(buf));
	if (n < 0) {
		e = errno;
		return bmc_errno(s->ctx, e);
	}
	bmc_touch(s);
	/* The command byte, then at least the completion code. */
	if (n < 2 || n > (int)sizeof(buf) || buf[0] != cmd)
		return -EPROTO;
	if ((size_t)(n - 1) > *rs_len)
		n = (int)*rs_len + 1;	/* longer than the caller can use: cut */
	memcpy(rs, buf + 1, (size_t)(n - 1));
	*rs_len = (size_t)(n - 1);
	return 0;
}

int
bmc_power_off(struct bmc_session *s)
{
	return chassis_control(s, IPMI_CHASSIS_CONTROL_POWER_DOWN);
}

int
bmc_power_on(struct bmc_session *s)
{
	return chassis_control(s, IPMI_CHASSIS_CONTROL_POWER_UP);
}

void
bmc_set_hook(struct bmc_session *s, int (*fn)(void *arg), void *arg)
{
	if (!s)
		return;
	s->hook = fn;
	s->hook_arg = arg;
}

void
bmc_close(struct bmc_session *s)
{
	if (!s)
		return;
	if (s->ctx) {
		ipmi_ctx_close(s->ctx);
		ipmi_ctx_destroy(s->ctx);
	}
	if (s->status_rs)
		fiid_obj_destroy(s->status_rs);
	if (s->control_rs)
		fiid_obj_destroy(s->control_rs);
	bmc_sdr_free(s);
	explicit_bzero(s->password, sizeof(s->password));
	free(s);
}
