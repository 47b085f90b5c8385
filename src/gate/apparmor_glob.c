/* AppArmor AARE globs, as apparmor.d(5) describes them and as the parser converts them
 * (parser/parser_regex.c, convert_aaregex_to_pcre, AppArmor 6.0.0~alpha1 read at bda75d456):
 *   *      any characters but '/' (zero or more); '**' any characters including '/';
 *          a '*' or '**' that is a whole path component (after a '/', before a '/' or the
 *          end) needs at least one character: "/x/" followed by '*' does not match "/x/"
 *   ?      one character but '/';  [abc] [a-z] [^abc]: one character of (not of) the set
 *   {a,b}  alternation, nested, alternatives may be empty and hold globs; "{a}" is an error
 *   \c     c literally
 * The pattern is compiled to a small node list and matched by dynamic programming over
 * (node, path offset): every move goes forward in the node list or the path, so the work is at
 * most nodes x path length (GATE_AA_GLOB_MAX_STATES), never exponential. */
#include "apparmor_glob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GATE_AA_GLOB_MAX_PATTERN 8192u      /* bytes of one (expanded) pattern */
#define GATE_AA_GLOB_MAX_DEPTH 50u          /* nested {}: the parser's MAX_ALT_DEPTH */
#define GATE_AA_GLOB_MAX_PATH 4096u         /* bytes of a path matched */
#define GATE_AA_GLOB_MAX_STATES (1u << 23)  /* nodes x (path length + 1) of one match */

#define GROUP_OPEN '{'
#define GROUP_CLOSE '}'

enum node_kind { N_LIT, N_ANY, N_CLASS, N_STAR, N_STAR2, N_OPEN, N_SEP, N_CLOSE, N_END };

typedef struct node {
    uint8_t kind;
    uint8_t c;       /* N_LIT */
    uint32_t link;   /* N_OPEN, N_SEP: the next N_SEP of the group, or its N_CLOSE */
    uint32_t close;  /* N_SEP: the group's N_CLOSE */
    uint32_t cls;    /* N_CLASS: index of its set */
} node_t;

typedef struct class_set {
    uint8_t bits[32];
} class_set_t;

struct gate_aa_glob {
    node_t *nodes;
    size_t count;
    class_set_t *sets;
    size_t set_count;
    bool literal;
    size_t min_length;
};

typedef struct compiler {
    gate_aa_glob_t *g;
    const char *pattern;
    size_t pos;
    ds_error_t *err;
    uint32_t open[GATE_AA_GLOB_MAX_DEPTH], last[GATE_AA_GLOB_MAX_DEPTH], alts[GATE_AA_GLOB_MAX_DEPTH];
    size_t depth;
} compiler_t;

static int bad(compiler_t *c, const char *what)
{
    return ds_error_set(c->err, DS_ERR_FORMAT, "apparmor glob '%.200s': %s at offset %zu",
                        c->pattern, what, c->pos);
}

static uint32_t emit(compiler_t *c, uint8_t kind, uint8_t ch)
{
    node_t *n = &c->g->nodes[c->g->count];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->c = ch;
    if (kind != N_LIT && kind != N_END)
        c->g->literal = false;
    return (uint32_t)c->g->count++;
}

static void set_bit(class_set_t *s, unsigned ch)
{
    s->bits[ch >> 3] |= (uint8_t)(1u << (ch & 7));
}

static bool has_bit(const class_set_t *s, unsigned ch)
{
    return (s->bits[ch >> 3] >> (ch & 7)) & 1u;
}

