/* SPDX-License-Identifier: MIT */
/*
 * util.h - small helpers shared by every module: errors, ids, time, files.
 */
#ifndef CNM_UTIL_H
#define CNM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "cnm.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

static inline void cleanup_freep(void *p) { free(*(void **)p); }
static inline void cleanup_closep(int *fd) { if (*fd >= 0) close(*fd); }
/* NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c): systemd's well-known
 * spelling; no C library defines these */
#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
/* NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c) */

int cnm_errf(struct cnm_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cnm_err_clear(struct cnm_err *err);

int cnm_random_id(char out[CNM_ID_LEN + 1]);
int cnm_random_hex(char *out, size_t nchars);
void cnm_rfc3339(const struct timespec *ts, char out[40]);
void cnm_now_rfc3339(char out[40]);
int cnm_parse_until(const char *s, time_t now, long long *out_ns);
int cnm_write_file(const char *path, const char *data, size_t len, struct cnm_err *err);
int cnm_mkdir_p(const char *path, int mode, struct cnm_err *err);
int cnm_rm_rf(const char *path);
char *cnm_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned long long cnm_proc_start_time(pid_t pid);
bool cnm_is_hex(const char *s, size_t n);
int cnm_mac_parse(const char *s, uint8_t mac[6]);
bool cnm_json_empty_object(const char *s);

#endif
