// SPDX-License-Identifier: MIT
/*
 * dryrun.c - `--dry-run`: do everything but change anything, and print the
 * commands (ip, sysctl, nft) a person could run to make the same change.
 *
 * DOC: Theory of operation
 * A dry run is the real code path with its three kinds of writes recorded
 * instead of made, so the plan cannot drift from what cnm does:
 *
 *   - the store is copied into an in-memory database when the dry run
 *     starts (SQLite's backup API), so every row the command writes lands
 *     there and is gone at close; ids, names and addresses are chosen by
 *     the same code as for real;
 *   - rtnetlink batches (netlink.c) carry, next to each request, the `ip`
 *     command that does the same, and are printed instead of sent; a link a
 *     batch "made" gets a fake index so later requests can name it;
 *   - nf_tables element batches (nftnl.c) are decoded back into
 *     `nft add/delete element` lines, and sysctl writes become `sysctl -w`.
 *
 * Reads (the kernel's links, routes, the firewall's table) are real: they
 * decide what a real run would do.  Only steps that need a process (a
 * container's clone) cannot be recorded; see cnm_dry_run().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>
#include "dryrun.h"
#include "nlattr.h"

/**
 * cnm_dry_run() - make @ctx a dry run: nothing it does from now on changes
 * the store, the kernel or the firewall; the equivalent commands are
 * written to @out, in order.
 * Return: 0 or a negative errno.
 */
int cnm_dry_run(struct cnm_ctx *ctx, FILE *out, struct cnm_err *err)
{
	sqlite3 *mem = NULL;
	sqlite3_backup *bk;
	int rc;

	if (sqlite3_open(":memory:", &mem) != SQLITE_OK)
		goto fail;
	bk = sqlite3_backup_init(mem, "main", ctx->db, "main");
	if (!bk)
		goto fail;
	sqlite3_backup_step(bk, -1);
	if (sqlite3_backup_finish(bk) != SQLITE_OK)
		goto fail;
	sqlite3_exec(mem, "PRAGMA foreign_keys=ON;", NULL, NULL, NULL);
	sqlite3_close(ctx->db);
	ctx->db = mem;
	ctx->dry = out;
	if (ctx->nl_open)
		ctx->nl.dry = out;
	return 0;
fail:
	rc = cnm_errf(err, EIO, "dry run: cannot copy the state store: %s",
		      mem ? sqlite3_errmsg(mem) : "out of memory");
	sqlite3_close(mem);
	return rc;
}

void cnm_dry_sysctl(struct cnm_ctx *ctx, const char *path, const char *value)
{
	const char *key = strncmp(path, "/proc/sys/", 10) ? path : path + 10;

	/* slashes, not dots: an interface name may hold a dot */
	fprintf(ctx->dry, "sysctl -qw %s=%s\n", key, value);
}

void cnm_dry_table(struct cnm_ctx *ctx, const char *def)
{
	fprintf(ctx->dry, "nft -f - <<'EOF'\n%sEOF\n", def);
}

/* One field of a concatenated key or value: its text, and its padded size. */
static size_t field(char *out, size_t len, char type, const uint8_t *p)
{
	char a[INET6_ADDRSTRLEN];

	switch (type) {
	case 'i': /* interface name */
		snprintf(out, len, "\"%.16s\"", (const char *)p);
		return 16;
	case '4':
		snprintf(out, len, "%s", inet_ntop(AF_INET, p, a, sizeof(a)));
		return 4;
	case '6':
		snprintf(out, len, "%s", inet_ntop(AF_INET6, p, a, sizeof(a)));
		return 16;
	case 'm': /* ether_addr, padded to 8 */
		snprintf(out, len, "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4],
			 p[5]);
		return 8;
	case 'p': /* inet_proto */
		snprintf(out, len, "%s", p[0] == 6 ? "tcp" : p[0] == 17 ? "udp" : p[0] == 132 ?
			 "sctp" : "?");
		return 4;
	default: /* 's': inet_service, network order */
		snprintf(out, len, "%u", (unsigned int)(p[0] << 8 | p[1]));
		return 4;
	}
}

static void fields(char *out, size_t len, const char *types, const uint8_t *p, size_t plen)
{
	size_t at = 0, off = 0;

	out[0] = '\0';
	for (; *types && off < plen && at < len; types++) {
		char f[64];

		off += field(f, sizeof(f), *types, p + off);
		at += (size_t)snprintf(out + at, len - at, "%s%s", at ? " . " : "", f);
	}
}