/* [...] starting at c->pos (the '['); leaves c->pos on the closing ']'. */
static int compile_class(compiler_t *c)
{
    const char *p = c->pattern;
    size_t i = c->pos + 1;
    bool negate = p[i] == '^';
    if (negate)
        i++;
    class_set_t set;
    memset(&set, 0, sizeof set);
    size_t members = 0;
    for (; p[i] != '\0' && p[i] != ']'; i++) {
        unsigned lo = (unsigned char)p[i];
        if (lo == '\\') {
            if (p[i + 1] == '\0')
                break;
            lo = (unsigned char)p[++i];
        }
        unsigned hi = lo;
        if (p[i + 1] == '-' && p[i + 2] != ']' && p[i + 2] != '\0') {
            i += 2;
            hi = (unsigned char)p[i];
            if (hi == '\\' && p[i + 1] != '\0')
                hi = (unsigned char)p[++i];
            if (hi < lo)
                return bad(c, "reversed range in []");
        }
        for (unsigned ch = lo; ch <= hi; ch++)
            set_bit(&set, ch);
        members++;
    }
    if (p[i] != ']')
        return bad(c, "unclosed [");
    if (members == 0)
        return bad(c, "empty []");
    if (negate)
        for (size_t b = 0; b < sizeof set.bits; b++)
            set.bits[b] = (uint8_t)~set.bits[b];
    set.bits[0] &= 0xfe; /* never NUL */
    uint32_t n = emit(c, N_CLASS, 0);
    c->g->nodes[n].cls = (uint32_t)c->g->set_count;
    c->g->sets[c->g->set_count++] = set;
    c->pos = i;
    return 0;
}

/* One run of '*' at c->pos; leaves c->pos on its last '*'. */
static void compile_stars(compiler_t *c)
{
    const char *p = c->pattern;
    size_t end = c->pos;
    while (p[end] == '*')
        end++;
    bool after_slash = c->g->count > 0 && c->g->nodes[c->g->count - 1].kind == N_LIT &&
                       c->g->nodes[c->g->count - 1].c == '/';
    if (after_slash && (p[end] == '/' || p[end] == '\0'))
        emit(c, N_ANY, 0); /* a whole component: at least one character */
    for (size_t i = c->pos; i < end;) {
        if (i + 1 < end) {
            emit(c, N_STAR2, 0);
            i += 2;
        } else {
            emit(c, N_STAR, 0);
            i++;
        }
    }
    c->pos = end - 1;
}

static int compile_group(compiler_t *c, char ch)
{
    if (ch == GROUP_OPEN) {
        if (c->depth + 1 >= GATE_AA_GLOB_MAX_DEPTH)
            return bad(c, "alternations nested too deeply");
        uint32_t n = emit(c, N_OPEN, 0);
        c->open[c->depth] = c->last[c->depth] = n;
        c->alts[c->depth++] = 0;
        return 0;
    }
    if (c->depth == 0)
        return bad(c, "alternation closed but never opened");
    size_t d = c->depth - 1;
    if (ch == ',') {
        uint32_t n = emit(c, N_SEP, 0);
        c->g->nodes[c->last[d]].link = n;
        c->last[d] = n;
        c->alts[d]++;
        return 0;
    }
    if (c->alts[d] == 0)
        return bad(c, "alternation with a single item");
    uint32_t close = emit(c, N_CLOSE, 0);
    c->g->nodes[c->last[d]].link = close;
    for (uint32_t s = c->g->nodes[c->open[d]].link; s != close; s = c->g->nodes[s].link)
        c->g->nodes[s].close = close;
    c->depth--;
    return 0;
}

static int compile_one(compiler_t *c)
{
    char ch = c->pattern[c->pos];
    switch (ch) {
    case '\\':
        if (c->pattern[c->pos + 1] == '\0')
            return bad(c, "trailing '\\'");
        emit(c, N_LIT, (uint8_t)c->pattern[++c->pos]);
        return 0;
    case '*':
        compile_stars(c);
        return 0;
    case '?':
        emit(c, N_ANY, 0);
        return 0;
    case '[':
        return compile_class(c);
    case ']':
        return bad(c, "']' with no '['");
    case GROUP_OPEN:
    case GROUP_CLOSE:
        return compile_group(c, ch);
    case ',':
        if (c->depth > 0)
            return compile_group(c, ch);
        emit(c, N_LIT, ',');
        return 0;
    default:
        emit(c, N_LIT, (uint8_t)ch);
        return 0;
    }
}

