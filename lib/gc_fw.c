// SPDX-License-Identifier: MIT
/*
 * gc_fw.c - gc's firewall pass: the `inet cnm` table holds exactly the
 * elements the store implies.
 *
 * DOC: Theory of operation
 * The store implies each network's elements (bridges, self, internal,
 * nets/masq subnets) and each live container's published ports.  The table
 * is listed once, as JSON through libnftables (gc is rare, so the library's
 * cost does not matter here), and every element is turned into one line of
 * text, "SET KEY [: DATA]", in the syntax nft itself reads; the store's
 * elements are written the same way.  Lines only in the table belong to
 * nobody and are deleted (`delete element`); lines only in the store are
 * put back by the owner's own code (cnm_fw_network_add, cnm_publish_fw),
 * which re-adds all of the owner's elements (adding one that exists is
 * not an error).  Elements of a run in progress or of a bridge not made
 * yet are tolerated either way.  A missing table is re-created first.
 * The anti-spoofing table `bridge cnm` is held to the endpoints: no element
 * of a veth that is gone and no endpoint's, and every live endpoint's.
 * Chains with the rules of an earlier cnm get today's (gc_rules).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <unistd.h>
#include <jansson.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <string.h>
#include "container.h"
#include "driver.h"
#include "firewall.h"
#include "gc.h"
#include "nlattr.h"
#include "ports.h"
#include "publish.h"

enum want { TOLERATED, EXPECTED };

struct elem {
	char text[256];		/* "set key : data" */
	enum want want;
	bool is_net;		/* owner: a network (else a container) */
	char owner[CNM_ID_LEN + 1];
	char owner_name[CNM_NAME_MAX + 1];
	bool seen;
};

struct elems {
	struct elem *v;
	size_t n;
};

static void add(struct elems *e, enum want want, bool is_net, const char *id, const char *name,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void add(struct elems *e, enum want want, bool is_net, const char *id, const char *name,
		const char *fmt, ...)
{
	struct elem *nv = realloc(e->v, (e->n + 1) * sizeof(*nv));
	va_list ap;

	if (!nv)
		return;
	e->v = nv;
	memset(&nv[e->n], 0, sizeof(nv[e->n]));
	va_start(ap, fmt);
	vsnprintf(nv[e->n].text, sizeof(nv[e->n].text), fmt, ap);
	va_end(ap);
	nv[e->n].want = want;
	nv[e->n].is_net = is_net;
	snprintf(nv[e->n].owner, sizeof(nv[e->n].owner), "%s", id);
	snprintf(nv[e->n].owner_name, sizeof(nv[e->n].owner_name), "%s", name);
	e->n++;
}

/* Every element the store implies for one network (see firewall.c). */
static void net_elems(struct elems *e, const struct cnm_net *n, enum want w)
{
	const struct { bool has; const struct cnm_pool *p; const char *nets, *masq; } f[2] = {
		{ n->has_pool, &n->pool, "nets4", "masq4" },
		{ n->has_pool6, &n->pool6, "nets6", "masq6" },
	};
	bool masq = n->masquerade && !n->internal;

	add(e, w, true, n->id, n->name, "bridges \"%s\"", n->bridge);
	add(e, w, true, n->id, n->name, "self \"%s\" . \"%s\"", n->bridge, n->bridge);
	if (n->internal)
		add(e, w, true, n->id, n->name, "internal \"%s\"", n->bridge);
	for (int i = 0; i < 2; i++) {
		char s[CNM_CIDRSTRLEN];

		if (!f[i].has)
			continue;
		cnm_cidr_format(&f[i].p->subnet, s);
		add(e, w, true, n->id, n->name, "%s %s", f[i].nets, s);
		if (masq)
			add(e, w, true, n->id, n->name, "%s %s", f[i].masq, s);
	}
}

static int store_elems(struct cnm_gc_run *g, struct elems *e, struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(g->ctx, "SELECT id FROM networks WHERE driver = 'bridge'", &st, err);
	if (rc)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct cnm_net n;

		if (cnm_net_get_id(g->ctx, (const char *)sqlite3_column_text(st, 0), &n, NULL))
			continue;
		net_elems(e, &n, cnm_kstate_link(&g->host, n.bridge) ? EXPECTED
										 : TOLERATED);
		cnm_net_free(&n);
	}
	sqlite3_finalize(st);
	rc = cnm_store_prepare(g->ctx, "SELECT p.proto, p.host_ip, p.host_port, p.container_ip,"
			       " p.container_port, c.id FROM ports p JOIN containers c ON c.id ="
			       " p.container_id", &st, err);
	if (rc)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *hip = (const char *)sqlite3_column_text(st, 1);
		const char *cip = (const char *)sqlite3_column_text(st, 3);
		struct cnm_ctr c;
		struct cnm_addr a;
		enum want w;
		bool any, v6;
		char key[128];

		if (cnm_ctr_get_id(g->ctx, (const char *)sqlite3_column_text(st, 5), &c, NULL))
			continue;
		if (cnm_ctr_alive(&c))
			w = EXPECTED;
		else if (!strcmp(c.state, "creating") && cnm_pid_alive(c.monitor_pid))
			w = TOLERATED;
		else {
			cnm_ctr_free(&c);
			continue;
		}
		cnm_addr_parse(hip, &a);
		v6 = a.family == AF_INET6;
		any = !memcmp(a.b, (uint8_t[16]){ 0 }, 16);
		snprintf(key, sizeof(key), "%s%s%s . %d", any ? "" : hip, any ? "" : " . ",
			 cnm_proto_name((uint8_t)sqlite3_column_int(st, 0)),
			 sqlite3_column_int(st, 2));
		add(e, w, false, c.id, c.name, "%s %s : %s . %d",
		    v6 ? (any ? "ports6" : "ports6_ip") : (any ? "ports4" : "ports4_ip"), key, cip,
		    sqlite3_column_int(st, 4));
		cnm_ctr_free(&c);
	}
	sqlite3_finalize(st);
	return 0;
}

