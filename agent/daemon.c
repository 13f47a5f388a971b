/*
 * daemon.c - see daemon.h.
 */
#include "agent/daemon.h"
#include "agent/core/dispatch.h"
#include "agent/log.h"
#include "agent/probe.h"
#include "agent/state.h"
#include "netif/nif.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int from_network(enum hg_ev_type t)
{
	return t == HG_EV_HB || t == HG_EV_HB_REJECT || t == HG_EV_ICMP || t == HG_EV_GATEWAY;
}

void daemon_push(struct daemon *d, const struct hg_event *ev)
{
	if (from_network(ev->type)) {
		/* Bounded per turn (DAEMON_BUDGET): cannot fill; if it ever did,
		 * losing a heartbeat is what a lossy LAN does anyway. */
		if (d->nq_tail - d->nq_head >= DAEMON_NETQ) {
			unsigned long long sup = 0;
			d->netq_drops++;
			if (log_rl_ok(&d->drop_rl, d->now, 1, 10000, &sup))
				log_warnx("network event queue full: dropping a network event of type %d "
					  "(%llu more since the last line)", ev->type, sup);
			return;
		}
		d->netq[d->nq_tail++ % DAEMON_NETQ] = *ev;
		return;
	}
	/* Answers to the core's requests are never dropped: the queue is
	 * larger than what can be outstanding (daemon.h), so a full one is a
	 * broken invariant, not load. */
	if (d->lq_tail - d->lq_head >= DAEMON_LOCQ)
		fatalx("event queue for answers full (%u events): a bug; exiting so that the "
		       "watchdog and the peer take over", DAEMON_LOCQ);
	d->locq[d->lq_tail++ % DAEMON_LOCQ] = *ev;
}

static void push_simple(struct daemon *d, enum hg_ev_type t, int lan, int ok)
{
	struct hg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = t;
	ev.lan = lan;
	ev.ok = ok;
	daemon_push(d, &ev);
}

/* ---- actions ------------------------------------------------------------- */

static const char *self_if(const struct daemon *d, int lan)
{
	return d->cfg->node[d->cfg->self].link[lan].ifname;
}

static void do_vip(struct daemon *d, int op, uint64_t gen)
{
	const struct hg_config *cfg = d->cfg;
	int ok = 1;

	for (int i = 0; i < cfg->n_vips; i++) {
		const struct hg_cfg_vip *v = &cfg->vip[i];
		int rc = op == HG_VIP_ADD ?
			nif_addr_add(d->nif, self_if(d, v->lan_index), v->addr, v->prefix) :
			nif_addr_del(d->nif, self_if(d, v->lan_index), v->addr, v->prefix);
		if (rc < 0) {
			ok = 0;
			log_warnx("%s VIP %s/%d on %s: %s", op == HG_VIP_ADD ? "adding" : "removing",
				  v->addr, v->prefix, self_if(d, v->lan_index), strerror(-rc));
		}
	}
	struct hg_event ev = { .type = HG_EV_VIP, .op = op, .ok = ok, .gen = gen };
	daemon_push(d, &ev);
}

static void do_garp(struct daemon *d)
{
	for (int i = 0; i < d->cfg->n_vips; i++) {
		const struct hg_cfg_vip *v = &d->cfg->vip[i];
		int rc = nif_garp_send(d->nif, self_if(d, v->lan_index), v->addr);
		if (rc < 0)
			log_warnx("gratuitous ARP for %s: %s", v->addr, strerror(-rc));
	}
}

static void send_hb(struct daemon *d, const struct hg_hb *hb)
{
	uint8_t buf[HG_WIRE_LEN];

	hg_wire_encode(hb, d->key, d->keylen, buf);
	/* Errors (no route while a link is down) are the silence the peer
	 * will measure; nothing to do here. */
	hbnet_send(&d->net, hb->lan, buf, sizeof(buf));
	hbnet_ping(&d->net, hb->lan);
	if (hb->lan == 0)
		hbnet_ping(&d->net, -1);
}

/* The daemon's meaning of each action (agent/core/dispatch.h). */
#define ACT(name) static void name(void *ctx, const struct hg_action *a)

