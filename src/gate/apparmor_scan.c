/* The AppArmor profile text scanner: words, comments, quotes, blocks, includes, variables, as
 * upstream's lexer tells them apart (parser/parser_lex.l, AppArmor 6.0.0~alpha1, bda75d456):
 * '#' starting a word is a comment unless it is "#include"; a '{' or '}' standing alone is a
 * block, while braces inside a word ("/usr/{bin,sbin}/x", "path=/a/{b,c}") are alternations;
 * a rule ends with a ',' closing a word outside parentheses; includes and @{VAR} assignments
 * end with the line. Profile headers follow parser_yacc.y's profile_base: [profile|hat|^]
 * NAME [ATTACHMENT] [xattrs=(...)] [flags=(...)] '{'. Everything else (rules) is skipped. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apparmor_policy_internal.h"

#define VAR_START "@{"

static void stmt_reset(aa_stmt_t *st)
{
    for (size_t i = 0; i < st->count; i++)
        free(st->words[i]);
    memset(st, 0, sizeof *st);
}

/* The next word into buf (NUL-terminated); returns 1 for a word, 2 for a newline, 0 at the
 * end, -1 after a problem. */
static int next_word(aa_scan_t *s, aa_text_t *t, char *buf)
{
    for (;;) {
        while (t->pos < t->len && gate_aa_blank(t->p[t->pos]))
            t->pos++;
        if (t->pos >= t->len)
            return 0;
        if (t->p[t->pos] == '\n') {
            if (t->pos - t->line_start > GATE_AA_MAX_LINE)
                return gate_aa_scan_fail(s, DS_ERR_LIMIT, t->path, t->line, "line longer than %u bytes",
                            GATE_AA_MAX_LINE), -1;
            t->pos++;
            t->line++;
            t->line_start = t->pos;
            return 2;
        }
        if (t->p[t->pos] == '#' && !(t->len - t->pos > 8 && memcmp(t->p + t->pos, "#include", 8) == 0
                                     && gate_aa_blank(t->p[t->pos + 8]))) {
            while (t->pos < t->len && t->p[t->pos] != '\n')
                t->pos++;
            continue;
        }
        break;
    }
    size_t n = 0;
    unsigned start_line = t->line;
    bool quoted = false;
    while (t->pos < t->len && (quoted || (!gate_aa_blank(t->p[t->pos]) && t->p[t->pos] != '\n'))) {
        char c = t->p[t->pos++];
        if (c == '\0')
            return gate_aa_scan_fail(s, DS_ERR_FORMAT, t->path, t->line, "NUL byte in text"), -1;
        if (n + 2 >= GATE_AA_MAX_WORD)
            return gate_aa_scan_fail(s, DS_ERR_LIMIT, t->path, t->line, "word longer than %u bytes",
                        GATE_AA_MAX_WORD), -1;
        buf[n++] = c;
        if (c == '\n') {
            t->line++;
            t->line_start = t->pos;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == '\\' && t->pos < t->len && t->p[t->pos] != '\n') {
            buf[n++] = t->p[t->pos++];
        }
    }
    if (quoted)
        return gate_aa_scan_fail(s, DS_ERR_FORMAT, t->path, start_line, "unterminated quote"), -1;
    buf[n] = '\0';
    return 1;
}

static int scan_text(aa_scan_t *s, const char *path, const char *text, size_t len);

static bool on_stack(aa_scan_t *s, const char *path)
{
    for (size_t i = 0; i < s->stack_depth; i++)
        if (strcmp(s->stack[i], path) == 0)
            return true;
    return false;
}

static int include_file(aa_scan_t *s, const char *path, bool if_exists, const char *from,
                        unsigned line);

typedef struct dir_walk {
    aa_scan_t *s;
    const char *dir, *from;
    unsigned line;
} dir_walk_t;

static int include_entry(void *arg, const char *name, bool is_dir)
{
    dir_walk_t *d = arg;
    if (is_dir || gate_aa_name_skipped(name))
        return 0;
    char path[GATE_FILES_MAX_PATH];
    if (snprintf(path, sizeof path, "%s/%s", d->dir, name) >= (int)sizeof path)
        return gate_aa_scan_fail(d->s, DS_ERR_LIMIT, d->from, d->line, "include path too long");
    return include_file(d->s, path, true, d->from, d->line);
}