static void compute_min_length(gate_aa_glob_t *g)
{
    size_t *minf = calloc(g->count, sizeof *minf);
    if (minf == NULL) {
        g->min_length = 0;
        return;
    }
    for (size_t i = g->count; i-- > 0;) {
        const node_t *n = &g->nodes[i];
        switch (n->kind) {
        case N_END: minf[i] = 0; break;
        case N_LIT: case N_ANY: case N_CLASS: minf[i] = 1 + minf[i + 1]; break;
        case N_STAR: case N_STAR2: case N_CLOSE: minf[i] = minf[i + 1]; break;
        case N_SEP: minf[i] = minf[n->close + 1]; break;
        case N_OPEN:
            minf[i] = minf[i + 1];
            for (uint32_t s = n->link; g->nodes[s].kind == N_SEP; s = g->nodes[s].link)
                if (minf[s + 1] < minf[i])
                    minf[i] = minf[s + 1];
            break;
        }
    }
    g->min_length = minf[0];
    free(minf);
}

int gate_aa_glob_compile(gate_aa_glob_t **out, const char *pattern, ds_error_t *err)
{
    *out = NULL;
    size_t len = strlen(pattern);
    if (len > GATE_AA_GLOB_MAX_PATTERN)
        return ds_error_set(err, DS_ERR_LIMIT, "apparmor glob of %zu bytes: over the limit of %u",
                            len, GATE_AA_GLOB_MAX_PATTERN);
    gate_aa_glob_t *g = calloc(1, sizeof *g);
    if (g != NULL) {
        g->nodes = calloc(2 * len + 2, sizeof *g->nodes);
        g->sets = calloc(len + 1, sizeof *g->sets);
    }
    if (g == NULL || g->nodes == NULL || g->sets == NULL) {
        gate_aa_glob_free(g);
        return ds_error_set(err, DS_ERR_NOMEM, "apparmor glob: out of memory");
    }
    g->literal = true;
    compiler_t c = {.g = g, .pattern = pattern, .err = err};
    int rc = 0;
    for (; rc == 0 && c.pos < len; c.pos++)
        rc = compile_one(&c);
    if (rc == 0 && c.depth > 0)
        rc = bad(&c, "unclosed alternation");
    if (rc != 0) {
        gate_aa_glob_free(g);
        return rc;
    }
    emit(&c, N_END, 0);
    compute_min_length(g);
    *out = g;
    return 0;
}

void gate_aa_glob_free(gate_aa_glob_t *glob)
{
    if (glob == NULL)
        return;
    free(glob->nodes);
    free(glob->sets);
    free(glob);
}

bool gate_aa_glob_is_literal(const gate_aa_glob_t *glob)
{
    return glob->literal;
}

/* Whether node n consumes path[si] and moves on to n + 1 (not a star's loop). */
static bool takes(const gate_aa_glob_t *g, const node_t *n, const char *path, size_t si, size_t len)
{
    if (si >= len)
        return false;
    unsigned ch = (unsigned char)path[si];
    switch (n->kind) {
    case N_LIT: return ch == n->c;
    case N_ANY: return ch != '/';
    case N_CLASS: return has_bit(&g->sets[n->cls], ch);
    default: return false;
    }
}

static bool loops(const node_t *n, const char *path, size_t si, size_t len)
{
    return si < len && (n->kind == N_STAR2 || (n->kind == N_STAR && path[si] != '/'));
}

