// SPDX-License-Identifier: MIT
/*
 * test_ids.c - random ids, hex helpers and timestamps (lib/util.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util.h"

static bool all_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return false;
	return true;
}

/* ---- cnm_rfc3339: the same text as gmtime_r() + strftime() ---- */

static void expect_like_gmtime(time_t t, long nsec)
{
	struct timespec ts = { .tv_sec = t, .tv_nsec = nsec };
	char got[40], want[40], base[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(want, sizeof(want), "%s.%09ldZ", base, nsec);
	cnm_rfc3339(&ts, got);
	if (strcmp(got, want))
		fail_msg("time %lld: got \"%s\", want \"%s\"", (long long)t, got, want);
}

static void test_rfc3339_matches_gmtime(void **state)
{
	/* leap days, century years (2100 is not leap, 2000 is), the epoch, before it */
	static const char *const dates[] = { "1970-01-01", "1969-12-31", "1900-02-28",
		"1900-03-01", "2000-02-29", "2000-03-01", "2024-02-29", "2100-02-28",
		"2100-03-01", "2400-02-29", "9999-12-31" };
	(void)state;
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		struct tm tm = { 0 };

		assert_non_null(strptime(dates[i], "%Y-%m-%d", &tm));
		expect_like_gmtime(timegm(&tm), 0);
		expect_like_gmtime(timegm(&tm) + 86399, 999999999);
		expect_like_gmtime(timegm(&tm) - 1, 1);
	}
	/* and a walk over 1960-2200 in steps that hit every day and hour, in turn */
	for (time_t t = -315619200; t < 7258118400; t += 86400 * 3 + 3607)
		expect_like_gmtime(t, 123456789);
}

/* ---- cnm_parse_until: Docker's until= ---- */

static void test_parse_until(void **state)
{
	const time_t now = 1800000000;
	long long ns;

	(void)state;
	assert_int_equal(cnm_parse_until("24h", now, &ns), 0);
	assert_true(ns == (now - 86400) * 1000000000LL);
	assert_int_equal(cnm_parse_until("1h30m", now, &ns), 0);
	assert_true(ns == (now - 5400) * 1000000000LL);
	assert_int_equal(cnm_parse_until("1.5h", now, &ns), 0);
	assert_true(ns == (now - 5400) * 1000000000LL);
	assert_int_equal(cnm_parse_until("90s", now, &ns), 0);
	assert_true(ns == (now - 90) * 1000000000LL);
	assert_int_equal(cnm_parse_until("250ms", now, &ns), 0);
	assert_true(ns == now * 1000000000LL - 250000000LL);
	assert_int_equal(cnm_parse_until("-10m", now, &ns), 0);
	assert_true(ns == (now + 600) * 1000000000LL);
	assert_int_equal(cnm_parse_until("1700000000", now, &ns), 0);
	assert_true(ns == 1700000000LL * 1000000000LL);
	assert_int_equal(cnm_parse_until("1700000000.25", now, &ns), 0);
	assert_true(ns == 1700000000LL * 1000000000LL + 250000000LL);
	assert_int_equal(cnm_parse_until("2023-11-14T22:13:20Z", now, &ns), 0);
	assert_true(ns == 1700000000LL * 1000000000LL);
	assert_int_equal(cnm_parse_until("2023-11-14T23:13:20.5+01:00", now, &ns), 0);
	assert_true(ns == 1700000000LL * 1000000000LL + 500000000LL);
	assert_int_equal(cnm_parse_until("2023-11-14T21:13:20-01:00", now, &ns), 0);
	assert_true(ns == 1700000000LL * 1000000000LL);
	/* no zone: local time, as Docker reads it */
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(cnm_parse_until("2023-11-14", now, &ns), 0);
	assert_true(ns == 1699920000LL * 1000000000LL);
	for (const char *const *bad = (const char *const[]){ "", "h", "10x", "1h-5m", "2023-13-45",
		"2023-11-14T25:00:00Z", "2023-11-14Z0", "17e8", "1.", "yesterday", NULL };
	     *bad; bad++)
		if (cnm_parse_until(*bad, now, &ns) != -EINVAL)
			fail_msg("\"%s\" was taken", *bad);
}

