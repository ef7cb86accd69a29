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
 * element changes, never a rule rewrite, sent as a raw nf_tables batch
 * (nftnl.c); libnftables is loaded only to create the table.  Traffic between containers of one
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
#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>
#include "dryrun.h"
#include "firewall.h"
#include "netlink.h"
#include "nftnl.h"
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter.h>

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
	/* first: every packet of a flow after its first, lookups skipped (and no
	 * flow crosses an internal network's wall: its first packet did not) */
	"add rule inet cnm forward ct state established,related accept comment \"replies\"\n"
	/* then traffic that stays in its network.  With br_netfilter, frames
	 * bridged between two containers come here too, untracked and marked by
	 * bridge cnm: the mark is only a shortcut, @self accepts them as well, at
	 * the price of two names looked up */
	"add rule inet cnm forward meta mark " CNM_FW_BRIDGED_MARK " ct state untracked accept"
	" comment \"bridged inside one network (bridge cnm untracked and marked it)\"\n"
	"add rule inet cnm forward iifname . oifname @self accept"
	" comment \"inside one network\"\n"
	"add rule inet cnm forward iifname @internal oifname != @internal drop"
	" comment \"internal networks: nothing leaves\"\n"
	"add rule inet cnm forward oifname @internal iifname != @internal drop"
	" comment \"internal networks: nothing enters\"\n"
	"add rule inet cnm forward ct status dnat accept"
	" comment \"published ports are reachable from everywhere\"\n"
	"add rule inet cnm forward iifname @bridges oifname @bridges iifname . oifname != @self"
	" drop comment \"networks do not reach each other\"\n"
	/* the bridges have route_localnet (for the host's own 127.0.0.1:PORT): without
	 * these, a container could reach the host's loopback services through its
	 * gateway, and a neighbour a port published on 127.0.0.1 (CVE-2020-8558) */
	"add rule inet cnm prerouting iifname @bridges ip daddr 127.0.0.0/8 drop"
	" comment \"containers do not reach the host's 127.0.0.1\"\n"
	"add rule inet cnm prerouting ip daddr 127.0.0.0/8 return"
	" comment \"ports published on 127.0.0.1 answer the host only\"\n"
	"add rule inet cnm prerouting fib daddr type local jump publish\n"
	"add rule inet cnm output ip6 daddr ::1 return comment \"[::1] cannot be DNATed (no"
	" route_localnet for IPv6): the container's monitor relays it\"\n"
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
 * Anti-spoofing works on frames, so it lives in a bridge-family table of its
 * own (a table has one family); like `inet cnm`, its rules never change and
 * containers are elements.  Every veth of a container is in `ports`; a frame
 * entering a bridge from one must carry the container's MAC, and its IPv4
 * packets and ARP their container's address, its IPv6 packets one of its
 * addresses (the global one, and the link-local one its kernel derives from
 * the MAC; "::" while it probes for duplicates).  A frame from any other
 * port passes untouched.
 *
 * Every frame a container sends meets this chain, so its order is the
 * data plane's cost (docs/decisions.md, measured with bench/ab-dataplane):
 * the first rules accept what a well-behaved container sends, IPv4 and
 * IPv6, with one lookup of veth . MAC . source address; everything else
 * (other ports, ARP, other protocols, spoofed frames) goes on to the checks
 * one by one.  A frame to a neighbour's MAC (pkttype other: bridged,
 * never routed, never NATed) is also marked untracked: with br_netfilter
 * it would otherwise pay conntrack in `inet cnm`'s hooks for nothing, ~2 %
 * of container-to-container throughput (docs/decisions.md).  Only the lookup keyed by the interface's name is
 * possible before the veth exists, so the elements can be in place before
 * its first frame.  The sets of an earlier layout (addrs4, addrs6: veth .
 * address) are replaced on first use, see bridge_migrate().
 */
