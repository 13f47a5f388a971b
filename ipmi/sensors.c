/*
 * sensors.c - the SDR repository, read once per session and cached, and
 * sensor readings by name (bmc.h). Records are read in 16-byte pieces
 * under a reservation (33.12): some BMCs, ipmi_sim among them, refuse to
 * return a whole record at once (completion code CAh).
 */
#include "ipmi/bmc_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CMD_RESERVE_SDR		0x22
#define CMD_GET_SDR		0x23
#define CMD_GET_READING		0x2d

#define SDR_FIRST		0x0000
#define SDR_LAST		0xffff
#define SDR_MAX_RECORDS		1024	/* a BMC that loops its next IDs stops here */
#define SDR_CHUNK		16
#define SDR_RETRIES		5	/* reservations cancelled in a row */
#define BMC_ADDRESS		0x20	/* sensors owned by another MC need bridging */

void
bmc_sdr_free(struct bmc_session *s)
{
	free(s->sdr);
	s->sdr = NULL;
	s->n_sdr = 0;
	s->sdr_loaded = 0;
	s->sdr_partial = 0;
}

void
bmc_sdr_reload(struct bmc_session *s)
{
	if (s)
		bmc_sdr_free(s);
}

static int
reserve(struct bmc_session *s, uint16_t *res)
{
	uint8_t rs[BMC_RS_MAX];
	size_t len = sizeof(rs);
	int rc;

	if ((rc = bmc_raw(s, 0, BMC_NETFN_STORAGE, CMD_RESERVE_SDR, NULL, 0, rs, &len)) < 0)
		return rc;
	return bmc_parse_reservation(rs, len, res);
}

/* Get SDR of `want` bytes at `off` of record `id`: copies them into rec. */
static int
get_piece(struct bmc_session *s, uint16_t res, uint16_t id, uint8_t off, uint8_t want,
    uint8_t *rec, size_t *got, uint16_t *next)
{
	uint8_t req[6], rs[BMC_RS_MAX];
	size_t len = sizeof(rs), n;
	const uint8_t *data;
	int rc;

	req[0] = (uint8_t)(res & 0xff);
	req[1] = (uint8_t)(res >> 8);
	req[2] = (uint8_t)(id & 0xff);
	req[3] = (uint8_t)(id >> 8);
	req[4] = off;
	req[5] = want;
	if ((rc = bmc_raw(s, 0, BMC_NETFN_STORAGE, CMD_GET_SDR, req, sizeof(req), rs, &len)) < 0)
		return rc;
	if ((rc = bmc_parse_get_sdr(rs, len, next, &data, &n)) < 0)
		return rc;
	if (n < want)
		return -EPROTO;
	memcpy(rec + off, data, want);	/* bytes beyond `want`: stray, ignored */
	*got = (size_t)off + want;
	return 0;
}

/* One whole record (header, then the body in pieces) into rec[0..*len). */
static int
get_record(struct bmc_session *s, uint16_t *res, uint16_t id, uint8_t *rec, size_t *len,
    uint16_t *next)
{
	size_t got = 0, total;
	uint8_t want;
	int rc, tries = 0;

	for (;;) {
		rc = get_piece(s, *res, id, 0, 5, rec, &got, next);
		total = got == 5 ? 5 + (size_t)rec[4] : 0;
		if (rc == 0 && total > 0xff)
			return -EMSGSIZE;	/* offsets are one byte: unreadable */
		while (rc == 0 && got < total) {
			want = (uint8_t)(total - got < SDR_CHUNK ? total - got : SDR_CHUNK);
			rc = get_piece(s, *res, id, (uint8_t)got, want, rec, &got, next);
		}
		if (rc != -EAGAIN)
			break;
		/* Our reservation was cancelled (the SDR changed): start over. */
		if (++tries > SDR_RETRIES || (rc = reserve(s, res)) < 0)
			return rc == 0 ? -EAGAIN : rc;
	}
	if (rc < 0)
		return rc;
	*len = total;
	return 0;
}

