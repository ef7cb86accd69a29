// SPDX-License-Identifier: MIT
/*
 * view.c - what a container may resolve: a snapshot of the state store's
 * names, made from the lines of a dump (lib/dns_dump.h).
 *
 * DOC: Theory of operation
 * The names live in memory (struct dns_snap): every endpoint on a network
 * with DNS on (a user-defined bridge network without
 * com.docker.network.bridge.enable_dns=false), with its container's name,
 * short id and aliases, each also as NAME.NETWORK (as Docker resolves
 * them), as keys of one hash table, each name once per endpoint, and its
 * addresses as keys of the same table for PTR and for finding the asker.
 * A query costs a few hash probes.
 *
 * A snapshot is built by dns_snap_parse() from the text `cnm _dns-dump`
 * wrote (store.c runs it whenever the store changed).  The parser trusts
 * nothing: a line out of the format, a network out of order, an endpoint
 * of a network not listed, a missing "end", and the whole text is refused,
 * so the caller keeps the snapshot it had (tests/fuzz/fuzz_dns_dump.c).
 *
 * The asker is the endpoint holding the query's source address on the
 * network whose gateway the query arrived on; it sees the endpoints of
 * every network its container is attached to whose DNS is on, and nothing
 * else.  Snapshots are immutable and reference-counted, so a TCP thread
 * answers from the one it got while the main loop replaces it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "dns_dump.h"
#include "view.h"

#define NO_NAME UINT32_MAX

/* One endpoint; those of one container are eps[first .. first + n). */
struct snap_ep {
	uint32_t net;			/* index in nets */
	uint32_t first, n;
	uint32_t fqdn;			/* "NAME.NETWORK", an offset in strs */
	uint32_t cid;			/* the container's id, then its name, in strs */
	struct cnm_addr addr, addr6;	/* family 0: none */
};

/* A key of the hash table: a name (offset in strs), or NO_NAME: an address of @ep. */
struct snap_key {
	uint32_t hash, ep, name, next;	/* next: index + 1 in keys, 0 ends */
};

struct dns_snap {
	atomic_int refs;
	uint32_t n_nets, n_eps, n_keys, mask;
	struct dns_net *nets;		/* sorted by id */
	uint32_t *net_names;		/* offsets in strs */
	struct snap_ep *eps;
	struct snap_key *keys;
	uint32_t *buckets;		/* index + 1 in keys, 0: empty */
	char *strs;
	size_t strs_len, strs_cap;
	size_t cap_nets, cap_names, cap_eps, cap_keys;
};

static uint32_t hash_bytes(const void *p, size_t len, uint32_t h)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t hash_name(const char *s)
{
	return hash_bytes(s, strlen(s), 2166136261u);
}

static uint32_t hash_addr(const struct cnm_addr *a)
{
	return hash_bytes(a->b, a->family == AF_INET ? 4 : 16, 0x811c9dc5u ^ (uint32_t)a->family);
}

static const char *str(const struct dns_snap *s, uint32_t off)
{
	return s->strs + off;
}