static const char bridge_table_def[] =
	"create table bridge cnm { comment \"cnm: anti-spoofing (managed by cnm; do not"
	" edit)\"; }\n"
	"add set bridge cnm ports { type ifname; comment \"container veths\"; }\n"
	"add set bridge cnm macs { type ifname . ether_addr; comment \"veth . its container's"
	" MAC\"; }\n"
	"add set bridge cnm src4 { type ifname . ether_addr . ipv4_addr; comment \"veth . its"
	" container's MAC . address\"; }\n"
	"add set bridge cnm src6 { type ifname . ether_addr . ipv6_addr; comment \"veth . its"
	" container's MAC . addresses (and :: for duplicate address detection)\"; }\n"
	"add chain bridge cnm prerouting { type filter hook prerouting priority -300;"
	" policy accept; comment \"a container sends as itself only\"; }\n"
	"add rule bridge cnm prerouting meta pkttype other iifname . ether saddr . ip saddr"
	" @src4 notrack meta mark set " CNM_FW_BRIDGED_MARK " accept"
	" comment \"IPv4 from its own MAC and address, to a neighbour: bridged, not tracked\"\n"
	"add rule bridge cnm prerouting iifname . ether saddr . ip saddr @src4 accept"
	" comment \"IPv4 from its own MAC and address\"\n"
	"add rule bridge cnm prerouting meta pkttype other iifname . ether saddr . ip6 saddr"
	" @src6 notrack meta mark set " CNM_FW_BRIDGED_MARK " accept"
	" comment \"IPv6 from its own MAC and addresses, to a neighbour: bridged, not tracked\"\n"
	"add rule bridge cnm prerouting iifname . ether saddr . ip6 saddr @src6 accept"
	" comment \"IPv6 from its own MAC and addresses\"\n"
	"add rule bridge cnm prerouting iifname != @ports accept comment \"not a container's"
	" port\"\n"
	"add rule bridge cnm prerouting iifname . ether saddr != @macs drop"
	" comment \"another MAC\"\n"
	"add rule bridge cnm prerouting ether type arp iifname . arp saddr ether . arp saddr ip"
	" != @src4 drop comment \"ARP for another MAC or address\"\n"
	"add rule bridge cnm prerouting meta protocol { ip, ip6 } drop"
	" comment \"another IPv4 or IPv6 address\"\n";

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

/* An interface name as nftables keys it: 16 bytes, zero-padded. */
static void ifname_key(uint8_t out[16], const char *name)
{
	memset(out, 0, 16);
	memcpy(out, name, strnlen(name, 15));
}

typedef int (*elems_fill_fn)(const void *obj, struct cnm_elems *e, const char *only);

/*
 * Add what @fill puts for @obj in one batch, making @table from @def first
 * when it is missing.  Optimistic: the tables are nearly always there.  A failed transaction costs the kernel 10-20 ms here
 * (its abort path), so the tables are created only when adding to them
 * failed, then the add is retried.
 */
static int elems_add(struct cnm_ctx *ctx, elems_fill_fn fill, const void *obj,
		     const char *def, const char *table, struct cnm_err *err)
{
	struct cnm_elems *e = cnm_elems_new(true);
	char what[64];
	int rc;

	if (!e)
		return cnm_errf(err, ENOMEM, "out of memory");
	rc = fill(obj, e, NULL) ? cnm_errf(err, ENOMEM, "out of memory") : 0;
	snprintf(what, sizeof(what), "list table %s", table);
	if (!rc && ctx->dry && cnm_elems_count(e)) { /* a real run would make the table */
		const char *listing;

		if (cnm_fw_list(ctx, what, &listing))
			cnm_dry_table(ctx, def);
	}
	if (!rc && cnm_elems_count(e) && cnm_elems_commit(ctx, e, NULL) != 0) {
		struct cnm_err ignored;

		snprintf(what, sizeof(what), "create table %s", table);
		cnm_fw_run(ctx, def, what, &ignored);
		rc = cnm_elems_commit(ctx, e, err);
	}
	cnm_elems_free(e);
	return rc;
}

/*
 * Delete what @fill puts for @obj (only set @only of it, when not NULL) in
 * one batch; when some elements are already gone the batch fails as a
 * whole, so then each of @sets is tried on its own.  Best effort.
 */
