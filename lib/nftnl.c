// SPDX-License-Identifier: MIT
/*
 * nftnl.c - adding and deleting set/map elements of `inet cnm` directly
 * through nf_tables netlink, in one batch (one transaction).
 *
 * DOC: Theory of operation
 * libnftables parses text and, before every command, dumps the whole table
 * into its cache, every element of every set included: publishing one port
 * next to 10,000 others costs what listing them costs, and loading the
 * library alone costs ~2 ms.  Element changes are the hot path (every
 * container with published ports, every network), so they are built here
 * as NFT_MSG_NEWSETELEM / NFT_MSG_DELSETELEM messages between a batch
 * begin and end, sent with one sendmsg() on a NETLINK_NETFILTER socket, and
 * acknowledged one by one like the rtnetlink batches in netlink.c.  The
 * kernel applies the batch as one transaction or not at all.
 *
 * Keys and data are laid out as nftables does: each field of a
 * concatenation padded to 4 bytes, ports in network order, interface names
 * as 16 zero-padded bytes.  A comment travels as the element's user data
 * (nftables' TLV: type 0, length, string with its NUL).  Messages are kept
 * under 32 KiB, so 10,000 elements are a few hundred messages in one batch.
 *
 * One read goes the same way: the policy of another firewall's chain
 * (cnm_nft_chain_policy()), asked when a bridge is set up, which through
 * libnftables meant loading it and caching two tables (~2 ms).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "ctx.h"
#include "nftnl.h"
#include "dryrun.h"
#include "nlattr.h"

#define MSG_MAX (32 * 1024)

struct cnm_elems {
	bool add;
	uint8_t *buf;
	size_t len, cap;
	struct nlmsghdr *cur;	/* message being filled */
	struct nlattr *list;	/* its NFTA_SET_ELEM_LIST_ELEMENTS nest */
	char cur_set[32];
	uint8_t family, cur_family;	/* NFPROTO_INET (inet cnm) or NFPROTO_BRIDGE */
	uint32_t n_msgs, n_elems;
};

struct cnm_elems *cnm_elems_new(bool add)
{
	struct cnm_elems *e = calloc(1, sizeof(*e));

	if (e) {
		e->add = add;
		e->family = NFPROTO_INET;
	}
	return e;
}

/**
 * cnm_elems_bridge() - the elements put from now on are for table `bridge cnm`
 * (anti-spoofing), not `inet cnm`; one batch may hold both.
 */
void cnm_elems_bridge(struct cnm_elems *e)
{
	e->family = NFPROTO_BRIDGE;
}

void cnm_elems_free(struct cnm_elems *e)
{
	if (e)
		free(e->buf);
	free(e);
}

size_t cnm_elems_count(const struct cnm_elems *e)
{
	return e->n_elems;
}

static int reserve(struct cnm_elems *e, size_t more)
{
	size_t cur_off = e->cur ? (size_t)((uint8_t *)e->cur - e->buf) : 0;
	size_t list_off = e->list ? (size_t)((uint8_t *)e->list - e->buf) : 0;
	/* the open message sits after len and is not counted in it yet */
	size_t used = e->len + (e->cur ? NLMSG_ALIGN(e->cur->nlmsg_len) : 0);
	uint8_t *nb;
	size_t cap;

	if (used + more <= e->cap)
		return 0;
	cap = (used + more) * 2 + 4096;
	nb = realloc(e->buf, cap);
	if (!nb)
		return -ENOMEM;
	e->buf = nb;
	e->cap = cap;
	if (e->cur)
		e->cur = (struct nlmsghdr *)(nb + cur_off);
	if (e->list)
		e->list = (struct nlattr *)(nb + list_off);
	return 0;
}

static void close_msg(struct cnm_elems *e)
{
	if (!e->cur)
		return;
	nla_nest_end(e->cur, e->list);
	e->len += NLMSG_ALIGN(e->cur->nlmsg_len);
	e->cur = NULL;
	e->list = NULL;
}

static void put_nfgen(struct nlmsghdr *nlh, uint8_t family, uint16_t res_id)
{
	struct nfgenmsg *g = nlmsg_put_extra_header(nlh, sizeof(*g));

	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = htons(res_id);
}

static void open_msg(struct cnm_elems *e, const char *set)
{
	struct nlmsghdr *nlh = nlmsg_put_header(e->buf + e->len);

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) |
			  (e->add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (e->add ? NLM_F_CREATE : 0);
	put_nfgen(nlh, e->family, 0);
	e->cur_family = e->family;
	nla_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, "cnm");
	nla_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	e->list = nla_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	e->cur = nlh;
	snprintf(e->cur_set, sizeof(e->cur_set), "%s", set);
	e->n_msgs++;
}