ACT(act_send_hb) { send_hb(ctx, &a->hb); }
ACT(act_fence) { struct daemon *d = ctx; fence_start(&d->fence, a->gen, a->since); }
ACT(act_vip) { do_vip(ctx, a->op, a->gen); }
ACT(act_garp) { do_garp(ctx); }
ACT(act_svc) { daemon_svc(ctx, a->svc, a->op, a->gen); }
ACT(act_link_reset)
{
	struct daemon *d = ctx;
	int rc = nif_link_reset(d->nif, self_if(d, a->lan));
	if (rc < 0)
		log_warnx("resetting %s: %s", self_if(d, a->lan), strerror(-rc));
}
ACT(act_record)
{
	struct daemon *d = ctx;
	char line[1400];
	const char *role = hg_role_name(d->core.role);
	log_record(a->event, a->rule, a->why, role);
	int n = log_format_record(line, sizeof(line), a->event, a->rule, a->why, role);
	ctl_broadcast(&d->ctl, line, (size_t)n);
	daemon_hook(d, a);
}
ACT(act_bmc_poll) { daemon_bmc_poll(ctx, a->svc ? 1 : 0, a->op == HG_POLL_EVIDENCE); }
ACT(act_wdt_pet) { daemon_bmc_pet(ctx); }
ACT(act_reply)
{
	struct daemon *d = ctx;
	if (d->cmd_client >= 0) {
		char esc[400], text[512];
		snprintf(text, sizeof(text), "{\"ok\":%s,\"message\":\"%s\"}\n",
			 a->ok ? "true" : "false", log_json_escape(a->why, esc, sizeof(esc)));
		ctl_answer(&d->ctl, d->cmd_client, text);
		d->cmd_client = -1;
	}
}

static const struct hg_shell daemon_shell = {
	.on = {
		[HG_ACT_SEND_HB] = act_send_hb, [HG_ACT_FENCE] = act_fence, [HG_ACT_VIP] = act_vip,
		[HG_ACT_GARP] = act_garp, [HG_ACT_SVC] = act_svc, [HG_ACT_LINK_RESET] = act_link_reset,
		[HG_ACT_RECORD] = act_record, [HG_ACT_REPLY] = act_reply,
		[HG_ACT_BMC_POLL] = act_bmc_poll, [HG_ACT_WDT_PET] = act_wdt_pet,
	},
};

static void execute(struct daemon *d, const struct hg_actions *out)
{
	hg_dispatch(&daemon_shell, d, out);
}

static void step(struct daemon *d, struct hg_event *ev)
{
	static struct hg_actions out;   /* big; the loop is single-threaded */

	out.n = 0;
	ev->now = d->now;
	hg_core_step(&d->core, ev, &out);
	execute(d, &out);
}

/* Network input first, as it arrived before this turn's answers were read;
 * steps may queue more local events (a VIP result), drained too. */
static void drain(struct daemon *d)
{
	while (d->nq_head != d->nq_tail || d->lq_head != d->lq_tail) {
		struct hg_event ev;
		if (d->nq_head != d->nq_tail)
			ev = d->netq[d->nq_head++ % DAEMON_NETQ];
		else
			ev = d->locq[d->lq_head++ % DAEMON_LOCQ];
		step(d, &ev);
	}
}

/* ---- inputs -------------------------------------------------------------- */

/* Rejects are counted here, not queued (they change nothing in the core),
 * and reported at most once per 10 s per LAN. */
static void reject(struct daemon *d, int lan, enum hg_reject why)
{
	d->rej[why]++;
	d->rej_lan[lan]++;
}

static void report_rejects(struct daemon *d, int lan, uint64_t before)
{
	unsigned long long sup;

	if (d->rej_lan[lan] == before || !log_rl_ok(&d->rej_rl[lan], d->now, 1, 10000, &sup))
		return;
	log_warnx("LAN %s: %llu datagrams rejected on the heartbeat port so far (unknown source "
		  "%llu, bad HMAC %llu, malformed %llu in all); one line per 10 s",
		  d->cfg->lan[lan].name, (unsigned long long)d->rej_lan[lan],
		  (unsigned long long)d->rej[HG_REJ_UNKNOWN], (unsigned long long)d->rej[HG_REJ_BAD_MAC],
		  (unsigned long long)d->rej[HG_REJ_MALFORMED]);
}

