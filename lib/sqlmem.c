// SPDX-License-Identifier: MIT
/*
 * sqlmem.c - SQLite's memory for a short, single-threaded process.
 *
 * DOC: Theory of operation
 * Debian's SQLite is built with SQLITE_OMIT_LOOKASIDE and SYSTEM_MALLOC,
 * so every parser node, every column of the schema it reads at each open
 * and every prepared statement is a malloc() and a free() in glibc, and
 * a cnm command is the first user of most size bins: the bin caches miss
 * and the allocator walks its slow path.  That was 18 % of a CNI ADD's
 * instructions (~475,000 of 2.67 M, callgrind).
 *
 * Here blocks come in size classes (powers of two and the halfway sizes,
 * 16 bytes to 64 KiB), carved from 64 KiB slabs one after the other and
 * recycled through a free list per class; a block's class is in the 8
 * bytes in front of it.  Larger blocks go to malloc() itself.  Slabs are
 * never returned: a command lives for milliseconds, and what it frees it
 * reuses for the same sizes.  No locking: cnm_sqlmem_install() is for a
 * process that runs SQLite in one thread (the cnm command sets
 * SQLITE_CONFIG_SINGLETHREAD too); a library user keeps SQLite's default.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sqlmem.h"

#define SLAB (64u << 10)
#define HDR 8u
#define N_CLASS 22
#define BIG 0xffu

/* A free block: its first bytes link it into its class's list. */
struct block {
	struct block *next;
};

static const uint32_t class_size[N_CLASS] = {
	16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768,
	1024, 1536, 2048, 3072, 4096, 6144, 8192, 16384, 32768, 65536 - HDR,
};
static struct block *free_list[N_CLASS];
static char *slab_pos, *slab_end;

/* The smallest class holding @n bytes, or N_CLASS when none does. */
static unsigned class_of(size_t n)
{
	unsigned lo = 0, hi = N_CLASS;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (class_size[mid] >= n)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void *carve(unsigned c)
{
	size_t need = HDR + class_size[c];
	char *p;

	if ((size_t)(slab_end - slab_pos) < need) {
		/* the tail of the old slab is lost: at most one block's worth */
		slab_pos = malloc(SLAB);
		if (!slab_pos) {
			slab_end = NULL;
			return NULL;
		}
		slab_end = slab_pos + SLAB;
	}
	p = slab_pos;
	slab_pos += need;
	return p;
}

static void *mem_malloc(int n)
{
	unsigned c = class_of(n > 0 ? (size_t)n : 1);
	uint64_t *h;

	if (c == N_CLASS) {
		h = malloc(HDR + (size_t)n);
		if (!h)
			return NULL;
		*h = (uint64_t)n << 8 | BIG;
		return h + 1;
	}
	if (free_list[c]) {
		struct block *b = free_list[c];

		free_list[c] = b->next;
		h = (uint64_t *)b - 1;
	} else {
		h = carve(c);
		if (!h)
			return NULL;
	}
	*h = c;
	return h + 1;
}

static void mem_free(void *p)
{
	uint64_t *h = (uint64_t *)p - 1;
	unsigned c = (unsigned)(*h & 0xff);
	struct block *b = p;

	if (c == BIG) {
		free(h);
		return;
	}
	b->next = free_list[c];
	free_list[c] = b;
}

static int mem_size(void *p)
{
	uint64_t h = ((uint64_t *)p)[-1];

	return (h & 0xff) == BIG ? (int)(h >> 8) : (int)class_size[h & 0xff];
}

static void *mem_realloc(void *p, int n)
{
	int have = mem_size(p);
	void *q;

	if (n <= have && n > have / 2)
		return p;
	q = mem_malloc(n);
	if (q) {
		memcpy(q, p, (size_t)(have < n ? have : n));
		mem_free(p);
	}
	return q;
}

static int mem_roundup(int n)
{
	unsigned c = class_of(n > 0 ? (size_t)n : 1);

	return c == N_CLASS ? (n + 7) & ~7 : (int)class_size[c];
}

static int mem_init(void *arg)
{
	(void)arg;
	return SQLITE_OK;
}

static void mem_shutdown(void *arg)
{
	(void)arg;
}

/**
 * cnm_sqlmem_install() - give SQLite the size-class allocator above.
 *
 * Call before SQLite is first used, in a process where one thread uses it.
 *
 * Return: SQLITE_OK, or SQLite's error if it was already initialised.
 */
int cnm_sqlmem_install(void)
{
	static const sqlite3_mem_methods m = {
		.xMalloc = mem_malloc,
		.xFree = mem_free,
		.xRealloc = mem_realloc,
		.xSize = mem_size,
		.xRoundup = mem_roundup,
		.xInit = mem_init,
		.xShutdown = mem_shutdown,
	};

	return sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}
