// SPDX-License-Identifier: MIT
/*
 * dnsq.c - a small DNS load client for bench/dns: query latency (one query
 * at a time) and throughput (a window of queries in flight) over UDP.
 *
 *   dnsq SERVER NAME SECONDS WINDOW
 *
 * Prints one JSON object: queries, answered, seconds, qps, and with
 * WINDOW=1 the latency percentiles in microseconds.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ldns/ldns.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	double secs, start, *lat = NULL, sent_at[65536];
	size_t n_lat = 0, cap = 0, len;
	long sent = 0, answered = 0;
	int fd, window, inflight = 0;
	uint16_t id = 1;
	ldns_pkt *q;
	uint8_t *wire, buf[4096];

	if (argc != 5 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: dnsq SERVER NAME SECONDS WINDOW\n");
		return 2;
	}
	secs = atof(argv[3]);
	window = atoi(argv[4]);
	q = ldns_pkt_query_new(ldns_dname_new_frm_str(argv[2]), LDNS_RR_TYPE_A,
			       LDNS_RR_CLASS_IN, LDNS_RD);
	if (!q || ldns_pkt2wire(&wire, q, &len) != LDNS_STATUS_OK)
		return 1;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 1;
	start = now();
	while (now() - start < secs) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		while (inflight < window) {
			wire[0] = (uint8_t)(id >> 8);
			wire[1] = (uint8_t)id;
			sent_at[id] = now();
			if (send(fd, wire, len, 0) == (ssize_t)len) {
				sent++;
				inflight++;
			}
			id = (uint16_t)(id + 1) ? (uint16_t)(id + 1) : 1;
		}
		if (poll(&p, 1, 1000) <= 0) {
			inflight = 0;	/* lost ones: start a new window */
			continue;
		}
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 12) {
			uint16_t rid = (uint16_t)(buf[0] << 8 | buf[1]);

			answered++;
			inflight--;
			if (window == 1) {
				if (n_lat == cap) {
					cap = cap ? cap * 2 : 4096;
					lat = realloc(lat, cap * sizeof(*lat));
				}
				lat[n_lat++] = (now() - sent_at[rid]) * 1e6;
			}
		}
	}
	secs = now() - start;
	printf("{\"name\": \"%s\", \"window\": %d, \"queries\": %ld, \"answered\": %ld,"
	       " \"seconds\": %.2f, \"qps\": %.0f", argv[2], window, sent, answered, secs,
	       (double)answered / secs);
	if (n_lat) {
		qsort(lat, n_lat, sizeof(*lat), cmp);
		printf(", \"p50_us\": %.0f, \"p99_us\": %.0f", lat[n_lat / 2],
		       lat[n_lat * 99 / 100]);
	}
	printf("}\n");
	return 0;
}