static void elems_del(struct cnm_ctx *ctx, elems_fill_fn fill, const void *obj,
		      const char *const *sets, size_t n_sets, const char *probe,
		      const char *probe_key)
{
	struct cnm_elems *e = cnm_elems_new(false);
	const char *out;

	if (e && !fill(obj, e, NULL) && (!cnm_elems_count(e) || !cnm_elems_commit(ctx, e, NULL))) {
		cnm_elems_free(e);
		return;
	}
	cnm_elems_free(e);
	/*
	 * @probe lists the set whose element @probe_key says the others were
	 * added: without it there is nothing to take out, and trying set by
	 * set would be four more failed transactions (10-20 ms each).
	 */
	if (probe && (cnm_fw_list(ctx, probe, &out) || !strstr(out, probe_key)))
		return;
	for (size_t i = 0; i < n_sets; i++) {
		struct cnm_elems *one = cnm_elems_new(false);

		if (one && !fill(obj, one, sets[i]) && cnm_elems_count(one))
			cnm_elems_commit(ctx, one, NULL);
		cnm_elems_free(one);
	}
}

/* An endpoint's anti-spoofing elements; none when its MAC is not known. */
static int endpoint_elems(const struct cnm_ep *ep, const char *net, struct cnm_elems *e,
			  const char *only)
{
	/* veth (16) . MAC (6, padded to 8) . address (4 or 16) */
	uint8_t k[40], mac[6];
	char c[CNM_NAME_MAX + 16];
	int rc;

	if (!ep->host_ifname[0] || cnm_mac_parse(ep->mac, mac))
		return 0;
	/* like the network elements: comments name the network (deletes need none) */
	snprintf(c, sizeof(c), "network %s", net ? net : "");
	cnm_elems_bridge(e);
#define WANT(set) (!only || !strcmp(only, set))
	memset(k, 0, sizeof(k));
	ifname_key(k, ep->host_ifname);
	rc = WANT("ports") ? cnm_elems_put(e, "ports", k, 16, NULL, 0, 0, c) : 0;
	memcpy(k + 16, mac, 6);
	if (!rc && WANT("macs"))
		rc = cnm_elems_put(e, "macs", k, 24, NULL, 0, 0, c);
	if (!rc && ep->has_addr && WANT("src4")) {
		memcpy(k + 24, ep->addr.b, 4);
		rc = cnm_elems_put(e, "src4", k, 28, NULL, 0, 0, c);
	}
	if (!rc && ep->has_addr6 && WANT("src6")) {
		memcpy(k + 24, ep->addr6.b, 16);
		rc = cnm_elems_put(e, "src6", k, 40, NULL, 0, 0, c);
	}
	if (!rc && WANT("src6")) {
		/* fe80::/64 with the EUI-64 of the MAC, what the container's kernel uses */
		static const uint8_t ll[8] = { 0xfe, 0x80 };

		memcpy(k + 24, ll, 8);
		k[32] = mac[0] ^ 0x02;
		k[33] = mac[1];
		k[34] = mac[2];
		k[35] = 0xff;
		k[36] = 0xfe;
		memcpy(k + 37, mac + 3, 3);
		rc = cnm_elems_put(e, "src6", k, 40, NULL, 0, 0, c);
	}
	if (!rc && WANT("src6")) {
		/* "::": duplicate address detection, from its own MAC only */
		memset(k + 24, 0, 16);
		rc = cnm_elems_put(e, "src6", k, 40, NULL, 0, 0, c);
	}
#undef WANT
	return rc;
}

/**
 * cnm_fw_endpoint_add() - let an endpoint's veth send only as its container
 * (anti-spoofing elements of `bridge cnm`, one batch), creating the tables
 * first if they are missing.
 */
struct ep_ref {
	const struct cnm_ep *ep;
	const char *net;
};

static int endpoint_fill(const void *obj, struct cnm_elems *e, const char *only)
{
	const struct ep_ref *r = obj;

	return endpoint_elems(r->ep, r->net, e, only);
}

int cnm_fw_endpoint_add(struct cnm_ctx *ctx, const struct cnm_net *net, const struct cnm_ep *ep,
			struct cnm_err *err)
{
	struct ep_ref r = { ep, net->name };
	int rc = elems_add(ctx, endpoint_fill, &r, bridge_table_def, "bridge cnm", err);

