/* RFC 5322 3.3 date-time with the obsolete forms of 4.3: parser, printer
 * and conversions to and from the Unix epoch. */
#include "lex.h"

#include <stdio.h>
#include <string.h>

struct dp {
	struct mime_lex l;
	struct mime_defects *df;
	size_t *errpos;
	unsigned flags;
};

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int fail(struct dp *p, size_t pos)
{
	if (p->errpos)
		*p->errpos = pos;
	return -2;
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int ieq(const char *s, size_t n, const char *w)
{
	size_t i = 0;
	for (; i < n && w[i]; i++)
		if (mime_ascii_lower((unsigned char)s[i]) != mime_ascii_lower((unsigned char)w[i]))
			return 0;
	return i == n && w[i] == '\0';
}

/* What the RFC 5322 3.3 grammar allows at a point; anything more is the
 * obsolete syntax of 4.3. */
enum { OBS, FWS, CFWS };

static int skip(struct dp *p, int modern)
{
	size_t start = p->l.pos;
	if (mime_lex_cfws(&p->l) < 0)
		return fail(p, p->l.pos);
	if (p->l.pos == start)
		return 0;
	if (modern == OBS || (modern == FWS && memchr(p->l.s + start, '(', p->l.pos - start)))
		p->flags |= MIME_DATE_OBS_CFWS;
	return 0;
}

/* A run of ASCII digits: *count of them, *val (saturated at 99999). */
static void digits(struct dp *p, int *val, size_t *count)
{
	*val = 0;
	*count = 0;
	while (is_digit(mime_lex_peek(&p->l))) {
		if (*val < 99999)
			*val = *val * 10 + (p->l.s[p->l.pos] - '0');
		p->l.pos++;
		(*count)++;
	}
}

static size_t alpha(struct dp *p)
{
	size_t start = p->l.pos;
	while (is_alpha(mime_lex_peek(&p->l)))
		p->l.pos++;
	return p->l.pos - start;
}

static int lookup(const char *s, size_t n, const char (*names)[4], int count)
{
	for (int i = 0; i < count; i++)
		if (ieq(s, n, names[i]))
			return i;
	return -1;
}

/* [ day-of-week "," ] */
static int weekday(struct dp *p, int *wd)
{
	size_t at = p->l.pos, n = alpha(p);
	*wd = -1;
	if (n == 0)
		return 0;
	*wd = lookup(p->l.s + at, n, days, 7);
	if (*wd < 0)
		return fail(p, at);
	if (skip(p, OBS))
		return -2;
	if (mime_lex_peek(&p->l) == ',')
		p->l.pos++;
	else
		mime_defect(p->df, MIME_D_DATE, p->l.pos, "date: no comma after the day name");
	return skip(p, FWS);
}

/* RFC 5322 4.3: a 2-digit year is 20xx below 50, else 19xx; a 3-digit
 * year is added to 1900. */
static int year(struct dp *p, int *y)
{
	size_t at = p->l.pos, count;
	digits(p, y, &count);
	if (count < 2 || *y > 9999)
		return fail(p, at);
	if (count == 2) {
		*y += *y < 50 ? 2000 : 1900;
		p->flags |= MIME_DATE_YEAR2;
	} else if (count == 3) {
		*y += 1900;
		p->flags |= MIME_DATE_YEAR3;
	} else if (*y < 1900) {
		mime_defect(p->df, MIME_D_DATE, at, "date: year before 1900");
	}
	return 0;
}

/* day month year */
static int date(struct dp *p, struct mime_date *d, size_t *daypos)
{
	size_t count;
	*daypos = p->l.pos;
	digits(p, &d->day, &count);
	if (count < 1 || count > 2)
		return fail(p, *daypos);
	if (skip(p, FWS))
		return -2;
	size_t at = p->l.pos, n = alpha(p);
	d->month = lookup(p->l.s + at, n, months, 12) + 1;
	if (d->month == 0)
		return fail(p, at);
	if (skip(p, FWS))
		return -2;
	if (year(p, &d->year))
		return -2;
	return skip(p, FWS);
}

static int two_digits(struct dp *p, int *v, int max)
{
	size_t at = p->l.pos, count;
	digits(p, v, &count);
	if (count != 2 || *v > max)
		return fail(p, at);
	return 0;
}

/* hour ":" minute [ ":" second ], each with optional CFWS around (4.3). */
static int time_of_day(struct dp *p, struct mime_date *d)
{
	size_t at = p->l.pos, count;
	digits(p, &d->hour, &count);
	if (count < 1 || count > 2 || d->hour > 23)
		return fail(p, at);
	if (count == 1)
		mime_defect(p->df, MIME_D_DATE, at, "date: one-digit hour");
	if (skip(p, OBS))
		return -2;
	if (mime_lex_peek(&p->l) != ':')
		return fail(p, p->l.pos);
	p->l.pos++;
	if (skip(p, OBS) || two_digits(p, &d->min, 59))
		return -2;
	size_t before = p->l.pos;
	if (skip(p, FWS))
		return -2;
	d->sec = 0;
	if (mime_lex_peek(&p->l) != ':') {
		p->flags |= MIME_DATE_NO_SECONDS;
		return 0;
	}
	if (p->l.pos > before)
		p->flags |= MIME_DATE_OBS_CFWS;
	p->l.pos++;
	if (skip(p, OBS) || two_digits(p, &d->sec, 60))
		return -2;
	return skip(p, FWS);
}

/* RFC 5322 4.3 obs-zone. Military letters and unknown names are read as
 * -0000 (their meaning is not reliably known). */
static void zone_name(struct dp *p, const char *s, size_t n, struct mime_date *d)
{
	static const struct { char name[4]; int off; } z[] = {
		{"UT", 0}, {"GMT", 0}, {"EST", -300}, {"EDT", -240}, {"CST", -360},
		{"CDT", -300}, {"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420},
	};
	d->zone = 0;
	for (size_t i = 0; i < sizeof z / sizeof z[0]; i++)
		if (ieq(s, n, z[i].name)) {
			d->zone = z[i].off;
			p->flags |= MIME_DATE_NAMED_ZONE;
			return;
		}
	p->flags |= MIME_DATE_LOCAL;
	if (n == 1) {
		p->flags |= MIME_DATE_MILITARY;
		return;
	}
	p->flags |= MIME_DATE_UNKNOWN_ZONE;
	mime_defect(p->df, MIME_D_DATE, (uint64_t)(s - p->l.s), "date: unknown time zone name, read as -0000");
}

static int zone(struct dp *p, struct mime_date *d)
{
	size_t at = p->l.pos;
	int c = mime_lex_peek(&p->l);
	if (c == '+' || c == '-') {
		int v;
		size_t count;
		p->l.pos++;
		digits(p, &v, &count);
		if (count != 4 || v % 100 > 59)
			return fail(p, at);
		d->zone = (v / 100) * 60 + v % 100;
		if (c == '-')
			d->zone = -d->zone;
		if (c == '-' && v == 0)
			p->flags |= MIME_DATE_LOCAL; /* RFC 5322 3.3: -0000 */
		return 0;
	}
	size_t n = alpha(p);
	if (n == 1 && mime_ascii_lower((unsigned char)p->l.s[at]) == 'j')
		return fail(p, at); /* 4.3: military zones skip "J" */
	if (n >= 1 && n <= 5) {
		zone_name(p, p->l.s + at, n, d);
		return 0;
	}
	if (n == 0 && mime_lex_eof(&p->l)) {
		d->zone = 0;
		p->flags |= MIME_DATE_NO_ZONE | MIME_DATE_LOCAL;
		mime_defect(p->df, MIME_D_DATE, at, "date: no time zone, read as -0000");
		return 0;
	}
	return fail(p, at);
}

/* After the zone: CFWS, or (tolerated) a zone name such as "+0200 CEST". */
static int trailer(struct dp *p, int numeric)
{
	if (skip(p, CFWS))
		return -2;
	if (mime_lex_eof(&p->l))
		return 0;
	size_t at = p->l.pos, n = alpha(p);
	if (!numeric || n == 0 || n > 5 || skip(p, CFWS) || !mime_lex_eof(&p->l))
		return fail(p, at);
	mime_defect(p->df, MIME_D_DATE, at, "date: zone name after the numeric zone (ignored)");
	return 0;
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

int mime_date_weekday(int y, int m, int d)
{
	/* Sakamoto's method, Gregorian calendar */
	static const int t[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
	if (m < 3)
		y--;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

enum mime_status mime_date_parse(const char *v, size_t n, struct mime_date *d, size_t *errpos,
		    struct mime_defects *df)
{
	struct dp p = {.df = df, .errpos = errpos};
	size_t daypos;
	memset(d, 0, sizeof *d);
	mime_lex_init(&p.l, v, n);
	if (skip(&p, FWS) || weekday(&p, &d->weekday) || date(&p, d, &daypos) ||
	    time_of_day(&p, d))
		return -2;
	if (skip(&p, FWS))
		return -2;
	int numeric = mime_lex_peek(&p.l) == '+' || mime_lex_peek(&p.l) == '-';
	if (zone(&p, d) || trailer(&p, numeric))
		return -2;
	if (d->day < 1 || d->day > days_in_month(d->year, d->month))
		return fail(&p, daypos);
	if (d->weekday >= 0 && d->weekday != mime_date_weekday(d->year, d->month, d->day)) {
		p.flags |= MIME_DATE_BAD_WEEKDAY;
		mime_defect(df, MIME_D_DATE, 0, "date: the day of the week does not match the date");
	}
	d->flags = p.flags;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t mime_date_to_unix(const struct mime_date *d)
{
	int64_t days = days_from_civil(d->year, d->month, d->day);
	return days * 86400 + d->hour * 3600 + d->min * 60 + d->sec - (int64_t)d->zone * 60;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

enum mime_status mime_date_from_unix(int64_t t, int zone, struct mime_date *d)
{
	/* 0000-01-01 .. 9999-12-31, with a day of margin for the zone */
	if (zone < -1439 || zone > 1439 || t < -62167219200 - 86400 || t > 253402300799 + 86400)
		return -2;
	int64_t local = t + (int64_t)zone * 60;
	int64_t z = floor_div(local, 86400), secs = local - z * 86400;
	z += 719468;
	int64_t era = floor_div(z, 146097), doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	int64_t y = yoe + era * 400 + (m <= 2);
	if (y < 0 || y > 9999)
		return -2;
	memset(d, 0, sizeof *d);
	d->year = (int)y;
	d->month = m;
	d->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d->hour = (int)(secs / 3600);
	d->min = (int)(secs / 60 % 60);
	d->sec = (int)(secs % 60);
	d->zone = zone;
	d->weekday = mime_date_weekday(d->year, d->month, d->day);
	return 0;
}

static int valid(const struct mime_date *d)
{
	return d->year >= 0 && d->year <= 9999 && d->month >= 1 && d->month <= 12 &&
	       d->day >= 1 && d->day <= days_in_month(d->year, d->month) && d->hour >= 0 &&
	       d->hour <= 23 && d->min >= 0 && d->min <= 59 && d->sec >= 0 && d->sec <= 60 &&
	       d->zone > -100 * 60 && d->zone < 100 * 60;
}

enum mime_status mime_date_print(const struct mime_date *d, struct mime_buf *out)
{
	if (!valid(d))
		return -2;
	char s[64];
	int z = d->zone < 0 ? -d->zone : d->zone;
	int minus = d->zone < 0 || (d->zone == 0 && (d->flags & MIME_DATE_LOCAL));
	int len = snprintf(s, sizeof s, "%s, %d %s %04d %02d:%02d:%02d %c%02d%02d",
			   days[mime_date_weekday(d->year, d->month, d->day)], d->day,
			   months[d->month - 1], d->year, d->hour, d->min, d->sec,
			   minus ? '-' : '+', z / 60, z % 60);
	if (len < 0 || (size_t)len >= sizeof s)
		return -2;
	return mime_buf_append(out, s, (size_t)len);
}
