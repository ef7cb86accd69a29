// SPDX-License-Identifier: MIT
/*
 * relay.c - [::1]:PORT of published ports, relayed by the container's monitor.
 *
 * DOC: Theory of operation
 * Published ports are NAT (publish.c), but a connection from the host to
 * [::1] cannot be DNATed to a container: IPv6 has no route_localnet, so the
 * container's reply is dropped as a martian (the table's output chain leaves
 * ::1 alone for that reason).  Docker starts a docker-proxy per port for
 * it; cnm relays it in the monitor that already waits for the container, so
 * there is no process per port.  cnm_relay_open() binds [::1]:HOSTPORT for
 * each of the container's TCP and UDP ports published on [::] or [::1];
 * cnm_relay_wait() runs one epoll loop over them and the container's pidfd
 * and returns as soon as the container exits, so the release is never held
 * up; cnm_relay_free() closes everything, which is what makes the port stop
 * answering.
 *
 * TCP: accept, connect to [container]:PORT without blocking, and copy both
 * ways through one fixed buffer per direction, half-closes passed on.  UDP:
 * one connected socket to the container per client address (an
 * association), dropped after UDP_IDLE_S without traffic.  Both are capped
 * (MAX_CONNS, MAX_ASSOC): beyond that a connection is closed at once and a
 * datagram from a new client dropped.  A port that cannot be bound (another
 * process holds [::1]:PORT, or the file limit) is skipped: NAT still serves
 * every other address, and the caller gets one warning line.
 *
 * The ports can move while the container runs; relay_follow.c re-reads
 * them when connect or disconnect says so.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "ctx.h"
#include "ports.h"
#include "relay.h"
#include "relay_int.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int watch(struct cnm_relay *r, int op, int fd, uint32_t ev, struct ref *ref)
{
	struct epoll_event e = { .events = ev, .data.ptr = ref };

	return epoll_ctl(r->ep, op, fd, &e) ? -errno : 0;
}

/*
 * Room for every listener and the caps, whatever the default limit; what
 * the limit leaves after the listeners bounds connections too, so that
 * accept() never fails for want of a descriptor (level-triggered epoll
 * would report the listener again and again).
 */
static size_t raise_nofile(size_t n_ports)
{
	rlim_t need = (rlim_t)n_ports + 2 * MAX_CONNS + MAX_ASSOC + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur < need && rl.rlim_max < need) {
		struct rlimit want = { need, need };

		/* root may raise the hard limit up to fs.nr_open */
		if (!setrlimit(RLIMIT_NOFILE, &want))
			rl = want;
	}
	if (rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur > (rlim_t)n_ports + 64 ? (size_t)(rl.rlim_cur - n_ports - 64) : 0;
}

static int bind_one(struct listener *l)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
				   .sin6_port = htons(l->port) };
	int one = 1, fd, rc;

	fd = socket(AF_INET6, (l->proto == CNM_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* TCP: a connection of a previous container in TIME_WAIT does not block it */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (l->proto == CNM_TCP && listen(fd, 128))) {
		rc = -errno;
		close(fd);
		return rc;
	}
	l->fd = fd;
	return 0;
}

/* Room for one more listener pointer in @r. */
int relay_grow(struct cnm_relay *r)
{
	struct listener **nl;

	if (r->n_ls < r->cap_ls)
		return 0;
	nl = realloc(r->ls, (r->cap_ls ? r->cap_ls * 2 : 16) * sizeof(struct listener *));
	if (!nl)
		return -ENOMEM;
	r->ls = nl;
	r->cap_ls = r->cap_ls ? r->cap_ls * 2 : 16;
	return 0;
}

