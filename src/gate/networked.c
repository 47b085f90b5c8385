/* Library search order: ld.so(8), "Shared objects search order"; ld.so.conf(5) syntax
 * (include GLOB, hwcap lines ignored). */
#define _GNU_SOURCE
#include "networked.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_imports.h"

enum { LIB_UNKNOWN, LIB_BUSY, LIB_QUIET, LIB_NETWORKED };

typedef struct library {
    char *path;
    int state;
    char *chain; /* networked: "libphone.so.1 -> connect" */
} library_t;

typedef struct searcher {
    gate_files_t *files;
    gate_networked_t *out;
    char **conf_dirs;
    size_t conf_count, conf_capacity;
    library_t *libs;
    size_t lib_count, lib_capacity;
    char **paths; /* candidate programs */
    size_t path_count, path_capacity;
    size_t program_capacity;
    ds_error_t stop; /* the time budget ran out: the walk ends with this error */
} searcher_t;

static bool push(void **items, size_t *count, size_t *capacity, size_t size, const void *item)
{
    if (*count == *capacity) {
        size_t cap = *capacity ? *capacity * 2 : 64;
        void *p = realloc(*items, cap * size);
        if (p == NULL)
            return false;
        *items = p;
        *capacity = cap;
    }
    memcpy((char *)*items + *count * size, item, size);
    (*count)++;
    return true;
}

static void note(char ***lines, size_t *count, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(char ***lines, size_t *count, const char *fmt, ...)
{
    if (*count >= 1000)
        return; /* enough to act on */
    char *line = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&line, fmt, ap);
    va_end(ap);
    char **grown = n < 0 ? NULL : realloc(*lines, (*count + 1) * sizeof *grown);
    if (grown == NULL) {
        free(line);
        return;
    }
    *lines = grown;
    grown[(*count)++] = line;
}

/* --- ld.so.conf ------------------------------------------------------------------------- */

static void conf_read(searcher_t *s, const char *path, unsigned depth);

typedef struct include_walk {
    searcher_t *s;
    const char *pattern;
    unsigned depth;
} include_walk_t;

static int include_one(void *arg, const char *path, const gate_stat_t *st)
{
    include_walk_t *w = arg;
    const char *base = strrchr(path, '/') + 1;
    if (st->type != GATE_FILE_DIRECTORY && fnmatch(w->pattern, base, 0) == 0)
        conf_read(w->s, path, w->depth + 1);
    return 0;
}

static void conf_include(searcher_t *s, const char *glob, unsigned depth)
{
    char full[GATE_FILES_MAX_PATH];
    snprintf(full, sizeof full, "%s%s", glob[0] == '/' ? "" : "/etc/", glob);
    char *slash = strrchr(full, '/');
    *slash = '\0';
    include_walk_t w = {s, slash + 1, depth};
    gate_files_list(s->files, GATE_SPACE_ROOT, full[0] ? full : "/", include_one, &w, NULL);
}

static void conf_line(searcher_t *s, char *line, unsigned depth)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *save = NULL, *word = strtok_r(line, " \t\r,:", &save);
    if (word == NULL || strcmp(word, "hwcap") == 0)
        return;
    if (strcmp(word, "include") == 0) {
        for (char *g = strtok_r(NULL, " \t\r", &save); g; g = strtok_r(NULL, " \t\r", &save))
            conf_include(s, g, depth);
        return;
    }
    for (; word; word = strtok_r(NULL, " \t\r,:", &save)) {
        char *dir = word[0] == '/' && s->conf_count < GATE_NET_MAX_SEARCH_DIRS ? strdup(word) : NULL;
        if (dir != NULL && !push((void **)&s->conf_dirs, &s->conf_count, &s->conf_capacity, sizeof dir, &dir))
            free(dir);
    }
}

static void conf_read(searcher_t *s, const char *path, unsigned depth)
{
    char *text;
    size_t len;
    if (depth > GATE_NET_MAX_CONF_DEPTH) {
        note(&s->out->problems, &s->out->problem_count, "%s: ld.so.conf includes nested deeper than %u", path,
             GATE_NET_MAX_CONF_DEPTH);
        return;
    }
    ds_error_t err = {0};
    int rc = gate_files_read(s->files, GATE_SPACE_ROOT, path, GATE_NET_CONF_MAX, &text, &len, &err);
    if (rc != DS_OK) {
        if (rc != GATE_FILES_NOT_FOUND)
            note(&s->out->problems, &s->out->problem_count, "%s", err.message);
        return;
    }
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char copy[GATE_FILES_MAX_PATH];
        snprintf(copy, sizeof copy, "%s", line);
        conf_line(s, copy, depth);
    }
    free(text);
}

