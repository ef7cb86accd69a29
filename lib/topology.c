// SPDX-License-Identifier: MIT
/*
 * topology.c - what `cnm topology` shows: the store's networks, containers
 * and ports, each matched with what the kernel has.
 *
 * DOC: Theory of operation
 * The store knows the names (which bridge is which network, which veth is
 * whose, which ports were published); only the kernel knows what is really
 * there.  So the picture is read from both: one snapshot of the host's links
 * and addresses, one of each running container's namespace (through its
 * /run/netns mount), and every object drawn is the kernel's, found by the
 * name the store gives it.  What the store names but the kernel lacks is
 * drawn as missing; veths on a cnm bridge that no endpoint claims are drawn
 * as orphans; so the picture never hides a disagreement.  Interface
 * indexes and MACs come from the kernel only.  Rendering (text, dot, svg)
 * is in topology_render.c and topology_svg.c and reads nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "container.h"
#include "ports.h"
#include "topology.h"

static int grow(void **v, size_t n, size_t size)
{
	void *nv = realloc(*v, (n + 1) * size);

	if (!nv)
		return -ENOMEM;
	*v = nv;
	return 0;
}

static int uplink_cb(const struct cnm_cidr *dst, const char *dev, void *data)
{
	if (dst->prefix == 0 && dev[0]) {
		snprintf(data, 16, "%s", dev);
		return 1;
	}
	return 0;
}

static bool read_flag(const char *path)
{
	FILE *f = fopen(path, "re");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	return c == '1';
}

/* All networks when none were named, else those in @picked. */
static bool net_wanted(const struct cnm_net *n, const struct cnm_net *picked, size_t n_picked)
{
	if (!n_picked)
		return true;
	for (size_t i = 0; i < n_picked; i++)
		if (!strcmp(picked[i].id, n->id))
			return true;
	return false;
}

/* The bridge networks, in creation order, or those named in @want. */
static int read_nets(struct cnm_ctx *ctx, const char *const *want, size_t n_want,
		     struct cnm_topo *t, struct cnm_err *err)
{
	struct cnm_net *picked = calloc(n_want + 1, sizeof(*picked));
	sqlite3_stmt *st = NULL;
	size_t got = 0;
	int rc = 0;

	if (!picked)
		return cnm_errf(err, ENOMEM, "out of memory");
	for (; got < n_want; got++) {
		rc = cnm_net_get(ctx, want[got], &picked[got], err);
		if (rc)
			goto out;
		if (strcmp(picked[got].driver, "bridge")) {
			rc = cnm_errf(err, EINVAL, "network %s uses the %s driver: only bridge"
				      " networks have a topology", want[got], picked[got].driver);
			got++;
			goto out;
		}
	}
	rc = cnm_store_prepare(ctx, "SELECT id FROM networks WHERE driver = 'bridge'"
			       " ORDER BY builtin DESC, created, name", &st, err);
	if (rc)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct topo_net *tn;

		if (grow((void **)&t->nets, t->n_nets, sizeof(*t->nets))) {
			rc = cnm_errf(err, ENOMEM, "out of memory");
			goto out;
		}
		tn = &t->nets[t->n_nets];
		memset(tn, 0, sizeof(*tn));
		rc = cnm_net_get_id(ctx, (const char *)sqlite3_column_text(st, 0), &tn->net, err);
		if (rc)
			goto out;
		if (!net_wanted(&tn->net, picked, n_want)) {
			cnm_net_free(&tn->net);
			continue;
		}
		tn->br = cnm_kstate_link(&t->host, tn->net.bridge);
		t->n_nets++;
	}
out:
	sqlite3_finalize(st);
	for (size_t i = 0; i < got; i++)
		cnm_net_free(&picked[i]);
	free(picked);
	return rc;
}

static const struct cnm_klink *ns_link(const struct cnm_kstate *ks, const char *name)
{
	return ks->n_links ? cnm_kstate_link(ks, name) : NULL;
}

