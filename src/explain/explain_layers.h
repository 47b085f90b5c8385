/* The explain rules of the image's own layers (ISO 9660, the EFI FAT image, the initrd's cpio)
 * that need more than one difference: a consequence named by the root it follows (a FAT
 * geometry beside another creator tool's OEM name, inode numbers renumbered in another member
 * order), a time-zone shift judged over every entry of a FAT image. */
#ifndef DS_EXPLAIN_LAYERS_H
#define DS_EXPLAIN_LAYERS_H

#include <stdbool.h>

#include "../model/findings.h"

/* Explains d (still unknown) when one of the layer rules applies; false when none does. */
bool ds_explain_layers(ds_findings_t *findings, ds_difference_t *d);

#endif
