/*
 * bmcw.c - see bmcw.h. The worker half runs in a forked child and talks to
 * the BMC through ipmi/ (FreeIPMI); the agent half only moves messages.
 */
#include "agent/bmcw.h"
#include "fencing/fence.h"
#include "fencing/proof.h"
#include "ipmi/bmc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>

#define REOPEN_PAUSE_MS 1000   /* polls do not hammer a BMC that just failed */
#define FENCE_POLL_MS   50
#define QUEUE_MAX       16
/* A reading's sensors stop at this budget (counted from the reading's
 * start); the next reading goes on where they stopped (docs/bmc.md). */
#define READ_BUDGET_MS  2000
/* A reading's power and watchdog are retried, on new sessions, this long. */
#define EVIDENCE_BUDGET(w) (2 * (int64_t)(w)->cfg->timeout_ms)

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the worker (child) ---------------------------------------------------- */

struct wstate {
	const struct hg_cfg_bmc *cfg;
	const struct hg_cfg_own_bmc *own;   /* NULL: the peer's BMC */
	int lan_fallback;                   /* own_bmc = auto found no in-band interface */
	int inband_ok;                      /* in-band opened once: never falls back after */
	int fd;
	struct bmc_session *s;
	int64_t opened_at, failed_at;
	uint32_t opens;
	uint32_t armed_ms;
	/* requests taken from the socket and not served yet, in order */
	struct bmcw_req q[QUEUE_MAX];
	int nq;
	/* a reading in progress: urgent requests are served between its round
	 * trips (the session's hook), and it is cut at cut_at */
	int reading;
	int64_t reading_started, cut_at;
	int deferred_rc;          /* a request served meanwhile broke the session */
	int gone;                 /* the agent closed its end */
	/* the last complete sensor sweep, reported while one is cut short */
	int sensor_worst;
	char sensor[20];
};

static int serve(struct wstate *w, const struct bmcw_req *rq);
static int between(void *arg);
static void serve_urgent(struct wstate *w);

/* The own worker's in-band path (enum bmc_path), or BMC_PATH_LAN. */
static int inband_path(const struct wstate *w)
{
	static const int by_driver[] = {
		[HG_INBAND_ANY] = BMC_PATH_INBAND, [HG_INBAND_OPENIPMI] = BMC_PATH_OPENIPMI,
		[HG_INBAND_KCS] = BMC_PATH_KCS, [HG_INBAND_SSIF] = BMC_PATH_SSIF,
	};

	if (!w->own || w->lan_fallback)
		return BMC_PATH_LAN;
	if (w->own->path == HG_OWN_AUTO)
		return BMC_PATH_INBAND;
	if (w->own->path == HG_OWN_INBAND)
		return by_driver[w->own->driver];
	return BMC_PATH_LAN;
}

/*
 * The path (docs/bmc.md, "Paths"): the peer's BMC over the management LAN
 * at its bmc = address; our own in-band, at the host-interface address, or
 * at the bmc = address, as own_bmc = says. own_bmc = auto falls back to the
 * LAN for good when the host has no in-band interface (it will not grow one
 * while we run; a restart probes again).
 */
