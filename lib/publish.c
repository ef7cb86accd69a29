// SPDX-License-Identifier: MIT
/*
 * publish.c - published ports: chosen under the store lock, kept as rows,
 * made real as elements of four nftables maps.
 *
 * DOC: Theory of operation
 * `run -p` specs are expanded (ports.c), their host addresses resolved (the
 * network's host_binding_ipv4 when none is given; :: too when the container
 * has IPv6), and checked in one pass against everything already published
 * (the ports table) and everything bound by a process on the host (asked
 * of sock_diag once, sockdiag.c).  A CNI runtime reserves published ports itself
 * (Podman's conmon holds each one open for the container's life, CRI-O
 * likewise), so for attachments the host's sockets are not looked at, as
 * the reference portmap plugin never does: only cnm's own rows count.  Rows are inserted in the same transaction that
 * creates the container, so two containers can never take one port.
 *
 * In the kernel a published port is one map element: `tcp . 8080 :
 * 172.17.0.2 . 80` in ports4 (every address) or ports4_ip (one address),
 * likewise ports6/ports6_ip.  All of a container's ports go in or out in
 * one transaction; the chains never change.  There is no proxy process: the
 * client's address reaches the container unchanged.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include "firewall.h"
#include "nftnl.h"
#include "publish.h"
#include "sockdiag.h"

/* Everything published by cnm and, with @host, everything bound on the host. */
static int load_taken(struct cnm_ctx *ctx, struct cnm_portset *s, bool host,
		      struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "SELECT proto, host_ip, host_port FROM ports", &st, err);
	if (rc)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct cnm_portmap p = { .proto = (uint8_t)sqlite3_column_int(st, 0) };

		cnm_addr_parse((const char *)sqlite3_column_text(st, 1), &p.host_ip);
		p.any = !memcmp(p.host_ip.b, (uint8_t[16]){ 0 }, 16);
		p.host_port = (uint16_t)sqlite3_column_int(st, 2);
		cnm_portset_add(s, &p);
	}
	sqlite3_finalize(st);
	if (!host)
		return 0;
	cnm_host_bound(s);
	return 0;
}

/*
 * Who holds @p: a container of ours whose publication clashes with it (the
 * rule of cnm_portset_conflict(): same family, and a wildcard on either side
 * or the same address), or else a process on the host.
 */
