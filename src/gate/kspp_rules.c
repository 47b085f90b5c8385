/* The kspp rules file format (issue 13): "ID | CHECK | WHEN | SOURCE | REASON", fields split at
 * " | " (the REASON keeps any later bars), CHECK and WHEN terms joined by " and " and " or "
 * (and binds tighter; no parentheses); the waiver format "ID -- reason". "#" starts a comment
 * line; blank lines are ignored. */
#include "kspp_rules.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig.h"
#include "sysctl.h"

#define GATE_KSPP_MAX_LINE 4096u   /* bytes of one rule or waiver line */
#define GATE_KSPP_MAX_RULES 4096u  /* rules over all files */
#define GATE_KSPP_MAX_TERMS 32u    /* terms of one CHECK or WHEN */
#define GATE_KSPP_MAX_WAIVERS 4096u
#define GATE_KSPP_FIELDS 5u

#define FAIL_AT(code, ...) ds_error_set(err, code, __VA_ARGS__)

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static bool ends_with(const char *s, size_t n, const char *tail, size_t *head)
{
    size_t t = strlen(tail);
    if (n <= t || memcmp(s + n - t, tail, t) != 0)
        return false;
    *head = n - t;
    return true;
}

static bool number_valid(const char *s)
{
    char *end = NULL;
    errno = 0;
    (void)strtoll(s, &end, 0);
    return *s != '\0' && errno == 0 && *end == '\0';
}

static bool name_valid(gate_kspp_term_kind_t kind, const char *s, size_t n)
{
    if (kind == GATE_KSPP_KCONFIG)
        return gate_kconfig_name_valid(s, n);
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (kind == GATE_KSPP_CMDLINE ? (isspace(c) || c == '=' || c == '"')
                                      : !(isalnum(c) || strchr("_.*/-:?[]", c) != NULL))
            return false;
    }
    return true;
}

/* Copies value, blanks collapsed to one space (for sysctl values). */
static char *collapsed_copy(const char *s, size_t n)
{
    char *out = gate_text_copy(s, n);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        bool blank = s[i] == ' ' || s[i] == '\t';
        if (!blank || (o > 0 && out[o - 1] != ' '))
            out[o++] = blank ? ' ' : s[i];
    }
    out[o] = '\0';
    return out;
}

/* The operator at op (the first of "!<>=" in the term) and its length. */
static int operator_at(const char *op, gate_kspp_op_t *out, size_t *len)
{
    *len = 2;
    if (op[0] == '=')
        return *len = 1, *out = GATE_KSPP_EQ, 0;
    if (op[1] != '=')
        return -1;
    *out = op[0] == '!' ? GATE_KSPP_NE : op[0] == '>' ? GATE_KSPP_GE : GATE_KSPP_LE;
    return 0;
}

static int term_operator(gate_kspp_term_t *term, const char *s, size_t n, size_t *name_len,
                         size_t *value_at, const char *file, unsigned line, ds_error_t *err)
{
    size_t head, op_len;
    if (ends_with(s, n, " is not set", &head) && term->kind != GATE_KSPP_SYSCTL) {
        term->op = GATE_KSPP_NOT_SET, *name_len = head, *value_at = n;
        return 0;
    }
    if (ends_with(s, n, " is present", &head) && term->kind == GATE_KSPP_KCONFIG) {
        term->op = GATE_KSPP_PRESENT, *name_len = head, *value_at = n;
        return 0;
    }
    size_t at = strcspn(s, "!<>=");
    if (at >= n) {
        if (term->kind != GATE_KSPP_CMDLINE)
            return FAIL_AT(DS_ERR_FORMAT, "%s:%u: no operator in \"%.*s\"", file, line, (int)n, s);
        term->op = GATE_KSPP_PRESENT, *name_len = n, *value_at = n;
        return 0;
    }
    if (operator_at(s + at, &term->op, &op_len) != 0 ||
        (term->kind == GATE_KSPP_CMDLINE && (term->op == GATE_KSPP_GE || term->op == GATE_KSPP_LE)))
        return FAIL_AT(DS_ERR_FORMAT, "%s:%u: bad operator in \"%.*s\"", file, line, (int)n, s);
    *name_len = at;
    *value_at = at + op_len;
    return 0;
}

