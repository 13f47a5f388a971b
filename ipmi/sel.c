/*
 * sel.c - System Event Log entries since the last one seen (bmc.h).
 * The cursor belongs to the caller, so it survives a reopened session.
 */
#include "ipmi/bmc_int.h"

#include <errno.h>

#define CMD_GET_SEL_ENTRY	0x43
#define SEL_FIRST		0x0000
#define SEL_LAST		0xffff
#define SEL_MAX_WALK		4096	/* a BMC that loops its next IDs stops here */

static int
get_entry(struct bmc_session *s, uint16_t id, uint16_t *next, struct bmc_sel_entry *e)
{
	/* Whole record at offset 0: no reservation needed (31.5). */
	uint8_t req[6] = { 0, 0, (uint8_t)(id & 0xff), (uint8_t)(id >> 8), 0, 0xff };
	uint8_t rs[BMC_RS_MAX];
	size_t len = sizeof(rs);
	int rc;

	rc = bmc_raw(s, 0, BMC_NETFN_STORAGE, CMD_GET_SEL_ENTRY, req, sizeof(req), rs, &len);
	if (rc < 0)
		return rc;
	if ((rc = bmc_parse_sel_entry(rs, len, next, e)) < 0)
		return rc;
	if (s->sdr_loaded)
		bmc_sel_describe(e, bmc_sdr_name(s, e->sensor_number));
	return 0;
}

/* Where to start: after the cursor's entry, or at the first if it is gone. */
static int
start_after(struct bmc_session *s, const struct bmc_sel_cursor *c, uint16_t *id)
{
	struct bmc_sel_entry e;
	uint16_t next;
	int rc;

	*id = SEL_FIRST;
	if (!c->valid)
		return 0;
	rc = get_entry(s, c->last_id, &next, &e);
	if (rc == -ENOENT)
		return 0;	/* cleared (or rotated past it): all is new */
	if (rc < 0)
		return rc;
	if (e.record_id == c->last_id && e.timestamp == c->last_timestamp)
		*id = next;	/* SEL_LAST if nothing came after it */
	return 0;
}

int
bmc_sel_read_new(struct bmc_session *s, struct bmc_sel_cursor *c,
    struct bmc_sel_entry *out, size_t max, size_t *n)
{
	uint16_t id, next;
	int rc, i;

	if (!s || !c || !n || (max && !out))
		return -EINVAL;
	*n = 0;
	if ((rc = start_after(s, c, &id)) < 0)
		return rc;
	for (i = 0; i < SEL_MAX_WALK && id != SEL_LAST && *n < max; i++) {
		rc = get_entry(s, id, &next, &out[*n]);
		if (rc == -ENOENT && id == SEL_FIRST)
			return 0;	/* empty SEL */
		if (rc < 0)
			return rc;
		c->valid = 1;
		c->last_id = out[*n].record_id;
		c->last_timestamp = out[*n].timestamp;
		(*n)++;
		if (next == id)
			break;
		id = next;
	}
	return 0;
}
