/*
 * dispatch.c - see dispatch.h.
 */
#include "agent/core/dispatch.h"

#include <assert.h>
#include <string.h>

void hg_dispatch(const struct hg_shell *sh, void *ctx, const struct hg_actions *out)
{
	for (int k = 0; k < out->n; k++) {
		const struct hg_action *a = &out->a[k];

		assert(a->type >= 0 && a->type < HG_ACT_COUNT);
		assert(sh->on[a->type] != NULL);   /* every shell handles every action */
		if (sh->before)
			sh->before(ctx, a);
		sh->on[a->type](ctx, a);
	}
}

int hg_action_moves_to(const struct hg_action *a)
{
	if (a->type != HG_ACT_RECORD || strcmp(a->event, "transition") != 0)
		return -1;
	return a->to;
}
