/* SPDX-License-Identifier: MIT */
/*
 * ipam.h - CIDR math and address allocation.  Pure code: no syscalls.
 */
#ifndef CNM_IPAM_H
#define CNM_IPAM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CNM_ADDRSTRLEN 46
#define CNM_CIDRSTRLEN 50

/** struct cnm_addr - an IPv4 (first 4 bytes used) or IPv6 address, network order. */
struct cnm_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t b[16];
};

/** struct cnm_cidr - an address and a prefix length. */
struct cnm_cidr {
	struct cnm_addr addr;
	int prefix;
};

/**
 * struct cnm_pool - one subnet to allocate from.
 * @subnet: the network (host bits zero)
 * @range: where dynamic allocation happens (== subnet when not restricted)
 * @gateway: the gateway address, never handed out
 * @has_gateway: whether @gateway is set
 * @has_bounds: allocation is further limited to @lo..@hi (the CNI
 *	host-local `rangeStart`/`rangeEnd`, which need not be a CIDR)
 */
struct cnm_pool {
	struct cnm_cidr subnet;
	struct cnm_cidr range;
	struct cnm_addr gateway;
	bool has_gateway;
	bool has_bounds;
	struct cnm_addr lo, hi;
};

int cnm_addr_parse(const char *s, struct cnm_addr *a);
int cnm_cidr_parse(const char *s, struct cnm_cidr *c);
void cnm_addr_format(const struct cnm_addr *a, char out[CNM_ADDRSTRLEN]);
void cnm_cidr_format(const struct cnm_cidr *c, char out[CNM_CIDRSTRLEN]);
int cnm_addr_bits(const struct cnm_addr *a);
int cnm_addr_cmp(const struct cnm_addr *a, const struct cnm_addr *b);
void cnm_cidr_network(const struct cnm_cidr *c, struct cnm_addr *out);
void cnm_cidr_last(const struct cnm_cidr *c, struct cnm_addr *out);
bool cnm_cidr_is_network(const struct cnm_cidr *c);
bool cnm_cidr_contains(const struct cnm_cidr *c, const struct cnm_addr *a);
bool cnm_cidr_overlaps(const struct cnm_cidr *a, const struct cnm_cidr *b);
void cnm_addr_add(struct cnm_addr *a, uint64_t n);

int cnm_ipam_check(const struct cnm_pool *pool, const struct cnm_addr *a);
int cnm_ipam_first_free(const struct cnm_pool *pool, const struct cnm_addr *from,
			const struct cnm_addr *used, size_t n_used, struct cnm_addr *out);
void cnm_ipam_sort(struct cnm_addr *addrs, size_t n);
int cnm_mac_from_addr(const struct cnm_addr *a, char out[18]);
int cnm_subnet_pick(const struct cnm_cidr *taken, size_t n_taken, struct cnm_cidr *out);

#endif
