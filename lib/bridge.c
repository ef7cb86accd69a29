// SPDX-License-Identifier: MIT
/*
 * bridge.c - the bridge driver: a Linux bridge per network, a veth per container.
 *
 * DOC: Theory of operation
 * The bridge is created on first use with the gateway address on it.  Each
 * container gets a veth pair: the host end (veth + 7 hex) is created up and
 * enslaved to the bridge in the same request, and the peer is created as
 * eth0 directly inside the container's namespace with Docker's MAC, so no
 * interface is ever moved between namespaces.  Then one batch on the
 * container's own socket brings lo up and adds the address and the default
 * route.  Three round trips in all on the common path.
 *
 * Anti-spoofing elements for the port (firewall.c) are added before the
 * veth exists and taken out when the endpoint is released.
 *
 * A CNI network with "vlan" shares its bridge with other VLANs: see
 * vlan_ensure().
 *
 * Teardown is the namespace's: when the container's last process is gone
 * and its bind mount removed, the kernel destroys the namespace, and with
 * it eth0 and therefore the host end.  Deleting veths one by one costs
 * ~18 ms each in synchronize_net(); the namespace's cleanup batches them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include "driver.h"
#include "dryrun.h"
#include "fault.h"
#include "firewall.h"

/* net/bridge/br_private.h: BR_PORT_BITS 10, port 0 unused */
#define BR_MAX_PORTS 1024

static int write_sysctl(struct cnm_ctx *ctx, const char *path, const char *value,
			struct cnm_err *err)
{
	int fd;
	ssize_t n;

	if (ctx->dry) {
		cnm_dry_sysctl(ctx, path, value);
		return 0;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return cnm_errf(err, errno, "cannot open %s: %s", path, strerror(errno));
	n = write(fd, value, strlen(value));
	close(fd);
	if (n != (ssize_t)strlen(value))
		return cnm_errf(err, EIO, "cannot write %s", path);
	return 0;
}

/*
 * What a network needs from the namespace's IP stack: forwarding (for the
 * outside and for published ports), and route_localnet on the bridge so that
 * 127.0.0.1:PORT can be DNATed to a container (the packet leaves with a
 * loopback source that postrouting then masquerades).
 */
static int forwarding_on(struct cnm_ctx *ctx, const struct cnm_net *net, struct cnm_err *err)
{
	char path[128];
	int rc = 0;

	if (net->internal)
		return 0;
	if (net->has_pool)
		rc = write_sysctl(ctx, "/proc/sys/net/ipv4/ip_forward", "1", err);
	if (!rc && net->has_pool6)
		rc = write_sysctl(ctx, "/proc/sys/net/ipv6/conf/all/forwarding", "1", err);
	if (!rc && net->has_pool) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet",
			 net->bridge);
		rc = write_sysctl(ctx, path, "1", err);
	}
	return rc;
}

/* The gateway addresses of @net on @ifindex (the bridge, or a VLAN's BR.VID). */
static void gateway_addrs(struct cnm_nl_batch *b, const struct cnm_net *net, int ifindex,
			  const char *name)
{
	if (net->has_pool && net->pool.has_gateway)
		cnm_nl_addr_add(b, ifindex, &net->pool.gateway, net->pool.subnet.prefix, name);
	if (net->has_pool6 && net->pool6.has_gateway)
		cnm_nl_addr_add(b, ifindex, &net->pool6.gateway, net->pool6.subnet.prefix, name);
}

/* The network's elements in cnm's table, and a word on a foreign firewall. */
static int firewall_on(struct cnm_ctx *ctx, const struct cnm_net *net, struct cnm_err *err)
{
	int rc = cnm_fw_network_add(ctx, net, err);

	if (!rc)
		cnm_fw_check_foreign(ctx, net);
	return rc;
}

