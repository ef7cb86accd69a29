// SPDX-License-Identifier: MIT
/*
 * fuzz_envfile.c - libFuzzer target for `run --env-file`'s reader
 * (cli/envfile.c).  Every accepted entry must be a non-empty name without
 * a space or tab before any '=', start no comment, and lie inside the
 * buffer; a refusal must say why and hand back nothing.
 */
#include "fuzz.h"
#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), why[256] = "";
	const char **env = NULL;
	size_t n = 0, len = strlen(s);
	int rc = cli_env_file_parse("f", s, &env, &n, why, sizeof(why));

	if (!rc) {
		for (size_t i = 0; i < n; i++) {
			size_t k = strcspn(env[i], "=");

			if (env[i] < s || env[i] > s + len || !k || env[i][0] == '#' ||
			    strcspn(env[i], " \t") < k)
				abort();
		}
	} else if (!why[0] || n) {
		abort();
	}
	free(env);
	free(s);
	return 0;
}
