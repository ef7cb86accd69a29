// SPDX-License-Identifier: MIT
/*
 * ipam.c - CIDR parsing and printing, and lowest-free address allocation.
 *
 * DOC: Theory of operation
 * Addresses are kept as 16 network-order bytes with a family, so IPv4 and
 * IPv6 share one set of operations (compare, add, mask).  Parsing is strict:
 * inet_pton() for the address (no leading zeros, no shorthand like "10.1"),
 * a decimal prefix with no sign, no leading zero and no trailing garbage.
 *
 * Allocation is what Docker does: the lowest address of the pool's range
 * that is not the network address, not the IPv4 broadcast address, not the
 * gateway and not already used.  The caller passes the used addresses
 * sorted, so one forward walk finds the answer in O(n); the state store
 * keeps them in an index, so n is the number of endpoints on the network.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipam.h"

int cnm_addr_bits(const struct cnm_addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

static int addr_len(const struct cnm_addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

/**
 * cnm_addr_parse() - parse a bare IPv4 or IPv6 address strictly.
 * @s: the text
 * @a: filled on success
 *
 * Return: 0, or -EINVAL when @s is not exactly one address.
 */
int cnm_addr_parse(const char *s, struct cnm_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!s || !*s)
		return -EINVAL;
	if (strchr(s, ':')) {
		a->family = AF_INET6;
		return inet_pton(AF_INET6, s, a->b) == 1 ? 0 : -EINVAL;
	}
	a->family = AF_INET;
	return inet_pton(AF_INET, s, a->b) == 1 ? 0 : -EINVAL;
}

/**
 * cnm_cidr_parse() - parse "ADDR/PREFIX" strictly.
 * @s: the text
 * @c: filled on success; host bits are kept as written
 *
 * Return: 0, or -EINVAL for anything but one address, a slash and a prefix
 * length within the family's size.
 */
int cnm_cidr_parse(const char *s, struct cnm_cidr *c)
{
	char buf[CNM_CIDRSTRLEN];
	const char *slash, *p;
	size_t alen;
	int prefix = 0;

	memset(c, 0, sizeof(*c));
	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	if (!slash)
		return -EINVAL;
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (cnm_addr_parse(buf, &c->addr))
		return -EINVAL;
	p = slash + 1;
	if (!*p || strlen(p) > 3 || (p[0] == '0' && p[1]))
		return -EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		prefix = prefix * 10 + (*p - '0');
	}
	if (prefix > cnm_addr_bits(&c->addr))
		return -EINVAL;
	c->prefix = prefix;
	return 0;
}

void cnm_addr_format(const struct cnm_addr *a, char out[CNM_ADDRSTRLEN])
{
	if (!inet_ntop(a->family, a->b, out, CNM_ADDRSTRLEN))
		snprintf(out, CNM_ADDRSTRLEN, "?");
}

void cnm_cidr_format(const struct cnm_cidr *c, char out[CNM_CIDRSTRLEN])
{
	char a[CNM_ADDRSTRLEN];

	cnm_addr_format(&c->addr, a);
	snprintf(out, CNM_CIDRSTRLEN, "%s/%d", a, c->prefix);
}

int cnm_addr_cmp(const struct cnm_addr *a, const struct cnm_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, (size_t)addr_len(a));
}

/* Keep the first @prefix bits of @a; set the rest to @fill (0 or 0xff). */
static void mask_addr(const struct cnm_addr *a, int prefix, uint8_t fill, struct cnm_addr *out)
{
	int len = addr_len(a);

	*out = *a;
	for (int i = 0; i < len; i++) {
		int bits = prefix - i * 8;
		uint8_t keep;

		if (bits >= 8)
			continue;
		keep = bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		out->b[i] = (uint8_t)((a->b[i] & keep) | (fill & ~keep));
	}
}

