// SPDX-License-Identifier: MIT
/*
 * doctor.c - `cnm doctor`: find what keeps containers off the network, and
 * say in one line how to fix each.
 *
 * DOC: Theory of operation
 * Each check reads the kernel, the firewall or the store and adds a finding
 * (check, object, problem, fix) when something is wrong; none changes
 * anything.  Checks about traffic (forwarding, br_netfilter, a foreign
 * FORWARD drop, cnm's table) only speak when a cnm bridge is actually in the
 * kernel: a host with no container network has nothing to forward, and a
 * fresh machine must come out healthy.  Running containers are judged as
 * `cnm gc` judges them (the same function, cnm_ep_fault()), so whatever gc
 * would repair there doctor reports first, with `cnm gc` as the fix.  The
 * store's own integrity is checked last, with SQLite's PRAGMA
 * integrity_check.  The resolver check is a hook the DNS module fills
 * (doctor.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "container.h"
#include "doctor.h"
#include "driver.h"
#include "firewall.h"
#include "gc.h"
#include "kstate.h"
#include "mntns.h"

struct doc {
	struct cnm_ctx *ctx;
	struct cnm_kstate host;
	struct cnm_net *nets;	/* bridge networks whose bridge is in the kernel */
	size_t n_nets;
	struct cnm_finding *f;
	size_t n;
	int rc;			/* -ENOMEM once adding a finding failed */
};

static void add(struct doc *d, const char *check, const char *object, const char *fix,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add(struct doc *d, const char *check, const char *object, const char *fix,
		const char *fmt, ...)
{
	struct cnm_finding *nf = realloc(d->f, (d->n + 1) * sizeof(*nf));
	va_list ap;

	if (!nf) {
		d->rc = -ENOMEM;
		return;
	}
	d->f = nf;
	nf = &d->f[d->n++];
	memset(nf, 0, sizeof(*nf));
	snprintf(nf->check, sizeof(nf->check), "%s", check);
	snprintf(nf->object, sizeof(nf->object), "%s", object);
	snprintf(nf->fix, sizeof(nf->fix), "%s", fix);
	va_start(ap, fmt);
	vsnprintf(nf->problem, sizeof(nf->problem), fmt, ap);
	va_end(ap);
}

static int read_int(const char *path)
{
	FILE *f = fopen(path, "re");
	char buf[32], *end;
	long v = -1;

	if (f) {
		if (fgets(buf, sizeof(buf), f)) {
			v = strtol(buf, &end, 10);
			if (end == buf || v < INT_MIN || v > INT_MAX)
				v = -1;
		}
		fclose(f);
	}
	return (int)v;
}

/* Bridge networks whose bridge exists now: the ones traffic can flow through. */
static int load_nets(struct doc *d, struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(d->ctx, "SELECT id FROM networks WHERE driver = 'bridge'"
			       " ORDER BY builtin DESC, created", &st, err);
	if (rc)
		return rc;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		struct cnm_net n, *nv;

		rc = cnm_net_get_id(d->ctx, (const char *)sqlite3_column_text(st, 0), &n, err);
		if (rc)
			break;
		if (!cnm_kstate_link(&d->host, n.bridge)) {
			cnm_net_free(&n);
			continue;
		}
		nv = realloc(d->nets, (d->n_nets + 1) * sizeof(*nv));
		if (!nv) {
			cnm_net_free(&n);
			rc = cnm_errf(err, ENOMEM, "out of memory");
			break;
		}
		d->nets = nv;
		d->nets[d->n_nets++] = n;
	}
	sqlite3_finalize(st);
	return rc;
}

static void check_forwarding(struct doc *d)
{
	bool v4 = false, v6 = false;
	char who[CNM_NAME_MAX + 8] = "";

	for (size_t i = 0; i < d->n_nets; i++) {
		const struct cnm_net *n = &d->nets[i];

		if (n->internal)
			continue;
		if (!who[0])
			snprintf(who, sizeof(who), "%s", n->bridge);
		v4 |= n->has_pool;
		v6 |= n->has_pool6;
	}
	if (v4 && read_int("/proc/sys/net/ipv4/ip_forward") == 0)
		add(d, "forwarding", "net.ipv4.ip_forward", "sysctl -w net.ipv4.ip_forward=1",
		    "IPv4 forwarding is off: containers on %s cannot reach the outside and"
		    " published ports do not answer", who);
	if (v6 && read_int("/proc/sys/net/ipv6/conf/all/forwarding") == 0)
		add(d, "forwarding", "net.ipv6.conf.all.forwarding",
		    "sysctl -w net.ipv6.conf.all.forwarding=1",
		    "IPv6 forwarding is off: containers cannot reach the outside over IPv6");
}

