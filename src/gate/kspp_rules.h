/* The kspp gate's rules (data/kspp-rules.txt and a project's own rules file) and waivers.
 * Rule line: "ID | CHECK | WHEN | SOURCE | REASON"; waiver line: "ID -- reason". */
#ifndef GATE_KSPP_RULES_H
#define GATE_KSPP_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"

typedef enum gate_kspp_term_kind {
    GATE_KSPP_KCONFIG,
    GATE_KSPP_CMDLINE,
    GATE_KSPP_SYSCTL,
} gate_kspp_term_kind_t;

typedef enum gate_kspp_op {
    GATE_KSPP_EQ,      /* NAME=VALUE */
    GATE_KSPP_NE,      /* NAME!=VALUE */
    GATE_KSPP_GE,      /* NAME>=N */
    GATE_KSPP_LE,      /* NAME<=N */
    GATE_KSPP_NOT_SET, /* NAME is not set */
    GATE_KSPP_PRESENT, /* kconfig NAME is present; cmdline NAME */
} gate_kspp_op_t;

typedef struct gate_kspp_term {
    gate_kspp_term_kind_t kind;
    gate_kspp_op_t op;
    char *name;    /* CONFIG_X, a parameter name, a dotted sysctl key */
    char *value;   /* NULL for NOT_SET and PRESENT; sysctl values with blanks collapsed */
    bool or_before; /* joined to the previous term by " or " (else by " and ") */
} gate_kspp_term_t;

/* Terms joined by " and " (binding tighter) and " or ". */
typedef struct gate_kspp_expr {
    gate_kspp_term_t *terms;
    size_t count; /* 0: always true (an empty WHEN) */
} gate_kspp_expr_t;

typedef struct gate_kspp_rule {
    char *id;
    char *check_text; /* CHECK as written */
    char *when_text;  /* WHEN as written, "" when empty */
    gate_kspp_expr_t check;
    gate_kspp_expr_t when;
    char *source;
    char *reason;
    char *file; /* where the rule in force was read */
    unsigned line;
} gate_kspp_rule_t;

typedef struct gate_kspp_rules {
    gate_kspp_rule_t *rules; /* in the order IDs first appeared */
    size_t count;
} gate_kspp_rules_t;

typedef struct gate_kspp_waiver {
    char *id;
    char *reason;
    char *file;
    unsigned line;
} gate_kspp_waiver_t;

typedef struct gate_kspp_waivers {
    gate_kspp_waiver_t *waivers;
    size_t count;
} gate_kspp_waivers_t;

/* Parses one rules file over rules (start zeroed): a new ID is added, an ID already read from
 * an earlier file is replaced in place; an ID twice in one file is an error. On error, rules
 * keeps the rules of earlier files and the lines before the bad one; err names file and line.
 * Free with gate_kspp_rules_free. */
int gate_kspp_rules_parse(gate_kspp_rules_t *rules, const char *file, const char *text, size_t len,
                          ds_error_t *err);
/* Parses one CHECK or WHEN expression (text is NUL-terminated) into expr (free with
 * gate_kspp_expr_free, also after an error). file and line are for messages. */
int gate_kspp_expr_parse(gate_kspp_expr_t *expr, const char *text, const char *file, unsigned line,
                         ds_error_t *err);
const gate_kspp_rule_t *gate_kspp_rules_find(const gate_kspp_rules_t *rules, const char *id);
void gate_kspp_expr_free(gate_kspp_expr_t *expr);
void gate_kspp_rules_free(gate_kspp_rules_t *rules);

/* Parses a waivers file over waivers (start zeroed); a waiver for an ID rules does not hold is
 * an error, and so is a line that is not "ID -- reason". Free with gate_kspp_waivers_free. */
int gate_kspp_waivers_parse(gate_kspp_waivers_t *waivers, const gate_kspp_rules_t *rules,
                            const char *file, const char *text, size_t len, ds_error_t *err);
/* The (last) waiver for id, or NULL. */
const gate_kspp_waiver_t *gate_kspp_waivers_find(const gate_kspp_waivers_t *waivers, const char *id);
void gate_kspp_waivers_free(gate_kspp_waivers_t *waivers);

#endif
