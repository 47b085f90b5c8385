/* The AppArmor policy of an image: every profile file directly in /etc/apparmor.d (as
 * apparmor_parser loads a directory), its includes and variables, the profiles it declares
 * (name, attachment, mode, disabled / forced into complain mode), and which profile the kernel
 * attaches to an executable. Rule lines are skipped: only blocks, includes and variables
 * matter here. A malformed file is a problem recorded with file:line and the other files go
 * on (as apparmor_parser, a failing file loads no profile at all). */
#ifndef GATE_APPARMOR_POLICY_H
#define GATE_APPARMOR_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"
#include "apparmor_glob.h"
#include "files.h"

/* Modes as upstream's profile_mode_table (parser/profile.cc). */
typedef enum gate_aa_mode {
    GATE_AA_ENFORCE,
    GATE_AA_COMPLAIN,
    GATE_AA_KILL,
    GATE_AA_UNCONFINED,
    GATE_AA_PROMPT,
    GATE_AA_DEFAULT_ALLOW,
} gate_aa_mode_t;

const char *gate_aa_mode_name(gate_aa_mode_t mode);

typedef struct gate_aa_profile {
    char *name;           /* "ping"; a child or hat is "parent//child" */
    char *attachment;     /* variables expanded, slashes collapsed; NULL: none */
    gate_aa_glob_t *glob; /* attachment compiled; NULL when none or malformed */
    gate_aa_mode_t mode;
    bool disabled;        /* its file is in disable/ */
    bool forced_complain; /* its file is in force-complain/ */
    bool hat, child;      /* children and hats never attach at exec */
    bool superseded;      /* a later file declares the same name (it replaces this one) */
    char *file;           /* the file holding the profile's header */
    unsigned line;
} gate_aa_profile_t;

typedef struct gate_aa_problem {
    int code;      /* DS_ERR_FORMAT, DS_ERR_LIMIT, DS_ERR_IO */
    char *message; /* "/etc/apparmor.d/x:12: unbalanced '}'" */
} gate_aa_problem_t;

typedef struct gate_aa_policy {
    gate_aa_profile_t *profiles;
    size_t count, capacity;
    gate_aa_problem_t *problems;
    size_t problem_count, problem_capacity;
} gate_aa_policy_t;

/* How the parser reads includes. read returns 0 (*data: NUL-terminated, caller frees),
 * GATE_FILES_NOT_FOUND, GATE_AA_IS_DIRECTORY or a negative DS_ERR_*. list calls visit for each
 * entry of a directory in bytewise order of name. */
#define GATE_AA_IS_DIRECTORY 2
typedef int (*gate_aa_entry_fn)(void *arg, const char *name, bool is_dir);
typedef struct gate_aa_reader {
    void *ctx;
    int (*read)(void *ctx, const char *path, char **data, size_t *len, ds_error_t *err);
    int (*list)(void *ctx, const char *dir, gate_aa_entry_fn visit, void *arg, ds_error_t *err);
} gate_aa_reader_t;

/* The file flags apparmor_parser derives from disable/ and force-complain/. */
#define GATE_AA_FILE_DISABLED 0x1u
#define GATE_AA_FILE_FORCE_COMPLAIN 0x2u

void gate_aa_policy_init(gate_aa_policy_t *policy);
/* Frees everything the policy holds (profiles, problems); accepts an initialised empty one. */
void gate_aa_policy_free(gate_aa_policy_t *policy);

/* Parses one profile file's text (path names it in problems) into policy, with includes read
 * through reader (NULL: every include is a problem, "include if exists" is skipped). Returns 0
 * (problems, if any, are in policy->problems) or DS_ERR_NOMEM. */
int gate_aa_policy_parse(gate_aa_policy_t *policy, const char *path, const char *text,
                         size_t len, const gate_aa_reader_t *reader, unsigned file_flags,
                         ds_error_t *err);

/* Loads every profile file of the image's /etc/apparmor.d (GATE_SPACE_ROOT). A missing
 * directory is no policy (0, no profile). Returns 0 or a negative DS_ERR_* when the image
 * cannot be read at all; bad files are problems. policy must be initialised. */
int gate_aa_policy_load(gate_aa_policy_t *policy, gate_files_t *files, ds_error_t *err);

/* Whether apparmor_parser skips a name in a profile directory (libapparmor's
 * _aa_is_blacklisted: dot files, README, packaging and backup suffixes). */
bool gate_aa_name_skipped(const char *name);

typedef struct gate_aa_attachment {
    const gate_aa_profile_t *profile; /* NULL: no attachment matches: unconfined */
    const gate_aa_profile_t *rival;   /* on a conflict: another profile as specific */
    bool conflict;                    /* profile and rival equally specific: the kernel refuses
                                         both ("conflicting profile attachments"): unconfined */
    bool exact;                       /* attached by its exact name (no pattern) */
    size_t specificity;
} gate_aa_attachment_t;

/* Which profile the kernel attaches when path (absolute, inside the image) is executed from an
 * unconfined process: a profile named exactly path with no attachment wins, else the
 * attachment with the highest specificity (gate_aa_match_t); disabled, superseded, children and
 * hats are never candidates. Returns 0 or a negative DS_ERR_* (a pattern over the match
 * limit, naming the profile). Pointers in *out point into policy. */
int gate_aa_attach(const gate_aa_policy_t *policy, const char *path, gate_aa_attachment_t *out,
                   ds_error_t *err);

#endif