static int include_file(aa_scan_t *s, const char *path, bool if_exists, const char *from,
                        unsigned line)
{
    if (s->stack_depth >= GATE_AA_MAX_INCLUDE_DEPTH)
        return gate_aa_scan_fail(s, DS_ERR_LIMIT, from, line, "includes nested deeper than %u",
                    GATE_AA_MAX_INCLUDE_DEPTH);
    if (++s->includes > GATE_AA_MAX_INCLUDES)
        return gate_aa_scan_fail(s, DS_ERR_LIMIT, from, line, "more than %u includes", GATE_AA_MAX_INCLUDES);
    if (on_stack(s, path))
        return gate_aa_scan_fail(s, DS_ERR_FORMAT, from, line, "include cycle through %s", path);
    if (s->reader == NULL)
        return if_exists ? 0 : gate_aa_scan_fail(s, DS_ERR_IO, from, line, "cannot read include %s", path);
    char *data = NULL;
    size_t len = 0;
    ds_error_t err = {0};
    int rc = s->reader->read(s->reader->ctx, path, &data, &len, &err);
    if (rc == GATE_FILES_NOT_FOUND)
        return if_exists ? 0 : gate_aa_scan_fail(s, DS_ERR_FORMAT, from, line, "include %s not found", path);
    if (rc == GATE_AA_IS_DIRECTORY) {
        dir_walk_t d = {s, path, from, line};
        rc = s->reader->list(s->reader->ctx, path, include_entry, &d, &err);
        if (rc < 0)
            return gate_aa_scan_fail(s, rc, from, line, "include directory %s: %s", path, err.message);
        return s->failed ? 1 : 0;
    }
    if (rc != 0)
        return gate_aa_scan_fail(s, rc, from, line, "include %s: %s", path, err.message);
    rc = scan_text(s, path, data, len);
    free(data);
    return rc;
}

/* include <x>, include "x", include if exists <x>, #include <x>. */
static int include(aa_scan_t *s, aa_stmt_t *st, const char *file)
{
    size_t i = 1;
    bool if_exists = st->count >= 4 && strcmp(st->words[1], "if") == 0 &&
                     strcmp(st->words[2], "exists") == 0;
    if (if_exists)
        i = 3;
    if (st->count != i + 1)
        return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, st->line, "malformed include");
    const char *w = st->words[i];
    size_t n = strlen(w);
    char path[GATE_FILES_MAX_PATH];
    int wrote;
    if (n >= 2 && w[0] == '<' && w[n - 1] == '>') {
        wrote = snprintf(path, sizeof path, "%s/%.*s", GATE_AA_BASE, (int)(n - 2), w + 1);
    } else {
        char *name = gate_aa_unquote(w);
        if (name == NULL)
            return s->nomem = true, 1;
        const char *slash = strrchr(file, '/');
        if (name[0] == '/' || slash == NULL)
            wrote = snprintf(path, sizeof path, "%s", name);
        else
            wrote = snprintf(path, sizeof path, "%.*s/%s", (int)(slash - file), file, name);
        free(name);
    }
    if (wrote < 0 || (size_t)wrote >= sizeof path)
        return gate_aa_scan_fail(s, DS_ERR_LIMIT, file, st->line, "include path too long");
    return include_file(s, path, if_exists, file, st->line);
}

static void collapse_slashes(char *p)
{
    char *out = p;
    for (const char *in = p; *in != '\0'; in++)
        if (!(*in == '/' && out > p && out[-1] == '/'))
            *out++ = *in;
    *out = '\0';
}

static char *expanded(aa_scan_t *s, const char *word, const char *file, unsigned line)
{
    char *raw = gate_aa_unquote(word);
    aa_out_t *o = calloc(1, sizeof *o);
    char *res = NULL;
    if (raw == NULL || o == NULL)
        s->nomem = true;
    else if (gate_aa_expand(s, raw, o, 0, file, line) == 0 && (res = strdup(o->buf)) == NULL)
        s->nomem = true;
    free(raw);
    free(o);
    return res;
}

/* The rest of a profile header after its name: attachment, xattrs, flags. */
static int header_rest(aa_scan_t *s, aa_stmt_t *st, size_t i, gate_aa_profile_t *p,
                       const char *file, char **attach)
{
    for (; i < st->count; i++) {
        const char *w = st->words[i];
        if (strncmp(w, "flags=", 6) == 0 || w[0] == '(' || strncmp(w, "xattrs=", 7) == 0) {
            char buf[GATE_AA_MAX_WORD];
            size_t n = 0;
            int depth = 0;
            for (; i < st->count; i++) {
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? " " : "", st->words[i]);
                for (const char *c = st->words[i]; *c; c++)
                    depth += *c == '(' ? 1 : *c == ')' ? -1 : 0;
                if (depth <= 0 || n >= sizeof buf - 1)
                    break;
            }
            if (strncmp(w, "xattrs=", 7) != 0 && gate_aa_flags(s, buf, p, file, st->line) != 0)
                return 1;
        } else if (strncmp(w, "priority=", 9) == 0) {
            continue;
        } else if (*attach == NULL && (w[0] == '/' || w[0] == '"' || strncmp(w, VAR_START, 2) == 0)) {
            if ((*attach = expanded(s, w, file, st->line)) == NULL)
                return 1;
        } else {
            return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, st->line, "unexpected '%.100s' in profile header", w);
        }
    }
    return 0;
}