/* At most DAEMON_BUDGET datagrams per turn: what is left waits in the
 * socket (or is dropped by the kernel) while the turn goes on to its tick,
 * so a flood delays our heartbeats and watchdog resets by one turn at most. */
static void read_udp(struct daemon *d, int lan)
{
	static struct hbnet_dgram dg[HBNET_BATCH];
	uint64_t before = d->rej_lan[lan];
	int got = 0, n;

	while (got < DAEMON_BUDGET &&
	       (n = hbnet_recv(&d->net, lan, dg, DAEMON_BUDGET - got)) > 0) {
		got += n;
		for (int i = 0; i < n; i++) {
			struct hg_event ev;
			if (!dg[i].from_peer) {
				reject(d, lan, HG_REJ_UNKNOWN);
				continue;
			}
			if (dg[i].len < 0) {
				reject(d, lan, HG_REJ_MALFORMED);
				continue;
			}
			memset(&ev, 0, sizeof(ev));
			enum hg_wire_err e = hg_wire_decode(dg[i].buf, (size_t)dg[i].len, d->key,
							    d->keylen, &ev.hb);
			if (e != HG_WIRE_OK) {
				reject(d, lan, e == HG_WIRE_BAD_MAC ? HG_REJ_BAD_MAC : HG_REJ_MALFORMED);
				continue;
			}
			ev.type = HG_EV_HB;
			ev.lan = lan;
			daemon_push(d, &ev);
		}
	}
	if (got >= DAEMON_BUDGET)
		d->budget_hits++;
	report_rejects(d, lan, before);
}

static void read_icmp(struct daemon *d)
{
	int lan, rc, got = 0;

	while (got++ < DAEMON_BUDGET && (rc = hbnet_icmp_recv(&d->net, &lan)) >= 0) {
		if (rc == 1)
			push_simple(d, lan < 0 ? HG_EV_GATEWAY : HG_EV_ICMP, lan, 1);
	}
	if (got > DAEMON_BUDGET)
		d->budget_hits++;
}

static void check_links(struct daemon *d)
{
	for (int i = 0; i < d->cfg->n_lans; i++) {
		int up = nif_link_up(d->nif, self_if(d, i)) == 1;
		if (up != d->link[i]) {
			d->link[i] = up;
			push_simple(d, HG_EV_LINK, i, up);
		}
	}
}

static void handle_command(struct daemon *d, int client, const char *line)
{
	static char text[16384];
	enum ctl_verb verb = ctl_parse(line);
	enum hg_cmd cmd;

	switch (verb) {
	case CTL_EVENTS:
		ctl_subscribe(&d->ctl, client);
		return;
	case CTL_STATUS:
	case CTL_STATUS_JSON:
		daemon_status(d, verb == CTL_STATUS_JSON, text, sizeof(text));
		ctl_answer(&d->ctl, client, text);
		return;
	case CTL_SWITCHOVER: cmd = HG_CMD_SWITCHOVER; break;
	case CTL_STANDBY:    cmd = HG_CMD_STANDBY; break;
	case CTL_UNSTANDBY:  cmd = HG_CMD_UNSTANDBY; break;
	default:
		ctl_answer(&d->ctl, client, "{\"ok\":false,\"message\":\"unknown command; try status, events, switchover, standby, unstandby\"}\n");
		return;
	}
	struct hg_event ev = { .type = HG_EV_CMD, .cmd = cmd };
	log_info("operator command: %s", line);
	drain(d);                 /* commands see the latest state */
	d->cmd_client = client;
	step(d, &ev);
	if (d->cmd_client >= 0) { /* the core always replies; be safe */
		ctl_answer(&d->ctl, client, "{\"ok\":false,\"message\":\"no answer\"}\n");
		d->cmd_client = -1;
	}
}

static void read_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			jobs_reap(&d->jobs);
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			daemon_stop_signal(d, si.ssi_signo);
		}
	}
}

/* ---- fence callbacks --------------------------------------------------- */

static int fence_spawn(void *ctx, char *const argv[], const char *in, unsigned timeout_ms,
		       fence_done_fn done, void *arg)
{
	struct daemon *d = ctx;
	return jobs_spawn(&d->jobs, argv, in, NULL, timeout_ms, d->now, JOB_CAPTURE, done, arg);
}

