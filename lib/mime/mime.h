/* ember lib/mime: the one public header of the MIME library.
 * Pure code: bytes in, values and bytes out; no I/O, no global state. */
#ifndef EMBER_MIME_H
#define EMBER_MIME_H

#ifdef __cplusplus
extern "C" {
#endif

#include "mime-core.h"
#include "mime-fold.h"
#include "mime-header.h"

#ifdef __cplusplus
}
#endif
#endif
