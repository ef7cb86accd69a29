// SPDX-License-Identifier: MIT
/*
 * wire.c - answering one DNS query from a container's view of its networks.
 *
 * DOC: Theory of operation
 * ldns parses the query and writes the answer: no DNS wire format is
 * handled by hand here.  A query is answered locally when its name is one
 * the asker may see (container name, network alias, 12-hex short id or
 * NAME.NETWORK on a network it shares with the asker), or when it is a PTR
 * for an address held on such a network.  Any other name is forwarded as it
 * came, byte for byte, so the upstream's answer and TTLs reach the client
 * untouched; on internal networks it gets NXDOMAIN instead.  Garbage that
 * ldns cannot parse gets FORMERR when it has at least an id to answer to,
 * and nothing otherwise.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <ldns/ldns.h>
#include "wire.h"

#define DNS_HDR_LEN 12

/* "4.3.2.1.in-addr.arpa" or the 32-nibble ip6.arpa form into an address. */
int cnm_dns_ptr_addr(const char *name, struct cnm_addr *a)
{
	static const char v4[] = ".in-addr.arpa", v6[] = ".ip6.arpa";
	size_t len = strlen(name), n = 0;
	const char *p;

	memset(a, 0, sizeof(*a));
	if (len > sizeof(v4) - 1 && !strcmp(name + len - (sizeof(v4) - 1), v4)) {
		unsigned int oct[4];
		int pos = -1;

		for (p = name; p < name + len - (sizeof(v4) - 1); p++)
			if (!isdigit((unsigned char)*p) && *p != '.')
				return -EINVAL;
		if (sscanf(name, "%3u.%3u.%3u.%3u%n", &oct[3], &oct[2], &oct[1], &oct[0],
			   &pos) != 4 || pos < 0 || strcmp(name + pos, v4))
			return -EINVAL;
		for (int i = 0; i < 4; i++) {
			if (oct[i] > 255)
				return -EINVAL;
			a->b[i] = (uint8_t)oct[i];
		}
		a->family = AF_INET;
		return 0;
	}
	if (len != 63 + sizeof(v6) - 1 || strcmp(name + 63, v6))
		return -EINVAL;
	for (p = name; n < 32; p += 2, n++) {
		int c = tolower((unsigned char)p[0]), d;

		if (p[1] != '.' || !isxdigit(c))
			return -EINVAL;
		d = isdigit(c) ? c - '0' : c - 'a' + 10;
		/* the first label is the lowest nibble of the last byte */
		a->b[15 - n / 2] |= (uint8_t)(n % 2 ? d << 4 : d);
	}
	a->family = AF_INET6;
	return 0;
}

/*
 * The question's name in lower case, without the trailing dot, from its
 * labels as ldns splits them.  Names cnm answers have labels of letters,
 * digits, '-' and '_' only: a name with any other byte in a label (a dot
 * inside one, say) cannot be one of them and gets -EINVAL (not local).
 */
static int qname_text(const ldns_rdf *owner, char *out, size_t len)
{
	size_t labels = ldns_dname_label_count(owner), n = 0;
	int rc = 0;

	for (size_t i = 0; i < labels && !rc; i++) {
		ldns_rdf *l = ldns_dname_label(owner, (uint8_t)i);
		const uint8_t *d = l ? ldns_rdf_data(l) : NULL;

		if (!d)
			rc = -ENOMEM;
		else if (n + d[0] + 2 > len)
			rc = -ENAMETOOLONG;
		else if (i)
			out[n++] = '.';
		for (size_t k = 1; !rc && k <= d[0]; k++) {
			int c = tolower(d[k]);

			if (!isalnum(c) && c != '-' && c != '_')
				rc = -EINVAL;
			out[n++] = (char)c;
		}
		ldns_rdf_deep_free(l);
	}
	out[n < len ? n : 0] = '\0';
	return rc;
}

static ldns_pkt *reply_new(const ldns_pkt *q, ldns_pkt_rcode rcode)
{
	ldns_pkt *r = ldns_pkt_new();

	if (!r)
		return NULL;
	ldns_pkt_set_id(r, ldns_pkt_id(q));
	ldns_pkt_set_qr(r, true);
	ldns_pkt_set_opcode(r, ldns_pkt_get_opcode(q));
	ldns_pkt_set_rd(r, ldns_pkt_rd(q));
	ldns_pkt_set_ra(r, true);
	ldns_pkt_set_rcode(r, rcode);
	if (ldns_pkt_edns(q))
		ldns_pkt_set_edns_udp_size(r, 4096);
	return r;
}

/* Append one answer record: @owner (copied), @type, @rdata (taken). */
static int add_answer(ldns_pkt *r, const ldns_rdf *owner, ldns_rr_type type, ldns_rdf *rdata)
{
	ldns_rr *rr = ldns_rr_new();

	if (!rr || !rdata) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(rdata);
		return -ENOMEM;
	}
	ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, CNM_DNS_TTL);
	ldns_rr_push_rdf(rr, rdata);
	return ldns_pkt_push_rr(r, LDNS_SECTION_ANSWER, rr) ? 0 : -ENOMEM;
}