/* Copy @a (lower case when @lower) and optionally ".@b" into strs; its offset or NO_NAME. */
static uint32_t str_add(struct dns_snap *s, const char *a, const char *b, bool lower)
{
	size_t la = strlen(a), lb = b ? strlen(b) + 1 : 0, need = s->strs_len + la + lb + 1;
	uint32_t off = (uint32_t)s->strs_len;
	char *p;

	if (need > s->strs_cap) {
		size_t cap = s->strs_cap ? s->strs_cap * 2 : 4096;

		while (cap < need)
			cap *= 2;
		p = realloc(s->strs, cap);
		if (!p)
			return NO_NAME;
		s->strs = p;
		s->strs_cap = cap;
	}
	p = s->strs + off;
	memcpy(p, a, la);
	if (b) {
		p[la] = '.';
		memcpy(p + la + 1, b, lb - 1);
	}
	p[la + lb] = '\0';
	if (lower)
		for (char *q = p; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	s->strs_len = need;
	return off;
}

/* *@v (an array of @n items of @size, room for *@cap) with room for one more; NULL: no memory. */
static void *grow(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t c = *cap ? *cap * 2 : first;

	if (n < *cap)
		return v;
	v = realloc(v, c * size);
	if (v)
		*cap = c;
	return v;
}

static int key_add(struct dns_snap *s, uint32_t ep, uint32_t name, uint32_t hash)
{
	struct snap_key *k = grow(s->keys, &s->cap_keys, s->n_keys, sizeof(*k), 64);

	if (!k)
		return -ENOMEM;
	s->keys = k;
	s->keys[s->n_keys++] = (struct snap_key){ hash, ep, name, 0 };
	return 0;
}

/*
 * Key "@a" or "@a.@b" (lower case) for endpoint @ep, unless one of its keys
 * from index @from on has that name already (an alias equal to the
 * container's name, say): a name lists each endpoint once, so a lookup
 * needs no check for duplicates.
 */
static int name_key(struct dns_snap *s, uint32_t ep, uint32_t from, const char *a, const char *b)
{
	uint32_t off = str_add(s, a, b, true);

	if (off == NO_NAME)
		return -ENOMEM;
	for (uint32_t k = from; k < s->n_keys; k++)
		if (s->keys[k].name != NO_NAME && !strcmp(str(s, s->keys[k].name), str(s, off))) {
			s->strs_len = off;	/* the last string added: taken back */
			return 0;
		}
	return key_add(s, ep, off, hash_name(str(s, off)));
}

/* The hash table over all keys, once they are all in. */
static int index_keys(struct dns_snap *s)
{
	uint32_t nb = 16;

	while (nb < 2 * s->n_keys)
		nb *= 2;
	s->buckets = calloc(nb, sizeof(*s->buckets));
	if (!s->buckets)
		return -ENOMEM;
	s->mask = nb - 1;
	/* backwards, so that each chain lists its keys in the dump's order */
	for (uint32_t i = s->n_keys; i-- > 0;) {
		uint32_t *b = &s->buckets[s->keys[i].hash & s->mask];

		s->keys[i].next = *b;
		*b = i + 1;
	}
	return 0;
}

static int net_index(const struct dns_snap *s, const char *id)
{
	uint32_t lo = 0, hi = s->n_nets;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		int c = strcmp(id, s->nets[mid].id);

		if (!c)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/*
 * Split @line at single spaces into at most @max fields; the count, or -1
 * when a field is empty, longer than the format allows, holds a byte that
 * is not printable ASCII, or there are more than @max.
 */
static int split(char *line, char **f, int max)
{
	int n = 0;

	for (char *p = line;;) {
		char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);

		if (n == max || len < 1 || len > CNM_DNS_DUMP_FIELD_MAX)
			return -1;
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] > '~')
				return -1;
		f[n++] = p;
		if (!sp)
			return n;
		*sp = '\0';
		p = sp + 1;
	}
}

/* "-" (none), or an address of @family into @a (@text copied to @out, if given). */
static bool addr_field(const char *text, int family, struct cnm_addr *a, char *out, size_t len)
{
	memset(a, 0, sizeof(*a));
	if (out)
		out[0] = '\0';
	if (!strcmp(text, "-"))
		return true;
	if ((out && strlen(text) >= len) || cnm_addr_parse(text, a) || a->family != family)
		return false;
	if (out)
		memcpy(out, text, strlen(text) + 1);
	return true;
}

/* The fields of a "net" line after the keyword, f[0..4], into @net. */
static int net_fields(char **f, struct dns_net *net)
{
	struct cnm_addr a;

	memset(net, 0, sizeof(*net));
	if (strlen(f[0]) >= sizeof(net->id) || (strcmp(f[4], "0") && strcmp(f[4], "1")) ||
	    !addr_field(f[2], AF_INET, &a, net->gw, sizeof(net->gw)) ||
	    !addr_field(f[3], AF_INET6, &a, net->gw6, sizeof(net->gw6)))
		return -EINVAL;
	memcpy(net->id, f[0], strlen(f[0]) + 1);
	net->internal = f[4][0] == '1';
	return 0;
}

