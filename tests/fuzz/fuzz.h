/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - shared by the libFuzzer targets: libFuzzer hands over bytes, the
 * parsers take C strings, so each input becomes one NUL-terminated copy (an
 * embedded NUL simply ends the string early, as it would on a command line).
 */
#ifndef CNM_FUZZ_H
#define CNM_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A malloc'ed exact-size copy, so ASan sees any read past the terminator. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
