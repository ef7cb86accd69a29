// SPDX-License-Identifier: MIT
/*
 * firewall.c - one nftables table, `inet cnm`, whose rules never change.
 *
 * DOC: Theory of operation
 * The table is created once, whole, in one transaction that begins with
 * `create table` (which fails if the table exists, aborting the rest), so
 * concurrent commands can all try and exactly one succeeds, and nobody ever
 * sees half a table.  It is only tried when adding elements failed: a
 * failing transaction is expensive in the kernel, a lookup is not needed.  Its rules are fixed; networks are elements of sets:
 *
 *   bridges   every cnm bridge
 *   self      bridge . bridge, for each bridge
 *   internal  bridges of --internal networks
 *
 * and the forward chain drops routed traffic between two different cnm
 * bridges (isolation between networks) and traffic into or out of an
 * internal network.  Adding or removing a network is one transaction of
 * element changes, never a rule rewrite.  Traffic between containers of one
 * network is bridged, not routed, so it never reaches these rules; ICC off
 * is done on the bridge itself (isolated ports, see bridge.c).
 *
 * Everything goes through libnftables (loaded on first use); nothing runs
 * the nft program.
 */
#include <dlfcn.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>
#include "firewall.h"

static const char table_def[] =
	"create table inet cnm { comment \"cnm: container networks (managed by cnm; do not"
	" edit)\"; }\n"
	"add set inet cnm bridges { type ifname; comment \"every cnm bridge\"; }\n"
	"add set inet cnm self { type ifname . ifname; comment \"bridge . bridge: routed"
	" traffic that stays inside one network\"; }\n"
	"add set inet cnm internal { type ifname; comment \"bridges of --internal networks\"; }\n"
	"add set inet cnm masq4 { type ipv4_addr; flags interval; comment \"subnets that leave"
	" with the host's address\"; }\n"
	"add set inet cnm masq6 { type ipv6_addr; flags interval; comment \"subnets that leave"
	" with the host's address\"; }\n"
	"add set inet cnm nets4 { type ipv4_addr; flags interval; comment \"every container"
	" subnet\"; }\n"
	"add set inet cnm nets6 { type ipv6_addr; flags interval; comment \"every container"
	" subnet\"; }\n"
	"add map inet cnm ports4 { type inet_proto . inet_service : ipv4_addr . inet_service;"
	" comment \"published on every IPv4 address\"; }\n"
	"add map inet cnm ports4_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr ."
	" inet_service; comment \"published on one IPv4 address\"; }\n"
	"add map inet cnm ports6 { type inet_proto . inet_service : ipv6_addr . inet_service;"
	" comment \"published on every IPv6 address\"; }\n"
	"add map inet cnm ports6_ip { type ipv6_addr . inet_proto . inet_service : ipv6_addr ."
	" inet_service; comment \"published on one IPv6 address\"; }\n"
	"add chain inet cnm forward { type filter hook forward priority filter; policy accept;"
	" comment \"isolation between networks\"; }\n"
	"add chain inet cnm prerouting { type nat hook prerouting priority dstnat; policy accept;"
	" comment \"published ports, from outside and from containers\"; }\n"
	"add chain inet cnm output { type nat hook output priority -100; policy accept;"
	" comment \"published ports, from the host itself\"; }\n"
	"add chain inet cnm postrouting { type nat hook postrouting priority srcnat; policy accept;"
	" comment \"masquerade\"; }\n"
	"add chain inet cnm publish { comment \"published ports: DNAT to the container\"; }\n"
	"add rule inet cnm forward iifname @internal oifname != @internal drop"
	" comment \"internal networks: nothing leaves\"\n"
	"add rule inet cnm forward oifname @internal iifname != @internal drop"
	" comment \"internal networks: nothing enters\"\n"
	"add rule inet cnm forward ct state established,related accept comment \"replies\"\n"
	"add rule inet cnm forward ct status dnat accept"
	" comment \"published ports are reachable from everywhere\"\n"
	"add rule inet cnm forward iifname @bridges oifname @bridges iifname . oifname != @self"
	" drop comment \"networks do not reach each other\"\n"
	"add rule inet cnm prerouting fib daddr type local jump publish\n"
	"add rule inet cnm output fib daddr type local jump publish\n"
	"add rule inet cnm publish dnat ip to ip daddr . meta l4proto . th dport map @ports4_ip"
	" comment \"ports published on one address\"\n"
	"add rule inet cnm publish dnat ip to meta l4proto . th dport map @ports4"
	" comment \"ports published on every address\"\n"
	"add rule inet cnm publish dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports6_ip"
	" comment \"ports published on one address\"\n"
	"add rule inet cnm publish dnat ip6 to meta l4proto . th dport map @ports6"
	" comment \"ports published on every address\"\n"
	"add rule inet cnm postrouting ip saddr @masq4 oifname != @bridges masquerade"
	" comment \"containers reach the outside with the host's address\"\n"
	"add rule inet cnm postrouting ip6 saddr @masq6 oifname != @bridges masquerade"
	" comment \"containers reach the outside with the host's address\"\n"
	"add rule inet cnm postrouting ct status dnat ip saddr @nets4 oifname @bridges masquerade"
	" comment \"hairpin: a container reaching a published port\"\n"
	"add rule inet cnm postrouting ct status dnat ip6 saddr @nets6 oifname @bridges masquerade"
	" comment \"hairpin: a container reaching a published port\"\n"
	"add rule inet cnm postrouting ip saddr 127.0.0.0/8 oifname @bridges masquerade"
	" comment \"127.0.0.1:PORT reaches containers (route_localnet)\"\n"