/* "net ID NAME GATEWAY GATEWAY6 INTERNAL": ids strictly ascending. */
static int net_line(struct dns_snap *s, char **f, int n)
{
	struct dns_net *net;
	uint32_t *names;

	if (n != 6 || (s->n_nets && strcmp(f[1], s->nets[s->n_nets - 1].id) <= 0))
		return -EINVAL;
	net = grow(s->nets, &s->cap_nets, s->n_nets, sizeof(*net), 8);
	if (!net)
		return -ENOMEM;
	s->nets = net;
	names = grow(s->net_names, &s->cap_names, s->n_nets, sizeof(*names), 8);
	if (!names)
		return -ENOMEM;
	s->net_names = names;
	if (net_fields(f + 1, &s->nets[s->n_nets]))
		return -EINVAL;
	names[s->n_nets] = str_add(s, f[2], NULL, false);
	if (names[s->n_nets] == NO_NAME)
		return -ENOMEM;
	s->n_nets++;
	return 0;
}

/**
 * dns_net_parse() - one network as a "net" line of the dump has it, without
 * the keyword: "ID NAME GATEWAY GATEWAY6 INTERNAL" (a command's hint).
 * @text: the fields; changed
 * @net: filled
 *
 * Return: 0, or -EINVAL when @text is not exactly that.
 */
int dns_net_parse(char *text, struct dns_net *net)
{
	char *f[5];

	if (split(text, f, 5) != 5)
		return -EINVAL;
	return net_fields(f, net);
}

/*
 * "ep NETWORK-ID CONTAINER-ID NAME ADDR ADDR6 [ALIAS...]": a container's
 * endpoints one after the other (containers ascending), one name for all
 * of them, one endpoint per network.
 */
static int ep_line(struct dns_snap *s, char **f, int n)
{
	int net = n >= 6 ? net_index(s, f[1]) : -1;
	uint32_t i = s->n_eps, first = i;
	char sid[13], nname[CNM_DNS_DUMP_FIELD_MAX + 1];
	struct snap_ep *e;
	uint32_t keys = s->n_keys;	/* this endpoint's keys start here */
	int rc = 0, c = 1;

	if (net < 0 || strlen(f[2]) > CNM_ID_LEN)
		return -EINVAL;
	if (i) {
		const char *pid = str(s, s->eps[i - 1].cid);

		c = strcmp(f[2], pid);
		if (c < 0 || (c == 0 && strcmp(f[3], pid + strlen(pid) + 1)))
			return -EINVAL;
	}
	if (c == 0) {	/* the same container on another network */
		first = s->eps[i - 1].first;
		for (uint32_t k = first; k < i; k++)
			if (s->eps[k].net == (uint32_t)net)
				return -EINVAL;
	}
	e = grow(s->eps, &s->cap_eps, s->n_eps, sizeof(*e), 32);
	if (!e)
		return -ENOMEM;
	s->eps = e;
	e = &s->eps[s->n_eps++];
	memset(e, 0, sizeof(*e));
	e->net = (uint32_t)net;
	e->first = first;
	for (uint32_t k = first; k <= i; k++)
		s->eps[k].n = i - first + 1;
	if (!addr_field(f[4], AF_INET, &e->addr, NULL, 0) ||
	    !addr_field(f[5], AF_INET6, &e->addr6, NULL, 0))
		return -EINVAL;
	/* a copy: strs may move while it grows */
	snprintf(nname, sizeof(nname), "%s", str(s, s->net_names[net]));
	e->fqdn = str_add(s, f[3], nname, false);
	e->cid = e->fqdn == NO_NAME ? NO_NAME : str_add(s, f[2], NULL, false);
	if (e->cid == NO_NAME || str_add(s, f[3], NULL, false) == NO_NAME)
		return -ENOMEM;
	snprintf(sid, sizeof(sid), "%.12s", f[2]);
	/* each name alone and as NAME.NETWORK, as Docker resolves them */
	rc = name_key(s, i, keys, f[3], NULL);
	rc = rc ? rc : name_key(s, i, keys, f[3], nname);
	rc = rc ? rc : name_key(s, i, keys, sid, NULL);
	rc = rc ? rc : name_key(s, i, keys, sid, nname);
	for (int k = 6; k < n && !rc; k++) {
		rc = name_key(s, i, keys, f[k], NULL);
		rc = rc ? rc : name_key(s, i, keys, f[k], nname);
	}
	if (!rc && e->addr.family)
		rc = key_add(s, i, NO_NAME, hash_addr(&e->addr));
	if (!rc && e->addr6.family)
		rc = key_add(s, i, NO_NAME, hash_addr(&e->addr6));
	return rc;
}

