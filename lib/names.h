/* SPDX-License-Identifier: MIT */
/* names.h - validation and generation of container and network names. */
#ifndef CNM_NAMES_H
#define CNM_NAMES_H
#include <stdbool.h>
#include <stddef.h>

bool cnm_name_valid(const char *name);
void cnm_name_generate(char *out, size_t len, unsigned int r1, unsigned int r2);
bool cnm_hostname_valid(const char *name);

#endif
