/*
 * sim_queue.c - the simulator's queue: a binary heap on (due time, insertion
 * number), so that items due at the same millisecond come out in the order
 * they were queued, whatever the heap's layout (a seed replays exactly).
 */
#include "sim_world.h"

/* ---- the queue: a binary heap on (due, order) ----------------------------- */

static int before_q(const struct sim_qitem *a, const struct sim_qitem *b)
{
	return a->due < b->due || (a->due == b->due && a->order < b->order);
}

static void sift_up(struct sim_world *w, int k)
{
	while (k > 0) {
		int p = (k - 1) / 2;
		if (!before_q(&w->q[k], &w->q[p]))
			break;
		struct sim_qitem t = w->q[k];
		w->q[k] = w->q[p];
		w->q[p] = t;
		k = p;
	}
}

static void sift_down(struct sim_world *w, int k)
{
	for (;;) {
		int l = 2 * k + 1, r = l + 1, m = k;
		if (l < w->nq && before_q(&w->q[l], &w->q[m]))
			m = l;
		if (r < w->nq && before_q(&w->q[r], &w->q[m]))
			m = r;
		if (m == k)
			return;
		struct sim_qitem t = w->q[k];
		w->q[k] = w->q[m];
		w->q[m] = t;
		k = m;
	}
}

static void heapify(struct sim_world *w)
{
	for (int k = w->nq / 2 - 1; k >= 0; k--)
		sift_down(w, k);
}

void sim_push(struct sim_world *w, const struct sim_qitem *it)
{
	if (w->nq >= SIM_QMAX) {
		sim_fail(w, "sim", "event queue overflow (%d items)", w->nq);
		return;
	}
	w->q[w->nq] = *it;
	w->q[w->nq].order = w->order++;
	sift_up(w, w->nq++);
}

void sim_pop(struct sim_world *w, struct sim_qitem *it)
{
	*it = w->q[0];
	w->q[0] = w->q[--w->nq];
	sift_down(w, 0);
}

/* Items kept for node i while it is frozen; dropped or released at once. */
void sim_release_held(struct sim_world *w, int i, int drop)
{
	int k = 0;

	for (int j = 0; j < w->nq; j++) {
		struct sim_qitem *it = &w->q[j];
		if (it->to == i && it->due == SIM_HOLD) {
			if (drop)
				continue;
			it->due = w->now;
		}
		w->q[k++] = *it;
	}
	w->nq = k;
	heapify(w);
}

void sim_purge(struct sim_world *w, int kind)
{
	int k = 0;

	for (int j = 0; j < w->nq; j++)
		if (w->q[j].kind != kind || (kind == SIM_I_FAULT && w->q[j].arg == -1))
			w->q[k++] = w->q[j];
	w->nq = k;
	heapify(w);
}

