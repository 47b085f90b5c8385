#include "accept.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"

#define ACCEPT_MAX_RULES 10000
#define ACCEPT_LINE_MAX 4096

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* A new zeroed rule at the end of accept->rules (not yet counted), within ACCEPT_MAX_RULES. */
static int rule_slot(ds_accept_t *accept, size_t *capacity, const char *path,
                     ds_accept_rule_t **out, ds_error_t *err)
{
    if (accept->count >= ACCEPT_MAX_RULES)
        return ds_error_set(err, DS_ERR_LIMIT, "accept file %s: more than %d rules", path, ACCEPT_MAX_RULES);
    if (accept->count == *capacity) {
        *capacity = *capacity ? *capacity * 2 : 16;
        ds_accept_rule_t *rules = realloc(accept->rules, *capacity * sizeof *rules);
        if (rules == NULL)
            return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        accept->rules = rules;
    }
    *out = &accept->rules[accept->count];
    memset(*out, 0, sizeof **out);
    return DS_OK;
}

/* LOCATION-GLOB [kind=K] [cause=C]: the glob is everything before the first " kind=" or
 * " cause=" word. */
static int rule_pattern_parse(ds_accept_rule_t *rule, char *text, const char *path,
                              unsigned number, ds_error_t *err)
{
    char *words = trim(text);
    char *kind = strstr(words, " kind="), *cause = strstr(words, " cause=");
    char *end = words + strlen(words);
    if (kind && kind < end)
        end = kind;
    if (cause && cause < end)
        end = cause;
    char *rest = *end ? end + 1 : end;
    *end = '\0';
    rule->glob = strdup(trim(words));
    for (char *word = strtok(rest, " \t"); word != NULL; word = strtok(NULL, " \t")) {
        if (strncmp(word, "kind=", 5) == 0 && word[5] && rule->kind == NULL)
            rule->kind = strdup(word + 5);
        else if (strncmp(word, "cause=", 6) == 0 && word[6] && rule->cause == NULL)
            rule->cause = strdup(word + 6);
        else
            return ds_error_set(err, DS_ERR_FORMAT, "accept file %s, line %u: unexpected \"%s\" (want kind=K or cause=C)",
                                path, number, word);
    }
    return DS_OK;
}

/* One rule line, trimmed and not a comment: PATTERN -- REASON. A rule that was started is
 * counted also when it fails, so that ds_accept_free frees it. */
static int rule_line_parse(ds_accept_t *accept, size_t *capacity, char *text, const char *path,
                           unsigned number, ds_error_t *err)
{
    char *sep = strstr(text, " -- ");
    if (sep == NULL)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "accept file %s, line %u: no \" -- REASON\": every accepted difference needs its reason",
                            path, number);
    *sep = '\0';
    char *reason = trim(sep + 4);
    if (reason[0] == '\0')
        return ds_error_set(err, DS_ERR_FORMAT, "accept file %s, line %u: the reason is empty", path, number);
    ds_accept_rule_t *rule = NULL;
    int rc = rule_slot(accept, capacity, path, &rule, err);
    if (rc != DS_OK)
        return rc;
    rule->line = number;
    rule->reason = strdup(reason);
    rc = rule_pattern_parse(rule, text, path, number, err);
    accept->count++;
    if (rc == DS_OK && (rule->glob == NULL || rule->glob[0] == '\0' || rule->reason == NULL))
        rc = ds_error_set(err, DS_ERR_FORMAT, "accept file %s, line %u: no location pattern", path, number);
    return rc;
}

int ds_accept_load(ds_accept_t *accept, const char *path, ds_error_t *err)
{
    memset(accept, 0, sizeof *accept);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return ds_error_set(err, DS_ERR_IO, "accept file %s: cannot open: %s", path, strerror(errno));
    char line[ACCEPT_LINE_MAX + 2];
    unsigned number = 0;
    int rc = DS_OK;
    size_t capacity = 0;
    while (rc == DS_OK && fgets(line, sizeof line, f) != NULL) {
        number++;
        if (strlen(line) > ACCEPT_LINE_MAX) {
            rc = ds_error_set(err, DS_ERR_FORMAT, "accept file %s, line %u: longer than %d bytes", path, number,
                              ACCEPT_LINE_MAX);
            break;
        }
        char *text = trim(line);
        if (text[0] == '\0' || text[0] == '#')
            continue;
        rc = rule_line_parse(accept, &capacity, text, path, number, err);
    }
    fclose(f);
    if (rc != DS_OK)
        ds_accept_free(accept);
    return rc;
}

ds_accept_rule_t *ds_accept_match(ds_accept_t *accept, const ds_difference_t *d)
{
    if (accept == NULL || accept->count == 0)
        return NULL;
    ds_strbuf_t where = {0};
    for (size_t i = 0; i < d->depth; i++)
        ds_strbuf_printf(&where, "%s%s", i ? " :: " : "", d->location[i]);
    ds_accept_rule_t *found = NULL;
    for (size_t i = 0; i < accept->count && found == NULL; i++) {
        ds_accept_rule_t *r = &accept->rules[i];
        if (r->kind && strcmp(r->kind, ds_kind_name(d->kind)) != 0)
            continue;
        if (r->cause && strcmp(r->cause, d->cause) != 0)
            continue;
        if (fnmatch(r->glob, ds_strbuf_text(&where), 0) == 0)
            found = r;
    }
    ds_strbuf_free(&where);
    if (found != NULL)
        found->matched++;
    return found;
}

void ds_accept_free(ds_accept_t *accept)
{
    for (size_t i = 0; i < accept->count; i++) {
        free(accept->rules[i].glob);
        free(accept->rules[i].kind);
        free(accept->rules[i].cause);
        free(accept->rules[i].reason);
    }
    free(accept->rules);
    memset(accept, 0, sizeof *accept);
}
