// SPDX-License-Identifier: MIT
/*
 * topology_render.c - the picture as a terminal tree and as Graphviz source.
 *
 * DOC: Theory of operation
 * Both renderers walk the same struct cnm_topo in the same order: host and
 * uplink, then each bridge with its subnet, gateway and way out, its veth
 * pairs and, at the other end of each, the container with its namespace,
 * addresses, MAC and published ports.  Every name, index, address and MAC
 * printed is the kernel's; the store only says which belongs to which.  A
 * thing the store expects but the kernel lacks is printed as "MISSING", a
 * veth nobody claims as "orphan", so a test (or a person) can hold the
 * picture against `ip link` and `ip addr` line by line.
 */
#include <string.h>
#include "topology.h"

#define TEE "\u251c\u2500\u2500 "	/* ├── */
#define ELL "\u2514\u2500\u2500 "	/* └── */
#define BAR "\u2502   "		/* │   */
#define GAP "    "

static bool link_local(const struct cnm_cidr *c)
{
	return c->addr.family == AF_INET6 && c->addr.b[0] == 0xfe && (c->addr.b[1] & 0xc0) == 0x80;
}

/* The global addresses of interface @index, space-separated. */
static void addrs_of(const struct cnm_kstate *ks, int index, char *out, size_t len)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ks->n_addrs && at < len; i++) {
		char s[CNM_CIDRSTRLEN];

		if (ks->addrs[i].index != index || link_local(&ks->addrs[i].cidr))
			continue;
		cnm_cidr_format(&ks->addrs[i].cidr, s);
		at += (size_t)snprintf(out + at, len - at, "%s%s", at ? " " : "", s);
	}
}

static void mac_of(const struct cnm_klink *l, char out[18])
{
	if (l && l->has_mac)
		cnm_mac_format(l->mac, out);
	else
		snprintf(out, 18, "-");
}

static const char *way_out(const struct cnm_topo *t, const struct cnm_net *n, char *buf,
			   size_t len)
{
	char s[CNM_CIDRSTRLEN] = "";

	if (n->has_pool)
		cnm_cidr_format(&n->pool.subnet, s);
	if (n->internal)
		return "internal: no way in or out";
	if (!n->masquerade)
		snprintf(buf, len, "routed without NAT (enable_ip_masquerade=false)%s",
			 t->forwarding ? "" : ", but ip_forward is off");
	else
		snprintf(buf, len, "%s masquerade -> %s%s", s, t->uplink[0] ? t->uplink :
			 "(no default route)", t->forwarding ? "" : " (ip_forward is off: blocked)");
	return buf;
}

/* The endpoint whose address a port was published to (the first one, if none). */
static bool port_here(const struct topo_ctr *tc, size_t ep, const struct topo_port *p)
{
	for (size_t j = 0; j < tc->n_eps; j++) {
		char a[CNM_ADDRSTRLEN] = "", a6[CNM_ADDRSTRLEN] = "";

		if (tc->eps[j].ep.has_addr)
			cnm_addr_format(&tc->eps[j].ep.addr, a);
		if (tc->eps[j].ep.has_addr6)
			cnm_addr_format(&tc->eps[j].ep.addr6, a6);
		if (!strcmp(a, p->cip) || !strcmp(a6, p->cip))
			return j == ep;
	}
	return ep == 0;
}

