/*
 * test_bmc_evidence - the BMC as evidence (DESIGN.md, issue 4) against the
 * lab's simulator (ipmi_sim + hgbmc.so, tests/ipmi/simbmc.h): watchdog
 * set/reset/get with a countdown that decreases, expiry that powers the host
 * off and shows in Get Watchdog Timer and the SEL, sensors by name with the
 * severity their thresholds give, ipmitool's view of the same, and the round
 * trip of a warm session against a session per command.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ipmi/bmc.h"
#include "simbmc.h"

static struct bmc_sel_cursor cursor;

static double
wait_power(struct bmc_session *s, int want, double limit_ms)
{
	double t0 = simbmc_now_ms();
	int on;

	while (simbmc_now_ms() - t0 < limit_ms) {
		if (bmc_power_get(s, &on) == 0 && on == want)
			return simbmc_now_ms() - t0;
		usleep(10000);
	}
	return -1;
}

/* ipmitool against the simulator, password from IPMI_PASSWORD (-E). */
static int
ipmitool(char *out, size_t len, const char *a1, const char *a2, const char *a3,
    const char *a4)
{
	char portstr[16];
	char *argv[] = { "ipmitool", "-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p", portstr,
	    "-U", SIM_USER, "-E", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };

	snprintf(portstr, sizeof(portstr), "%u", simbmc_port());
	return simbmc_run(argv, out, len);
}

/* Every SEL entry after the cursor; the one matching sensor type and offset. */
static int
sel_find(struct bmc_session *s, uint8_t sensor_type, unsigned offset, struct bmc_sel_entry *hit)
{
	struct bmc_sel_entry e[32];
	size_t n = 0, i;
	int found = 0;

	CHECK_EQ(bmc_sel_read_new(s, &cursor, e, 32, &n), 0);
	for (i = 0; i < n; i++) {
		printf("SEL %u: %s%s\n", e[i].record_id, e[i].text, e[i].pre_init ? " (pre-init)" : "");
		if (e[i].sensor_type == sensor_type && (e[i].data[0] & 0x0f) == offset &&
		    !e[i].deassertion && !found) {
			*hit = e[i];
			found = 1;
		}
	}
	return found;
}

static void
test_watchdog(struct bmc_session *s)
{
	struct bmc_watchdog w;
	struct bmc_sel_entry e;
	char out[4096];
	double t0, ms;
	uint32_t p1;
	pid_t host;

	/* 27.5: a reset before any set is refused (80h). */
	CHECK_EQ(bmc_watchdog_reset(s), -ENXIO);
	CHECK_EQ(bmc_watchdog_set(s, 0), -EINVAL);
	CHECK_EQ(bmc_watchdog_set(s, BMC_WDT_MAX_MS + 1), -EINVAL);

	CHECK_EQ(bmc_watchdog_set(s, 2950), 0);	/* rounded up to 3.0 s */
	CHECK_EQ(bmc_watchdog_get(s, &w), 0);
	CHECK_EQ(w.running, 0);
	CHECK_EQ(w.use, BMC_WDT_USE_SMS_OS);
	CHECK_EQ(w.action, BMC_WDT_ACTION_POWER_DOWN);
	CHECK_EQ(w.dont_log, 0);
	CHECK_EQ(w.initial_ms, 3000);
	CHECK(w.present_known);
	CHECK_EQ(w.present_ms, 3000);

	CHECK_EQ(bmc_watchdog_reset(s), 0);
	usleep(300000);
	CHECK_EQ(bmc_watchdog_get(s, &w), 0);
	CHECK_EQ(w.running, 1);
	CHECK(w.present_known && w.present_ms <= 2800 && w.present_ms >= 2400);
	p1 = w.present_ms;
	usleep(500000);
	CHECK_EQ(bmc_watchdog_get(s, &w), 0);
	printf("watchdog present countdown: %u ms, 500 ms later %u ms\n", p1, w.present_ms);
	CHECK(w.present_ms + 300 <= p1 && w.present_ms + 700 >= p1);

	/* ipmitool sees it running and counting down. */
	CHECK_EQ(ipmitool(out, sizeof(out), "mc", "watchdog", "get", NULL), 0);
	printf("ipmitool mc watchdog get:\n%s", out);
	CHECK(strstr(out, "Started/Running") != NULL);
	CHECK(strstr(out, "SMS/OS") != NULL);
	CHECK(strstr(out, "Power Down") != NULL);
	CHECK(strstr(out, "Present Countdown:      2") != NULL ||
	    strstr(out, "Present Countdown:      1") != NULL);

	CHECK_EQ(bmc_watchdog_reset(s), 0);	/* back to the full countdown */
	CHECK_EQ(bmc_watchdog_get(s, &w), 0);
	CHECK(w.running && w.present_ms >= 2800);
	CHECK_EQ(bmc_watchdog_stop(s), 0);
	CHECK_EQ(bmc_watchdog_get(s, &w), 0);
	CHECK_EQ(w.running, 0);
	CHECK_EQ(w.action, BMC_WDT_ACTION_NONE);
	usleep(200000);
	CHECK_EQ(bmc_watchdog_get(s, &w), 0);
	CHECK_EQ(w.running, 0);

	/* Expiry powers the host off, and says so afterwards. */
	host = simbmc_host_pid();
	CHECK(host > 0 && kill(host, 0) == 0);
	CHECK_EQ(bmc_watchdog_set(s, 1000), 0);
	CHECK_EQ(bmc_watchdog_reset(s), 0);
	t0 = simbmc_now_ms();
	ms = wait_power(s, 0, 4000);
	CHECK(ms >= 900 && ms <= 1600);
	printf("watchdog 1000 ms: power reads off %.0f ms after the reset\n", ms);
	CHECK(host > 0 && kill(host, 0) < 0 && errno == ESRCH);
	CHECK_EQ(bmc_watchdog_get(s, &w), 0);
	CHECK_EQ(w.running, 0);
	CHECK_EQ(w.present_ms, 0);
	CHECK(w.expired & (1u << BMC_WDT_USE_SMS_OS));
	CHECK(sel_find(s, 0x23, BMC_WDT_ACTION_POWER_DOWN, &e));
	CHECK_EQ(e.sensor_type, 0x23);
	CHECK_EQ(e.data[1] & 0x0f, BMC_WDT_USE_SMS_OS);
	CHECK(strstr(e.text, "power down") != NULL && strstr(e.text, "SMS/OS") != NULL);
	CHECK(!e.pre_init);	/* hgbmc.so sets the SEL clock */

	/* Powered on again, the watchdog stays stopped until the agent sets it. */
	CHECK_EQ(bmc_power_on(s), 0);
	CHECK(wait_power(s, 1, 3000) >= 0);
	CHECK_EQ(bmc_watchdog_get(s, &w), 0);
	CHECK_EQ(w.running, 0);
	CHECK(w.expired & (1u << BMC_WDT_USE_SMS_OS));
	CHECK_EQ(bmc_watchdog_set(s, 5000), 0);	/* a new life clears the flag */
	CHECK_EQ(bmc_watchdog_get(s, &w), 0);
	CHECK_EQ(w.expired, 0);
	(void)t0;
}