/**
 * cnm_elems_put() - one element for @set.
 * @e: the batch being built
 * @set: set or map name in table inet cnm
 * @key: @klen: the key bytes
 * @data: @dlen: the mapped value (maps only; NULL otherwise, and on delete)
 * @flags: NFT_SET_ELEM_INTERVAL_END for the end of an interval, else 0
 * @comment: shown by `nft list`, or NULL
 */
int cnm_elems_put(struct cnm_elems *e, const char *set, const void *key, size_t klen,
		  const void *data, size_t dlen, uint32_t flags, const char *comment)
{
	size_t clen = comment && e->add ? strlen(comment) + 1 : 0;
	size_t need = 64 + klen + dlen + clen + 64;
	struct nlattr *el, *k;

	if (clen > 255)
		clen = 255;
	if (e->cur && (strcmp(e->cur_set, set) || e->cur_family != e->family ||
		       e->cur->nlmsg_len + need > MSG_MAX))
		close_msg(e);
	if (reserve(e, need + 256 + (e->cur ? 0 : 128)))
		return -ENOMEM;
	if (!e->cur)
		open_msg(e, set);
	el = nla_nest_start(e->cur, NFTA_LIST_ELEM);
	k = nla_nest_start(e->cur, NFTA_SET_ELEM_KEY);
	nla_put(e->cur, NFTA_DATA_VALUE, klen, key);
	nla_nest_end(e->cur, k);
	if (data && e->add) {
		struct nlattr *d = nla_nest_start(e->cur, NFTA_SET_ELEM_DATA);

		nla_put(e->cur, NFTA_DATA_VALUE, dlen, data);
		nla_nest_end(e->cur, d);
	}
	if (flags)
		nla_put_u32(e->cur, NFTA_SET_ELEM_FLAGS, htonl(flags));
	if (clen) {
		uint8_t ud[258];

		ud[0] = 0; /* NFTNL_UDATA_SET_ELEM_COMMENT */
		ud[1] = (uint8_t)clen;
		memcpy(ud + 2, comment, clen - 1);
		ud[1 + clen] = '\0';
		nla_put(e->cur, NFTA_SET_ELEM_USERDATA, clen + 2, ud);
	}
	nla_nest_end(e->cur, el);
	e->n_elems++;
	return 0;
}

static int nfnl_socket(struct cnm_ctx *ctx, struct cnm_err *err)
{
	if (ctx->nfnl.open)
		return 0;
	ctx->nfnl.fd = nlsock_open(NETLINK_NETFILTER, 0, &ctx->nfnl.portid);
	if (ctx->nfnl.fd < 0)
		return cnm_errf(err, errno, "cannot open nftables netlink socket: %s",
				strerror(errno));
	ctx->nfnl.open = true;
	return 0;
}

