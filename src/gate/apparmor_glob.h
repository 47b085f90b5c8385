/* AppArmor's AARE globs (apparmor.d(5) "Globbing"), matched against an absolute path, and how
 * specific a match is, for the kernel's choice among several profiles' attachments. Variables
 * (@{NAME}) are expanded by the policy layer before a pattern comes here. */
#ifndef GATE_APPARMOR_GLOB_H
#define GATE_APPARMOR_GLOB_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"

typedef struct gate_aa_glob gate_aa_glob_t;

/* How a path matched. specificity is what the kernel compares (find_attach in
 * security/apparmor/domain.c): max(count, min_length), where count is the number of path
 * characters matched before a '*' or '**' first loops (aa_dfa_leftmatch) and min_length the
 * shortest string the pattern can match (the parser's xmatch_len, min_match_len()). */
typedef struct gate_aa_match {
    bool literal;       /* the pattern has no glob character at all */
    size_t count;
    size_t min_length;
    size_t specificity;
} gate_aa_match_t;

/* Compiles pattern. Malformed (unbalanced {} or [], "{a}" with no ',', a trailing '\',
 * nesting over the limit) is DS_ERR_FORMAT naming the pattern and the offset; too long is
 * DS_ERR_LIMIT. On success *out is freed with gate_aa_glob_free; on error it is NULL. */
int gate_aa_glob_compile(gate_aa_glob_t **out, const char *pattern, ds_error_t *err);
void gate_aa_glob_free(gate_aa_glob_t *glob);

bool gate_aa_glob_is_literal(const gate_aa_glob_t *glob);

/* Returns 1 when path matches the whole pattern (how, which may be NULL, filled), 0 when not,
 * or DS_ERR_LIMIT when pattern x path is over the work limit. */
int gate_aa_glob_test(const gate_aa_glob_t *glob, const char *path, gate_aa_match_t *how,
                      ds_error_t *err);

/* Compile, test and free in one call: 1, 0 or a negative DS_ERR_* (malformed pattern). */
int gate_aa_glob_match(const char *pattern, const char *path, gate_aa_match_t *how,
                       ds_error_t *err);

#endif