static int open_session(struct wstate *w, int force)
{
	char pw[64] = "";
	int64_t now = mono_ms();
	int rc, path = inband_path(w);

	if (w->s)
		return 0;
	if (!force && now - w->failed_at < REOPEN_PAUSE_MS)
		return -EHOSTUNREACH;
	/* in-band needs no password; auto may fall back to the LAN, and then
	 * does (a file it cannot read fails that open as a wrong password) */
	int may_lan = path == BMC_PATH_LAN ||
		      (w->own && w->own->path == HG_OWN_AUTO && !w->inband_ok);
	if (may_lan && (rc = fence_read_secret(w->cfg->password_file, pw, sizeof(pw))) < 0 &&
	    path == BMC_PATH_LAN)
		return rc;
	struct bmc_target t = {
		.path = path, .host = w->cfg->addr, .port = w->cfg->port, .user = w->cfg->user,
		.password = pw, .cipher_suite = w->cfg->cipher, .privilege = w->cfg->privilege,
		.timeout_ms = w->cfg->timeout_ms,
	};
	if (w->own && w->own->path == HG_OWN_HOSTIF)
		t.host = w->own->addr;
	rc = bmc_open(&t, &w->s);
	if (rc == 0 && path != BMC_PATH_LAN)
		w->inband_ok = 1;
	if (rc == -ENODEV && w->own && w->own->path == HG_OWN_AUTO && !w->inband_ok) {
		w->lan_fallback = 1;
		t.path = BMC_PATH_LAN;
		rc = bmc_open(&t, &w->s);
	}
	memset(pw, 0, sizeof(pw));
	if (rc < 0) {
		w->s = NULL;
		w->failed_at = now;
		return rc;
	}
	w->opens++;
	w->opened_at = now;
	bmc_set_hook(w->s, between, w);
	return 0;
}

static void path_text(const struct wstate *w, char *buf, size_t len)
{
	if (!w->s)
		snprintf(buf, len, "%s", "");
	else if (bmc_session_path(w->s) != BMC_PATH_LAN)
		snprintf(buf, len, "%s", bmc_path_name(bmc_session_path(w->s)));
	else
		snprintf(buf, len, "%s", w->own && w->own->path == HG_OWN_HOSTIF ? "hostif" : "lan");
}

/* What Get Watchdog Timer said, into a reply. Usable: armed by an agent
 * (SMS/OS, power down) with a countdown we can read; a truncated reply is
 * not evidence (docs/bmc.md). */
static void wdt_into(struct bmcw_rep *rp, const struct bmc_watchdog *wd)
{
	rp->wdt_running = wd->running;
	rp->wdt_expired = (wd->expired >> BMC_WDT_USE_SMS_OS) & 1;
	rp->wdt_initial_ms = wd->initial_ms;
	rp->wdt_present_ms = wd->present_ms;
	rp->wdt_usable = wd->present_known && wd->use == BMC_WDT_USE_SMS_OS &&
			 wd->action == BMC_WDT_ACTION_POWER_DOWN && wd->initial_ms > 0 &&
			 (wd->running || wd->present_ms < wd->initial_ms);
}

/* Errors a lost frame or a dead session give, worth a new session. */
static int lossy(int rc)
{
	return rc == -ETIMEDOUT || rc == -EHOSTUNREACH || rc == -EIO || rc == -EPROTO;
}

/* A call failed: a broken session is reopened on the next request. While
 * a reading holds the session, closing waits until the reading returns. */
static int broken(struct wstate *w, int rc)
{
	if (lossy(rc)) {
		if (w->reading) {
			w->deferred_rc = rc;
			return rc;
		}
		bmc_close(w->s);
		w->s = NULL;
		w->failed_at = mono_ms();
	}
	return rc;
}