/* --- finding a needed library ------------------------------------------------------------ */

static const char *multiarch(uint16_t machine)
{
    switch (machine) {
    case 62: return "x86_64-linux-gnu";
    case 183: return "aarch64-linux-gnu";
    case 3: return "i386-linux-gnu";
    case 40: return "arm-linux-gnueabihf";
    case 243: return "riscv64-linux-gnu";
    default: return NULL;
    }
}

/* The length of "$ORIGIN" or "$" "{ORIGIN}" (braces as codes: tools/shape counts braces) at p. */
static size_t origin_at(const char *p, size_t n)
{
    if (n >= 7 && strncmp(p, "$ORIGIN", 7) == 0)
        return 7;
    if (n >= 9 && p[0] == '$' && p[1] == 0x7b && strncmp(p + 2, "ORIGIN", 6) == 0 && p[8] == 0x7d)
        return 9;
    return 0;
}

/* Tries dir/name ($ORIGIN in dir replaced by origin); on success writes the resolved path. */
static bool try_dir(searcher_t *s, const char *dir, size_t dir_len, const char *name, const char *origin, char *found)
{
    char d[GATE_FILES_MAX_PATH], path[GATE_FILES_MAX_PATH];
    size_t at = 0;
    for (size_t i = 0; i < dir_len && at + 1 < sizeof d;) {
        size_t skip = origin_at(dir + i, dir_len - i);
        if (skip > 0) {
            at += (size_t)snprintf(d + at, sizeof d - at, "%s", origin);
            i += skip;
        } else {
            d[at++] = dir[i++];
        }
        if (at >= sizeof d)
            return false;
    }
    d[at < sizeof d ? at : sizeof d - 1] = '\0';
    if (d[0] != '/' || strchr(d, '$') != NULL) /* $LIB, $PLATFORM: not expanded */
        return false;
    if (snprintf(path, sizeof path, "%s/%s", d, name) >= (int)sizeof path)
        return false;
    gate_stat_t st;
    if (gate_files_stat(s->files, GATE_SPACE_ROOT, path, &st, NULL) != DS_OK || st.type != GATE_FILE_REGULAR)
        return false;
    return gate_files_resolve(s->files, GATE_SPACE_ROOT, path, found, GATE_FILES_MAX_PATH, NULL) == DS_OK;
}

static bool try_list(searcher_t *s, const char *list, const char *name, const char *origin, char *found)
{
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ":");
        if (n > 0 && try_dir(s, p, n, name, origin, found))
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

/* ld.so's order: DT_RPATH (only without DT_RUNPATH), DT_RUNPATH, ld.so.conf, the defaults. */
static bool find_library(searcher_t *s, const gate_elf_imports_t *obj, const char *obj_path, const char *name,
                         char *found)
{
    char origin[GATE_FILES_MAX_PATH];
    snprintf(origin, sizeof origin, "%s", obj_path);
    *strrchr(origin, '/') = '\0';
    if (strchr(name, '/') != NULL)
        return name[0] == '/' && try_dir(s, "", 0, name + 1, "", found);
    if (obj->rpath && !obj->runpath && try_list(s, obj->rpath, name, origin, found))
        return true;
    if (obj->runpath && try_list(s, obj->runpath, name, origin, found))
        return true;
    for (size_t i = 0; i < s->conf_count; i++)
        if (try_dir(s, s->conf_dirs[i], strlen(s->conf_dirs[i]), name, origin, found))
            return true;
    const char *arch = multiarch(obj->machine);
    char a[64], b[64];
    snprintf(a, sizeof a, "/lib/%s", arch ? arch : "");
    snprintf(b, sizeof b, "/usr/lib/%s", arch ? arch : "");
    const char *defaults[] = {arch ? a : NULL, arch ? b : NULL, "/lib64", "/usr/lib64", "/lib", "/usr/lib"};
    for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
        if (defaults[i] && try_dir(s, defaults[i], strlen(defaults[i]), name, origin, found))
            return true;
    return false;
}