/* A VLAN's port on the bridge: its PVID, untagged, and out of VLAN 1 unless kept. */
static int port_vlan(struct cnm_nl *nl, const struct cnm_net *net, const char *port,
		     struct cnm_err *err)
{
	struct cnm_nl_batch b;
	int rc, ifindex;

	rc = cnm_nl_link_index(nl, port, &ifindex, err);
	if (rc)
		return rc;
	cnm_nl_batch_init(&b, nl);
	cnm_nl_port_vlan(&b, ifindex, port, net->vlan, true);
	if (!net->vlan_keep_default && net->vlan != 1)
		cnm_nl_port_vlan(&b, ifindex, port, 1, false);
	return cnm_nl_batch_run(&b, err);
}

/*
 * A VLAN network (CNI "vlan"): the shared bridge @net->trunk, created on
 * first use and VLAN-filtering from now on (a bridge made for a network
 * without VLAN has it off; its ports keep VLAN 1, which the bridge itself
 * is in too, so they go on working).  With a gateway, the interface
 * @net->bridge (BR.VID) is one end of a veth whose other end is an
 * untagged port of the VLAN, as the reference plugin does: the gateway
 * address is on it, not on the bridge.  @ifindex is the trunk's.
 */
static int vlan_ensure(struct cnm_ctx *ctx, struct cnm_nl *nl, const struct cnm_net *net,
		       int *ifindex, struct cnm_err *err)
{
	struct cnm_nl_batch b;
	char port[16];
	int rc, gw;

	rc = cnm_nl_link_index(nl, net->trunk, ifindex, err);
	if (rc == -ENODEV) {
		cnm_nl_batch_init(&b, nl);
		cnm_nl_vlan_bridge_add(&b, net->trunk, net->mtu);
		rc = cnm_nl_batch_run(&b, err);
		if (rc == -EEXIST) /* a concurrent ADD made it first */
			rc = 0;
		if (!rc)
			rc = cnm_nl_link_index(nl, net->trunk, ifindex, err);
	}
	if (!rc) {
		cnm_nl_batch_init(&b, nl);
		cnm_nl_bridge_vlan_filtering(&b, net->trunk, true);
		if (net->promisc)
			cnm_nl_link_promisc(&b, *ifindex, net->trunk, true);
		rc = cnm_nl_batch_run(&b, err);
	}
	if (rc == -EOPNOTSUPP)
		return cnm_errf(err, EOPNOTSUPP, "network %s: vlan %d needs bridge VLAN filtering,"
				" which this kernel lacks (CONFIG_BRIDGE_VLAN_FILTERING)",
				net->name, net->vlan);
	if (rc || net->no_bridge_addr)
		goto fw;
	rc = cnm_nl_link_index(nl, net->bridge, &gw, err);
	if (rc != -ENODEV)
		goto fw;
	/* the port end's name: "vg" and the gateway's name, hashed */
	{
		uint32_t h = 2166136261u;

		for (const char *p = net->bridge; *p; p++)
			h = (h ^ (uint8_t)*p) * 16777619u;
		snprintf(port, sizeof(port), "vg%08x", h);
	}
	cnm_nl_batch_init(&b, nl);
	cnm_nl_veth_add(&b, port, *ifindex, net->mtu, net->bridge, -1, NULL);
	cnm_nl_link_up(&b, 0, port);
	rc = cnm_nl_batch_run(&b, err);
	if (rc == -EEXIST) /* a concurrent ADD is making it */
		rc = 0;
	else if (!rc)
		rc = port_vlan(nl, net, port, err);
	if (!rc)
		rc = cnm_nl_link_index(nl, net->bridge, &gw, err);
	if (rc)
		return rc;
	cnm_nl_batch_init(&b, nl);
	cnm_nl_link_up(&b, gw, net->bridge);
	gateway_addrs(&b, net, gw, net->bridge);
	rc = cnm_nl_batch_run(&b, err);
	if (!rc)
		rc = forwarding_on(ctx, net, err);
fw:
	if (rc)
		return rc;
	/*
	 * On every ADD: a VLAN network may be new on a bridge that exists, with
	 * nothing made here to tell its first use; adding elements that are
	 * there already is no error and costs one nf_tables batch.
	 */
	return firewall_on(ctx, net, err);
}