/* ---- cnm_random_id ---- */

static void test_random_id_shape(void **state)
{
	char id[CNM_ID_LEN + 1];

	(void)state;
	for (int i = 0; i < 2000; i++) {
		memset(id, '#', sizeof(id));
		assert_int_equal(cnm_random_id(id), 0);
		if (strlen(id) != 64)
			fail_msg("id \"%.65s\" has length %zu, want 64", id, strlen(id));
		if (!all_lower_hex(id, 64))
			fail_msg("id \"%s\" is not lower-case hex", id);
		if (strspn(id, "0123456789") >= CNM_SHORT_ID_LEN)
			fail_msg("id \"%s\": short form is all digits", id);
	}
}

static void test_random_id_differs(void **state)
{
	char a[CNM_ID_LEN + 1], b[CNM_ID_LEN + 1], c[CNM_ID_LEN + 1];

	(void)state;
	assert_int_equal(cnm_random_id(a), 0);
	assert_int_equal(cnm_random_id(b), 0);
	assert_int_equal(cnm_random_id(c), 0);
	assert_string_not_equal(a, b);
	assert_string_not_equal(b, c);
	assert_string_not_equal(a, c);
	/* even the 12-hex short forms differ (a collision is 2^-48) */
	assert_true(strncmp(a, b, CNM_SHORT_ID_LEN) != 0);
}

static void test_random_id_uses_all_digits(void **state)
{
	/* over 200 ids (12800 hex digits) every one of the 16 digits shows up,
	 * and each of the 64 positions is not stuck at one value */
	char id[CNM_ID_LEN + 1], first[CNM_ID_LEN + 1];
	bool seen[16] = { false };
	bool varies[CNM_ID_LEN] = { false };

	(void)state;
	assert_int_equal(cnm_random_id(first), 0);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(cnm_random_id(id), 0);
		for (int j = 0; j < CNM_ID_LEN; j++) {
			char ch = id[j];

			seen[ch <= '9' ? ch - '0' : ch - 'a' + 10] = true;
			if (ch != first[j])
				varies[j] = true;
		}
	}
	for (int k = 0; k < 16; k++)
		if (!seen[k])
			fail_msg("hex digit %x never appeared", k);
	for (int j = 0; j < CNM_ID_LEN; j++)
		if (!varies[j])
			fail_msg("id position %d never changed", j);
}

/* ---- cnm_random_hex ---- */

static void test_random_hex(void **state)
{
	char buf[160];

	(void)state;
	memset(buf, '#', sizeof(buf));
	assert_int_equal(cnm_random_hex(buf, 7), 0);
	assert_int_equal(strlen(buf), 7);
	assert_true(all_lower_hex(buf, 7));
	assert_int_equal(buf[8], '#'); /* wrote 7 chars and a NUL, nothing more */

	memset(buf, '#', sizeof(buf));
	assert_int_equal(cnm_random_hex(buf, 1), 0);
	assert_int_equal(strlen(buf), 1);
	assert_true(all_lower_hex(buf, 1));

	memset(buf, '#', sizeof(buf));
	assert_int_equal(cnm_random_hex(buf, 0), 0);
	assert_string_equal(buf, "");

	memset(buf, '#', sizeof(buf));
	assert_int_equal(cnm_random_hex(buf, 128), 0);
	assert_int_equal(strlen(buf), 128);
	assert_true(all_lower_hex(buf, 128));

	/* more than the 64 random bytes it draws at once */
	memset(buf, '#', sizeof(buf));
	assert_int_equal(cnm_random_hex(buf, 129), -EINVAL);
}

static void test_random_hex_odd_lengths_vary(void **state)
{
	/* the last (odd) digit comes from a random nibble, not a constant */
	char buf[8];
	bool seen[16] = { false };
	int distinct = 0;

	(void)state;
	for (int i = 0; i < 400; i++) {
		char ch;

		assert_int_equal(cnm_random_hex(buf, 7), 0);
		ch = buf[6];
		assert_true(all_lower_hex(&ch, 1));
		seen[ch <= '9' ? ch - '0' : ch - 'a' + 10] = true;
	}
	for (int k = 0; k < 16; k++)
		distinct += seen[k];
	assert_int_equal(distinct, 16);
}