/* --- judging an object ------------------------------------------------------------------- */

static int read_object(searcher_t *s, const char *path, gate_elf_imports_t *obj, bool *is_elf)
{
    ds_source_t *src = NULL;
    ds_error_t err = {0};
    *is_elf = false;
    int rc = gate_files_open_source(s->files, GATE_SPACE_ROOT, path, &src, &err);
    unsigned char magic[4];
    if (rc == DS_OK && ds_source_size(src) >= 4 && ds_source_read(src, 0, magic, 4, "ELF", &err) == DS_OK &&
        memcmp(magic, "\177ELF", 4) == 0) {
        *is_elf = true;
        rc = gate_elf_imports_read(src, obj, &err);
    }
    ds_source_close(src);
    if (rc == DS_ERR_TIMEOUT && s->stop.code == 0)
        s->stop = err;
    else if (rc != DS_OK && rc != DS_ERR_TIMEOUT)
        note(&s->out->problems, &s->out->problem_count, "%s: %s", path, err.message);
    return rc;
}

static char *chain_of(const char *needed, const char *rest)
{
    char *c = NULL;
    return asprintf(&c, "%s -> %s", needed, rest) < 0 ? NULL : c;
}

static const char *library_chain(searcher_t *s, const char *path, unsigned depth);

/* The first needed library of obj that is networked: its chain ("libx.so.1 -> connect"). */
static char *needed_chain(searcher_t *s, const gate_elf_imports_t *obj, const char *obj_path, unsigned depth)
{
    for (size_t i = 0; i < obj->needed_count; i++) {
        char found[GATE_FILES_MAX_PATH];
        if (!find_library(s, obj, obj_path, obj->needed[i], found)) {
            note(&s->out->missing, &s->out->missing_count, "%s (needed by %s)", obj->needed[i], obj_path);
            continue;
        }
        const char *chain = library_chain(s, found, depth + 1);
        if (chain != NULL)
            return chain_of(obj->needed[i], chain);
    }
    return NULL;
}

static library_t *library_slot(searcher_t *s, const char *path)
{
    for (size_t i = 0; i < s->lib_count; i++)
        if (strcmp(s->libs[i].path, path) == 0)
            return &s->libs[i];
    if (s->lib_count >= GATE_NET_MAX_LIBRARIES)
        return NULL;
    library_t lib = {.path = strdup(path), .state = LIB_UNKNOWN};
    if (lib.path == NULL || !push((void **)&s->libs, &s->lib_count, &s->lib_capacity, sizeof lib, &lib)) {
        free(lib.path);
        return NULL;
    }
    return &s->libs[s->lib_count - 1];
}

/* The chain by which the library at path (resolved) calls the network, or NULL. */
static const char *library_chain(searcher_t *s, const char *path, unsigned depth)
{
    library_t *lib = library_slot(s, path);
    if (lib == NULL || lib->state == LIB_BUSY || depth > GATE_NET_MAX_DEPTH)
        return NULL; /* a cycle, or too deep: judged by what is already known */
    if (lib->state != LIB_UNKNOWN)
        return lib->chain;
    lib->state = LIB_BUSY;
    s->out->libraries_read++;
    gate_elf_imports_t obj = {0};
    bool is_elf;
    char *chain = NULL;
    if (read_object(s, path, &obj, &is_elf) == DS_OK && is_elf)
        chain = obj.net_call[0] ? strdup(obj.net_call) : needed_chain(s, &obj, path, depth);
    gate_elf_imports_free(&obj);
    lib = library_slot(s, path); /* the array may have moved */
    if (lib == NULL) {
        free(chain);
        return NULL;
    }
    lib->state = chain ? LIB_NETWORKED : LIB_QUIET;
    lib->chain = chain;
    return chain;
}

/* --- the programs -------------------------------------------------------------------------- */

static const char *const program_roots[] = {
    "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/usr/libexec", "/usr/lib",
    "/usr/local/lib", "/usr/games", "/opt", "/bin", "/sbin", "/lib",
};

