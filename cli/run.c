// SPDX-License-Identifier: MIT
/*
 * run.c - `cnm run`: start a container, in the foreground or detached.
 *
 * Foreground: this process is the container's parent; it waits, releases
 * the network and exits with the container's status.  Detached (-d): it
 * forks a monitor into its own session which does the same, and reports
 * back through a pipe, so the id is printed only once the container runs
 * and any error is ours to print.  Exit codes follow docker run: 125 for a
 * cnm error, 126 when the command cannot be run, 127 when it is not found.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "relay.h"

static const char usage[] =
	"cnm run [-d] [--name NAME] [--hostname HOST] [--network bridge|host|none|NET]\n"
	"               [--ip ADDR] [--ip6 ADDR] [--mac-address MAC] [-p [IP:][HOSTPORT:]PORT[/PROTO]]...\n"
	"               [-e KEY=VALUE]... [--env-file FILE]... [-i] [-t] [--rm] [--rootfs DIR]\n"
	"               [--network-alias NAME]... [--] COMMAND [ARG...]";

struct report {
	int rc;
	char id[CNM_ID_LEN + 1];
	struct cnm_err err;
};

static int run_exit_code(const struct cnm_err *err)
{
	if (!err->exec_failed)
		return 125;
	return err->code == ENOENT ? 127 : 126;
}

static pid_t child_pid;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

/* the store's holder (lib/storehold.c), as every cnm command starts it */
static const struct cnm_opts hold = { .hold_store = true };

/*
 * Wait for the container, relaying [::1] of its IPv6 ports meanwhile (see
 * lib/relay.c), then release what it held.  The relay's sockets are closed
 * before the release, so the port stops answering on [::1] as on the rest.
 */
static int wait_and_release(const char *id, pid_t pid, struct cnm_relay *relay)
{
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	int status = 0;

	if (relay)
		cnm_relay_wait(relay, pid);
	cnm_relay_free(relay);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			break;
	if (cnm_open(&ctx, &hold, &err) == 0) {
		if (cnm_container_release(ctx, id, status, &err))
			fprintf(stderr, "cnm: %s\n", err.msg);
		cnm_close(ctx);
	} else {
		fprintf(stderr, "cnm: %s\n", err.msg);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
}

static int start(const struct cnm_run_spec *spec, char id[CNM_ID_LEN + 1], pid_t *pid,
		 struct cnm_relay **relay, struct cnm_err *err)
{
	struct cnm_ctx *ctx;
	char warn[256];
	int rc;

	*relay = NULL;
	rc = cnm_open(&ctx, &hold, err);
	if (rc)
		return rc;
	rc = cnm_container_start(ctx, spec, id, pid, err);
	cli_print_notice(ctx);
	/* [::1] is bound before the id is printed, so it answers once run returns */
	if (!rc) {
		struct cnm_err rerr = { 0 };

		if (cnm_relay_open(ctx, id, relay, warn, sizeof(warn), &rerr))
			fprintf(stderr, "cnm: warning: [::1] is not relayed: %s\n", rerr.msg);
		else if (warn[0])
			fprintf(stderr, "cnm: warning: %s\n", warn);
	}
	/* the monitor keeps nothing open while it waits */
	cnm_close(ctx);
	return rc;
}

static int run_detached(const struct cnm_run_spec *spec)
{
	struct report r = { 0 };
	int p[2];
	pid_t monitor;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("cnm: pipe");
		return 125;
	}
	fflush(NULL);
	monitor = fork();
	if (monitor < 0) {
		perror("cnm: fork");
		return 125;
	}
	if (monitor == 0) {
		struct cnm_relay *relay = NULL;
		pid_t pid = 0;
		int null;

		/*
		 * A monitor outlives the command: it must not hold the caller's
		 * pipes open (`cnm run -d ... | cat` would never end).  Keep
		 * stdio until the report is written, and the report pipe.
		 */
		close(p[0]);
		if (p[1] != 3) {
			dup3(p[1], 3, O_CLOEXEC);
			close(p[1]);
			p[1] = 3;
		}
		close_range(4, ~0U, 0);
		setsid();
		prctl(PR_SET_NAME, "cnm-monitor");
		signal(SIGHUP, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		r.rc = start(spec, r.id, &pid, &relay, &r.err);
		if (write(p[1], &r, sizeof(r)) < 0)
			r.rc = r.rc ? r.rc : -EPIPE;
		close(p[1]);
		if (r.rc)
			_exit(1);
		null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			close(null);
		}
		_exit(wait_and_release(r.id, pid, relay));
	}
	close(p[1]);
	while ((n = read(p[0], &r, sizeof(r))) < 0 && errno == EINTR)
		;
	close(p[0]);
	if (n != (ssize_t)sizeof(r)) {
		fprintf(stderr, "cnm: the container monitor died before the container started\n");
		return 125;
	}
	if (r.rc) {
		cli_fail(&r.err);
		return run_exit_code(&r.err);
	}
	printf("%s\n", r.id);
	return 0;
}

static int run_foreground(const struct cnm_run_spec *spec)
{
	struct cnm_err err = { 0 };
	struct sigaction sa = { .sa_handler = forward_signal };
	struct cnm_relay *relay;
	char id[CNM_ID_LEN + 1];
	int rc;

	rc = start(spec, id, &child_pid, &relay, &err);
	if (rc) {
		cli_fail(&err);
		return run_exit_code(&err);
	}
	/* like docker's sig-proxy: ^C and kill reach the container, not just us */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	return wait_and_release(id, child_pid, relay);
}

