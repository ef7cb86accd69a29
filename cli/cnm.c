// SPDX-License-Identifier: MIT
/*
 * cnm.c - the command's entry point: a table of verbs matched exactly.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <jansson.h>
#include <sqlite3.h>
#include "cli.h"
#include "cni.h"
#include "sqlmem.h"

static const struct cli_cmd commands[] = {
	{ "run", cmd_run, "Run a command in a new container" },
	{ "ps", cmd_ps, "List containers" },
	{ "exec", cmd_exec, "Run a command in a running container" },
	{ "inspect", cmd_inspect, "Show low-level information on containers (JSON)" },
	{ "stop", cmd_stop, "Stop running containers" },
	{ "rm", cmd_rm, "Remove containers" },
	{ "port", cmd_port, "List a container's published ports" },
	{ "network", cmd_network, "Manage networks" },
	{ "doctor", cmd_doctor, "Find what keeps containers off the network, with fixes" },
	{ "topology", cmd_topology, "Draw networks, veth pairs, containers and ports (text, dot, svg)" },
	{ "gc", cmd_gc, "Repair what a crash or outside interference left behind" },
	{ "version", cmd_version, "Show the cnm version" },
	/* no help line: not listed, run by cnm-dns only */
	{ "_dns-dump", cmd_dns_dump, NULL },
	{ "_hold", cmd_hold, NULL },
};

/* Print @s to stderr with control characters as '?': a name echoed in an
 * error must not move the cursor or rewrite the user's terminal. */
static void put_clean(const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stderr);
}

int cli_dispatch(const struct cli_cmd *cmds, size_t n, const char *what, int argc, char **argv)
{
	bool asked = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
				   !strcmp(argv[1], "help"));

	if (argc >= 2 && !strcmp(what, "cnm") && !strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);
	if (argc < 2 || asked) {
		/* asked for: stdout and success, as Docker's; missing: stderr and 2 */
		FILE *f = asked ? stdout : stderr;

		fprintf(f, "Usage: %s COMMAND\n\nCommands:\n", what);
		for (size_t i = 0; i < n; i++)
			if (cmds[i].help)
				fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
		return asked ? 0 : EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			/* getopt names argv[0] in its messages: "cnm ps: unrecognized option" */
			static char prog[64];

			snprintf(prog, sizeof(prog), "%s %s", what, cmds[i].name);
			argv[1] = prog;
			return cmds[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "cnm: '");
	put_clean(argv[1]);
	fprintf(stderr, "' is not a %s command (see '%s --help')\n", what, what);
	return EXIT_USAGE;
}

int cli_fail(const struct cnm_err *err)
{
	fprintf(stderr, "cnm: ");
	put_clean(err->msg[0] ? err->msg : strerror(err->code));
	fputc('\n', stderr);
	return 1;
}

int cli_usage(const char *usage)
{
	fprintf(stderr, "Usage: %s\n", usage);
	return EXIT_USAGE;
}

/**
 * cli_usage_for() - the usage after getopt returned @c: asked for (-h,
 * --help: stdout, exit 0, as Docker's) or a mistake (stderr, exit 2).
 */
int cli_usage_for(int c, const char *usage)
{
	if (c != 'h')
		return cli_usage(usage);
	printf("Usage: %s\n", usage);
	return 0;
}

/**
 * cli_each_dry() - apply @fn to each named object, printing each
 * name that succeeded (as docker stop/rm do) and an error for each that did
 * not; the exit status is 1 if any failed.  With @dry, a --dry-run: the
 * context records instead of changing, and only the commands are printed.
 */
int cli_each_dry(int argc, char **argv, cli_each_fn fn, void *arg, bool dry)
{
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	int rc, status = 0;

	/* a flag among the names is a mistake, caught before any name is acted on */
	for (int i = 0; i < argc; i++)
		if (argv[i][0] == '-') {
			fprintf(stderr, "cnm: unknown flag: %s\n", argv[i]);
			return EXIT_USAGE;
		}
	rc = cli_open(&ctx, true);
	if (rc)
		return rc;
	if (dry && cnm_dry_run(ctx, stdout, &err)) {
		status = cli_fail(&err);
		goto out;
	}
	for (int i = 0; i < argc; i++) {
		if (fn(ctx, argv[i], arg, &err))
			status = cli_fail(&err);
		else if (!dry)
			printf("%s\n", argv[i]);
		fflush(stdout);
	}
out:
	cnm_close(ctx);
	return status;
}

int cli_each(int argc, char **argv, cli_each_fn fn, void *arg)
{
	return cli_each_dry(argc, argv, fn, arg, false);
}

void cli_print_notice(struct cnm_ctx *ctx)
{
	static char last[640];	/* a notice made at open is still there after the verb */
	const char *n = cnm_notice(ctx);

	if (n && !strcmp(n, last))
		return;
	if (n)
		snprintf(last, sizeof(last), "%s", n);
	if (n && !strncmp(n, "warning: ", 9))
		fprintf(stderr, "cnm: %s\n", n);
	else if (n)
		fprintf(stderr, "cnm: note: %s\n", n);
}

/*
 * Changing the network needs CAP_NET_ADMIN; namespaces and mounts CAP_SYS_ADMIN.
 * Return: NULL when both are there, else the name of one that is missing.
 */
static const char *missing_cap(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d) < 0)
		return geteuid() == 0 ? NULL : "CAP_NET_ADMIN";
	if (!(d[0].effective & (1u << CAP_NET_ADMIN)))
		return "CAP_NET_ADMIN";
	return (d[0].effective & (1u << CAP_SYS_ADMIN)) ? NULL : "CAP_SYS_ADMIN";
}

static bool have_caps(void)
{
	return !missing_cap();
}

/**
 * cli_require_root() - 0, or 1 with one clear line when cnm lacks its
 * capabilities.
 */
int cli_require_root(void)
{
	if (have_caps())
		return 0;
	fprintf(stderr, "cnm: permission denied: cnm must run as root (it needs"
		" CAP_NET_ADMIN and CAP_SYS_ADMIN, and %s is missing)\n", missing_cap());
	return 1;
}

/**
 * cli_open() - open the context, with a clear message when not privileged.
 */
int cli_open(struct cnm_ctx **ctx, bool need_root)
{
	struct cnm_opts o = { .hold_store = true };
	struct cnm_err err = { 0 };
	int rc;

	if (need_root && cli_require_root())
		return 1;
	rc = cnm_open(ctx, &o, &err);
	if (rc == -EACCES && !have_caps()) {
		fprintf(stderr, "cnm: permission denied: %s (run cnm as root)\n", err.msg);
		return 1;
	}
	if (rc)
		return cli_fail(&err);
	cli_print_notice(*ctx);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	printf("cnm version %s\n", CNM_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	/*
	 * One thread, one connection: SQLite's mutexes and its allocation
	 * statistics (a mutex per malloc) were 6 % of a CNI ADD's instructions.
	 * A process setting, so the command decides it, not the library.
	 */
	sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* and no glibc malloc for each parser node: see lib/sqlmem.c */
	cnm_sqlmem_install();
	/*
	 * jansson seeds its hash function on first use by opening and reading
	 * /dev/urandom; getrandom() gives the same in one system call.
	 */
	{
		uint32_t seed;

		if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed) && seed)
			json_object_seed(seed);
	}
	/* a runtime runs CNI plugins with CNI_COMMAND set and no arguments */
	if (argc == 1 && getenv("CNI_COMMAND"))
		return cni_main();
	return cli_dispatch(commands, sizeof(commands) / sizeof(commands[0]), "cnm", argc, argv);
}
