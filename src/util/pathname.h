/* Paths built from names found in images. A name that cannot stand as one path component
 * ("", ".", "..", or one holding '/' or NUL) is spelled with \xNN escapes, so that it can never
 * climb out of or split the tree it belongs to. */
#ifndef DS_PATHNAME_H
#define DS_PATHNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* Appends "/" and the (possibly escaped) name to path. Returns true when the name had to be
 * escaped. */
bool ds_path_append_component(ds_strbuf_t *path, const char *name, size_t len);

#endif
