/* ember lib/mime: dates (RFC 5322 3.3, obsolete forms of 4.3). Included
 * by mime.h; include mime.h instead. */
#ifndef EMBER_MIME_DATE_H
#define EMBER_MIME_DATE_H

#include <stddef.h>
#include <stdint.h>

struct mime_buf;
struct mime_defects;

/* Obsolete or unusual forms seen while parsing (struct mime_date.flags). */
#define MIME_DATE_YEAR2        0x001u /* two-digit year (RFC 5322 4.3) */
#define MIME_DATE_YEAR3        0x002u /* three-digit year (+1900) */
#define MIME_DATE_NAMED_ZONE   0x004u /* UT, GMT, EST ... PDT */
#define MIME_DATE_MILITARY     0x008u /* one-letter military zone */
#define MIME_DATE_UNKNOWN_ZONE 0x010u /* another alphabetic zone name */
#define MIME_DATE_NO_ZONE      0x020u /* no zone at all (tolerated, defect) */
#define MIME_DATE_NO_SECONDS   0x040u /* hh:mm without seconds */
#define MIME_DATE_LOCAL        0x080u /* the time is local, offset unknown:
					 "-0000", and every zone that 4.3 says
					 to read as -0000 (military, unknown,
					 absent) */
#define MIME_DATE_OBS_CFWS     0x100u /* comments or white space where only
					 the obsolete syntax allows them */
#define MIME_DATE_BAD_WEEKDAY  0x200u /* the day name does not match the date */

struct mime_date {
	int year, month, day;  /* month 1..12, day 1..31 */
	int hour, min, sec;    /* sec 0..60 (60: a leap second) */
	int zone;              /* minutes east of UTC */
	int weekday;           /* as written: 0=Sun..6, -1 absent */
	unsigned flags;        /* MIME_DATE_* */
};

/* RFC 5322 3.3 + 4.3 date-time: obs-zone names and military letters (the
 * letters read as -0000, 4.3), 2-digit years (< 50: 20xx, else 19xx),
 * 3-digit years (+1900), missing seconds, CFWS and comments anywhere.
 * Validated: month, day in month (leap years), hour, minute, second, zone
 * minutes; years 0..9999. A weekday that does not match is a defect, not
 * an error. MIME_OK, or MIME_EINVAL with *errpos (may be NULL) set to the byte offset of
 * the problem. df may be NULL. */
enum mime_status mime_date_parse(const char *v, size_t n, struct mime_date *d, size_t *errpos,
		    struct mime_defects *df);
/* Seconds since the epoch, UTC (a leap second counts as the next second). */
int64_t mime_date_to_unix(const struct mime_date *d);
/* The date in the given zone (minutes east of UTC, -1439..1439); weekday
 * set, flags 0. MIME_OK, or MIME_EINVAL when out of range (years 0..9999). */
enum mime_status mime_date_from_unix(int64_t t, int zone, struct mime_date *d);
/* RFC 5322 3.3 canonical form, appended: "Tue, 1 Jul 2003 10:52:37 +0200"
 * (the weekday computed from the date, no leading zero on the day, 4-digit
 * year, seconds; "-0000" when MIME_DATE_LOCAL is set and zone is 0). MIME_OK, MIME_ENOMEM
 * or MIME_EINVAL when a field is out of range. */
enum mime_status mime_date_print(const struct mime_date *d, struct mime_buf *out);
/* The day of the week of a valid date, 0=Sun..6. */
int mime_date_weekday(int year, int month, int day);

#endif