static void poll_bmc(struct wstate *w, struct bmcw_rep *rp, int evidence_only)
{
	struct bmc_watchdog wd;
	struct bmc_sensor sn[32];
	size_t n = 0;
	int on = -1, rc, wrc = -EIO;

	rp->power = -1;
	rp->sensors = -1;
	/*
	 * Power and watchdog are rule 4's evidence. Over a lossy LAN a round
	 * trip that FreeIPMI's own retransmissions could not save breaks the
	 * session; open a new one at once and ask again while the evidence
	 * budget allows (inside the core's poll deadline, 2 x timeout + 500),
	 * serving resets and fences between tries. A reading that still
	 * cannot be had is reported unreachable: no evidence (docs/bmc.md).
	 */
	int64_t until = w->reading_started + EVIDENCE_BUDGET(w);
	for (int tries = 0;; tries++) {
		if (tries)
			serve_urgent(w);
		if (w->gone)
			return;
		rc = open_session(w, tries > 0);
		if (rc == 0) {
			w->reading = 1;
			w->deferred_rc = 0;
			w->cut_at = INT64_MAX;   /* power and watchdog always */
			rc = bmc_power_get(w->s, &on);
			if (rc == 0) {
				rp->reachable = 1;
				rp->power = on;
				wrc = bmc_watchdog_get(w->s, &wd);
				rp->wdt_hi = mono_ms();
				if (lossy(wrc))
					rc = wrc;
			}
			w->reading = 0;
			if (w->deferred_rc)
				rc = w->deferred_rc;
			if (rc == 0)
				break;
			broken(w, rc);
		}
		if (!lossy(rc) || mono_ms() >= until) {
			rp->rc = rc;
			rp->reachable = 0;
			rp->power = -1;
			return;
		}
		rp->retries++;
	}
	w->reading = 1;
	w->deferred_rc = 0;
	if (wrc == 0)
		wdt_into(rp, &wd);
	if (evidence_only) {
		/* rule 4 waits on this answer: no sweep, the last one's worst */
		rp->sensor_worst = w->sensor_worst;
		memcpy(rp->sensor, w->sensor, sizeof(rp->sensor));
		w->reading = 0;
		return;
	}
	w->cut_at = w->reading_started + READ_BUDGET_MS;
	rc = bmc_sensors_read(w->s, sn, sizeof(sn) / sizeof(sn[0]), &n);
	if (rc == 0) {
		w->sensor_worst = 0;
		w->sensor[0] = 0;
		for (size_t i = 0; i < n; i++) {
			if ((int)sn[i].severity > w->sensor_worst) {
				w->sensor_worst = (int)sn[i].severity;
				snprintf(w->sensor, sizeof(w->sensor), "%.16s", sn[i].name);
			}
		}
		rp->sensors = (int32_t)n;
	} else if (rc == -ECANCELED && !w->deferred_rc) {
		snprintf(rp->text, sizeof(rp->text), "sensors cut at the %d ms budget; the next "
			 "reading goes on", READ_BUDGET_MS);
	}
	/* a sweep cut short reports the last complete one */
	rp->sensor_worst = w->sensor_worst;
	memcpy(rp->sensor, w->sensor, sizeof(rp->sensor));
	w->reading = 0;
	if (w->deferred_rc)
		broken(w, w->deferred_rc);
	else if (rc < 0 && rc != -ECANCELED)
		broken(w, rc);
}

/*
 * The native level's check before its power-off (issue 11): in the fence's
 * own session, is the peer alive? A peer whose watchdog was reset after the
 * silence began (hg_bmc_alive_since, the core's own rule) is cut off, not
 * dead; its evidence may simply have been lost on our lossy management
 * link. Nothing is powered off then, and the reading goes back to the core
 * (1). A check lost on that link proves nothing either way, and a
 * power-off sent blind could shoot that healthy peer: nothing is powered
 * off this time, and no later level tries (-1); the core tries again after
 * fence_retry_ms. A peer read off, or whose BMC has no watchdog to read
 * (not a lost frame), is fenced (0), as is every fence of the operator.
 */
static int alive(struct wstate *w, int64_t since, struct bmcw_rep *rp)
{
	struct bmc_watchdog wd;
	int on = -1, rc;

	if (since == INT64_MIN)
		return 0;
	rp->wdt_lo = mono_ms();
	if ((rc = bmc_power_get(w->s, &on)) == 0 && on == 1)
		rc = bmc_watchdog_get(w->s, &wd);
	if (lossy(rc)) {
		rp->rc = rc;
		broken(w, rc);
		return -1;
	}
	if (rc < 0 || on != 1)
		return 0;
	rp->wdt_hi = mono_ms();
	wdt_into(rp, &wd);
	rp->power = on;
	rp->sensor_worst = w->sensor_worst;
	/* the core's rule on the same fields (no running bit: real BMCs
	 * leave it out, ipmi/bmc.h) */
	struct hg_bmc_report r;
	bmcw_report(rp, 1, &r);
	return hg_bmc_alive_since(&r, since);
}