/* Another firewall's FORWARD policy drop, and br_netfilter feeding it bridged frames. */
static void check_foreign(struct doc *d)
{
	const char *fam;
	char obj[32], fix[384];
	bool open_net = false;

	for (size_t i = 0; i < d->n_nets; i++)
		open_net |= !d->nets[i].internal;
	if (!d->n_nets || !(fam = cnm_fw_forward_drops(d->ctx)))
		return;
	snprintf(obj, sizeof(obj), "%s filter FORWARD", fam);
	if (open_net) {
		snprintf(fix, sizeof(fix), "for each cnm bridge BR: %stables -I FORWARD -i BR -j ACCEPT"
			 " && %stables -I FORWARD -o BR -m conntrack --ctstate RELATED,ESTABLISHED"
			 " -j ACCEPT", fam, fam);
		add(d, "foreign_firewall", obj, fix, "another firewall (Docker, ufw, firewalld?)"
		    " drops forwarded traffic by default (%stables FORWARD policy drop):"
		    " containers cannot reach the outside", fam);
	}
	if (read_int("/proc/sys/net/bridge/bridge-nf-call-iptables") == 1 && !strcmp(fam, "ip"))
		add(d, "br_netfilter", "net.bridge.bridge-nf-call-iptables",
		    "sysctl -w net.bridge.bridge-nf-call-iptables=0 (or iptables -I FORWARD -i BR -o"
		    " BR -j ACCEPT for each cnm bridge BR)",
		    "br_netfilter sends frames bridged between containers through iptables, whose"
		    " FORWARD chain drops them: containers of one network cannot reach each other");
}

/* Rules of chain @chain in the listing: lines of its block that are not its header. */
static int count_rules(const char *listing, const char *chain)
{
	char head[64];
	const char *p;
	int n = 0;

	snprintf(head, sizeof(head), "chain %s {", chain);
	p = strstr(listing, head);
	if (!p)
		return -1;
	p = strchr(p, '\n');
	while (p && *++p) {
		const char *eol = strchr(p, '\n'), *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '}')
			break;
		if (strncmp(q, "type ", 5) && strncmp(q, "comment ", 8) && *q != '\n')
			n++;
		p = eol;
	}
	return n;
}

/* What the table should hold, from the very text that creates it. */
static const char *table_modified(const char *listing, char *why, size_t len)
{
	const char *def = cnm_fw_table_def(), *p;
	static const char *const chains[] = { "forward", "prerouting", "output", "postrouting",
					      "publish" };

	for (size_t i = 0; i < ARRAY_SIZE(chains); i++) {
		char pat[64];
		int want = 0, have = count_rules(listing, chains[i]);

		snprintf(pat, sizeof(pat), "add rule inet cnm %s ", chains[i]);
		for (p = def; (p = strstr(p, pat)); p += strlen(pat))
			want++;
		/* the earlier layout, one rule short: a finding of its own (gc updates it) */
		if (!strcmp(chains[i], "forward") && !strstr(listing, "mark " CNM_FW_BRIDGED_MARK))
			want--;
		if (have != want) {
			snprintf(why, len, "chain %s has %d rule%s, cnm made %d", chains[i],
				 have, have == 1 ? "" : "s", want);
			return why;
		}
	}
	for (size_t k = 0; k < 2; k++) {
		const char *kind = k ? "map" : "set";
		char pat[48], name[32];

		snprintf(pat, sizeof(pat), "add %s inet cnm ", kind);
		for (p = def; (p = strstr(p, pat)); p += strlen(pat)) {
			char have[48];

			if (sscanf(p + strlen(pat), "%31s", name) != 1)
				break;
			snprintf(have, sizeof(have), "%s %s {", kind, name);
			if (!strstr(listing, have)) {
				snprintf(why, len, "%s %s is gone", kind, name);
				return why;
			}
		}
	}
	if (strstr(listing, "policy drop")) {
		snprintf(why, len, "a chain's policy was changed to drop");
		return why;
	}
	return NULL;
}

