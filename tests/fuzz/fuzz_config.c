/*
 * fuzz_config.c - libFuzzer harness for hg_config_parse() (STYLE.md habit 5).
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -I. agent/config.c \
 *     agent/config_value.c agent/config_check.c tests/fuzz/fuzz_config.c \
 *     -linih -o fuzz_config
 *   ./fuzz_config -max_total_time=60 tests/fuzz/corpus/config
 *
 * Besides memory errors it checks the contract of config.h: the error text
 * is NUL-terminated and starts with "LINE: ", and a success leaves a struct
 * whose counts are in range and whose self/peer are the two nodes.
 * Every crash found becomes a case in tests/unit/test_config.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hg_config c;  /* large; keep it off the fuzzer's stack */
	char err[256];
	char *text = malloc(size + 1);
	const char *p;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, 'x', sizeof(err));
	if (hg_config_parse(text, "a", &c, err, sizeof(err)) != 0) {
		if (memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		for (p = err; *p >= '0' && *p <= '9'; p++)
			;
		if (p == err || p[0] != ':' || p[1] != ' ')
			abort();
	} else {
		if (err[0] != '\0' || c.self < 0 || c.self > 1 || c.peer != 1 - c.self ||
		    c.n_lans < 1 || c.n_lans > HG_CFG_MAX_LANS ||
		    c.n_vips < 1 || c.n_vips > HG_CFG_MAX_VIPS ||
		    c.public_lan < 0 || c.public_lan >= c.n_lans ||
		    c.n_services < 0 || c.n_services > HG_CFG_MAX_SERVICES ||
		    c.node[0].n_levels < 1 || c.node[0].n_levels > HG_CFG_MAX_LEVELS ||
		    strcmp(c.node[c.self].name, "a") != 0 ||
		    c.deadtime_ms < 2 * c.interval_ms)
			abort();
	}
	free(text);
	return 0;
}
