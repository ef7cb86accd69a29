// SPDX-License-Identifier: MIT
/*
 * ports.c - Docker's -p grammar, and choosing host ports.
 *
 * DOC: Theory of operation
 * A spec is [IP:][HOSTPORT[-END]:]CPORT[-END][/PROTO], the IP in brackets
 * when it is IPv6.  It expands into one cnm_portmap per container port:
 * equal host and container ranges pair up; a container range alone gets a
 * random host port each; a host range for one container port means "the
 * lowest free port of that range" (Docker's rule).
 *
 * Taken ports live in a cnm_portset: a bitmap per family and protocol for
 * ports taken on every address (0.0.0.0 or ::), and a list for ports taken
 * on one address.  A port conflicts when the family, protocol and port match
 * and either side is a wildcard or both name the same address.  With few
 * single-address publications, checking 10,000 ports is 10,000 bit tests;
 * a second bitmap marks the ports the list holds, so that a port no
 * single-address publication uses is not looked for in the list (a hostile
 * "-p 127.0.0.1::1-65535" would otherwise cost minutes of list walks).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ports.h"
#include "util.h"

const char *cnm_proto_name(uint8_t proto)
{
	return proto == CNM_UDP ? "udp" : proto == CNM_SCTP ? "sctp" : "tcp";
}

/* In any case, as Docker: "80/TCP" is 80/tcp. */
int cnm_proto_parse(const char *s, uint8_t *proto)
{
	if (!strcasecmp(s, "tcp"))
		*proto = CNM_TCP;
	else if (!strcasecmp(s, "udp"))
		*proto = CNM_UDP;
	else if (!strcasecmp(s, "sctp"))
		*proto = CNM_SCTP;
	else
		return -EINVAL;
	return 0;
}

static int proto_index(uint8_t proto)
{
	return proto == CNM_UDP ? 1 : proto == CNM_SCTP ? 2 : 0;
}

/* "80" or "8000-8009" into [lo, hi]; ports 1..65535 (0 allowed if @zero_ok). */
static int parse_range(const char *s, size_t len, uint16_t *lo, uint16_t *hi)
{
	unsigned long v[2] = { 0, 0 };
	int k = 0;
	size_t digits = 0;

	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '-' && k == 0 && digits) {
			k = 1;
			digits = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9' || digits >= 5)
			return -EINVAL;
		v[k] = v[k] * 10 + (unsigned long)(s[i] - '0');
		digits++;
	}
	if (!digits)
		return -EINVAL;
	if (k == 0)
		v[1] = v[0];
	if (v[0] < 1 || v[1] > 65535 || v[0] > v[1])
		return -ERANGE;
	*lo = (uint16_t)v[0];
	*hi = (uint16_t)v[1];
	return 0;
}

/**
 * cnm_portspec_parse() - expand one -p spec.
 * @spec: the text
 * @out: malloc'ed array of mappings
 * @n: its length
 * @err: filled on failure, quoting the spec
 *
 * Return: 0 or -EINVAL.
 */
