/* Shared by apparmor_policy.c (the API, attachment, the image loader) and apparmor_scan.c (the
 * text scanner). */
#ifndef GATE_APPARMOR_POLICY_INTERNAL_H
#define GATE_APPARMOR_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "apparmor_policy.h"

#define GATE_AA_MAX_LINE 16384u          /* bytes of one line */
#define GATE_AA_MAX_WORD 4096u           /* bytes of one word */
#define GATE_AA_MAX_WORDS 48u            /* words kept of one statement (rules may be longer) */
#define GATE_AA_MAX_BLOCKS 64u           /* nested blocks */
#define GATE_AA_MAX_INCLUDE_DEPTH 32u    /* nested includes (upstream MAX_NEST_LEVEL is 100) */
#define GATE_AA_MAX_INCLUDES 4096u       /* includes read for one profile file */
#define GATE_AA_MAX_VARIABLES 1024u      /* @{VAR} declared in one profile file */
#define GATE_AA_MAX_VALUES 256u          /* values of one variable */
#define GATE_AA_MAX_EXPANSION_DEPTH 16u  /* variables referring to variables */
#define GATE_AA_MAX_EXPANDED 8192u       /* bytes of a name or attachment once expanded */
#define GATE_AA_MAX_EXPANSION_STEPS 65536u /* variable references expanded for one word */
#define GATE_AA_BASE "/etc/apparmor.d"

typedef struct aa_var {
    char name[128];
    char *values[GATE_AA_MAX_VALUES];
    size_t count;
} aa_var_t;

typedef struct aa_block {
    long profile; /* index in policy->profiles, -1 for another block (if, owner, ...) */
    unsigned line;
} aa_block_t;

typedef struct aa_scan {
    gate_aa_policy_t *policy;
    const gate_aa_reader_t *reader;
    unsigned flags;
    aa_var_t *vars;
    size_t var_count;
    aa_block_t blocks[GATE_AA_MAX_BLOCKS];
    size_t depth;
    const char *stack[GATE_AA_MAX_INCLUDE_DEPTH];
    size_t stack_depth;
    size_t includes;
    bool failed;
    bool nomem;
} aa_scan_t;

typedef struct aa_text {
    const char *path, *p;
    size_t len, pos;
    unsigned line;
    size_t line_start;
} aa_text_t;

typedef struct aa_stmt {
    char *words[GATE_AA_MAX_WORDS];
    size_t count;
    bool overflow;
    int parens;
    unsigned line;
} aa_stmt_t;

/* Records a problem for the file being scanned and marks the scan failed; returns 1. */
int gate_aa_scan_fail(aa_scan_t *s, int code, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
bool gate_aa_blank(char c);
/* A word without its quotes (escapes kept), in a new string; NULL when out of memory. */
char *gate_aa_unquote(const char *w);

/* The variables' buffer for one expansion. */
typedef struct aa_out {
    char buf[GATE_AA_MAX_EXPANDED + 1];
    size_t len;
    size_t steps; /* variable references expanded, against GATE_AA_MAX_EXPANSION_STEPS */
    bool full;
} aa_out_t;

/* Expands @{VAR} in in into o; a variable of several values becomes {a,b} (upstream
 * variable::expand_by_alternation). Returns 0, or 1 after a problem. */
int gate_aa_expand(aa_scan_t *s, const char *in, aa_out_t *o, unsigned depth, const char *file,
                   unsigned line);
/* @{NAME} = values, @{NAME} += values, @{NAME} ?= values: 0, or 1 after a problem. */
int gate_aa_assign(aa_scan_t *s, aa_stmt_t *st, const char *file);
/* The flags of a profile header ("flags=(complain,attach_disconnected)"): 0, or 1. */
int gate_aa_flags(aa_scan_t *s, const char *text, gate_aa_profile_t *p, const char *file,
                  unsigned line);

/* Records "file:line: message" in policy; returns DS_ERR_NOMEM when even that fails, else 0. */
int gate_aa_problem(gate_aa_policy_t *policy, int code, const char *file, unsigned line,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Appends a zeroed profile; NULL when out of memory. */
gate_aa_profile_t *gate_aa_profile_add(gate_aa_policy_t *policy);

/* Frees profiles [from, count) and shrinks the list to from. */
void gate_aa_profiles_truncate(gate_aa_policy_t *policy, size_t from);

#endif
