// SPDX-License-Identifier: MIT
/*
 * relay_follow.c - the relay follows the container's ports when they move.
 *
 * DOC: Theory of operation
 * A container's published ports change while it runs: when it leaves the
 * network that carried them they follow its way out to another network
 * (another address), are released when no way out is left, and come back
 * with a later connect.  So the monitor of a container with -p specs binds
 * a datagram socket in the abstract namespace, "cnm-relay/ID" (relay.c
 * watches it with the rest); cnm_relay_notify(), called by connect and
 * disconnect once they committed such a change, sends it one byte and
 * waits (briefly) for the answer, which comes once the monitor has read the
 * container's ports again: listeners no longer wanted are closed, kept ones
 * point their new connections (and new UDP associations) at the new
 * address, new ones are bound.  So [::1] follows before the command
 * returns, as the NAT elements do.  Anyone in the namespace can ask for a
 * re-read; it only costs the monitor a look at the store.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "relay.h"
#include "relay_int.h"

/* The abstract address of @id's monitor; its length. */
socklen_t relay_ctl_addr(struct sockaddr_un *sa, const char *id)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1, "cnm-relay/%s", id);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

/* Does the container have -p specs (so that ports may come later)? */
bool relay_has_specs(struct cnm_ctx *ctx, const char *id)
{
	sqlite3_stmt *st;
	bool yes = false;

	if (cnm_store_prepare(ctx, "SELECT port_specs != '[]' FROM containers WHERE id = ?", &st,
			      NULL))
		return false;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		yes = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	return yes;
}

/*
 * The container's ports as the store has them now (see the theory of
 * operation); called between batches of events, so nothing freed here is
 * named by an event still to be handled.
 */
static void reload(struct cnm_relay *r)
{
	struct cnm_opts o = { .state_dir = r->state_dir, .run_dir = r->run_dir,
			      .netns_dir = r->netns_dir, .no_repair = true };
	struct cnm_relay fresh = { .ep = -1, .ctl = -1 };
	struct cnm_ctx *ctx;
	struct cnm_err err = { 0 };
	size_t kept = 0, first, i, k;
	int rc, first_rc;

	if (cnm_open(&ctx, &o, &err))
		return;
	rc = relay_load_ports(ctx, r->id, &fresh, &err);
	cnm_close(ctx);
	for (i = 0; !rc && i < r->n_ls; i++) {
		struct listener *l = r->ls[i], *f = NULL;

		for (k = 0; k < fresh.n_ls && !f; k++)
			if (fresh.ls[k] && fresh.ls[k]->proto == l->proto &&
			    fresh.ls[k]->port == l->port)
				f = fresh.ls[k];
		if (!f) { /* released */
			relay_listener_free(r, l);
			continue;
		}
		if (memcmp(&f->to, &l->to, sizeof(l->to))) {
			l->to = f->to;	/* new connections go there; UDP associates anew */
			while (l->assocs)
				relay_assoc_free(r, l->assocs);
		}
		fresh.ls[k - 1] = NULL;
		free(f);
		r->ls[kept++] = l;
	}
	if (!rc)
		r->n_ls = kept;
	for (k = 0; !rc && k < fresh.n_ls; k++) { /* new: bound below */
		if (!fresh.ls[k])
			continue;
		if (relay_grow(r))
			break;	/* out of memory: freed below, not relayed */
		r->ls[r->n_ls++] = fresh.ls[k];
		fresh.ls[k] = NULL;
	}
	for (k = 0; k < fresh.n_ls; k++)
		free(fresh.ls[k]);
	free(fresh.ls);
	/* a port just given up by another container's monitor: retried briefly, as at start */
	relay_bind_all(r, true, &first, &first_rc);
}

/* Read every pending request; answer them once the ports were read again. */
void relay_ctl_requests(struct cnm_relay *r)
{
	struct sockaddr_un from[MAX_ASKERS];
	socklen_t len[MAX_ASKERS];
	size_t n = 0;
	bool any = false;
	char b;

	for (;;) {
		struct sockaddr_un sa;
		socklen_t sl = sizeof(sa);

		if (recvfrom(r->ctl, &b, 1, 0, (struct sockaddr *)&sa, &sl) < 0)
			break;
		any = true;
		if (n < MAX_ASKERS && sl > offsetof(struct sockaddr_un, sun_path)) {
			from[n] = sa;
			len[n++] = sl;
		}
	}
	if (!any)
		return;
	reload(r);
	for (size_t i = 0; i < n; i++)
		sendto(r->ctl, "k", 1, MSG_DONTWAIT, (struct sockaddr *)&from[i], len[i]);
}

/**
 * cnm_relay_notify() - tell @container_id's monitor that its published
 * ports changed in the store, and wait (up to NOTIFY_WAIT_MS) until it has
 * read them again.  Nothing happens when no monitor relays for it.
 * @container_id: the container
 */
void cnm_relay_notify(const char *container_id)
{
	struct sockaddr_un to, me = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char b;

	if (fd < 0)
		return;
	/* an address of our own (autobind), for the answer */
	if (!bind(fd, (struct sockaddr *)&me, sizeof(sa_family_t)) &&
	    sendto(fd, "r", 1, 0, (struct sockaddr *)&to, relay_ctl_addr(&to, container_id)) == 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, NOTIFY_WAIT_MS) == 1)
			recv(fd, &b, 1, MSG_DONTWAIT);
	}
	close(fd);
}
