// SPDX-License-Identifier: MIT
/*
 * sctp_probe.c - one SCTP packet sent, or received, with raw sockets.
 *
 * DOC: Theory of operation
 * The kernels this is tested on may lack SCTP (CONFIG_IP_SCTP), yet
 * conntrack and nf_tables handle it, so a published SCTP port can still be
 * proved with a real packet: "send" writes an INIT chunk (what opens an
 * association, with the CRC32c that conntrack checks) through a raw
 * socket; "recv" reads raw SCTP packets until one arrives for its port and
 * prints where it came from and where it was addressed, so a test sees
 * both the DNAT to the container and the client's own source address.
 *
 *   sctp_probe send ADDR PORT [SRC_PORT]
 *   sctp_probe recv PORT [TIMEOUT_S]    prints "listening", then "SRC:SPORT DST:DPORT"
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* CRC32c (Castagnoli), bit by bit: a test tool sends one packet. */
static uint32_t crc32c(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffff;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78 & -(c & 1));
	}
	return ~c;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

static int do_send(const char *addr, int port, int sport)
{
	struct sockaddr_storage ss = { 0 };
	uint8_t pkt[32] = { 0 };
	socklen_t len;
	uint32_t crc;
	int fd, family;

	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		family = AF_INET;
		len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		family = AF_INET6;
		len = sizeof(struct sockaddr_in6);
	} else {
		fprintf(stderr, "sctp_probe: bad address %s\n", addr);
		return 2;
	}
	ss.ss_family = family;
	/* common header: ports, verification tag 0 (an INIT), checksum */
	put16(pkt, sport);
	put16(pkt + 2, port);
	/* INIT: type 1, length 20, initiate tag, a_rwnd, 1 stream each way, TSN */
	pkt[12] = 1;
	put16(pkt + 14, 20);
	put32(pkt + 16, 0x1c2d3e4f);
	put32(pkt + 20, 65535);
	put16(pkt + 24, 1);
	put16(pkt + 26, 1);
	put32(pkt + 28, 1);
	crc = crc32c(pkt, sizeof(pkt));
	memcpy(pkt + 8, &crc, 4); /* stored little-endian, as the kernel does */
	fd = socket(family, SOCK_RAW, IPPROTO_SCTP);
	if (fd < 0 || sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, len) < 0) {
		perror("sctp_probe: send");
		return 1;
	}
	close(fd);
	return 0;
}

static int do_recv(int port, int timeout)
{
	struct timeval tv = { .tv_sec = timeout };
	int fd4 = socket(AF_INET, SOCK_RAW, IPPROTO_SCTP);
	int fd6 = socket(AF_INET6, SOCK_RAW, IPPROTO_SCTP);
	int on = 1;

	if (fd4 < 0 || fd6 < 0) {
		perror("sctp_probe: socket");
		return 1;
	}
	setsockopt(fd6, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		uint8_t buf[2048], cbuf[256];
		char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
		struct sockaddr_in6 from6;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { &from6, sizeof(from6), &iov, 1, cbuf, sizeof(cbuf), 0 };
		fd_set fds;
		ssize_t n;

		FD_ZERO(&fds);
		FD_SET(fd4, &fds);
		FD_SET(fd6, &fds);
		if (select((fd4 > fd6 ? fd4 : fd6) + 1, &fds, NULL, NULL, &tv) <= 0) {
			fprintf(stderr, "sctp_probe: nothing for port %d\n", port);
			return 1;
		}
		if (FD_ISSET(fd4, &fds)) {
			const struct iphdr *ip = (const void *)buf;

			n = recv(fd4, buf, sizeof(buf), 0);
			if (n < (ssize_t)sizeof(*ip) || n < ip->ihl * 4 + 12)
				continue;
			const uint8_t *sh = buf + ip->ihl * 4;

			if ((sh[2] << 8 | sh[3]) != port)
				continue;
			inet_ntop(AF_INET, &ip->saddr, src, sizeof(src));
			inet_ntop(AF_INET, &ip->daddr, dst, sizeof(dst));
			printf("%s:%d %s:%d\n", src, sh[0] << 8 | sh[1], dst, port);
			return 0;
		}
		/* IPv6 raw sockets get no IP header: the source is the sender's
		 * address, the destination comes in a control message */
		n = recvmsg(fd6, &mh, 0);
		if (n < 12 || (buf[2] << 8 | buf[3]) != port)
			continue;
		strcpy(dst, "?");
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
				inet_ntop(AF_INET6, &((struct in6_pktinfo *)CMSG_DATA(c))->ipi6_addr,
					  dst, sizeof(dst));
		inet_ntop(AF_INET6, &from6.sin6_addr, src, sizeof(src));
		printf("[%s]:%d [%s]:%d\n", src, buf[0] << 8 | buf[1], dst, port);
		return 0;
	}
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "send"))
		return do_send(argv[2], atoi(argv[3]), argc > 4 ? atoi(argv[4]) : 40000);
	if (argc >= 3 && !strcmp(argv[1], "recv"))
		return do_recv(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 10);
	fprintf(stderr, "usage: sctp_probe send ADDR PORT [SRC_PORT] | recv PORT [TIMEOUT_S]\n");
	return 2;
}
