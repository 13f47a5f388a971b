/*
 * ctl.h - the operator's control socket: a root-only unix stream socket.
 *
 * Protocol (docs/operations.md): the client sends one line, the agent
 * answers and closes. Lines: "status", "status json", "switchover",
 * "standby", "unstandby". Commands are answered with one JSON object
 * {"ok":true|false,"message":"..."}. Anything else: ok false, nothing changes.
 * Errors: 0 / -errno.
 */
#ifndef HG_CTL_H
#define HG_CTL_H

#include <stddef.h>
#include <stdint.h>

#define CTL_CLIENTS 8
#define CTL_LINE_MAX 128
/* A client has this long from its connection to its whole request line. */
#define CTL_IDLE_MS 5000

struct ctl_client {
	int fd;                 /* -1 = free */
	int stream;             /* subscribed to `events`: kept open */
	int64_t since;          /* first seen by ctl_expire; 0 = not yet */
	size_t len;
	char buf[CTL_LINE_MAX];
};

struct ctl {
	int fd;
	char path[256];
	struct ctl_client cl[CTL_CLIENTS];
};

/* Creates the socket (mode 0600, parent made 0700 if missing). Refuses with
 * -EADDRINUSE when another agent answers on it. */
int  ctl_listen(struct ctl *c, const char *path);
void ctl_close(struct ctl *c);
/* After POLLIN on c->fd. */
void ctl_accept(struct ctl *c);
/* After POLLIN on a client: 1 and the line in *line when complete, 0 when
 * more is needed, -1 when the client is gone or sent garbage (closed). */
int  ctl_read(struct ctl *c, int i, const char **line);
/* Every loop turn, with the turn's clock: closes each client that has not
 * sent its whole request line within CTL_IDLE_MS of its connection (first
 * seen here), so that idle or trickling clients cannot hold the slots.
 * Subscribers (`events`) are streams and stay. */
void ctl_expire(struct ctl *c, int64_t now);
/* When ctl_expire has work: a monotonic time, INT64_MAX if none. */
int64_t ctl_next_deadline(const struct ctl *c);
/* Answer and close client i. */
void ctl_answer(struct ctl *c, int i, const char *text);

/* Keep client i open and send it every later ctl_broadcast. */
void ctl_subscribe(struct ctl *c, int i);
/* One line to every subscriber; one that cannot keep up is dropped. */
void ctl_broadcast(struct ctl *c, const char *text, size_t len);

/* What a request line asks for: exact words only (docs/operations.md). */
enum ctl_verb {
	CTL_UNKNOWN = -1,
	CTL_STATUS,          /* "status": the human summary */
	CTL_STATUS_JSON,     /* "status json" */
	CTL_EVENTS,          /* "events": subscribe to records */
	CTL_SWITCHOVER,
	CTL_STANDBY,
	CTL_UNSTANDBY,
};
/* Pure: the verb of one request line (as ctl_read returns it). */
enum ctl_verb ctl_parse(const char *line);

/* Client side: send line, read the whole answer into buf. */
int  ctl_request(const char *path, const char *line, char *buf, size_t len);
/* Client side: send line, copy everything that comes back to fd until EOF. */
int  ctl_stream(const char *path, const char *line, int fd);

#endif
