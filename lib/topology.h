/* SPDX-License-Identifier: MIT */
/* topology.h - the picture of what is there: store rows joined with the kernel's view. */
#ifndef CNM_TOPOLOGY_H
#define CNM_TOPOLOGY_H
#include <stdio.h>
#include "ctx.h"
#include "kstate.h"

/** struct topo_port - one published port of a container, as the store has it. */
struct topo_port {
	char host[CNM_ADDRSTRLEN + 8];	/* "0.0.0.0:8080", "[::]:8080" */
	char cip[CNM_ADDRSTRLEN];
	int cport;
	const char *proto;
};

/**
 * struct topo_ep - one container interface and its host end.
 * @hveth: the host end in the kernel, NULL when missing
 * @ceth: the container end in the kernel, NULL when missing
 */
struct topo_ep {
	struct cnm_ep ep;
	size_t net;
	const struct cnm_klink *hveth;
	const struct cnm_klink *ceth;
};

struct topo_ctr {
	struct cnm_ctr c;
	char nspath[PATH_MAX];
	bool ns_ok;		/* the namespace mount could be read */
	struct cnm_kstate ks;
	struct topo_ep *eps;
	size_t n_eps;
	struct topo_port *ports;
	size_t n_ports;
};

struct topo_net {
	struct cnm_net net;
	const struct cnm_klink *br;	/* NULL: the bridge is not in the kernel (yet) */
};

/**
 * struct cnm_topo - everything the renderers draw.
 * @uplink: the interface of the host's IPv4 default route, "" if none
 * @forwarding: net.ipv4.ip_forward is on
 */
struct cnm_topo {
	struct cnm_kstate host;
	char uplink[16];
	bool forwarding;
	struct topo_net *nets;
	size_t n_nets;
	struct topo_ctr *ctrs;
	size_t n_ctrs;
};

int cnm_topo_read(struct cnm_ctx *ctx, const char *const *networks, size_t n,
		  struct cnm_topo *t, struct cnm_err *err);
void cnm_topo_free(struct cnm_topo *t);
bool cnm_topo_is_orphan(const struct cnm_topo *t, const struct cnm_klink *l);
void cnm_topo_text(const struct cnm_topo *t, FILE *out);
void cnm_topo_dot(const struct cnm_topo *t, FILE *out);
int cnm_topo_svg(const char *dot, size_t len, FILE *out, struct cnm_err *err);
#endif
