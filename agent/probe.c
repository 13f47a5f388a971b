/*
 * probe.c - `headguard probe KIND ARGS`: the built-in probes, run by the
 * agent as jobs (never on the heartbeat loop, STYLE.md habit 3). Exit 0 =
 * healthy, 1 = not, 2 = usage. The job's timeout bounds every probe.
 *
 *   probe tcp ADDR PORT                 a TCP connection is accepted
 *   probe pid FILE                      the pid in FILE is alive
 *   probe systemd UNIT                  systemctl says the unit is active
 *   probe host LOAD MEM_MB [PATH MB]... HA-OSCAR's watch list: 1-minute load
 *                                       average <= LOAD (0: unchecked), available
 *                                       memory >= MEM_MB (0: unchecked), free
 *                                       space on each PATH >= MB
 */
#include "agent/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int probe_tcp(const char *addr, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return 1;
	int rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc < 0) {
		fprintf(stderr, "tcp %s:%s: %s\n", addr, port, strerror(errno));
		return 1;
	}
	return 0;
}

static int probe_pid(const char *file)
{
	FILE *f = fopen(file, "r");
	long pid = 0;

	if (!f) {
		fprintf(stderr, "pid file %s: %s\n", file, strerror(errno));
		return 1;
	}
	int n = fscanf(f, "%ld", &pid);
	fclose(f);
	if (n != 1 || pid <= 1 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH)) {
		fprintf(stderr, "pid file %s: no live process\n", file);
		return 1;
	}
	return 0;
}

static int probe_systemd(const char *unit)
{
	execl("/bin/systemctl", "systemctl", "is-active", "--quiet", unit, (char *)NULL);
	fprintf(stderr, "systemctl: %s\n", strerror(errno));
	return 1;
}

static long mem_available_mb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

static int probe_host(int argc, char **argv)
{
	double load = 0;
	long max_load = atol(argv[0]), min_mem = atol(argv[1]);
	int bad = 0;

	if (max_load > 0) {
		FILE *f = fopen("/proc/loadavg", "r");
		if (!f || fscanf(f, "%lf", &load) != 1) {
			fprintf(stderr, "cannot read /proc/loadavg\n");
			bad = 1;
		} else if (load > (double)max_load) {
			fprintf(stderr, "load average %.2f above %ld\n", load, max_load);
			bad = 1;
		}
		if (f)
			fclose(f);
	}
	if (min_mem > 0) {
		long mb = mem_available_mb();
		if (mb < min_mem) {
			fprintf(stderr, "available memory %ld MB below %ld MB\n", mb, min_mem);
			bad = 1;
		}
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		struct statvfs st;
		long need = atol(argv[i + 1]);
		if (statvfs(argv[i], &st) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			bad = 1;
			continue;
		}
		long mb = (long)((unsigned long long)st.f_bavail * st.f_frsize / (1024 * 1024));
		if (mb < need) {
			fprintf(stderr, "%s: %ld MB free, below %ld MB\n", argv[i], mb, need);
			bad = 1;
		}
	}
	return bad;
}

int probe_main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[0], "tcp"))
		return probe_tcp(argv[1], argv[2]);
	if (argc == 2 && !strcmp(argv[0], "pid"))
		return probe_pid(argv[1]);
	if (argc == 2 && !strcmp(argv[0], "systemd"))
		return probe_systemd(argv[1]);
	if (argc >= 3 && argc % 2 == 1 && !strcmp(argv[0], "host"))
		return probe_host(argc - 1, argv + 1);
	fprintf(stderr, "usage: headguard probe tcp ADDR PORT | pid FILE | systemd UNIT |"
			" host LOAD MEM_MB [PATH MB]...\n");
	return 2;
}
