/* SPDX-License-Identifier: MIT */
/* store.h - the resolver's window on the state store: dumps when it changed. */
#ifndef CNM_DNS_STORE_H
#define CNM_DNS_STORE_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include "view.h"

/**
 * struct dns_store - the names as last dumped, and how to know they changed.
 * @state_dir: $CNM_STATE_DIR
 * @cnm: the cnm binary that dumps them (`cnm _dns-dump STATE_DIR`)
 * @ino: inotify on @state_dir; -1: none, every check dumps
 * @lock_fd: the store's writers' lock, for the barrier before a dump
 * @held_fd: that lock, held exclusively by the resolver itself (-1: not)
 * @held: @held_fd is held: no barrier (it would wait for ourselves)
 * @blind: the watch is gone (the directory was removed): every check dumps
 * @dirty: a change was seen that no dump has read yet
 * @failing: the last dump failed (said once in the log)
 * @retry_at: after a failure, no dump for a query before then
 * @snap: the names of the last good dump (NULL before the first)
 * @lock: serialises all of the above between the threads
 */
struct dns_store {
	const char *state_dir;
	char cnm[PATH_MAX];
	int ino, lock_fd, held_fd;
	atomic_bool held;
	bool blind, dirty, failing;
	struct timespec retry_at;
	struct dns_snap *snap;
	pthread_mutex_t lock;
};

int dns_store_open(struct dns_store *s, const char *state_dir, const char *cnm);
void dns_store_close(struct dns_store *s);
int dns_store_nets(struct dns_store *s, struct dns_net **out, size_t *n);
struct dns_snap *dns_snap_get(struct dns_store *s);
int dns_store_hold_writers(struct dns_store *s);
void dns_store_release_writers(struct dns_store *s);

#endif
