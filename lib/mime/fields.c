/* Which grammar a field name takes, and which fields a header may hold only
 * once: one table for every reader. */
#include "mime.h"
#include "header-int.h"

#define ONCE_5322(n, k) {n, k, MIME_FIELD_ONCE, "repeated " n " field (RFC 5322 3.6 allows one)", sizeof n - 1}
#define ONCE_MIME(n, k) {n, k, MIME_FIELD_ONCE, "repeated MIME field: the first one is used", sizeof n - 1}
#define ANY(n, k) {n, k, 0, NULL, sizeof n - 1}

static const struct mime_field_info table[] = {
	ONCE_5322("Date", MIME_FIELD_DATE),
	ONCE_5322("From", MIME_FIELD_ADDRESS),
	ONCE_5322("Sender", MIME_FIELD_ADDRESS),
	ONCE_5322("Reply-To", MIME_FIELD_ADDRESS),
	ONCE_5322("To", MIME_FIELD_ADDRESS),
	ONCE_5322("Cc", MIME_FIELD_ADDRESS),
	ONCE_5322("Bcc", MIME_FIELD_ADDRESS),
	ONCE_5322("Message-ID", MIME_FIELD_MSGID),
	ONCE_5322("In-Reply-To", MIME_FIELD_MSGID),
	ONCE_5322("References", MIME_FIELD_MSGID),
	ONCE_5322("Subject", MIME_FIELD_UNSTRUCTURED),
	ONCE_MIME("MIME-Version", MIME_FIELD_MIME_TOKEN),
	ONCE_MIME("Content-Type", MIME_FIELD_MIME_PARAMS),
	ONCE_MIME("Content-Transfer-Encoding", MIME_FIELD_MIME_TOKEN),
	ONCE_MIME("Content-Disposition", MIME_FIELD_MIME_PARAMS),
	ONCE_MIME("Content-ID", MIME_FIELD_MSGID),
	ONCE_MIME("Content-Description", MIME_FIELD_UNSTRUCTURED),
	/* RFC 5322 3.6.6: resent blocks repeat */
	ANY("Resent-Date", MIME_FIELD_DATE),
	ANY("Resent-From", MIME_FIELD_ADDRESS),
	ANY("Resent-Sender", MIME_FIELD_ADDRESS),
	ANY("Resent-To", MIME_FIELD_ADDRESS),
	ANY("Resent-Cc", MIME_FIELD_ADDRESS),
	ANY("Resent-Bcc", MIME_FIELD_ADDRESS),
	ANY("Resent-Reply-To", MIME_FIELD_ADDRESS),
	ANY("Resent-Message-ID", MIME_FIELD_MSGID),
	ANY("Return-Path", MIME_FIELD_ADDRESS),
	ANY("Mail-Followup-To", MIME_FIELD_ADDRESS),
	ANY("Mail-Reply-To", MIME_FIELD_ADDRESS),
	ANY("Disposition-Notification-To", MIME_FIELD_ADDRESS),
	ANY("Errors-To", MIME_FIELD_ADDRESS),
	ANY("Return-Receipt-To", MIME_FIELD_ADDRESS),
	/* RFC 2047 5: never encoded words in Received; authentication fields
	 * are signed or machine-read as they stand */
	ANY("Received", MIME_FIELD_TRACE),
	ANY("DKIM-Signature", MIME_FIELD_AUTH),
	ANY("ARC-Seal", MIME_FIELD_AUTH),
	ANY("ARC-Message-Signature", MIME_FIELD_AUTH),
	ANY("ARC-Authentication-Results", MIME_FIELD_AUTH),
	ANY("Authentication-Results", MIME_FIELD_AUTH),
	ANY("Received-SPF", MIME_FIELD_AUTH),
};

const struct mime_field_info *mime_field_lookup(const char *name, size_t len)
{
	if (!len)
		return NULL;
	int c = mime_ascii_lower((unsigned char)name[0]);
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		if (table[i].len == len && mime_ascii_lower((unsigned char)table[i].name[0]) == c &&
		    mime_ascii_caseeq(name, len, table[i].name, len))
			return &table[i];
	return NULL;
}

enum mime_field_kind mime_field_kind(const char *name, size_t len)
{
	const struct mime_field_info *fi = mime_field_lookup(name, len);
	return fi ? fi->kind : MIME_FIELD_UNSTRUCTURED;
}

/* The MIME_FIELD_ONCE entries come first: their index is a bit number. */
_Static_assert(sizeof table / sizeof *table <= 64, "once-fields index a 64-bit set");

int mime_field_once_index(const struct mime_field_info *fi)
{
	return fi->flags & MIME_FIELD_ONCE ? (int)(fi - table) : -1;
}