/* ---- cnm_now_rfc3339 ---- */

static void test_now_rfc3339_shape(void **state)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddddddddZ";
	char ts[40];

	(void)state;
	memset(ts, '#', sizeof(ts));
	cnm_now_rfc3339(ts);
	assert_int_equal(strlen(ts), 30);
	assert_int_equal(sizeof(shape) - 1, 30);
	for (size_t i = 0; i < 30; i++) {
		if (shape[i] == 'd' ? (ts[i] < '0' || ts[i] > '9') : ts[i] != shape[i])
			fail_msg("timestamp \"%s\" differs from %s at %zu", ts, shape, i);
	}
}

static void test_now_rfc3339_is_now_utc(void **state)
{
	char ts[40], want[32];
	struct tm tm;
	time_t before, after;
	bool ok = false;

	(void)state;
	/*
	 * the seconds part is the current UTC time (retry across a second
	 * tick); read as the stamp is, from CLOCK_REALTIME: time() is the
	 * coarse clock, up to a tick behind, and failed just after a second
	 */
	for (int tries = 0; tries < 5 && !ok; tries++) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_REALTIME, &t0);
		cnm_now_rfc3339(ts);
		clock_gettime(CLOCK_REALTIME, &t1);
		before = t0.tv_sec;
		after = t1.tv_sec;
		if (before != after)
			continue;
		gmtime_r(&before, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
		if (strncmp(ts, want, 19))
			fail_msg("timestamp \"%s\", want it to start with \"%s\"", ts, want);
		ok = true;
	}
	assert_true(ok);
}

static void test_now_rfc3339_monotonic_text(void **state)
{
	/* successive stamps never go backwards and, with nanoseconds, differ */
	char a[40], b[40];
	struct timespec pause = { 0, 2000000 };

	(void)state;
	cnm_now_rfc3339(a);
	nanosleep(&pause, NULL);
	cnm_now_rfc3339(b);
	assert_true(strcmp(a, b) < 0);
}

/* ---- cnm_is_hex ---- */

static void test_is_hex(void **state)
{
	(void)state;
	assert_true(cnm_is_hex("0123456789abcdef", 16));
	assert_true(cnm_is_hex("deadbeef", 8));
	assert_true(cnm_is_hex("", 0));
	assert_true(cnm_is_hex("xyz", 0));		/* only @n characters are looked at */
	assert_true(cnm_is_hex("abz", 2));
	assert_false(cnm_is_hex("abz", 3));
	assert_false(cnm_is_hex("ABCDEF", 6));	/* ids are lower case */
	assert_false(cnm_is_hex("abcdeF", 6));
	assert_false(cnm_is_hex("g", 1));
	assert_false(cnm_is_hex("12 4", 4));
	assert_false(cnm_is_hex("12-4", 4));
	assert_false(cnm_is_hex("0x12", 4));
	assert_false(cnm_is_hex("ab", 3));		/* the NUL is not hex */
	assert_false(cnm_is_hex("/", 1));		/* '0' - 1 */
	assert_false(cnm_is_hex(":", 1));		/* '9' + 1 */
	assert_false(cnm_is_hex("`", 1));		/* 'a' - 1 */

	{
		char id[CNM_ID_LEN + 1];

		assert_int_equal(cnm_random_id(id), 0);
		assert_true(cnm_is_hex(id, CNM_ID_LEN));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_id_shape),
		cmocka_unit_test(test_random_id_differs),
		cmocka_unit_test(test_random_id_uses_all_digits),
		cmocka_unit_test(test_random_hex),
		cmocka_unit_test(test_random_hex_odd_lengths_vary),
		cmocka_unit_test(test_rfc3339_matches_gmtime),
		cmocka_unit_test(test_parse_until),
		cmocka_unit_test(test_now_rfc3339_shape),
		cmocka_unit_test(test_now_rfc3339_is_now_utc),
		cmocka_unit_test(test_now_rfc3339_monotonic_text),
		cmocka_unit_test(test_is_hex),
	};

	return cmocka_run_group_tests_name("ids: random ids, hex and timestamps", tests, NULL, NULL);
}
