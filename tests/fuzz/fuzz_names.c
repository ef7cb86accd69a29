// SPDX-License-Identifier: MIT
/*
 * fuzz_names.c - libFuzzer target for the name validators (lib/names.c,
 * cnm_ifname_valid in lib/netopts.c).  An accepted container or network
 * name becomes a path component under /run/netns, so it must never be able
 * to name another directory.
 */
#include "fuzz.h"
#include "names.h"
#include "netopts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);

	if (cnm_name_valid(s) && (strchr(s, '/') || s[0] == '.' || strlen(s) < 2 ||
				  strlen(s) > CNM_NAME_MAX))
		abort();
	/* dotted labels (db.example.com), never an empty one, never a path */
	if (cnm_hostname_valid(s) && (strchr(s, '/') || s[0] == '.' || strstr(s, "..") ||
				      s[strlen(s) - 1] == '.' || strlen(s) > 63))
		abort();
	if (cnm_ifname_valid(s) && (strchr(s, '/') || strlen(s) > 15))
		abort();
	free(s);
	return 0;
}