/*
 * Elements of cnm's two tables that belong to nothing, or that something in
 * the store misses: what `cnm gc` would repair, found by the same code run
 * dry, one finding per repair.
 */
static void check_elements(struct doc *d)
{
	struct cnm_gc_run g = { .ctx = d->ctx, .dry = true, .host = d->host };

	cnm_gc_fw(&g, NULL);
	for (size_t i = 0; i < g.n; i++) {
		char *would = strstr(g.v[i], ": would ");

		if (would)
			*would = '\0';
		add(d, strstr(g.v[i], " has the rules of ") ? "nft_rules" : "nft_elements",
		    strstr(g.v[i], "anti-spoofing") ? "bridge cnm" : "inet cnm", "cnm gc", "%s",
		    g.v[i]);
		free(g.v[i]);
	}
	free(g.v);
}

static void check_table(struct doc *d)
{
	/* gc puts back what is missing; a rule or policy it did not make it leaves */
	static const char fix[] = "nft delete table inet cnm, then for each cnm bridge with no"
				  " running container: ip link del BRIDGE (cnm remakes both on next use)";
	static const char gc[] = "cnm gc";
	const char *out;
	char why[128];

	if (!d->n_nets)
		return;
	if (!cnm_fw_table_exists()) {
		add(d, "nft_table", "inet cnm", gc, "cnm's nftables table inet cnm is missing:"
		    " no isolation, masquerade or published ports");
		return;
	}
	check_elements(d);
	/* listed after gc's dry run: a listing lasts until the next nftables call */
	if (!cnm_fw_list(d->ctx, "list table inet cnm", &out) && table_modified(out, why, sizeof(why)))
		add(d, "nft_table", "inet cnm", fix, "cnm's nftables table inet cnm was modified:"
		    " %s", why);
	for (size_t i = 0; i < d->n_nets; i++) {
		char pat[40];

		if (cnm_fw_list(d->ctx, "list set inet cnm bridges", &out))
			return;
		snprintf(pat, sizeof(pat), "\"%s\"", d->nets[i].bridge);
		if (!strstr(out, pat))
			add(d, "nft_table", d->nets[i].bridge, gc, "bridge %s (network %s) is"
			    " missing from cnm's nftables set bridges: it is not isolated, and"
			    " published ports to it may not work", d->nets[i].bridge,
			    d->nets[i].name);
	}
}

struct overlap {
	struct doc *d;
	const struct cnm_net *net;
	const struct cnm_cidr *subnet;
};

static int overlap_cb(const struct cnm_cidr *dst, const char *dev, void *data)
{
	struct overlap *o = data;
	char s[CNM_CIDRSTRLEN], sub[CNM_CIDRSTRLEN], fix[384];

	if (dst->prefix == 0 || !strcmp(dev, o->net->bridge) ||
	    !cnm_cidr_overlaps(dst, o->subnet))
		return 0;
	cnm_cidr_format(dst, s);
	cnm_cidr_format(o->subnet, sub);
	snprintf(fix, sizeof(fix), "ip route del %s%s%s, or move the network: cnm network rm %s"
		 " && cnm network create --subnet FREE_SUBNET %s", s, dev[0] ? " dev " : "", dev,
		 o->net->name, o->net->name);
	add(o->d, "route_overlap", o->net->name, fix, "subnet %s of network %s overlaps host"
	    " route %s%s%s: traffic for some of its addresses goes the wrong way", sub,
	    o->net->name, s, dev[0] ? " dev " : "", dev);
	return 0;
}

static void check_routes(struct doc *d, struct cnm_nl *nl)
{
	for (size_t i = 0; i < d->n_nets; i++) {
		struct overlap o = { d, &d->nets[i], &d->nets[i].pool.subnet };

		if (d->nets[i].has_pool)
			cnm_nl_routes(nl, AF_INET, overlap_cb, &o, NULL);
		o.subnet = &d->nets[i].pool6.subnet;
		if (d->nets[i].has_pool6)
			cnm_nl_routes(nl, AF_INET6, overlap_cb, &o, NULL);
	}
}

