// SPDX-License-Identifier: MIT
/*
 * view.c - what a container may resolve: a snapshot of the state store's
 * names, read again whenever the store changed.
 *
 * DOC: Theory of operation
 * The names live in memory (struct dns_snap): every endpoint on a network
 * with DNS on (a user-defined bridge network without
 * com.docker.network.bridge.enable_dns=false), with its container's name,
 * short id, NAME.NETWORK and aliases as keys of one hash table, and its
 * addresses as keys of the same table for PTR and for finding the asker.
 * A query costs a few hash probes instead of SQL statements.
 *
 * It is never stale: before answering, the caller asks dns_snap_get(),
 * which runs the prepared "PRAGMA data_version" on the store's connection
 * (one read transaction, no table read) and reads the store again, in one
 * read transaction, when any other connection committed since.  The main
 * loop asks once per batch of queries, after receiving them: each query in
 * the batch was sent after every commit that returned before it was sent,
 * so a name resolves the moment `run`/`connect` returns and stops the
 * moment `rm`/`stop`/`disconnect` returns, as when each query was SQL.
 *
 * The asker is the endpoint holding the query's source address on the
 * network whose gateway the query arrived on; it sees the endpoints of
 * every network its container is attached to whose DNS is on, and nothing
 * else.  Snapshots are immutable and reference-counted, so a TCP thread
 * answers from the one it got while the main loop replaces it.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "view.h"

/* DNS on: a user-defined bridge network whose enable_dns option is not false. */
#define DNS_ON(n) "(" n ".builtin = 0 AND " n ".driver = 'bridge' AND lower(coalesce(" \
	"json_extract(" n ".options, '$.\"com.docker.network.bridge.enable_dns\"'), 'true'))" \
	" NOT IN ('false', '0', 'f'))"

static const char sql_nets[] =
	"SELECT id, coalesce(gateway, ''), coalesce(gateway6, ''), internal, name FROM networks n"
	" WHERE " DNS_ON("n") " ORDER BY id";

/* a container's endpoints come one after the other */
static const char sql_eps[] =
	"SELECT e.network_id, c.id, c.name, e.addr, e.addr6, e.aliases FROM endpoints e"
	" JOIN containers c ON c.id = e.container_id JOIN networks n ON n.id = e.network_id"
	" WHERE " DNS_ON("n") " ORDER BY c.id";

#define NO_NAME UINT32_MAX

/* One endpoint; those of one container are eps[first .. first + n). */
struct snap_ep {
	uint32_t net;			/* index in nets */
	uint32_t first, n;
	uint32_t fqdn;			/* "NAME.NETWORK", an offset in strs */
	struct cnm_addr addr, addr6;	/* family 0: none */
};

/* A key of the hash table: a name (offset in strs), or NO_NAME: an address of @ep. */
struct snap_key {
	uint32_t hash, ep, name, next;	/* next: index + 1 in keys, 0 ends */
};