static long parent_profile(const aa_scan_t *s)
{
    for (size_t i = s->depth; i-- > 0;)
        if (s->blocks[i].profile >= 0)
            return s->blocks[i].profile;
    return -1;
}

/* A profile header before '{': fills a new profile; returns 0 or 1 after a problem. */
static int profile_open(aa_scan_t *s, aa_stmt_t *st, size_t name_at, bool hat, const char *file,
                        long *index)
{
    if (name_at >= st->count || st->overflow)
        return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, st->line, "profile header without a name");
    const char *w = st->words[name_at];
    if (hat && w[0] == '^')
        w++;
    char *attach = NULL, *name = expanded(s, w, file, st->line);
    gate_aa_profile_t *p = name != NULL ? gate_aa_profile_add(s->policy) : NULL;
    if (p == NULL) {
        s->nomem = s->nomem || name != NULL;
        free(name);
        return 1;
    }
    p->line = st->line;
    p->file = strdup(file);
    if (header_rest(s, st, name_at + 1, p, file, &attach) != 0 || p->file == NULL) {
        free(name);
        free(attach);
        s->nomem = s->nomem || p->file == NULL;
        return 1;
    }
    long parent = parent_profile(s);
    if (parent >= 0) {
        const char *pn = s->policy->profiles[parent].name;
        size_t need = strlen(pn) + strlen(name) + 3;
        p->name = malloc(need);
        if (p->name != NULL)
            snprintf(p->name, need, "%s//%s", pn, name);
        free(name);
        p->child = !hat;
        p->hat = hat;
    } else {
        p->name = name;
        p->hat = hat;
    }
    if (attach == NULL && parent < 0 && p->name != NULL && p->name[0] == '/')
        attach = strdup(p->name);
    p->attachment = attach;
    if (p->name == NULL)
        return s->nomem = true, 1;
    p->disabled = (s->flags & GATE_AA_FILE_DISABLED) != 0;
    if (s->flags & GATE_AA_FILE_FORCE_COMPLAIN) {
        p->forced_complain = true;
        p->mode = GATE_AA_COMPLAIN;
    }
    if (attach != NULL) {
        collapse_slashes(attach);
        ds_error_t err = {0};
        int rc = gate_aa_glob_compile(&p->glob, attach, &err);
        if (rc != 0)
            return gate_aa_scan_fail(s, rc, file, st->line, "profile %s: %s", p->name, err.message);
    }
    *index = (long)(p - s->policy->profiles);
    return 0;
}

static int block_open(aa_scan_t *s, aa_stmt_t *st, const char *file)
{
    if (s->depth >= GATE_AA_MAX_BLOCKS)
        return gate_aa_scan_fail(s, DS_ERR_LIMIT, file, st->line, "blocks nested deeper than %u",
                    GATE_AA_MAX_BLOCKS);
    long index = -1;
    int rc = 0;
    const char *w0 = st->count > 0 ? st->words[0] : "";
    bool in_profile = parent_profile(s) >= 0;
    if (strcmp(w0, "profile") == 0)
        rc = profile_open(s, st, 1, false, file, &index);
    else if (strcmp(w0, "hat") == 0 || strcmp(w0, "^") == 0)
        rc = profile_open(s, st, 1, true, file, &index);
    else if (w0[0] == '^')
        rc = profile_open(s, st, 0, true, file, &index);
    else if (!in_profile && (w0[0] == '/' || w0[0] == '"' || w0[0] == ':' || strncmp(w0, VAR_START, 2) == 0))
        rc = profile_open(s, st, 0, false, file, &index);
    if (rc != 0)
        return rc;
    s->blocks[s->depth].profile = index;
    s->blocks[s->depth++].line = st->line;
    return 0;
}

