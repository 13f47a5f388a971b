/*
 * proof.c - see proof.h. Pure: the power, the clock and sleep come through
 * the caller's ops.
 */
#include "fencing/proof.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int fence_power_confirm(const struct fence_power_ops *ops, int want,
			const struct fence_timing *t, struct fence_proof *out)
{
	if (!ops || !ops->command || !ops->get || !ops->now_ms || !ops->sleep_ms || !t || !out)
		return -EINVAL;
	unsigned poll = t->poll_ms ? t->poll_ms : 1;
	int64_t t0 = ops->now_ms(ops->ctx), end = t0 + t->timeout_ms;

	memset(out, 0, sizeof(*out));
	out->want = want ? 1 : 0;
	out->power = -1;
	/* Its answer is only recorded: the proof is the read-back (rule 2). */
	out->command_rc = ops->command(ops->ctx, out->want);
	if (t->settle_ms)
		ops->sleep_ms(ops->ctx, t->settle_ms);
	for (;;) {
		int on = -1;
		out->read_rc = ops->get(ops->ctx, &on);
		out->reads++;
		if (out->read_rc == 0)
			out->power = on ? 1 : 0;
		out->elapsed_ms = ops->now_ms(ops->ctx) - t0;
		if (out->read_rc == 0 && out->power == out->want) {
			out->confirmed = 1;
			return 0;
		}
		int64_t now = ops->now_ms(ops->ctx);
		if (now + poll > end)
			break;
		ops->sleep_ms(ops->ctx, poll);
	}
	return out->read_rc < 0 ? out->read_rc : -ETIMEDOUT;
}

int fence_proof_text(const struct fence_proof *p, const char *(*errtext)(int),
		     char *buf, size_t len)
{
	const char *state = p->want ? "on" : "off";
	char cmd[120] = "";

	if (p->command_rc < 0)
		snprintf(cmd, sizeof(cmd), "; the %s command failed: %s", state,
			 errtext ? errtext(p->command_rc) : strerror(-p->command_rc));
	if (p->confirmed)
		return snprintf(buf, len, "power read back as %s after %lld ms, %u read(s)%s",
				state, (long long)p->elapsed_ms, p->reads, cmd);
	return snprintf(buf, len, "power NOT read back as %s within %lld ms, %u read(s), last: %s%s",
			state, (long long)p->elapsed_ms, p->reads,
			p->read_rc < 0 ? (errtext ? errtext(p->read_rc) : strerror(-p->read_rc)) :
			p->power == 1 ? "on" : p->power == 0 ? "off" : "none", cmd);
}
