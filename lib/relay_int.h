/* SPDX-License-Identifier: MIT */
/* relay_int.h - the relay's insides, shared by relay.c and relay_follow.c. */
#ifndef CNM_RELAY_INT_H
#define CNM_RELAY_INT_H
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "ctx.h"

enum {
	MAX_CONNS = 512,	/* TCP connections at once, per container */
	MAX_ASSOC = 1024,	/* UDP client addresses at once, per container */
	BUF = 16384,		/* per direction of a TCP connection */
	UDP_IDLE_S = 60,	/* an association without traffic is dropped */
	SWEEP_MS = 10000,
	BIND_RETRY_MS = 200,	/* a just-removed container's monitor may still hold it */
	NOTIFY_WAIT_MS = 2000,	/* how long connect/disconnect wait for the monitor */
	MAX_ASKERS = 16,	/* answered per batch; more just wait for their timeout */
};

enum kind { K_PID, K_LISTEN, K_CONN, K_ASSOC, K_CTL };

/* What an epoll event points at. */
struct ref {
	enum kind kind;
	int side;
	void *obj;
};

struct assoc;

struct listener {
	struct ref ref;
	int fd;
	uint8_t proto;
	uint16_t port;
	struct sockaddr_in6 to;		/* the container's address and port */
	struct assoc *assocs;		/* UDP */
};

/* buf[i] holds what was read from fd[i], to be written to fd[!i]. */
struct conn {
	struct ref ref[2];
	int fd[2];			/* 0: the client, 1: the container */
	bool connecting, dead, eof[2], shut[2];
	size_t len[2], off[2];
	uint32_t ev[2];
	struct conn *prev, *next;
	char buf[2][BUF];
};

struct assoc {
	struct ref ref;
	int fd;
	struct sockaddr_in6 peer;
	struct listener *l;
	long long last;
	struct assoc *next;
};

struct cnm_relay {
	int ep, ctl;			/* ctl: the abstract socket connect/disconnect notify */
	struct ref ctl_ref;
	struct listener **ls;		/* each its own allocation: epoll events point at them */
	size_t n_ls, cap_ls, n_conns, n_assoc;
	char id[CNM_ID_LEN + 1];
	char *state_dir, *run_dir, *netns_dir;	/* to open the store again */
	size_t fd_budget;		/* descriptors left for connections and associations */
	struct conn *conns;
	struct conn *dead;		/* closed during this batch of events */
	long long last_sweep;
};

int relay_grow(struct cnm_relay *r);
int relay_load_ports(struct cnm_ctx *ctx, const char *id, struct cnm_relay *r,
		     struct cnm_err *err);
size_t relay_bind_all(struct cnm_relay *r, bool retry_busy, size_t *first, int *first_rc);
void relay_listener_free(struct cnm_relay *r, struct listener *l);
void relay_assoc_free(struct cnm_relay *r, struct assoc *a);
socklen_t relay_ctl_addr(struct sockaddr_un *sa, const char *id);
bool relay_has_specs(struct cnm_ctx *ctx, const char *id);
void relay_ctl_requests(struct cnm_relay *r);
#endif
