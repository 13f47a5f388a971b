/*
 * state.c - see state.h. (Today's logic, moved from daemon.c unchanged.)
 */
#include "agent/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int state_parse(const char *text, size_t len, uint64_t *v)
{
	char buf[32];

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	for (size_t i = 0; i < len; i++)
		buf[i] = text[i];
	buf[len] = 0;
	*v = strtoull(buf, NULL, 10);
	return 0;
}

int state_read(const char *dir, const char *name, uint64_t *v, char *err, size_t errlen)
{
	return -ENOSYS;
}

int state_write(const char *dir, const char *name, uint64_t v, char *err, size_t errlen)
{
	return -ENOSYS;
}

int state_next_incarnation(const char *dir, uint64_t seed, uint64_t *out,
			   char *err, size_t errlen)
{
	char path[300], tmp[310], buf[32] = "";
	uint64_t inc = 0;
	int fd;

	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/incarnation", dir);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			inc = strtoull(buf, NULL, 10);
		}
	}
	inc++;
	if ((uint64_t)time(NULL) > inc)
		inc = (uint64_t)time(NULL);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0) {
		int n = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)inc);
		if (write(fd, buf, (size_t)n) == n && fsync(fd) == 0)
			rename(tmp, path);
		close(fd);
	}
	*out = inc;
	return 0;
}
