// SPDX-License-Identifier: MIT
/*
 * fuzz_dns.c - libFuzzer target for the resolver's query handling
 * (dns/wire.c): every packet a container can send to cnm-dns goes through
 * cnm_dns_answer() first.  The first byte picks the view's options
 * (forwarding allowed, UDP or TCP size limit); the rest is the packet.  An
 * answer must parse back with ldns, carry the query's id, and fit the limit.
 *
 * Build and run (seeds in tests/fuzz/corpus/dns/):
 *   make B=build-fuzz CC=clang CFLAGS="-O1 -g -fsanitize=address,undefined \
 *        -fsanitize=fuzzer-no-link" build-fuzz/fuzz/fuzz_dns
 *   build-fuzz/fuzz/fuzz_dns -max_total_time=60 tests/fuzz/corpus/dns
 * (with the fuzz branch's `make fuzz`: add "dns" to FUZZ_TARGETS.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ldns/ldns.h>
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int lookup(void *arg, const char *name, struct cnm_addr *out, int max)
{
	int n = 0;

	(void)arg;
	if (!strcmp(name, "web") || !strcmp(name, "web.net") || !strcmp(name, "0123456789ab")) {
		cnm_addr_parse("10.0.0.2", &out[n++]);
		if (n < max)
			cnm_addr_parse("fd00::2", &out[n++]);
	} else if (!strcmp(name, "many")) {
		/* more than fit in 512 bytes: the answer must come truncated */
		for (; n < max; n++)
			cnm_addr_parse(n % 2 ? "fd00::ffff:ffff:ffff:ffff" : "10.0.0.9", &out[n]);
	}
	return n;
}

static int reverse(void *arg, const struct cnm_addr *a, char *out, size_t len)
{
	(void)arg;
	if (a->family == AF_INET && a->b[3] == 2) {
		snprintf(out, len, "web.net");
		return 1;
	}
	return 0;
}

static bool forwarding;

static bool may_forward(void *arg)
{
	(void)arg;
	return forwarding;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cnm_dns_view v = { lookup, reverse, may_forward, NULL };
	size_t limit, rlen;
	uint8_t *resp;
	ldns_pkt *r;

	if (size < 1)
		return 0;
	forwarding = data[0] & 1;
	limit = data[0] & 2 ? 65535 : 512;
	data++;
	size--;
	switch (cnm_dns_answer(data, size, &v, limit, &resp, &rlen)) {
	case CNM_DNS_DROP:
		return 0;
	case CNM_DNS_FORWARD:
		/* what the resolver says when no upstream can be reached */
		if (cnm_dns_servfail(data, size, &resp, &rlen))
			abort();
		break;
	case CNM_DNS_REPLY:
		break;
	}
	if (rlen < 12 || resp[0] != data[0] || resp[1] != data[1] || !(resp[2] & 0x80))
		abort();
	/* EDNS may raise the UDP limit up to 4096 */
	if (rlen > (limit > 4096 ? limit : 4096))
		abort();
	if (ldns_wire2pkt(&r, resp, rlen) != LDNS_STATUS_OK)
		abort();
	ldns_pkt_free(r);
	free(resp);
	return 0;
}
