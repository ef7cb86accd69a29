// SPDX-License-Identifier: MIT
/*
 * fuzz_cidr.c - libFuzzer target for the address and CIDR parsers
 * (lib/ipam.c), as `network create --subnet/--ip-range/--gateway` and
 * `run --ip` feed them.  Whatever parses must print back and parse again to
 * the same value, and the CIDR arithmetic on it must hold.
 */
#include <stdio.h>
#include "fuzz.h"
#include "ipam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), out[CNM_CIDRSTRLEN];
	struct cnm_cidr c, again;
	struct cnm_addr a, net, last;

	if (!cnm_cidr_parse(s, &c)) {
		cnm_cidr_format(&c, out);
		if (cnm_cidr_parse(out, &again) || cnm_addr_cmp(&c.addr, &again.addr) ||
		    c.prefix != again.prefix)
			abort();
		cnm_cidr_network(&c, &net);
		cnm_cidr_last(&c, &last);
		if (cnm_addr_cmp(&net, &last) > 0 || !cnm_cidr_contains(&c, &c.addr) ||
		    !cnm_cidr_overlaps(&c, &c))
			abort();
		(void)cnm_cidr_is_network(&c);
	}
	if (!cnm_addr_parse(s, &a)) {
		char mac[18];

		cnm_addr_format(&a, out);
		if (cnm_addr_parse(out, &net) || cnm_addr_cmp(&a, &net))
			abort();
		(void)cnm_mac_from_addr(&a, mac);
	}
	free(s);
	return 0;
}
