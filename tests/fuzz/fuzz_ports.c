// SPDX-License-Identifier: MIT
/*
 * fuzz_ports.c - libFuzzer target for Docker's -p grammar (lib/ports.c).
 * An accepted spec must expand into sane mappings, and choosing host ports
 * for them from an empty set must either work or fail with a message.
 */
#include "fuzz.h"
#include "ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct cnm_err err = { 0 };
	struct cnm_portmap *v = NULL;
	static struct cnm_portset set; /* 24 KiB: not on the stack */
	size_t n = 0;

	if (!cnm_portspec_parse(s, &v, &n, &err)) {
		if (!n || !v)
			abort();
		for (size_t i = 0; i < n; i++)
			if (!v[i].cport || (v[i].host_lo && v[i].host_lo > v[i].host_hi))
				abort();
		cnm_portset_init(&set);
		if (cnm_ports_choose(&set, v, n, 32768, 60999, (uint32_t)size, &err) && !err.msg[0])
			abort();
		cnm_portset_free(&set);
	} else if (!err.msg[0] || v || n) {
		abort(); /* a refusal always says why and hands back nothing */
	}
	free(v);
	free(s);
	return 0;
}