/* --dry-run: the commands that would give the container its network, nothing else. */
static int run_dry(struct cnm_ctx *ctx, const struct cnm_run_spec *spec)
{
	struct cnm_err err = { 0 };
	char id[CNM_ID_LEN + 1];
	pid_t pid;
	int rc;

	rc = cnm_dry_run(ctx, stdout, &err);
	if (!rc)
		rc = cnm_container_start(ctx, spec, id, &pid, &err);
	if (rc) {
		fprintf(stderr, "cnm: %s\n", err.msg);
		return err.exec_failed ? (rc == -ENOENT ? 127 : 126) : 125;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "detach", no_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "hostname", required_argument, NULL, 'h' },
		{ "network", required_argument, NULL, 'N' },
		{ "net", required_argument, NULL, 'N' },
		{ "ip", required_argument, NULL, 'I' },
		{ "ip6", required_argument, NULL, '6' },
		{ "mac-address", required_argument, NULL, 'M' },
		{ "rm", no_argument, NULL, 'r' },
		{ "publish", required_argument, NULL, 'p' },
		{ "rootfs", required_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "network-alias", required_argument, NULL, 'A' },
		{ "env", required_argument, NULL, 'e' },
		{ "env-file", required_argument, NULL, 'E' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'H' },
		{ 0 },
	};
	struct cnm_run_spec spec = { 0 };
	const char **publish = NULL, **aliases = NULL, **env = NULL, **opt_env = NULL;
	const char **files = NULL;
	char **bufs = NULL;
	size_t n_opt_env = 0, n_files = 0;
	struct cnm_ctx *ctx = NULL;
	bool dry = false, ok = true;
	int c, rc = 0;

	while (ok && (c = getopt_long(argc, argv, "+dh:p:ite:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': spec.detach = true; break;
		case 'n': spec.name = optarg; break;
		case 'h': spec.hostname = optarg; break;
		case 'N':
			/* Docker's daemon refuses a second one (later ones need connect) */
			if (spec.network) {
				fprintf(stderr, "cnm: Container cannot be connected to network"
					" endpoints: %s, %s\n", spec.network, optarg);
				rc = 125;
				goto out;
			}
			spec.network = optarg;
			break;
		case 'I': spec.ip = optarg; break;
		case '6': spec.ip6 = optarg; break;
		case 'M': spec.mac = optarg; break;
		case 'r': spec.auto_remove = true; break;
		case 'R': spec.rootfs = optarg; break;
		case 'D': dry = true; break;
		case 'p': ok = cli_strv_push(&publish, &spec.n_publish, optarg); break;
		case 'A': ok = cli_strv_push(&aliases, &spec.n_aliases, optarg); break;
		case 'e':
			if (!optarg || !optarg[0] || optarg[0] == '=') {
				fprintf(stderr, "cnm: invalid environment variable: %s\n", optarg);
				rc = 125;
				goto out;
			}
			/* KEY alone: the caller's value (the container inherits it anyway) */
			ok = cli_strv_push(&opt_env, &n_opt_env, optarg);
			break;
		case 'E': ok = cli_strv_push(&files, &n_files, optarg); break;
		case 'i': /* stdin is the caller's, as it is */
		case 't': /* a terminal stays a terminal */
			break;
		case 'H': printf("Usage: %s\n", usage); goto out;
		default: rc = cli_usage(usage); goto out;
		}
	}
	if (!ok) {
		rc = 125;
		goto out;
	}
	if (optind >= argc) {
		fprintf(stderr, "cnm: run: no command given\n");
		rc = cli_usage(usage);
		goto out;
	}
	/* the files' entries first, then -e's: the last one of a name wins */
	bufs = calloc(n_files + 1, sizeof(*bufs));
	ok = bufs != NULL;
	for (size_t i = 0; ok && i < n_files; i++)
		if (cli_env_file_read(files[i], &bufs[i], &env, &spec.n_env)) {
			rc = 125;
			goto out;
		}
	for (size_t i = 0; ok && i < n_opt_env; i++)
		ok = cli_strv_push(&env, &spec.n_env, opt_env[i]);
	if (!ok) {
		rc = 125;
		goto out;
	}
	spec.publish = publish;
	spec.aliases = aliases;
	spec.env = env;
	if (spec.network && !strcmp(spec.network, "default"))
		spec.network = NULL;
	spec.argv = argv + optind;
	/*
	 * Privileges first, so an unprivileged user gets one clear line.  The
	 * store is opened once, by whoever starts the container (the monitor
	 * with -d), which reports its errors: opening it here as well cost
	 * every run a second open (~0.5 ms).
	 */
	rc = dry ? cli_open(&ctx, true) : cli_require_root();
	if (rc) {
		rc = 125;
	} else if (dry) {
		rc = run_dry(ctx, &spec);
		cnm_close(ctx);
	} else {
		rc = spec.detach ? run_detached(&spec) : run_foreground(&spec);
	}
out:
	free(publish);
	free(aliases);
	free(env);
	free(opt_env);
	for (size_t i = 0; bufs && i < n_files; i++)
		free(bufs[i]);
	free(bufs);
	free(files);
	return rc;
}
