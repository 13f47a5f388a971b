/*
 * config.h - headguard configuration: text in, immutable struct out.
 *
 * The format is documented in docs/configuration.md. Parsing is a pure
 * function of the text and the local node's name: it opens no file and
 * reads no clock, so `headguard check` and the fuzz harness run it as is.
 * Checks that need the system (key file mode, interface existence) live in
 * the shell, not here.
 */
#ifndef HG_CONFIG_H
#define HG_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define HG_CFG_MAX_LANS      4
#define HG_CFG_MAX_SERVICES  16
#define HG_CFG_MAX_LEVELS    4
#define HG_CFG_MAX_VIPS      8
#define HG_CFG_NAME_MAX      32
#define HG_CFG_PATH_MAX      256
#define HG_CFG_CMD_MAX       512
#define HG_CFG_ADDR_MAX      64

enum hg_failback { HG_FAILBACK_AUTO = 0, HG_FAILBACK_MANUAL = 1 };

/* Built-in service probes (docs/services.md); `check` is the command probe. */
enum hg_probe_kind { HG_PROBE_NONE = 0, HG_PROBE_TCP, HG_PROBE_SYSTEMD, HG_PROBE_PID };

#define HG_CFG_MAX_DISKS 4
struct hg_cfg_disk {
	char path[HG_CFG_PATH_MAX];
	uint32_t min_mb;                  /* free space below this: host unhealthy */
};

/* One node's attachment to one LAN. */
struct hg_cfg_link {
	char ifname[HG_CFG_NAME_MAX];     /* e.g. "pub0" */
	char addr[HG_CFG_ADDR_MAX];       /* IPv4 address, no prefix, e.g. "192.0.2.11" */
};

struct hg_cfg_lan {
	char name[HG_CFG_NAME_MAX];       /* e.g. "public" */
	int  heartbeat;                   /* 1: UDP and ICMP heartbeats run on it */
};

/* A node's BMC, read for evidence (power, watchdog, sensors) and used by
 * the native fence level. The password lives in a root-only file. */
struct hg_cfg_bmc {
	int present;
	char addr[HG_CFG_ADDR_MAX];       /* IPv4 */
	uint16_t port;                    /* 623 */
	char user[HG_CFG_NAME_MAX];
	char password_file[HG_CFG_PATH_MAX];
	int cipher;                       /* 17 by default; bmc_cipher_why refuses some */
	int privilege;                    /* 3 operator, 4 administrator (default) */
	uint32_t timeout_ms;              /* per request, default 1000 */
};

/*
 * How a node reaches its own BMC: the watchdog (its self-fence) and the
 * readings of its own BMC (docs/bmc.md, "Paths"). Readings of the peer's BMC
 * and fences always use the peer's bmc = line, over the management LAN.
 *   auto    in-band if the host has an interface, else the LAN (a warning)
 *   inband  in-band only, through `driver` (the agent refuses to start
 *           without it)
 *   hostif  IPMI over LAN to addr, the BMC's host-interface NIC, with the
 *           bmc = line's credentials
 *   lan     the bmc = line's address: loss on the management LAN can then
 *           power this node off (the documented risk)
 */
enum hg_own_path { HG_OWN_AUTO, HG_OWN_INBAND, HG_OWN_HOSTIF, HG_OWN_LAN };
enum hg_inband_driver { HG_INBAND_ANY, HG_INBAND_OPENIPMI, HG_INBAND_KCS, HG_INBAND_SSIF };

struct hg_cfg_own_bmc {
	int path;                         /* enum hg_own_path */
	int driver;                       /* enum hg_inband_driver (auto, inband) */
	char addr[HG_CFG_ADDR_MAX];       /* hostif: IPv4 */
	int line;                         /* of the own_bmc = line, 0 if none */
};

/* One fence level: an external fence-agents-compatible program, or the
 * native IPMI driver on the node's BMC ("fence = ipmi"). */
struct hg_cfg_fence_level {
	int native;                       /* 1: native IPMI, agent is "ipmi" */
	char agent[HG_CFG_PATH_MAX];      /* absolute path of the program */
	/* key=value lines given to the agent on stdin, '\n'-separated, without
	 * "action=" and without any password (see password_file). */
	char args[HG_CFG_CMD_MAX];
	char password_file[HG_CFG_PATH_MAX]; /* "" if none; read by the shell */
	uint32_t timeout_ms;              /* whole level: off plus confirmation */
};

struct hg_cfg_node {
	char name[HG_CFG_NAME_MAX];       /* "a" */
	uint16_t id;                      /* 1..65535, unique, on the wire */
	uint32_t priority;                /* higher is preferred as active */
	struct hg_cfg_link link[HG_CFG_MAX_LANS]; /* indexed like hg_config.lan */
	struct hg_cfg_bmc bmc;            /* this node's BMC, if configured */
	struct hg_cfg_own_bmc own_bmc;    /* how this node reaches it itself */
	int n_levels;                     /* fence levels to fence THIS node */
	struct hg_cfg_fence_level level[HG_CFG_MAX_LEVELS];
};

