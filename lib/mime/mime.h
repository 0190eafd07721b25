/* ember lib/mime: the one public header of the MIME library.
 * Pure code: bytes in, values and bytes out; no I/O, no global state. */
#ifndef EMBER_MIME_H
#define EMBER_MIME_H

#ifdef __cplusplus
extern "C" {
#endif

#include "mime-core.h"
#include "mime-fold.h"
#include "mime-eol.h"
#include "mime-header.h"
#include "mime-qp.h"
#include "mime-base64.h"
#include "mime-utf7.h"
#include "mime-charset.h"
#include "mime-unstructured.h"
#include "mime-rfc2047.h"
#include "mime-params.h"
#include "mime-address.h"
#include "mime-date.h"
#include "mime-msgid.h"
#include "mime-received.h"
#include "mime-parser.h"
#include "mime-edit.h"
#include "mime-choose.h"
#include "mime-model.h"
#include "mime-author.h"
#include "mime-authres.h"

#ifdef __cplusplus
}
#endif
#endif
