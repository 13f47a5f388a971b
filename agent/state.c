/*
 * state.c - see state.h. Plain POSIX files; the durability order is the
 * classic one: write the new value to a temporary, fsync it, rename it over
 * the old name, fsync the directory so that the rename itself survives a
 * power cut.
 */
#include "agent/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int state_parse(const char *text, size_t len, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0;

	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len == 0 || len > 20)
		return -EINVAL;
	for (; i < len; i++) {
		unsigned d = (unsigned char)text[i] - '0';
		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -EINVAL;
		x = x * 10 + d;
	}
	if (x == 0)
		return -EINVAL;
	*v = x;
	return 0;
}

static int path_of(char *buf, size_t cap, const char *dir, const char *name, const char *sfx)
{
	int n = snprintf(buf, cap, "%s/%s%s", dir, name, sfx);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int state_read(const char *dir, const char *name, uint64_t *v, char *err, size_t errlen)
{
	char path[512], buf[32];
	ssize_t n;
	int fd, rc;

	if ((rc = path_of(path, sizeof(path), dir, name, "")) < 0) {
		snprintf(err, errlen, "state file %s/%s: path too long", dir, name);
		return rc;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "state file %s: %s", path, strerror(-rc));
		return rc;
	}
	n = read(fd, buf, sizeof(buf));
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc < 0) {
		snprintf(err, errlen, "state file %s: %s", path, strerror(-rc));
		return rc;
	}
	if (state_parse(buf, (size_t)n, v) < 0) {
		snprintf(err, errlen, "state file %s: not one decimal number 1..%llu and a newline; "
			 "it was written atomically, so something else changed it: check the "
			 "disk, then set it by hand to a value larger than any used before",
			 path, (unsigned long long)UINT64_MAX);
		return -EINVAL;
	}
	return 0;
}

int state_write(const char *dir, const char *name, uint64_t v, char *err, size_t errlen)
{
	char path[512], tmp[520], buf[32];
	const char *what = "creating";
	int fd = -1, dfd = -1, rc = 0;
	int n = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)v);

	if (path_of(path, sizeof(path), dir, name, "") < 0 ||
	    path_of(tmp, sizeof(tmp), dir, name, ".new") < 0) {
		snprintf(err, errlen, "state file %s/%s: path too long", dir, name);
		return -ENAMETOOLONG;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "state directory %s: %s", dir, strerror(-rc));
		return rc;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		goto fail;
	what = "writing";
	if (write(fd, buf, (size_t)n) != n) {
		if (errno == 0)
			errno = ENOSPC;
		goto fail;
	}
	what = "syncing";
	if (fsync(fd) < 0)
		goto fail;
	what = "closing";
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	what = "renaming";
	if (rename(tmp, path) < 0)
		goto fail;
	what = "syncing the directory of";
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(dfd) < 0)
		goto fail;
	close(dfd);
	return 0;
fail:
	rc = errno ? -errno : -EIO;
	snprintf(err, errlen, "state file %s: %s it: %s", path, what, strerror(-rc));
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	unlink(tmp);
	return rc;
}

int state_next_incarnation(const char *dir, uint64_t seed, uint64_t *inc,
			   char *err, size_t errlen)
{
	uint64_t v = 0;
	int rc = state_read(dir, STATE_INCARNATION, &v, err, errlen);

	if (rc == -ENOENT) {
		v = seed ? seed : 1;
	} else if (rc < 0) {
		return rc;
	} else if (v == UINT64_MAX) {
		snprintf(err, errlen, "state file %s/%s: the incarnation cannot grow past %llu",
			 dir, STATE_INCARNATION, (unsigned long long)v);
		return -EOVERFLOW;
	} else {
		v++;
	}
	if ((rc = state_write(dir, STATE_INCARNATION, v, err, errlen)) < 0)
		return rc;
	*inc = v;
	return 0;
}