static void snap_free(struct dns_snap *s)
{
	if (!s)
		return;
	free(s->nets);
	free(s->net_names);
	free(s->eps);
	free(s->keys);
	free(s->buckets);
	free(s->strs);
	free(s);
}

/**
 * dns_snap_parse() - a snapshot from the text of a dump (lib/dns_dump.h).
 * @text: @len bytes, then a NUL; changed (split into fields)
 * @len: its length
 * @out: the snapshot, to release with dns_snap_put()
 *
 * Return: 0, -EINVAL when @text is not exactly a whole dump (nothing is
 * made of a part), -ENOMEM.
 */
int dns_snap_parse(char *text, size_t len, struct dns_snap **out)
{
	struct dns_snap *s = calloc(1, sizeof(*s));
	char *line = text, *f[6 + CNM_DNS_DUMP_ALIASES_MAX];
	bool eps = false, end = false;
	int rc = 0;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	if (memchr(text, '\0', len) || len < 1 || text[len - 1] != '\n')
		rc = -EINVAL;
	for (size_t no = 0; !rc && line < text + len; no++) {
		char *nl = strchr(line, '\n');
		int n;

		*nl = '\0';
		if (end) {	/* nothing after "end" */
			rc = -EINVAL;
		} else if (no == 0) {
			rc = strcmp(line, CNM_DNS_DUMP_MAGIC) ? -EINVAL : 0;
		} else if ((n = split(line, f, (int)(sizeof(f) / sizeof(f[0])))) < 0) {
			rc = -EINVAL;
		} else if (!strcmp(f[0], "net") && !eps) {
			rc = net_line(s, f, n);
		} else if (!strcmp(f[0], "ep")) {
			eps = true;
			rc = ep_line(s, f, n);
		} else {
			end = n == 1 && !strcmp(f[0], "end");
			rc = end ? 0 : -EINVAL;
		}
		line = nl + 1;
	}
	if (!rc && !end)
		rc = -EINVAL;
	if (!rc)
		rc = index_keys(s);
	if (rc) {
		snap_free(s);
		return rc;
	}
	atomic_init(&s->refs, 1);
	*out = s;
	return 0;
}

/**
 * dns_snap_nets() - the networks of @s, to listen on.
 * @s: the snapshot
 * @n: filled with their count
 *
 * Return: the array, valid while @s is.
 */
const struct dns_net *dns_snap_nets(const struct dns_snap *s, size_t *n)
{
	*n = s->n_nets;
	return s->nets;
}

/** dns_snap_ref() - one more reference to @snap. */
struct dns_snap *dns_snap_ref(struct dns_snap *snap)
{
	atomic_fetch_add(&snap->refs, 1);
	return snap;
}

/** dns_snap_put() - release a snapshot (NULL: nothing). */
void dns_snap_put(struct dns_snap *snap)
{
	if (snap && atomic_fetch_sub(&snap->refs, 1) == 1)
		snap_free(snap);
}

static bool addr_eq(const struct cnm_addr *a, const struct cnm_addr *b)
{
	return a->family && a->family == b->family &&
	       !memcmp(a->b, b->b, a->family == AF_INET ? 4 : 16);
}

/* May the container of endpoint @asker see network @net?  (Is it on it?) */
static bool sees(const struct dns_snap *s, int32_t asker, uint32_t net)
{
	const struct snap_ep *me = &s->eps[asker];

	for (uint32_t i = me->first; i < me->first + me->n; i++)
		if (s->eps[i].net == net)
			return true;
	return false;
}