static void owner_of(struct cnm_ctx *ctx, const struct cnm_portmap *p, char *out, size_t len)
{
	char addr[CNM_ADDRSTRLEN];
	sqlite3_stmt *st;

	snprintf(out, len, "a process on the host");
	cnm_addr_format(&p->host_ip, addr);
	if (!cnm_store_prepare(ctx, "SELECT c.name FROM ports p JOIN containers c ON c.id ="
			       " p.container_id WHERE p.proto = ?1 AND p.host_port = ?2 AND"
			       " (instr(p.host_ip, ':') > 0) = ?3 AND (?4 OR p.host_ip IN"
			       " ('0.0.0.0', '::') OR p.host_ip = ?5)", &st, NULL)) {
		sqlite3_bind_int(st, 1, p->proto);
		sqlite3_bind_int(st, 2, p->host_port);
		sqlite3_bind_int(st, 3, p->host_ip.family == AF_INET6);
		sqlite3_bind_int(st, 4, p->any);
		sqlite3_bind_text(st, 5, addr, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(out, len, "container %s", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
}

/*
 * A requested port was taken: find which mapping clashed with what was there
 * before this request, and say who holds it.  Error path only; the taken set
 * is read once.  When the clash is inside the request itself (one port asked
 * twice), the message cnm_ports_choose() wrote stays.
 */
static int name_owner(struct cnm_ctx *ctx, const struct cnm_portmap *all, size_t n,
		      bool host, struct cnm_err *err)
{
	struct cnm_portset *before = calloc(1, sizeof(*before));
	char owner[CNM_NAME_MAX + 32], where[CNM_ADDRSTRLEN];
	int rc = -EADDRINUSE;

	if (!before)
		return rc;
	cnm_portset_init(before);
	load_taken(ctx, before, host, NULL);
	for (size_t i = 0; i < n; i++) {
		bool v6 = all[i].host_ip.family == AF_INET6;

		if (!all[i].host_port || !cnm_portset_conflict(before, &all[i]))
			continue;
		owner_of(ctx, &all[i], owner, sizeof(owner));
		cnm_addr_format(&all[i].host_ip, where);
		rc = cnm_errf(err, EADDRINUSE, "Bind for %s%s%s:%u failed: port is already"
			      " allocated (%u/%s is held by %s)", v6 ? "[" : "", where,
			      v6 ? "]" : "", all[i].host_port, all[i].host_port,
			      cnm_proto_name(all[i].proto), owner);
		break;
	}
	cnm_portset_free(before);
	free(before);
	return rc;
}

static void ephemeral_range(uint16_t *lo, uint16_t *hi)
{
	unsigned int a = 32768, b = 60999;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

	if (f) {
		/* NOLINTNEXTLINE(cert-err34-c): conversions counted, range checked */
		if (fscanf(f, "%u %u", &a, &b) != 2 || a < 1 || b > 65535 || a > b) {
			a = 32768;
			b = 60999;
		}
		fclose(f);
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
}

/* One row of @p, with @st (INSERT INTO ports, prepared once for all rows). */
static int insert_port(sqlite3_stmt *st, const char *container_id, const struct cnm_portmap *p,
		       const struct cnm_addr *to, struct cnm_err *err)
{
	char hip[CNM_ADDRSTRLEN], cip[CNM_ADDRSTRLEN];
	int rc;

	cnm_addr_format(&p->host_ip, hip);
	cnm_addr_format(to, cip);
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, p->proto);
	sqlite3_bind_text(st, 3, hip, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, p->host_port);
	sqlite3_bind_text(st, 5, cip, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, p->cport);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -EEXIST;
	if (rc)
		return cnm_errf(err, EADDRINUSE, "Bind for %s:%u failed: port is already allocated",
				hip, p->host_port);
	return 0;
}

/*
 * Is @a one of the host's addresses?  Binding a datagram socket to it (port
 * 0, so no port is taken) says so, as docker-proxy's listen would; errors
 * other than EADDRNOTAVAIL (a link-local address without its scope) do
 * not refuse.
 */
static bool local_addr(const struct cnm_addr *a)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	int fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return true;
	if (a->family == AF_INET6) {
		memcpy(&s6.sin6_addr, a->b, 16);
		ok = bind(fd, (struct sockaddr *)&s6, sizeof(s6)) == 0;
	} else {
		memcpy(&s4.sin_addr, a->b, 4);
		ok = bind(fd, (struct sockaddr *)&s4, sizeof(s4)) == 0;
	}
	ok = ok || errno != EADDRNOTAVAIL;
	close(fd);
	return ok;
}

/**
 * cnm_publish_plan() - choose host ports for @specs and insert their rows.
 * @ctx: context, inside the transaction that creates the container
 * @container_id: the container (its row is already inserted)
 * @specs: -p specs as given
 * @n_specs: how many
 * @net: the container's network (host_binding_ipv4)
 * @ep: its endpoint there (the DNAT targets)
 * @host: ports bound by processes on the host are taken too, and an
 *	explicit host address must be the host's (false for a CNI runtime,
 *	which holds its containers' published ports itself)
 * @err: filled on failure: a bad spec, a port taken (naming the owner)
 *
 * Return: 0 or a negative errno.
 */
int cnm_publish_plan(struct cnm_ctx *ctx, const char *container_id, const char *const *specs,
		     size_t n_specs, const struct cnm_net *net, const struct cnm_ep *ep,
		     bool host, struct cnm_err *err)
{
	struct cnm_portset *taken = NULL;
	struct cnm_portmap *all = NULL;
	sqlite3_stmt *ins = NULL;
	size_t *twins = NULL, *twin_of = NULL, n_twins = 0, n = 0;
	struct cnm_addr deflt;
	uint16_t lo, hi;
	uint32_t seed;
	int rc = 0;

	if (!n_specs)
		return 0;
	if (!ep || !ep->has_addr)
		return cnm_errf(err, EINVAL, "published ports need a bridge network: network %s"
				" gives the container no address", net->name);
	cnm_addr_parse(net->host_binding[0] ? net->host_binding : "0.0.0.0", &deflt);
	for (size_t i = 0; i < n_specs && !rc; i++) {
		struct cnm_portmap *v, *nall;
		size_t k, extra, *ntw;

		rc = cnm_portspec_parse(specs[i], &v, &k, err);
		if (rc)
			break;
		/* no address given: the network's default, and :: too with IPv6 */
		extra = v[0].host_ip.family == 0 && ep->has_addr6 ? k : 0;
		nall = realloc(all, (n + k) * sizeof(*all));
		ntw = realloc(twins, (n_twins + extra + 1) * sizeof(*twins));
		if (!nall || !ntw) {
			free(v);
			all = nall ? nall : all;
			twins = ntw ? ntw : twins;
			rc = cnm_errf(err, ENOMEM, "out of memory");
			break;
		}
		all = nall;
		twins = ntw;
		for (size_t j = 0; j < k; j++) {
			if (v[j].host_ip.family == 0) {
				v[j].host_ip = deflt;
				v[j].any = !memcmp(deflt.b, (uint8_t[4]){ 0 }, 4);
				if (extra && v[j].any)
					twins[n_twins++] = n;
			}
			if (v[j].host_ip.family == AF_INET6 && !ep->has_addr6)
				rc = cnm_errf(err, EINVAL, "cannot publish %s on an IPv6 address: the"
					      " container has no IPv6 address on network %s",
					      specs[i], net->name);
			all[n++] = v[j];
		}
		free(v);
	}
	/* append the [::] twins after every explicit mapping */
	if (!rc && n_twins) {
		struct cnm_portmap *nall = realloc(all, (n + n_twins) * sizeof(*all));

		twin_of = calloc(n_twins, sizeof(*twin_of));
		if (!nall || !twin_of) {
			all = nall ? nall : all;
			rc = cnm_errf(err, ENOMEM, "out of memory");
		} else {
			all = nall;
			for (size_t t = 0; t < n_twins; t++) {
				twin_of[t] = twins[t];
				all[n + t] = all[twins[t]];
				memset(&all[n + t].host_ip, 0, sizeof(all[n + t].host_ip));
				all[n + t].host_ip.family = AF_INET6;
				all[n + t].any = true;
			}
			n += n_twins;
		}
	}
	for (size_t i = 0; host && !rc && i < n; i++)
		if (!all[i].any && !local_addr(&all[i].host_ip)) {
			char a[CNM_ADDRSTRLEN];

			cnm_addr_format(&all[i].host_ip, a);
			rc = cnm_errf(err, EADDRNOTAVAIL, "cannot publish port %u on %s: the host has"
				      " no such address", all[i].host_port, a);
		}
	if (rc)
		goto out;
	taken = calloc(1, sizeof(*taken));
	if (!taken) {
		rc = cnm_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	cnm_portset_init(taken);
	rc = load_taken(ctx, taken, host, err);
	if (rc)
		goto out;
	ephemeral_range(&lo, &hi);
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint32_t)getpid();
	/* the [::] twins added for IPv6 take the port chosen for IPv4 */
	rc = cnm_ports_choose(taken, all, n - n_twins, lo, hi, seed, err);
	/* twin_of is set whenever n_twins is: the analyzer does not see that
	 * cnm_errf() never returns 0 */
	for (size_t i = n - n_twins; !rc && i < n; i++) {
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		all[i].host_port = all[twin_of[i - (n - n_twins)]].host_port;
		all[i].host_lo = all[i].host_hi = 0;
	}
	if (!rc && n_twins)
		rc = cnm_ports_choose(taken, all + n - n_twins, n_twins, lo, hi, seed, err);
	if (rc == -EADDRINUSE)
		rc = name_owner(ctx, all, n, host, err);
	/* one statement for every row: prepared per port, 10,000 ports took
	 * 181-194 ms to start instead of 117-128 (docs/decisions.md) */
	if (!rc)
		rc = cnm_store_prepare(ctx, "INSERT INTO ports(container_id, proto, host_ip,"
				       " host_port, container_ip, container_port) VALUES (?,?,?,?,?,?)",
				       &ins, err);
	for (size_t i = 0; !rc && i < n; i++)
		rc = insert_port(ins, container_id, &all[i],
				 all[i].host_ip.family == AF_INET6 ? &ep->addr6 : &ep->addr, err);
out:
	sqlite3_finalize(ins);
	if (taken)
		cnm_portset_free(taken);
	free(taken);
	free(all);
	free(twins);
	free(twin_of);
	return rc;
}

/* Fields of a concatenated key, each padded to 4 bytes as nftables lays them out. */
static size_t put_addr(uint8_t *at, const struct cnm_addr *a)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	memcpy(at, a->b, n);
	return n;
}

static size_t put_u8(uint8_t *at, uint8_t v)
{
	memset(at, 0, 4);
	at[0] = v;
	return 4;
}

static size_t put_port(uint8_t *at, uint16_t port)
{
	memset(at, 0, 4);
	at[0] = (uint8_t)(port >> 8);
	at[1] = (uint8_t)port;
	return 4;
}

/**
 * cnm_publish_fw() - add (or delete) a container's port elements, in one
 * nf_tables transaction built here (nftnl.c), not through libnftables.
 */
int cnm_publish_fw(struct cnm_ctx *ctx, const char *container_id, bool add, struct cnm_err *err)
{
	struct cnm_elems *e = cnm_elems_new(add);
	sqlite3_stmt *st;
	int rc;

	if (!e)
		return cnm_errf(err, ENOMEM, "out of memory");
	rc = cnm_store_prepare(ctx, "SELECT p.proto, p.host_ip, p.host_port, p.container_ip,"
			       " p.container_port, c.name FROM ports p JOIN containers c ON c.id ="
			       " p.container_id WHERE p.container_id = ?", &st, err);
	if (rc) {
		cnm_elems_free(e);
		return rc;
	}
	sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		struct cnm_addr hip, cip;
		uint8_t key[32], data[24];
		size_t kl = 0, dl = 0;
		uint8_t proto = (uint8_t)sqlite3_column_int(st, 0);
		char comment[CNM_NAME_MAX + 16];
		const char *set;
		bool any;

		cnm_addr_parse((const char *)sqlite3_column_text(st, 1), &hip);
		cnm_addr_parse((const char *)sqlite3_column_text(st, 3), &cip);
		any = !memcmp(hip.b, (uint8_t[16]){ 0 }, 16);
		if (!any)
			kl += put_addr(key, &hip);
		kl += put_u8(key + kl, proto);
		kl += put_port(key + kl, (uint16_t)sqlite3_column_int(st, 2));
		dl += put_addr(data, &cip);
		dl += put_port(data + dl, (uint16_t)sqlite3_column_int(st, 4));
		set = hip.family == AF_INET6 ? (any ? "ports6" : "ports6_ip")
					     : (any ? "ports4" : "ports4_ip");
		/* the comment names the container, so `nft list ruleset` explains itself */
		snprintf(comment, sizeof(comment), "container %s", sqlite3_column_text(st, 5));
		if (cnm_elems_put(e, set, key, kl, data, dl, 0, comment))
			rc = cnm_errf(err, ENOMEM, "out of memory");
	}
	sqlite3_finalize(st);
	if (!rc) {
		rc = cnm_elems_commit(ctx, e, err);
		if (rc == -ENOENT && add) {
			/* the table is not there (first use, or someone deleted it) */
			cnm_fw_create_table(ctx);
			rc = cnm_elems_commit(ctx, e, err);
		}
	}
	cnm_elems_free(e);
	return rc;
}

/**
 * cnm_publish_release() - take a container's ports out of the kernel and
 * the store.  Under the lock.
 */
int cnm_publish_release(struct cnm_ctx *ctx, const char *container_id, struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	cnm_publish_fw(ctx, container_id, false, NULL);
	rc = cnm_store_prepare(ctx, "DELETE FROM ports WHERE container_id = ?", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
	return cnm_store_step_done(ctx, st, "release ports", err);
}