;

/*
 * libnftables (with libnftnl, libxtables and libgmp behind it) costs every
 * process ~0.5 ms to load and relocate; most cnm commands never touch the
 * firewall.  So it is loaded on first use.
 */
static struct {
	void *dl;
	struct nft_ctx *(*ctx_new)(uint32_t flags);
	void (*ctx_free)(struct nft_ctx *ctx);
	int (*buffer_output)(struct nft_ctx *ctx);
	int (*buffer_error)(struct nft_ctx *ctx);
	const char *(*error_buffer)(struct nft_ctx *ctx);
	const char *(*output_buffer)(struct nft_ctx *ctx);
	int (*run)(struct nft_ctx *ctx, const char *buf);
} nft;

static int nft_load(struct cnm_err *err)
{
	if (nft.dl)
		return 0;
	nft.dl = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!nft.dl)
		return cnm_errf(err, ENOENT, "cannot load libnftables.so.1 (install the libnftables1"
				" package): %s", dlerror());
	nft.ctx_new = (struct nft_ctx *(*)(uint32_t))dlsym(nft.dl, "nft_ctx_new");
	nft.ctx_free = (void (*)(struct nft_ctx *))dlsym(nft.dl, "nft_ctx_free");
	nft.buffer_output = (int (*)(struct nft_ctx *))dlsym(nft.dl, "nft_ctx_buffer_output");
	nft.buffer_error = (int (*)(struct nft_ctx *))dlsym(nft.dl, "nft_ctx_buffer_error");
	nft.error_buffer = (const char *(*)(struct nft_ctx *))dlsym(nft.dl,
								    "nft_ctx_get_error_buffer");
	nft.run = (int (*)(struct nft_ctx *, const char *))dlsym(nft.dl,
								 "nft_run_cmd_from_buffer");
	nft.output_buffer = (const char *(*)(struct nft_ctx *))dlsym(nft.dl,
								     "nft_ctx_get_output_buffer");
	if (!nft.ctx_new || !nft.ctx_free || !nft.buffer_output || !nft.buffer_error ||
	    !nft.error_buffer || !nft.run) {
		dlclose(nft.dl);
		nft.dl = NULL;
		return cnm_errf(err, ENOSYS, "libnftables.so.1 lacks the functions cnm uses");
	}
	return 0;
}

static struct nft_ctx *fw_ctx(struct cnm_ctx *ctx, struct cnm_err *err)
{
	if (!ctx->nft) {
		if (nft_load(err))
			return NULL;
		ctx->nft = nft.ctx_new(NFT_CTX_DEFAULT);
		if (!ctx->nft) {
			cnm_errf(err, ENOMEM, "cannot create an nftables context");
			return NULL;
		}
		nft.buffer_output(ctx->nft);
		nft.buffer_error(ctx->nft);
	}
	return ctx->nft;
}

/* Run one transaction; on failure the first line of nft's message goes in @err. */
int cnm_fw_run(struct cnm_ctx *ctx, const char *cmds, const char *what, struct cnm_err *err)
{
	struct nft_ctx *n = fw_ctx(ctx, err);
	const char *msg;
	size_t len;

	if (!n)
		return -ENOMEM;
	if (nft.run(n, cmds) == 0)
		return 0;
	msg = nft.error_buffer(n);
	msg = msg ? msg : "";
	if (strstr(msg, "Error: "))
		msg = strstr(msg, "Error: ") + 7;
	len = strcspn(msg, "\n");
	return cnm_errf(err, EIO, "nftables: %s: %.*s", what, (int)len, msg);
}

void cnm_fw_create_table(struct cnm_ctx *ctx)
{
	struct cnm_err ignored;

	/* fails atomically, changing nothing, when another command made it first */
	cnm_fw_run(ctx, table_def, "create table inet cnm", &ignored);
}