/*
 * Shuffle the @n addresses of @a: a name several containers share (an
 * alias of replicas) answers in a new order each time, as Docker's does,
 * so that clients taking the first address spread over them.  Not for
 * security: a generator per thread, seeded once.
 */
static void shuffle(struct cnm_addr *a, int n)
{
	static _Thread_local uint64_t x;

	if (!x && getrandom(&x, sizeof(x), GRND_NONBLOCK) != sizeof(x))
		x = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull | 1;
	for (int i = n - 1; i > 0; i--) {
		struct cnm_addr t;
		int j;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (int)((x >> 11) % (uint64_t)(i + 1));
		t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

/* Fill @r with the local answer to @qrr; 0, or -ENOENT when the name is not ours. */
static int answer_local(ldns_pkt *r, const ldns_rr *qrr, const char *name,
			const struct cnm_dns_view *v)
{
	ldns_rr_type type = ldns_rr_get_type(qrr);
	const ldns_rdf *owner = ldns_rr_owner(qrr);
	struct cnm_addr addrs[CNM_DNS_MAX_ANSWERS], a;
	char target[300];
	int n, rc = 0;

	if (type == LDNS_RR_TYPE_PTR && cnm_dns_ptr_addr(name, &a) == 0) {
		if (!v->reverse(v->arg, &a, target, sizeof(target) - 1))
			return -ENOENT;
		strcat(target, ".");
		return add_answer(r, owner, type, ldns_dname_new_frm_str(target));
	}
	n = v->lookup(v->arg, name, addrs, CNM_DNS_MAX_ANSWERS);
	if (n <= 0)
		return -ENOENT;
	if (n > 1)
		shuffle(addrs, n);
	/* a known name answers A and AAAA; any other type gets an empty NOERROR */
	for (int i = 0; i < n && !rc; i++) {
		if (type == LDNS_RR_TYPE_A && addrs[i].family == AF_INET)
			rc = add_answer(r, owner, type,
					ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, addrs[i].b));
		else if (type == LDNS_RR_TYPE_AAAA && addrs[i].family == AF_INET6)
			rc = add_answer(r, owner, type,
					ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16, addrs[i].b));
	}
	return rc;
}

/* FORMERR for a packet ldns could not read, built from its id alone. */
static ldns_pkt *formerr(const uint8_t *q, size_t qlen)
{
	ldns_pkt *r;

	if (qlen < DNS_HDR_LEN || (q[2] & 0x80))	/* no header, or itself a response */
		return NULL;
	r = ldns_pkt_new();
	if (!r)
		return NULL;
	ldns_pkt_set_id(r, (uint16_t)(q[0] << 8 | q[1]));
	ldns_pkt_set_qr(r, true);
	ldns_pkt_set_opcode(r, (ldns_pkt_opcode)((q[2] >> 3) & 0xf));
	ldns_pkt_set_rcode(r, LDNS_RCODE_FORMERR);
	return r;
}

/*
 * Too big for the transport: keep the answers that fit, and say TC, as
 * Docker does; a client that can retries over TCP for all of them, one
 * that cannot (older musl) still gets some.  Local answers are records of
 * one owner and type, all of one size, so one encoding without them tells
 * how many fit.  *@resp (@r encoded, *@rlen bytes) is replaced; NULL when
 * encoding fails.
 */
static void truncate_to(ldns_pkt *r, size_t limit, uint8_t **resp, size_t *rlen)
{
	ldns_rr_list *all = ldns_pkt_answer(r), *drop;
	size_t n = ldns_rr_list_rr_count(all), full = *rlen, keep = 0;

	free(*resp);
	*resp = NULL;
	ldns_pkt_set_tc(r, true);
	ldns_pkt_set_answer(r, ldns_rr_list_new());
	ldns_pkt_set_ancount(r, 0);
	if (ldns_pkt2wire(resp, r, rlen) != LDNS_STATUS_OK)
		*resp = NULL;
	else if (n && full > *rlen && limit > *rlen)
		keep = (limit - *rlen) / ((full - *rlen) / n);
	ldns_rr_list_deep_free(ldns_pkt_answer(r));
	ldns_pkt_set_answer(r, all);
	/* keep < n: the whole answer did not fit */
	drop = ldns_rr_list_pop_rr_list(all, n - (keep < n ? keep : n - 1));
	ldns_rr_list_deep_free(drop);
	ldns_pkt_set_ancount(r, (uint16_t)ldns_rr_list_rr_count(all));
	if (*resp && ldns_pkt_ancount(r)) {
		free(*resp);
		if (ldns_pkt2wire(resp, r, rlen) != LDNS_STATUS_OK || *rlen > limit) {
			free(*resp);	/* (never: the records are all of a size) */
			*resp = NULL;
		}
	}
}