/* One JSON value in nft's own syntax; @quote: strings are interface names. */
static void value_text(json_t *v, bool quote, char *out, size_t len)
{
	json_t *x;

	out[0] = '\0';
	if (json_is_object(v) && (x = json_object_get(v, "elem")))
		v = json_object_get(x, "val");
	if (json_is_string(v)) {
		snprintf(out, len, quote ? "\"%s\"" : "%s", json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(out, len, "%lld", (long long)json_integer_value(v));
	} else if (json_is_object(v) && (x = json_object_get(v, "concat"))) {
		size_t i, used = 0;
		json_t *part;

		json_array_foreach(x, i, part) {
			char p[128];

			value_text(part, quote, p, sizeof(p));
			used += (size_t)snprintf(out + used, len > used ? len - used : 0, "%s%s",
						 i ? " . " : "", p);
		}
	} else if (json_is_object(v) && (x = json_object_get(v, "prefix"))) {
		snprintf(out, len, "%s/%lld", json_string_value(json_object_get(x, "addr")),
			 (long long)json_integer_value(json_object_get(x, "len")));
	} else if (json_is_object(v) && (x = json_object_get(v, "range"))) {
		snprintf(out, len, "%s-%s", json_string_value(json_array_get(x, 0)),
			 json_string_value(json_array_get(x, 1)));
	}
}

/* Lines of the table as it is: "set key [: data]". */
static void table_elems(json_t *root, struct elems *actual)
{
	json_t *items = json_object_get(root, "nftables"), *it;
	size_t i;

	json_array_foreach(items, i, it) {
		json_t *s = json_object_get(it, "set"), *el;
		bool is_map = false;
		const char *name;
		size_t k;

		if (!s) {
			s = json_object_get(it, "map");
			is_map = true;
		}
		if (!s || !(name = json_string_value(json_object_get(s, "name"))))
			continue;
		json_array_foreach(json_object_get(s, "elem"), k, el) {
			bool quote = !strcmp(name, "bridges") || !strcmp(name, "self") ||
				     !strcmp(name, "internal");
			char key[160], data[96];

			if (is_map && json_is_array(el)) {
				value_text(json_array_get(el, 0), false, key, sizeof(key));
				value_text(json_array_get(el, 1), false, data, sizeof(data));
				add(actual, EXPECTED, false, "", "", "%s %s : %s", name, key, data);
			} else {
				value_text(el, quote, key, sizeof(key));
				add(actual, EXPECTED, false, "", "", "%s %s", name, key);
			}
		}
	}
}

static struct elem *find(struct elems *e, const char *text)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->v[i].text, text))
			return &e->v[i];
	return NULL;
}

/* The host bridge whose subnet holds @a, or NULL. */
static const struct cnm_klink *bridge_holding(const struct cnm_gc_run *g, const struct cnm_addr *a)
{
	for (size_t i = 0; i < g->host.n_addrs; i++) {
		const struct cnm_klink *l = cnm_kstate_link_at(&g->host, g->host.addrs[i].index);

		if (l && !strcmp(l->kind, "bridge") && cnm_cidr_contains(&g->host.addrs[i].cidr, a))
			return l;
	}
	return NULL;
}