static bool ep_claims(struct cnm_ctx *ctx, const char *host_ifname)
{
	sqlite3_stmt *st;
	bool found = true;	/* on a store error, accuse nobody */

	if (cnm_store_prepare(ctx, "SELECT 1 FROM endpoints WHERE host_ifname = ?", &st, NULL))
		return found;
	sqlite3_bind_text(st, 1, host_ifname, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Ports per bridge, and veths on cnm bridges that no endpoint claims. */
static void check_ports(struct doc *d)
{
	for (size_t i = 0; i < d->n_nets; i++) {
		const struct cnm_klink *br = cnm_kstate_link(&d->host, d->nets[i].bridge);
		int ports = 0;

		for (size_t j = 0; br && j < d->host.n_links; j++) {
			const struct cnm_klink *l = &d->host.links[j];
			char fix[64];

			if (l->master != br->index)
				continue;
			ports++;
			if (strcmp(l->kind, "veth") || ep_claims(d->ctx, l->name))
				continue;
			snprintf(fix, sizeof(fix), "ip link del %s", l->name);
			add(d, "orphan_veth", l->name, fix, "veth %s is on bridge %s (network %s)"
			    " but no container's endpoint claims it", l->name, br->name,
			    d->nets[i].name);
		}
		if (ports >= CNM_BRIDGE_PORTS_WARN)
			add(d, "bridge_ports", d->nets[i].bridge, "put new containers on another"
			    " network: cnm network create NAME, then cnm run --network NAME",
			    "bridge %s (network %s) has %d ports; the kernel allows %d", br->name,
			    d->nets[i].name, ports, CNM_BRIDGE_MAX_PORTS);
	}
}

/* One running container: its process, its namespace mount, each endpoint. */
static void check_container(struct doc *d, const struct cnm_ctr *c)
{
	struct cnm_ep *eps = NULL;
	size_t n_eps = 0;
	char path[PATH_MAX];
	int fd;

	if (!cnm_ctr_alive(c)) {
		add(d, "container", c->name, "cnm gc", "container %s is marked running but its"
		    " process %d is gone: its addresses and ports stay taken", c->name, (int)c->pid);
		return;
	}
	cnm_netns_path(d->ctx, c->name, path, sizeof(path));
	if (!cnm_netns_mounted(d->ctx, c->name, c->pid))
		add(d, "container", c->name, "cnm gc", "container %s: its namespace mount %s is"
		    " missing: cnm exec and network connect cannot reach it", c->name, path);
	/* half-way through a connect or disconnect: not a finding */
	if (cnm_ctr_busy(d->ctx, c->id) || cnm_ep_list(d->ctx, c->id, &eps, &n_eps, NULL))
		return;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)c->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	for (size_t k = 0; fd >= 0 && k < n_eps; k++) {
		const struct cnm_driver *drv;
		struct cnm_net net;
		const char *why;

		if (!eps[k].host_ifname[0] || cnm_net_get_id(d->ctx, eps[k].network_id, &net, NULL))
			continue;
		drv = cnm_driver_find(net.driver);
		why = drv && drv->attach ? cnm_ep_fault(&d->host, &eps[k], &net, fd) : NULL;
		if (why)
			add(d, "endpoint", c->name, "cnm gc", "container %s: %s on network %s: %s",
			    c->name, eps[k].ifname, net.name, why);
		cnm_net_free(&net);
	}
	if (fd >= 0)
		close(fd);
	free(eps);
}

/*
 * Containers the store calls running, as gc would judge them (it repairs
 * what this finds).  A CNI sandbox's namespace is its runtime's: CNI CHECK
 * looks at it, not doctor.
 */
static void check_containers(struct doc *d)
{
	sqlite3_stmt *st;

	if (cnm_store_prepare(d->ctx, "SELECT id FROM containers WHERE state = 'running'"
			      " AND network_mode != 'cni'", &st, NULL))
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct cnm_ctr c;

		if (cnm_ctr_get_id(d->ctx, (const char *)sqlite3_column_text(st, 0), &c, NULL))
			continue;
		check_container(d, &c);
		cnm_ctr_free(&c);
	}
	sqlite3_finalize(st);
}