/* The bridge's ifindex, creating it (up, with the gateway address) if needed. */
static int bridge_ensure(struct cnm_ctx *ctx, struct cnm_nl *nl, const struct cnm_net *net,
			 int *ifindex, struct cnm_err *err)
{
	struct cnm_nl_batch b;
	int rc;

	if (net->vlan)
		return vlan_ensure(ctx, nl, net, ifindex, err);
	rc = cnm_nl_link_index(nl, net->bridge, ifindex, err);
	if (rc != -ENODEV)
		return rc;
	cnm_nl_batch_init(&b, nl);
	cnm_nl_bridge_add(&b, net->bridge, net->mtu);
	rc = cnm_nl_batch_run(&b, err);
	if (!rc && net->promisc) {
		cnm_nl_batch_init(&b, nl);
		cnm_nl_link_promisc(&b, 0, net->bridge, true);
		rc = cnm_nl_batch_run(&b, err);
	}
	if (rc && rc != -EEXIST) /* EEXIST: a concurrent command made it first */
		return rc;
	cnm_fault("bridge.created");
	rc = cnm_nl_link_index(nl, net->bridge, ifindex, err);
	if (rc)
		return rc == -ENODEV ? cnm_errf(err, ENODEV, "bridge %s vanished while being"
						" created", net->bridge) : rc;
	cnm_nl_batch_init(&b, nl);
	if (!net->no_bridge_addr)
		gateway_addrs(&b, net, *ifindex, net->bridge);
	rc = cnm_nl_batch_run(&b, err);
	if (rc)
		return rc;
	cnm_fault("bridge.addressed");
	rc = forwarding_on(ctx, net, err);
	if (rc)
		return rc;
	/* a bridge made now (first use, or after a reboot) needs its firewall elements */
	return firewall_on(ctx, net, err);
}

/**
 * cnm_bridge_ensure() - make sure @net's bridge exists (used by network create).
 */
int cnm_bridge_ensure(struct cnm_ctx *ctx, const struct cnm_net *net, struct cnm_err *err)
{
	struct cnm_nl *nl;
	int rc, ifindex;

	rc = cnm_ctx_nl(ctx, &nl, err);
	if (rc)
		return rc;
	return bridge_ensure(ctx, nl, net, &ifindex, err);
}

/**
 * cnm_link_delete() - delete an interface of the host namespace by name;
 * one that is already gone is not an error.
 */
int cnm_link_delete(struct cnm_ctx *ctx, const char *name, struct cnm_err *err)
{
	struct cnm_nl_batch b;
	struct cnm_nl *nl;
	int rc;

	rc = cnm_ctx_nl(ctx, &nl, err);
	if (rc)
		return rc;
	cnm_nl_batch_init(&b, nl);
	cnm_nl_link_del(&b, name);
	return cnm_nl_batch_run(&b, err);
}

