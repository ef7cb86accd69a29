// SPDX-License-Identifier: MIT
/*
 * util.c - errors, random ids, timestamps and file helpers.
 *
 * DOC: Theory of operation
 * Errors travel as a struct cnm_err filled at the point of failure, so the
 * message can name the object; cnm_errf() returns the negative code so a
 * failing call site is one line: "return cnm_errf(err, ENOENT, ...)".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include "util.h"

int cnm_errf(struct cnm_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (code < 0)
		code = -code;
	if (err) {
		err->code = code;
		err->exec_failed = false;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -code;
}

void cnm_err_clear(struct cnm_err *err)
{
	if (err) {
		err->code = 0;
		err->exec_failed = false;
		err->msg[0] = '\0';
	}
}

int cnm_random_hex(char *out, size_t nchars)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[64];
	size_t nbytes = (nchars + 1) / 2;

	if (nbytes > sizeof(buf))
		return -EINVAL;
	if (getrandom(buf, nbytes, 0) != (ssize_t)nbytes)
		return errno ? -errno : -EIO;
	for (size_t i = 0; i < nchars; i++)
		out[i] = hex[(buf[i / 2] >> ((i & 1) ? 0 : 4)) & 0xf];
	out[nchars] = '\0';
	return 0;
}

/**
 * cnm_random_id() - a 64-hex id whose 12-hex short form is not all digits.
 * @out: filled with the id
 *
 * Docker re-draws ids whose short form looks like a number so that a short
 * id can never be mistaken for one; we keep that property.
 *
 * Return: 0 or a negative errno from getrandom().
 */
int cnm_random_id(char out[CNM_ID_LEN + 1])
{
	for (;;) {
		int rc = cnm_random_hex(out, CNM_ID_LEN);

		if (rc)
			return rc;
		if (strspn(out, "0123456789") < CNM_SHORT_ID_LEN)
			return 0;
	}
}

/*
 * Year, month and day of @days since 1970-01-01 in the proleptic Gregorian
 * calendar.  Days are counted from 0000-03-01 in eras of 400 years (146,097
 * days, a whole number of weeks and leap cycles), with years that begin in
 * March so that a leap day is the last day of its year.
 */
static void civil_date(long long days, long long *year, unsigned int *month, unsigned int *day)
{
	long long z = days + 719468; /* 0000-03-01 .. 1970-01-01 */
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned int doe = (unsigned int)(z - era * 146097);
	unsigned int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned int mp = (5 * doy + 2) / 153; /* 0 = March */

	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = yoe + era * 400 + (*month <= 2);
}

/**
 * cnm_rfc3339() - @ts as Docker writes times: UTC, nanoseconds, a "Z".
 * @ts: the time
 * @out: "YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ"
 *
 * Computed here rather than with gmtime_r(): glibc's first gmtime_r() in a
 * process reads and parses /etc/localtime (tzset), seven system calls on
 * the path of every `run` and CNI ADD, for a zone UTC does not need.
 */
void cnm_rfc3339(const struct timespec *ts, char out[40])
{
	long long days = ts->tv_sec / 86400, secs = ts->tv_sec % 86400, year;
	unsigned int month, day;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_date(days, &year, &month, &day);
	snprintf(out, 40, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09uZ", year, month, day,
		 secs / 3600, secs / 60 % 60, secs % 60,
		 (unsigned int)(ts->tv_nsec % 1000000000));
}

/* A Go duration ("1h30m", "90s", "1.5h", "-10m"): 0 with @ns filled, or -EINVAL. */
static int parse_duration(const char *s, long long *ns)
{
	static const struct { const char *unit; long long ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000LL }, { "m", 60000000000LL }, { "h", 3600000000000LL },
	};
	bool neg = *s == '-';
	long long total = 0;

	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return -EINVAL;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		size_t u, best = 0, best_len = 0;

		if (end == s || *s == '-' || *s == '+' || v < 0)
			return -EINVAL;
		s = end;
		for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
			size_t l = strlen(units[u].unit);

			if (!strncmp(s, units[u].unit, l) && l > best_len) {
				best = u;
				best_len = l;
			}
		}
		if (!best_len || v * (double)units[best].ns > 9.2e18)
			return -EINVAL;
		total += (long long)(v * (double)units[best].ns);
		s += best_len;
	}
	*ns = neg ? -total : total;
	return 0;
}

/**
 * cnm_parse_until() - Docker's `until=` filter value as a time.
 * @s: a Go duration before @now ("24h", "1h30m"), Unix seconds ("1700000000.5"),
 *     or a date "2006-01-02", "2006-01-02T15:04:05[.frac]" with "Z" or "+07:00"
 *     (local time without a zone, as Docker)
 * @now: the present, seconds since the epoch
 * @out_ns: the time, nanoseconds since the epoch
 *
 * Return: 0, or -EINVAL when @s is none of these.
 */
