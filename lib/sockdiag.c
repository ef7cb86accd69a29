// SPDX-License-Identifier: MIT
/*
 * sockdiag.c - the ports processes on the host hold, asked of sock_diag.
 *
 * DOC: Theory of operation
 * `run -p` must not publish a port that a process on the host listens on
 * (TCP) or has bound (UDP).  /proc/net/tcp and tcp6 list them, but reading
 * them walks every bucket of the kernel's hash of established connections,
 * which all namespaces share and which is sized by the machine's memory:
 * 8-9 ms here for two files with nothing in them, in every `run -p`.  One
 * NETLINK_SOCK_DIAG socket asks instead for the TCP listeners alone (the
 * kernel then walks only its listening hash) and for every UDP socket:
 * ~0.1 ms for the four dumps.  The answer also says which IPv6 wildcards are
 * IPV6_V6ONLY, so only a dual-stack [::] holds the IPv4 port too; /proc
 * does not say, so there every [::] did.  A dump the kernel cannot give
 * (no inet_diag) is read from /proc as before.
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "nlattr.h"
#include "sockdiag.h"

#define STATE_LISTEN 10	/* TCP_LISTEN, in the kernel's numbering */

/* One socket bound to @addr:@port of @family. */
static void add_bound(struct cnm_portset *s, uint8_t proto, int family, const void *addr,
		      uint16_t port, bool v6only)
{
	struct cnm_portmap p = { .proto = proto, .host_port = port };

	/*
	 * [::1] is never DNATed (IPv6 has no route_localnet), so a process
	 * there does not clash with NAT; and it may be the relay of a
	 * just-removed container's monitor, still closing (relay.c).
	 */
	if (!port || (family == AF_INET6 && IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)addr)))
		return;
	p.host_ip.family = family;
	memcpy(p.host_ip.b, addr, family == AF_INET ? 4 : 16);
	p.any = !memcmp(p.host_ip.b, (uint8_t[16]){ 0 }, family == AF_INET ? 4 : 16);
	cnm_portset_add(s, &p);
	if (p.any && family == AF_INET6 && !v6only) {
		/* a dual-stack [::] takes the IPv4 port too */
		p.host_ip.family = AF_INET;
		cnm_portset_add(s, &p);
	}
}

/* /proc/net/{tcp,udp}[6], when sock_diag cannot answer. */
static void proc_bound(struct cnm_portset *s, const char *file, uint8_t proto, int family)
{
	char line[512];
	FILE *f = fopen(file, "re");

	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) { /* header */
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char addr[64];
		unsigned int port, state;
		uint8_t b[16] = { 0 };

		/* NOLINTNEXTLINE(cert-err34-c): the kernel's fixed format, conversions counted */
		if (sscanf(line, "%*d: %63[0-9A-Fa-f]:%x %*s %x", addr, &port, &state) != 3 ||
		    strlen(addr) != (family == AF_INET ? 8 : 32))
			continue;
		if (proto == CNM_TCP && state != STATE_LISTEN)
			continue;
		/* the kernel prints each 32-bit word in host order */
		for (int w = 0; w < (family == AF_INET ? 1 : 4); w++) {
			unsigned int v = 0;

			/* NOLINTNEXTLINE(cert-err34-c): 8 hex digits, checked just above */
			(void)sscanf(addr + w * 8, "%8x", &v);
			memcpy(b + w * 4, &v, 4);
		}
		add_bound(s, proto, family, b, (uint16_t)port, false);
	}
	fclose(f);
}

struct dump_ctx {
	struct cnm_portset *s;
	uint8_t proto;
};

static int on_socket(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *m = nlmsg_get_payload(nlh);
	const struct dump_ctx *d = data;
	const struct nlattr *a;
	bool v6only = false;

	if (nlh->nlmsg_len < NLMSG_HDRLEN_ALIGNED + sizeof(*m) ||
	    (m->idiag_family != AF_INET && m->idiag_family != AF_INET6))
		return NL_CB_OK;
	nla_for_each(a, nlh, sizeof(*m))
		if (nla_get_type(a) == INET_DIAG_SKV6ONLY && nla_get_payload_len(a) >= 1)
			v6only = nla_get_u8(a);
	add_bound(d->s, d->proto, m->idiag_family, m->id.idiag_src, ntohs(m->id.idiag_sport),
		  v6only);
	return NL_CB_OK;
}

/* One dump of @family/@ip_proto sockets in @states; 0, or -1 with errno. */
static int dump(int fd, uint32_t portid, uint32_t seq, int family, uint8_t ip_proto,
		uint32_t states, struct dump_ctx *d)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = seq },
		.r = { .sdiag_family = (uint8_t)family, .sdiag_protocol = ip_proto,
		       /*
			* no idiag_ext bit asks for INET_DIAG_SKV6ONLY (it is
			* attribute 11, past the byte): the kernel adds it on
			* its own to every IPv6 socket that listens or is
			* unconnected, which is every socket dumped here
			*/
		       .idiag_states = states },
	};
	char buf[32768];
	ssize_t n;
	int rc;

	if (nlsock_send(fd, &req, sizeof(req)) < 0)
		return -1;
	do {
		n = nlsock_recv(fd, buf, sizeof(buf));
		if (n < 0)
			return -1;
		rc = nlmsg_run(buf, (size_t)n, seq, portid, on_socket, d);
	} while (rc == NL_CB_OK);
	return rc == NL_CB_STOP ? 0 : -1;
}

/**
 * cnm_host_bound() - add to @s every port a process of this network
 * namespace listens on (TCP) or has bound (UDP), IPv4 and IPv6.
 * @s: the set of taken ports
 */
void cnm_host_bound(struct cnm_portset *s)
{
	static const struct {
		int family;
		uint8_t ip_proto, proto;
		uint32_t states;
		const char *proc;
	} q[] = {
		{ AF_INET, IPPROTO_TCP, CNM_TCP, 1u << STATE_LISTEN, "/proc/net/tcp" },
		{ AF_INET6, IPPROTO_TCP, CNM_TCP, 1u << STATE_LISTEN, "/proc/net/tcp6" },
		{ AF_INET, IPPROTO_UDP, CNM_UDP, ~0u, "/proc/net/udp" },
		{ AF_INET6, IPPROTO_UDP, CNM_UDP, ~0u, "/proc/net/udp6" },
	};
	uint32_t portid = 0;
	int fd = nlsock_open(NETLINK_SOCK_DIAG, 0, &portid);

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct dump_ctx d = { s, q[i].proto };

		if (fd < 0 || dump(fd, portid, (uint32_t)i + 1, q[i].family, q[i].ip_proto,
				   q[i].states, &d))
			proc_bound(s, q[i].proc, q[i].proto, q[i].family);
	}
	if (fd >= 0)
		close(fd);
}
