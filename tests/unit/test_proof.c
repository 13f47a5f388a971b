/*
 * test_proof.c - the one power-off-then-read-back procedure
 * (fencing/proof.h) against a scripted fake power: a virtual clock, the
 * command's answer, and the state each read returns.
 */
#include "check.h"
#include "fencing/proof.h"

#include <errno.h>
#include <string.h>

static struct {
	int64_t now;
	int command_rc, commands, last_command;
	int reads;                    /* reads made */
	int read_rc[64], state[64];   /* answer of read i (the last repeats) */
	int n;
	unsigned slept[64];
	int64_t read_at[64];
	int nslept;
} P;

static int fake_command(void *ctx, int on)
{
	P.commands++;
	P.last_command = on;
	P.now += 5;
	return P.command_rc;
}

static int fake_get(void *ctx, int *on)
{
	int i = P.reads < P.n ? P.reads : P.n - 1;

	if (P.reads < 64)
		P.read_at[P.reads] = P.now;
	P.reads++;
	P.now += 3;
	if (P.read_rc[i] < 0)
		return P.read_rc[i];
	*on = P.state[i];
	return 0;
}

static int64_t fake_now(void *ctx) { return P.now; }

static void fake_sleep(void *ctx, unsigned ms)
{
	if (P.nslept < 64)
		P.slept[P.nslept++] = ms;
	P.now += ms;
}

static const struct fence_power_ops OPS = { fake_command, fake_get, fake_now, fake_sleep, NULL };

static void script(int command_rc, int n, const int *rc, const int *state)
{
	memset(&P, 0, sizeof(P));
	P.now = 1000;
	P.command_rc = command_rc;
	P.n = n;
	memcpy(P.read_rc, rc, (size_t)n * sizeof(int));
	memcpy(P.state, state, (size_t)n * sizeof(int));
}

int main(void)
{
	struct fence_timing t = { .timeout_ms = 1000, .poll_ms = 100 };
	struct fence_proof p;
	char text[200];

	/* accepted, on, on, then off: confirmed on the third read */
	script(0, 3, (int[]){ 0, 0, 0 }, (int[]){ 1, 1, 0 });
	CHECK_EQ(fence_power_confirm(&OPS, 0, &t, &p), 0);
	CHECK_EQ(p.confirmed, 1);
	CHECK_EQ(p.reads, 3);
	CHECK_EQ(P.reads, 3);
	CHECK_EQ(P.commands, 1);
	CHECK_EQ(P.last_command, 0);
	CHECK_EQ(p.power, 0);
	CHECK_EQ(p.command_rc, 0);
	CHECK_EQ(P.nslept, 2);              /* a pause between reads, none after */
	CHECK_EQ(P.slept[0], 100);
	CHECK_EQ(p.elapsed_ms, P.now - 1000);
	CHECK(fence_proof_text(&p, NULL, text, sizeof(text)) > 0);
	CHECK(strstr(text, "read back as off") != NULL);

	/* the command fails (lost answer, BMC busy) but power reads off: the
	 * proof is the read-back, so this is a fence (DESIGN.md rule 2) */
	script(-ETIMEDOUT, 1, (int[]){ 0 }, (int[]){ 0 });
	CHECK_EQ(fence_power_confirm(&OPS, 0, &t, &p), 0);
	CHECK_EQ(p.confirmed, 1);
	CHECK_EQ(p.command_rc, -ETIMEDOUT);
	CHECK(fence_proof_text(&p, NULL, text, sizeof(text)) > 0);
	CHECK(strstr(text, "read back as off") != NULL);
	CHECK(strstr(text, "command") != NULL);   /* the failure is in the audit */

	/* the command fails and power stays on: read back until the timeout,
	 * never given up at the command's answer */
	script(-EPROTO, 1, (int[]){ 0 }, (int[]){ 1 });
	CHECK_EQ(fence_power_confirm(&OPS, 0, &t, &p), -ETIMEDOUT);
	CHECK_EQ(p.confirmed, 0);
	CHECK(P.reads >= 8);                    /* ~ timeout / poll */
	CHECK(P.read_at[P.reads - 1] - 1000 <= 1000);   /* none past the timeout */
	CHECK(P.now - 1000 >= 900);
	CHECK_EQ(p.power, 1);

	/* accepted, power never reads off: not confirmed, ETIMEDOUT */
	script(0, 1, (int[]){ 0 }, (int[]){ 1 });
	CHECK_EQ(fence_power_confirm(&OPS, 0, &t, &p), -ETIMEDOUT);
	CHECK_EQ(p.confirmed, 0);
	for (int i = 1; i < P.reads; i++)   /* paused between every two reads */
		CHECK(P.read_at[i] - P.read_at[i - 1] >= 100);
	CHECK(fence_proof_text(&p, NULL, text, sizeof(text)) > 0);
	CHECK(strstr(text, "NOT") != NULL);

	/* accepted, but no read ever answers: the command alone never confirms */
	script(0, 1, (int[]){ -EHOSTUNREACH }, (int[]){ 0 });
	CHECK_EQ(fence_power_confirm(&OPS, 0, &t, &p), -EHOSTUNREACH);
	CHECK_EQ(p.confirmed, 0);
	CHECK_EQ(p.power, -1);

	/* read errors, then off: retried until it reads */
	script(0, 3, (int[]){ -ETIMEDOUT, -EBUSY, 0 }, (int[]){ 1, 1, 0 });
	CHECK_EQ(fence_power_confirm(&OPS, 0, &t, &p), 0);
	CHECK_EQ(p.reads, 3);

	/* off read once, then a stale "on" is never read: stops at off */
	script(0, 2, (int[]){ 0, 0 }, (int[]){ 0, 1 });
	CHECK_EQ(fence_power_confirm(&OPS, 0, &t, &p), 0);
	CHECK_EQ(P.reads, 1);

	/* settle: a pause after the command, before the first read */
	struct fence_timing ts = { .timeout_ms = 1000, .poll_ms = 100, .settle_ms = 300 };
	script(0, 1, (int[]){ 0 }, (int[]){ 0 });
	CHECK_EQ(fence_power_confirm(&OPS, 0, &ts, &p), 0);
	CHECK(P.read_at[0] - 1000 >= 300);

	/* power on, read back on (hg-fence-ipmi action=on) */
	script(0, 2, (int[]){ 0, 0 }, (int[]){ 0, 1 });
	CHECK_EQ(fence_power_confirm(&OPS, 1, &t, &p), 0);
	CHECK_EQ(P.last_command, 1);
	CHECK_EQ(p.reads, 2);

	/* a zero timeout still reads once */
	struct fence_timing t0 = { .timeout_ms = 0, .poll_ms = 100 };
	script(0, 1, (int[]){ 0 }, (int[]){ 0 });
	CHECK_EQ(fence_power_confirm(&OPS, 0, &t0, &p), 0);
	CHECK_EQ(P.reads, 1);

	CHECK_EQ(fence_power_confirm(NULL, 0, &t, &p), -EINVAL);
	CHECK_EQ(fence_power_confirm(&OPS, 0, NULL, &p), -EINVAL);
	return check_report();
}
