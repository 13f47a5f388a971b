/*
 * udpdelay.c - see udpdelay.h.
 */
#include "udpdelay.h"

#include <netinet/in.h>
#include <stdint.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CLIENTS	8
#define QUEUE	256

struct pkt {
	double due;
	int fd;				/* send on */
	struct sockaddr_in to;		/* front: the client; back: connected */
	int to_client;
	size_t len;
	unsigned char buf[1500];
};

static struct {
	int front;
	struct { struct sockaddr_in addr; int back; } cl[CLIENTS];
	int ncl;
	struct sockaddr_in bmc;
	unsigned delay_ms;
	unsigned loss_pm;		/* each datagram, each way, dropped per mille */
	uint64_t rng;			/* xorshift64: the same losses every run */
	int reuse;			/* next client slot to recycle */
	struct pkt q[QUEUE];
	int nq;
} R;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void enqueue(int fd, const struct sockaddr_in *to, int to_client, const void *b, size_t n)
{
	if (R.nq == QUEUE)
		return;		/* a full relay drops, like a LAN */
	R.rng ^= R.rng << 13;
	R.rng ^= R.rng >> 7;
	R.rng ^= R.rng << 17;
	if (R.rng % 1000 < __atomic_load_n(&R.loss_pm, __ATOMIC_RELAXED))
		return;
	struct pkt *p = &R.q[R.nq++];
	p->due = now_ms() + R.delay_ms;
	p->fd = fd;
	p->to = *to;
	p->to_client = to_client;
	p->len = n;
	memcpy(p->buf, b, n);
}

static int client_back(const struct sockaddr_in *from)
{
	for (int i = 0; i < R.ncl; i++)
		if (R.cl[i].addr.sin_port == from->sin_port)
			return i;
	if (R.ncl == CLIENTS) {		/* every new session is a new port: recycle */
		int k = R.reuse++ % CLIENTS;
		close(R.cl[k].back);
		R.cl[k] = R.cl[--R.ncl];
	}
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&R.bmc, sizeof(R.bmc)) < 0)
		return -1;
	R.cl[R.ncl].addr = *from;
	R.cl[R.ncl].back = fd;
	return R.ncl++;
}

static void *relay(void *arg)
{
	unsigned char buf[1500];

	(void)arg;
	for (;;) {
		struct pollfd pf[1 + CLIENTS];
		double next = 1e18, now = now_ms();
		int n = 0;

		pf[n++] = (struct pollfd){ .fd = R.front, .events = POLLIN };
		for (int i = 0; i < R.ncl; i++)
			pf[n++] = (struct pollfd){ .fd = R.cl[i].back, .events = POLLIN };
		for (int i = 0; i < R.nq; i++)
			if (R.q[i].due < next)
				next = R.q[i].due;
		int timeout = next > 1e17 ? 1000 : next <= now ? 0 : (int)(next - now) + 1;
		poll(pf, (nfds_t)n, timeout);
		if (pf[0].revents) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t r = recvfrom(R.front, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			int c = r > 0 ? client_back(&from) : -1;
			if (c >= 0)
				enqueue(R.cl[c].back, &R.bmc, 0, buf, (size_t)r);
		}
		for (int i = 0; i < R.ncl; i++) {
			if (!pf[1 + i].revents)
				continue;
			ssize_t r = recv(R.cl[i].back, buf, sizeof(buf), 0);
			if (r > 0)
				enqueue(R.front, &R.cl[i].addr, 1, buf, (size_t)r);
		}
		now = now_ms();
		for (int i = 0; i < R.nq;) {
			struct pkt *p = &R.q[i];
			if (p->due > now) {
				i++;
				continue;
			}
			if (p->to_client)
				sendto(p->fd, p->buf, p->len, 0, (struct sockaddr *)&p->to, sizeof(p->to));
			else
				send(p->fd, p->buf, p->len, 0);
			memmove(p, p + 1, (size_t)(R.nq - i - 1) * sizeof(*p));
			R.nq--;
		}
	}
	return NULL;
}

int udpdelay_start(unsigned bmc_port, unsigned delay_ms)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	pthread_t th;

	R.bmc = a;
	R.bmc.sin_port = htons((uint16_t)bmc_port);
	R.delay_ms = delay_ms;
	R.rng = 0x9e3779b97f4a7c15ull;
	R.front = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (R.front < 0 || bind(R.front, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(R.front, (struct sockaddr *)&a, &al) < 0)
		return -1;
	if (pthread_create(&th, NULL, relay, NULL) != 0)
		return -1;
	pthread_detach(th);
	return ntohs(a.sin_port);
}

void udpdelay_loss(unsigned permille)
{
	__atomic_store_n(&R.loss_pm, permille, __ATOMIC_RELAXED);
}
