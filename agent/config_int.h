/*
 * config_int.h - internals of the configuration parser, shared by its three
 * files and by nothing else (the interface is config.h):
 *
 *   config.c        reads the text: lines, sections, keys (through inih)
 *   config_value.c  checks one value at a time
 *   config_check.c  rules spanning keys and sections, once all is read
 *
 * Functions return 0, or -1 with a message saying what is wrong and what is
 * allowed. Value checkers write it into msg without the "LINE: key: "
 * prefix; hg_cfg_err() records the first error of a parse with its line.
 * Nothing here keeps state between calls, reads a file or a clock.
 */
#ifndef HG_CONFIG_INT_H
#define HG_CONFIG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define HG_CFG_MS_MAX     86400000u  /* one day: bound of open-ended durations */
#define HG_CFG_SUN_MAX    108        /* sizeof(sockaddr_un.sun_path) */
#define HG_CFG_KEYS_MAX   32         /* keys of the largest section */
#define HG_CFG_MSG_MAX    320
#define HG_CFGV_QUOTE_MAX 60         /* longest quoted excerpt of a bad value */

enum hg_cfg_sec_type { SEC_NONE, SEC_CLUSTER, SEC_LAN, SEC_NODE, SEC_SERVICE };

/* Indices into config.c's key tables, used by the checks. */
enum {
	CK_NAME, CK_KEY_FILE, CK_PORT, CK_INTERVAL, CK_DEADTIME, CK_SUSPECT, CK_WAIT,
	CK_FENCE_DELAY, CK_FENCE_RETRY, CK_FAILBACK, CK_HOLDDOWN, CK_GATEWAY,
	CK_GW_TIMEOUT, CK_GARP_COUNT, CK_GARP_INTERVAL, CK_GARP_REFRESH,
	CK_SOCKET, CK_STATE_DIR, CK_LOG_FILE, CK_VIP, CK_HOOK, CK_HOOK_TIMEOUT,
	CK_WATCH_INTERVAL, CK_WATCH_LOAD, CK_WATCH_MEMORY, CK_WATCH_DISK, CK_WATCHDOG,
	CK_BMC_POLL, CK_COUNT
};
enum { NK_ID, NK_PRIORITY, NK_LINK, NK_FENCE, NK_BMC, NK_OWN_BMC, NK_COUNT };

/* One section as it appeared in the text. */
struct hg_cfg_sec {
	int line;                         /* line of its header; 0: absent */
	int key_line[HG_CFG_KEYS_MAX];    /* line each key was last set on; 0: unset */
};

/* A node's link line, kept until every [lan] is known. */
struct hg_cfg_link_line {
	char lan[HG_CFG_NAME_MAX];
	struct hg_cfg_link link;
	int line;
};

/* The state of one parse; lives on hg_config_parse()'s stack. */
struct hg_cfg_ctx {
	struct hg_config *out;
	const char *pos;                  /* next unread byte of the text */
	int line;                         /* number of the line inih is handling */
	const char *cur;                  /* that line, without surrounding blanks */
	size_t cur_len;
	enum hg_cfg_sec_type type;        /* section the line is in */
	int index;                        /* which lan/node/service */
	int n_nodes;
	struct hg_cfg_sec cluster, lan[HG_CFG_MAX_LANS], node[2];
	struct hg_cfg_sec service[HG_CFG_MAX_SERVICES];
	struct hg_cfg_link_line link[2][HG_CFG_MAX_LANS];
	int n_links[2];
	int vip_line[HG_CFG_MAX_VIPS];
	int err_line;                     /* -1: no error yet; first error wins */
	char msg[HG_CFG_MSG_MAX];
};

/* Record "LINE: message" unless an error is recorded already; returns -1. */
int hg_cfg_err(struct hg_cfg_ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* config_check.c: derived defaults and the rules spanning keys and sections,
 * then self/peer; run once the whole text is read without error. */
int hg_cfg_check(struct hg_cfg_ctx *c, const char *self_name);

/* Decimal integer lo..hi, digits only (no sign, no blanks, no hex). */
int hg_cfgv_uint(const char *v, uint32_t lo, uint32_t hi, uint32_t *out,
		 char *msg, size_t msglen);

/* Name: 1..HG_CFG_NAME_MAX-1 characters of [A-Za-z0-9_.-]. */
int hg_cfgv_name(const char *v, char out[HG_CFG_NAME_MAX], char *msg, size_t msglen);

/* Absolute path without blanks, shorter than `size` bytes (including NUL). */
int hg_cfgv_path(const char *v, char *out, size_t size, char *msg, size_t msglen);

/* Unicast IPv4 address in dotted-quad form (inet_pton), not 0/8, 127/8,
 * multicast, reserved or broadcast. */
int hg_cfgv_ipv4(const char *v, char out[HG_CFG_ADDR_MAX], char *msg, size_t msglen);

/* Linux interface name: 1..15 characters, no '/', ':' or blank, not "."/"..". */
int hg_cfgv_ifname(const char *v, char out[HG_CFG_NAME_MAX], char *msg, size_t msglen);

/* "ADDRESS/PREFIX LAN": fills addr, prefix and lan (not lan_index). */
int hg_cfgv_vip(const char *v, struct hg_cfg_vip *vip, char *msg, size_t msglen);

/* "LAN IFNAME ADDRESS". */
int hg_cfgv_link(const char *v, char lan[HG_CFG_NAME_MAX], struct hg_cfg_link *link,
		 char *msg, size_t msglen);

/*
 * One fence level, "AGENT option=value ...", into *lv (docs/configuration.md,
 * "Fence levels"). password_file= and timeout_ms= are headguard's own; every
 * other option goes to lv->args; inline passwords and action= are refused.
 */
int hg_cfgv_fence(const char *v, struct hg_cfg_fence_level *lv, char *msg, size_t msglen);

/* Split v at blanks into at most `max` tokens kept in buf (v may be buf).
 * Returns the number of tokens, or -1 if there are more than `max` or v does
 * not fit in buf. */
/* "tcp ADDR PORT" | "systemd UNIT" | "pid /ABS/FILE" */
int hg_cfgv_probe(const char *v, int *kind, char *arg, size_t argsize, char *msg, size_t msglen);
/* "ADDRESS username=U password_file=/P [cipher=N] [privilege=operator|admin] [port=N] [timeout_ms=N]" */
int hg_cfgv_bmc(const char *v, struct hg_cfg_bmc *b, char *msg, size_t msglen);
/* own_bmc = auto | inband [auto|openipmi|kcs|ssif] | hostif ADDRESS | lan */
int hg_cfgv_own_bmc(const char *v, struct hg_cfg_own_bmc *o, char *msg, size_t msglen);
/* "/ABS/PATH MB" */
int hg_cfgv_disk(const char *v, struct hg_cfg_disk *d, char *msg, size_t msglen);

int hg_cfgv_split(const char *v, char *buf, size_t bufsize, char **tok, int max);

#endif