/* The endpoints holding @a: iterate with *@k = 0 first; -1 at the end. */
static int32_t next_holder(const struct dns_snap *s, const struct cnm_addr *a, uint32_t *k)
{
	uint32_t i = *k ? s->keys[*k - 1].next : s->buckets[hash_addr(a) & s->mask];

	for (; i; i = s->keys[i - 1].next) {
		const struct snap_key *key = &s->keys[i - 1];
		const struct snap_ep *e = &s->eps[key->ep];

		if (key->name == NO_NAME && (addr_eq(&e->addr, a) || addr_eq(&e->addr6, a))) {
			*k = i;
			return (int32_t)key->ep;
		}
	}
	return -1;
}

/**
 * dns_asker_init() - a query from @src arriving on network @net's gateway.
 * @a: filled
 * @snap: the names to answer from
 * @net: the network whose gateway it came to
 * @src: its source address
 */
void dns_asker_init(struct dns_asker *a, const struct dns_snap *snap, const struct dns_net *net,
		    const struct cnm_addr *src)
{
	int idx = net_index(snap, net->id);
	uint32_t k = 0;
	int32_t ep;

	a->snap = snap;
	a->net = net;
	a->ep = -1;
	while (idx >= 0 && (ep = next_holder(snap, src, &k)) >= 0)
		if (snap->eps[ep].net == (uint32_t)idx) {
			a->ep = ep;
			break;
		}
}

static int view_lookup(void *arg, const char *name, struct cnm_addr *out, int max)
{
	const struct dns_asker *a = arg;
	const struct dns_snap *s = a->snap;
	uint32_t h = hash_name(name);
	int n = 0, known = 0;

	if (a->ep < 0)
		return 0;
	for (uint32_t i = s->buckets[h & s->mask]; i; i = s->keys[i - 1].next) {
		const struct snap_key *key = &s->keys[i - 1];
		const struct snap_ep *e = &s->eps[key->ep];

		if (key->hash != h || key->name == NO_NAME || strcmp(str(s, key->name), name) ||
		    !sees(s, a->ep, e->net))
			continue;
		known = 1;
		if (e->addr.family && n < max)
			out[n++] = e->addr;
		if (e->addr6.family && n < max)
			out[n++] = e->addr6;
	}
	/* a name with no address at all still exists: answer NODATA, not upstream */
	if (known && !n) {
		memset(&out[0], 0, sizeof(out[0]));
		n = 1;
	}
	return n;
}

static int view_reverse(void *arg, const struct cnm_addr *addr, char *out, size_t len)
{
	const struct dns_asker *a = arg;
	const struct dns_snap *s = a->snap;
	uint32_t k = 0;
	int32_t ep;

	if (a->ep < 0)
		return 0;
	while ((ep = next_holder(s, addr, &k)) >= 0)
		if (sees(s, a->ep, s->eps[ep].net)) {
			snprintf(out, len, "%s", str(s, s->eps[ep].fqdn));
			return 1;
		}
	return 0;
}

/*
 * Forward for containers of the network only, and only for one with a way
 * out: on a network that is not internal.  Its query may come to an
 * internal network's gateway (the network it started on) and still go
 * upstream when it was connected to another since, as in Docker, whose
 * containers lose external names only when all their networks are
 * internal.  (Networks without DNS are not in the snapshot: a container on
 * an internal network and the default bridge is not forwarded for.)
 */
static bool view_may_forward(void *arg)
{
	const struct dns_asker *a = arg;
	const struct snap_ep *me;

	if (a->ep < 0)
		return false;
	if (!a->net->internal)
		return true;
	me = &a->snap->eps[a->ep];
	for (uint32_t i = me->first; i < me->first + me->n; i++)
		if (!a->snap->nets[a->snap->eps[i].net].internal)
			return true;
	return false;
}

/**
 * dns_view_init() - the view of asker @a.  Strangers (no endpoint on the
 * network, e.g. the host) see no names and are not forwarded for.
 */
void dns_view_init(struct cnm_dns_view *v, struct dns_asker *a)
{
	v->lookup = view_lookup;
	v->reverse = view_reverse;
	v->may_forward = view_may_forward;
	v->arg = a;
}

/** dns_addr_of() - the address of a socket address, as the store writes it. */
void dns_addr_of(const struct sockaddr_storage *ss, struct cnm_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		a->family = AF_INET;
		memcpy(a->b, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		a->family = AF_INET6;
		memcpy(a->b, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}
