/* The files of an image as the gates see them (imagegate): absolute '/'-separated paths inside
 * the image's root filesystem, or inside its boot medium (the ISO itself), read in place.
 * Symbolic links are resolved inside the image, never on the host: an absolute target is taken
 * from the image's root, ".." never climbs above it, and at most GATE_FILES_MAX_LINKS links are
 * followed on one lookup. Content is read in bounded amounts. Nothing is written anywhere.
 *
 * An image is an ISO (its root filesystem is the first live/filesystem.squashfs, else the first
 * *.squashfs it holds; its boot medium is the ISO's own tree), a squashfs image (root
 * filesystem only), or a directory tree on the host (the root filesystem; when it holds
 * live/filesystem.squashfs it is an unpacked ISO tree and is treated as a boot medium too). */
#ifndef GATE_FILES_H
#define GATE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/clock.h"
#include "../util/error.h"
#include "../util/source.h"

#define GATE_FILES_MAX_LINKS 40u          /* symlinks followed on one lookup (Linux: 40) */
#define GATE_FILES_MAX_PATH 4096u         /* bytes of a path inside the image */
#define GATE_FILES_NOT_FOUND 1            /* returned (not an error) when a path is absent */

typedef enum gate_file_type {
    GATE_FILE_REGULAR,
    GATE_FILE_DIRECTORY,
    GATE_FILE_SYMLINK,
    GATE_FILE_OTHER,
} gate_file_type_t;

typedef struct gate_stat {
    gate_file_type_t type;
    uint32_t mode;             /* permission bits (07777) */
    uint64_t size;
    const char *link_target;   /* symlinks (list/walk only); valid during the callback */
} gate_stat_t;

/* Which namespace of the image a call looks in. */
typedef enum gate_space {
    GATE_SPACE_ROOT, /* the root filesystem (the squashfs, or the directory tree) */
    GATE_SPACE_BOOT, /* the boot medium (the ISO's tree); empty for a squashfs or a plain tree */
} gate_space_t;

typedef struct gate_files gate_files_t;

/* Opens the image at path (ISO, squashfs or directory). label names it in messages. On
 * success *out is freed with gate_files_close; on error *out is NULL and err says why. */
int gate_files_open(gate_files_t **out, const char *path, const char *label,
                    const ds_deadline_t *deadline, ds_error_t *err);
void gate_files_close(gate_files_t *files);

/* A short name of the namespace for messages and reports: "image.iso :: /live/filesystem.squashfs",
 * "image.iso", "tree/". Valid while files is open. */
const char *gate_files_label(const gate_files_t *files, gate_space_t space);
/* Whether the image has a boot medium at all. */
bool gate_files_has_boot(const gate_files_t *files);

/* Resolves path (absolute), following every symlink inside the image, into resolved (a path
 * with no link left in it). Returns 0, GATE_FILES_NOT_FOUND when a component is missing, or a
 * negative DS_ERR_* (DS_ERR_LIMIT on a link loop, naming the path). */
int gate_files_resolve(gate_files_t *files, gate_space_t space, const char *path, char *resolved,
                       size_t size, ds_error_t *err);

/* What path is after resolving every link (type is never GATE_FILE_SYMLINK). Returns 0,
 * GATE_FILES_NOT_FOUND or a negative DS_ERR_*. */
int gate_files_stat(gate_files_t *files, gate_space_t space, const char *path, gate_stat_t *st,
                    ds_error_t *err);

/* Reads the whole regular file at path (links resolved) into a new NUL-terminated buffer the
 * caller frees. A file larger than max is DS_ERR_LIMIT (naming path and max); a missing one is
 * GATE_FILES_NOT_FOUND. *data is NULL unless 0 is returned. */
int gate_files_read(gate_files_t *files, gate_space_t space, const char *path, size_t max,
                    char **data, size_t *len, ds_error_t *err);

/* The regular file at path (links resolved) as a new source the caller closes before files.
 * Returns 0, GATE_FILES_NOT_FOUND or a negative DS_ERR_*. */
int gate_files_open_source(gate_files_t *files, gate_space_t space, const char *path,
                           ds_source_t **out, ds_error_t *err);

/* Calls visit for every entry directly inside the directory dir (links in dir's own path are
 * resolved; the entries themselves are reported as they are, links as GATE_FILE_SYMLINK with
 * their target), in bytewise order of name. path passed to visit is the entry's absolute path
 * (under the resolved dir). A non-zero return from visit stops the listing and is returned.
 * A missing dir is GATE_FILES_NOT_FOUND. */
typedef int (*gate_files_visit_fn)(void *arg, const char *path, const gate_stat_t *st);
int gate_files_list(gate_files_t *files, gate_space_t space, const char *dir,
                    gate_files_visit_fn visit, void *arg, ds_error_t *err);

/* The same for every entry below dir at any depth (links are reported, never followed), in
 * bytewise path order. */
int gate_files_walk(gate_files_t *files, gate_space_t space, const char *dir,
                    gate_files_visit_fn visit, void *arg, ds_error_t *err);

#endif
