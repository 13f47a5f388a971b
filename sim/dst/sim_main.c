/*
 * hg-dst - the deterministic simulator of headguard (docs/simulation.md).
 *
 *   hg-dst --seeds N --from S [--duration-ms T] [--jobs J] [--replay FILE] [--verbose]
 *   hg-dst --seed S [--trace] [--duration-ms T] [--record FILE]
 *   hg-dst --schedule FILE [--trace]
 *
 * Each seed draws a configuration and a fault schedule and runs two cores
 * for T ms of simulated time, checking the invariants of DESIGN.md after
 * every step. A failing seed prints the violated rule, the last 200 lines
 * of its trace and the command that replays it; the exit status is 1.
 * --record FILE writes the seed's schedule (sim_sched.h); --schedule FILE
 * runs one. --replay FILE runs the regressions listed in FILE (one
 * "SEED [DURATION_MS] [SCHEDULE] # what was wrong" per line; the schedule,
 * relative to FILE's folder, when named) before the sweep. Bad input
 * (arguments, a schedule, the list) exits with 2.
 */
#include "sim_run.h"
#include "sim_sched.h"

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
	uint64_t lan_self_fences;
	hg_ms simulated;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: hg-dst --seeds N --from S [--duration-ms T] [--jobs J] [--replay FILE] [--verbose]\n"
		   "       hg-dst --seed S [--trace] [--duration-ms T] [--record FILE]\n"
		   "       hg-dst --schedule FILE [--trace]\n");
}

/* One seed, or one schedule if sched is given (path names it). */
struct job {
	uint64_t seed;
	hg_ms duration;
	const struct sim_sched *sched;
	const char *path;
	FILE *record;
};

static int one(const struct job *j, int verbose, int show_trace, struct totals *t)
{
	struct sim_stats st;
	uint64_t seed = j->sched ? j->sched->cfg.seed : j->seed;
	hg_ms duration = j->sched ? j->sched->cfg.duration : j->duration;

	memset(&st, 0, sizeof(st));
	int rc = j->sched ? sim_run_sched(&W, j->sched, verbose, &st)
			  : sim_run_seed(&W, seed, duration, verbose, &st, j->record);
	t->seeds++;
	t->steps += W.steps;
	t->events += W.events;
	t->faults += st.faults;
	t->probes += st.probes;
	t->fences += st.fences;
	t->takeovers += st.takeovers;
	t->lan_self_fences += st.lan_self_fences;
	t->simulated += W.now;
	if (st.max_outage > t->max_outage)
		t->max_outage = st.max_outage;
	if (rc == 0)
		return 0;
	t->failed++;
	if (j->sched)
		printf("FAIL schedule %s (seed %llu) at %lld ms: %s\n", j->path,
		       (unsigned long long)seed, (long long)W.now, W.violation);
	else
		printf("FAIL seed %llu at %lld ms: %s\n", (unsigned long long)seed,
		       (long long)W.now, W.violation);
	if (show_trace && !verbose) {
		printf("  last %d events and decisions:\n", TRACE_LINES);
		sim_dump_trace(&W, TRACE_LINES);
	}
	if (j->sched) {
		printf("  replay: hg-dst --schedule %s --trace\n", j->path);
	} else {
		printf("  replay: hg-dst --seed %llu --duration-ms %lld --trace\n",
		       (unsigned long long)seed, (long long)duration);
		if (!j->record)   /* a seed means this simulator only: keep its schedule */
			printf("  record: hg-dst --seed %llu --duration-ms %lld --record "
			       "tests/sim/schedules/%llu.sched\n", (unsigned long long)seed,
			       (long long)duration, (unsigned long long)seed);
	}
	fflush(stdout);
	return -1;
}

/* A decimal number, nothing else. */
static int number(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return *end || errno ? -1 : 0;
}

static int run_schedule(const char *path, uint64_t want_seed, int check_seed, int verbose,
			struct totals *t)
{
	struct sim_sched s;
	char err[512];

	if (sim_sched_load(path, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "hg-dst: %s\n", err);
		return -2;
	}
	if (check_seed && s.cfg.seed != want_seed) {
		fprintf(stderr, "hg-dst: %s is the schedule of seed %llu, not %llu\n", path,
			(unsigned long long)s.cfg.seed, (unsigned long long)want_seed);
		sim_sched_free(&s);
		return -2;
	}
	struct job j = { .sched = &s, .path = path };
	int rc = one(&j, verbose, 1, t);
	sim_sched_free(&s);
	return rc;
}

/* "SEED [DURATION_MS] [SCHEDULE] # comment" lines. Returns 0, -1 if a
 * regression failed, -2 on bad input. */