/* One term: "kconfig NAME=VALUE" and the other forms (s is n bytes, trimmed). */
static int term_parse(gate_kspp_term_t *term, const char *s, size_t n, const char *file, unsigned line,
                      ds_error_t *err)
{
    static const char *const kinds[] = {"kconfig ", "cmdline ", "sysctl "};
    size_t k = 0;
    while (k < 3 && strncmp(s, kinds[k], strlen(kinds[k])) != 0)
        k++;
    if (k == 3 || n <= strlen(kinds[k]))
        return FAIL_AT(DS_ERR_FORMAT, "%s:%u: unknown term kind in \"%.*s\" (kconfig, cmdline or sysctl)", file,
                       line, (int)(n > 80 ? 80 : n), s);
    term->kind = (gate_kspp_term_kind_t)k;
    s += strlen(kinds[k]), n -= strlen(kinds[k]);
    trim(&s, &n);
    size_t name_len = 0, value_at = 0;
    int rc = term_operator(term, s, n, &name_len, &value_at, file, line, err);
    if (rc < 0)
        return rc;
    const char *value = s + value_at;
    size_t value_len = n - value_at;
    trim(&value, &value_len);
    if (!name_valid(term->kind, s, name_len))
        return FAIL_AT(DS_ERR_FORMAT, "%s:%u: bad name \"%.*s\"", file, line, (int)name_len, s);
    bool has_value = term->op <= GATE_KSPP_LE;
    if (has_value && value_len == 0)
        return FAIL_AT(DS_ERR_FORMAT, "%s:%u: no value after the operator in \"%.*s\"", file, line, (int)n, s);
    char key[GATE_KSPP_MAX_LINE + 1];
    if (term->kind == GATE_KSPP_SYSCTL && gate_sysctl_canonical_key(s, name_len, key, sizeof key))
        term->name = gate_text_copy(key, name_len);
    else
        term->name = gate_text_copy(s, name_len);
    if (has_value)
        term->value = term->kind == GATE_KSPP_SYSCTL ? collapsed_copy(value, value_len) : gate_text_copy(value, value_len);
    if (term->name == NULL || (has_value && term->value == NULL))
        return FAIL_AT(DS_ERR_NOMEM, "%s:%u: out of memory", file, line);
    if ((term->op == GATE_KSPP_GE || term->op == GATE_KSPP_LE) && !number_valid(term->value))
        return FAIL_AT(DS_ERR_FORMAT, "%s:%u: \"%s\" is not a number", file, line, term->value);
    return 0;
}

int gate_kspp_expr_parse(gate_kspp_expr_t *expr, const char *text, const char *file, unsigned line,
                         ds_error_t *err)
{
    memset(expr, 0, sizeof *expr);
    bool or_before = false;
    const char *s = text;
    while (*s != '\0') {
        const char *or_at = strstr(s, " or "), *and_at = strstr(s, " and ");
        const char *end = or_at != NULL && (and_at == NULL || or_at < and_at) ? or_at : and_at;
        size_t n = end != NULL ? (size_t)(end - s) : strlen(s);
        const char *term_text = s;
        trim(&term_text, &n);
        if (expr->count == GATE_KSPP_MAX_TERMS)
            return FAIL_AT(DS_ERR_LIMIT, "%s:%u: more than %u terms", file, line, GATE_KSPP_MAX_TERMS);
        gate_kspp_term_t *more = realloc(expr->terms, (expr->count + 1) * sizeof *more);
        if (more == NULL)
            return FAIL_AT(DS_ERR_NOMEM, "%s:%u: out of memory", file, line);
        expr->terms = more;
        gate_kspp_term_t *term = &more[expr->count++];
        memset(term, 0, sizeof *term);
        term->or_before = or_before;
        int rc = term_parse(term, term_text, n, file, line, err);
        if (rc < 0)
            return rc;
        if (end == NULL)
            break;
        or_before = end == or_at;
        s = end + (or_before ? 4 : 5);
    }
    return 0;
}

void gate_kspp_expr_free(gate_kspp_expr_t *expr)
{
    for (size_t i = 0; expr != NULL && i < expr->count; i++) {
        free(expr->terms[i].name);
        free(expr->terms[i].value);
    }
    if (expr != NULL) {
        free(expr->terms);
        memset(expr, 0, sizeof *expr);
    }
}

static void rule_free(gate_kspp_rule_t *rule)
{
    gate_kspp_expr_free(&rule->check);
    gate_kspp_expr_free(&rule->when);
    free(rule->id);
    free(rule->check_text);
    free(rule->when_text);
    free(rule->source);
    free(rule->reason);
    free(rule->file);
    memset(rule, 0, sizeof *rule);
}

static bool id_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && strchr("_.:-", s[i]) == NULL)
            return false;
    return n > 0;
}