/*
 * Walks the repository from the start, or, after a walk cut short (an
 * error, the hook's -ECANCELED), from the record where it stopped, with a
 * new reservation: an SDR load after a session break can take many round
 * trips, and a caller with a time budget gets there over several calls.
 */
static int
load_sdr(struct bmc_session *s)
{
	uint8_t rec[5 + 255];
	uint16_t res, next;
	struct bmc_sdr one, *grown;
	size_t len, cap = s->n_sdr;
	int rc;

	if (!s->sdr_partial) {
		bmc_sdr_free(s);
		cap = 0;
		s->sdr_next = SDR_FIRST;
		s->sdr_walked = 0;
		s->sdr_partial = 1;
	}
	if ((rc = reserve(s, &res)) < 0)
		return rc;
	while (s->sdr_walked < SDR_MAX_RECORDS && s->sdr_next != SDR_LAST) {
		uint16_t id = s->sdr_next;
		rc = get_record(s, &res, id, rec, &len, &next);
		if (rc < 0 && rc != -EMSGSIZE)
			return rc;	/* resumes at id */
		s->sdr_walked++;
		if (next == id)
			break;	/* a BMC pointing a record at itself */
		s->sdr_next = next;
		/* Other record types, and sensors another MC owns, are skipped. */
		if (rc < 0 || bmc_parse_sdr(rec, len, &one) < 0 || one.owner_id != BMC_ADDRESS)
			continue;
		if (s->n_sdr == cap) {
			cap = cap ? cap * 2 : 16;
			if (!(grown = realloc(s->sdr, cap * sizeof(*grown))))
				return -ENOMEM;
			s->sdr = grown;
		}
		s->sdr[s->n_sdr++] = one;
	}
	s->sdr_partial = 0;
	s->sdr_loaded = 1;
	return 0;
}

static int
read_one(struct bmc_session *s, const struct bmc_sdr *sdr, struct bmc_sensor *out)
{
	uint8_t req[1] = { sdr->number }, rs[BMC_RS_MAX];
	size_t len = sizeof(rs);
	struct bmc_reading rd;
	int rc;

	rc = bmc_raw(s, sdr->owner_lun, BMC_NETFN_SENSOR, CMD_GET_READING, req, 1, rs, &len);
	if (rc < 0)
		return rc;
	if ((rc = bmc_parse_sensor_reading(rs, len, &rd)) < 0)
		return rc;
	bmc_sensor_make(sdr, &rd, out);
	return 0;
}

int
bmc_sensor_read(struct bmc_session *s, const char *name, struct bmc_sensor *out)
{
	size_t i;
	int rc;

	if (!s || !name || !out)
		return -EINVAL;
	if (!s->sdr_loaded && (rc = load_sdr(s)) < 0)
		return rc;
	for (i = 0; i < s->n_sdr; i++)
		if (strcmp(s->sdr[i].name, name) == 0)
			return read_one(s, &s->sdr[i], out);
	return -ENOENT;
}

int
bmc_sensors_read(struct bmc_session *s, struct bmc_sensor *out, size_t max, size_t *n)
{
	size_t i;
	int rc;

	if (!s || !n || (max && !out))
		return -EINVAL;
	*n = 0;
	if (!s->sdr_loaded && (rc = load_sdr(s)) < 0)
		return rc;
	for (i = 0; i < s->n_sdr && *n < max; i++) {
		rc = read_one(s, &s->sdr[i], &out[*n]);
		if (rc == 0)
			(*n)++;
		else if (rc == -ETIMEDOUT || rc == -EHOSTUNREACH || rc == -EIO ||
		    rc == -ECANCELED)
			return rc;	/* the session is gone, or the hook cut it short */
	}
	return 0;
}

const char *
bmc_sdr_name(struct bmc_session *s, uint8_t number)
{
	size_t i;

	for (i = 0; s && i < s->n_sdr; i++)
		if (s->sdr[i].number == number && s->sdr[i].name[0])
			return s->sdr[i].name;
	return NULL;
}