void cnm_cidr_network(const struct cnm_cidr *c, struct cnm_addr *out)
{
	mask_addr(&c->addr, c->prefix, 0, out);
}

void cnm_cidr_last(const struct cnm_cidr *c, struct cnm_addr *out)
{
	mask_addr(&c->addr, c->prefix, 0xff, out);
}

bool cnm_cidr_is_network(const struct cnm_cidr *c)
{
	struct cnm_addr n;

	cnm_cidr_network(c, &n);
	return cnm_addr_cmp(&n, &c->addr) == 0;
}

bool cnm_cidr_contains(const struct cnm_cidr *c, const struct cnm_addr *a)
{
	struct cnm_addr n1, n2;

	if (a->family != c->addr.family)
		return false;
	cnm_cidr_network(c, &n1);
	mask_addr(a, c->prefix, 0, &n2);
	return cnm_addr_cmp(&n1, &n2) == 0;
}

bool cnm_cidr_overlaps(const struct cnm_cidr *a, const struct cnm_cidr *b)
{
	if (a->addr.family != b->addr.family)
		return false;
	return a->prefix <= b->prefix ? cnm_cidr_contains(a, &b->addr)
				      : cnm_cidr_contains(b, &a->addr);
}

/* Adds with carry across bytes; wraps silently (callers bound-check). */
void cnm_addr_add(struct cnm_addr *a, uint64_t n)
{
	for (int i = addr_len(a) - 1; i >= 0 && n; i--) {
		uint64_t v = a->b[i] + (n & 0xff);

		a->b[i] = (uint8_t)v;
		n = (n >> 8) + (v >> 8);
	}
}

/* The first and last address a container may get within @c. */
static void host_bounds(const struct cnm_cidr *c, struct cnm_addr *first, struct cnm_addr *last)
{
	int bits = cnm_addr_bits(&c->addr);

	cnm_cidr_network(c, first);
	cnm_cidr_last(c, last);
	/* /31 and /32 (and IPv6 /127, /128) have no network/broadcast to spare */
	if (c->prefix >= bits - 1)
		return;
	cnm_addr_add(first, 1);
	if (c->addr.family == AF_INET)
		cnm_addr_add(last, UINT64_MAX); /* minus one */
}

/**
 * cnm_ipam_check() - may @a be given to a container in @pool?
 * @pool: the pool
 * @a: the requested address
 *
 * Return: 0; -EINVAL when @a is outside the subnet (or the pool's bounds);
 * -EADDRNOTAVAIL when it is the network, broadcast or gateway address.
 */
int cnm_ipam_check(const struct cnm_pool *pool, const struct cnm_addr *a)
{
	struct cnm_addr first, last;

	if (!cnm_cidr_contains(&pool->subnet, a))
		return -EINVAL;
	if (pool->has_bounds &&
	    (cnm_addr_cmp(a, &pool->lo) < 0 || cnm_addr_cmp(a, &pool->hi) > 0))
		return -EINVAL;
	host_bounds(&pool->subnet, &first, &last);
	if (cnm_addr_cmp(a, &first) < 0 || cnm_addr_cmp(a, &last) > 0)
		return -EADDRNOTAVAIL;
	if (pool->has_gateway && cnm_addr_cmp(a, &pool->gateway) == 0)
		return -EADDRNOTAVAIL;
	return 0;
}

/**
 * cnm_ipam_first_free() - the lowest free address of @pool's range, from
 * @from on.
 * @pool: the pool
 * @from: where to start, or NULL for the range's first address
 * @used: addresses already taken, sorted ascending (see cnm_ipam_sort())
 * @n_used: how many
 * @out: filled on success
 *
 * Return: 0, or -ENOSPC when every address of the range from @from on is
 * taken.
 */
