/*
 * internal.h - helpers shared by the files of agent/core. Not for the shell.
 */
#ifndef HG_CORE_INTERNAL_H
#define HG_CORE_INTERNAL_H

#include "agent/core/core.h"

#define HG_NEVER ((hg_ms)INT64_MIN / 4)

struct hg_action *hg_emit(struct hg_actions *out, enum hg_act_type type);
void hg_record(struct hg_actions *out, const char *event, const char *rule,
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

/* core.c: called by services.c when a sequence finishes. */
void hg_core_seq_done(struct hg_core *c, int op, hg_ms now, struct hg_actions *out);

#endif