static int bridge_attach(struct cnm_ctx *ctx, const struct cnm_net *net, const struct cnm_ep *ep,
			 int netns_fd, struct cnm_err *err)
{
	struct cnm_nl_batch b;
	struct cnm_nl *nl, cnl = { 0 };
	uint8_t mac[6];
	int rc, brindex, eth;

	rc = cnm_ctx_nl(ctx, &nl, err);
	if (rc)
		return rc;
	rc = bridge_ensure(ctx, nl, net, &brindex, err);
	if (rc)
		return rc;
	/* anti-spoofing before the port exists: no frame of it goes unchecked */
	rc = ep->no_spoofchk ? 0 : cnm_fw_endpoint_add(ctx, net, ep, err);
	if (rc)
		return rc;
	cnm_nl_batch_init(&b, nl);
	cnm_nl_veth_add(&b, ep->host_ifname, brindex, net->mtu, ep->ifname, netns_fd,
			cnm_mac_parse(ep->mac, mac) ? NULL : mac);
	cnm_nl_brport_flags(&b, ep->host_ifname, !net->icc, !net->no_hairpin);
	/* a port: before it comes up (see cnm_nl_link_no_ipv6_auto()) */
	cnm_nl_link_no_ipv6_auto(&b, 0, ep->host_ifname);
	cnm_nl_link_up(&b, 0, ep->host_ifname);
	rc = cnm_nl_batch_run(&b, err);
	if (rc == -EXFULL)
		rc = cnm_errf(err, EXFULL, "network %s: bridge %s already has %d ports, the most"
			      " a Linux bridge takes; put more containers on another network",
			      net->name, net->bridge, BR_MAX_PORTS - 1);
	if (!rc && net->vlan)
		rc = port_vlan(nl, net, ep->host_ifname, err);
	if (rc)
		goto drop;
	cnm_fault("attach.veth");
	rc = cnm_nl_open(&cnl, netns_fd, err);
	if (rc)
		goto drop;
	if (ctx->dry) { /* the container's side is printed as `ip -n NAME ...` */
		cnl.dry = ctx->dry;
		snprintf(cnl.dry_ns, sizeof(cnl.dry_ns), "%s", nl->dry_peer_ns);
		cnm_nl_dry_made(&cnl, ep->ifname);
	}
	rc = cnm_nl_link_index(&cnl, ep->ifname, &eth, err);
	if (rc) {
		if (rc == -ENODEV)
			rc = cnm_errf(err, ENODEV, "%s missing in the container after creation",
				      ep->ifname);
		goto out;
	}
	cnm_nl_batch_init(&b, &cnl);
	cnm_nl_link_up(&b, 1, "lo");
	if (!ep->has_addr6)
		cnm_nl_link_no_ipv6_auto(&b, eth, ep->ifname);
	cnm_nl_link_up(&b, eth, ep->ifname);
	if (ep->has_addr)
		cnm_nl_addr_add(&b, eth, &ep->addr, ep->prefix, ep->ifname);
	if (ep->has_addr6)
		cnm_nl_addr_add_dad(&b, eth, &ep->addr6, ep->prefix6, ep->ifname, ep->dad);
	/* only the first network's gateway is the way out */
	/*
	 * A CNI container on two networks whose configurations both route
	 * 0.0.0.0/0: the first network's route wins, as in the reference
	 * plugins (EEXIST is skipped), instead of failing the second ADD.
	 */
	if (ep->default_route && ep->has_gateway) {
		cnm_nl_route_default(&b, &ep->gateway, eth);
		if (ep->routes_shared)
			cnm_nl_batch_tolerate(&b, EEXIST);
	}
	if (ep->default_route && ep->has_gateway6) {
		cnm_nl_route_default(&b, &ep->gateway6, eth);
		if (ep->routes_shared)
			cnm_nl_batch_tolerate(&b, EEXIST);
	}
	for (int i = 0; i < ep->n_routes; i++) {
		cnm_nl_route_add(&b, &ep->routes[i].dst,
				 ep->routes[i].has_gw ? &ep->routes[i].gw : NULL, eth);
		if (ep->routes_shared)
			cnm_nl_batch_tolerate(&b, EEXIST);
	}
	rc = cnm_nl_batch_run(&b, err);
	if (!rc)
		cnm_fault("attach.addressed");
out:
	cnm_nl_close(&cnl);
drop:
	/*
	 * A failed attach takes its anti-spoofing elements back itself; the
	 * veth is the caller's to delete (or dies with the namespace).
	 */
	if (rc && !ep->no_spoofchk)
		cnm_fw_endpoint_del(ctx, ep);
	return rc;
}

const struct cnm_driver cnm_driver_bridge = {
	.name = "bridge",
	.own_netns = true,
	.has_ipam = true,
	.attach = bridge_attach,
};