static void fence_bmc(struct wstate *w, const struct bmcw_req *rq, struct bmcw_rep *rp)
{
	const struct fence_timing t = { .timeout_ms = rq->ms, .poll_ms = FENCE_POLL_MS };
	struct fence_proof p;
	int rc;

	if ((rc = open_session(w, 1)) < 0) {
		rp->rc = rc;
		snprintf(rp->text, sizeof(rp->text), "session: %s", bmc_strerror(rc));
		return;
	}
	rp->reachable = 1;
	int a = alive(w, rq->since, rp);
	if (a < 0) {
		rp->refused = 2;
		rp->reachable = 0;
		rp->wdt_lo = rp->wdt_hi = 0;
		snprintf(rp->text, sizeof(rp->text), "not powered off: its watchdog could not be read in "
			 "the fence's session (%s); no power-off sent blind", bmc_strerror(rp->rc));
		return;
	}
	if (a > 0) {
		struct hg_bmc_report r;
		bmcw_report(rp, 1, &r);
		rp->refused = 1;
		snprintf(rp->text, sizeof(rp->text), "not powered off: its watchdog was reset at most "
			 "%lld ms ago, after the silence began %lld ms ago: alive",
			 (long long)(rp->wdt_hi - hg_bmc_reset_after(&r)),
			 (long long)(rp->wdt_hi - rq->since));
		return;
	}
	rp->wdt_lo = rp->wdt_hi = 0;
	rp->wdt_usable = 0;
	rp->power = -1;
	rc = fence_power_off_confirm(w->s, &t, &p);
	rp->confirmed = p.confirmed;
	rp->power = p.power;
	rp->rc = rc;
	fence_proof_text(&p, bmc_strerror, rp->text, sizeof(rp->text));
	if (rc < 0 && p.read_rc < 0)
		broken(w, p.read_rc);
}

static void watchdog_op(struct wstate *w, const struct bmcw_req *rq, struct bmcw_rep *rp)
{
	int rc = open_session(w, 1);

	if (rc == 0 && rq->op == BMCW_ARM) {
		w->armed_ms = rq->ms;
		rc = bmc_watchdog_set(w->s, rq->ms);
		if (rc == 0)
			rc = bmc_watchdog_reset(w->s);
	} else if (rc == 0 && rq->op == BMCW_PET) {
		rc = bmc_watchdog_reset(w->s);
		/* a lost frame: once more on a new session (the LAN path) */
		if (lossy(rc) && !w->reading) {
			broken(w, rc);
			if ((rc = open_session(w, 1)) == 0)
				rc = bmc_watchdog_reset(w->s);
		}
		if (rc == -ENXIO && w->armed_ms) {   /* the BMC forgot it (reset) */
			rc = bmc_watchdog_set(w->s, w->armed_ms);
			if (rc == 0)
				rc = bmc_watchdog_reset(w->s);
		}
	} else if (rc == 0) {
		w->armed_ms = 0;
		rc = bmc_watchdog_stop(w->s);
	}
	rp->reachable = w->s != NULL;
	rp->rc = rc < 0 && w->s ? broken(w, rc) : rc;
}

/* Takes the requests that wait on the socket into the queue, blocking for
 * the first one if block and the queue is empty. Malformed messages change
 * nothing and are dropped here. Sets w->gone when the agent is gone. */
static void take(struct wstate *w, int block)
{
	while (w->nq < QUEUE_MAX && !w->gone) {
		struct bmcw_req *rq = &w->q[w->nq];
		ssize_t r = recv(w->fd, rq, sizeof(*rq), block && !w->nq ? 0 : MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			w->gone = 1;
			return;
		}
		if (r == (ssize_t)sizeof(*rq) && rq->size == sizeof(*rq) && rq->op &&
		    rq->op < BMCW_OP_MAX)
			w->nq++;
	}
}