/* Splits a rule line into its five fields (trimmed; the last keeps later bars). */
static int split_fields(const char *s, size_t n, const char *field[], size_t field_len[], const char *file,
                        unsigned line, ds_error_t *err)
{
    size_t f = 0, start = 0;
    for (size_t i = 0; f + 1 < GATE_KSPP_FIELDS && i + 2 <= n; i++) {
        /* "| " right after a separator is an empty field written with one blank: "A | x | | s" */
        size_t sep = i + 3 <= n && memcmp(s + i, " | ", 3) == 0 ? 3
                     : i == start && start > 0 && memcmp(s + i, "| ", 2) == 0 ? 2 : 0;
        if (sep > 0) {
            field[f] = s + start, field_len[f] = i - start;
            f++, start = i + sep, i += sep - 1;
        }
    }
    if (f + 1 < GATE_KSPP_FIELDS)
        return FAIL_AT(DS_ERR_FORMAT, "%s:%u: missing field: %zu of 5 (ID | CHECK | WHEN | SOURCE | REASON)", file,
                       line, f + 1);
    field[f] = s + start, field_len[f] = n - start;
    for (f = 0; f < GATE_KSPP_FIELDS; f++)
        trim(&field[f], &field_len[f]);
    return 0;
}

static int rule_parse(gate_kspp_rule_t *rule, const char *s, size_t n, const char *file, unsigned line,
                      ds_error_t *err)
{
    const char *field[GATE_KSPP_FIELDS];
    size_t len[GATE_KSPP_FIELDS];
    int rc = split_fields(s, n, field, len, file, line, err);
    if (rc < 0)
        return rc;
    if (!id_valid(field[0], len[0]))
        return FAIL_AT(DS_ERR_FORMAT, "%s:%u: bad ID \"%.*s\"", file, line, (int)len[0], field[0]);
    if (len[1] == 0)
        return FAIL_AT(DS_ERR_FORMAT, "%s:%u: missing field: CHECK is empty", file, line);
    rule->id = gate_text_copy(field[0], len[0]);
    rule->check_text = gate_text_copy(field[1], len[1]);
    rule->when_text = gate_text_copy(field[2], len[2]);
    rule->source = gate_text_copy(field[3], len[3]);
    rule->reason = gate_text_copy(field[4], len[4]);
    rule->file = gate_text_copy(file, strlen(file));
    rule->line = line;
    if (!rule->id || !rule->check_text || !rule->when_text || !rule->source || !rule->reason || !rule->file)
        return FAIL_AT(DS_ERR_NOMEM, "%s:%u: out of memory", file, line);
    rc = gate_kspp_expr_parse(&rule->check, rule->check_text, file, line, err);
    if (rc == 0 && len[2] > 0)
        rc = gate_kspp_expr_parse(&rule->when, rule->when_text, file, line, err);
    return rc;
}

const gate_kspp_rule_t *gate_kspp_rules_find(const gate_kspp_rules_t *rules, const char *id)
{
    for (size_t i = 0; rules != NULL && i < rules->count; i++)
        if (strcmp(rules->rules[i].id, id) == 0)
            return &rules->rules[i];
    return NULL;
}

/* Puts rule (consumed) in rules: replacing the same ID from an earlier file, else appended.
 * seen marks the rules this file has set. */
static int rules_put(gate_kspp_rules_t *rules, gate_kspp_rule_t *rule, bool *seen, const char *file,
                     unsigned line, ds_error_t *err)
{
    const gate_kspp_rule_t *old = gate_kspp_rules_find(rules, rule->id);
    size_t at = old != NULL ? (size_t)(old - rules->rules) : rules->count;
    if (old != NULL && seen[at])
        return FAIL_AT(DS_ERR_FORMAT, "%s:%u: duplicate ID %s (also at line %u)", file, line, rule->id, old->line);
    if (old == NULL) {
        if (rules->count == GATE_KSPP_MAX_RULES)
            return FAIL_AT(DS_ERR_LIMIT, "%s:%u: more than %u rules", file, line, GATE_KSPP_MAX_RULES);
        gate_kspp_rule_t *more = realloc(rules->rules, (rules->count + 1) * sizeof *more);
        if (more == NULL)
            return FAIL_AT(DS_ERR_NOMEM, "%s:%u: out of memory", file, line);
        rules->rules = more;
        rules->count++;
    } else {
        rule_free(&rules->rules[at]);
    }
    rules->rules[at] = *rule;
    memset(rule, 0, sizeof *rule);
    seen[at] = true;
    return 0;
}

