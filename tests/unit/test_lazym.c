// SPDX-License-Identifier: MIT
/*
 * test_lazym.c - SQLite's math functions still answer when libm is loaded
 * on first use (cli/lazym.c), and this test, like the cnm binary, is linked
 * without libm.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>

static double sql_real(sqlite3 *db, const char *expr)
{
	char sql[128];
	sqlite3_stmt *st;
	double v = -1;

	snprintf(sql, sizeof(sql), "SELECT %s", expr);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_sql_math(void **state)
{
	sqlite3 *db;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_true(fabs(sql_real(db, "sqrt(16)") - 4) < 1e-12);
	assert_true(fabs(sql_real(db, "pow(2, 10)") - 1024) < 1e-12);
	assert_true(fabs(sql_real(db, "atan2(1, 1) * 4") - 3.141592653589793) < 1e-12);
	assert_true(fabs(sql_real(db, "trunc(-2.7)") + 2) < 1e-12);
	assert_true(fabs(sql_real(db, "mod(7.5, 2)") - 1.5) < 1e-12);
	assert_true(fabs(sql_real(db, "ln(exp(3))") - 3) < 1e-12);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql_math),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
