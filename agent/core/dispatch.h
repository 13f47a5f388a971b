/*
 * dispatch.h - one description of what the core's actions are, shared by
 * every shell that executes them: the daemon (agent/daemon.c), the
 * deterministic simulator (sim/dst) and the unit harness (tests/unit/pair.c).
 * Each shell fills one handler per action type; hg_dispatch runs a step's
 * actions in order and stops the program if a shell has no handler for one
 * (a new action cannot be forgotten by one shell and modelled by another).
 */
#ifndef HG_DISPATCH_H
#define HG_DISPATCH_H

#include "agent/core/core.h"

typedef void (*hg_act_fn)(void *ctx, const struct hg_action *a);

struct hg_shell {
	hg_act_fn on[HG_ACT_COUNT];   /* by enum hg_act_type, designated initialisers */
	/* optional: called before every action (the simulator's checks) */
	void (*before)(void *ctx, const struct hg_action *a);
};

/* Executes out->a[0..n) through sh, in order. */
void hg_dispatch(const struct hg_shell *sh, void *ctx, const struct hg_actions *out);

/* The role a record of a transition moves to, or -1 for other actions. */
int hg_action_moves_to(const struct hg_action *a);

#endif