int gate_kspp_rules_parse(gate_kspp_rules_t *rules, const char *file, const char *text, size_t len,
                          ds_error_t *err)
{
    bool *seen = calloc(GATE_KSPP_MAX_RULES, sizeof *seen);
    if (seen == NULL)
        return FAIL_AT(DS_ERR_NOMEM, "%s: out of memory", file);
    gate_text_cursor_t cursor;
    const char *s;
    size_t n;
    int rc = 0;
    gate_text_cursor_init(&cursor, text, len);
    while (rc == 0 && gate_text_next_line(&cursor, &s, &n)) {
        if (n > GATE_KSPP_MAX_LINE) {
            rc = FAIL_AT(DS_ERR_LIMIT, "%s:%u: line longer than %u bytes", file, cursor.line, GATE_KSPP_MAX_LINE);
            break;
        }
        trim(&s, &n);
        if (n == 0 || s[0] == '#')
            continue;
        gate_kspp_rule_t rule;
        memset(&rule, 0, sizeof rule);
        rc = rule_parse(&rule, s, n, file, cursor.line, err);
        if (rc == 0)
            rc = rules_put(rules, &rule, seen, file, cursor.line, err);
        rule_free(&rule);
    }
    free(seen);
    return rc;
}

void gate_kspp_rules_free(gate_kspp_rules_t *rules)
{
    for (size_t i = 0; rules != NULL && i < rules->count; i++)
        rule_free(&rules->rules[i]);
    if (rules != NULL) {
        free(rules->rules);
        memset(rules, 0, sizeof *rules);
    }
}

static int waiver_parse(gate_kspp_waivers_t *waivers, const gate_kspp_rules_t *rules, const char *s,
                        size_t n, const char *file, unsigned line, ds_error_t *err)
{
    const char *dash = NULL;
    for (size_t i = 0; dash == NULL && i + 4 <= n; i++)
        if (memcmp(s + i, " -- ", 4) == 0)
            dash = s + i;
    if (dash == NULL)
        return FAIL_AT(DS_ERR_FORMAT, "%s:%u: not \"ID -- reason\"", file, line);
    const char *id = s, *reason = dash + 4;
    size_t id_len = (size_t)(dash - s), reason_len = n - id_len - 4;
    trim(&id, &id_len);
    trim(&reason, &reason_len);
    if (!id_valid(id, id_len) || reason_len == 0)
        return FAIL_AT(DS_ERR_FORMAT, "%s:%u: not \"ID -- reason\" (bad ID or empty reason)", file, line);
    if (waivers->count == GATE_KSPP_MAX_WAIVERS)
        return FAIL_AT(DS_ERR_LIMIT, "%s:%u: more than %u waivers", file, line, GATE_KSPP_MAX_WAIVERS);
    gate_kspp_waiver_t *more = realloc(waivers->waivers, (waivers->count + 1) * sizeof *more);
    if (more == NULL)
        return FAIL_AT(DS_ERR_NOMEM, "%s:%u: out of memory", file, line);
    waivers->waivers = more;
    gate_kspp_waiver_t *w = &more[waivers->count++];
    w->id = gate_text_copy(id, id_len);
    w->reason = gate_text_copy(reason, reason_len);
    w->file = gate_text_copy(file, strlen(file));
    w->line = line;
    if (w->id == NULL || w->reason == NULL || w->file == NULL)
        return FAIL_AT(DS_ERR_NOMEM, "%s:%u: out of memory", file, line);
    if (gate_kspp_rules_find(rules, w->id) == NULL)
        return FAIL_AT(DS_ERR_FORMAT, "%s:%u: waiver for unknown rule ID %s", file, line, w->id);
    return 0;
}

int gate_kspp_waivers_parse(gate_kspp_waivers_t *waivers, const gate_kspp_rules_t *rules,
                            const char *file, const char *text, size_t len, ds_error_t *err)
{
    gate_text_cursor_t cursor;
    const char *s;
    size_t n;
    gate_text_cursor_init(&cursor, text, len);
    while (gate_text_next_line(&cursor, &s, &n)) {
        if (n > GATE_KSPP_MAX_LINE)
            return FAIL_AT(DS_ERR_LIMIT, "%s:%u: line longer than %u bytes", file, cursor.line, GATE_KSPP_MAX_LINE);
        trim(&s, &n);
        if (n == 0 || s[0] == '#')
            continue;
        int rc = waiver_parse(waivers, rules, s, n, file, cursor.line, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

const gate_kspp_waiver_t *gate_kspp_waivers_find(const gate_kspp_waivers_t *waivers, const char *id)
{
    for (size_t i = waivers == NULL ? 0 : waivers->count; i-- > 0;)
        if (strcmp(waivers->waivers[i].id, id) == 0)
            return &waivers->waivers[i];
    return NULL;
}

void gate_kspp_waivers_free(gate_kspp_waivers_t *waivers)
{
    for (size_t i = 0; waivers != NULL && i < waivers->count; i++) {
        free(waivers->waivers[i].id);
        free(waivers->waivers[i].reason);
        free(waivers->waivers[i].file);
    }
    if (waivers != NULL) {
        free(waivers->waivers);
        memset(waivers, 0, sizeof *waivers);
    }
}
