/* SPDX-License-Identifier: MIT */
/* ports.h - published ports: Docker's -p grammar and host port choice.  Pure code. */
#ifndef CNM_PORTS_H
#define CNM_PORTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cnm.h"
#include "ipam.h"

enum { CNM_TCP = 6, CNM_UDP = 17, CNM_SCTP = 132 };

/**
 * struct cnm_portmap - one published port.
 * @host_ip: where it answers; family AF_UNSPEC means "the network's default"
 *	(host_binding_ipv4, 0.0.0.0 unless set)
 * @any: @host_ip is a wildcard (0.0.0.0 or ::)
 * @host_port: host port, 0 until chosen
 * @host_lo: @host_hi: when the spec gave a host range for one container
 *	port, the range to choose from (Docker's "8000-8009:80"); 0 otherwise
 * @cport: container port
 * @proto: CNM_TCP, CNM_UDP or CNM_SCTP
 */
struct cnm_portmap {
	struct cnm_addr host_ip;
	bool any;
	uint16_t host_port;
	uint16_t host_lo, host_hi;
	uint16_t cport;
	uint8_t proto;
};

int cnm_portspec_parse(const char *spec, struct cnm_portmap **out, size_t *n,
		       struct cnm_err *err);
const char *cnm_proto_name(uint8_t proto);
int cnm_proto_parse(const char *s, uint8_t *proto);

/**
 * struct cnm_portset - which ports are taken, per protocol: a bitmap for
 * ports taken on every address, and a list for ports taken on one address.
 */
struct cnm_portset {
	uint8_t any[2][3][65536 / 8];	/* [IPv4, IPv6][tcp, udp, sctp] */
	uint8_t in_one[2][3][65536 / 8]; /* ports in @one: most checks skip the list */
	struct cnm_portmap *one;	/* ports taken on one address */
	size_t n_one, cap_one;
};

void cnm_portset_init(struct cnm_portset *s);
void cnm_portset_free(struct cnm_portset *s);
int cnm_portset_add(struct cnm_portset *s, const struct cnm_portmap *p);
bool cnm_portset_conflict(const struct cnm_portset *s, const struct cnm_portmap *p);
int cnm_ports_choose(struct cnm_portset *taken, struct cnm_portmap *p, size_t n,
		     uint16_t eph_lo, uint16_t eph_hi, uint32_t seed, struct cnm_err *err);

#endif
