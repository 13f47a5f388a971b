/*
 * check.h - the smallest test harness that does the job.
 *
 * CHECK(cond) records a failure with file and line and goes on, so one run
 * shows every broken expectation. A test program ends with
 * `return check_report();`, which prints "N passed, N failed" and returns
 * non-zero if anything failed (ctest reads the exit code).
 */
#ifndef HG_TEST_CHECK_H
#define HG_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed_, check_failed_;

#define CHECK(cond) do { \
	if (cond) { check_passed_++; } \
	else { check_failed_++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ == b_) { check_passed_++; } \
	else { check_failed_++; \
		fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, %s == %lld\n", \
			__FILE__, __LINE__, #a, a_, #b, b_); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	if (a_ && b_ && strcmp(a_, b_) == 0) { check_passed_++; } \
	else { check_failed_++; \
		fprintf(stderr, "%s:%d: CHECK_STR failed: \"%s\" != \"%s\"\n", \
			__FILE__, __LINE__, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } \
} while (0)

static inline int check_report(void)
{
	printf("%d passed, %d failed\n", check_passed_, check_failed_);
	return check_failed_ ? 1 : 0;
}

#endif
