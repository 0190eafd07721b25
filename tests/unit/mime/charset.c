/* Charsets to UTF-8: names, every family with exact code points, malformed
 * UTF-8/16/32 with exact U+FFFD counts, streaming equivalence. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "mime.h"

/* charset-tables.c */
extern const char *const mime_charset_alias_names[];
extern const size_t mime_charset_alias_count;

struct sb_case {
	const char *name;
	const char *utf8;   /* expected output for SAMPLE */
	int defects;
};
struct alias_case {
	const char *alias, *canonical;
};

/* The input of every sb_case: bytes picked across the upper half. */
static const unsigned char SAMPLE[] = {0x80, 0x81, 0x8A, 0x8D, 0x90, 0x9F, 0xA0, 0xA1, 0xA4,
	0xAA, 0xAF, 0xB5, 0xBF, 0xC0, 0xD0, 0xDB, 0xDE, 0xE9, 0xF0, 0xFC, 0xFF};

/* generated at test-writing time with /usr/bin/python3's codecs */
static const struct sb_case sb_cases[] = {
	{"iso-8859-1", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xc2\xa1\xc2\xa4\xc2\xaa\xc2\xaf\xc2\xb5\xc2\xbf\xc3\x80\xc3\x90\xc3\x9b\xc3\x9e\xc3\xa9\xc3\xb0\xc3\xbc\xc3\xbf", 0},
	{"iso-8859-2", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xc4\x84\xc2\xa4\xc5\x9e\xc5\xbb\xc4\xbe\xc5\xbc\xc5\x94\xc4\x90\xc5\xb0\xc5\xa2\xc3\xa9\xc4\x91\xc3\xbc\xcb\x99", 0},
	{"iso-8859-3", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xc4\xa6\xc2\xa4\xc5\x9e\xc5\xbb\xc2\xb5\xc5\xbc\xc3\x80\xef\xbf\xbd\xc3\x9b\xc5\x9c\xc3\xa9\xef\xbf\xbd\xc3\xbc\xcb\x99", 2},
	{"iso-8859-4", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xc4\x84\xc2\xa4\xc4\x92\xc2\xaf\xc4\xa9\xc5\x8b\xc4\x80\xc4\x90\xc3\x9b\xc5\xaa\xc3\xa9\xc4\x91\xc3\xbc\xcb\x99", 0},
	{"iso-8859-5", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xd0\x81\xd0\x84\xd0\x8a\xd0\x8f\xd0\x95\xd0\x9f\xd0\xa0\xd0\xb0\xd0\xbb\xd0\xbe\xd1\x89\xe2\x84\x96\xd1\x9c\xd1\x9f", 0},
	{"iso-8859-6", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xef\xbf\xbd\xc2\xa4\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xd8\x9f\xef\xbf\xbd\xd8\xb0\xef\xbf\xbd\xef\xbf\xbd\xd9\x89\xd9\x90\xef\xbf\xbd\xef\xbf\xbd", 9},
	{"iso-8859-7", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xe2\x80\x98\xe2\x82\xac\xcd\xba\xe2\x80\x95\xce\x85\xce\x8f\xce\x90\xce\xa0\xce\xab\xce\xae\xce\xb9\xcf\x80\xcf\x8c\xef\xbf\xbd", 1},
	{"iso-8859-8", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xef\xbf\xbd\xc2\xa4\xc3\x97\xc2\xaf\xc2\xb5\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xd7\x99\xd7\xa0\xef\xbf\xbd\xef\xbf\xbd", 8},
	{"iso-8859-9", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xc2\xa1\xc2\xa4\xc2\xaa\xc2\xaf\xc2\xb5\xc2\xbf\xc3\x80\xc4\x9e\xc3\x9b\xc5\x9e\xc3\xa9\xc4\x9f\xc3\xbc\xc3\xbf", 0},
	{"iso-8859-10", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xc4\x84\xc4\xaa\xc5\xa0\xc5\x8a\xc4\xa9\xc5\x8b\xc4\x80\xc3\x90\xc3\x9b\xc3\x9e\xc3\xa9\xc3\xb0\xc3\xbc\xc4\xb8", 0},
	{"iso-8859-11", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xe0\xb8\x81\xe0\xb8\x84\xe0\xb8\x8a\xe0\xb8\x8f\xe0\xb8\x95\xe0\xb8\x9f\xe0\xb8\xa0\xe0\xb8\xb0\xef\xbf\xbd\xef\xbf\xbd\xe0\xb9\x89\xe0\xb9\x90\xef\xbf\xbd\xef\xbf\xbd", 4},
	{"iso-8859-13", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xe2\x80\x9d\xc2\xa4\xc5\x96\xc3\x86\xc2\xb5\xc3\xa6\xc4\x84\xc5\xa0\xc5\xaa\xc5\xbd\xc3\xa9\xc5\xa1\xc3\xbc\xe2\x80\x99", 0},
	{"iso-8859-14", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xe1\xb8\x82\xc4\x8a\xe1\xba\x82\xc5\xb8\xe1\xb9\x81\xe1\xb9\xa1\xc3\x80\xc5\xb4\xc3\x9b\xc5\xb6\xc3\xa9\xc5\xb5\xc3\xbc\xc3\xbf", 0},
	{"iso-8859-15", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xc2\xa1\xe2\x82\xac\xc2\xaa\xc2\xaf\xc2\xb5\xc2\xbf\xc3\x80\xc3\x90\xc3\x9b\xc3\x9e\xc3\xa9\xc3\xb0\xc3\xbc\xc3\xbf", 0},
	{"iso-8859-16", "\xc2\x80\xc2\x81\xc2\x8a\xc2\x8d\xc2\x90\xc2\x9f\xc2\xa0\xc4\x84\xe2\x82\xac\xc8\x98\xc5\xbb\xe2\x80\x9d\xc5\xbc\xc3\x80\xc4\x90\xc3\x9b\xc8\x9a\xc3\xa9\xc4\x91\xc3\xbc\xc3\xbf", 0},
	{"windows-1250", "\xe2\x82\xac\xef\xbf\xbd\xc5\xa0\xc5\xa4\xef\xbf\xbd\xc5\xba\xc2\xa0\xcb\x87\xc2\xa4\xc5\x9e\xc5\xbb\xc2\xb5\xc5\xbc\xc5\x94\xc4\x90\xc5\xb0\xc5\xa2\xc3\xa9\xc4\x91\xc3\xbc\xcb\x99", 2},
	{"windows-1251", "\xd0\x82\xd0\x83\xd0\x89\xd0\x8c\xd1\x92\xd1\x9f\xc2\xa0\xd0\x8e\xc2\xa4\xd0\x84\xd0\x87\xc2\xb5\xd1\x97\xd0\x90\xd0\xa0\xd0\xab\xd0\xae\xd0\xb9\xd1\x80\xd1\x8c\xd1\x8f", 0},
	{"windows-1252", "\xe2\x82\xac\xef\xbf\xbd\xc5\xa0\xef\xbf\xbd\xef\xbf\xbd\xc5\xb8\xc2\xa0\xc2\xa1\xc2\xa4\xc2\xaa\xc2\xaf\xc2\xb5\xc2\xbf\xc3\x80\xc3\x90\xc3\x9b\xc3\x9e\xc3\xa9\xc3\xb0\xc3\xbc\xc3\xbf", 3},
	{"windows-1253", "\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xc2\xa0\xce\x85\xc2\xa4\xef\xbf\xbd\xe2\x80\x95\xc2\xb5\xce\x8f\xce\x90\xce\xa0\xce\xab\xce\xae\xce\xb9\xcf\x80\xcf\x8c\xef\xbf\xbd", 7},
	{"windows-1254", "\xe2\x82\xac\xef\xbf\xbd\xc5\xa0\xef\xbf\xbd\xef\xbf\xbd\xc5\xb8\xc2\xa0\xc2\xa1\xc2\xa4\xc2\xaa\xc2\xaf\xc2\xb5\xc2\xbf\xc3\x80\xc4\x9e\xc3\x9b\xc5\x9e\xc3\xa9\xc4\x9f\xc3\xbc\xc3\xbf", 3},
	{"windows-1255", "\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xc2\xa0\xc2\xa1\xe2\x82\xaa\xc3\x97\xc2\xaf\xc2\xb5\xc2\xbf\xd6\xb0\xd7\x80\xef\xbf\xbd\xef\xbf\xbd\xd7\x99\xd7\xa0\xef\xbf\xbd\xef\xbf\xbd", 9},
	{"windows-1256", "\xe2\x82\xac\xd9\xbe\xd9\xb9\xda\x86\xda\xaf\xda\xba\xc2\xa0\xd8\x8c\xc2\xa4\xda\xbe\xc2\xaf\xc2\xb5\xd8\x9f\xdb\x81\xd8\xb0\xd8\xba\xd9\x82\xc3\xa9\xd9\x8b\xc3\xbc\xdb\x92", 0},
	{"windows-1257", "\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd\xc2\xa8\xef\xbf\xbd\xef\xbf\xbd\xc2\xa0\xef\xbf\xbd\xc2\xa4\xc5\x96\xc3\x86\xc2\xb5\xc3\xa6\xc4\x84\xc5\xa0\xc5\xaa\xc5\xbd\xc3\xa9\xc5\xa1\xc3\xbc\xcb\x99", 5},
	{"windows-1258", "\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xc5\xb8\xc2\xa0\xc2\xa1\xc2\xa4\xc2\xaa\xc2\xaf\xc2\xb5\xc2\xbf\xc3\x80\xc4\x90\xc3\x9b\xcc\x83\xc3\xa9\xc4\x91\xc3\xbc\xc3\xbf", 4},
	{"koi8-r", "\xe2\x94\x80\xe2\x94\x82\xe2\x94\xbc\xe2\x96\x88\xe2\x96\x91\xc3\xb7\xe2\x95\x90\xe2\x95\x91\xe2\x95\x93\xe2\x95\x99\xe2\x95\x9e\xe2\x95\xa3\xc2\xa9\xd1\x8e\xd0\xbf\xd1\x88\xd1\x87\xd0\x98\xd0\x9f\xd0\xad\xd0\xaa", 0},
	{"koi8-u", "\xe2\x94\x80\xe2\x94\x82\xe2\x94\xbc\xe2\x96\x88\xe2\x96\x91\xc3\xb7\xe2\x95\x90\xe2\x95\x91\xd1\x94\xe2\x95\x99\xe2\x95\x9e\xe2\x95\xa3\xc2\xa9\xd1\x8e\xd0\xbf\xd1\x88\xd1\x87\xd0\x98\xd0\x9f\xd0\xad\xd0\xaa", 0},
};
static const struct alias_case alias_cases[] = {
	{"iso-8859-1", "iso-8859-1"},
	{"iso_8859-1:1987", "iso-8859-1"},
	{"iso-ir-100", "iso-8859-1"},
	{"iso_8859-1", "iso-8859-1"},
	{"latin1", "iso-8859-1"},
	{"l1", "iso-8859-1"},
	{"ibm819", "iso-8859-1"},
	{"cp819", "iso-8859-1"},
	{"csisolatin1", "iso-8859-1"},
	{"iso8859-1", "iso-8859-1"},
	{"iso8859_1", "iso-8859-1"},
	{"iso88591", "iso-8859-1"},
	{"latin-1", "iso-8859-1"},
	{"iso-8859-2", "iso-8859-2"},
	{"iso_8859-2:1987", "iso-8859-2"},
	{"iso-ir-101", "iso-8859-2"},
	{"iso_8859-2", "iso-8859-2"},
	{"latin2", "iso-8859-2"},
	{"l2", "iso-8859-2"},
	{"csisolatin2", "iso-8859-2"},
	{"iso8859-2", "iso-8859-2"},
	{"iso8859_2", "iso-8859-2"},
	{"iso88592", "iso-8859-2"},
	{"latin-2", "iso-8859-2"},
	{"iso-8859-3", "iso-8859-3"},
	{"iso_8859-3:1988", "iso-8859-3"},
	{"iso-ir-109", "iso-8859-3"},
	{"iso_8859-3", "iso-8859-3"},
	{"latin3", "iso-8859-3"},
	{"l3", "iso-8859-3"},
	{"csisolatin3", "iso-8859-3"},
	{"iso8859-3", "iso-8859-3"},
	{"iso8859_3", "iso-8859-3"},
	{"iso88593", "iso-8859-3"},
	{"iso-8859-4", "iso-8859-4"},
	{"iso_8859-4:1988", "iso-8859-4"},
	{"iso-ir-110", "iso-8859-4"},
	{"iso_8859-4", "iso-8859-4"},
	{"latin4", "iso-8859-4"},
	{"l4", "iso-8859-4"},
	{"csisolatin4", "iso-8859-4"},
	{"iso8859-4", "iso-8859-4"},
	{"iso8859_4", "iso-8859-4"},
	{"iso88594", "iso-8859-4"},
	{"iso-8859-5", "iso-8859-5"},
	{"iso_8859-5:1988", "iso-8859-5"},
	{"iso-ir-144", "iso-8859-5"},
	{"iso_8859-5", "iso-8859-5"},
	{"cyrillic", "iso-8859-5"},
	{"csisolatincyrillic", "iso-8859-5"},
	{"iso8859-5", "iso-8859-5"},
	{"iso8859_5", "iso-8859-5"},
	{"iso88595", "iso-8859-5"},
	{"iso-8859-6", "iso-8859-6"},
	{"iso_8859-6:1987", "iso-8859-6"},
	{"iso-ir-127", "iso-8859-6"},
	{"iso_8859-6", "iso-8859-6"},
	{"ecma-114", "iso-8859-6"},
	{"asmo-708", "iso-8859-6"},
	{"arabic", "iso-8859-6"},
	{"csisolatinarabic", "iso-8859-6"},
	{"iso-8859-6-i", "iso-8859-6"},
	{"csiso88596i", "iso-8859-6"},
	{"iso-8859-6-e", "iso-8859-6"},
	{"csiso88596e", "iso-8859-6"},
	{"iso8859-6", "iso-8859-6"},
	{"iso8859_6", "iso-8859-6"},
	{"iso88596", "iso-8859-6"},
	{"iso-8859-7", "iso-8859-7"},
	{"iso_8859-7:1987", "iso-8859-7"},
	{"iso-ir-126", "iso-8859-7"},
	{"iso_8859-7", "iso-8859-7"},
	{"elot_928", "iso-8859-7"},
	{"ecma-118", "iso-8859-7"},
	{"greek", "iso-8859-7"},
	{"greek8", "iso-8859-7"},
	{"csisolatingreek", "iso-8859-7"},
	{"iso8859-7", "iso-8859-7"},
	{"iso8859_7", "iso-8859-7"},
	{"iso88597", "iso-8859-7"},
	{"iso-8859-8", "iso-8859-8"},
	{"iso_8859-8:1988", "iso-8859-8"},
	{"iso-ir-138", "iso-8859-8"},
	{"iso_8859-8", "iso-8859-8"},
	{"hebrew", "iso-8859-8"},
	{"csisolatinhebrew", "iso-8859-8"},
	{"iso-8859-8-i", "iso-8859-8"},
	{"csiso88598i", "iso-8859-8"},
	{"iso-8859-8-e", "iso-8859-8"},
	{"csiso88598e", "iso-8859-8"},
	{"iso8859-8", "iso-8859-8"},
	{"iso8859_8", "iso-8859-8"},
	{"iso88598", "iso-8859-8"},
	{"iso-8859-9", "iso-8859-9"},
	{"iso_8859-9:1989", "iso-8859-9"},
	{"iso-ir-148", "iso-8859-9"},
	{"iso_8859-9", "iso-8859-9"},
	{"latin5", "iso-8859-9"},
	{"l5", "iso-8859-9"},
	{"csisolatin5", "iso-8859-9"},
	{"iso8859-9", "iso-8859-9"},
	{"iso8859_9", "iso-8859-9"},
	{"iso88599", "iso-8859-9"},
	{"iso-8859-10", "iso-8859-10"},
	{"iso-ir-157", "iso-8859-10"},
	{"l6", "iso-8859-10"},
	{"iso_8859-10:1992", "iso-8859-10"},
	{"csisolatin6", "iso-8859-10"},
	{"latin6", "iso-8859-10"},
	{"iso_8859-10", "iso-8859-10"},
	{"iso8859-10", "iso-8859-10"},
	{"iso8859_10", "iso-8859-10"},
	{"iso885910", "iso-8859-10"},
	{"iso-8859-11", "iso-8859-11"},
	{"iso_8859-11", "iso-8859-11"},
	{"iso8859-11", "iso-8859-11"},
	{"iso8859_11", "iso-8859-11"},
	{"iso885911", "iso-8859-11"},
	{"iso-8859-13", "iso-8859-13"},
	{"csiso885913", "iso-8859-13"},
	{"iso_8859-13", "iso-8859-13"},
	{"iso8859-13", "iso-8859-13"},
	{"iso8859_13", "iso-8859-13"},
	{"iso885913", "iso-8859-13"},
	{"latin7", "iso-8859-13"},
	{"l7", "iso-8859-13"},
	{"iso-8859-14", "iso-8859-14"},
	{"iso-ir-199", "iso-8859-14"},
	{"iso_8859-14:1998", "iso-8859-14"},
	{"iso_8859-14", "iso-8859-14"},
	{"latin8", "iso-8859-14"},
	{"iso-celtic", "iso-8859-14"},
	{"l8", "iso-8859-14"},
	{"csiso885914", "iso-8859-14"},
	{"iso8859-14", "iso-8859-14"},
	{"iso8859_14", "iso-8859-14"},
	{"iso885914", "iso-8859-14"},
	{"iso-8859-15", "iso-8859-15"},
	{"iso_8859-15", "iso-8859-15"},
	{"latin-9", "iso-8859-15"},
	{"csiso885915", "iso-8859-15"},
	{"iso8859-15", "iso-8859-15"},
	{"iso8859_15", "iso-8859-15"},
	{"iso885915", "iso-8859-15"},
	{"latin9", "iso-8859-15"},
	{"l9", "iso-8859-15"},
	{"iso-8859-16", "iso-8859-16"},
	{"iso-ir-226", "iso-8859-16"},
	{"iso_8859-16:2001", "iso-8859-16"},
	{"iso_8859-16", "iso-8859-16"},
	{"latin10", "iso-8859-16"},
	{"l10", "iso-8859-16"},
	{"csiso885916", "iso-8859-16"},
	{"iso8859-16", "iso-8859-16"},
	{"iso8859_16", "iso-8859-16"},
	{"iso885916", "iso-8859-16"},
	{"windows-1250", "windows-1250"},
	{"cswindows1250", "windows-1250"},
	{"cp1250", "windows-1250"},
	{"x-cp1250", "windows-1250"},
	{"windows-1251", "windows-1251"},
	{"cswindows1251", "windows-1251"},
	{"cp1251", "windows-1251"},
	{"x-cp1251", "windows-1251"},
	{"windows-1252", "windows-1252"},
	{"cswindows1252", "windows-1252"},
	{"cp1252", "windows-1252"},
	{"x-cp1252", "windows-1252"},
	{"windows-1253", "windows-1253"},
	{"cswindows1253", "windows-1253"},
	{"cp1253", "windows-1253"},
	{"x-cp1253", "windows-1253"},
	{"windows-1254", "windows-1254"},
	{"cswindows1254", "windows-1254"},
	{"cp1254", "windows-1254"},
	{"x-cp1254", "windows-1254"},
	{"windows-1255", "windows-1255"},
	{"cswindows1255", "windows-1255"},
	{"cp1255", "windows-1255"},
	{"x-cp1255", "windows-1255"},
	{"windows-1256", "windows-1256"},
	{"cswindows1256", "windows-1256"},
	{"cp1256", "windows-1256"},
	{"x-cp1256", "windows-1256"},
	{"windows-1257", "windows-1257"},
	{"cswindows1257", "windows-1257"},
	{"cp1257", "windows-1257"},
	{"x-cp1257", "windows-1257"},
	{"windows-1258", "windows-1258"},
	{"cswindows1258", "windows-1258"},
	{"cp1258", "windows-1258"},
	{"x-cp1258", "windows-1258"},
	{"koi8-r", "koi8-r"},
	{"cskoi8r", "koi8-r"},
	{"koi8r", "koi8-r"},
	{"koi8_r", "koi8-r"},
	{"koi8-u", "koi8-u"},
	{"cskoi8u", "koi8-u"},
	{"koi8u", "koi8-u"},
	{"koi8_u", "koi8-u"},
	{"us-ascii", "us-ascii"},
	{"iso-ir-6", "us-ascii"},
	{"ansi_x3.4-1968", "us-ascii"},
	{"ansi_x3.4-1986", "us-ascii"},
	{"iso_646.irv:1991", "us-ascii"},
	{"iso646-us", "us-ascii"},
	{"us", "us-ascii"},
	{"ibm367", "us-ascii"},
	{"cp367", "us-ascii"},
	{"csascii", "us-ascii"},
	{"ascii", "us-ascii"},
	{"us_ascii", "us-ascii"},
	{"utf-8", "utf-8"},
	{"csutf8", "utf-8"},
	{"utf8", "utf-8"},
	{"utf_8", "utf-8"},
	{"unicode-1-1-utf-8", "utf-8"},
	{"utf-7", "utf-7"},
	{"csutf7", "utf-7"},
	{"utf7", "utf-7"},
	{"unicode-1-1-utf-7", "utf-7"},
	{"csunicode11utf7", "utf-7"},
	{"utf-16", "utf-16"},
	{"csutf16", "utf-16"},
	{"utf16", "utf-16"},
	{"utf-16be", "utf-16be"},
	{"csutf16be", "utf-16be"},
	{"utf16be", "utf-16be"},
	{"utf-16le", "utf-16le"},
	{"csutf16le", "utf-16le"},
	{"utf16le", "utf-16le"},
	{"utf-32", "utf-32"},
	{"csutf32", "utf-32"},
	{"utf32", "utf-32"},
	{"utf-32be", "utf-32be"},
	{"csutf32be", "utf-32be"},
	{"utf32be", "utf-32be"},
	{"utf-32le", "utf-32le"},
	{"csutf32le", "utf-32le"},
	{"utf32le", "utf-32le"},
};

/* ---- helpers ---------------------------------------------------------------- */

static int id_of(const char *name)
{
	int id = mime_charset_lookup(name, strlen(name));
	ck_assert_msg(id >= 0, "unknown %s", name);
	return id;
}

/* Whole-buffer conversion into a static buffer; defect count in *nd. */
static const char *conv(const char *cs, const void *in, size_t n, uint64_t *nd)
{
	static struct mime_buf b;
	struct mime_defects df = {0};
	mime_buf_reset(&b);
	ck_assert_int_eq(mime_charset_to_utf8(id_of(cs), in, n, &b, &df), 0);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_uint_eq(strlen(b.data), b.len);
	ck_assert(mime_utf8_valid(b.data, b.len));
	if (nd)
		*nd = df.count;
	return b.data;
}

#define CONV_EQ(cs, lit, want, ndef) do { \
	uint64_t nd_; \
	ck_assert_str_eq(conv(cs, lit, sizeof lit - 1, &nd_), want); \
	ck_assert_uint_eq(nd_, ndef); \
} while (0)

/* ---- names ------------------------------------------------------------------------ */

START_TEST(every_alias_resolves)
{
	char up[64];
	for (size_t i = 0; i < sizeof alias_cases / sizeof *alias_cases; i++) {
		const char *a = alias_cases[i].alias;
		int id = mime_charset_lookup(a, strlen(a));
		ck_assert_msg(id >= 0, "alias %s", a);
		ck_assert_str_eq(mime_charset_name(id), alias_cases[i].canonical);
		size_t n = strlen(a);
		for (size_t k = 0; k <= n; k++)
			up[k] = (char)(a[k] >= 'a' && a[k] <= 'z' ? a[k] - 32 : a[k]);
		ck_assert_int_eq(mime_charset_lookup(up, n), id);
	}
	ck_assert_uint_eq(sizeof alias_cases / sizeof *alias_cases, mime_charset_alias_count);
}
END_TEST

START_TEST(alias_table_sorted)
{
	for (size_t i = 1; i < mime_charset_alias_count; i++)
		ck_assert_int_lt(strcmp(mime_charset_alias_names[i - 1], mime_charset_alias_names[i]), 0);
}
END_TEST

START_TEST(lookup_examples)
{
	ck_assert_str_eq(mime_charset_name(id_of("ISO_8859-1:1987")), "iso-8859-1");
	ck_assert_str_eq(mime_charset_name(id_of("csISOLatin1")), "iso-8859-1");
	ck_assert_str_eq(mime_charset_name(id_of("ISO8859-1")), "iso-8859-1");
	ck_assert_str_eq(mime_charset_name(id_of("ANSI_X3.4-1968")), "us-ascii");
	ck_assert_str_eq(mime_charset_name(id_of("US")), "us-ascii");
	ck_assert_str_eq(mime_charset_name(id_of("CP1252")), "windows-1252");
	ck_assert_str_eq(mime_charset_name(id_of("Windows-1258")), "windows-1258");
	ck_assert_str_eq(mime_charset_name(id_of("UTF8")), "utf-8");
	ck_assert_str_eq(mime_charset_name(id_of("Latin-9")), "iso-8859-15");
	ck_assert_str_eq(mime_charset_name(id_of("KOI8-U")), "koi8-u");
	ck_assert_str_eq(mime_charset_name(id_of("UTF-16LE")), "utf-16le");
	ck_assert_str_eq(mime_charset_name(id_of("iso-8859-8-i")), "iso-8859-8");
	ck_assert_int_eq(id_of("utf-8"), MIME_CS_UTF_8);
	ck_assert_int_eq(id_of("utf-7"), MIME_CS_UTF_7);
	/* a name is taken from a longer buffer by its length */
	ck_assert_int_eq(mime_charset_lookup("utf-8; format=flowed", 5), MIME_CS_UTF_8);
}
END_TEST

START_TEST(lookup_rejects)
{
	static const char *const bad[] = {" utf-8", "utf-8 ", "\"utf-8\"", "utf-9",
		"iso-8859-12", "iso-8859-17", "windows-1249", "windows-1259", "x-unknown",
		"utf", "latin", "koi8", "iso-8859-1x",
		"iso-8859-1-iso-8859-1-iso-8859-1-iso-8859-1-iso-8859-1"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_int_eq(mime_charset_lookup(bad[i], strlen(bad[i])), -1);
	ck_assert_int_eq(mime_charset_lookup("utf-8\0", 6), -1);
	ck_assert_int_eq(mime_charset_lookup("", 0), -1);
	ck_assert_int_eq(mime_charset_lookup(NULL, 0), -1);
	ck_assert_ptr_null(mime_charset_name(-1));
	ck_assert_ptr_null(mime_charset_name(MIME_CS_COUNT));
}
END_TEST

START_TEST(canonical_names_round_trip)
{
	for (int id = 0; id < MIME_CS_COUNT; id++) {
		const char *n = mime_charset_name(id);
		ck_assert_ptr_nonnull(n);
		ck_assert_int_eq(mime_charset_lookup(n, strlen(n)), id);
	}
}
END_TEST

/* ---- single-byte charsets -------------------------------------------------------------- */

START_TEST(single_byte_tables_match_python)
{
	ck_assert_uint_eq(sizeof sb_cases / sizeof *sb_cases, MIME_CS_SB_COUNT);
	for (size_t i = 0; i < sizeof sb_cases / sizeof *sb_cases; i++) {
		uint64_t nd;
		const char *got = conv(sb_cases[i].name, SAMPLE, sizeof SAMPLE, &nd);
		ck_assert_msg(strcmp(got, sb_cases[i].utf8) == 0, "%s", sb_cases[i].name);
		ck_assert_uint_eq(nd, (uint64_t)sb_cases[i].defects);
	}
}
END_TEST

START_TEST(lower_half_is_ascii)
{
	unsigned char lo[128];
	for (int i = 0; i < 128; i++)
		lo[i] = (unsigned char)i;
	for (int id = MIME_CS_SB_FIRST; id < MIME_CS_COUNT; id++) {
		struct mime_buf b = {0};
		ck_assert_int_eq(mime_charset_to_utf8(id, lo, sizeof lo, &b, NULL), 0);
		ck_assert_uint_eq(b.len, 128);
		ck_assert_int_eq(memcmp(b.data, lo, 128), 0);
		mime_buf_free(&b);
	}
}
END_TEST

START_TEST(latin1_vs_windows1252)
{
	/* 0x80-0x9F: C1 controls in ISO-8859-1, punctuation in windows-1252 */
	CONV_EQ("iso-8859-1", "\x80\x93\x9f\xe9", "\xc2\x80\xc2\x93\xc2\x9f\xc3\xa9", 0);
	CONV_EQ("windows-1252", "\x80\x93\x9f\xe9", "\xe2\x82\xac\xe2\x80\x9c\xc5\xb8\xc3\xa9", 0);
	/* 0x81 0x8D 0x8F 0x90 0x9D have no mapping in windows-1252 */
	CONV_EQ("windows-1252", "a\x81z\x9d", "a\xef\xbf\xbdz\xef\xbf\xbd", 2);
	/* ISO-8859-15 replaces the currency sign by the euro */
	CONV_EQ("iso-8859-1", "\xa4", "\xc2\xa4", 0);
	CONV_EQ("iso-8859-15", "\xa4\xbc", "\xe2\x82\xac\xc5\x92", 0);
	CONV_EQ("iso-8859-2", "\xa1\xb1", "\xc4\x84\xc4\x85", 0);        /* Ą ą */
	CONV_EQ("iso-8859-5", "\xb0\xd0", "\xd0\x90\xd0\xb0", 0);        /* А а */
	CONV_EQ("iso-8859-7", "\xc1\xe1", "\xce\x91\xce\xb1", 0);        /* Α α */
	CONV_EQ("iso-8859-8", "\xe0\xfa", "\xd7\x90\xd7\xaa", 0);        /* א ת */
	CONV_EQ("windows-1251", "\xc0\xff", "\xd0\x90\xd1\x8f", 0);      /* А я */
	CONV_EQ("windows-1250", "\x8a\x9a", "\xc5\xa0\xc5\xa1", 0);      /* Š š */
}
END_TEST

START_TEST(koi8r_vs_koi8u)
{
	/* KOI8-U (RFC 2319) puts Ukrainian letters where KOI8-R (RFC 1489) has
	 * box drawing: 0xA4 є/╓, 0xA6 і/╕, 0xA7 ї/╖, 0xAD ґ/╜ */
	CONV_EQ("koi8-r", "\xa4\xa6\xa7\xad", "\xe2\x95\x93\xe2\x95\x95\xe2\x95\x96\xe2\x95\x9c", 0);
	CONV_EQ("koi8-u", "\xa4\xa6\xa7\xad", "\xd1\x94\xd1\x96\xd1\x97\xd2\x91", 0);
	/* shared: 0xC1 а, 0xE1 А, 0xFF Ъ */
	CONV_EQ("koi8-r", "\xc1\xe1\xff", "\xd0\xb0\xd0\x90\xd0\xaa", 0);
	CONV_EQ("koi8-u", "\xc1\xe1\xff", "\xd0\xb0\xd0\x90\xd0\xaa", 0);
}
END_TEST

START_TEST(us_ascii_8bit)
{
	struct mime_buf b = {0};
	struct mime_defects df = {0};
	ck_assert_int_eq(mime_charset_to_utf8(MIME_CS_US_ASCII, "a\x80" "b\xff" "c", 5, &b, &df), 0);
	ck_assert_str_eq(b.data, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c");
	ck_assert_uint_eq(df.count, 2);
	ck_assert_uint_eq(df.first_offset, 1);
	mime_buf_free(&b);
}
END_TEST

/* ---- UTF-8 -------------------------------------------------------------------------------- */

#define R "\xef\xbf\xbd" /* U+FFFD */

START_TEST(utf8_valid_passes)
{
	CONV_EQ("utf-8", "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xef\xbf\xbf",
		"a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xef\xbf\xbf", 0);
	CONV_EQ("utf-8", "", "", 0);
}
END_TEST

START_TEST(utf8_maximal_subparts)
{
	/* Unicode 3.9, table 3-8 */
	CONV_EQ("utf-8", "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
		"a" R R R "b" R "c" R R "d", 6);
	CONV_EQ("utf-8", "\xc0\x80", R R, 2);             /* overlong NUL */
	CONV_EQ("utf-8", "\xc1\xbf", R R, 2);             /* overlong DEL */
	CONV_EQ("utf-8", "\xe0\x80\x80", R R R, 3);       /* overlong, 3 bytes */
	CONV_EQ("utf-8", "\xe0\x9f\xbf", R R R, 3);
	CONV_EQ("utf-8", "\xf0\x80\x80\x80", R R R R, 4); /* overlong, 4 bytes */
	CONV_EQ("utf-8", "\xed\xa0\x80", R R R, 3);       /* surrogate D800 */
	CONV_EQ("utf-8", "\xed\xbf\xbf", R R R, 3);       /* surrogate DFFF */
	CONV_EQ("utf-8", "\xf4\x90\x80\x80", R R R R, 4); /* U+110000 */
	CONV_EQ("utf-8", "\xf5\x80\x80\x80", R R R R, 4);
	CONV_EQ("utf-8", "\xfe\xff", R R, 2);
	CONV_EQ("utf-8", "\x80", R, 1);                   /* lone continuation */
	CONV_EQ("utf-8", "\xe2\x82", R, 1);               /* truncated at the end */
	CONV_EQ("utf-8", "\xf0\x9f\x98", R, 1);
	CONV_EQ("utf-8", "\xc2", R, 1);
	CONV_EQ("utf-8", "\xe2\x82" "A", R "A", 1);       /* truncated before ASCII */
	CONV_EQ("utf-8", "\xe2\xc3\xa9", R "\xc3\xa9", 1);/* truncated before a lead */
	CONV_EQ("utf-8", "\xf0\x9f\x98\xf0\x9f\x98\x80", R "\xf0\x9f\x98\x80", 1);
}
END_TEST

START_TEST(utf8_defect_offsets)
{
	struct mime_buf b = {0};
	struct mime_defects df = {0};
	struct mime_charset_dec d;
	mime_charset_dec_init(&d, MIME_CS_UTF_8);
	ck_assert_int_eq(mime_charset_dec_feed(&d, "abc\xe2", 4, &b, &df), 0);
	ck_assert_uint_eq(df.count, 0);
	ck_assert_int_eq(mime_charset_dec_feed(&d, "\x82" "Z", 2, &b, &df), 0);
	ck_assert_uint_eq(df.count, 1);
	ck_assert_uint_eq(df.first_offset, 3);
	ck_assert_int_eq(mime_charset_dec_feed(&d, NULL, 0, &b, &df), 0);
	ck_assert_int_eq(mime_charset_dec_feed(&d, NULL, 0, &b, &df), 0); /* twice: harmless */
	ck_assert_str_eq(b.data, "abc" R "Z");
	ck_assert_uint_eq(df.count, 1);
	mime_buf_free(&b);
}
END_TEST

START_TEST(utf8_valid_function)
{
	ck_assert_int_eq(mime_utf8_valid("", 0), 1);
	ck_assert_int_eq(mime_utf8_valid("abc", 3), 1);
	ck_assert_int_eq(mime_utf8_valid("\xc3\xa9\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 10), 1);
	ck_assert_int_eq(mime_utf8_valid("\xc3", 1), 0);
	ck_assert_int_eq(mime_utf8_valid("\xc0\x80", 2), 0);
	ck_assert_int_eq(mime_utf8_valid("\xed\xa0\x80", 3), 0);
	ck_assert_int_eq(mime_utf8_valid("\xf4\x90\x80\x80", 4), 0);
	ck_assert_int_eq(mime_utf8_valid("\xe2\x82" "a", 3), 0);
	ck_assert_int_eq(mime_utf8_valid("a\xff", 2), 0);
	ck_assert_int_eq(mime_utf8_valid("\0", 1), 1);
}
END_TEST

START_TEST(utf8_put)
{
	struct mime_buf b = {0};
	ck_assert_int_eq(mime_utf8_put(&b, 'A'), 0);
	ck_assert_int_eq(mime_utf8_put(&b, 0xE9), 0);
	ck_assert_int_eq(mime_utf8_put(&b, 0x20AC), 0);
	ck_assert_int_eq(mime_utf8_put(&b, 0x1F600), 0);
	ck_assert_int_eq(mime_utf8_put(&b, 0xD800), 0);
	ck_assert_int_eq(mime_utf8_put(&b, 0x110000), 0);
	ck_assert_str_eq(b.data, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" R R);
	mime_buf_free(&b);
}
END_TEST

/* ---- UTF-16 and UTF-32 ------------------------------------------------------------------- */

START_TEST(utf16_bom_and_order)
{
	/* RFC 2781 4.3: "UTF-16" takes its order from the BOM, which is dropped;
	 * big-endian without one. */
	CONV_EQ("utf-16", "\xfe\xff\x00\x41\x00\xe9", "A\xc3\xa9", 0);
	CONV_EQ("utf-16", "\xff\xfe\x41\x00\xe9\x00", "A\xc3\xa9", 0);
	CONV_EQ("utf-16", "\x00\x41\x20\xac", "A\xe2\x82\xac", 0);
	/* only the first BOM is one; later U+FEFF is ZWNBSP */
	CONV_EQ("utf-16", "\xfe\xff\xfe\xff", "\xef\xbb\xbf", 0);
	/* labelled BE/LE: an initial FEFF is kept as ZWNBSP */
	CONV_EQ("utf-16be", "\xfe\xff\x00\x41", "\xef\xbb\xbf" "A", 0);
	CONV_EQ("utf-16le", "\xff\xfe\x41\x00", "\xef\xbb\xbf" "A", 0);
	CONV_EQ("utf-16le", "\x41\x00\xac\x20", "A\xe2\x82\xac", 0);
	CONV_EQ("utf-16be", "\xff\xfe", "\xef\xbf\xbe", 0); /* U+FFFE, a noncharacter, kept */
}
END_TEST

START_TEST(utf16_surrogates)
{
	CONV_EQ("utf-16be", "\xd8\x3d\xde\x00", "\xf0\x9f\x98\x80", 0);   /* U+1F600 */
	CONV_EQ("utf-16le", "\x3d\xd8\x00\xde", "\xf0\x9f\x98\x80", 0);
	CONV_EQ("utf-16be", "\xdb\xff\xdf\xff", "\xf4\x8f\xbf\xbf", 0);   /* U+10FFFF */
	CONV_EQ("utf-16be", "\xd8\x3d\x00\x41", R "A", 1);  /* high then not low */
	CONV_EQ("utf-16be", "\xde\x00\x00\x41", R "A", 1);  /* lone low */
	CONV_EQ("utf-16be", "\x00\x41\xd8\x3d", "A" R, 1);  /* high at the end */
	CONV_EQ("utf-16be", "\xd8\x3d\xd8\x3d\xde\x00", R "\xf0\x9f\x98\x80", 1);
	CONV_EQ("utf-16be", "\x00\x41\x00", "A" R, 1);      /* odd byte at the end */
	CONV_EQ("utf-16be", "\xd8\x3d\xde", R, 1);          /* high + truncated unit */
	CONV_EQ("utf-16le", "\x3d\xd8\x41", R, 1);
	CONV_EQ("utf-16", "\xff", R, 1);
}
END_TEST

START_TEST(utf16_defect_offsets)
{
	struct mime_buf b = {0};
	struct mime_defects df = {0};
	ck_assert_int_eq(mime_charset_to_utf8(MIME_CS_UTF_16BE, "\x00\x41\xdc\x00\x00\x42", 6, &b, &df), 0);
	ck_assert_uint_eq(df.count, 1);
	ck_assert_uint_eq(df.first_offset, 2);
	mime_buf_free(&b);
}
END_TEST

START_TEST(utf32)
{
	CONV_EQ("utf-32", "\x00\x00\xfe\xff\x00\x00\x00\x41\x00\x01\xf6\x00", "A\xf0\x9f\x98\x80", 0);
	CONV_EQ("utf-32", "\xff\xfe\x00\x00\x41\x00\x00\x00\x00\xf6\x01\x00", "A\xf0\x9f\x98\x80", 0);
	CONV_EQ("utf-32", "\x00\x00\x00\x41", "A", 0);
	CONV_EQ("utf-32be", "\x00\x00\x20\xac", "\xe2\x82\xac", 0);
	CONV_EQ("utf-32le", "\xac\x20\x00\x00", "\xe2\x82\xac", 0);
	CONV_EQ("utf-32le", "\xff\xfe\x00\x00", "\xef\xbb\xbf", 0);
	CONV_EQ("utf-32be", "\x00\x11\x00\x00\x00\x00\x00\x41", R "A", 1); /* > U+10FFFF */
	CONV_EQ("utf-32be", "\x00\x00\xd8\x00", R, 1);                     /* surrogate */
	CONV_EQ("utf-32be", "\x00\x00\x00\x41\x00\x00", "A" R, 1);         /* truncated */
	CONV_EQ("utf-32be", "\xff\xff\xff\xff", R, 1);
}
END_TEST

START_TEST(utf7_as_charset)
{
	CONV_EQ("utf-7", "Hi Mom -+Jjo--!", "Hi Mom -\xe2\x98\xba-!", 0);
	CONV_EQ("unicode-1-1-utf-7", "+ZeVnLIqe-", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 0);
	CONV_EQ("utf-7", "a+ZeV", "a\xe6\x97\xa5", 1); /* nonzero padding bits */
	CONV_EQ("utf-7", "a+Ze", "a" R, 1);            /* run ends inside a character */
}
END_TEST

/* ---- streaming property: any chunking gives the same result ---------------------------- */

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

/* Random bytes biased towards what each decoder finds interesting. */
static size_t random_input(uint64_t *seed, unsigned char *p, size_t max)
{
	size_t n = rnd(seed) % max;
	static const unsigned char pick[] = {0x00, 0x41, 0x2b, 0x2d, 0x80, 0xbf, 0xc2, 0xe0,
		0xed, 0xf0, 0xf4, 0xd8, 0xdc, 0xfe, 0xff, 0x5a};
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(rnd(seed) % 3 ? pick[rnd(seed) % sizeof pick] : rnd(seed));
	return n;
}

static void decode_chunked(int id, const unsigned char *p, size_t n, size_t step,
		uint64_t *seed, struct mime_buf *out, struct mime_defects *df)
{
	struct mime_charset_dec d;
	mime_charset_dec_init(&d, id);
	for (size_t i = 0; i < n;) {
		size_t k = step ? step : 1 + rnd(seed) % 7;
		if (k > n - i)
			k = n - i;
		ck_assert_int_eq(mime_charset_dec_feed(&d, p + i, k, out, df), 0);
		i += k;
	}
	ck_assert_int_eq(mime_charset_dec_feed(&d, NULL, 0, out, df), 0);
}

START_TEST(any_chunking_same_output)
{
	uint64_t seed = 0x9E3779B97F4A7C15u;
	unsigned char in[200];
	for (int round = 0; round < 3000; round++) {
		int id = round % MIME_CS_COUNT;
		size_t n = random_input(&seed, in, sizeof in);
		struct mime_buf whole = {0}, one = {0}, some = {0};
		struct mime_defects dw = {0}, d1 = {0}, ds = {0};
		ck_assert_int_eq(mime_charset_to_utf8(id, in, n, &whole, &dw), 0);
		decode_chunked(id, in, n, 1, &seed, &one, &d1);
		decode_chunked(id, in, n, 0, &seed, &some, &ds);
		ck_assert_uint_eq(whole.len, one.len);
		ck_assert_uint_eq(whole.len, some.len);
		ck_assert(whole.len == 0 || memcmp(whole.data, one.data, whole.len) == 0);
		ck_assert(whole.len == 0 || memcmp(whole.data, some.data, whole.len) == 0);
		ck_assert_uint_eq(dw.count, d1.count);
		ck_assert_uint_eq(dw.count, ds.count);
		ck_assert_uint_eq(dw.first_offset, d1.first_offset);
		ck_assert_uint_eq(dw.first_offset, ds.first_offset);
		ck_assert(mime_utf8_valid(whole.data, whole.len));
		mime_buf_free(&whole);
		mime_buf_free(&one);
		mime_buf_free(&some);
	}
}
END_TEST

/* Valid UTF-8 goes through unchanged and without defects. */
START_TEST(utf8_random_valid_identity)
{
	uint64_t seed = 42;
	struct mime_buf in = {0}, out = {0};
	for (int round = 0; round < 500; round++) {
		mime_buf_reset(&in);
		mime_buf_reset(&out);
		for (int k = rnd(&seed) % 50; k > 0; k--) {
			uint32_t cp = rnd(&seed) % 0x110000;
			if (cp >= 0xD800 && cp < 0xE000)
				cp = 0xE9;
			ck_assert_int_eq(mime_utf8_put(&in, cp), 0);
		}
		struct mime_defects df = {0};
		ck_assert_int_eq(mime_charset_to_utf8(MIME_CS_UTF_8, in.data, in.len, &out, &df), 0);
		ck_assert_uint_eq(df.count, 0);
		ck_assert_uint_eq(in.len, out.len);
		ck_assert(in.len == 0 || memcmp(in.data, out.data, in.len) == 0);
		ck_assert(mime_utf8_valid(in.data, in.len));
	}
	mime_buf_free(&in);
	mime_buf_free(&out);
}
END_TEST

Suite *suite_charset(void)
{
	Suite *s = suite_create("charset");
	TCase *tc = tcase_create("charset");
	tcase_add_test(tc, every_alias_resolves);
	tcase_add_test(tc, alias_table_sorted);
	tcase_add_test(tc, lookup_examples);
	tcase_add_test(tc, lookup_rejects);
	tcase_add_test(tc, canonical_names_round_trip);
	tcase_add_test(tc, single_byte_tables_match_python);
	tcase_add_test(tc, lower_half_is_ascii);
	tcase_add_test(tc, latin1_vs_windows1252);
	tcase_add_test(tc, koi8r_vs_koi8u);
	tcase_add_test(tc, us_ascii_8bit);
	tcase_add_test(tc, utf8_valid_passes);
	tcase_add_test(tc, utf8_maximal_subparts);
	tcase_add_test(tc, utf8_defect_offsets);
	tcase_add_test(tc, utf8_valid_function);
	tcase_add_test(tc, utf8_put);
	tcase_add_test(tc, utf16_bom_and_order);
	tcase_add_test(tc, utf16_surrogates);
	tcase_add_test(tc, utf16_defect_offsets);
	tcase_add_test(tc, utf32);
	tcase_add_test(tc, utf7_as_charset);
	tcase_add_test(tc, any_chunking_same_output);
	tcase_add_test(tc, utf8_random_valid_identity);
	suite_add_tcase(s, tc);
	return s;
}
