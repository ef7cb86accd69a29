/* SPDX-License-Identifier: MIT */
/* sqlmem.h - SQLite's memory for a short, single-threaded process (sqlmem.c). */
#ifndef CNM_SQLMEM_H
#define CNM_SQLMEM_H

int cnm_sqlmem_install(void);

#endif
