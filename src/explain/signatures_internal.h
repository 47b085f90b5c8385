/* The rule tables of signatures.c, one per family of files. */
#ifndef DS_SIGNATURES_INTERNAL_H
#define DS_SIGNATURES_INTERNAL_H

#include "signatures.h"

/* Generated caches and binary databases in the root file system (signatures_caches.c). */
const ds_signature_t *ds_signatures_caches(size_t *count);
/* Configuration, state, logs and leftovers in the root file system (signatures_files.c). */
const ds_signature_t *ds_signatures_files(size_t *count);
/* Image-level files on the ISO; the kernel and its modules (signatures_image.c). */
const ds_signature_t *ds_signatures_image(size_t *count);

#endif