/* Each set's key and data layout, as firewall.c and publish.c build them. */
static const struct {
	const char *set, *key, *data;
} layouts[] = {
	{ "bridges", "i", "" }, { "internal", "i", "" }, { "self", "ii", "" },
	{ "masq4", "4", "" }, { "nets4", "4", "" }, { "masq6", "6", "" }, { "nets6", "6", "" },
	{ "ports4", "ps", "4s" }, { "ports4_ip", "4ps", "4s" },
	{ "ports6", "ps", "6s" }, { "ports6_ip", "6ps", "6s" },
	/* table bridge cnm: anti-spoofing */
	{ "ports", "i", "" }, { "macs", "im", "" }, { "src4", "im4", "" }, { "src6", "im6", "" },
};

static int elem_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (nla_get_type(attr) <= NFTA_SET_ELEM_MAX)
		tb[nla_get_type(attr)] = attr;
	return NL_CB_OK;
}

static const struct nlattr *value_of(const struct nlattr *nest)
{
	const struct nlattr *a;

	nla_for_each_nested(a, nest)
		if (nla_get_type(a) == NFTA_DATA_VALUE)
			return a;
	return NULL;
}

/* One element: "KEY [: DATA] [comment "..."]"; an interval's end closes its start. */
static void elem(struct cnm_ctx *ctx, bool add, const char *table, const char *set,
		 const struct nlattr *el, char *start, size_t slen)
{
	const struct nlattr *tb[NFTA_SET_ELEM_MAX + 1] = { 0 }, *k, *d;
	const char *key = "", *dat = "";
	char ks[256], ds[256], comment[300] = "";
	bool end;

	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++)
		if (!strcmp(layouts[i].set, set)) {
			key = layouts[i].key;
			dat = layouts[i].data;
		}
	nla_parse_nested(el, elem_attr_cb, tb);
	k = tb[NFTA_SET_ELEM_KEY] ? value_of(tb[NFTA_SET_ELEM_KEY]) : NULL;
	if (!k)
		return;
	fields(ks, sizeof(ks), key, nla_get_payload(k), nla_get_payload_len(k));
	end = tb[NFTA_SET_ELEM_FLAGS] &&
	      (ntohl(nla_get_u32(tb[NFTA_SET_ELEM_FLAGS])) & NFT_SET_ELEM_INTERVAL_END);
	if (tb[NFTA_SET_ELEM_USERDATA] && nla_get_payload_len(tb[NFTA_SET_ELEM_USERDATA]) > 2)
		snprintf(comment, sizeof(comment), " comment \"%s\"",
			 (const char *)nla_get_payload(tb[NFTA_SET_ELEM_USERDATA]) + 2);
	if (!strcmp(key, "4") || !strcmp(key, "6")) { /* the interval sets */
		if (!end) { /* an interval's start: printed with its end */
			snprintf(start, slen, "%s%s", ks, comment);
			return;
		}
		/* the end is exclusive: the range's last address is one before it */
		{
			uint8_t last[16];
			size_t n = nla_get_payload_len(k);
			char ls[64], *c;

			memcpy(last, nla_get_payload(k), n);
			for (size_t i = n; i-- > 0;)
				if (last[i]-- != 0)
					break;
			fields(ls, sizeof(ls), key, last, n);
			c = strstr(start, " comment");
			fprintf(ctx->dry, "nft %s element %s %s '{ %.*s-%s%s }'\n",
				add ? "add" : "delete", table, set, c ? (int)(c - start) : (int)strlen(start),
				start, ls, c ? c : "");
		}
		return;
	}
	d = tb[NFTA_SET_ELEM_DATA] ? value_of(tb[NFTA_SET_ELEM_DATA]) : NULL;
	ds[0] = '\0';
	if (d)
		fields(ds, sizeof(ds), dat, nla_get_payload(d), nla_get_payload_len(d));
	fprintf(ctx->dry, "nft %s element %s %s '{ %s%s%s%s }'\n", add ? "add" : "delete",
		table, set, ks, comment, d ? " : " : "", ds);
}

/**
 * cnm_dry_elems() - print a built nf_tables element batch (@buf, @len: the
 * NEWSETELEM/DELSETELEM messages) as `nft add/delete element` commands.
 */
void cnm_dry_elems(struct cnm_ctx *ctx, bool add, const uint8_t *buf, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;
	char start[512] = "";

	for (; nlmsg_ok(nlh, left); nlh = nlmsg_next(nlh, &left)) {
		const struct nfgenmsg *g = nlmsg_get_payload(nlh);
		const char *table = g->nfgen_family == NFPROTO_BRIDGE ? "bridge cnm" : "inet cnm";
		const struct nlattr *a, *list = NULL;
		const char *set = "";

		nla_for_each(a, nlh, sizeof(struct nfgenmsg)) {
			if (nla_get_type(a) == NFTA_SET_ELEM_LIST_SET)
				set = nla_get_str(a);
			else if (nla_get_type(a) == NFTA_SET_ELEM_LIST_ELEMENTS)
				list = a;
		}
		if (!list)
			continue;
		nla_for_each_nested(a, list)
			elem(ctx, add, table, set, a, start, sizeof(start));
	}
}
