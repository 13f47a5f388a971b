/*
 * simbmc.h - one simulated BMC for tests/ipmi: ipmi_sim with hgbmc.so,
 * configured by sim/bmc/mkconf in a temp dir, on 127.0.0.1 with private
 * ports (IPMI UDP PORT, serial TCP PORT+1, console TCP PORT+2). Its host is
 * a `sleep` that records its pid in DIR/host.pid. ipmi_sim, the host and
 * the dir are gone when the test exits, however it exits (atexit, signals,
 * parent-death signals).
 */
#ifndef HG_TEST_SIMBMC_H
#define HG_TEST_SIMBMC_H

#include <sys/types.h>

#include "ipmi/bmc.h"

#define SIM_USER	"hgadmin"
#define SIM_PASS	"Lab-Secret-42"
#define SIM_OPUSER	"hgoper"
#define SIM_OPPASS	"Oper-Secret-7"

/* Starts the simulator; 0 or -1 (message on stderr). */
int simbmc_start(void);
void simbmc_stop(void);

unsigned simbmc_port(void);
const char *simbmc_dir(void);
pid_t simbmc_pid(void);
pid_t simbmc_host_pid(void);	/* 0 if none recorded */

/* A target for user/pass on the simulator, 1 s per request. */
struct bmc_target simbmc_target(const char *user, const char *pass, int cipher, int priv);
/* A bmc = line for the agent's BMC worker: the admin user at 127.0.0.1:port
 * (the simulator, or a relay in front of it), the password in pwfile. */
struct hg_cfg_bmc;
void simbmc_cfg(struct hg_cfg_bmc *cfg, unsigned port, const char *pwfile, unsigned timeout_ms);

/* An admin session, waiting up to 8 s for the simulator to answer. */
int simbmc_open(struct bmc_session **s);

/* `sim/bmc/sensor set --console ... NAME VALUE`: its exit status. */
int simbmc_sensor(const char *name, const char *value);

/*
 * Runs argv with stdout captured into out (NUL-terminated, truncated to
 * len) and IPMI_PASSWORD=SIM_PASS in its environment; exit status or -1.
 */
int simbmc_run(char *const argv[], char *out, size_t len);

double simbmc_now_ms(void);

#endif
