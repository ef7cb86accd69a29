/* SPDX-License-Identifier: MIT */
/* cli.h - what the verbs share: opening the context, errors, tables. */
#ifndef CNM_CLI_H
#define CNM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include "cnm.h"

#define EXIT_USAGE 2

/** struct cli_cmd - one verb: its name, handler and one-line description (NULL: not listed). */
struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

int cli_dispatch(const struct cli_cmd *cmds, size_t n, const char *what, int argc, char **argv);
int cli_require_root(void);
int cli_open(struct cnm_ctx **ctx, bool need_root);
int cli_fail(const struct cnm_err *err);
int cli_usage(const char *usage);
int cli_usage_for(int c, const char *usage);
typedef int (*cli_each_fn)(struct cnm_ctx *ctx, const char *ref, void *arg,
			   struct cnm_err *err);
int cli_each(int argc, char **argv, cli_each_fn fn, void *arg);
int cli_each_dry(int argc, char **argv, cli_each_fn fn, void *arg, bool dry);
void cli_print_notice(struct cnm_ctx *ctx);
typedef int (*cli_inspect_fn)(struct cnm_ctx *ctx, const char *ref, char **json,
			      struct cnm_err *err);
int cli_inspect_each(int argc, char **argv, cli_inspect_fn fn, const char *usage);

/** struct cli_fmt - a parsed --format (format.c). */
struct cli_fmt {
	bool json, table, header_done;
	struct gotmpl *t;
	const char *const *headers;
	char **lines;
	size_t nlines;
};
struct json_t;
int cli_fmt_init(struct cli_fmt *f, const char *arg, const char *const *headers);
bool cli_fmt_custom(const struct cli_fmt *f);
int cli_fmt_row(struct cli_fmt *f, struct json_t *obj, const char *what);
void cli_fmt_done(struct cli_fmt *f);

/* table.c: columns padded like Docker's tabwriter (3 spaces between). */
struct cli_table;
struct cli_table *cli_table_new(size_t ncols);
void cli_table_add(struct cli_table *t, const char *const *cells);
void cli_table_print(struct cli_table *t);
void cli_human_duration(long long seconds, char *out, size_t len);
char *cli_ps_command(const char *cmd, bool trunc);
long long cli_seconds_since(const char *rfc3339);
void cli_docker_time(const char *rfc3339, bool nanos, char *out, size_t len);

/* One more string for a repeatable option's array; false when out of memory. */
static inline bool cli_strv_push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return false;
	nv[(*n)++] = s;
	*v = nv;
	return true;
}

int cli_env_file_parse(const char *name, char *text, const char ***env, size_t *n_env, char *why,
		       size_t len);
int cli_env_file_read(const char *path, char **buf, const char ***env, size_t *n_env);
int cmd_run(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_port(int argc, char **argv);
int cmd_network(int argc, char **argv);
int cmd_network_ls(int argc, char **argv);
int cmd_network_inspect(int argc, char **argv);
int cmd_network_create(int argc, char **argv);
int cmd_network_rm(int argc, char **argv);
int cmd_network_prune(int argc, char **argv);
int cmd_network_connect(int argc, char **argv);
int cmd_network_disconnect(int argc, char **argv);
bool cli_net_has_label(const char *labels_json, const char *want);
int cmd_version(int argc, char **argv);
int cmd_topology(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_dns_dump(int argc, char **argv);
int cmd_hold(int argc, char **argv);

#endif
