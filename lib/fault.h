/* SPDX-License-Identifier: MIT */
/* fault.h - CNM_FAULT=<step>: die by SIGKILL at a named step (crash tests). */
#ifndef CNM_FAULT_H
#define CNM_FAULT_H
#include <stddef.h>
#include "util.h"

void cnm_fault_init(void);
void cnm_fault_at(const char *step);

extern const char *cnm_fault_armed;

/* One line at each step; a single pointer test when CNM_FAULT is unset. */
#define cnm_fault(step) do { if (UNLIKELY(cnm_fault_armed)) cnm_fault_at(step); } while (0)

#endif