/* The container's TCP and UDP ports published on [::] or [::1]. */
int relay_load_ports(struct cnm_ctx *ctx, const char *id, struct cnm_relay *r,
		      struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "SELECT proto, host_ip, host_port, container_ip,"
			       " container_port FROM ports WHERE container_id = ?", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		uint8_t proto = (uint8_t)sqlite3_column_int(st, 0);
		struct cnm_addr hip = { 0 }, cip = { 0 };
		struct listener *l;

		cnm_addr_parse((const char *)sqlite3_column_text(st, 1), &hip);
		cnm_addr_parse((const char *)sqlite3_column_text(st, 3), &cip);
		if ((proto != CNM_TCP && proto != CNM_UDP) || hip.family != AF_INET6 ||
		    cip.family != AF_INET6 ||
		    !(IN6_IS_ADDR_UNSPECIFIED((struct in6_addr *)hip.b) ||
		      IN6_IS_ADDR_LOOPBACK((struct in6_addr *)hip.b)))
			continue;
		l = relay_grow(r) ? NULL : calloc(1, sizeof(*l));
		if (!l) {
			rc = cnm_errf(err, ENOMEM, "out of memory");
			break;
		}
		r->ls[r->n_ls++] = l;
		l->fd = -1;
		l->ref = (struct ref){ K_LISTEN, 0, l };
		l->proto = proto;
		l->port = (uint16_t)sqlite3_column_int(st, 2);
		l->to.sin6_family = AF_INET6;
		memcpy(&l->to.sin6_addr, cip.b, 16);
		l->to.sin6_port = htons((uint16_t)sqlite3_column_int(st, 4));
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Bind and watch every listener of @r not bound yet, retrying for a while
 * those another (just-removed) container's monitor still holds when @retry.
 * Return: how many failed; the first one's index and error in @first, @first_rc.
 */
size_t relay_bind_all(struct cnm_relay *r, bool retry_busy, size_t *first, int *first_rc)
{
	long long until = now_ms() + BIND_RETRY_MS;
	size_t failed;

	r->fd_budget = raise_nofile(r->n_ls);
	for (;;) {
		bool retry = false;

		failed = 0;
		for (size_t i = 0; i < r->n_ls; i++) {
			struct listener *l = r->ls[i];
			int b;

			if (l->fd >= 0)
				continue;
			b = bind_one(l);
			if (!b && watch(r, EPOLL_CTL_ADD, l->fd, EPOLLIN, &l->ref)) {
				b = -errno;
				close(l->fd);
				l->fd = -1;
			}
			if (!b)
				continue;
			if (!failed++) {
				*first = i;
				*first_rc = b;
			}
			retry |= b == -EADDRINUSE;
		}
		if (!retry_busy || !retry || now_ms() >= until)
			return failed;
		nanosleep(&(struct timespec){ 0, 20 * 1000000 }, NULL);
	}
}

/**
 * cnm_relay_open() - bind [::1] for a container's IPv6 published ports.
 * @ctx: context (only read from; may be closed afterwards)
 * @container_id: the container, running, its ports in the store
 * @out: the relay, or NULL when there is nothing to relay (no port on
 *       [::] or [::1] now, and no -p spec that could bring one later)
 * @warn: filled with one line when some ports could not be bound, else ""
 * @warn_len: its size
 * @err: filled on failure
 *
 * Ports that cannot be bound are skipped (see @warn), not an error.
 *
 * Return: 0 or a negative errno (store or memory failure).
 */
int cnm_relay_open(struct cnm_ctx *ctx, const char *container_id, struct cnm_relay **out,
		   char *warn, size_t warn_len, struct cnm_err *err)
{
	struct cnm_relay *r = calloc(1, sizeof(*r));
	struct sockaddr_un sa;
	size_t failed, first = 0;
	int rc, first_rc = 0;

	*out = NULL;
	warn[0] = '\0';
	if (!r)
		return cnm_errf(err, ENOMEM, "out of memory");
	r->ep = r->ctl = -1;
	snprintf(r->id, sizeof(r->id), "%s", container_id);
	rc = relay_load_ports(ctx, container_id, r, err);
	if (rc || (!r->n_ls && !relay_has_specs(ctx, container_id)))
		goto out;
	r->state_dir = strdup(ctx->state_dir);
	r->run_dir = strdup(ctx->run_dir);
	r->netns_dir = strdup(ctx->netns_dir);
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!r->state_dir || !r->run_dir || !r->netns_dir || r->ep < 0) {
		rc = r->ep < 0 ? cnm_errf(err, errno, "epoll: %s", strerror(errno))
			       : cnm_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	/* without it the ports do not follow a connect or disconnect: not fatal */
	r->ctl = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	r->ctl_ref = (struct ref){ K_CTL, 0, NULL };
	if (r->ctl >= 0 && (bind(r->ctl, (struct sockaddr *)&sa, relay_ctl_addr(&sa, r->id)) ||
			    watch(r, EPOLL_CTL_ADD, r->ctl, EPOLLIN, &r->ctl_ref))) {
		close(r->ctl);
		r->ctl = -1;
	}
	failed = relay_bind_all(r, true, &first, &first_rc);
	if (failed)
		snprintf(warn, warn_len, "[::1]:%u/%s does not reach the container: %s%s",
			 r->ls[first]->port, cnm_proto_name(r->ls[first]->proto),
			 strerror(-first_rc), failed > 1 ? " (and other ports)" : "");
	if (failed == r->n_ls && r->ctl < 0)
		goto out;
	*out = r;
	return 0;
out:
	cnm_relay_free(r);
	return rc;
}

/* Can @n more descriptors be opened within the limit? */
static bool room(const struct cnm_relay *r, size_t n)
{
	return 2 * r->n_conns + r->n_assoc + n <= r->fd_budget;
}

/* Freed after the batch: a later event of the same batch may still name it. */
static void conn_close(struct cnm_relay *r, struct conn *c)
{
	for (int i = 0; i < 2; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	if (c->prev)
		c->prev->next = c->next;
	else
		r->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	r->n_conns--;
	c->dead = true;
	c->next = r->dead;
	r->dead = c;
}

static void free_dead(struct cnm_relay *r)
{
	while (r->dead) {
		struct conn *c = r->dead;

		r->dead = c->next;
		free(c);
	}
}

static void accept_all(struct cnm_relay *r, struct listener *l)
{
	for (;;) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), up;
		struct conn *c;

		if (fd < 0)
			return;
		c = r->n_conns < MAX_CONNS && room(r, 2) ? malloc(sizeof(*c)) : NULL;
		up = c ? socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
		if (up < 0 || (connect(up, (struct sockaddr *)&l->to, sizeof(l->to)) &&
			       errno != EINPROGRESS)) {
			/* over the cap, or the container refuses at once: the client sees a close */
			if (up >= 0)
				close(up);
			free(c);
			close(fd);
			continue;
		}
		memset(c, 0, offsetof(struct conn, buf));
		c->fd[0] = fd;
		c->fd[1] = up;
		c->connecting = true;
		c->ref[0] = (struct ref){ K_CONN, 0, c };
		c->ref[1] = (struct ref){ K_CONN, 1, c };
		c->ev[1] = EPOLLOUT;
		c->next = r->conns;
		if (r->conns)
			r->conns->prev = c;
		r->conns = c;
		r->n_conns++;
		if (watch(r, EPOLL_CTL_ADD, fd, 0, &c->ref[0]) ||
		    watch(r, EPOLL_CTL_ADD, up, EPOLLOUT, &c->ref[1]))
			conn_close(r, c);
	}
}

