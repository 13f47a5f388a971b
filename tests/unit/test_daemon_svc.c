/*
 * test_daemon_svc.c - the daemon's service jobs (agent/daemon_svc.c): each
 * answer carries the generation of its own request. The core re-asks a
 * check once the old one is past its deadline; if that old job is still
 * running (a hung script the kill has not reaped yet), its answer must come
 * under its old generation (stale to the core), never under the new one:
 * the first daemon kept one callback per (service, operation) and let a new
 * request overwrite its generation. daemon_push is the daemon's; a stub here
 * records the answers.
 */
#include "check.h"
#include "agent/daemon.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct daemon D;          /* big: keep it off the stack */
static struct hg_config CFG;
static struct hg_event got[8];
static int n_got;

void daemon_push(struct daemon *d, const struct hg_event *ev)
{
	(void)d;
	if (n_got < 8)
		got[n_got++] = *ev;
}

static void wait_answers(int n)
{
	for (int k = 0; k < 500 && n_got < n; k++) {
		usleep(10000);
		jobs_reap(&D.jobs);
	}
}

static void test_answer_keeps_its_generation(void)
{
	struct hg_cfg_service *s = &CFG.service[0];

	snprintf(CFG.node[0].name, sizeof(CFG.node[0].name), "a");
	snprintf(s->name, sizeof(s->name), "demo");
	s->check_timeout_ms = 5000;
	s->timeout_ms = 5000;
	CFG.n_services = 1;
	D.cfg = &CFG;
	/* the old check, slow and failing; then the re-ask, quick and passing */
	snprintf(s->check, sizeof(s->check), "sleep 0.3; exit 1");
	daemon_svc(&D, 0, HG_SVC_CHECK, 41);
	snprintf(s->check, sizeof(s->check), "exit 0");
	daemon_svc(&D, 0, HG_SVC_CHECK, 42);
	wait_answers(2);
	CHECK_EQ(n_got, 2);
	/* the quick one first, under its own generation; then the slow one */
	CHECK_EQ(got[0].gen, 42);
	CHECK_EQ(got[0].ok, 1);
	CHECK_EQ(got[1].gen, 41);
	CHECK_EQ(got[1].ok, 0);
	for (int k = 0; k < n_got; k++)
		CHECK(got[k].op == HG_SVC_CHECK && got[k].svc == 0);
}

int main(void)
{
	test_answer_keeps_its_generation();
	return check_report();
}