static int collect(void *arg, const char *path, const gate_stat_t *st)
{
    searcher_t *s = arg;
    if (st->type != GATE_FILE_REGULAR || (st->mode & 0111u) == 0)
        return 0;
    if (s->path_count >= GATE_NET_MAX_PROGRAMS)
        return DS_ERR_LIMIT;
    char *p = strdup(path);
    if (p == NULL || !push((void **)&s->paths, &s->path_count, &s->path_capacity, sizeof p, &p)) {
        free(p);
        return DS_ERR_NOMEM;
    }
    return 0;
}

static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int collect_programs(searcher_t *s, ds_error_t *err)
{
    for (size_t i = 0; i < sizeof program_roots / sizeof *program_roots; i++) {
        int rc = gate_files_walk(s->files, GATE_SPACE_ROOT, program_roots[i], collect, s, err);
        if (rc == DS_ERR_LIMIT)
            return ds_error_set(err, rc, "%s: more than %u executable files", gate_files_label(s->files, GATE_SPACE_ROOT),
                                GATE_NET_MAX_PROGRAMS);
        if (rc < 0)
            return rc == DS_ERR_NOMEM ? ds_error_set(err, rc, "out of memory") : rc;
    }
    qsort(s->paths, s->path_count, sizeof *s->paths, by_text);
    size_t kept = 0; /* merged /usr: /bin's walk reports /usr/bin's files again */
    for (size_t i = 0; i < s->path_count; i++) {
        if (kept > 0 && strcmp(s->paths[kept - 1], s->paths[i]) == 0)
            free(s->paths[i]);
        else
            s->paths[kept++] = s->paths[i];
    }
    s->path_count = kept;
    return DS_OK;
}

static int judge_program(searcher_t *s, const char *path)
{
    gate_elf_imports_t obj = {0};
    bool is_elf;
    int rc = DS_OK;
    if (read_object(s, path, &obj, &is_elf) != DS_OK || !is_elf || !obj.program)
        goto done;
    s->out->programs_examined++;
    if (!obj.dynamic) {
        s->out->static_programs++;
        goto done;
    }
    char *evidence = NULL, *chain = NULL;
    if (obj.net_call[0]) {
        if (asprintf(&evidence, "imports %s", obj.net_call) < 0)
            evidence = NULL;
    } else if ((chain = needed_chain(s, &obj, path, 0)) != NULL) {
        if (asprintf(&evidence, "links %s", chain) < 0)
            evidence = NULL;
        free(chain);
    } else {
        goto done;
    }
    gate_net_program_t p = {.path = strdup(path), .evidence = evidence};
    if (p.path == NULL || p.evidence == NULL ||
        !push((void **)&s->out->programs, &s->out->count, &s->program_capacity, sizeof p, &p)) {
        free(p.path);
        free(p.evidence);
        rc = DS_ERR_NOMEM;
    }
done:
    gate_elf_imports_free(&obj);
    return rc;
}

int gate_networked_find(gate_files_t *files, gate_networked_t *out, ds_error_t *err)
{
    searcher_t s = {.files = files, .out = out};
    conf_read(&s, "/etc/ld.so.conf", 0);
    int rc = collect_programs(&s, err);
    for (size_t i = 0; i < s.path_count && rc == DS_OK; i++) {
        if ((rc = judge_program(&s, s.paths[i])) != DS_OK)
            ds_error_set(err, rc, "out of memory");
        else if (s.stop.code != 0)
            rc = ds_error_set(err, s.stop.code, "%s", s.stop.message);
    }
    for (size_t i = 0; i < s.path_count; i++)
        free(s.paths[i]);
    free(s.paths);
    for (size_t i = 0; i < s.conf_count; i++)
        free(s.conf_dirs[i]);
    free(s.conf_dirs);
    for (size_t i = 0; i < s.lib_count; i++) {
        free(s.libs[i].path);
        free(s.libs[i].chain);
    }
    free(s.libs);
    return rc;
}

void gate_networked_free(gate_networked_t *net)
{
    for (size_t i = 0; i < net->count; i++) {
        free(net->programs[i].path);
        free(net->programs[i].evidence);
    }
    for (size_t i = 0; i < net->problem_count; i++)
        free(net->problems[i]);
    for (size_t i = 0; i < net->missing_count; i++)
        free(net->missing[i]);
    free(net->programs);
    free(net->problems);
    free(net->missing);
    memset(net, 0, sizeof *net);
}