/* The first queued request that is (urgent) or is not (!urgent) a reading,
 * taken out of the queue into *rq; 0 if none. */
static int next_req(struct wstate *w, int urgent, struct bmcw_req *rq)
{
	for (int k = 0; k < w->nq; k++) {
		if ((w->q[k].op != BMCW_POLL) != urgent)
			continue;
		*rq = w->q[k];
		memmove(&w->q[k], &w->q[k + 1], (size_t)(w->nq - k - 1) * sizeof(*rq));
		w->nq--;
		return 1;
	}
	return 0;
}

/*
 * The session's hook, before each round trip of a reading (hole 10 of
 * issue 10): watchdog requests and fences that arrived meanwhile are served
 * now, on the same session, so that no reading delays a reset past its
 * deadline or a fence. -ECANCELED cuts the reading: the session broke
 * under such a request, or the reading is over its budget.
 */
static int between(void *arg)
{
	struct wstate *w = arg;
	struct bmcw_req rq;

	if (!w->reading)
		return 0;
	take(w, 0);
	while (!w->gone && !w->deferred_rc && next_req(w, 1, &rq))
		serve(w, &rq);
	if (w->gone || w->deferred_rc)
		return -ECANCELED;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 >= w->cut_at)
		return -ECANCELED;
	return 0;
}

/* Resets and fences waiting now, outside a reading's session. */
static void serve_urgent(struct wstate *w)
{
	struct bmcw_req rq;

	take(w, 0);
	while (!w->gone && next_req(w, 1, &rq))
		serve(w, &rq);
}

/* One request, one reply; sets w->gone when the agent is gone. */
static int serve(struct wstate *w, const struct bmcw_req *rq)
{
	struct bmcw_rep rp;

	memset(&rp, 0, sizeof(rp));
	rp.size = sizeof(rp);
	rp.op = rq->op;
	rp.gen = rq->gen;
	rp.power = -1;
	int64_t t0 = mono_ms();
	if (rq->op == BMCW_POLL) {
		w->reading_started = t0;
		/* everything this reading says was measured after wdt_lo and, for
		 * the watchdog, before wdt_hi (the core's rule-4 bounds) */
		rp.wdt_lo = mono_ms();
		poll_bmc(w, &rp, (rq->ms & BMCW_POLL_EVIDENCE) != 0);
		if (!rp.wdt_hi)
			rp.wdt_hi = mono_ms();
	} else if (rq->op == BMCW_FENCE) {
		fence_bmc(w, rq, &rp);
	} else {
		watchdog_op(w, rq, &rp);
	}
	rp.elapsed_ms = (uint32_t)(mono_ms() - t0);
	rp.session_age_ms = w->s ? (uint32_t)(mono_ms() - w->opened_at) : 0;
	rp.opens = w->opens;
	path_text(w, rp.path, sizeof(rp.path));
	if (send(w->fd, &rp, sizeof(rp), 0) < 0 && errno != EINTR) {
		w->gone = 1;
		return -1;
	}
	return 0;
}

static void worker(int fd, const struct hg_cfg_bmc *cfg, const struct hg_cfg_own_bmc *own)
{
	struct wstate w = { .cfg = cfg, .own = own, .fd = fd, .failed_at = -REOPEN_PAUSE_MS };
	struct bmcw_req rq;

	while (!w.gone) {
		take(&w, 1);
		/* The self-fence and fences first: a watchdog reset must not
		 * wait behind a reading; and during a reading, between its round
		 * trips (between()). */
		if (next_req(&w, 1, &rq) || next_req(&w, 0, &rq))
			serve(&w, &rq);
	}
	bmc_close(w.s);
	_exit(0);
}