/* ok[i][si]: the rest of the path from si matches the pattern from node i. */
static void fill_ok(const gate_aa_glob_t *g, const char *path, size_t len, uint8_t *ok)
{
    size_t w = len + 1;
    for (size_t si = len + 1; si-- > 0;) {
        for (size_t i = g->count; i-- > 0;) {
            const node_t *n = &g->nodes[i];
            uint8_t v = 0;
            switch (n->kind) {
            case N_END: v = si == len; break;
            case N_LIT: case N_ANY: case N_CLASS:
                v = takes(g, n, path, si, len) && ok[(i + 1) * w + si + 1];
                break;
            case N_STAR: case N_STAR2:
                v = ok[(i + 1) * w + si] || (loops(n, path, si, len) && ok[i * w + si + 1]);
                break;
            case N_SEP: v = ok[(n->close + 1) * w + si]; break;
            case N_CLOSE: v = ok[(i + 1) * w + si]; break;
            case N_OPEN:
                v = ok[(i + 1) * w + si];
                for (uint32_t s = n->link; !v && g->nodes[s].kind == N_SEP; s = g->nodes[s].link)
                    v = ok[(s + 1) * w + si];
                break;
            }
            ok[i * w + si] = v;
        }
    }
}

/* The kernel's count: the most path characters a successful match consumes before a star
 * first loops (the whole length when no star consumes anything). reach marks the states
 * reached from the start without a star looping. */
static size_t leading_count(const gate_aa_glob_t *g, const char *path, size_t len,
                            const uint8_t *ok, uint8_t *reach)
{
    size_t w = len + 1, best = 0;
    reach[0] = 1;
    for (size_t si = 0; si <= len; si++) {
        for (size_t i = 0; i < g->count; i++) {
            if (!reach[i * w + si] || !ok[i * w + si])
                continue;
            const node_t *n = &g->nodes[i];
            switch (n->kind) {
            case N_END: best = len; break;
            case N_LIT: case N_ANY: case N_CLASS:
                if (takes(g, n, path, si, len))
                    reach[(i + 1) * w + si + 1] = 1;
                break;
            case N_STAR: case N_STAR2:
                reach[(i + 1) * w + si] = 1;
                if (loops(n, path, si, len) && ok[i * w + si + 1] && si > best)
                    best = si;
                break;
            case N_SEP: reach[(n->close + 1) * w + si] = 1; break;
            case N_CLOSE: reach[(i + 1) * w + si] = 1; break;
            case N_OPEN:
                reach[(i + 1) * w + si] = 1;
                for (uint32_t s = n->link; g->nodes[s].kind == N_SEP; s = g->nodes[s].link)
                    reach[(s + 1) * w + si] = 1;
                break;
            }
        }
    }
    return best;
}

int gate_aa_glob_test(const gate_aa_glob_t *glob, const char *path, gate_aa_match_t *how,
                      ds_error_t *err)
{
    size_t len = strlen(path);
    if (len > GATE_AA_GLOB_MAX_PATH || glob->count > GATE_AA_GLOB_MAX_STATES / (len + 1))
        return ds_error_set(err, DS_ERR_LIMIT,
                            "apparmor glob: matching %zu nodes against a path of %zu bytes is over "
                            "the limit of %u states", glob->count, len, GATE_AA_GLOB_MAX_STATES);
    size_t states = glob->count * (len + 1);
    uint8_t *ok = calloc(states, 1), *reach = calloc(states, 1);
    if (ok == NULL || reach == NULL) {
        free(ok);
        free(reach);
        return ds_error_set(err, DS_ERR_NOMEM, "apparmor glob: out of memory");
    }
    fill_ok(glob, path, len, ok);
    int matched = ok[0];
    if (matched && how != NULL) {
        how->literal = glob->literal;
        how->count = leading_count(glob, path, len, ok, reach);
        how->min_length = glob->min_length;
        how->specificity = how->count > how->min_length ? how->count : how->min_length;
    }
    free(ok);
    free(reach);
    return matched;
}

int gate_aa_glob_match(const char *pattern, const char *path, gate_aa_match_t *how,
                       ds_error_t *err)
{
    gate_aa_glob_t *g = NULL;
    int rc = gate_aa_glob_compile(&g, pattern, err);
    if (rc != 0)
        return rc;
    rc = gate_aa_glob_test(g, path, how, err);
    gate_aa_glob_free(g);
    return rc;
}