/*
 * Move what can be moved without blocking, each way until a read or a
 * write would block; false when the connection is over or failed.
 */
static bool conn_pump(struct conn *c)
{
	for (int i = 0; i < 2; i++) {
		for (;;) {
			ssize_t n;

			if (!c->eof[i] && c->len[i] == 0) {
				n = read(c->fd[i], c->buf[i], BUF);
				if (n == 0)
					c->eof[i] = true;
				else if (n > 0)
					c->len[i] = (size_t)n;
				else if (errno != EAGAIN && errno != EINTR)
					return false;
			}
			if (c->off[i] == c->len[i])
				break;
			n = send(c->fd[!i], c->buf[i] + c->off[i], c->len[i] - c->off[i],
				 MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return false;
			if (n <= 0)
				break;
			c->off[i] += (size_t)n;
			if (c->off[i] < c->len[i])
				break;
			c->off[i] = c->len[i] = 0;
		}
		if (c->off[i] == c->len[i])
			c->off[i] = c->len[i] = 0;
		/* a half-close is passed on once what came before it is written */
		if (c->eof[i] && !c->len[i] && !c->shut[!i]) {
			shutdown(c->fd[!i], SHUT_WR);
			c->shut[!i] = true;
		}
	}
	return !(c->shut[0] && c->shut[1]);
}

static void conn_event(struct cnm_relay *r, struct conn *c, int side, uint32_t events)
{
	if (c->connecting) {
		int e = 0;
		socklen_t len = sizeof(e);

		if (side == 0 && !(events & (EPOLLERR | EPOLLHUP)))
			return;
		if (side == 0 || getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &e, &len) || e) {
			conn_close(r, c);
			return;
		}
		c->connecting = false;
	}
	if ((events & EPOLLERR) || !conn_pump(c)) {
		conn_close(r, c);
		return;
	}
	/*
	 * Hung up (both ways closed, or reset): what is left unread there is
	 * read by the pump when the other side can take it; epoll would
	 * report the hang-up forever, so stop watching that side.
	 */
	if ((events & EPOLLHUP) && c->ev[side] != EPOLLHUP) {
		c->ev[side] = EPOLLHUP;
		epoll_ctl(r->ep, EPOLL_CTL_DEL, c->fd[side], NULL);
	}
	for (int i = 0; i < 2; i++) {
		uint32_t want = 0;

		if (c->ev[i] == EPOLLHUP)
			continue;
		if (!c->eof[i] && !c->len[i])
			want |= EPOLLIN;
		if (c->len[!i])
			want |= EPOLLOUT;
		if (want != c->ev[i]) {
			c->ev[i] = want;
			if (watch(r, EPOLL_CTL_MOD, c->fd[i], want, &c->ref[i])) {
				conn_close(r, c);
				return;
			}
		}
	}
}

