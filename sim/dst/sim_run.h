/*
 * sim_run.h - one run of the simulator: a configuration, then the boots,
 * chaos faults and liveness probes of a schedule (sim_fault.h), either
 * drawn from a seed as the run goes or read from a schedule file
 * (sim_sched.h).
 */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include <stdio.h>

#include "sim_fault.h"

/* What a seed draws before the first boot. The hg_params are node a's
 * (self = a); node b's are the mirror image (sim_world_init). */
struct sim_config {
	uint64_t seed;            /* also seeds the world's per-packet randomness */
	hg_ms duration;
	int n_lans, n_services;
	struct hg_params p;
	uint32_t fence_ok_ms, fence_slow_ms, fence_timeout_ms, bmc_ms;
	uint32_t bmc_poll_ms;     /* 0 (schedules recorded before it): 2000 */
	int own_lan;              /* own_bmc = lan on both nodes; 0: in-band (issue 11) */
	uint32_t wdt_ms[SIM_MAX_NODES];
};

struct sim_sched;

/* One seed: random configuration and faults, `duration` ms of simulated
 * time. If `record` is not NULL, the run's schedule is written to it as it
 * goes (sim_sched.h; the caller checks ferror). Returns 0 or -1
 * (w->violation says why). */
int sim_run_seed(struct sim_world *w, uint64_t seed, hg_ms duration, int verbose,
		 struct sim_stats *st, FILE *record);

/* Replay a schedule: its configuration, then each record at its time.
 * A record is applied at its time plus the shift of the last probe (how
 * much later than recorded that probe ended), or at once if the world is
 * already past that; the run ends as long after the last probe as it did
 * when recorded. Under the simulator and core that recorded it, the run is
 * the recorded one, event for event. Returns 0 or -1 (w->violation). */
int sim_run_sched(struct sim_world *w, const struct sim_sched *s, int verbose,
		  struct sim_stats *st);

#endif
