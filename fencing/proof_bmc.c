/*
 * proof_bmc.c - fence_power_{off,on}_confirm (proof.h) on ipmi/bmc.h: the
 * procedure of proof.c on one BMC session, the monotonic clock and
 * nanosleep.
 */
#include "fencing/proof.h"
#include "ipmi/bmc.h"

#include <errno.h>
#include <time.h>

static int command(void *ctx, int on)
{
	return on ? bmc_power_on(ctx) : bmc_power_off(ctx);
}

static int get(void *ctx, int *on)
{
	return bmc_power_get(ctx, on);
}

static int64_t now_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(void *ctx, unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	(void)ctx;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int confirm(struct bmc_session *s, int want, const struct fence_timing *t,
		   struct fence_proof *out)
{
	struct fence_power_ops ops = { command, get, now_ms, sleep_ms, s };

	if (!s)
		return -EINVAL;
	return fence_power_confirm(&ops, want, t, out);
}

int fence_power_off_confirm(struct bmc_session *s, const struct fence_timing *t,
			    struct fence_proof *out)
{
	return confirm(s, 0, t, out);
}

int fence_power_on_confirm(struct bmc_session *s, const struct fence_timing *t,
			   struct fence_proof *out)
{
	return confirm(s, 1, t, out);
}