static void
expect_sensor(struct bmc_session *s, const char *name, enum bmc_severity sev, double value)
{
	struct bmc_sensor v;

	memset(&v, 0, sizeof(v));
	CHECK_EQ(bmc_sensor_read(s, name, &v), 0);
	printf("sensor %-8s raw %3u value %7.1f state 0x%04x severity %d\n",
	    v.name, v.raw, v.value, v.state, v.severity);
	CHECK(v.available);
	CHECK_EQ(v.severity, sev);
	if (v.threshold)
		CHECK(v.value > value - 0.01 && v.value < value + 0.01);
}

static void
test_sensors(struct bmc_session *s)
{
	struct bmc_sensor all[16], v;
	struct bmc_sel_entry e;
	char out[8192];
	size_t n = 0, i;
	int names = 0;

	CHECK_EQ(bmc_sensors_read(s, all, 16, &n), 0);
	CHECK_EQ(n, 4);
	for (i = 0; i < n; i++)
		names += !strcmp(all[i].name, "CPU Temp") + !strcmp(all[i].name, "Fan") +
		    !strcmp(all[i].name, "PSU") + !strcmp(all[i].name, "Watchdog");
	CHECK_EQ(names, 4);
	CHECK_EQ(bmc_sensor_read(s, "No Such Sensor", &v), -ENOENT);

	CHECK_EQ(bmc_sensor_read(s, "CPU Temp", &v), 0);
	CHECK(v.threshold && v.unit == 1 && v.type == 0x01);
	CHECK_EQ(v.thresholds_set, (1u << BMC_THR_UNC) | (1u << BMC_THR_UC) | (1u << BMC_THR_UNR));
	CHECK(v.thresholds[BMC_THR_UNC] == 80 && v.thresholds[BMC_THR_UC] == 90 &&
	    v.thresholds[BMC_THR_UNR] == 100);
	expect_sensor(s, "CPU Temp", BMC_SEV_OK, 45);
	CHECK_EQ(simbmc_sensor("cpu_temp", "85"), 0);
	expect_sensor(s, "CPU Temp", BMC_SEV_NON_CRITICAL, 85);
	CHECK_EQ(simbmc_sensor("cpu_temp", "90"), 0);	/* "at or above" */
	expect_sensor(s, "CPU Temp", BMC_SEV_CRITICAL, 90);
	CHECK_EQ(simbmc_sensor("cpu_temp", "NON-RECOVERABLE"), 0);
	expect_sensor(s, "CPU Temp", BMC_SEV_NON_RECOVERABLE, 105);
	CHECK_EQ(simbmc_sensor("cpu_temp", "critical"), 0);
	expect_sensor(s, "CPU Temp", BMC_SEV_CRITICAL, 95);
	CHECK(sel_find(s, 0x01, 9, &e));	/* upper critical going high */
	CHECK(strstr(e.text, "CPU Temp") != NULL);
	CHECK_EQ(simbmc_sensor("cpu_temp", "ok"), 0);
	expect_sensor(s, "CPU Temp", BMC_SEV_OK, 45);

	CHECK_EQ(bmc_sensor_read(s, "Fan", &v), 0);
	CHECK(v.unit == 18 && v.thresholds_set == (1u << BMC_THR_LC) &&
	    v.thresholds[BMC_THR_LC] == 1000);
	expect_sensor(s, "Fan", BMC_SEV_OK, 6000);
	CHECK_EQ(simbmc_sensor("fan", "700"), 0);
	expect_sensor(s, "Fan", BMC_SEV_CRITICAL, 700);
	CHECK_EQ(simbmc_sensor("fan", "6000"), 0);
	expect_sensor(s, "Fan", BMC_SEV_OK, 6000);

	expect_sensor(s, "PSU", BMC_SEV_OK, 0);
	CHECK_EQ(simbmc_sensor("psu", "fail"), 0);
	expect_sensor(s, "PSU", BMC_SEV_CRITICAL, 0);
	CHECK(sel_find(s, 0x08, 1, &e));	/* failure detected */
	CHECK_EQ(simbmc_sensor("psu", "predictive"), 0);
	expect_sensor(s, "PSU", BMC_SEV_NON_CRITICAL, 0);
	CHECK_EQ(simbmc_sensor("psu", "ok"), 0);
	expect_sensor(s, "PSU", BMC_SEV_OK, 0);

	/* The tooling refuses what it cannot express; the console refuses nothing. */
	CHECK_EQ(simbmc_sensor("fan", "non-critical"), 2);
	CHECK_EQ(simbmc_sensor("nosuch", "1"), 2);

	/* Other clients read the same sensors by name. */
	CHECK_EQ(ipmitool(out, sizeof(out), "sdr", "list", NULL, NULL), 0);
	printf("ipmitool sdr list:\n%s", out);
	CHECK(strstr(out, "CPU Temp") && strstr(out, "Fan") && strstr(out, "PSU"));
	CHECK_EQ(ipmitool(out, sizeof(out), "sensor", "get", "CPU Temp", NULL), 0);
	CHECK(strstr(out, "Upper Critical        : 90.000") != NULL);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One Get Chassis Status: warm session, new session, ipmitool process. */
static void
test_round_trips(struct bmc_session *s)
{
	struct bmc_target t = simbmc_target(SIM_USER, SIM_PASS, 3, BMC_PRIV_ADMIN);
	struct bmc_session *s2;
	double warm[20], fresh[20], tool[20], t0, ms;
	char out[256];
	int i, on;

	for (i = 0; i < 20; i++) {
		t0 = simbmc_now_ms();
		CHECK_EQ(bmc_power_get(s, &on), 0);
		warm[i] = simbmc_now_ms() - t0;
	}
	for (i = 0; i < 20; i++) {
		t0 = simbmc_now_ms();
		CHECK_EQ(bmc_open(&t, &s2), 0);
		CHECK_EQ(bmc_power_get(s2, &on), 0);
		bmc_close(s2);
		fresh[i] = simbmc_now_ms() - t0;
	}
	for (i = 0; i < 20; i++) {
		t0 = simbmc_now_ms();
		CHECK_EQ(ipmitool(out, sizeof(out), "power", "status", NULL, NULL), 0);
		tool[i] = simbmc_now_ms() - t0;
	}
	printf("round trip, median of 20: warm session %.3f ms, session per command %.2f ms, "
	    "ipmitool power status %.1f ms\n", median(warm, 20), median(fresh, 20),
	    median(tool, 20));
	CHECK(median(warm, 20) < median(tool, 20));

	/* Chassis power off acts at once (hgbmc.so), not at the next tick. */
	CHECK_EQ(bmc_power_off(s), 0);
	ms = wait_power(s, 0, 3000);
	printf("chassis power off: reads off after %.0f ms\n", ms);
	CHECK(ms >= 0 && ms < 300);
	CHECK_EQ(bmc_power_on(s), 0);
	CHECK(wait_power(s, 1, 3000) >= 0);
}

int
main(void)
{
	struct bmc_session *s = NULL;

	CHECK_EQ(simbmc_start(), 0);
	if (simbmc_pid() > 0 && simbmc_open(&s) == 0) {
		test_watchdog(s);
		test_sensors(s);
		test_round_trips(s);
		bmc_close(s);
	} else {
		CHECK(!"simulator did not answer");
	}
	simbmc_stop();
	return check_report();
}
