/* AppArmor variables (apparmor.d(5) "Variables": @{NAME} = a b "c d", += to add, values
 * referring to other variables, expanded at use by alternation as upstream's
 * parser/variable.cc does) and profile flags (parser/profile.h flagvals::init, AppArmor
 * 6.0.0~alpha1, bda75d456), for apparmor_scan.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apparmor_policy_internal.h"

int gate_aa_scan_fail(aa_scan_t *s, int code, const char *file, unsigned line, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->failed = true;
    if (gate_aa_problem(s->policy, code, file, line, "%s", msg) != 0)
        s->nomem = true;
    return 1;
}

bool gate_aa_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

char *gate_aa_unquote(const char *w)
{
    size_t n = strlen(w);
    if (n >= 2 && w[0] == '"' && w[n - 1] == '"')
        return strndup(w + 1, n - 2);
    return strdup(w);
}

static aa_var_t *find_var(aa_scan_t *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->var_count; i++)
        if (strlen(s->vars[i].name) == len && memcmp(s->vars[i].name, name, len) == 0)
            return &s->vars[i];
    return NULL;
}

static void out_put(aa_out_t *o, const char *p, size_t n)
{
    if (o->len + n > GATE_AA_MAX_EXPANDED) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

int gate_aa_expand(aa_scan_t *s, const char *in, aa_out_t *o, unsigned depth, const char *file,
                  unsigned line)
{
    if (depth > GATE_AA_MAX_EXPANSION_DEPTH)
        return gate_aa_scan_fail(s, DS_ERR_LIMIT, file, line, "variables nested deeper than %u (a loop?)",
                    GATE_AA_MAX_EXPANSION_DEPTH);
    for (const char *p = in; *p != '\0';) {
        if (p[0] == '\\' && p[1] != '\0') {
            out_put(o, p, 2);
            p += 2;
        } else if (p[0] == '@' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            if (end == NULL)
                return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, line, "unclosed variable reference");
            if (++o->steps > GATE_AA_MAX_EXPANSION_STEPS)
                return gate_aa_scan_fail(s, DS_ERR_LIMIT, file, line,
                                         "more than %u variable references to expand",
                                         GATE_AA_MAX_EXPANSION_STEPS);
            aa_var_t *v = find_var(s, p + 2, (size_t)(end - p - 2));
            if (v == NULL)
                return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, line, "unknown variable @{%.*s}",
                            (int)(end - p - 2), p + 2);
            if (v->count > 1)
                out_put(o, "{", 1);
            for (size_t i = 0; i < v->count; i++) {
                if (i > 0)
                    out_put(o, ",", 1);
                if (gate_aa_expand(s, v->values[i], o, depth + 1, file, line) != 0)
                    return 1;
            }
            if (v->count > 1)
                out_put(o, "}", 1);
            p = end + 1;
        } else {
            out_put(o, p++, 1);
        }
        if (o->full)
            return gate_aa_scan_fail(s, DS_ERR_LIMIT, file, line, "expansion longer than %u bytes",
                        GATE_AA_MAX_EXPANDED);
    }
    return 0;
}

static int add_value(aa_scan_t *s, aa_var_t *v, const char *w, const char *file, unsigned line)
{
    if (*w == '\0')
        return 0;
    if (v->count >= GATE_AA_MAX_VALUES)
        return gate_aa_scan_fail(s, DS_ERR_LIMIT, file, line, "more than %u values for @{%s}",
                    GATE_AA_MAX_VALUES, v->name);
    if (w[strlen(w) - 1] == ',')
        return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, line, "variable declarations take no trailing comma");
    if ((v->values[v->count] = gate_aa_unquote(w)) == NULL)
        return s->nomem = true, 1;
    v->count++;
    return 0;
}

int gate_aa_assign(aa_scan_t *s, aa_stmt_t *st, const char *file)
{
    const char *w0 = st->words[0], *close = strchr(w0, '}');
    size_t nlen = close != NULL ? (size_t)(close - w0 - 2) : 0;
    if (close == NULL || nlen == 0 || nlen >= sizeof s->vars[0].name)
        return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, st->line, "bad variable name in '%.100s'", w0);
    const char *rest = close + 1;
    size_t next = 1;
    if (*rest == '\0' && st->count > 1)
        rest = st->words[next++];
    bool append = rest[0] == '+' && rest[1] == '=';
    bool cond = rest[0] == '?' && rest[1] == '=';
    if (!append && !cond && rest[0] != '=')
        return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, st->line, "expected '=' or '+=' after @{%.*s}",
                    (int)nlen, w0 + 2);
    rest += (append || cond) ? 2 : 1;
    aa_var_t *v = find_var(s, w0 + 2, nlen);
    if (v != NULL && !append && !cond)
        return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, st->line, "variable @{%s} was declared before", v->name);
    if (v == NULL && append)
        return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, st->line, "'+=' to undeclared variable @{%.*s}",
                    (int)nlen, w0 + 2);
    if (v != NULL && cond)
        return 0;
    if (v == NULL) {
        if (s->var_count >= GATE_AA_MAX_VARIABLES)
            return gate_aa_scan_fail(s, DS_ERR_LIMIT, file, st->line, "more than %u variables",
                        GATE_AA_MAX_VARIABLES);
        v = &s->vars[s->var_count++];
        memcpy(v->name, w0 + 2, nlen);
        v->name[nlen] = '\0';
    }
    if (add_value(s, v, rest, file, st->line) != 0)
        return 1;
    for (size_t i = next; i < st->count; i++)
        if (add_value(s, v, st->words[i], file, st->line) != 0)
            return 1;
    if (v->count == 0)
        return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, st->line, "variable @{%s} has no value",
                                 v->name);
    return 0;
}

static const char *const known_flags[] = {
    "debug", "audit", "chroot_relative", "namespace_relative", "mediate_deleted",
    "delegate_deleted", "attach_disconnected", "no_attach_disconnected", "chroot_attach",
    "chroot_no_attach", "interruptible", "attach_disconnected.ipc", NULL};
static const char *const known_prefixes[] = {"attach_disconnected.path=", "kill.signal=",
                                             "error=", "attach_disconnected.ipc=", NULL};

/* One flag of flags=(...) (parser/profile.h, flagvals::init). */
static int flag(aa_scan_t *s, const char *f, size_t n, gate_aa_profile_t *p, bool *moded,
                const char *file, unsigned line)
{
    for (int m = GATE_AA_ENFORCE; m <= GATE_AA_DEFAULT_ALLOW; m++) {
        const char *name = gate_aa_mode_name((gate_aa_mode_t)m);
        if (strlen(name) == n && memcmp(name, f, n) == 0) {
            if (*moded && p->mode != (gate_aa_mode_t)m)
                return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, line, "profile flag '%s' conflicts with '%s'",
                            name, gate_aa_mode_name(p->mode));
            p->mode = (gate_aa_mode_t)m;
            *moded = true;
            return 0;
        }
    }
    for (size_t i = 0; known_flags[i] != NULL; i++)
        if (strlen(known_flags[i]) == n && memcmp(known_flags[i], f, n) == 0)
            return 0;
    for (size_t i = 0; known_prefixes[i] != NULL; i++)
        if (n > strlen(known_prefixes[i]) && memcmp(known_prefixes[i], f, strlen(known_prefixes[i])) == 0)
            return 0;
    return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, line, "invalid profile flag '%.*s'", (int)n, f);
}

int gate_aa_flags(aa_scan_t *s, const char *text, gate_aa_profile_t *p, const char *file,
                 unsigned line)
{
    if (strncmp(text, "flags=", 6) == 0)
        text += 6;
    size_t n = strlen(text);
    if (n < 2 || text[0] != '(' || text[n - 1] != ')')
        return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, line, "malformed flags '%.100s'", text);
    bool moded = false;
    for (size_t i = 1; i < n - 1;) {
        size_t j = i;
        while (j < n - 1 && text[j] != ',' && !gate_aa_blank(text[j]))
            j++;
        if (j > i && flag(s, text + i, j - i, p, &moded, file, line) != 0)
            return 1;
        i = j + 1;
    }
    return 0;
}

