/*
 * test_bmc_inband - ipmi/bmc.h's in-band paths (issue 11). This machine has
 * no BMC: no /dev/ipmi0, no KCS or SSIF in its firmware tables. What can be
 * checked here is what an operator meets on such a host: every in-band path
 * says -ENODEV, quickly, with a text that names the cause, and a session on
 * the LAN path still opens as before (test_bmc). On a host that has an
 * interface the test says so and checks that the probe finds it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "ipmi/bmc.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(void)
{
	static const int paths[] = { BMC_PATH_INBAND, BMC_PATH_OPENIPMI, BMC_PATH_KCS,
				     BMC_PATH_SSIF };
	struct bmc_session *s = (struct bmc_session *)&s;
	int have = access("/dev/ipmi0", F_OK) == 0;

	CHECK(!strcmp(bmc_path_name(BMC_PATH_LAN), "lan"));
	CHECK(!strcmp(bmc_path_name(BMC_PATH_OPENIPMI), "openipmi"));
	CHECK(!strcmp(bmc_path_name(99), "unknown"));
	CHECK(strstr(bmc_strerror(-ENODEV), "in-band") != NULL);

	/* a path out of range is a bad target, not "no device" */
	struct bmc_target bad = { .path = 42 };
	CHECK_EQ(bmc_open(&bad, &s), -EINVAL);
	CHECK(s == NULL);

	if (have) {
		struct bmc_target t = { .path = BMC_PATH_INBAND, .timeout_ms = 1000 };
		int on = -1;
		CHECK_EQ(bmc_open(&t, &s), 0);
		CHECK(bmc_session_path(s) == BMC_PATH_OPENIPMI);
		CHECK_EQ(bmc_power_get(s, &on), 0);
		CHECK_EQ(on, 1);   /* we run on it */
		bmc_close(s);
		printf("/dev/ipmi0 present: the probe found it\n");
		return check_report();
	}
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		/* no host, user or password: in-band needs none */
		struct bmc_target t = { .path = paths[i], .timeout_ms = 1000 };
		double t0 = now_ms();
		s = (struct bmc_session *)&s;
		int rc = bmc_open(&t, &s);
		double took = now_ms() - t0;
		printf("in-band %-8s: %s (%.1f ms)\n", bmc_path_name(paths[i]), bmc_strerror(rc), took);
		CHECK_EQ(rc, -ENODEV);
		CHECK(s == NULL);
		CHECK(took < 2000);   /* a probe, not a timeout */
	}
	return check_report();
}
