// SPDX-License-Identifier: MIT
/*
 * test_sqlmem.c - the size-class allocator the cnm command gives SQLite
 * (lib/sqlmem.c): sizes, alignment, realloc, reuse, and SQLite on top.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include "sqlmem.h"

static int setup(void **state)
{
	(void)state;
	sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	return cnm_sqlmem_install() == SQLITE_OK ? 0 : -1;
}

static void test_sizes_and_alignment(void **state)
{
	static const int sizes[] = { 1, 7, 8, 16, 17, 100, 1000, 1025, 4096, 4097,
				     65528, 65529, 200000 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = sqlite3_malloc(sizes[i]);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 8, 0);
		assert_true(sqlite3_msize(p) >= (sqlite3_uint64)sizes[i]);
		memset(p, 0xa5, (size_t)sizes[i]); /* the whole block is ours */
		sqlite3_free(p);
	}
}

static void test_realloc_keeps_content(void **state)
{
	unsigned char *p = sqlite3_malloc(10);

	(void)state;
	assert_non_null(p);
	for (int i = 0; i < 10; i++)
		p[i] = (unsigned char)i;
	/* grow through several classes and into malloc()'s own blocks */
	for (int n = 20; n <= 300000; n *= 3) {
		p = sqlite3_realloc(p, n);
		assert_non_null(p);
		assert_true(sqlite3_msize(p) >= (sqlite3_uint64)n);
		for (int i = 0; i < 10; i++)
			assert_int_equal(p[i], i);
	}
	p = sqlite3_realloc(p, 5); /* shrink: the first bytes stay */
	assert_non_null(p);
	for (int i = 0; i < 5; i++)
		assert_int_equal(p[i], i);
	sqlite3_free(p);
}

static void test_freed_blocks_are_reused(void **state)
{
	void *a, *b;

	(void)state;
	a = sqlite3_malloc(300);
	sqlite3_free(a);
	b = sqlite3_malloc(260); /* same class */
	assert_ptr_equal(a, b);
	sqlite3_free(b);
}

static void test_sqlite_on_top(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long sum = 0, want = 0;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB);"
				      " CREATE INDEX t_v ON t(v);", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(k, v) VALUES (?, zeroblob(?))",
					    -1, &st, NULL), SQLITE_OK);
	for (int i = 0; i < 5000; i++) {
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_int(st, 2, (i * 37) % 3000);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
		want += (i * 37) % 3000;
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM t WHERE k % 3 = 0", NULL, NULL, NULL),
			 SQLITE_OK);
	for (int i = 0; i < 5000; i += 3)
		want -= (i * 37) % 3000;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT sum(length(v)) FROM t", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	sum = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	assert_int_equal(sum, want);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_and_alignment),
		cmocka_unit_test(test_realloc_keeps_content),
		cmocka_unit_test(test_freed_blocks_are_reused),
		cmocka_unit_test(test_sqlite_on_top),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