struct dns_snap {
	atomic_int refs;
	uint32_t n_nets, n_eps, n_keys, mask;
	uint32_t *nets;			/* network ids (offsets in strs), sorted */
	struct snap_ep *eps;
	struct snap_key *keys;
	uint32_t *buckets;		/* index + 1 in keys, 0: empty */
	char *strs;
	size_t strs_len, strs_cap;
	size_t cap_eps, cap_keys;
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

static int key_add(struct dns_snap *s, uint32_t ep, uint32_t name, uint32_t hash)
{
	if (s->n_keys == s->cap_keys) {
		size_t cap = s->cap_keys ? s->cap_keys * 2 : 64;
		struct snap_key *k = realloc(s->keys, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		s->keys = k;
		s->cap_keys = cap;
	}
	s->keys[s->n_keys++] = (struct snap_key){ hash, ep, name, 0 };
	return 0;
}

static int name_key(struct dns_snap *s, uint32_t ep, const char *a, const char *b)
{
	uint32_t off = str_add(s, a, b, true);

	if (off == NO_NAME)
		return -ENOMEM;
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
	/* backwards, so that each chain lists its keys in the store's order */
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
		int c = strcmp(id, str(s, s->nets[mid]));

		if (!c)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return t ? t : "";
}

/* The aliases of an endpoint, a JSON array of strings, as keys. */
static int alias_keys(struct dns_snap *s, uint32_t ep, const char *json)
{
	json_t *a = json_loads(json, 0, NULL), *v;
	size_t i;
	int rc = 0;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && !rc)
			rc = name_key(s, ep, json_string_value(v), NULL);
	json_decref(a);
	return rc;
}

/* The name of network @i: it follows its id in strs. */
static const char *net_name(const struct dns_snap *s, uint32_t i)
{
	const char *id = str(s, s->nets[i]);

	return id + strlen(id) + 1;
}

/* One row of sql_eps into s->eps and its keys; @same: the previous row's container. */
static int ep_add(struct dns_snap *s, sqlite3_stmt *st, bool same)
{
	const char *cid = col(st, 1), *cname = col(st, 2);
	int net = net_index(s, col(st, 0)), rc;
	uint32_t i = s->n_eps;
	char sid[13], nname[256];
	struct snap_ep *e;

	if (net < 0 || !s->nets)
		return 0;	/* cannot be: one read transaction read both */
	if (s->n_eps == s->cap_eps) {
		size_t cap = s->cap_eps ? s->cap_eps * 2 : 32;

		e = realloc(s->eps, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		s->eps = e;
		s->cap_eps = cap;
	}
	e = &s->eps[s->n_eps++];
	memset(e, 0, sizeof(*e));
	e->net = (uint32_t)net;
	e->first = same ? s->eps[i - 1].first : i;
	for (uint32_t k = e->first; k <= i; k++)
		s->eps[k].n = i - e->first + 1;
	/* a copy: strs may move while it grows */
	snprintf(nname, sizeof(nname), "%s", net_name(s, (uint32_t)net));
	e->fqdn = str_add(s, cname, nname, false);
	if (e->fqdn == NO_NAME)
		return -ENOMEM;
	if (sqlite3_column_text(st, 3))
		cnm_addr_parse(col(st, 3), &e->addr);
	if (sqlite3_column_text(st, 4))
		cnm_addr_parse(col(st, 4), &e->addr6);
	snprintf(sid, sizeof(sid), "%.12s", cid);
	rc = name_key(s, i, cname, NULL);
	rc = rc ? rc : name_key(s, i, sid, NULL);
	rc = rc ? rc : name_key(s, i, cname, nname);
	rc = rc ? rc : alias_keys(s, i, col(st, 5));
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
	free(s->eps);
	free(s->keys);
	free(s->buckets);
	free(s->strs);
	free(s);
}

/* Read the networks and endpoints (inside the caller's read transaction). */
static struct dns_snap *snap_load(sqlite3 *db)
{
	struct dns_snap *s = calloc(1, sizeof(*s));
	sqlite3_stmt *st = NULL;
	char prev[65] = "";
	int step = SQLITE_ERROR, rc = 0;
	size_t cap = 0;

	if (!s || sqlite3_prepare_v2(db, sql_nets, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (s->n_nets == cap) {
			uint32_t *n;

			cap = cap ? cap * 2 : 16;
			n = realloc(s->nets, cap * sizeof(*n));
			if (!n)
				goto fail;
			s->nets = n;
		}
		/* the id, then the name right after it (net_name()) */
		s->nets[s->n_nets] = str_add(s, col(st, 0), NULL, false);
		if (s->nets[s->n_nets] == NO_NAME || str_add(s, col(st, 4), NULL, false) == NO_NAME)
			goto fail;
		s->n_nets++;
	}
	if (step != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, sql_eps, -1, &st, NULL) != SQLITE_OK) {
		st = NULL;
		goto fail;
	}
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cid = col(st, 1);
		uint32_t n = s->n_eps;

		rc = ep_add(s, st, n && !strcmp(prev, cid));
		if (s->n_eps > n)
			snprintf(prev, sizeof(prev), "%s", cid);
	}
	if (rc || step != SQLITE_DONE || index_keys(s))
		goto fail;
	sqlite3_finalize(st);
	atomic_init(&s->refs, 1);
	return s;
fail:
	sqlite3_finalize(st);
	snap_free(s);
	return NULL;
}

/**
 * dns_store_open() - open the store read-only and prepare the version check.
 * @s: filled
 * @state_dir: $CNM_STATE_DIR
 *
 * Return: 0 or a negative errno.
 */
int dns_store_open(struct dns_store *s, const char *state_dir)
{
	char path[4200];

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	snprintf(path, sizeof(path), "%s/cnm.db", state_dir);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		goto fail;
	/*
	 * Queries no longer run SQL: no lookaside (120 KB per connection to
	 * speed up statements we run once per change) and a small cache.
	 */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_LOOKASIDE, NULL, 0, 0);
	sqlite3_exec(s->db, "PRAGMA cache_size=-64; PRAGMA query_only=1;", NULL, NULL, NULL);
	sqlite3_busy_timeout(s->db, 1000);
	if (sqlite3_prepare_v3(s->db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
			       &s->version, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "cnm-dns: %s: %s\n", path, s->db ? sqlite3_errmsg(s->db) : "no memory");
	dns_store_close(s);
	return -EIO;
}

/** dns_store_close() - close the connection and drop the snapshot. */
void dns_store_close(struct dns_store *s)
{
	sqlite3_finalize(s->version);
	sqlite3_close(s->db);
	dns_snap_put(s->snap);
	pthread_mutex_destroy(&s->lock);
	memset(s, 0, sizeof(*s));
}

/**
 * dns_store_nets() - the networks to listen on, with their gateways.
 * @s: the store
 * @out: malloc'ed array
 * @n: its length
 *
 * Return: 0 or a negative errno.
 */
int dns_store_nets(struct dns_store *s, struct dns_net **out, size_t *n)
{
	struct dns_net *v = NULL;
	sqlite3_stmt *st;
	size_t len = 0;
	int rc = 0, step;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, sql_nets, -1, &st, NULL) != SQLITE_OK) {
		pthread_mutex_unlock(&s->lock);
		return -EIO;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct dns_net *nv = realloc(v, (len + 1) * sizeof(*v));

		if (!nv) {
			rc = -ENOMEM;
			break;
		}
		v = nv;
		snprintf(v[len].id, sizeof(v[len].id), "%s", col(st, 0));
		snprintf(v[len].gw, sizeof(v[len].gw), "%s", col(st, 1));
		snprintf(v[len].gw6, sizeof(v[len].gw6), "%s", col(st, 2));
		v[len].internal = sqlite3_column_int(st, 3);
		len++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(st);
	sqlite3_db_release_memory(s->db);
	pthread_mutex_unlock(&s->lock);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

/* The store's data_version, or -1 when it cannot be read.  Under s->lock. */
static int64_t data_version(struct dns_store *s)
{
	int64_t v = -1;

	if (sqlite3_step(s->version) == SQLITE_ROW)
		v = sqlite3_column_int64(s->version, 0);
	sqlite3_reset(s->version);
	return v;
}

/* Read the store again, the version and the names in one read transaction. */
static int reload(struct dns_store *s)
{
	struct dns_snap *snap = NULL;
	int64_t v;

	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -EIO;
	v = data_version(s);
	if (v >= 0)
		snap = snap_load(s->db);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	/* the pages read are not needed until the next change */
	sqlite3_db_release_memory(s->db);
	malloc_trim(0);
	if (!snap)
		return -EIO;
	dns_snap_put(s->snap);
	s->snap = snap;
	s->seen = v;
	return 0;
}

/**
 * dns_snap_get() - the names as the store has them now.
 * @s: the store
 *
 * Costs one "PRAGMA data_version" when nothing changed since the last call,
 * and a read of the store when something did.  Safe from any thread.
 *
 * Return: a snapshot to release with dns_snap_put(), or NULL when the store
 * cannot be read (the caller must not answer from an older one).
 */
struct dns_snap *dns_snap_get(struct dns_store *s)
{
	struct dns_snap *snap = NULL;
	int64_t v;

	pthread_mutex_lock(&s->lock);
	v = data_version(s);
	if (v >= 0 && (!s->snap || v != s->seen) && reload(s))
		v = -1;
	if (v >= 0) {
		snap = s->snap;
		atomic_fetch_add(&snap->refs, 1);
	}
	pthread_mutex_unlock(&s->lock);
	return snap;
}

/** dns_snap_put() - release a snapshot from dns_snap_get() (NULL: nothing). */
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

static bool seen_before(const struct cnm_addr *out, int n, const struct snap_ep *e)
{
	/* out holds pairs (addr, addr6) of earlier endpoints, flattened */
	for (int i = 0; i < n; i++)
		if ((e->addr.family && !cnm_addr_cmp(&out[i], &e->addr)) ||
		    (e->addr6.family && !cnm_addr_cmp(&out[i], &e->addr6)))
			return true;
	return false;
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
		if (seen_before(out, n, e))
			continue;
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

/* Forward for containers of the network only, and never from an internal one. */
static bool view_may_forward(void *arg)
{
	const struct dns_asker *a = arg;

	return !a->net->internal && a->ep >= 0;
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