static void text_ep(FILE *out, const struct topo_ctr *tc, size_t k, const char *pre, bool last)
{
	const struct topo_ep *te = &tc->eps[k];
	const char *p2 = last ? GAP : BAR;
	char addrs[512] = "", mac[18];
	size_t n_ports = 0, shown = 0;

	for (size_t i = 0; i < tc->n_ports; i++)
		n_ports += port_here(tc, k, &tc->ports[i]);
	if (te->hveth)
		fprintf(out, "%s%s%s@if%d", pre, last ? ELL : TEE, te->hveth->name, te->hveth->peer);
	else
		fprintf(out, "%s%s%s MISSING", pre, last ? ELL : TEE, te->ep.host_ifname);
	if (te->ceth)
		fprintf(out, " <-> %s@if%d  container %s\n", te->ceth->name, te->ceth->peer,
			tc->c.name);
	else
		fprintf(out, " <-> %s MISSING  container %s\n", te->ep.ifname, tc->c.name);
	fprintf(out, "%s%s" TEE "netns %s%s\n", pre, p2, tc->nspath,
		tc->ns_ok ? "" : " MISSING (cannot be read)");
	if (te->ceth)
		addrs_of(&tc->ks, te->ceth->index, addrs, sizeof(addrs));
	mac_of(te->ceth, mac);
	fprintf(out, "%s%s%s%s %s %s\n", pre, p2, n_ports ? TEE : ELL, te->ep.ifname, mac,
		addrs[0] ? addrs : "(no address)");
	for (size_t i = 0; i < tc->n_ports; i++) {
		const struct topo_port *p = &tc->ports[i];

		if (!port_here(tc, k, p))
			continue;
		fprintf(out, "%s%s%sport %s -> %s:%d/%s\n", pre, p2, ++shown == n_ports ? ELL : TEE,
			p->host, p->cip, p->cport, p->proto);
	}
}

/* Every line below one bridge: way out, veth pairs, orphans. */
static void text_net(FILE *out, const struct cnm_topo *t, size_t j, const char *pre)
{
	const struct topo_net *tn = &t->nets[j];
	size_t n_items = 1, item = 0;
	char buf[256];

	for (size_t i = 0; i < t->n_ctrs; i++)
		for (size_t k = 0; k < t->ctrs[i].n_eps; k++)
			n_items += t->ctrs[i].eps[k].net == j;
	for (size_t i = 0; tn->br && i < t->host.n_links; i++)
		n_items += t->host.links[i].master == tn->br->index &&
			   cnm_topo_is_orphan(t, &t->host.links[i]);
	fprintf(out, "%s%sout: %s\n", pre, ++item == n_items ? ELL : TEE,
		way_out(t, &tn->net, buf, sizeof(buf)));
	for (size_t i = 0; i < t->n_ctrs; i++)
		for (size_t k = 0; k < t->ctrs[i].n_eps; k++)
			if (t->ctrs[i].eps[k].net == j)
				text_ep(out, &t->ctrs[i], k, pre, ++item == n_items);
	for (size_t i = 0; tn->br && i < t->host.n_links; i++) {
		const struct cnm_klink *l = &t->host.links[i];

		if (l->master == tn->br->index && cnm_topo_is_orphan(t, l))
			fprintf(out, "%s%s%s@if%d  orphan: no container claims it\n", pre,
				++item == n_items ? ELL : TEE, l->name, l->peer);
	}
}

/**
 * cnm_topo_text() - the picture as a tree for a terminal.
 */
void cnm_topo_text(const struct cnm_topo *t, FILE *out)
{
	const struct cnm_klink *up = t->uplink[0] ? cnm_kstate_link(&t->host, t->uplink) : NULL;
	char addrs[512] = "", s[CNM_CIDRSTRLEN];

	if (up)
		addrs_of(&t->host, up->index, addrs, sizeof(addrs));
	fprintf(out, "host  uplink %s%s%s  ip_forward=%d\n", up ? up->name : "none (no default route)",
		addrs[0] ? " " : "", addrs, t->forwarding);
	for (size_t j = 0; j < t->n_nets; j++) {
		const struct topo_net *tn = &t->nets[j];
		bool last = j + 1 == t->n_nets;

		fprintf(out, "%sbridge %s  network %s", last ? ELL : TEE, tn->net.bridge,
			tn->net.name);
		if (tn->net.has_pool) {
			cnm_cidr_format(&tn->net.pool.subnet, s);
			fprintf(out, "  subnet %s", s);
		}
		if (tn->net.has_pool6) {
			cnm_cidr_format(&tn->net.pool6.subnet, s);
			fprintf(out, "  subnet %s", s);
		}
		if (tn->br) {
			addrs_of(&t->host, tn->br->index, addrs, sizeof(addrs));
			fprintf(out, "  gateway %s  mtu %d%s\n", addrs[0] ? addrs : "(none)",
				tn->br->mtu, tn->br->up ? "" : "  DOWN");
		} else {
			fprintf(out, "  MISSING (made on first use)\n");
		}
		text_net(out, t, j, last ? GAP : BAR);
	}
	if (!t->n_nets)
		fprintf(out, ELL "(no bridge networks)\n");
}