/* The element list for @net, for "add element" or "delete element". */
static int elements(const struct cnm_net *net, const char *verb, char *out, size_t len)
{
	const char *b = net->bridge;
	char s4[CNM_CIDRSTRLEN], s6[CNM_CIDRSTRLEN];

	char c[CNM_NAME_MAX + 32] = "";
	int n;

	/* added elements say which network they are for: nft list ruleset explains itself */
	if (!strcmp(verb, "add"))
		snprintf(c, sizeof(c), " comment \"network %s\"", net->name);
	n = snprintf(out, len, "%s element inet cnm bridges { \"%s\"%s }\n"
		     "%s element inet cnm self { \"%s\" . \"%s\"%s }\n", verb, b, c, verb, b,
		     b, c);
	if (net->internal)
		n += snprintf(out + n, len - (size_t)n, "%s element inet cnm internal { \"%s\"%s }\n",
			      verb, b, c);
	if (net->has_pool) {
		cnm_cidr_format(&net->pool.subnet, s4);
		n += snprintf(out + n, len - (size_t)n, "%s element inet cnm nets4 { %s%s }\n",
			      verb, s4, c);
		if (net->masquerade && !net->internal)
			n += snprintf(out + n, len - (size_t)n,
				      "%s element inet cnm masq4 { %s%s }\n", verb, s4, c);
	}
	if (net->has_pool6) {
		cnm_cidr_format(&net->pool6.subnet, s6);
		n += snprintf(out + n, len - (size_t)n, "%s element inet cnm nets6 { %s%s }\n",
			      verb, s6, c);
		if (net->masquerade && !net->internal)
			n += snprintf(out + n, len - (size_t)n,
				      "%s element inet cnm masq6 { %s%s }\n", verb, s6, c);
	}
	return n;
}

/**
 * cnm_fw_network_add() - put a bridge network's elements in the table,
 * creating the table first if it is not there.  Idempotent.
 */
int cnm_fw_network_add(struct cnm_ctx *ctx, const struct cnm_net *net, struct cnm_err *err)
{
	char cmds[1024], what[64];

	if (!net->bridge[0])
		return 0;
	elements(net, "add", cmds, sizeof(cmds));
	snprintf(what, sizeof(what), "add network %s", net->name);
	/*
	 * Optimistic: the table is nearly always there.  A failed transaction
	 * costs the kernel 10-20 ms here (its abort path), so the table is
	 * created only when adding to it failed, then the add is retried.
	 */
	if (cnm_fw_run(ctx, cmds, what, NULL) == 0)
		return 0;
	cnm_fw_create_table(ctx);
	return cnm_fw_run(ctx, cmds, what, err);
}

/**
 * cnm_fw_network_del() - take a network's elements out of the table.  Each
 * set is tried on its own, so elements already gone are not an error.
 */
int cnm_fw_network_del(struct cnm_ctx *ctx, const struct cnm_net *net, struct cnm_err *err)
{
	char cmds[1024], *line, *save = NULL;
	struct cnm_err ignored;

	if (!net->bridge[0])
		return 0;
	elements(net, "delete", cmds, sizeof(cmds));
	if (cnm_fw_run(ctx, cmds, "delete network", &ignored) == 0)
		return 0;
	for (line = strtok_r(cmds, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		cnm_fw_run(ctx, line, "delete element", &ignored);
	return 0;
}

/**
 * cnm_fw_check_foreign() - warn (as a notice) when another firewall drops
 * forwarded traffic by default: an iptables FORWARD chain with policy DROP,
 * as Docker, ufw and firewalld leave behind.  Every base chain on the
 * forward hook must accept a packet, so cnm's accept does not help.
 * Checked when a bridge is set up, which is rare; costs one listing.
 */
void cnm_fw_check_foreign(struct cnm_ctx *ctx, const struct cnm_net *net)
{
	static const char *const fams[] = { "ip", "ip6" };
	struct nft_ctx *n;

	if (net->internal || !(n = fw_ctx(ctx, NULL)) || !nft.output_buffer)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(fams); i++) {
		char cmd[64];
		const char *out;

		snprintf(cmd, sizeof(cmd), "list chain %s filter FORWARD", fams[i]);
		if (nft.run(n, cmd) != 0)
			continue;
		out = nft.output_buffer(n);
		if (!out || !strstr(out, "policy drop"))
			continue;
		snprintf(ctx->notice, sizeof(ctx->notice),
			 "warning: the host's %stables FORWARD chain drops forwarded traffic by"
			 " default (policy drop), so containers on %s will not reach the outside."
			 " Fix: %stables -I FORWARD -i %s -j ACCEPT && %stables -I FORWARD -o %s -m"
			 " conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", i ? "ip6" : "ip",
			 net->bridge, i ? "ip6" : "ip", net->bridge, i ? "ip6" : "ip", net->bridge);
		return;
	}
}

void cnm_fw_close(struct cnm_ctx *ctx)
{
	if (ctx->nft)
		nft.ctx_free(ctx->nft);
	ctx->nft = NULL;
}