struct hg_cfg_vip {
	char lan[HG_CFG_NAME_MAX];        /* LAN it lives on */
	int lan_index;                    /* index into hg_config.lan */
	char addr[HG_CFG_ADDR_MAX];       /* "192.0.2.10" */
	int prefix;                       /* 24 */
};

struct hg_cfg_service {
	char name[HG_CFG_NAME_MAX];
	char start[HG_CFG_CMD_MAX];       /* run with /bin/sh -c */
	char stop[HG_CFG_CMD_MAX];
	char check[HG_CFG_CMD_MAX];       /* "" if none */
	char standby_check[HG_CFG_CMD_MAX]; /* on the standby: could it start here? "" if none */
	int probe_kind;                   /* enum hg_probe_kind, instead of check */
	char probe_arg[HG_CFG_PATH_MAX];  /* tcp: "ADDR PORT"; systemd: unit; pid: pid file */
	uint32_t timeout_ms;              /* per start/stop run */
	uint32_t check_timeout_ms;        /* per check, probe or standby check */
	uint32_t check_interval_ms;
	uint32_t restarts;                /* restarts allowed within restart_window_ms, then relinquish */
	uint32_t restart_window_ms;
	uint32_t restart_backoff_ms;      /* first restart delay, doubled per restart in the window */
};

struct hg_config {
	char cluster[HG_CFG_NAME_MAX];
	char key_file[HG_CFG_PATH_MAX];
	char control_socket[HG_CFG_PATH_MAX];
	char state_dir[HG_CFG_PATH_MAX];
	char log_file[HG_CFG_PATH_MAX];   /* "" = stderr */
	uint16_t port;                    /* UDP heartbeat port, default 694 */

	uint32_t interval_ms;             /* heartbeat interval */
	uint32_t deadtime_ms;             /* all paths silent this long: peer presumed failed */
	uint32_t suspect_ms;              /* all paths silent this long: ask the peer's BMC (0 off) */
	uint32_t wait_for_peer_ms;        /* at start, wait this long to hear the peer */
	uint32_t fence_delay_ms;          /* extra wait of the non-preferred node when no node is active */
	uint32_t fence_retry_ms;          /* pause between failed fence attempts */
	enum hg_failback failback;
	uint32_t failback_holddown_ms;    /* preferred node must be healthy this long */

	char gateway[HG_CFG_ADDR_MAX];    /* "" = no gateway check */
	uint32_t gateway_timeout_ms;

	uint32_t garp_count;              /* gratuitous ARPs sent on takeover */
	uint32_t garp_interval_ms;        /* spacing of the takeover burst */
	uint32_t garp_refresh_ms;         /* periodic refresh while active, 0 = off */

	uint32_t watchdog_timeout_ms;     /* own BMC watchdog (self-fence), 0 = off */
	uint32_t bmc_poll_ms;             /* how often both BMCs are read */

	char hook[HG_CFG_PATH_MAX];       /* event hook program, "" = none */
	uint32_t hook_timeout_ms;

	uint32_t watch_interval_ms;       /* host watch (HA-OSCAR): */
	uint32_t watch_load;              /* 1-minute load average above this, 0 = off */
	uint32_t watch_memory_mb;         /* available memory below this, 0 = off */
	int n_watch_disks;
	struct hg_cfg_disk watch_disk[HG_CFG_MAX_DISKS];

	int n_lans;
	struct hg_cfg_lan lan[HG_CFG_MAX_LANS];
	int public_lan;                   /* index of the LAN the VIPs live on */

	int n_vips;
	struct hg_cfg_vip vip[HG_CFG_MAX_VIPS];

	int n_services;
	struct hg_cfg_service service[HG_CFG_MAX_SERVICES]; /* start order */

	struct hg_cfg_node node[2];
	int self;                         /* index of the local node in node[] */
	int peer;                         /* the other one */
};

/*
 * Parse `text` (NUL-terminated) for the local node `self_name`.
 * Returns 0 and fills *out, or a negative value and writes into err a
 * message of the form "LINE: what is wrong" (LINE 0 when the problem is
 * not tied to one line, e.g. a missing section). *out is unspecified on error.
 * Bytes of *out that no value covers are zero, so two parses of the same
 * text compare equal with memcmp() (a reload can tell "nothing changed").
 * Reentrant: no global state, no file, no clock.
 */
int hg_config_parse(const char *text, const char *self_name,
		    struct hg_config *out, char *err, size_t errlen);

#endif
