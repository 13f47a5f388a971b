/*
 * fuzz_ctl.c - libFuzzer harness for the control socket's request handling
 * (agent/ctl.c): the bytes a local client sends go through ctl_read over a
 * real socketpair, in chunks whose sizes the input chooses, and a complete
 * line goes through ctl_parse, as daemon.c's handle_command does.
 *
 * Input: byte 0 = chunk size (1..32), the rest = what the client sends.
 * Checks: a line is NUL-terminated inside the client buffer, holds no
 * newline, and ctl_parse answers a verb in range, the right one for the
 * exact words.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_verb(const char *line)
{
	enum ctl_verb v = ctl_parse(line);

	if (v < CTL_UNKNOWN || v > CTL_UNSTANDBY)
		abort();
	if ((v == CTL_STATUS) != !strcmp(line, "status") ||
	    (v == CTL_STANDBY) != !strcmp(line, "standby"))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctl c;
	int sv[2];

	if (size < 1)
		return 0;
	size_t chunk = data[0] % 32 + 1;
	data++;
	size--;

	/* ctl_parse alone, on the input as one string */
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	check_verb(s);
	free(s);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	for (int i = 0; i < CTL_CLIENTS; i++)
		c.cl[i].fd = -1;
	c.cl[0].fd = sv[0];
	int done = 0;
	for (size_t off = 0; !done; off += chunk) {
		if (off < size) {
			size_t n = size - off < chunk ? size - off : chunk;
			if (write(sv[1], data + off, n) < 0)
				break;
		} else {
			shutdown(sv[1], SHUT_WR);   /* the client hangs up */
		}
		const char *line = NULL;
		int rc = ctl_read(&c, 0, &line);
		if (rc == 1) {
			const char *end = memchr(c.cl[0].buf, 0, sizeof(c.cl[0].buf));
			if (!end || line != c.cl[0].buf || strchr(line, '\n'))
				abort();
			check_verb(line);
			ctl_answer(&c, 0, "{\"ok\":false}\n");
			done = 1;
		} else if (rc < 0) {
			done = 1;            /* ctl_read closed the client */
		} else if (off >= size) {
			close(c.cl[0].fd);   /* nothing more will come */
			c.cl[0].fd = -1;
			done = 1;
		}
	}
	close(sv[1]);
	return 0;
}
