/*
 * sim_rng.h - the simulator's only source of randomness: splitmix64 seeded
 * from the run's seed. Never rand(), never the clock: a seed replays exactly.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

struct sim_rng {
	uint64_t s;
};

static inline void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	r->s = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
}

static inline uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi] (inclusive); lo when hi <= lo. */
static inline uint64_t sim_rng_range(struct sim_rng *r, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + sim_rng_next(r) % (hi - lo + 1);
}

/* True with probability pm per mille. */
static inline int sim_rng_pm(struct sim_rng *r, uint32_t pm)
{
	return pm && sim_rng_next(r) % 1000 < pm;
}

#endif
