/* The AppArmor policy: profiles and problems, the image loader (apparmor_parser's directory
 * load: parser/parser_main.c profile_dir_cb skips directories and the names libapparmor's
 * _aa_is_blacklisted skips, libraries/libapparmor/src/private.c; test_for_dir_mode reads
 * disable/ and force-complain/), and attachment as the kernel chooses it (find_attach in
 * security/apparmor/domain.c: an exact name match without a pattern wins; otherwise the
 * longest match, max(count, xmatch_len); two equal ones are a conflict and neither
 * attaches). AppArmor 6.0.0~alpha1 (bda75d456) read for the parser and libapparmor. */
#include "apparmor_policy_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GATE_AA_MAX_PROFILES 65536u        /* profiles kept from one image */
#define GATE_AA_MAX_PROBLEMS 4096u         /* problems kept (more are counted in the last) */
#define GATE_AA_MAX_FILE (4u << 20)        /* bytes of one profile or include file */
#define GATE_AA_DIR "/etc/apparmor.d"

static const char *const mode_names[] = {"enforce", "complain", "kill", "unconfined", "prompt",
                                         "default_allow"};

const char *gate_aa_mode_name(gate_aa_mode_t mode)
{
    return (unsigned)mode < sizeof mode_names / sizeof mode_names[0] ? mode_names[mode] : "?";
}

void gate_aa_policy_init(gate_aa_policy_t *policy)
{
    memset(policy, 0, sizeof *policy);
}

static void profile_free(gate_aa_profile_t *p)
{
    free(p->name);
    free(p->attachment);
    gate_aa_glob_free(p->glob);
    free(p->file);
    memset(p, 0, sizeof *p);
}

void gate_aa_profiles_truncate(gate_aa_policy_t *policy, size_t from)
{
    while (policy->count > from)
        profile_free(&policy->profiles[--policy->count]);
}

void gate_aa_policy_free(gate_aa_policy_t *policy)
{
    gate_aa_profiles_truncate(policy, 0);
    free(policy->profiles);
    for (size_t i = 0; i < policy->problem_count; i++)
        free(policy->problems[i].message);
    free(policy->problems);
    memset(policy, 0, sizeof *policy);
}

gate_aa_profile_t *gate_aa_profile_add(gate_aa_policy_t *policy)
{
    if (policy->count >= GATE_AA_MAX_PROFILES)
        return NULL;
    if (policy->count == policy->capacity) {
        size_t cap = policy->capacity ? policy->capacity * 2 : 32;
        gate_aa_profile_t *p = realloc(policy->profiles, cap * sizeof *p);
        if (p == NULL)
            return NULL;
        policy->profiles = p;
        policy->capacity = cap;
    }
    gate_aa_profile_t *p = &policy->profiles[policy->count++];
    memset(p, 0, sizeof *p);
    return p;
}

int gate_aa_problem(gate_aa_policy_t *policy, int code, const char *file, unsigned line,
                    const char *fmt, ...)
{
    if (policy->problem_count >= GATE_AA_MAX_PROBLEMS)
        return 0;
    if (policy->problem_count == policy->problem_capacity) {
        size_t cap = policy->problem_capacity ? policy->problem_capacity * 2 : 8;
        gate_aa_problem_t *p = realloc(policy->problems, cap * sizeof *p);
        if (p == NULL)
            return DS_ERR_NOMEM;
        policy->problems = p;
        policy->problem_capacity = cap;
    }
    char msg[512];
    int n = line > 0 ? snprintf(msg, sizeof msg, "%s:%u: ", file, line)
                     : snprintf(msg, sizeof msg, "%s: ", file);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof msg)
        vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    char *copy = strdup(msg);
    if (copy == NULL)
        return DS_ERR_NOMEM;
    policy->problems[policy->problem_count].code = code;
    policy->problems[policy->problem_count++].message = copy;
    return 0;
}

bool gate_aa_name_skipped(const char *name)
{
    static const char *const suffixes[] = {".dpkg-new", ".dpkg-old", ".dpkg-dist", ".dpkg-bak",
                                           ".dpkg-remove", ".pacsave", ".pacnew", ".rpmnew",
                                           ".rpmsave", ".orig", ".rej", "~", NULL};
    size_t n = strlen(name);
    if (n == 0 || name[0] == '.' || strcmp(name, "README") == 0)
        return true;
    for (size_t i = 0; suffixes[i] != NULL; i++) {
        size_t k = strlen(suffixes[i]);
        if (n >= k && strcmp(name + n - k, suffixes[i]) == 0)
            return true;
    }
    return false;
}

/* A candidate beats the best so far (find_attach's comparison, made symmetric). */
static void consider(gate_aa_attachment_t *out, const gate_aa_profile_t *p, size_t spec)
{
    if (out->profile == NULL && !out->conflict) {
        out->profile = p;
        out->specificity = spec;
    } else if (spec > out->specificity) {
        out->profile = p;
        out->rival = NULL;
        out->conflict = false;
        out->specificity = spec;
    } else if (spec == out->specificity) {
        out->rival = p;
        out->conflict = true;
    }
}

int gate_aa_attach(const gate_aa_policy_t *policy, const char *path, gate_aa_attachment_t *out,
                   ds_error_t *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < policy->count; i++) {
        const gate_aa_profile_t *p = &policy->profiles[i];
        if (p->disabled || p->superseded || p->child || p->hat || p->glob == NULL)
            continue;
        if (gate_aa_glob_is_literal(p->glob) && strcmp(p->attachment, p->name) == 0) {
            if (strcmp(p->name, path) == 0) {
                memset(out, 0, sizeof *out);
                out->profile = p;
                out->exact = true;
                out->specificity = strlen(path);
                return 0;
            }
            continue;
        }
        gate_aa_match_t how;
        ds_error_t local = {0};
        int rc = gate_aa_glob_test(p->glob, path, &how, &local);
        if (rc < 0)
            return ds_error_set(err, rc, "profile %s (%s:%u): %s", p->name, p->file, p->line,
                                local.message);
        if (rc == 1)
            consider(out, p, how.specificity);
    }
    return 0;
}