	/* a table of an earlier layout has no set src4: migrated once, then retried */
	if (rc == -ENOENT && !ctx->dry && cnm_fw_bridge_migrate(ctx, bridge_table_def) == 0)
		rc = elems_add(ctx, endpoint_fill, &r, bridge_table_def, "bridge cnm", err);
	return rc;
}

/**
 * cnm_fw_endpoint_del() - take an endpoint's anti-spoofing elements out.
 * Best effort, like cnm_fw_network_del(): set by set when some are gone.
 */

void cnm_fw_endpoint_del(struct cnm_ctx *ctx, const struct cnm_ep *ep)
{
	static const char *const sets[] = { "ports", "macs", "src4", "src6" };

	struct ep_ref r = { ep, NULL };
	char key[24];

	/* a CNI endpoint with "macspoofchk": false has none */
	snprintf(key, sizeof(key), "\"%s\"", ep->host_ifname);
	elems_del(ctx, endpoint_fill, &r, sets, ARRAY_SIZE(sets), "list set bridge cnm ports", key);
}


/* A prefix in an interval set: its first address, then the one after its last. */
static int put_prefix(struct cnm_elems *e, const char *set, const struct cnm_cidr *c,
		      const char *comment)
{
	struct cnm_addr first, end;
	size_t len = c->addr.family == AF_INET ? 4 : 16;
	int rc;

	cnm_cidr_network(c, &first);
	cnm_cidr_last(c, &end);
	cnm_addr_add(&end, 1);
	rc = cnm_elems_put(e, set, first.b, len, NULL, 0, 0, comment);
	if (!rc)
		rc = cnm_elems_put(e, set, end.b, len, NULL, 0, NFT_SET_ELEM_INTERVAL_END, NULL);
	return rc;
}

/* A network's elements: its bridge, bridge . bridge, internal, subnets
 * (only those of set @only, when not NULL). */
static int network_elems_only(const struct cnm_net *net, struct cnm_elems *e, const char *only)
{
	uint8_t k[32];
	char c[CNM_NAME_MAX + 16];
	bool masq = net->masquerade && !net->internal;
	int rc;

	/* elements say which network they are for: nft list ruleset explains itself */
	snprintf(c, sizeof(c), "network %s", net->name);
	ifname_key(k, net->bridge);
	ifname_key(k + 16, net->bridge);
#define WANT(set) (!only || !strcmp(only, set))
	rc = WANT("bridges") ? cnm_elems_put(e, "bridges", k, 16, NULL, 0, 0, c) : 0;
	if (!rc && WANT("self"))
		rc = cnm_elems_put(e, "self", k, 32, NULL, 0, 0, c);
	if (!rc && net->internal && WANT("internal"))
		rc = cnm_elems_put(e, "internal", k, 16, NULL, 0, 0, c);
	if (!rc && net->has_pool && WANT("nets4"))
		rc = put_prefix(e, "nets4", &net->pool.subnet, c);
	if (!rc && net->has_pool && masq && WANT("masq4"))
		rc = put_prefix(e, "masq4", &net->pool.subnet, c);
	if (!rc && net->has_pool6 && WANT("nets6"))
		rc = put_prefix(e, "nets6", &net->pool6.subnet, c);
	if (!rc && net->has_pool6 && masq && WANT("masq6"))
		rc = put_prefix(e, "masq6", &net->pool6.subnet, c);
#undef WANT
	return rc;
}

static int network_fill(const void *net, struct cnm_elems *e, const char *only)
{
	return network_elems_only(net, e, only);
}

/**
 * cnm_fw_network_add() - put a bridge network's elements in the table (one
 * nf_tables batch), creating the table first if it is not there.
 */
/*
 * The table's life: made by the first network's elements, dropped with the
 * last one's.  Both steps are check-then-act across processes (and across
 * state stores: the CLI's and the CNI plugin's share the table), so they
 * serialise on a lock file in the run directory, taken only here.
 */
