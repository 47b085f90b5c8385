/* A directory tree on the host (two build trees given as A and B), walked without following
 * any symbolic link: every entry is lstat'ed, links are read as targets, files are opened with
 * O_NOFOLLOW, and nothing is written. */
#ifndef DS_DIR_H
#define DS_DIR_H

#include "tree.h"

#define DS_DIR_MAX_ENTRIES 20000000u
#define DS_DIR_MAX_DEPTH 256u

/* Reads every entry below root into tree (paths relative to root, "/" for root itself), sorted
 * by path, with xattrs. Entries that cannot be read are problems in the tree. */
int ds_dir_tree_load(const char *root, const char *label, ds_tree_t *tree,
                     const ds_deadline_t *deadline, ds_error_t *err);

#endif