typedef struct files_list {
    gate_files_t *files;
    gate_aa_entry_fn visit;
    void *arg;
} files_list_t;

static int files_read(void *ctx, const char *path, char **data, size_t *len, ds_error_t *err)
{
    gate_stat_t st;
    int rc = gate_files_stat(ctx, GATE_SPACE_ROOT, path, &st, err);
    if (rc != 0)
        return rc;
    if (st.type == GATE_FILE_DIRECTORY)
        return GATE_AA_IS_DIRECTORY;
    if (st.type != GATE_FILE_REGULAR)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: not a regular file", path);
    return gate_files_read(ctx, GATE_SPACE_ROOT, path, GATE_AA_MAX_FILE, data, len, err);
}

static int files_entry(void *arg, const char *path, const gate_stat_t *st)
{
    files_list_t *l = arg;
    const char *slash = strrchr(path, '/');
    bool is_dir = st->type == GATE_FILE_DIRECTORY;
    if (st->type == GATE_FILE_SYMLINK) { /* followed, as dirat_for_each stats entries */
        gate_stat_t target;
        ds_error_t err = {0};
        if (gate_files_stat(l->files, GATE_SPACE_ROOT, path, &target, &err) != 0)
            return 0; /* a dangling link: nothing to read */
        is_dir = target.type == GATE_FILE_DIRECTORY;
    }
    return l->visit(l->arg, slash != NULL ? slash + 1 : path, is_dir);
}

static int files_dir(void *ctx, const char *dir, gate_aa_entry_fn visit, void *arg, ds_error_t *err)
{
    files_list_t l = {ctx, visit, arg};
    return gate_files_list(ctx, GATE_SPACE_ROOT, dir, files_entry, &l, err);
}

typedef struct names {
    char **items;
    size_t count, capacity;
} names_t;

static int collect(void *arg, const char *name, bool is_dir)
{
    names_t *n = arg;
    if (is_dir || gate_aa_name_skipped(name))
        return 0;
    if (n->count == n->capacity) {
        size_t cap = n->capacity ? n->capacity * 2 : 64;
        char **p = cap <= GATE_AA_MAX_PROFILES ? realloc(n->items, cap * sizeof *p) : NULL;
        if (p == NULL)
            return DS_ERR_NOMEM;
        n->items = p;
        n->capacity = cap;
    }
    return (n->items[n->count] = strdup(name)) != NULL ? (n->count++, 0) : DS_ERR_NOMEM;
}

static bool present(gate_files_t *files, const char *sub, const char *name)
{
    char path[GATE_FILES_MAX_PATH];
    gate_stat_t st;
    ds_error_t err = {0};
    snprintf(path, sizeof path, "%s/%s/%s", GATE_AA_DIR, sub, name);
    return gate_files_stat(files, GATE_SPACE_ROOT, path, &st, &err) == 0;
}

/* A later file's profile of the same name replaces an earlier one when loaded. */
static void mark_superseded(gate_aa_policy_t *policy)
{
    for (size_t i = 0; i < policy->count && policy->count < 20000; i++)
        for (size_t j = i + 1; j < policy->count; j++)
            if (!policy->profiles[j].disabled && strcmp(policy->profiles[i].name, policy->profiles[j].name) == 0
                && strcmp(policy->profiles[i].file, policy->profiles[j].file) != 0)
                policy->profiles[i].superseded = true;
}

static int load_one(gate_aa_policy_t *policy, gate_files_t *files, const gate_aa_reader_t *reader,
                    const char *name, ds_error_t *err)
{
    char path[GATE_FILES_MAX_PATH];
    snprintf(path, sizeof path, "%s/%s", GATE_AA_DIR, name);
    char *data = NULL;
    size_t len = 0;
    ds_error_t local = {0};
    int rc = files_read(files, path, &data, &len, &local);
    if (rc != 0)
        return rc == DS_ERR_NOMEM ? ds_error_set(err, rc, "%s", local.message)
               : gate_aa_problem(policy, rc < 0 ? rc : DS_ERR_IO, path, 0, "cannot read: %s",
                                 local.message);
    unsigned flags = (present(files, "disable", name) ? GATE_AA_FILE_DISABLED : 0) |
                     (present(files, "force-complain", name) ? GATE_AA_FILE_FORCE_COMPLAIN : 0);
    rc = gate_aa_policy_parse(policy, path, data, len, reader, flags, err);
    free(data);
    return rc;
}

int gate_aa_policy_load(gate_aa_policy_t *policy, gate_files_t *files, ds_error_t *err)
{
    gate_aa_reader_t reader = {files, files_read, files_dir};
    names_t names = {0};
    ds_error_t local = {0};
    int rc = files_dir(files, GATE_AA_DIR, collect, &names, &local);
    if (rc == GATE_FILES_NOT_FOUND)
        rc = 0;
    else if (rc != 0)
        rc = ds_error_set(err, rc, "%s: %s", GATE_AA_DIR, local.message);
    for (size_t i = 0; rc == 0 && i < names.count; i++)
        rc = load_one(policy, files, &reader, names.items[i], err);
    for (size_t i = 0; i < names.count; i++)
        free(names.items[i]);
    free(names.items);
    mark_superseded(policy);
    return rc;
}