static int read_ports(struct cnm_ctx *ctx, struct topo_ctr *tc, struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "SELECT proto, host_ip, host_port, container_ip,"
			       " container_port FROM ports WHERE container_id = ?"
			       " ORDER BY host_port, proto", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, tc->c.id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *hip = (const char *)sqlite3_column_text(st, 1);
		struct topo_port *p;

		if (grow((void **)&tc->ports, tc->n_ports, sizeof(*p))) {
			rc = cnm_errf(err, ENOMEM, "out of memory");
			break;
		}
		p = &tc->ports[tc->n_ports++];
		p->proto = cnm_proto_name((uint8_t)sqlite3_column_int(st, 0));
		snprintf(p->host, sizeof(p->host), strchr(hip ? hip : "", ':') ? "[%s]:%d" : "%s:%d",
			 hip ? hip : "", sqlite3_column_int(st, 2));
		cnm_col_text(st, 3, p->cip, sizeof(p->cip));
		p->cport = sqlite3_column_int(st, 4);
	}
	sqlite3_finalize(st);
	return rc;
}

/* One running container: its endpoints on the networks shown, kernel-matched. */
static int read_ctr(struct cnm_ctx *ctx, const char *id, struct cnm_topo *t, struct cnm_err *err)
{
	struct topo_ctr tc = { 0 };
	struct cnm_ep *eps = NULL;
	struct cnm_err ignored;
	size_t n = 0;
	int rc;

	rc = cnm_ctr_get_id(ctx, id, &tc.c, err);
	if (!rc)
		rc = cnm_ep_list(ctx, id, &eps, &n, err);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < t->n_nets; j++) {
			struct topo_ep *te;

			if (strcmp(eps[i].network_id, t->nets[j].net.id))
				continue;
			if (grow((void **)&tc.eps, tc.n_eps, sizeof(*te))) {
				rc = cnm_errf(err, ENOMEM, "out of memory");
				goto out;
			}
			te = &tc.eps[tc.n_eps++];
			memset(te, 0, sizeof(*te));
			te->ep = eps[i];
			te->net = j;
		}
	}
	if (!tc.n_eps)
		goto out;
	cnm_netns_path(ctx, tc.c.name, tc.nspath, sizeof(tc.nspath));
	/* a namespace that cannot be read is shown as such, not an error */
	tc.ns_ok = cnm_kstate_read_netns(tc.nspath, &tc.ks, &ignored) == 0;
	rc = read_ports(ctx, &tc, err);
	if (rc)
		goto out;
	if (grow((void **)&t->ctrs, t->n_ctrs, sizeof(tc))) {
		rc = cnm_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	t->ctrs[t->n_ctrs++] = tc;
	memset(&tc, 0, sizeof(tc));
out:
	free(eps);
	cnm_ctr_free(&tc.c);
	cnm_kstate_free(&tc.ks);
	free(tc.eps);
	free(tc.ports);
	return rc;
}

/* Pointers into the snapshots are taken once every array has stopped moving. */
static void link_eps(struct cnm_topo *t)
{
	for (size_t i = 0; i < t->n_ctrs; i++) {
		struct topo_ctr *tc = &t->ctrs[i];

		for (size_t j = 0; j < tc->n_eps; j++) {
			struct topo_ep *te = &tc->eps[j];

			te->hveth = te->ep.host_ifname[0] ? cnm_kstate_link(&t->host,
									   te->ep.host_ifname) : NULL;
			te->ceth = ns_link(&tc->ks, te->ep.ifname);
		}
	}
	for (size_t j = 0; j < t->n_nets; j++)
		t->nets[j].br = cnm_kstate_link(&t->host, t->nets[j].net.bridge);
}

/**
 * cnm_topo_is_orphan() - @l is a veth on a shown cnm bridge that no shown
 * endpoint claims.
 */
