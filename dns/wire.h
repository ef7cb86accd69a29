/* SPDX-License-Identifier: MIT */
/*
 * wire.h - the resolver's answer logic: one query in, one decision out.
 *
 * Kept apart from sockets and the store so that the fuzz target and the
 * unit tests drive it with a view of their own.
 */
#ifndef CNM_DNS_WIRE_H
#define CNM_DNS_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include "ipam.h"

/* Local answers carry TTL 0: a stopped container must stop resolving at once,
 * also in a client that caches. */
#define CNM_DNS_TTL 0
/* Addresses of one name, both families: more than any real --scale shares an
 * alias, all in one answer as in Docker (UDP takes ~29 A records: TC) */
#define CNM_DNS_MAX_ANSWERS 1024

/**
 * struct cnm_dns_view - what the asking container may see.
 * @lookup: fill @out with up to @max addresses (both families) of the
 *	container, alias, short id or NAME.NETWORK @name (lower case, no
 *	trailing dot); return how many, 0 when the name is unknown
 * @reverse: the "NAME.NETWORK" of the endpoint holding @a into @out;
 *	return 1 when found, 0 when not
 * @may_forward: may names not known locally go upstream?  (Not from
 *	internal networks, nor for strangers: they get NXDOMAIN.)  Asked only
 *	when a name is not local, so the common case costs one lookup.
 * @arg: passed back to the callbacks
 */
struct cnm_dns_view {
	int (*lookup)(void *arg, const char *name, struct cnm_addr *out, int max);
	int (*reverse)(void *arg, const struct cnm_addr *a, char *out, size_t len);
	bool (*may_forward)(void *arg);
	void *arg;
};

enum cnm_dns_verdict {
	CNM_DNS_DROP,		/* not even a DNS header: say nothing */
	CNM_DNS_REPLY,		/* *resp holds the answer */
	CNM_DNS_FORWARD,	/* send the query upstream as it is */
};

enum cnm_dns_verdict cnm_dns_answer(const uint8_t *q, size_t qlen, const struct cnm_dns_view *v,
				    size_t max_udp, uint8_t **resp, size_t *rlen);
int cnm_dns_servfail(const uint8_t *q, size_t qlen, uint8_t **resp, size_t *rlen);
int cnm_dns_ptr_addr(const char *name, struct cnm_addr *a);

#endif
