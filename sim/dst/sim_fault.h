/*
 * sim_fault.h - faults the simulator injects (docs/simulation.md "Faults"),
 * the heal that undoes them all, and the run of one seed: chaos phases,
 * then heal, settle and a liveness probe, again and again.
 */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include "sim_world.h"

struct sim_stats {
	uint64_t faults, probes, probes_skipped, boots;
	uint64_t fences, takeovers, max_outage;
};

/* One random fault now (kind and victim drawn from w->rng). */
void sim_fault_random(struct sim_world *w, struct sim_stats *st);
/* Undo every fault: links, loss, cuts, gateway, services, fence devices,
 * hangs; power off nodes back on; operator `unstandby` on both. */
void sim_fault_heal(struct sim_world *w);

/* Time within which a standby replaces its dead active peer, from the
 * configuration (deadtime, fence latency, fence delay where it applies,
 * stall hold, one interval and the LAN delays as margin). */
hg_ms sim_liveness_bound(const struct sim_world *w, int survivor);

/* One seed: random configuration, `duration` ms of simulated time.
 * Returns 0 or -1 (w->violation says why). */
int sim_run_seed(struct sim_world *w, uint64_t seed, hg_ms duration, int verbose,
		 struct sim_stats *st);

#endif