/* Namespace mounts named after containers that are not running. */
static void check_netns(struct doc *d)
{
	DIR *dir = opendir(d->ctx->netns_dir);
	struct dirent *e;

	while (dir && (e = readdir(dir))) {
		struct cnm_ctr c;
		char path[PATH_MAX], fix[PATH_MAX * 2 + 32];

		if (e->d_name[0] == '.' || cnm_ctr_get(d->ctx, e->d_name, &c, NULL))
			continue;
		/* only an exact name: an id prefix must not match someone's own namespace */
		/* a running row with a dead process is check_containers' (gc releases both) */
		if (!strcmp(c.name, e->d_name) && strcmp(c.state, "running")) {
			cnm_netns_path(d->ctx, e->d_name, path, sizeof(path));
			snprintf(fix, sizeof(fix), "umount %s && rm %s", path, path);
			add(d, "orphan_netns", path, fix, "namespace mount %s belongs to container"
			    " %s, which is %s", path, c.name, c.state);
		}
		cnm_ctr_free(&c);
	}
	if (dir)
		closedir(dir);
}

static void check_resolver(struct doc *d)
{
	char obj[128] = "resolver", problem[384] = "", fix[384] = "";

	if (!cnm_dns_doctor) /* DNS not built in: nothing to check */
		return;
	if (cnm_dns_doctor(d->ctx, obj, sizeof(obj), problem, sizeof(problem), fix,
			   sizeof(fix)) == 1)
		add(d, "resolver", obj, fix, "%s", problem);
}

static void check_store(struct doc *d)
{
	sqlite3_stmt *st;
	char fix[PATH_MAX * 2 + 128];

	snprintf(fix, sizeof(fix), "stop cnm commands, keep a copy of %s/cnm.db, then: sqlite3"
		 " %s/cnm.db .recover | sqlite3 recovered.db and move it in place",
		 d->ctx->state_dir, d->ctx->state_dir);
	if (cnm_store_prepare(d->ctx, "PRAGMA integrity_check", &st, NULL)) {
		add(d, "store", "cnm.db", fix, "the state store cannot be checked: %s",
		    sqlite3_errmsg(d->ctx->db));
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *row = (const char *)sqlite3_column_text(st, 0);

		if (row && strcmp(row, "ok")) {
			char line[384], *c;

			/* one line: SQLite's report spans several */
			if (!strncmp(row, "*** in database main ***\n", 25))
				row += 25;
			snprintf(line, sizeof(line), "%s", row);
			while ((c = strchr(line, '\n')))
				*c = ' ';
			add(d, "store", "cnm.db", fix, "the state store is damaged: %s", line);
		}
		if (!row || strcmp(row, "ok"))
			break;	/* the first problem is enough to say */
	}
	sqlite3_finalize(st);
}

/**
 * cnm_doctor() - run every check; *@out gets one finding per problem.
 * @ctx: open context
 * @out: malloc'ed findings (free()), NULL when there are none
 * @n: how many
 * @err: filled on failure
 *
 * Return: 0 (whether or not something was found) or a negative errno when
 * the checks themselves could not run.
 */
int cnm_doctor(struct cnm_ctx *ctx, struct cnm_finding **out, size_t *n, struct cnm_err *err)
{
	struct doc d = { .ctx = ctx };
	struct cnm_nl *nl;
	int rc;

	*out = NULL;
	*n = 0;
	rc = cnm_ctx_nl(ctx, &nl, err);
	if (!rc)
		rc = cnm_kstate_read(nl, &d.host, err);
	if (!rc)
		rc = load_nets(&d, err);
	if (rc)
		goto out;
	check_forwarding(&d);
	check_foreign(&d);
	check_table(&d);
	check_routes(&d, nl);
	check_ports(&d);
	check_containers(&d);
	check_netns(&d);
	check_resolver(&d);
	check_store(&d);
	if (d.rc) {
		rc = cnm_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	*out = d.f;
	*n = d.n;
	d.f = NULL;
out:
	free(d.f);
	for (size_t i = 0; i < d.n_nets; i++)
		cnm_net_free(&d.nets[i]);
	free(d.nets);
	cnm_kstate_free(&d.host);
	return rc;
}