/* ---- the agent's half ------------------------------------------------------ */

int bmcw_start(struct bmcw *w, const struct hg_cfg_bmc *b, const struct hg_cfg_own_bmc *own,
	       const char *name)
{
	int sv[2];

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	snprintf(w->name, sizeof(w->name), "%s", name);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, "headguard-bmc");
		/* Hold none of the agent's sockets: only our end of the pair. */
		if (dup2(sv[1], 3) < 0)
			_exit(1);
		close_range(4, ~0U, 0);
		worker(3, b, own);
	}
	close(sv[1]);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	w->fd = sv[0];
	w->pid = pid;
	return 0;
}

static int send_req(struct bmcw *w, const struct bmcw_req *rq)
{
	if (w->fd < 0)
		return -ENOTCONN;
	/* The answer on its way will do, except for a reading: one that is
	 * out was measured before this question, and the core counts only a
	 * reading measured after it asked (rule 4), so one more may queue
	 * behind it; a fence is never merged. */
	if (rq->op == BMCW_POLL ? w->pending[rq->op] >= 2 : rq->op != BMCW_FENCE && w->pending[rq->op])
		return 0;
	if (send(w->fd, rq, sizeof(*rq), MSG_DONTWAIT) < 0)
		return -errno;
	w->pending[rq->op]++;
	return 0;
}

void bmcw_report(const struct bmcw_rep *r, int who, struct hg_bmc_report *out)
{
	memset(out, 0, sizeof(*out));
	out->who = who;
	out->reachable = r->reachable;
	out->power = r->power;
	out->wdt_usable = r->wdt_usable;
	out->wdt_initial_ms = r->wdt_initial_ms;
	out->wdt_present_ms = r->wdt_present_ms;
	out->wdt_expired = r->wdt_expired;
	out->sensor_worst = r->sensor_worst;
	out->wdt_lo = r->wdt_lo;
	out->wdt_hi = r->wdt_hi;
}

int bmcw_fence(struct bmcw *w, uint64_t gen, uint32_t ms, int64_t since)
{
	struct bmcw_req rq = { .size = sizeof(rq), .op = BMCW_FENCE, .gen = gen, .ms = ms,
			       .since = since };

	return send_req(w, &rq);
}

int bmcw_send(struct bmcw *w, enum bmcw_op op, uint64_t gen, uint32_t ms)
{
	struct bmcw_req rq = { .size = sizeof(rq), .op = op, .gen = gen, .ms = ms,
			       .since = INT64_MIN };

	return send_req(w, &rq);
}

int bmcw_recv(struct bmcw *w, struct bmcw_rep *rep)
{
	ssize_t n = recv(w->fd, rep, sizeof(*rep), MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	if (n != (ssize_t)sizeof(*rep) || rep->size != sizeof(*rep) || !rep->op ||
	    rep->op >= BMCW_OP_MAX)
		return -EPROTO;
	if (w->pending[rep->op])
		w->pending[rep->op]--;
	rep->sensor[sizeof(rep->sensor) - 1] = 0;
	rep->text[sizeof(rep->text) - 1] = 0;
	rep->path[sizeof(rep->path) - 1] = 0;
	return 0;
}

int bmcw_wait(struct bmcw *w, enum bmcw_op op, unsigned ms)
{
	int64_t end = mono_ms() + ms;
	struct bmcw_rep rep;

	while (mono_ms() < end) {
		struct pollfd pf = { .fd = w->fd, .events = POLLIN };
		if (poll(&pf, 1, (int)(end - mono_ms())) <= 0)
			break;
		if (bmcw_recv(w, &rep) == 0 && rep.op == (uint32_t)op)
			return rep.rc;
	}
	return -ETIMEDOUT;
}

void bmcw_stop(struct bmcw *w)
{
	if (w->fd >= 0)
		close(w->fd);   /* the worker sees EOF and exits */
	w->fd = -1;
}