static bool ends_line(const aa_stmt_t *st)
{
    if (st->count == 0)
        return false;
    const char *w0 = st->words[0];
    if (strcmp(w0, "include") == 0 || strcmp(w0, "#include") == 0 || w0[0] == '$')
        return true;
    if (strncmp(w0, VAR_START, 2) != 0)
        return false;
    const char *close = strchr(w0, '}');
    const char *next = close != NULL && close[1] != '\0' ? close + 1 : st->count > 1 ? st->words[1] : "";
    return next[0] == '=' || ((next[0] == '+' || next[0] == '?') && next[1] == '=');
}

static int line_statement(aa_scan_t *s, aa_stmt_t *st, const char *file)
{
    const char *w0 = st->words[0];
    if (w0[0] == '$')
        return 0;
    if (w0[0] == '@')
        return gate_aa_assign(s, st, file);
    return include(s, st, file);
}

static int word(aa_scan_t *s, aa_stmt_t *st, const char *w, const char *file, unsigned line)
{
    if (st->parens <= 0 && strcmp(w, "{") == 0) {
        int rc = block_open(s, st, file);
        stmt_reset(st);
        return rc;
    }
    if (st->parens <= 0 && strcmp(w, "}") == 0) {
        stmt_reset(st);
        if (s->depth == 0)
            return gate_aa_scan_fail(s, DS_ERR_FORMAT, file, line, "'}' closes no block");
        s->depth--;
        return 0;
    }
    if (st->count == 0)
        st->line = line;
    if (st->count < GATE_AA_MAX_WORDS) {
        if ((st->words[st->count] = strdup(w)) == NULL)
            return s->nomem = true, 1;
        st->count++;
    } else {
        st->overflow = true;
    }
    bool quoted = false;
    for (const char *c = w; *c; c++) {
        if (*c == '\\' && c[1] != '\0')
            c++;
        else if (*c == '"')
            quoted = !quoted;
        else if (!quoted)
            st->parens += *c == '(' ? 1 : *c == ')' ? -1 : 0;
    }
    size_t n = strlen(w);
    if (st->parens <= 0 && n > 0 && w[n - 1] == ',' && !ends_line(st))
        stmt_reset(st); /* a rule, abi or alias: skipped */
    return 0;
}

static int scan_text(aa_scan_t *s, const char *path, const char *text, size_t len)
{
    aa_text_t t = {.path = path, .p = text, .len = len, .line = 1};
    aa_stmt_t st;
    memset(&st, 0, sizeof st);
    char *buf = malloc(GATE_AA_MAX_WORD);
    if (buf == NULL)
        return s->nomem = true, 1;
    s->stack[s->stack_depth++] = path;
    size_t depth_at_start = s->depth;
    int rc = 0;
    for (int k; rc == 0 && (k = next_word(s, &t, buf)) != 0;) {
        if (k < 0)
            rc = 1;
        else if (k == 2 && ends_line(&st)) {
            rc = line_statement(s, &st, path);
            stmt_reset(&st);
        } else if (k == 1)
            rc = word(s, &st, buf, path, t.line);
    }
    if (rc == 0 && ends_line(&st))
        rc = line_statement(s, &st, path);
    if (rc == 0 && s->depth > depth_at_start)
        rc = gate_aa_scan_fail(s, DS_ERR_FORMAT, path, s->blocks[s->depth - 1].line, "'{' never closed");
    if (rc == 0 && st.count > 0 && depth_at_start == 0)
        rc = gate_aa_scan_fail(s, DS_ERR_FORMAT, path, st.line, "statement '%.60s' not ended", st.words[0]);
    stmt_reset(&st);
    free(buf);
    s->stack_depth--;
    return rc || s->failed ? 1 : 0;
}

int gate_aa_policy_parse(gate_aa_policy_t *policy, const char *path, const char *text,
                         size_t len, const gate_aa_reader_t *reader, unsigned file_flags,
                         ds_error_t *err)
{
    aa_scan_t *s = calloc(1, sizeof *s);
    aa_var_t *vars = calloc(GATE_AA_MAX_VARIABLES, sizeof *vars);
    if (s == NULL || vars == NULL) {
        free(s);
        free(vars);
        return ds_error_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
    }
    s->policy = policy;
    s->reader = reader;
    s->flags = file_flags;
    s->vars = vars;
    size_t first = policy->count;
    scan_text(s, path, text, len);
    if (s->failed)
        gate_aa_profiles_truncate(policy, first); /* as apparmor_parser: no profile of a bad file */
    bool nomem = s->nomem;
    for (size_t i = 0; i < s->var_count; i++)
        for (size_t j = 0; j < vars[i].count; j++)
            free(vars[i].values[j]);
    free(vars);
    free(s);
    return nomem ? ds_error_set(err, DS_ERR_NOMEM, "%s: out of memory", path) : 0;
}