static bool ours(struct cnm_gc_run *g, const char *bridge)
{
	sqlite3_stmt *st;
	bool found = false;

	if (cnm_store_prepare(g->ctx, "SELECT 1 FROM networks WHERE bridge = ?", &st, NULL))
		return true;
	sqlite3_bind_text(st, 1, bridge, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/*
 * An element this store does not imply may be another store's (the CNI
 * plugin keeps its own store and shares the table): it is another's when
 * it names an existing bridge, or a subnet or address behind an existing
 * bridge, that this store does not know.  Only dangling elements go.
 */
static bool claimed_elsewhere(struct cnm_gc_run *g, const char *text)
{
	char set[32], name[32], addr[CNM_ADDRSTRLEN];
	const char *data = strstr(text, " : ");
	struct cnm_cidr c;
	struct cnm_addr a;
	const struct cnm_klink *br;

	if (sscanf(text, "%31s \"%31[^\"]\"", set, name) == 2)
		return cnm_kstate_link(&g->host, name) != NULL && !ours(g, name);
	if (data && sscanf(data + 3, "%45[^ ]", addr) == 1 && !cnm_addr_parse(addr, &a))
		return (br = bridge_holding(g, &a)) && !ours(g, br->name);
	if (sscanf(text, "%31s %45s", set, addr) == 2 && !cnm_cidr_parse(addr, &c))
		return (br = bridge_holding(g, &c.addr)) && !ours(g, br->name);
	return false;
}

/* A bridge named like cnm's (br-<12 hex>) that no store claims, not even in the table. */
static void orphan_bridges(struct cnm_gc_run *g, struct elems *have)
{
	for (size_t i = 0; i < g->host.n_links; i++) {
		const struct cnm_klink *l = &g->host.links[i];
		char text[64];

		if (strcmp(l->kind, "bridge") || strncmp(l->name, "br-", 3) || strlen(l->name) != 15 ||
		    !cnm_is_hex(l->name + 3, 12) || ours(g, l->name))
			continue;
		snprintf(text, sizeof(text), "bridges \"%s\"", l->name);
		if (find(have, text))
			continue;
		cnm_gc_note(g, "delete it", "deleted it", "bridge %s belongs to no network", l->name);
		if (!g->dry)
			cnm_link_delete(g->ctx, l->name, NULL);
	}
}

/* Put an owner's elements back (all of them: adding an existing one is fine). */
static int readd(struct cnm_gc_run *g, const struct elem *el, struct cnm_err *err)
{
	struct cnm_net n;
	int rc;

	if (!el->is_net)
		return cnm_publish_fw(g->ctx, el->owner, true, err);
	rc = cnm_net_get_id(g->ctx, el->owner, &n, err);
	if (rc)
		return rc;
	rc = cnm_fw_network_add(g->ctx, &n, err);
	cnm_net_free(&n);
	return rc;
}

/* Does an endpoint of this store use host veth @name? */
static bool veth_ours(struct cnm_gc_run *g, const char *name)
{
	sqlite3_stmt *st;
	bool found;

	if (cnm_store_prepare(g->ctx, "SELECT 1 FROM endpoints WHERE host_ifname = ?", &st, NULL))
		return true;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* The veth an anti-spoofing element is keyed by (its first field), or NULL. */
static const char *antispoof_veth(json_t *el)
{
	json_t *x = json_object_get(el, "elem"), *concat;

	if (x) /* an element with a comment, as cnm makes them: {"elem": {"val": ...}} */
		el = json_object_get(x, "val");
	concat = json_object_get(el, "concat");
	return json_string_value(concat ? json_array_get(concat, 0) : el);
}

/* Does set @set of `bridge cnm` (@items, NULL: no table) key an element by @veth? */
static bool antispoof_has(json_t *items, const char *set, const char *veth)
{
	json_t *it, *el;
	size_t i, k;

	json_array_foreach(items, i, it) {
		json_t *s = json_object_get(it, "set");
		const char *name = json_string_value(json_object_get(s, "name"));
		const char *v;

		if (!name || strcmp(name, set))
			continue;
		json_array_foreach(json_object_get(s, "elem"), k, el)
			if ((v = antispoof_veth(el)) && !strcmp(v, veth))
				return true;
	}
	return false;
}

/*
 * Every endpoint of a live container whose veth exists sends as its
 * container only: its elements (ports, macs, src4) are there, else a hand
 * that deleted the table or an element left it free to spoof, or (src4)
 * cut it off.  A CNI endpoint may have asked for none ("macspoofchk"
 * false, not stored): the runtime's CHECK is the judge there.
 */
static int antispoof_missing(struct cnm_gc_run *g, json_t *items, struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(g->ctx, "SELECT id FROM containers WHERE state = 'running'"
			       " AND network_mode != 'cni'", &st, err);
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		struct cnm_ep *eps = NULL;
		size_t n = 0;
		struct cnm_ctr c;
		int busy = -1;

		if (!id || cnm_ctr_get_id(g->ctx, id, &c, NULL))
			continue;
		/* held until done: a disconnect deletes the veth's elements after the veth */
		if (!cnm_ctr_alive(&c) ||
		    (busy = cnm_ctr_busy_trylock(g->ctx, c.id)) == -EWOULDBLOCK ||
		    cnm_ep_list(g->ctx, c.id, &eps, &n, NULL))
			n = 0;
		for (size_t k = 0; !rc && k < n; k++) {
			const char *veth = eps[k].host_ifname;
			struct cnm_net net;

			if (!veth[0] || !cnm_kstate_link(&g->host, veth) ||
			    (antispoof_has(items, "ports", veth) && antispoof_has(items, "macs", veth) &&
			     (!eps[k].has_addr || antispoof_has(items, "src4", veth))))
				continue;
			if (cnm_net_get_id(g->ctx, eps[k].network_id, &net, NULL))
				continue;
			cnm_gc_note(g, "put them back", "put them back", "container %s: %s on network"
				    " %s: anti-spoofing elements of veth %s are missing", c.name,
				    eps[k].ifname, net.name, veth);
			if (!g->dry)
				rc = cnm_fw_endpoint_add(g->ctx, &net, &eps[k], err);
			cnm_net_free(&net);
		}
		if (busy >= 0)
			close(busy);
		free(eps);
		cnm_ctr_free(&c);
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Anti-spoofing (`bridge cnm`): every element is keyed by a host veth.  One
 * whose veth is gone and that no endpoint of this store names belongs to
 * nobody; a veth that exists may be another store's, and an endpoint's
 * elements exist before its veth does, so both are left alone.  Then what
 * live endpoints miss is put back (antispoof_missing).
 */
static int gc_antispoof(struct cnm_gc_run *g, struct cnm_err *err)
{
	json_t *root = NULL, *items, *it;
	char *text = NULL;
	size_t i;
	int rc;

	if (!cnm_fw_list_table_json(g->ctx, "bridge cnm", &text, NULL))
		root = json_loads(text, 0, NULL);
	items = json_object_get(root, "nftables");
	json_array_foreach(items, i, it) {
		json_t *set = json_object_get(it, "set"), *el;
		const char *name = json_string_value(json_object_get(set, "name"));
		size_t k;

		if (!name)
			continue;
		json_array_foreach(json_object_get(set, "elem"), k, el) {
			char key[256], cmd[400];
			const char *veth = antispoof_veth(el);

			if (!veth || cnm_kstate_link(&g->host, veth) || veth_ours(g, veth))
				continue;
			value_text(el, false, key, sizeof(key));
			cnm_gc_note(g, "delete it", "deleted it", "anti-spoofing element %s %s belongs"
				    " to no endpoint (veth %s is gone)", name, key, veth);
			if (g->dry)
				continue;
			/* the interface name is a string in nft's syntax: quote it */
			snprintf(cmd, sizeof(cmd), "delete element bridge cnm %s { \"%s\"%s }", name,
				 veth, key + strlen(veth));
			cnm_fw_run(g->ctx, cmd, "delete element", NULL);
		}
	}
	rc = antispoof_missing(g, items, err);
	json_decref(root);
	free(text);
	return rc;
}

/*
 * A chain with the rules of an earlier cnm gives the same verdicts, only
 * slower (fw_migrate.c): today's rules, one transaction per chain.
 */
static int gc_rules(struct cnm_gc_run *g, struct cnm_err *err)
{
	static const struct {
		const char *chain, *what;
		const char *(*def)(void);
	} c[] = {
		{ "inet cnm forward", "firewall", cnm_fw_table_def },
		{ "bridge cnm prerouting", "anti-spoofing", cnm_fw_bridge_table_def },
	};
	int rc = 0;

	for (size_t i = 0; !rc && i < ARRAY_SIZE(c); i++) {
		if (!cnm_fw_chain_outdated(g->ctx, c[i].chain))
			continue;
		cnm_gc_note(g, "update them", "updated them", "%s chain %s has the rules of an"
			    " earlier cnm (same verdicts, slower)", c[i].what, c[i].chain);
		if (!g->dry)
			rc = cnm_fw_chain_update(g->ctx, c[i].def(), c[i].chain, err);
	}
	return rc;
}

/**
 * cnm_gc_fw() - step 5 of gc (see gc.c).
 */
int cnm_gc_fw(struct cnm_gc_run *g, struct cnm_err *err)
{
	struct elems want = { 0 }, have = { 0 };
	char *text = NULL;
	json_t *root = NULL;
	bool table = true, any_expected = false;
	int rc;

	rc = store_elems(g, &want, err);
	if (rc)
		goto out;
	for (size_t i = 0; i < want.n; i++)
		any_expected |= want.v[i].want == EXPECTED;
	rc = cnm_fw_list_json(g->ctx, &text, NULL);
	if (rc == -ENOENT) {
		table = false;
	} else if (rc) {
		goto out;
	}
	if (!table && any_expected) {
		cnm_gc_note(g, "re-create it", "re-created it",
			    "firewall table inet cnm is missing");
		if (!g->dry)
			cnm_fw_create_table(g->ctx);
	}
	if (table) {
		root = json_loads(text, 0, NULL);
		table_elems(root, &have);
	}
	orphan_bridges(g, &have);
	rc = gc_rules(g, err);
	if (!rc)
		rc = gc_antispoof(g, err);
	if (rc)
		goto out;
	/* belongs to nobody: delete (before re-adding: a key may come back with new data) */
	for (size_t i = 0; i < have.n; i++) {
		char set[32], cmd[400];
		const char *key = strchr(have.v[i].text, ' ');
		struct elem *w = find(&want, have.v[i].text);

		if (w) {
			w->seen = true;
			continue;
		}
		if (claimed_elsewhere(g, have.v[i].text))
			continue;
		cnm_gc_note(g, "delete it", "deleted it",
			    "firewall element %s belongs to nothing in the store",
			    have.v[i].text);
		if (g->dry || !key)
			continue;
		snprintf(set, sizeof(set), "%.*s", (int)(key - have.v[i].text), have.v[i].text);
		snprintf(cmd, sizeof(cmd), "delete element inet cnm %s { %.*s }", set,
			 (int)strcspn(key + 1, ":"), key + 1);
		cnm_fw_run(g->ctx, cmd, "delete element", NULL);
	}
	for (size_t i = 0; !rc && i < want.n; i++) {
		struct elem *w = &want.v[i];

		if (w->seen || w->want != EXPECTED)
			continue;
		cnm_gc_note(g, "put back its elements", "put back its elements",
			    "%s %s: firewall element %s is missing",
			    w->is_net ? "network" : "container", w->owner_name, w->text);
		if (!g->dry)
			rc = readd(g, w, err);
		/* the owner's other elements went back with it */
		for (size_t k = i + 1; k < want.n; k++)
			if (!strcmp(want.v[k].owner, w->owner))
				want.v[k].seen = true;
	}
out:
	json_decref(root);
	free(text);
	free(want.v);
	free(have.v);
	return rc;
}

/**
 * cnm_fw_table_exists() - is table inet cnm there?  One NFT_MSG_GETTABLE
 * round trip, no transaction: cheap enough for `network inspect`.
 *
 * Return: 1 when it exists, 0 when not, a negative errno when unknown.
 */
int cnm_fw_table_exists(void)
{
	uint8_t buf[8192] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = nlmsg_put_header(buf);
	struct nfgenmsg *g;
	uint32_t portid;
	int rc = 1, fd;
	ssize_t n;

	fd = nlsock_open(NETLINK_NETFILTER, 0, &portid);
	if (fd < 0)
		return -errno;
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	g = nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = NFPROTO_INET;
	g->version = NFNETLINK_V0;
	nla_put_strz(nlh, NFTA_TABLE_NAME, "cnm");
	if (nlsock_send(fd, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	do {
		n = nlsock_recv(fd, buf, sizeof(buf));
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		rc = nlmsg_run(buf, (size_t)n, 1, portid, NULL, NULL);
	} while (rc > 0);
	rc = rc < 0 ? (errno == ENOENT ? 0 : -errno) : 1;
out:
	close(fd);
	return rc;
}