bool cnm_topo_is_orphan(const struct cnm_topo *t, const struct cnm_klink *l)
{
	if (strcmp(l->kind, "veth"))
		return false;
	for (size_t i = 0; i < t->n_ctrs; i++)
		for (size_t j = 0; j < t->ctrs[i].n_eps; j++)
			if (t->ctrs[i].eps[j].hveth == l)
				return false;
	return true;
}

/**
 * cnm_topo_read() - gather the picture of @networks (all bridge networks when
 * @n is 0) from the store and the kernel.
 * Return: 0 or a negative errno (-ENOENT naming an unknown network).
 */
int cnm_topo_read(struct cnm_ctx *ctx, const char *const *networks, size_t n,
		  struct cnm_topo *t, struct cnm_err *err)
{
	sqlite3_stmt *st = NULL;
	struct cnm_nl *nl;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = cnm_ctx_nl(ctx, &nl, err);
	if (!rc)
		rc = cnm_kstate_read(nl, &t->host, err);
	if (!rc && cnm_nl_routes(nl, AF_INET, uplink_cb, t->uplink, err) < 0)
		rc = -EIO;
	if (rc)
		goto out;
	t->forwarding = read_flag("/proc/sys/net/ipv4/ip_forward");
	rc = read_nets(ctx, networks, n, t, err);
	if (rc)
		goto out;
	rc = cnm_store_prepare(ctx, "SELECT id FROM containers WHERE state = 'running'"
			       " ORDER BY created, name", &st, err);
	while (!rc && sqlite3_step(st) == SQLITE_ROW)
		rc = read_ctr(ctx, (const char *)sqlite3_column_text(st, 0), t, err);
	link_eps(t);
out:
	sqlite3_finalize(st);
	if (rc)
		cnm_topo_free(t);
	return rc;
}

void cnm_topo_free(struct cnm_topo *t)
{
	for (size_t i = 0; i < t->n_nets; i++)
		cnm_net_free(&t->nets[i].net);
	for (size_t i = 0; i < t->n_ctrs; i++) {
		cnm_ctr_free(&t->ctrs[i].c);
		cnm_kstate_free(&t->ctrs[i].ks);
		free(t->ctrs[i].eps);
		free(t->ctrs[i].ports);
	}
	free(t->nets);
	free(t->ctrs);
	cnm_kstate_free(&t->host);
	memset(t, 0, sizeof(*t));
}

/**
 * cnm_topology() - draw the bridge networks @networks (all when @n is 0),
 * their veth pairs, containers, published ports and the way out, as the
 * kernel has them now.
 * @ctx: open context
 * @networks: names, ids or id prefixes
 * @n: how many
 * @fmt: a text tree, Graphviz dot source, or SVG rendered by Graphviz
 * @out: where it is written
 * @err: filled on failure
 *
 * Return: 0 or a negative errno.
 */
int cnm_topology(struct cnm_ctx *ctx, const char *const *networks, size_t n,
		 enum cnm_topology_format fmt, FILE *out, struct cnm_err *err)
{
	struct cnm_topo t;
	char *dot = NULL;
	size_t len = 0;
	FILE *mem;
	int rc;

	rc = cnm_topo_read(ctx, networks, n, &t, err);
	if (rc)
		return rc;
	if (fmt == CNM_TOPOLOGY_TEXT) {
		cnm_topo_text(&t, out);
	} else if (fmt == CNM_TOPOLOGY_DOT) {
		cnm_topo_dot(&t, out);
	} else {
		mem = open_memstream(&dot, &len);
		if (!mem) {
			rc = cnm_errf(err, ENOMEM, "out of memory");
			goto out;
		}
		cnm_topo_dot(&t, mem);
		fclose(mem);
		rc = cnm_topo_svg(dot, len, out, err);
	}
out:
	free(dot);
	cnm_topo_free(&t);
	return rc;
}