/* A dot string: names are [a-zA-Z0-9_.-], but quote whatever comes. */
static void dot_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '\n') {
			fputs("\\n", out);
			continue;
		}
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void dot_node(FILE *out, const char *id, const char *label, const char *attrs)
{
	fputs("\t\t", out);
	dot_str(out, id);
	fputs(" [label=", out);
	dot_str(out, label);
	fprintf(out, "%s%s];\n", attrs[0] ? ", " : "", attrs);
}

static void dot_edge(FILE *out, const char *a, const char *b, const char *label, const char *attrs)
{
	fputs("\t", out);
	dot_str(out, a);
	fputs(" -> ", out);
	dot_str(out, b);
	fputs(" [label=", out);
	dot_str(out, label);
	fprintf(out, "%s%s];\n", attrs[0] ? ", " : "", attrs);
}

static void dot_ctr(FILE *out, const struct topo_ctr *tc, size_t i)
{
	char id[64], label[768], addrs[512], mac[18];

	fprintf(out, "\tsubgraph cluster_c%zu {\n\t\tlabel=", i);
	snprintf(label, sizeof(label), "container %s\\n%s", tc->c.name, tc->nspath);
	fprintf(out, "\"%s\"; style=rounded; color=\"#3b7dd8\";\n", label);
	for (size_t k = 0; k < tc->n_eps; k++) {
		const struct topo_ep *te = &tc->eps[k];

		snprintf(id, sizeof(id), "c%zu:%s", i, te->ep.ifname);
		addrs[0] = '\0';
		if (te->ceth)
			addrs_of(&tc->ks, te->ceth->index, addrs, sizeof(addrs));
		mac_of(te->ceth, mac);
		if (te->ceth)
			snprintf(label, sizeof(label), "%s@if%d\n%s\n%s", te->ceth->name, te->ceth->peer,
				 addrs, mac);
		else
			snprintf(label, sizeof(label), "%s MISSING", te->ep.ifname);
		dot_node(out, id, label, "style=filled, fillcolor=\"#dbe8fb\"");
	}
	fprintf(out, "\t}\n");
}

/**
 * cnm_topo_dot() - the picture as Graphviz source: the host namespace and
 * each container namespace are clusters; bridges, veths and uplink nodes;
 * edges for bridge ports, veth pairs, masquerade and published ports.
 */
