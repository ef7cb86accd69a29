// SPDX-License-Identifier: MIT
/*
 * fuzz_netopts.c - libFuzzer target for `network create -o KEY=VALUE`
 * (lib/netopts.c).  The input is split at newlines into several options, so
 * the fuzzer also explores repeated and conflicting keys.
 */
#include "fuzz.h"
#include "netopts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *p = s;
	const char *kv[16];
	size_t n = 0;
	struct cnm_netopts o;
	struct cnm_err err = { 0 };

	while (p && n < 16) {
		char *nl = strchr(p, '\n');

		kv[n++] = p;
		if (nl)
			*nl++ = '\0';
		p = nl;
	}
	if (cnm_netopts_parse(kv, n, &o, &err)) {
		if (!err.msg[0])
			abort();
	} else if (o.mtu < 68 || o.mtu > 65535 || !o.iface_prefix[0] ||
		   (o.bridge[0] && !cnm_ifname_valid(o.bridge))) {
		abort();
	}
	free(s);
	return 0;
}