int cnm_portspec_parse(const char *spec, struct cnm_portmap **out, size_t *n, struct cnm_err *err)
{
	char ip[CNM_ADDRSTRLEN] = "";
	const char *p = spec, *slash, *hostpart = NULL, *cpart;
	size_t hostlen = 0;
	uint16_t hlo = 0, hhi = 0, clo, chi;
	uint8_t proto = CNM_TCP;
	struct cnm_portmap base = { 0 }, *v;
	size_t count;

	*out = NULL;
	*n = 0;
	if (!spec || !*spec)
		return cnm_errf(err, EINVAL, "invalid port specification: empty");
	slash = strchr(spec, '/');
	if (slash && slash[1] && cnm_proto_parse(slash + 1, &proto)) /* "80/" is tcp */
		return cnm_errf(err, EINVAL, "invalid proto: %s in port specification %s", slash + 1,
				spec);
	/* the IP: "[v6]:" or "a.b.c.d:" followed by two more fields */
	if (*p == '[') {
		const char *end = strchr(p, ']');

		if (!end || end[1] != ':' || (size_t)(end - p - 1) >= sizeof(ip))
			return cnm_errf(err, EINVAL, "invalid IP address in port specification %s",
					spec);
		memcpy(ip, p + 1, (size_t)(end - p - 1));
		ip[end - p - 1] = '\0';
		p = end + 2;
	} else {
		/*
		 * IP:HOSTPORT:CPORT when there are two colons or more: the IP is
		 * everything before the last two, so that an IPv6 address works
		 * without brackets too ("::1:8080:80"), as in Docker.
		 */
		const char *end = slash ? slash : p + strlen(p), *last = NULL, *prev = NULL;

		for (const char *q = p; q < end; q++)
			if (*q == ':')
				prev = last, last = q;
		if (prev) {
			if ((size_t)(prev - p) >= sizeof(ip))
				return cnm_errf(err, EINVAL, "invalid IP address in port"
						" specification %s", spec);
			memcpy(ip, p, (size_t)(prev - p));
			ip[prev - p] = '\0';
			p = prev + 1;
		}
	}
	if (ip[0]) {
		if (cnm_addr_parse(ip, &base.host_ip))
			return cnm_errf(err, EINVAL, "invalid IP address %s in port specification %s",
					ip, spec);
		base.any = !memcmp(base.host_ip.b, (uint8_t[16]){ 0 }, 16);
	}
	/* now [HOSTPORT]:CPORT or CPORT, up to the slash */
	cpart = strchr(p, ':');
	if (cpart && (!slash || cpart < slash)) {
		hostpart = p;
		hostlen = (size_t)(cpart - p);
		cpart++;
	} else {
		cpart = p;
		if (ip[0])
			return cnm_errf(err, EINVAL, "invalid port specification %s", spec);
	}
	if (parse_range(cpart, slash ? (size_t)(slash - cpart) : strlen(cpart), &clo, &chi))
		return cnm_errf(err, EINVAL, "invalid containerPort: %.*s in port specification %s",
				(int)(slash ? (size_t)(slash - cpart) : strlen(cpart)), cpart, spec);
	if (hostpart && hostlen && parse_range(hostpart, hostlen, &hlo, &hhi))
		return cnm_errf(err, EINVAL, "invalid hostPort: %.*s in port specification %s",
				(int)hostlen, hostpart, spec);
	count = (size_t)(chi - clo) + 1;
	if (hlo && hhi - hlo != chi - clo && clo != chi)
		return cnm_errf(err, EINVAL, "invalid ranges in port specification %s: host and"
				" container ranges differ in length", spec);
	v = calloc(count, sizeof(*v));
	if (!v)
		return cnm_errf(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		v[i] = base;
		v[i].proto = proto;
		v[i].cport = (uint16_t)(clo + i);
		if (hlo && hlo != hhi && clo == chi) {
			v[i].host_lo = hlo; /* one port to be chosen from the range */
			v[i].host_hi = hhi;
		} else if (hlo) {
			v[i].host_port = (uint16_t)(hlo + i);
		}
	}
	*out = v;
	*n = count;
	return 0;
}

void cnm_portset_init(struct cnm_portset *s)
{
	memset(s, 0, sizeof(*s));
}

void cnm_portset_free(struct cnm_portset *s)
{
	free(s->one);
	s->one = NULL;
	s->n_one = s->cap_one = 0;
}

static bool same_family(const struct cnm_portmap *a, const struct cnm_portmap *b)
{
	return a->host_ip.family == b->host_ip.family;
}

static int fam_index(const struct cnm_portmap *p)
{
	return p->host_ip.family == AF_INET6 ? 1 : 0;
}

/**
 * cnm_portset_conflict() - would publishing @p clash with what @s holds?
 *
 * Families are separate: 0.0.0.0:8080 and [::]:8080 are two publications
 * (a container with IPv6 gets both).  A process listening on [::] usually
 * takes IPv4 as well; whoever fills the set records that as both families.
 */