static int fw_lock(struct cnm_ctx *ctx)
{
	char path[PATH_MAX + 16];
	int fd;

	if (cnm_mkdir_p(ctx->run_dir, 0700, NULL))
		return -1;
	snprintf(path, sizeof(path), "%s/fw.lock", ctx->run_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void fw_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/**
 * cnm_fw_drop_if_unused() - delete the table when no network is left in it
 * (its `bridges` set is empty): the last network gone takes the table.
 * @gone: the bridge just taken out (a dry run has not taken it out)
 */
void cnm_fw_drop_if_unused(struct cnm_ctx *ctx, const char *gone)
{
	char key[24];
	const char *out, *p;
	int fd, n = 0;

	if (ctx->dry) { /* the elements are still there: is @gone the only bridge? */
		snprintf(key, sizeof(key), "\"%s\"", gone);
		if (cnm_fw_list(ctx, "list set inet cnm bridges", &out) == 0 && strstr(out, key)) {
			for (p = out; (p = strstr(p, "comment \"")); p++)
				n++;
			if (n == 2) /* the set's own comment and @gone's */
				fprintf(ctx->dry, "nft delete table inet cnm\n");
			if (n == 2 && !cnm_fw_list(ctx, "list table bridge cnm", &out))
				fprintf(ctx->dry, "nft delete table bridge cnm\n");
		}
		return;
	}
	fd = fw_lock(ctx);
	if (cnm_fw_list(ctx, "list set inet cnm bridges", &out) == 0 && !strstr(out, "elements")) {
		cnm_fw_run(ctx, "delete table inet cnm", "delete table inet cnm", NULL);
		/* no network, so no container port either: anti-spoofing goes too
		 * (looked up first: a failed transaction is what costs) */
		if (!cnm_fw_list(ctx, "list table bridge cnm", &out))
			cnm_fw_run(ctx, "delete table bridge cnm", "delete table bridge cnm", NULL);
	}
	fw_unlock(fd);
}

int cnm_fw_network_add(struct cnm_ctx *ctx, const struct cnm_net *net, struct cnm_err *err)
{
	struct cnm_elems *e;
	int rc, fd;

	if (!net->bridge[0])
		return 0;
	e = cnm_elems_new(true);
	if (!e)
		return cnm_errf(err, ENOMEM, "out of memory");
	rc = network_fill(net, e, NULL) ? cnm_errf(err, ENOMEM, "out of memory") : 0;
	if (!rc && ctx->dry) { /* a real run would make the table first if it is missing */
		const char *listing;

		if (cnm_fw_list(ctx, "list table inet cnm", &listing))
			cnm_dry_table(ctx, table_def);
	}
	/*
	 * Optimistic: the table is nearly always there.  A failed transaction
	 * costs the kernel 10-20 ms here (its abort path), so the table is
	 * created only when adding to it failed, then the add is retried.
	 */
	fd = rc || ctx->dry ? -1 : fw_lock(ctx);
	if (!rc && cnm_elems_commit(ctx, e, NULL) != 0) {
		cnm_fw_create_table(ctx);
		rc = cnm_elems_commit(ctx, e, err);
	}
	fw_unlock(fd);
	cnm_elems_free(e);
	return rc;
}

/**
 * cnm_fw_network_del() - take a network's elements out of the table.  When
 * some are already gone (the batch fails as a whole), each set is tried on
 * its own.
 */
int cnm_fw_network_del(struct cnm_ctx *ctx, const struct cnm_net *net, struct cnm_err *err)
{
	static const char *const sets[] = { "bridges", "self", "internal", "nets4", "masq4",
					    "nets6", "masq6" };

	if (net->bridge[0])
		elems_del(ctx, network_fill, net, sets, ARRAY_SIZE(sets), NULL, NULL);
	return 0;
}

/**
 * cnm_fw_list() - run an nft listing command (`list chain ip filter FORWARD`)
 * and return its text output, valid until the next nftables call.
 * Return: 0, or -ENOENT when what is listed does not exist (or nft failed).
 */
int cnm_fw_list(struct cnm_ctx *ctx, const char *cmd, const char **out)
{
	struct nft_ctx *n = fw_ctx(ctx, NULL);

	*out = NULL;
	if (!n || !nft.output_buffer)
		return -ENOSYS;
	if (nft.run(n, cmd) != 0)
		return -ENOENT;
	*out = nft.output_buffer(n);
	if (!*out)
		*out = "";
	return 0;
}

/** cnm_fw_table_def() - the nft commands that make cnm's table, for checking it. */
const char *cnm_fw_table_def(void)
{
	return table_def;
}

/** cnm_fw_bridge_table_def() - the nft commands that make `bridge cnm`. */
const char *cnm_fw_bridge_table_def(void)
{
	return bridge_table_def;
}

/**
 * cnm_fw_forward_drops() - "ip" or "ip6" when that family's iptables
 * FORWARD chain drops forwarded traffic by default (policy drop), as
 * Docker, ufw and firewalld leave it; NULL when neither does.
 */
const char *cnm_fw_forward_drops(struct cnm_ctx *ctx)
{
	static const struct {
		const char *name;
		uint8_t family;
	} fams[] = { { "ip", NFPROTO_IPV4 }, { "ip6", NFPROTO_IPV6 } };

	for (size_t i = 0; i < ARRAY_SIZE(fams); i++) {
		uint32_t policy;

		if (!cnm_nft_chain_policy(ctx, fams[i].family, "filter", "FORWARD", &policy) &&
		    policy == NF_DROP)
			return fams[i].name;
	}
	return NULL;
}

/**
 * cnm_fw_check_foreign() - warn (as a notice) when another firewall drops
 * forwarded traffic by default (cnm_fw_forward_drops()).  Every base chain
 * on the forward hook must accept a packet, so cnm's accept does not help.
 * Checked when a bridge is set up: two NFT_MSG_GETCHAIN requests.
 */
void cnm_fw_check_foreign(struct cnm_ctx *ctx, const struct cnm_net *net)
{
	const char *fam;

	if (net->internal || !(fam = cnm_fw_forward_drops(ctx)))
		return;
	snprintf(ctx->notice, sizeof(ctx->notice),
		 "warning: the host's %stables FORWARD chain drops forwarded traffic by"
		 " default (policy drop), so containers on %s will not reach the outside."
		 " Fix: %stables -I FORWARD -i %s -j ACCEPT && %stables -I FORWARD -o %s -m"
		 " conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", fam, net->bridge, fam,
		 net->bridge, fam, net->bridge);
}

/**
 * cnm_fw_list_json() - `nft -j list table inet cnm`, for gc (rare: a context
 * of its own with JSON output).
 * @ctx: context
 * @json: malloc'ed text of the listing
 * @err: filled on failure
 *
 * Return: 0, -ENOENT when the table does not exist, or a negative errno.
 */
int cnm_fw_list_json(struct cnm_ctx *ctx, char **json, struct cnm_err *err)
{
	return cnm_fw_list_table_json(ctx, "inet cnm", json, err);
}

/** cnm_fw_list_table_json() - cnm_fw_list_json() of another table ("bridge cnm"). */
int cnm_fw_list_table_json(struct cnm_ctx *ctx, const char *table, char **json,
			   struct cnm_err *err)
{
	char cmd[64];
	unsigned int (*set_flags)(struct nft_ctx *, unsigned int);
	struct nft_ctx *n;
	int rc = 0;

	if (nft_load(err))
		return -ENOENT;
	set_flags = (unsigned int (*)(struct nft_ctx *, unsigned int))dlsym(nft.dl,
			"nft_ctx_output_set_flags");
	n = nft.ctx_new(NFT_CTX_DEFAULT);
	if (!n || !set_flags || !nft.output_buffer) {
		if (n)
			nft.ctx_free(n);
		return cnm_errf(err, ENOSYS, "libnftables cannot list in JSON");
	}
	set_flags(n, NFT_CTX_OUTPUT_JSON);
	nft.buffer_output(n);
	nft.buffer_error(n);
	snprintf(cmd, sizeof(cmd), "list table %s", table);
	if (nft.run(n, cmd) != 0) {
		rc = -ENOENT;
	} else {
		/* each call hands over the buffer and empties it: call once */
		const char *out = nft.output_buffer(n);

		*json = strdup(out ? out : "");
		if (!*json)
			rc = cnm_errf(err, ENOMEM, "out of memory");
	}
	nft.ctx_free(n);
	return rc;
}

void cnm_fw_close(struct cnm_ctx *ctx)
{
	if (ctx->nft)
		nft.ctx_free(ctx->nft);
	ctx->nft = NULL;
}