int cnm_parse_until(const char *s, time_t now, long long *out_ns)
{
	struct tm tm = { 0 };
	long long frac = 0, d;
	const char *p;
	int zone = 0;
	bool utc = false;

	if (!parse_duration(s, &d)) {
		*out_ns = (long long)now * 1000000000LL - d;
		return 0;
	}
	if (*s && strspn(s, "0123456789") == strcspn(s, ".")) { /* Unix seconds */
		char *end;
		long long sec = strtoll(s, &end, 10);

		if (*end == '.') {
			size_t digits = strspn(end + 1, "0123456789");

			if (!digits || digits > 9 || end[1 + digits])
				return -EINVAL;
			frac = strtoll(end + 1, NULL, 10);
			for (size_t i = digits; i < 9; i++)
				frac *= 10;
		} else if (*end) {
			return -EINVAL;
		}
		*out_ns = sec * 1000000000LL + frac;
		return 0;
	}
	p = strptime(s, "%Y-%m-%d", &tm);
	if (!p)
		return -EINVAL;
	if (*p == 'T') {
		p = strptime(p + 1, "%H:%M:%S", &tm);
		if (!p)
			return -EINVAL;
		if (*p == '.') {
			size_t digits = strspn(p + 1, "0123456789");

			if (!digits || digits > 9)
				return -EINVAL;
			for (size_t i = 0; i < 9; i++)
				frac = frac * 10 + (i < digits ? p[1 + i] - '0' : 0);
			p += 1 + digits;
		}
	}
	if (*p == 'Z') {
		utc = true;
		p++;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int hh = (p[1] - '0') * 10 + (p[2] - '0'), mm = (p[4] - '0') * 10 + (p[5] - '0');

		if (strspn(p + 1, "0123456789") != 2 || strspn(p + 4, "0123456789") != 2)
			return -EINVAL;
		zone = (*p == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
		utc = true;
		p += 6;
	}
	if (*p)
		return -EINVAL;
	tm.tm_isdst = -1;
	*out_ns = ((long long)(utc ? timegm(&tm) - zone : mktime(&tm))) * 1000000000LL + frac;
	return 0;
}

void cnm_now_rfc3339(char out[40])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	cnm_rfc3339(&ts, out);
}

int cnm_write_file(const char *path, const char *data, size_t len, struct cnm_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t w;

	if (fd < 0)
		return cnm_errf(err, errno, "cannot create %s: %s", path, strerror(errno));
	w = write(fd, data, len);
	if (w != (ssize_t)len) {
		int e = w < 0 ? errno : EIO;

		close(fd);
		return cnm_errf(err, e, "cannot write %s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

int cnm_mkdir_p(const char *path, int mode, struct cnm_err *err)
{
	char tmp[4096];
	size_t len = strlen(path);

	if (len >= sizeof(tmp))
		return cnm_errf(err, ENAMETOOLONG, "path too long: %s", path);
	/* nearly always there already: one call, not one per component */
	if (!mkdir(path, mode) || errno == EEXIST)
		return 0;
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) && errno != EEXIST)
			return cnm_errf(err, errno, "cannot create directory %s: %s", tmp,
					strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return cnm_errf(err, errno, "cannot create directory %s: %s", tmp, strerror(errno));
	return 0;
}

/* Only ever used on cnm's own per-container run directories: flat, small. */
int cnm_rm_rf(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	return rmdir(path) && errno != ENOENT ? -errno : 0;
}

char *cnm_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/**
 * cnm_proc_start_time() - a process's start time in clock ticks since boot.
 * @pid: the process
 *
 * A pid plus its start time names one process for good: pids are reused,
 * start times of a reused pid differ.
 *
 * Return: the start time, or 0 when the process does not exist.
 */
unsigned long long cnm_proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long start = 0;
	ssize_t n;
	char *p;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields restart after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* field 3 (state) follows; start time is field 22 */
	if (p[2] == 'Z' || p[2] == 'X')
		return 0;
	for (int field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

/**
 * cnm_json_empty_object() - is @s absent or the text of an empty JSON object?
 * @s: JSON text from the store, or NULL
 *
 * Options, labels and auxiliary addresses are "{}" on most networks; the
 * attach path asks this before parsing, because jansson's first parse in a
 * process costs its code's page faults and a read of /dev/urandom for its
 * hash seed (~20 us of a connect).
 */
bool cnm_json_empty_object(const char *s)
{
	if (!s)
		return true;
	s += strspn(s, " \t\r\n");
	if (*s++ != '{')
		return false;
	s += strspn(s, " \t\r\n");
	if (*s++ != '}')
		return false;
	return s[strspn(s, " \t\r\n")] == '\0';
}

bool cnm_is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/**
 * cnm_mac_parse() - "xx:xx:xx:xx:xx:xx" (either case) into six bytes.
 * Return: 0, or -EINVAL for anything else.
 */
int cnm_mac_parse(const char *s, uint8_t mac[6])
{
	/* exactly "xx:xx:xx:xx:xx:xx": sscanf's %x would take signs and spaces */
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[i * 3]), lo = hi < 0 ? -1 : hexval(s[i * 3 + 1]);

		if (lo < 0 || s[i * 3 + 2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