bool cnm_portset_conflict(const struct cnm_portset *s, const struct cnm_portmap *p)
{
	int pi = proto_index(p->proto);

	if (s->any[fam_index(p)][pi][p->host_port / 8] & (1u << (p->host_port % 8)))
		return true;
	if (!(s->in_one[fam_index(p)][pi][p->host_port / 8] & (1u << (p->host_port % 8))))
		return false;
	for (size_t i = 0; i < s->n_one; i++) {
		const struct cnm_portmap *q = &s->one[i];

		if (q->proto != p->proto || q->host_port != p->host_port || !same_family(p, q))
			continue;
		if (p->any || !cnm_addr_cmp(&p->host_ip, &q->host_ip))
			return true;
	}
	return false;
}

int cnm_portset_add(struct cnm_portset *s, const struct cnm_portmap *p)
{
	if (p->any) {
		s->any[fam_index(p)][proto_index(p->proto)][p->host_port / 8] |=
			(uint8_t)(1u << (p->host_port % 8));
		return 0;
	}
	if (s->n_one == s->cap_one) {
		size_t cap = s->cap_one ? s->cap_one * 2 : 64;
		struct cnm_portmap *nv = realloc(s->one, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->one = nv;
		s->cap_one = cap;
	}
	s->one[s->n_one++] = *p;
	s->in_one[fam_index(p)][proto_index(p->proto)][p->host_port / 8] |=
		(uint8_t)(1u << (p->host_port % 8));
	return 0;
}

static const char *where(const struct cnm_portmap *p, char buf[CNM_ADDRSTRLEN + 2])
{
	char a[CNM_ADDRSTRLEN];

	cnm_addr_format(&p->host_ip, a);
	snprintf(buf, CNM_ADDRSTRLEN + 2, p->host_ip.family == AF_INET6 ? "[%s]" : "%s", a);
	return buf;
}

/**
 * cnm_ports_choose() - give every mapping a host port and check conflicts.
 * @taken: ports already published (and bound on the host); the new ones
 *	are added to it, so ports of one request cannot clash either
 * @p: the mappings (host_ip already resolved)
 * @n: how many
 * @eph_lo: @eph_hi: the ephemeral range random ports come from
 * @seed: where the search for a random port starts
 * @err: filled on the first conflict
 *
 * Return: 0, -EADDRINUSE (a port asked for is taken) or -ENOSPC.
 */
int cnm_ports_choose(struct cnm_portset *taken, struct cnm_portmap *p, size_t n,
		     uint16_t eph_lo, uint16_t eph_hi, uint32_t seed, struct cnm_err *err)
{
	char w[CNM_ADDRSTRLEN + 2];
	size_t n_eph = 0;

	/* more random ports than the range holds: say so before a long search */
	for (size_t i = 0; i < n; i++)
		n_eph += !p[i].host_port && !p[i].host_lo;
	if (n_eph > (size_t)(eph_hi - eph_lo) + 1)
		return cnm_errf(err, ENOSPC, "no free host port in %u-%u for %zu ports", eph_lo,
				eph_hi, n_eph);
	for (size_t i = 0; i < n; i++) {
		if (!p[i].host_port) {
			uint16_t lo = p[i].host_lo ? p[i].host_lo : eph_lo;
			uint16_t hi = p[i].host_lo ? p[i].host_hi : eph_hi;
			uint32_t span = (uint32_t)(hi - lo) + 1, j;
			/* a range the user gave: its lowest free port first, as Docker */
			uint32_t from = p[i].host_lo ? 0 : seed + (uint32_t)i;

			for (j = 0; j < span; j++) {
				p[i].host_port = (uint16_t)(lo + (from + j) % span);
				if (!cnm_portset_conflict(taken, &p[i]))
					break;
			}
			if (j == span)
				return cnm_errf(err, ENOSPC, "no free host port in %u-%u for %u/%s",
						lo, hi, p[i].cport, cnm_proto_name(p[i].proto));
		} else if (cnm_portset_conflict(taken, &p[i])) {
			return cnm_errf(err, EADDRINUSE, "Bind for %s:%u failed: port is already"
					" allocated", where(&p[i], w), p[i].host_port);
		}
		if (cnm_portset_add(taken, &p[i]))
			return cnm_errf(err, ENOMEM, "out of memory");
	}
	return 0;
}