/* The turn's clock (STYLE.md habit 1): fence steps end in later turns. */
static int64_t fence_now(void *ctx)
{
	const struct daemon *d = ctx;
	return d->now;
}

static void fence_audit(void *ctx, const char *line)
{
	struct daemon *d = ctx;
	log_record("fence_audit", "1", line, hg_role_name(d->core.role));
}

static void fence_result(void *ctx, uint64_t gen, enum fence_outcome o)
{
	struct daemon *d = ctx;
	struct hg_event ev = { .type = HG_EV_FENCE, .gen = gen,
			       .outcome = o == FENCE_CONFIRMED ? HG_FENCE_CONFIRMED :
					  o == FENCE_FAILED ? HG_FENCE_FAILED :
					  o == FENCE_REFUSED ? HG_FENCE_REFUSED : HG_FENCE_UNKNOWN };
	daemon_push(d, &ev);
}

/* ---- set-up --------------------------------------------------------------- */

int daemon_read_key(const char *path, uint8_t *key, size_t cap, size_t *len,
		    char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "key file %s: not a regular file", path);
		return -EINVAL;
	}
	if (st.st_uid != 0 || (st.st_mode & 077)) {
		close(fd);
		snprintf(err, errlen, "key file %s: must be owned by root and readable by root only "
			 "(owner uid %u, mode %04o); run: chown root %s && chmod 600 %s",
			 path, st.st_uid, st.st_mode & 07777, path, path);
		return -EPERM;
	}
	ssize_t n = read(fd, key, cap);
	close(fd);
	while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == '\r' || key[n - 1] == ' '))
		n--;
	if (n < 16 || (size_t)n >= cap) {
		snprintf(err, errlen, "key file %s: the key must be 16 to %zu bytes", path, cap - 1);
		return -EINVAL;
	}
	*len = (size_t)n;
	return 0;
}

/* The peer's incarnation is persisted when it changes (once per life of
 * the peer, not per packet), so a restart of ours keeps it as the floor. */
static void save_peer_incarnation(struct daemon *d)
{
	uint64_t inc = d->core.peer.incarnation;
	char err[600];

	if (inc <= d->peer_inc_saved)
		return;
	d->peer_inc_saved = inc;   /* tried once per value: no log flood */
	if (state_write(d->cfg->state_dir, STATE_PEER_INCARNATION, inc, err, sizeof(err)) < 0)
		log_warnx("the peer's incarnation %llu is not persisted (a restart of ours would "
			  "accept its older packets): %s", (unsigned long long)inc, err);
}

static void params_from(const struct hg_config *cfg, struct hg_params *p)
{
	const struct hg_cfg_node *me = &cfg->node[cfg->self], *peer = &cfg->node[cfg->peer];

	memset(p, 0, sizeof(*p));
	p->self_id = me->id;
	p->peer_id = peer->id;
	p->self_prio = me->priority;
	p->peer_prio = peer->priority;
	p->n_lans = cfg->n_lans;
	p->public_lan = cfg->public_lan;
	p->n_services = cfg->n_services;
	p->have_gateway = cfg->gateway[0] != 0;
	p->failback_auto = cfg->failback == HG_FAILBACK_AUTO;
	p->interval = cfg->interval_ms;
	p->deadtime = cfg->deadtime_ms;
	p->suspect = cfg->suspect_ms;
	p->wait_for_peer = cfg->wait_for_peer_ms;
	p->fence_delay = cfg->fence_delay_ms;
	p->fence_retry = cfg->fence_retry_ms;
	p->failback_holddown = cfg->failback_holddown_ms;
	p->gateway_timeout = cfg->gateway_timeout_ms;
	p->garp_count = cfg->garp_count;
	p->garp_interval = cfg->garp_interval_ms;
	p->garp_refresh = cfg->garp_refresh_ms;
	for (int i = 0; i < cfg->n_services; i++) {
		p->svc_check_interval[i] = cfg->service[i].check_interval_ms;
		p->svc_restarts[i] = cfg->service[i].restarts;
		p->svc_window[i] = cfg->service[i].restart_window_ms;
		p->svc_backoff[i] = cfg->service[i].restart_backoff_ms;
		p->svc_has_ready[i] = cfg->service[i].standby_check[0] != 0;
		p->svc_has_check[i] = cfg->service[i].check[0] != 0 ||
				      cfg->service[i].probe_kind != HG_PROBE_NONE;
		p->svc_timeout[i] = cfg->service[i].timeout_ms;
		p->svc_check_timeout[i] = cfg->service[i].check_timeout_ms;
	}
	/* The core's deadline on a fence: every level in turn, each to its own
	 * timeout (its off and its status read-back), plus spawning. */
	uint64_t ft = 2000;
	for (int l = 0; l < peer->n_levels; l++)
		ft += 2 * (uint64_t)peer->level[l].timeout_ms + 500;
	p->fence_timeout = ft > 600000 ? 600000 : (uint32_t)ft;
	p->vip_timeout = 2000;
}

