/* ember lib/mime: message identifiers (RFC 5322 3.6.4, obsolete forms of
 * 4.5.4). Included by mime.h; include mime.h instead. */
#ifndef EMBER_MIME_MSGID_H
#define EMBER_MIME_MSGID_H

#include <stddef.h>
#include <stdint.h>

struct mime_buf;
struct mime_defects;

/* One msg-id (with CFWS inside and obsolete local parts and domains): the
 * canonical "<left@right>" (CFWS removed, quoted words unquoted when they
 * are atoms) appended to out. MIME_OK, MIME_ENOMEM, MIME_EINVAL (*errpos, may be NULL, set to the
 * offset of the problem). */
enum mime_status mime_msgid_parse(const char *v, size_t n, struct mime_buf *out, size_t *errpos);

struct mime_msgid_list {
	char **ids;            /* each canonical "<l@r>" */
	size_t count;
};

/* In-Reply-To / References: a list of msg-ids, tolerating obsolete phrases
 * between them (4.5.4) and broken ids (skipped with a defect). MIME_OK or MIME_ENOMEM. */
enum mime_status mime_msgid_list_parse(const char *v, size_t n, struct mime_msgid_list *out,
			  struct mime_defects *df);
void mime_msgid_list_free(struct mime_msgid_list *l);

/* A new id from caller-supplied random bytes (the library does no I/O):
 * "<BASE32(rnd).BASE32(now)@domain>", lowercase base32 (RFC 4648) without
 * padding. MIME_OK, MIME_ENOMEM or MIME_EINVAL (no random bytes, more than 64, now < 0, or a
 * domain that is not a dot-atom). */
enum mime_status mime_msgid_make(const unsigned char *rnd, size_t n, int64_t now, const char *domain,
		    struct mime_buf *out);

#endif