static char dgram[65536];

void relay_assoc_free(struct cnm_relay *r, struct assoc *a)
{
	struct assoc **p = &a->l->assocs;

	while (*p != a)
		p = &(*p)->next;
	*p = a->next;
	close(a->fd);
	free(a);
	r->n_assoc--;
}

static struct assoc *assoc_get(struct cnm_relay *r, struct listener *l,
			       const struct sockaddr_in6 *peer)
{
	struct assoc *a;

	for (a = l->assocs; a; a = a->next)
		if (!memcmp(&a->peer.sin6_addr, &peer->sin6_addr, 16) &&
		    a->peer.sin6_port == peer->sin6_port)
			return a;
	if (r->n_assoc >= MAX_ASSOC || !room(r, 1) || !(a = calloc(1, sizeof(*a))))
		return NULL;
	a->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->fd < 0) {
		free(a);
		return NULL;
	}
	a->ref = (struct ref){ K_ASSOC, 0, a };
	a->peer = *peer;
	a->l = l;
	a->next = l->assocs;
	l->assocs = a;
	r->n_assoc++;
	if (connect(a->fd, (const struct sockaddr *)&l->to, sizeof(l->to)) ||
	    watch(r, EPOLL_CTL_ADD, a->fd, EPOLLIN, &a->ref)) {
		relay_assoc_free(r, a);
		return NULL;
	}
	return a;
}

/* A bounded batch per wake-up, so one busy port does not starve the others. */
static void udp_from_client(struct cnm_relay *r, struct listener *l)
{
	for (int k = 0; k < 64; k++) {
		struct sockaddr_in6 peer = { 0 };
		socklen_t plen = sizeof(peer);
		ssize_t n = recvfrom(l->fd, dgram, sizeof(dgram), 0, (struct sockaddr *)&peer,
				     &plen);
		struct assoc *a;

		if (n < 0)
			return;
		a = assoc_get(r, l, &peer);
		if (!a)
			continue;
		a->last = now_ms();
		send(a->fd, dgram, (size_t)n, 0);
	}
}