static int setup(struct daemon *d, const struct hg_config *cfg)
{
	const struct hg_cfg_node *peer = &cfg->node[cfg->peer];
	struct fence_level lv[FENCE_MAX_LEVELS];
	struct fence_ops ops = { .spawn = fence_spawn, .native = daemon_fence_native, .now = fence_now,
				 .audit = fence_audit, .result = fence_result, .ctx = d };
	struct hg_params p;
	sigset_t set;
	int rc;

	d->cfg = cfg;
	d->cmd_client = -1;
	d->now = mono_ms();
	log_set_mono(d->now);
	for (int i = 0; i < HG_CFG_MAX_LANS; i++)
		d->link[i] = -1;
	if ((rc = nif_open(&d->nif)) < 0)
		fatalx("netlink: %s", strerror(-rc));
	/* A node boots as standby (rule 6): VIPs left by a previous life go. */
	for (int i = 0; i < cfg->n_vips; i++)
		nif_addr_del(d->nif, self_if(d, cfg->vip[i].lan_index), cfg->vip[i].addr, cfg->vip[i].prefix);
	if ((rc = hbnet_open(&d->net, cfg)) < 0)
		fatalx("heartbeat sockets: %s", strerror(-rc));
	if ((rc = ctl_listen(&d->ctl, cfg->control_socket)) < 0)
		fatalx("control socket %s: %s", cfg->control_socket,
		       rc == -EADDRINUSE ? "another headguard answers on it" : strerror(-rc));

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		fatal("signalfd");

	for (int i = 0; i < peer->n_levels; i++) {
		lv[i].native = peer->level[i].native;
		lv[i].agent = peer->level[i].agent;
		lv[i].args = peer->level[i].args;
		lv[i].password_file = peer->level[i].password_file;
		lv[i].timeout_ms = peer->level[i].timeout_ms;
	}
	fence_init(&d->fence, &ops, lv, peer->n_levels);

	params_from(cfg, &p);
	daemon_bmc_setup(d, &p);
	/* Incarnations (docs/protocol.md): ours persisted before it is used,
	 * or no start at all; the peer's newest from a previous life is the
	 * floor below which its packets are replays. */
	uint64_t inc, floor = 0;
	char err[600];
	if ((rc = state_next_incarnation(cfg->state_dir, (uint64_t)time(NULL), &inc,
					 err, sizeof(err))) < 0)
		fatalx("refusing to start: the incarnation cannot be persisted: %s", err);
	if ((rc = state_read(cfg->state_dir, STATE_PEER_INCARNATION, &floor, err, sizeof(err))) < 0 &&
	    rc != -ENOENT)
		fatalx("refusing to start: %s", err);
	hg_core_init(&d->core, &p, inc, d->now);
	hg_core_set_peer_floor(&d->core, floor);
	d->peer_inc_saved = floor;
	log_info("starting: node %s (id %u), peer %s, incarnation %llu, %d LANs, interval %u ms, deadtime %u ms",
		 cfg->node[cfg->self].name, p.self_id, peer->name, (unsigned long long)inc,
		 p.n_lans, p.interval, p.deadtime);
	d->next_watch = cfg->watch_load || cfg->watch_memory_mb || cfg->n_watch_disks ?
			d->now : INT64_MAX;
	check_links(d);
	return 0;
}

