// SPDX-License-Identifier: MIT
/*
 * fuzz_dns_dump.c - libFuzzer target for the parser of the names cnm-dns
 * reads from `cnm _dns-dump` (dns/view.c, format in lib/dns_dump.h).  The
 * text comes from a process of cnm's own, but it carries what users named
 * their containers and aliases, and a parser that trusts its input is one
 * bug away from a resolver that crashes.  A text the parser takes must make
 * a snapshot that holds: every endpoint with an IPv4 address, asking from
 * that address on its network, finds its own name and its own address.
 *
 * Build and run (seeds in tests/fuzz/corpus/dns_dump/): make fuzz, or
 *   make B=build-fuzz CC=clang CFLAGS="-O1 -g -fsanitize=address,undefined \
 *        -fsanitize=fuzzer-no-link" build-fuzz/fuzz/fuzz_dns_dump
 *   build-fuzz/fuzz/fuzz_dns_dump -max_total_time=60 tests/fuzz/corpus/dns_dump
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "fuzz.h"
#include "view.h"

/* The network of @id in @s, or NULL. */
static const struct dns_net *net_of(const struct dns_snap *s, const char *id)
{
	size_t n;
	const struct dns_net *nets = dns_snap_nets(s, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(nets[i].id, id))
			return &nets[i];
	return NULL;
}

/* "ep NET CID NAME ADDR ADDR6 ...": the endpoint sees itself. */
static void check_ep(const struct dns_snap *s, char *line)
{
	char *f[6], *save = NULL, name[256], out[300];
	struct cnm_addr src, addrs[CNM_DNS_MAX_ANSWERS];
	const struct dns_net *net;
	struct cnm_dns_view v;
	struct dns_asker a;
	int n = 0;

	for (char *t = strtok_r(line, " ", &save); t && n < 6; t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	if (n < 6 || strcmp(f[0], "ep") || cnm_addr_parse(f[4], &src) || src.family != AF_INET)
		return;
	net = net_of(s, f[1]);
	if (!net)
		abort();	/* the parser took an endpoint of a network it does not have */
	snprintf(name, sizeof(name), "%s", f[3]);
	for (char *c = name; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	dns_asker_init(&a, s, net, &src);
	dns_view_init(&v, &a);
	if (a.ep < 0 || v.lookup(v.arg, name, addrs, CNM_DNS_MAX_ANSWERS) < 1 ||
	    v.reverse(v.arg, &src, out, sizeof(out)) != 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), *copy, *save = NULL;
	struct dns_snap *s = NULL;

	if (dns_snap_parse(text, size, &s) == 0) {
		/* the parser cut @text into fields: walk a fresh copy */
		copy = fuzz_str(data, size);
		for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			check_ep(s, l);
		free(copy);
		dns_snap_put(s);
	} else if (s) {
		abort();	/* refused, yet a snapshot */
	}
	free(text);
	return 0;
}
