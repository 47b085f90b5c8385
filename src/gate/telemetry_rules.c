#define _GNU_SOURCE
#include "telemetry_rules.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hello.h"
#include "kconfig.h"

bool gate_tel_parse_cidr(const char *text, gate_addr_t *net, unsigned *prefix)
{
    char buf[64];
    const char *slash = strchr(text, '/');
    size_t al = slash ? (size_t)(slash - text) : strlen(text);
    if (al == 0 || al >= sizeof buf)
        return false;
    memcpy(buf, text, al);
    buf[al] = '\0';
    memset(net, 0, sizeof *net);
    if (inet_pton(AF_INET, buf, net->bytes) == 1)
        net->family = 4;
    else if (inet_pton(AF_INET6, buf, net->bytes) == 1)
        net->family = 6;
    else
        return false;
    unsigned max = net->family == 4 ? 32 : 128;
    *prefix = max;
    if (slash != NULL) {
        char *end = NULL;
        unsigned long n = strtoul(slash + 1, &end, 10);
        if (end == slash + 1 || *end != '\0' || n > max)
            return false;
        *prefix = (unsigned)n;
    }
    for (unsigned bit = *prefix; bit < max; bit++) /* clear the host bits */
        net->bytes[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
    return true;
}

static bool addr_in(const gate_addr_t *a, const gate_tel_entry_t *e)
{
    if (a->family != e->net.family)
        return false;
    unsigned full = e->prefix / 8, rest = e->prefix % 8;
    if (memcmp(a->bytes, e->net.bytes, full) != 0)
        return false;
    return rest == 0 || ((a->bytes[full] ^ e->net.bytes[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

gate_tel_entry_t *gate_tel_match_addr(gate_tel_entry_t *list, size_t count, const gate_addr_t *a)
{
    gate_tel_entry_t *best = NULL;
    for (size_t i = 0; i < count; i++)
        if (list[i].is_range && addr_in(a, &list[i]) && (best == NULL || list[i].prefix > best->prefix))
            best = &list[i];
    return best;
}

gate_tel_entry_t *gate_tel_match_name(gate_tel_entry_t *list, size_t count, const char *name)
{
    gate_tel_entry_t *best = NULL;
    size_t nl = strlen(name), bl = 0;
    for (size_t i = 0; i < count; i++) {
        if (list[i].is_range)
            continue;
        size_t pl = strlen(list[i].pattern);
        if (pl > nl || strcmp(name + nl - pl, list[i].pattern) != 0 || (pl < nl && name[nl - pl - 1] != '.'))
            continue;
        if (best == NULL || pl > bl) {
            best = &list[i];
            bl = pl;
        }
    }
    return best;
}

static size_t org_index(gate_tel_rules_t *r, const char *name)
{
    for (size_t i = 0; i < r->org_count; i++)
        if (strcmp(r->orgs[i], name) == 0)
            return i;
    char **grown = realloc(r->orgs, (r->org_count + 1) * sizeof *grown);
    if (grown == NULL)
        return (size_t)-2;
    r->orgs = grown;
    if ((r->orgs[r->org_count] = strdup(name)) == NULL)
        return (size_t)-2;
    return r->org_count++;
}

/* Appends an entry for pattern (a suffix or a CIDR) to the listed or the allowed list. */
static int add_entry(gate_tel_rules_t *r, bool allow, const char *pattern, size_t org, const char *note,
                     const char *file, unsigned line, ds_error_t *err)
{
    gate_tel_entry_t **list = allow ? &r->allowed : &r->listed;
    size_t *count = allow ? &r->allowed_count : &r->listed_count;
    if (r->listed_count + r->allowed_count >= GATE_TEL_RULES_MAX)
        return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: more than %u rules", file, line, GATE_TEL_RULES_MAX);
    gate_tel_entry_t e = {.org = org};
    char name[GATE_NAME_MAX];
    if (strchr(pattern, '/') != NULL || strchr(pattern, ':') != NULL || gate_tel_parse_cidr(pattern, &e.net, &e.prefix)) {
        if (!gate_tel_parse_cidr(pattern, &e.net, &e.prefix))
            return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: '%s' is not an address range (a.b.c.d/n or x::/n)", file, line, pattern);
        e.is_range = true;
    } else if (!gate_name_normalize(pattern, strlen(pattern), name)) {
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: '%s' is not a domain name", file, line, pattern);
    } else {
        pattern = name;
    }
    gate_tel_entry_t *grown = realloc(*list, (*count + 1) * sizeof *grown);
    if (grown == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "%s:%u: out of memory", file, line);
    *list = grown;
    e.pattern = strdup(pattern);
    e.source = strdup(note ? note : "");
    if (asprintf(&e.where, "%s:%u", file, line) < 0)
        e.where = NULL;
    if (e.pattern == NULL || e.source == NULL || e.where == NULL) {
        free(e.pattern), free(e.source), free(e.where);
        return ds_error_set(err, DS_ERR_NOMEM, "%s:%u: out of memory", file, line);
    }
    (*list)[(*count)++] = e;
    return DS_OK;
}

/* Splits a line into its keyword and the rest, both trimmed (in place). */
static void split_word(char *line, char **word, char **rest)
{
    while (*line == ' ' || *line == '\t')
        line++;
    *word = line;
    while (*line && *line != ' ' && *line != '\t')
        line++;
    if (*line)
        *line++ = '\0';
    while (*line == ' ' || *line == '\t')
        line++;
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
        line[--n] = '\0';
    *rest = line;
}

typedef int (*line_fn)(gate_tel_rules_t *r, char *line, const char *file, unsigned no, void *state, ds_error_t *err);

static int each_line(gate_tel_rules_t *r, const char *file, const char *text, size_t len, line_fn fn, void *state,
                     ds_error_t *err)
{
    gate_text_cursor_t cur;
    gate_text_cursor_init(&cur, text, len);
    const char *start;
    size_t ll;
    char line[GATE_TEL_RULE_LINE_MAX];
    while (gate_text_next_line(&cur, &start, &ll)) {
        if (ll >= sizeof line)
            return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: line longer than %u bytes", file, cur.line, GATE_TEL_RULE_LINE_MAX);
        memcpy(line, start, ll);
        line[ll] = '\0';
        if (memchr(line, '\0', ll) != NULL)
            return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: a NUL byte", file, cur.line);
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        int rc = fn(r, p, file, cur.line, state, err);
        if (rc != DS_OK)
            return rc;
    }
    return DS_OK;
}

typedef struct rules_state {
    size_t org;   /* current organisation, (size_t)-1 before the first */
    char source[GATE_TEL_RULE_LINE_MAX];
} rules_state_t;

static int rules_line(gate_tel_rules_t *r, char *line, const char *file, unsigned no, void *arg, ds_error_t *err)
{
    rules_state_t *st = arg;
    char *word, *rest;
    split_word(line, &word, &rest);
    if (*rest == '\0')
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: '%s' needs a value", file, no, word);
    if (strcmp(word, "org") == 0) {
        st->org = org_index(r, rest);
        st->source[0] = '\0';
        return st->org == (size_t)-2 ? ds_error_set(err, DS_ERR_NOMEM, "%s:%u: out of memory", file, no) : DS_OK;
    }
    if (strcmp(word, "source") == 0) {
        snprintf(st->source, sizeof st->source, "%s", rest);
        return DS_OK;
    }
    if (strcmp(word, "domain") != 0 && strcmp(word, "range") != 0)
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: unknown keyword '%s' (org, source, domain, range)", file, no, word);
    if (st->org == (size_t)-1)
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: '%s' before any 'org' line", file, no, word);
    if (st->source[0] == '\0')
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: '%s' without a 'source' line in its org", file, no, word);
    if (strchr(rest, ' ') || strchr(rest, '\t'))
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: one %s per line", file, no, word);
    bool range = strcmp(word, "range") == 0;
    gate_addr_t net;
    unsigned prefix;
    if (range != gate_tel_parse_cidr(rest, &net, &prefix))
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: '%s' is not %s", file, no, rest,
                            range ? "an address range (a.b.c.d/n or x::/n)" : "a domain name");
    return add_entry(r, false, rest, st->org, st->source, file, no, err);
}

int gate_tel_rules_parse(gate_tel_rules_t *r, const char *file, const char *text, size_t len, ds_error_t *err)
{
    rules_state_t st = {.org = (size_t)-1};
    return each_line(r, file, text, len, rules_line, &st, err);
}

static int allow_line(gate_tel_rules_t *r, char *line, const char *file, unsigned no, void *arg, ds_error_t *err)
{
    (void)arg;
    char *sep = strstr(line, " -- ");
    if (sep == NULL)
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: wants 'NAME-OR-RANGE -- reason'", file, no);
    *sep = '\0';
    char *reason = sep + 4, *pattern, *extra;
    while (*reason == ' ')
        reason++;
    split_word(line, &pattern, &extra);
    if (*extra != '\0')
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: one name or range before ' -- '", file, no);
    if (*reason == '\0')
        return ds_error_set(err, DS_ERR_FORMAT, "%s:%u: an allowed endpoint needs a reason after ' -- '", file, no);
    return add_entry(r, true, pattern, (size_t)-1, reason, file, no, err);
}

int gate_tel_allow_parse(gate_tel_rules_t *r, const char *file, const char *text, size_t len, ds_error_t *err)
{
    return each_line(r, file, text, len, allow_line, NULL, err);
}

static void free_list(gate_tel_entry_t *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(l[i].pattern);
        free(l[i].source);
        free(l[i].where);
    }
    free(l);
}

void gate_tel_rules_free(gate_tel_rules_t *r)
{
    for (size_t i = 0; i < r->org_count; i++)
        free(r->orgs[i]);
    free(r->orgs);
    free_list(r->listed, r->listed_count);
    free_list(r->allowed, r->allowed_count);
    memset(r, 0, sizeof *r);
}