int daemon_run(struct daemon *d, const struct hg_config *cfg)
{
	struct pollfd pf[6 + HG_CFG_MAX_LANS + CTL_CLIENTS];

	setup(d, cfg);
	drain(d);
	for (;;) {
		int64_t wake = hg_core_next_wakeup(&d->core);
		int64_t jd = jobs_next_deadline(&d->jobs);
		if (jd < wake)
			wake = jd;
		if (d->next_watch < wake)
			wake = d->next_watch;
		if (fence_next_wakeup(&d->fence) < wake)
			wake = fence_next_wakeup(&d->fence);
		if (ctl_next_deadline(&d->ctl) < wake)
			wake = ctl_next_deadline(&d->ctl);
		int timeout = wake <= d->now ? 0 : wake - d->now > 1000 ? 1000 : (int)(wake - d->now);
		int n = 0, base_udp, base_cl;

		pf[n++] = (struct pollfd){ .fd = d->sigfd, .events = POLLIN };
		pf[n++] = (struct pollfd){ .fd = nif_fd(d->nif), .events = POLLIN };
		pf[n++] = (struct pollfd){ .fd = d->net.icmp, .events = POLLIN };
		pf[n++] = (struct pollfd){ .fd = d->ctl.fd, .events = POLLIN };
		base_udp = n;
		for (int i = 0; i < cfg->n_lans; i++)
			pf[n++] = (struct pollfd){ .fd = d->net.udp[i], .events = POLLIN };
		base_cl = n;
		for (int i = 0; i < CTL_CLIENTS; i++)
			pf[n++] = (struct pollfd){ .fd = d->ctl.cl[i].fd, .events = POLLIN };
		int base_bmc = n;
		for (int i = 0; i < 2; i++)
			pf[n++] = (struct pollfd){ .fd = d->bmc[i].fd, .events = POLLIN };
		if (d->next_bmc_poll < wake && (d->bmc[0].fd >= 0 || d->bmc[1].fd >= 0)) {
			int64_t t = d->next_bmc_poll - d->now;
			timeout = t <= 0 ? 0 : t < timeout ? (int)t : timeout;
		}

		if (poll(pf, (nfds_t)n, timeout) < 0 && errno != EINTR)
			fatal("poll");
		d->now = mono_ms();
		log_set_mono(d->now);

		if (pf[0].revents)
			read_signals(d);
		if (pf[1].revents) {
			int rc = nif_process(d->nif);
			if (rc < 0)
				log_warnx("netlink: %s", strerror(-rc));
		}
		check_links(d);
		for (int i = 0; i < cfg->n_lans; i++)
			if (pf[base_udp + i].revents)
				read_udp(d, i);
		if (pf[2].revents)
			read_icmp(d);
		for (int i = 0; i < 2; i++)
			if (pf[base_bmc + i].fd >= 0 && pf[base_bmc + i].revents)
				daemon_bmc_read(d, i);
		daemon_bmc_tick(d);
		jobs_expire(&d->jobs, d->now);
		fence_tick(&d->fence, d->now);
		if (d->now >= d->next_watch)
			daemon_watch(d);
		/* What arrived is processed before the tick measures silence. */
		drain(d);
		if (pf[3].revents)
			ctl_accept(&d->ctl);
		for (int i = 0; i < CTL_CLIENTS; i++) {
			const char *line;
			if (pf[base_cl + i].fd >= 0 && pf[base_cl + i].revents &&
			    ctl_read(&d->ctl, i, &line) == 1)
				handle_command(d, i, line);
		}
		ctl_expire(&d->ctl, d->now);   /* idle clients free their slot */
		push_simple(d, HG_EV_TICK, 0, 0);
		drain(d);
		save_peer_incarnation(d);

		if (daemon_stop_due(d))
			break;
	}
	int clean = daemon_stop_clean(d);
	log_info("stopped as %s%s", hg_role_name(d->core.role),
		 clean ? "" : ", NOT quiescent: services or VIPs may be left here");
	daemon_bmc_stop(d, clean);
	jobs_kill_all(&d->jobs);
	ctl_close(&d->ctl);
	hbnet_close(&d->net);
	nif_close(d->nif);
	return 0;
}