void cnm_topo_dot(const struct cnm_topo *t, FILE *out)
{
	const struct cnm_klink *up = t->uplink[0] ? cnm_kstate_link(&t->host, t->uplink) : NULL;
	char id[64], id2[64], label[768], addrs[512], s[CNM_CIDRSTRLEN], buf[256];

	fprintf(out, "digraph cnm {\n\trankdir=LR; compound=true;\n"
		"\tnode [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
		"\tedge [fontname=\"Helvetica\", fontsize=9, dir=none];\n"
		"\t\"outside\" [shape=ellipse, label=\"outside world\"];\n"
		"\tsubgraph cluster_host {\n\t\tlabel=\"host (ip_forward=%d)\"; color=\"#555555\";\n",
		t->forwarding);
	addrs[0] = '\0';
	if (up)
		addrs_of(&t->host, up->index, addrs, sizeof(addrs));
	snprintf(label, sizeof(label), "uplink %s\n%s", up ? up->name : "none (no default route)",
		 addrs);
	dot_node(out, "uplink", label, "shape=box, style=filled, fillcolor=\"#eeeeee\"");
	for (size_t j = 0; j < t->n_nets; j++) {
		const struct topo_net *tn = &t->nets[j];

		s[0] = addrs[0] = '\0';
		if (tn->net.has_pool)
			cnm_cidr_format(&tn->net.pool.subnet, s);
		if (tn->br)
			addrs_of(&t->host, tn->br->index, addrs, sizeof(addrs));
		snprintf(label, sizeof(label), "bridge %s%s\nnetwork %s\n%s\ngateway %s",
			 tn->net.bridge, tn->br ? "" : " MISSING", tn->net.name, s,
			 addrs[0] ? addrs : "-");
		snprintf(id, sizeof(id), "br:%s", tn->net.bridge);
		dot_node(out, id, label, "style=filled, fillcolor=\"#fde9c8\"");
		for (size_t i = 0; tn->br && i < t->host.n_links; i++) {
			const struct cnm_klink *l = &t->host.links[i];

			if (l->master != tn->br->index || strcmp(l->kind, "veth"))
				continue;
			snprintf(id, sizeof(id), "h:%s", l->name);
			snprintf(label, sizeof(label), "%s@if%d%s", l->name, l->peer,
				 cnm_topo_is_orphan(t, l) ? "\norphan" : "");
			dot_node(out, id, label, "");
		}
	}
	/* published ports listen on the host: drawn inside it */
	for (size_t i = 0; i < t->n_ctrs; i++) {
		for (size_t p = 0; p < t->ctrs[i].n_ports; p++) {
			const struct topo_port *tp = &t->ctrs[i].ports[p];

			snprintf(id, sizeof(id), "p:%s/%s", tp->host, tp->proto);
			snprintf(label, sizeof(label), "published %s/%s", tp->host, tp->proto);
			dot_node(out, id, label, "shape=note, style=filled, fillcolor=\"#d9f2d9\"");
		}
	}
	fprintf(out, "\t}\n");
	for (size_t i = 0; i < t->n_ctrs; i++)
		dot_ctr(out, &t->ctrs[i], i);
	dot_edge(out, "uplink", "outside", "", "");
	for (size_t j = 0; j < t->n_nets; j++) {
		const struct topo_net *tn = &t->nets[j];

		snprintf(id, sizeof(id), "br:%s", tn->net.bridge);
		if (!tn->net.internal)
			dot_edge(out, id, "uplink", way_out(t, &tn->net, buf, sizeof(buf)),
				 "style=dashed, dir=forward");
		for (size_t i = 0; tn->br && i < t->host.n_links; i++) {
			const struct cnm_klink *l = &t->host.links[i];

			if (l->master != tn->br->index || strcmp(l->kind, "veth"))
				continue;
			snprintf(id2, sizeof(id2), "h:%s", l->name);
			dot_edge(out, id, id2, "", "");
		}
	}
	for (size_t i = 0; i < t->n_ctrs; i++) {
		const struct topo_ctr *tc = &t->ctrs[i];

		for (size_t k = 0; k < tc->n_eps; k++) {
			const struct topo_ep *te = &tc->eps[k];

			snprintf(id2, sizeof(id2), "c%zu:%s", i, te->ep.ifname);
			if (te->hveth) {
				snprintf(id, sizeof(id), "h:%s", te->hveth->name);
				dot_edge(out, id, id2, "veth pair", "penwidth=2");
			}
			for (size_t p = 0; p < tc->n_ports; p++) {
				const struct topo_port *tp = &tc->ports[p];

				if (!port_here(tc, k, tp))
					continue;
				snprintf(id, sizeof(id), "p:%s/%s", tp->host, tp->proto);
				snprintf(label, sizeof(label), "DNAT to %s:%d", tp->cip, tp->cport);
				dot_edge(out, id, id2, label, "style=dashed, dir=forward");
			}
		}
	}
	fprintf(out, "}\n");
}