/* Batch begin or end: a bare nfgenmsg addressed to the nftables subsystem. */
static size_t put_batch_marker(uint8_t *at, uint16_t type, uint32_t seq)
{
	struct nlmsghdr *nlh = nlmsg_put_header(at);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	put_nfgen(nlh, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
	return NLMSG_ALIGN(nlh->nlmsg_len);
}

/**
 * cnm_elems_commit() - send the batch and wait for every acknowledgement.
 * Return: 0, or the first error (-ENOENT when a set, i.e. the table, is missing).
 */
int cnm_elems_commit(struct cnm_ctx *ctx, struct cnm_elems *e, struct cnm_err *err)
{
	uint8_t rbuf[8192] __attribute__((aligned(8)));
	uint32_t seq = 1, first, acked = 0;
	struct iovec iov[3];
	struct msghdr mh = { 0 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint8_t begin[64] __attribute__((aligned(8))), end[64] __attribute__((aligned(8)));
	size_t off = 0;
	int rc = 0;

	if (!e->n_elems)
		return 0;
	close_msg(e);
	if (ctx->dry) {
		cnm_dry_elems(ctx, e->add, e->buf, e->len);
		return 0;
	}
	rc = nfnl_socket(ctx, err);
	if (rc)
		return rc;
	iov[0].iov_base = begin;
	iov[0].iov_len = put_batch_marker(begin, NFNL_MSG_BATCH_BEGIN, seq++);
	first = seq;
	/* number the element messages */
	for (uint32_t i = 0; i < e->n_msgs; i++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(e->buf + off);

		nlh->nlmsg_seq = seq++;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	iov[1].iov_base = e->buf;
	iov[1].iov_len = e->len;
	iov[2].iov_base = end;
	iov[2].iov_len = put_batch_marker(end, NFNL_MSG_BATCH_END, seq++);
	{
		/* a batch goes in one sendmsg(), which netlink caps at the send buffer */
		int size = (int)(e->len + 8192);

		if (size > 212992 &&
		    setsockopt(ctx->nfnl.fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
			       sizeof(size)) < 0)
			setsockopt(ctx->nfnl.fd, SOL_SOCKET, SO_SNDBUF, &size,
				   sizeof(size));
	}
	mh.msg_name = &sa;
	mh.msg_namelen = sizeof(sa);
	mh.msg_iov = iov;
	mh.msg_iovlen = 3;
	if (sendmsg(ctx->nfnl.fd, &mh, 0) < 0)
		return cnm_errf(err, errno, "nftables: send batch: %s", strerror(errno));
	if (!e->add)
		ctx->nfnl_deleted = true; /* closing the socket will wait (ctx.c) */
	while (acked < e->n_msgs) {
		ssize_t n;
		int left;
		const struct nlmsghdr *nlh;

		/* after an error the kernel may not answer every message: do not wait forever */
		if (rc) {
			struct pollfd p = { .fd = ctx->nfnl.fd, .events = POLLIN };

			if (poll(&p, 1, 0) <= 0)
				break;
		}
		n = recv(ctx->nfnl.fd, rbuf, sizeof(rbuf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return rc ? rc : cnm_errf(err, errno, "nftables: receive: %s", strerror(errno));
		}
		left = (int)n;
		for (nlh = (const struct nlmsghdr *)rbuf; nlmsg_ok(nlh, left);
		     nlh = nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *me;

			if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq < first)
				continue;
			me = nlmsg_get_payload(nlh);
			acked++;
			if (me->error && !rc)
				rc = cnm_errf(err, -me->error, "nftables: %s elements of %s: %s",
					      e->add ? "add" : "delete", "inet cnm", strerror(-me->error));
		}
	}
	return rc;
}

/* An attribute of the chain in the reply: keep its policy. */
static int chain_attr(const struct nlattr *a, void *data)
{
	if (nla_get_type(a) == NFTA_CHAIN_POLICY && nla_fits(a, sizeof(uint32_t)))
		*(uint32_t *)data = ntohl(nla_get_u32(a));
	return NL_CB_OK;
}

/**
 * cnm_nft_chain_policy() - the default policy of another table's base chain,
 * as `nft list chain FAMILY TABLE CHAIN` shows it, with one NFT_MSG_GETCHAIN.
 * @ctx: context (its nftables socket)
 * @family: NFPROTO_IPV4, NFPROTO_IPV6, ...
 * @table: table name ("filter")
 * @chain: chain name ("FORWARD")
 * @policy: set to NF_ACCEPT or NF_DROP
 *
 * Return: 0, -ENOENT when the table or chain does not exist or the chain is
 * not a base chain (no policy), or another negative errno.
 */
int cnm_nft_chain_policy(struct cnm_ctx *ctx, uint8_t family, const char *table,
			 const char *chain, uint32_t *policy)
{
	uint8_t buf[8192] __attribute__((aligned(8)));
	const uint32_t seq = 0x70010000;	/* apart from the batches' small numbers */
	uint32_t pol = UINT32_MAX;
	struct nlmsghdr *nlh = nlmsg_put_header(buf);
	bool acked = false;
	int rc = nfnl_socket(ctx, NULL);

	if (rc)
		return rc;
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETCHAIN;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	put_nfgen(nlh, family, 0);
	nla_put_strz(nlh, NFTA_CHAIN_TABLE, table);
	nla_put_strz(nlh, NFTA_CHAIN_NAME, chain);
	if (nlsock_send(ctx->nfnl.fd, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while (!acked && !rc) {
		ssize_t n = recv(ctx->nfnl.fd, buf, sizeof(buf), 0);
		int left = (int)n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, left);
		     nlh = nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_seq != seq) /* left over from an earlier batch */
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *me = nlmsg_get_payload(nlh);

				rc = me->error;
				acked = true;
			} else if (nlh->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) |
							NFT_MSG_NEWCHAIN)) {
				nla_parse(nlh, sizeof(struct nfgenmsg), chain_attr, &pol);
			}
		}
	}
	if (rc)
		return rc;
	if (pol == UINT32_MAX)
		return -ENOENT;
	*policy = pol;
	return 0;
}