static int replay_file(const char *path, hg_ms duration, struct totals *t)
{
	FILE *f = fopen(path, "r");
	char line[1024], dir[512] = ".";
	int bad = 0, n = 0;
	const char *slash = strrchr(path, '/');

	if (!f) {
		fprintf(stderr, "hg-dst: %s: %s\n", path, strerror(errno));
		return -2;
	}
	if (slash && (size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#'), *tok[4], *save = NULL;
		int nt = 0;
		uint64_t seed, d = 0;
		n++;
		if (hash)
			*hash = 0;
		else if (!strchr(line, '\n') && !feof(f))
			goto bad_line;
		for (char *p = strtok_r(line, " \t\r\n", &save); p && nt < 4;
		     p = strtok_r(NULL, " \t\r\n", &save))
			tok[nt++] = p;
		if (!nt)
			continue;
		if (nt > 3 || number(tok[0], &seed) < 0)
			goto bad_line;
		int k = 1;
		if (k < nt && number(tok[k], &d) == 0) {
			if (!d || d > SIM_MAX_RUN_MS)
				goto bad_line;
			k++;
		}
		if (k < nt) {
			char sched[2048];
			if (k + 1 != nt || d)   /* a schedule carries its duration */
				goto bad_line;
			snprintf(sched, sizeof(sched), "%s%s%s", tok[k][0] == '/' ? "" : dir,
				 tok[k][0] == '/' ? "" : "/", tok[k]);
			int rc = run_schedule(sched, seed, 1, 0, t);
			if (rc == -2) {
				fclose(f);
				return -2;
			}
			bad |= rc < 0;
			continue;
		}
		struct job j = { .seed = seed, .duration = d ? (hg_ms)d : duration };
		bad |= one(&j, 0, 1, t) < 0;
	}
	fclose(f);
	printf("hg-dst: replayed %s: %s\n", path, bad ? "FAILED" : "all pass");
	return bad ? -1 : 0;
bad_line:
	fprintf(stderr, "hg-dst: %s:%d: expected 'SEED [DURATION_MS] [SCHEDULE] # comment'\n",
		path, n);
	fclose(f);
	return -2;
}

static void sweep(uint64_t from, uint64_t n, int job, int jobs, hg_ms duration,
		  int verbose, struct totals *t)
{
	int traces = 0;

	for (uint64_t s = from + (uint64_t)job; s < from + n; s += (uint64_t)jobs) {
		struct job j = { .seed = s, .duration = duration };
		if (one(&j, verbose, traces < 3, t) < 0)
			traces++;
	}
}

int main(int argc, char **argv)
{
	uint64_t from = 1, n = 100, seed = 0;
	hg_ms duration = 60000;
	int verbose = 0, jobs = 1, single = 0, duration_set = 0;
	const char *replay = NULL, *record = NULL, *schedule = NULL;
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
			duration = strtoll(v, NULL, 10), duration_set = 1;
		else if (!strcmp(a, "--jobs"))
			jobs = atoi(v);
		else if (!strcmp(a, "--replay"))
			replay = v;
		else if (!strcmp(a, "--record"))
			record = v;
		else if (!strcmp(a, "--schedule"))
			schedule = v;
		else {
			usage(stderr);
			return 2;
		}
	}
	if (duration <= 0 || jobs < 1 || jobs > 64) {
		usage(stderr);
		return 2;
	}
	if (schedule) {
		if (single || record || replay || duration_set) {
			fprintf(stderr, "hg-dst: --schedule runs the file alone (it holds the seed "
				"and the duration)\n");
			return 2;
		}
		int rc = run_schedule(schedule, 0, 0, verbose, &t);
		if (rc == -2)
			return 2;
		printf("schedule %s: %s (%llu steps, %lld ms simulated)\n", schedule,
		       rc ? "FAILED" : "ok", (unsigned long long)t.steps, (long long)t.simulated);
		return rc ? 1 : 0;
	}
	if (record && (!single || duration > SIM_MAX_RUN_MS)) {
		fprintf(stderr, "hg-dst: --record needs --seed and at most %d ms\n", SIM_MAX_RUN_MS);
		return 2;
	}
	if (single) {
		struct job j = { .seed = seed, .duration = duration };
		if (record && !(j.record = fopen(record, "w"))) {
			fprintf(stderr, "hg-dst: %s: %s\n", record, strerror(errno));
			return 2;
		}
		int rc = one(&j, verbose, 1, &t);
		if (j.record && (ferror(j.record) | fclose(j.record))) {
			fprintf(stderr, "hg-dst: %s: write error\n", record);
			return 2;
		}
		if (record)
			printf("hg-dst: schedule of seed %llu written to %s\n",
			       (unsigned long long)seed, record);
		printf("seed %llu: %s (%llu steps, %lld ms simulated)\n", (unsigned long long)seed,
		       rc ? "FAILED" : "ok", (unsigned long long)t.steps, (long long)t.simulated);
		return rc ? 1 : 0;
	}
	if (replay) {
		int rc = replay_file(replay, duration, &t);
		if (rc == -2)
			return 2;
		if (rc < 0)
			t.failed++;
	}
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
			t.lan_self_fences += c.lan_self_fences;
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
	printf("hg-dst: %llu healthy nodes powered off by their own watchdog reset over the "
	       "management LAN (own_bmc = lan, one seed in eight)\n",
	       (unsigned long long)t.lan_self_fences);
	printf("%llu passed, %llu failed\n", (unsigned long long)(t.seeds - t.failed),
	       (unsigned long long)t.failed);
	return t.failed ? 1 : 0;
}
