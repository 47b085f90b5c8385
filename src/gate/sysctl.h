/* The kernel parameters an image's systemd-sysctl would set at boot: sysctl.d(5) files in
 * their order of precedence, then /etc/sysctl.conf. */
#ifndef GATE_SYSCTL_H
#define GATE_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"
#include "files.h"

typedef struct gate_sysctl_setting {
    char *key;          /* canonical, dotted: "net.ipv4.conf.all.rp_filter" (a glob stays a glob) */
    char *value;        /* blanks around it stripped */
    char *file;         /* the file whose assignment is in force */
    unsigned line;
    bool ignore_errors; /* written "-key = value": a failure to set it is not an error */
    char **overridden;  /* "file:line" of earlier assignments this one overrides, oldest first */
    size_t overridden_count;
} gate_sysctl_setting_t;

typedef struct gate_sysctl {
    gate_sysctl_setting_t *settings; /* in the order keys were first set */
    size_t count;
    size_t files_read;
} gate_sysctl_t;

/* Applies the assignments of one file's text over what settings already holds (a later
 * assignment of a key replaces an earlier one and remembers it). Lines that are not
 * assignments are ignored, as systemd-sysctl does. Start from a zeroed gate_sysctl_t; free it
 * with gate_sysctl_free, also after an error (it keeps what was applied). */
int gate_sysctl_parse(gate_sysctl_t *settings, const char *file, const char *text, size_t len,
                      ds_error_t *err);

/* The dotted form of a key as sysctl.d(5) defines it: when its first separator is '/', every
 * '/' becomes '.' and every '.' becomes '/'. Writes at most size bytes (NUL included); false
 * when it does not fit. */
bool gate_sysctl_canonical_key(const char *key, size_t len, char *out, size_t size);

/* The setting for key (any spelling; exact match: a glob written in a file matches only the
 * same glob), or NULL. Borrowed. */
const gate_sysctl_setting_t *gate_sysctl_find(const gate_sysctl_t *settings, const char *key);

/* One *.conf found in a sysctl.d directory: its absolute path, and whether it is a link to
 * /dev/null (which masks the same name in later directories). */
typedef struct gate_sysctl_candidate {
    const char *path;
    bool masked;
} gate_sysctl_candidate_t;

/* The sysctl.d directories, in their order of precedence (NULL-terminated). */
extern const char *const gate_sysctl_directories[];

/* The files to read, in order: for every file name the candidate in the first directory of
 * gate_sysctl_directories holding it (dropped when that one is masked), sorted by name.
 * Candidates outside those directories or not named *.conf are left out. *ordered (free() it;
 * it borrows the paths of candidates) holds *ordered_count paths. */
int gate_sysctl_order(const gate_sysctl_candidate_t *candidates, size_t count, const char ***ordered,
                      size_t *ordered_count, ds_error_t *err);

/* Reads the image's sysctl.d files and /etc/sysctl.conf (GATE_SPACE_ROOT) into settings (start
 * zeroed; free with gate_sysctl_free, also after an error, when it keeps what was read). */
int gate_sysctl_read(gate_sysctl_t *settings, gate_files_t *files, ds_error_t *err);

void gate_sysctl_free(gate_sysctl_t *settings);

#endif
