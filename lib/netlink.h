/* SPDX-License-Identifier: MIT */
/*
 * netlink.h - rtnetlink: one socket per namespace, batches (helpers: nlattr.h).
 */
#ifndef CNM_NETLINK_H
#define CNM_NETLINK_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "cnm.h"
#include "ipam.h"

struct cnm_nl {
	int fd;
	bool open;	/* fd is a socket; false in a zeroed struct */
	unsigned int portid;
	uint32_t seq;
	/* --dry-run (dryrun.c): batches are printed as `ip` commands, not sent */
	FILE *dry;
	char dry_ns[64];	/* the namespace's name for `ip -n`, "" for the host */
	char dry_peer_ns[64];	/* where the next veth's peer goes */
	char dry_made[8][16];	/* links "created" so far, given fake indexes */
	int n_dry_made;
};

#define CNM_NL_DRY_INDEX 1000000	/* fake ifindex of dry_made[0] */

#define CNM_NL_BATCH_MAX 16

/**
 * struct cnm_nl_batch - requests sent in one sendmsg(), acknowledged one by one.
 * @buf: the messages, back to back
 * @len: bytes used
 * @n: number of messages
 * @first_seq: sequence number of the first
 * @what: a description of each, for error messages
 */
struct cnm_nl_batch {
	struct cnm_nl *nl;
	uint8_t buf[8192] __attribute__((aligned(8)));
	size_t len;
	int n;
	uint32_t first_seq;
	const char *what[CNM_NL_BATCH_MAX];
	char whatbuf[CNM_NL_BATCH_MAX][96];
	int ignore[CNM_NL_BATCH_MAX];	/* an errno that counts as success, e.g. EEXIST */
	char cmd[CNM_NL_BATCH_MAX][224];	/* dry run: the `ip` command of each */
};

int cnm_nl_open(struct cnm_nl *nl, int netns_fd, struct cnm_err *err);
void cnm_nl_close(struct cnm_nl *nl);
int cnm_nl_link_index(struct cnm_nl *nl, const char *name, int *ifindex, struct cnm_err *err);
int cnm_nl_link_mac(struct cnm_nl *nl, const char *name, char mac[18]);

void cnm_nl_batch_init(struct cnm_nl_batch *b, struct cnm_nl *nl);
int cnm_nl_batch_run(struct cnm_nl_batch *b, struct cnm_err *err);
void cnm_nl_batch_tolerate(struct cnm_nl_batch *b, int errnum);
void cnm_nl_bridge_add(struct cnm_nl_batch *b, const char *name, int mtu);
void cnm_nl_vlan_bridge_add(struct cnm_nl_batch *b, const char *name, int mtu);
void cnm_nl_veth_add(struct cnm_nl_batch *b, const char *name, int master, int mtu,
		     const char *peer, int peer_netns_fd, const uint8_t peer_mac[6]);
void cnm_nl_link_up(struct cnm_nl_batch *b, int ifindex, const char *name);
void cnm_nl_link_no_ipv6_auto(struct cnm_nl_batch *b, int ifindex, const char *name);
void cnm_nl_link_del(struct cnm_nl_batch *b, const char *name);
void cnm_nl_brport(struct cnm_nl_batch *b, const char *ifname, bool isolated);
void cnm_nl_addr_add(struct cnm_nl_batch *b, int ifindex, const struct cnm_addr *a, int prefix,
		     const char *ifname);
void cnm_nl_route_default(struct cnm_nl_batch *b, const struct cnm_addr *gw, int ifindex);
void cnm_nl_route_add(struct cnm_nl_batch *b, const struct cnm_cidr *dst,
		      const struct cnm_addr *gw, int ifindex);
void cnm_nl_brport_flags(struct cnm_nl_batch *b, const char *ifname, bool isolated,
			 bool hairpin);
void cnm_nl_addr_add_dad(struct cnm_nl_batch *b, int ifindex, const struct cnm_addr *a,
			 int prefix, const char *ifname, bool dad);
void cnm_nl_link_promisc(struct cnm_nl_batch *b, int ifindex, const char *name, bool on);
void cnm_nl_bridge_vlan_filtering(struct cnm_nl_batch *b, const char *name, bool on);
void cnm_nl_port_vlan(struct cnm_nl_batch *b, int ifindex, const char *name, int vid, bool add);

typedef int (*cnm_nl_route_cb)(const struct cnm_cidr *dst, const char *dev, void *data);
int cnm_nl_routes(struct cnm_nl *nl, int family, cnm_nl_route_cb cb, void *data,
		  struct cnm_err *err);
int cnm_nl_dump(struct cnm_nl *nl, uint16_t type, size_t hdrlen, uint8_t family,
		int (*cb)(const struct nlmsghdr *nlh, void *data), void *data);
void cnm_nl_dry_made(struct cnm_nl *nl, const char *name);

#endif
