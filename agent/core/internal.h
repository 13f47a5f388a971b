/*
 * internal.h - helpers shared by the files of agent/core. Not for the shell.
 */
#ifndef HG_CORE_INTERNAL_H
#define HG_CORE_INTERNAL_H

#include "agent/core/core.h"

#define HG_NEVER ((hg_ms)INT64_MIN / 4)

/* The peer as its newest heartbeat describes it. */
static inline const struct hg_hb *pv(const struct hg_core *c) { return &c->peer.view; }

struct hg_action *hg_emit(struct hg_actions *out, enum hg_act_type type);
/* Appends a decision record; NULL if the step's action list is full. */
struct hg_action *hg_record(struct hg_actions *out, const char *event, const char *rule,
			    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* services.c: the start/stop sequences and the checks (docs/decisions.md). */
void hg_svc_start_all(struct hg_core *c, hg_ms now, struct hg_actions *out);
void hg_svc_stop_all(struct hg_core *c, hg_ms now, struct hg_actions *out);
void hg_svc_result(struct hg_core *c, const struct hg_event *ev,
		   struct hg_actions *out);
void hg_svc_tick(struct hg_core *c, hg_ms now, struct hg_actions *out);
int  hg_svc_all_running(const struct hg_core *c);
int  hg_svc_gave_up(const struct hg_core *c);
hg_ms hg_svc_next_wakeup(const struct hg_core *c);

/* facts.c: derived from state, for every file of the core. */
int   hg_links_ok(const struct hg_core *c);
int   hg_gw_ok(const struct hg_core *c, hg_ms now);
int   hg_peer_was_active(const struct hg_core *c);   /* last known serving */
int   hg_grants(const struct hg_core *c, hg_ms now); /* our consent that the peer becomes active */
void  hg_send_hb(struct hg_core *c, hg_ms now, struct hg_actions *out);
static inline int hg_n_paths(const struct hg_core *c) { return 2 * c->p.n_lans; }

/* core.c: shared with evidence.c and commands.c. */
int   hg_eligible_at(const struct hg_core *c, hg_ms now);
hg_ms hg_accuse_due(const struct hg_core *c);
int   hg_peer_can_take(const struct hg_core *c, hg_ms now);
int   hg_peer_preferred(const struct hg_core *c);
void  hg_fire_handover(struct hg_core *c, hg_ms now, struct hg_actions *out);
void  hg_fire_released(struct hg_core *c, hg_ms now, struct hg_actions *out);
/* c->cleanup (hole 3): a node that starts stops every service and, where a
 * check exists, probes that it is down, before it grants or takes anything. */
enum { HG_CL_DONE, HG_CL_PENDING, HG_CL_STOPPING, HG_CL_PROBING };
/* services.c: the start-up clean-up, request deadlines, VIP requests */
int   hg_svc_stop_failed(const struct hg_core *c);   /* a service may run after its stop */
void  hg_svc_cleanup(struct hg_core *c, hg_ms now, struct hg_actions *out);
void  hg_svc_deadlines(struct hg_core *c, hg_ms now, struct hg_actions *out);
hg_ms hg_svc_deadline_next(const struct hg_core *c);
void  hg_vip_request(struct hg_core *c, int op, hg_ms now, struct hg_actions *out);
void  hg_vip_deadline(struct hg_core *c, hg_ms now, struct hg_actions *out);
/* services.c: a VIP add or removal answered */
void  hg_on_vip(struct hg_core *c, const struct hg_event *ev, struct hg_actions *out);
void  hg_reply(struct hg_actions *out, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* evidence.c: the BMCs (rules 3-5). */
int   hg_own_bmc_ok(const struct hg_core *c);
int   hg_sensors_ok(const struct hg_core *c);
/* core.c: fit to stay active (eligible without the own-BMC condition). */
int   hg_fit_at(const struct hg_core *c, hg_ms now);
int   hg_healthy_at(const struct hg_core *c, hg_ms now);   /* fit but for admin standby */
int   hg_accusation(const struct hg_core *c, hg_ms now);   /* 1: fence now */
int   hg_bmc_says_alive(const struct hg_core *c, hg_ms now);
void  hg_bmc_observe(struct hg_core *c, hg_ms now, struct hg_actions *out);
void  hg_pet(struct hg_core *c, hg_ms now, struct hg_actions *out);
/* The reset cadence for a watchdog of timeout t (both nodes use it). */
hg_ms hg_pet_every(const struct hg_core *c, uint32_t t);
void  hg_on_bmc(struct hg_core *c, const struct hg_event *ev, struct hg_actions *out);

/* suspect.c: positive evidence first (issue 12). */
void  hg_suspect_observe(struct hg_core *c, hg_ms now, struct hg_actions *out);
int   hg_suspect_proof(const struct hg_core *c, hg_ms now);   /* 1: the peer reads off: fence now */

/* peer.c */
void  hg_on_hb(struct hg_core *c, const struct hg_event *ev, struct hg_actions *out);

/* commands.c */
void  hg_on_cmd(struct hg_core *c, const struct hg_event *ev, struct hg_actions *out);

/* core.c: called by services.c when a sequence finishes. */
void hg_core_seq_done(struct hg_core *c, int op, hg_ms now, struct hg_actions *out);

#endif
