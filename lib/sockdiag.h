/* SPDX-License-Identifier: MIT */
/* sockdiag.h - the ports processes on the host hold (sock_diag, /proc as a fallback). */
#ifndef CNM_SOCKDIAG_H
#define CNM_SOCKDIAG_H

#include "ports.h"

void cnm_host_bound(struct cnm_portset *s);

#endif