static void udp_from_container(struct assoc *a)
{
	for (int k = 0; k < 64; k++) {
		ssize_t n = recv(a->fd, dgram, sizeof(dgram), 0);

		if (n < 0)
			return;
		a->last = now_ms();
		sendto(a->l->fd, dgram, (size_t)n, 0, (struct sockaddr *)&a->peer,
		       sizeof(a->peer));
	}
}

static void sweep(struct cnm_relay *r)
{
	long long now = now_ms();

	r->last_sweep = now;
	for (size_t i = 0; i < r->n_ls; i++) {
		struct assoc *a = r->ls[i]->assocs, *next;

		for (; a; a = next) {
			next = a->next;
			if (now - a->last > UDP_IDLE_S * 1000LL)
				relay_assoc_free(r, a);
		}
	}
}

/* Close @l's socket and its UDP associations, and free it (after a batch). */
void relay_listener_free(struct cnm_relay *r, struct listener *l)
{
	while (l->assocs)
		relay_assoc_free(r, l->assocs);
	if (l->fd >= 0)
		close(l->fd);
	free(l);
}

/**
 * cnm_relay_wait() - relay until process @pid (a child of ours) exits.
 * @r: the relay from cnm_relay_open()
 * @pid: the container
 *
 * Returns as soon as @pid has exited, without reaping it; the caller
 * frees @r (closing every socket) and then waits for @pid as before.
 *
 * Return: 0, or a negative errno when @pid cannot be watched (the caller
 * then waits for it without relaying).
 */
int cnm_relay_wait(struct cnm_relay *r, pid_t pid)
{
	struct ref pid_ref = { K_PID, 0, NULL };
	int pidfd = pidfd_open(pid, 0), rc = 0;

	if (pidfd < 0)
		return -errno;
	rc = watch(r, EPOLL_CTL_ADD, pidfd, EPOLLIN, &pid_ref);
	r->last_sweep = now_ms();
	while (!rc) {
		struct epoll_event ev[64];
		int n = epoll_wait(r->ep, ev, 64, r->n_assoc ? SWEEP_MS : -1);
		bool ctl = false;

		if (n < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		for (int i = 0; i < n; i++) {
			struct ref *ref = ev[i].data.ptr;

			if (ref->kind == K_PID)
				goto out;
		}
		for (int i = 0; i < n; i++) {
			struct ref *ref = ev[i].data.ptr;
			struct listener *l = ref->obj;

			if (ref->kind == K_CTL)
				ctl = true;
			else if (ref->kind == K_LISTEN && l->proto == CNM_TCP)
				accept_all(r, l);
			else if (ref->kind == K_LISTEN)
				udp_from_client(r, l);
			else if (ref->kind == K_ASSOC)
				udp_from_container(ref->obj);
			else if (!((struct conn *)ref->obj)->dead)
				conn_event(r, ref->obj, ref->side, ev[i].events);
		}
		free_dead(r);
		if (ctl)
			relay_ctl_requests(r);
		if (r->n_assoc && now_ms() - r->last_sweep >= SWEEP_MS)
			sweep(r);
	}
out:
	close(pidfd);
	return rc;
}

/**
 * cnm_relay_free() - close every socket of @r and free it; NULL is fine.
 */
void cnm_relay_free(struct cnm_relay *r)
{
	if (!r)
		return;
	while (r->conns)
		conn_close(r, r->conns);
	free_dead(r);
	for (size_t i = 0; i < r->n_ls; i++)
		relay_listener_free(r, r->ls[i]);
	if (r->ctl >= 0)
		close(r->ctl);
	if (r->ep >= 0)
		close(r->ep);
	free(r->ls);
	free(r->state_dir);
	free(r->run_dir);
	free(r->netns_dir);
	free(r);
}