/**
 * cnm_dns_answer() - decide what to do with one query.
 * @q: the query as received
 * @qlen: its length
 * @v: what the asker may see
 * @max_udp: the largest answer the transport takes (512 for UDP without
 *	EDNS, 65535 for TCP); larger answers are sent truncated (TC)
 * @resp: for CNM_DNS_REPLY, a malloc'ed answer the caller frees
 * @rlen: its length
 *
 * Return: what to do with the query.
 */
enum cnm_dns_verdict cnm_dns_answer(const uint8_t *q, size_t qlen, const struct cnm_dns_view *v,
				    size_t max_udp, uint8_t **resp, size_t *rlen)
{
	enum cnm_dns_verdict verdict = CNM_DNS_REPLY;
	ldns_pkt *qp = NULL, *r = NULL;
	const ldns_rr *qrr;
	char name[300];
	size_t limit = max_udp;
	bool forward = false;

	*resp = NULL;
	*rlen = 0;
	if (ldns_wire2pkt(&qp, q, qlen) != LDNS_STATUS_OK) {
		qp = NULL;
		r = formerr(q, qlen);
		goto out;
	}
	if (ldns_pkt_qr(qp)) {		/* a response sent to us: never answer those */
		verdict = CNM_DNS_DROP;
		goto out;
	}
	if (ldns_pkt_get_opcode(qp) != LDNS_PACKET_QUERY) {
		r = reply_new(qp, LDNS_RCODE_NOTIMPL);
		goto out;
	}
	if (ldns_pkt_qdcount(qp) != 1 || ldns_pkt_ancount(qp) || ldns_pkt_nscount(qp)) {
		r = reply_new(qp, LDNS_RCODE_FORMERR);
		goto out;
	}
	if (ldns_pkt_edns(qp) && ldns_pkt_edns_udp_size(qp) > limit)
		limit = ldns_pkt_edns_udp_size(qp) < 4096 ? ldns_pkt_edns_udp_size(qp) : 4096;
	qrr = ldns_rr_list_rr(ldns_pkt_question(qp), 0);
	r = reply_new(qp, LDNS_RCODE_NOERROR);
	if (!r || !ldns_pkt_push_rr(r, LDNS_SECTION_QUESTION, ldns_rr_clone(qrr)))
		goto fail;
	if (ldns_rr_get_class(qrr) != LDNS_RR_CLASS_IN ||
	    qname_text(ldns_rr_owner(qrr), name, sizeof(name)) ||
	    answer_local(r, qrr, name, v) == -ENOENT) {
		forward = v->may_forward(v->arg);
		if (forward && ldns_rr_get_class(qrr) == LDNS_RR_CLASS_IN) {
			verdict = CNM_DNS_FORWARD;
			goto out;
		}
		ldns_pkt_set_rcode(r, LDNS_RCODE_NXDOMAIN);
	}
	ldns_pkt_set_aa(r, ldns_pkt_get_rcode(r) == LDNS_RCODE_NOERROR || !forward);
	goto out;
fail:
	ldns_pkt_free(r);
	r = NULL;
	verdict = CNM_DNS_DROP;
out:
	if (verdict == CNM_DNS_REPLY && r) {
		if (ldns_pkt2wire(resp, r, rlen) != LDNS_STATUS_OK) {
			*resp = NULL;
		} else if (*rlen > limit) {
			truncate_to(r, limit, resp, rlen);
		}
	}
	if (verdict == CNM_DNS_REPLY && !*resp)
		verdict = CNM_DNS_DROP;
	ldns_pkt_free(qp);
	ldns_pkt_free(r);
	return verdict;
}

/**
 * cnm_dns_servfail() - SERVFAIL for a query that was to be forwarded but
 * cannot be (no upstream, unreachable), so the client need not wait.
 * @q: the query (one cnm_dns_answer() said to forward)
 * @qlen: its length
 * @resp: a malloc'ed answer the caller frees
 * @rlen: its length
 *
 * Return: 0, or -EINVAL when no answer could be made.
 */
int cnm_dns_servfail(const uint8_t *q, size_t qlen, uint8_t **resp, size_t *rlen)
{
	ldns_pkt *qp = NULL, *r = NULL;
	int rc = -EINVAL;

	*resp = NULL;
	if (ldns_wire2pkt(&qp, q, qlen) != LDNS_STATUS_OK)
		return rc;
	r = reply_new(qp, LDNS_RCODE_SERVFAIL);
	if (r && ldns_pkt_push_rr(r, LDNS_SECTION_QUESTION,
				  ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(qp), 0))) &&
	    ldns_pkt2wire(resp, r, rlen) == LDNS_STATUS_OK)
		rc = 0;
	ldns_pkt_free(qp);
	ldns_pkt_free(r);
	return rc;
}
