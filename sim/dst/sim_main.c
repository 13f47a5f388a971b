/*
 * hg-dst - the deterministic simulator of headguard (docs/simulation.md).
 *
 *   hg-dst --seeds N --from S [--duration-ms T] [--jobs J] [--replay FILE] [--verbose]
 *   hg-dst --seed S --trace [--duration-ms T]
 *
 * Each seed draws a configuration and a fault schedule and runs two cores
 * for T ms of simulated time, checking the invariants of DESIGN.md after
 * every step. A failing seed prints the violated rule, the last 200 lines
 * of its trace and the command that replays it; the exit status is 1.
 * --replay FILE runs the seeds listed in FILE (one "SEED [DURATION_MS]
 * # what was wrong" per line) before the sweep.
 */
#include "sim_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACE_LINES 200

static struct sim_world W;   /* big: static, one per process */

struct totals {
	uint64_t seeds, failed, steps, events, faults, probes, fences, takeovers, max_outage;
	hg_ms simulated;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: hg-dst --seeds N --from S [--duration-ms T] [--jobs J] [--replay FILE] [--verbose]\n"
		   "       hg-dst --seed S --trace [--duration-ms T]\n");
}

static int one(uint64_t seed, hg_ms duration, int verbose, int show_trace, struct totals *t)
{
	struct sim_stats st;

	memset(&st, 0, sizeof(st));
	int rc = sim_run_seed(&W, seed, duration, verbose, &st);
	t->seeds++;
	t->steps += W.steps;
	t->events += W.events;
	t->faults += st.faults;
	t->probes += st.probes;
	t->fences += st.fences;
	t->takeovers += st.takeovers;
	t->simulated += W.now;
	if (st.max_outage > t->max_outage)
		t->max_outage = st.max_outage;
	if (rc == 0)
		return 0;
	t->failed++;
	printf("FAIL seed %llu at %lld ms: %s\n", (unsigned long long)seed,
	       (long long)W.now, W.violation);
	if (show_trace && !verbose) {
		printf("  last %d events and decisions:\n", TRACE_LINES);
		sim_dump_trace(&W, TRACE_LINES);
	}
	printf("  replay: hg-dst --seed %llu --duration-ms %lld --trace\n",
	       (unsigned long long)seed, (long long)duration);
	fflush(stdout);
	return -1;
}

/* "SEED [DURATION_MS] # comment" lines. */
static int replay_file(const char *path, hg_ms duration, struct totals *t)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int bad = 0;

	if (!f) {
		fprintf(stderr, "hg-dst: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#'), *end;
		if (hash)
			*hash = 0;
		unsigned long long seed = strtoull(line, &end, 10);
		if (end == line)
			continue;
		long long d = strtoll(end, &end, 10);
		bad |= one(seed, d > 0 ? d : duration, 0, 1, t) < 0;
	}
	fclose(f);
	printf("hg-dst: replayed %s: %s\n", path, bad ? "FAILED" : "all pass");
	return bad ? -1 : 0;
}

static void sweep(uint64_t from, uint64_t n, int job, int jobs, hg_ms duration,
		  int verbose, struct totals *t)
{
	int traces = 0;

	for (uint64_t s = from + (uint64_t)job; s < from + n; s += (uint64_t)jobs)
		if (one(s, duration, verbose, traces < 3, t) < 0)
			traces++;
}

int main(int argc, char **argv)
{
	uint64_t from = 1, n = 100, seed = 0;
	hg_ms duration = 60000;
	int verbose = 0, jobs = 1, single = 0;
	const char *replay = NULL;
	struct totals t;

	memset(&t, 0, sizeof(t));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--verbose") || !strcmp(a, "--trace")) {
			verbose = 1;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			usage(stderr);
			return 2;
		}
		i++;
		if (!strcmp(a, "--seeds"))
			n = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--from"))
			from = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 10), single = 1;
		else if (!strcmp(a, "--duration-ms") || !strcmp(a, "--steps"))
			duration = strtoll(v, NULL, 10);
		else if (!strcmp(a, "--jobs"))
			jobs = atoi(v);
		else if (!strcmp(a, "--replay"))
			replay = v;
		else {
			usage(stderr);
			return 2;
		}
	}
	if (duration <= 0 || jobs < 1 || jobs > 64) {
		usage(stderr);
		return 2;
	}
	if (single) {
		int rc = one(seed, duration, verbose, 1, &t);
		printf("seed %llu: %s (%llu steps, %lld ms simulated)\n", (unsigned long long)seed,
		       rc ? "FAILED" : "ok", (unsigned long long)t.steps, (long long)t.simulated);
		return rc ? 1 : 0;
	}
	if (replay && replay_file(replay, duration, &t) < 0)
		t.failed++;
	fflush(stdout);

	int fds[64][2];
	pid_t pid[64];
	for (int j = 0; j < jobs; j++) {
		if (jobs == 1) {
			sweep(from, n, 0, 1, duration, verbose, &t);
			break;
		}
		if (pipe(fds[j]) < 0 || (pid[j] = fork()) < 0) {
			perror("hg-dst");
			return 2;
		}
		if (pid[j] == 0) {
			struct totals c;
			memset(&c, 0, sizeof(c));
			close(fds[j][0]);
			sweep(from, n, j, jobs, duration, verbose, &c);
			fflush(stdout);
			_exit(write(fds[j][1], &c, sizeof(c)) == sizeof(c) ? 0 : 3);
		}
		close(fds[j][1]);
	}
	for (int j = 0; jobs > 1 && j < jobs; j++) {
		struct totals c;
		int status;
		if (read(fds[j][0], &c, sizeof(c)) != sizeof(c)) {
			fprintf(stderr, "hg-dst: job %d died\n", j);
			t.failed++;
		} else {
			t.seeds += c.seeds; t.failed += c.failed; t.steps += c.steps;
			t.events += c.events; t.faults += c.faults; t.probes += c.probes;
			t.fences += c.fences; t.takeovers += c.takeovers; t.simulated += c.simulated;
			if (c.max_outage > t.max_outage)
				t.max_outage = c.max_outage;
		}
		close(fds[j][0]);
		waitpid(pid[j], &status, 0);
	}
	printf("hg-dst: %llu seeds (from %llu, %lld ms each): %llu steps, %llu events, %llu faults, "
	       "%llu fences, %llu takeovers, %llu liveness probes (longest outage %llu ms), %llu s simulated\n",
	       (unsigned long long)t.seeds, (unsigned long long)from, (long long)duration,
	       (unsigned long long)t.steps, (unsigned long long)t.events,
	       (unsigned long long)t.faults, (unsigned long long)t.fences,
	       (unsigned long long)t.takeovers, (unsigned long long)t.probes,
	       (unsigned long long)t.max_outage, (unsigned long long)(t.simulated / 1000));
	printf("%llu passed, %llu failed\n", (unsigned long long)(t.seeds - t.failed),
	       (unsigned long long)t.failed);
	return t.failed ? 1 : 0;
}
