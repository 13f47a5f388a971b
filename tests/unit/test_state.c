/*
 * test_state.c - the state files (agent/state.c, issue 10 hole 8): our
 * incarnation grows by one per start from the file alone, whatever the wall
 * clock says; garbage and a state_dir that cannot be written are errors,
 * never a silent 0 or an unpersisted incarnation.
 */
#include "check.h"
#include "agent/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[64];

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return (int)n;
}

static int parse(const char *s, uint64_t *v) { return state_parse(s, strlen(s), v); }

static void test_parse(void)
{
	uint64_t v = 99;

	CHECK_EQ(parse("42\n", &v), 0);
	CHECK_EQ(v, 42);
	CHECK_EQ(parse("7", &v), 0);
	CHECK_EQ(v, 7);
	CHECK_EQ(parse("18446744073709551615\n", &v), 0);
	CHECK(v == UINT64_MAX);
	v = 5;
	CHECK_EQ(parse("", &v), -EINVAL);
	CHECK_EQ(parse("\n", &v), -EINVAL);
	CHECK_EQ(parse("garbage\n", &v), -EINVAL);
	CHECK_EQ(parse("12abc\n", &v), -EINVAL);
	CHECK_EQ(parse("-1\n", &v), -EINVAL);
	CHECK_EQ(parse("+1\n", &v), -EINVAL);
	CHECK_EQ(parse(" 5\n", &v), -EINVAL);
	CHECK_EQ(parse("5 \n", &v), -EINVAL);
	CHECK_EQ(parse("5\n\n", &v), -EINVAL);
	CHECK_EQ(parse("0\n", &v), -EINVAL);
	CHECK_EQ(parse("18446744073709551616\n", &v), -EINVAL);
	CHECK_EQ(parse("99999999999999999999999999\n", &v), -EINVAL);
	CHECK_EQ(state_parse("12\0" "3", 4, &v), -EINVAL);   /* a NUL inside */
	CHECK_EQ(v, 5);   /* untouched on error */
}

/* The file orders restarts: +1 each start, the seed only for a missing file. */
static void test_next(void)
{
	char dir[128], path[160], buf[64], err[400];
	uint64_t inc = 0;

	snprintf(dir, sizeof(dir), "%s/fresh", base);
	snprintf(path, sizeof(path), "%s/incarnation", dir);
	CHECK_EQ(state_next_incarnation(dir, 1000, &inc, err, sizeof(err)), 0);
	CHECK_EQ(inc, 1000);
	CHECK(slurp(path, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "1000\n");
	/* The wall clock went back (seed 5), or forward: +1 from the file. */
	CHECK_EQ(state_next_incarnation(dir, 5, &inc, err, sizeof(err)), 0);
	CHECK_EQ(inc, 1001);
	CHECK_EQ(state_next_incarnation(dir, 4000000000ull, &inc, err, sizeof(err)), 0);
	CHECK_EQ(inc, 1002);
	CHECK(slurp(path, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "1002\n");
	snprintf(path, sizeof(path), "%s/incarnation.new", dir);
	CHECK(access(path, F_OK) != 0);   /* no temporary left behind */
}

static void test_garbage_refused(void)
{
	char dir[128], path[160], buf[64], err[400] = "";
	uint64_t inc = 77;

	snprintf(dir, sizeof(dir), "%s/garbage", base);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/incarnation", dir);
	put_file(path, "not a number\n");
	CHECK_EQ(state_next_incarnation(dir, 1000, &inc, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, path) != NULL);      /* the message names the file */
	CHECK(slurp(path, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "not a number\n");       /* left for the operator */
	put_file(path, "");
	CHECK_EQ(state_next_incarnation(dir, 1000, &inc, err, sizeof(err)), -EINVAL);
	put_file(path, "18446744073709551615\n");   /* cannot grow */
	CHECK(state_next_incarnation(dir, 1000, &inc, err, sizeof(err)) < 0);
}

/* A state_dir that cannot hold the file: the start must be refused. */
static void test_unwritable_refused(void)
{
	char file[128], dir[160], err[400] = "";
	uint64_t inc = 0;

	snprintf(file, sizeof(file), "%s/plainfile", base);
	put_file(file, "x");
	snprintf(dir, sizeof(dir), "%s/state", file);   /* under a regular file */
	CHECK(state_next_incarnation(dir, 1000, &inc, err, sizeof(err)) < 0);
	CHECK(err[0] != 0);
	CHECK(state_write(dir, STATE_PEER_INCARNATION, 5, err, sizeof(err)) < 0);
}

static void test_peer_roundtrip(void)
{
	char dir[128], err[400];
	uint64_t v = 0;

	snprintf(dir, sizeof(dir), "%s/peer", base);
	CHECK_EQ(state_read(dir, STATE_PEER_INCARNATION, &v, err, sizeof(err)), -ENOENT);
	CHECK_EQ(state_write(dir, STATE_PEER_INCARNATION, 123456789012ull, err, sizeof(err)), 0);
	CHECK_EQ(state_read(dir, STATE_PEER_INCARNATION, &v, err, sizeof(err)), 0);
	CHECK(v == 123456789012ull);
	CHECK_EQ(state_write(dir, STATE_PEER_INCARNATION, 123456789013ull, err, sizeof(err)), 0);
	CHECK_EQ(state_read(dir, STATE_PEER_INCARNATION, &v, err, sizeof(err)), 0);
	CHECK(v == 123456789013ull);
}

int main(void)
{
	char cmd[128];

	snprintf(base, sizeof(base), "/tmp/hg-test-state.XXXXXX");
	if (!mkdtemp(base))
		return 2;
	test_parse();
	test_next();
	test_garbage_refused();
	test_unwritable_refused();
	test_peer_roundtrip();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", base);
	return check_report();
}