int cnm_ipam_first_free(const struct cnm_pool *pool, const struct cnm_addr *from,
			const struct cnm_addr *used, size_t n_used, struct cnm_addr *out)
{
	struct cnm_addr cand, last, sfirst, slast;
	size_t i = 0;

	/* a range is a block of the subnet, not a subnet: all of it is usable */
	cnm_cidr_network(&pool->range, &cand);
	cnm_cidr_last(&pool->range, &last);
	/* ...except where it touches the subnet's network or broadcast address */
	host_bounds(&pool->subnet, &sfirst, &slast);
	if (cnm_addr_cmp(&cand, &sfirst) < 0)
		cand = sfirst;
	if (cnm_addr_cmp(&last, &slast) > 0)
		last = slast;
	if (pool->has_bounds && cnm_addr_cmp(&cand, &pool->lo) < 0)
		cand = pool->lo;
	if (pool->has_bounds && cnm_addr_cmp(&last, &pool->hi) > 0)
		last = pool->hi;
	if (from && cnm_addr_cmp(&cand, from) < 0)
		cand = *from;
	while (cnm_addr_cmp(&cand, &last) <= 0) {
		while (i < n_used && cnm_addr_cmp(&used[i], &cand) < 0)
			i++;
		if ((i < n_used && cnm_addr_cmp(&used[i], &cand) == 0) ||
		    (pool->has_gateway && cnm_addr_cmp(&pool->gateway, &cand) == 0)) {
			struct cnm_addr prev = cand;

			cnm_addr_add(&cand, 1);
			if (cnm_addr_cmp(&cand, &prev) <= 0)
				break; /* wrapped past the top of the space */
			continue;
		}
		*out = cand;
		return 0;
	}
	return -ENOSPC;
}

static int cmp_addr_qsort(const void *a, const void *b)
{
	return cnm_addr_cmp(a, b);
}

void cnm_ipam_sort(struct cnm_addr *addrs, size_t n)
{
	if (n > 1) /* qsort() with a NULL base is undefined even for n == 0 */
		qsort(addrs, n, sizeof(*addrs), cmp_addr_qsort);
}

/**
 * cnm_mac_from_addr() - Docker's MAC for an IPv4 address: 02:42 + its bytes.
 * @a: an IPv4 address
 * @out: "02:42:ac:11:00:02"
 *
 * Return: 0, or -EAFNOSUPPORT for IPv6 (the kernel picks a random MAC).
 */
int cnm_mac_from_addr(const struct cnm_addr *a, char out[18])
{
	if (a->family != AF_INET)
		return -EAFNOSUPPORT;
	snprintf(out, 18, "02:42:%02x:%02x:%02x:%02x", a->b[0], a->b[1], a->b[2], a->b[3]);
	return 0;
}

/**
 * cnm_subnet_pick() - Docker's automatic choice of a network's subnet.
 * @taken: subnets in use (other networks, host routes)
 * @n_taken: how many
 * @out: the first candidate overlapping none of them
 *
 * Candidates in order: 172.17.0.0/16 .. 172.31.0.0/16, then 192.168.0.0/16
 * cut in /20s.
 *
 * Return: 0, or -ENOSPC when every candidate is taken.
 */
int cnm_subnet_pick(const struct cnm_cidr *taken, size_t n_taken, struct cnm_cidr *out)
{
	for (int i = 0; i < 15 + 16; i++) {
		struct cnm_cidr c = { .addr = { .family = AF_INET } };
		bool free_ = true;

		if (i < 15) {
			c.addr.b[0] = 172;
			c.addr.b[1] = (uint8_t)(17 + i);
			c.prefix = 16;
		} else {
			c.addr.b[0] = 192;
			c.addr.b[1] = 168;
			c.addr.b[2] = (uint8_t)((i - 15) * 16);
			c.prefix = 20;
		}
		for (size_t j = 0; j < n_taken && free_; j++)
			free_ = !cnm_cidr_overlaps(&c, &taken[j]);
		if (free_) {
			*out = c;
			return 0;
		}
	}
	return -ENOSPC;
}
