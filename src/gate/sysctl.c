/* sysctl.d(5) (systemd 252, Debian 12), "CONFIGURATION DIRECTORIES AND PRECEDENCE": *.conf
 * files are read from /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d
 * and /lib/sysctl.d, in that order of precedence; a file in an earlier directory replaces the
 * same-named file of a later one, and a symlink to /dev/null in its place masks it; all files
 * are then read sorted by file name, whatever their directory, and when several set the same
 * key the last one read wins. systemd-sysctl reads /etc/sysctl.conf after them
 * (systemd-sysctl.service(8)). "CONFIGURATION FORMAT": "key = value", "#" and ";" comments,
 * blanks around key and value stripped, "-key = value" ignores failures, "-key" alone excludes
 * a key from globs, '/' or '.' as separators (see gate_sysctl_canonical_key); lines that are
 * not assignments are logged and ignored. A glob key is kept as written: a rule about an exact
 * key is not satisfied by a glob that would match it. */
#include "sysctl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig.h"

#define GATE_SYSCTL_MAX_LINE 4096u      /* bytes of one line */
#define GATE_SYSCTL_MAX_KEY 512u        /* bytes of a key */
#define GATE_SYSCTL_MAX_SETTINGS 8192u  /* distinct keys */
#define GATE_SYSCTL_MAX_OVERRIDES 64u   /* earlier assignments remembered per key */
#define GATE_SYSCTL_MAX_FILES 1024u     /* *.conf files considered */
#define GATE_SYSCTL_MAX_FILE_SIZE (1u << 20) /* bytes of one file */

const char *const gate_sysctl_directories[] = {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
                                               "/usr/lib/sysctl.d", "/lib/sysctl.d", NULL};

bool gate_sysctl_canonical_key(const char *key, size_t len, char *out, size_t size)
{
    if (len + 1 > size)
        return false;
    size_t first = 0; /* key is len bytes, not NUL-terminated */
    while (first < len && key[first] != '.' && key[first] != '/')
        first++;
    bool swap = first < len && key[first] == '/';
    for (size_t i = 0; i < len; i++)
        out[i] = !swap ? key[i] : key[i] == '/' ? '.' : key[i] == '.' ? '/' : key[i];
    out[len] = '\0';
    return true;
}

const gate_sysctl_setting_t *gate_sysctl_find(const gate_sysctl_t *settings, const char *key)
{
    char canonical[GATE_SYSCTL_MAX_KEY + 1];
    if (settings == NULL || !gate_sysctl_canonical_key(key, strlen(key), canonical, sizeof canonical))
        return NULL;
    for (size_t i = 0; i < settings->count; i++)
        if (strcmp(settings->settings[i].key, canonical) == 0)
            return &settings->settings[i];
    return NULL;
}

static void strip(const char **s, size_t *n)
{
    while (*n > 0 && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Remembers where setting was set so far, before a new assignment replaces it. */
static int remember(gate_sysctl_setting_t *setting)
{
    char where[GATE_FILES_MAX_PATH + 16];
    snprintf(where, sizeof where, "%s:%u", setting->file, setting->line);
    if (setting->overridden_count == GATE_SYSCTL_MAX_OVERRIDES) { /* forget the oldest */
        free(setting->overridden[0]);
        memmove(setting->overridden, setting->overridden + 1,
                (setting->overridden_count - 1) * sizeof *setting->overridden);
        setting->overridden_count--;
    }
    char **more = realloc(setting->overridden, (setting->overridden_count + 1) * sizeof *more);
    if (more == NULL)
        return DS_ERR_NOMEM;
    setting->overridden = more;
    if ((more[setting->overridden_count] = gate_text_copy(where, strlen(where))) == NULL)
        return DS_ERR_NOMEM;
    setting->overridden_count++;
    free(setting->value);
    free(setting->file);
    setting->value = setting->file = NULL;
    return 0;
}

/* The setting of key: an existing one (its old assignment remembered) or a new one. */
static int setting_for(gate_sysctl_t *settings, const char *key, gate_sysctl_setting_t **out)
{
    for (size_t i = 0; i < settings->count; i++)
        if (strcmp(settings->settings[i].key, key) == 0) {
            *out = &settings->settings[i];
            return remember(*out);
        }
    if (settings->count == GATE_SYSCTL_MAX_SETTINGS)
        return DS_ERR_LIMIT;
    gate_sysctl_setting_t *more = realloc(settings->settings, (settings->count + 1) * sizeof *more);
    if (more == NULL)
        return DS_ERR_NOMEM;
    settings->settings = more;
    *out = &more[settings->count++];
    memset(*out, 0, sizeof **out);
    return ((*out)->key = gate_text_copy(key, strlen(key))) == NULL ? DS_ERR_NOMEM : 0;
}

static int assign(gate_sysctl_t *settings, const char *s, size_t n, const char *file, unsigned line,
                  ds_error_t *err)
{
    const char *eq = memchr(s, '=', n);
    if (eq == NULL)
        return 0; /* "-key" (a glob exclusion) or not an assignment: ignored */
    const char *key = s, *value = eq + 1;
    size_t key_len = (size_t)(eq - s), value_len = n - key_len - 1;
    strip(&key, &key_len);
    strip(&value, &value_len);
    bool ignore_errors = key_len > 0 && key[0] == '-';
    if (ignore_errors)
        key++, key_len--;
    char canonical[GATE_SYSCTL_MAX_KEY + 1];
    if (key_len == 0)
        return 0; /* systemd: "Line is not an assignment", ignored */
    if (!gate_sysctl_canonical_key(key, key_len, canonical, sizeof canonical))
        return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: key longer than %u bytes", file, line, GATE_SYSCTL_MAX_KEY);
    gate_sysctl_setting_t *setting = NULL;
    int rc = setting_for(settings, canonical, &setting);
    if (rc == 0) {
        setting->value = gate_text_copy(value, value_len);
        setting->file = gate_text_copy(file, strlen(file));
        setting->line = line;
        setting->ignore_errors = ignore_errors;
        if (setting->value == NULL || setting->file == NULL)
            rc = DS_ERR_NOMEM;
    }
    if (rc == DS_ERR_LIMIT)
        return ds_error_set(err, rc, "%s:%u: more than %u keys", file, line, GATE_SYSCTL_MAX_SETTINGS);
    return rc < 0 ? ds_error_set(err, rc, "%s:%u: out of memory", file, line) : 0;
}

int gate_sysctl_parse(gate_sysctl_t *settings, const char *file, const char *text, size_t len,
                      ds_error_t *err)
{
    gate_text_cursor_t cursor;
    const char *s;
    size_t n;
    gate_text_cursor_init(&cursor, text, len);
    settings->files_read++;
    while (gate_text_next_line(&cursor, &s, &n)) {
        if (n > GATE_SYSCTL_MAX_LINE)
            return ds_error_set(err, DS_ERR_LIMIT, "%s:%u: line longer than %u bytes", file, cursor.line,
                                GATE_SYSCTL_MAX_LINE);
        strip(&s, &n);
        if (n == 0 || s[0] == '#' || s[0] == ';')
            continue;
        int rc = assign(settings, s, n, file, cursor.line, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The index of path's directory in gate_sysctl_directories, or -1; *name is its file name. */
static int directory_of(const char *path, const char **name)
{
    for (int d = 0; gate_sysctl_directories[d] != NULL; d++) {
        size_t n = strlen(gate_sysctl_directories[d]);
        if (strncmp(path, gate_sysctl_directories[d], n) == 0 && path[n] == '/' && path[n + 1] != '\0' &&
            strchr(path + n + 1, '/') == NULL) {
            *name = path + n + 1;
            return d;
        }
    }
    return -1;
}

static bool is_conf(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

static int by_name(const void *a, const void *b)
{
    const char *x = strrchr(*(const char *const *)a, '/'), *y = strrchr(*(const char *const *)b, '/');
    return strcmp(x, y);
}

int gate_sysctl_order(const gate_sysctl_candidate_t *candidates, size_t count, const char ***ordered,
                      size_t *ordered_count, ds_error_t *err)
{
    *ordered = NULL;
    *ordered_count = 0;
    const char **out = malloc((count + 1) * sizeof *out);
    if (out == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "sysctl.d: out of memory");
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name;
        int dir = directory_of(candidates[i].path, &name);
        if (dir < 0 || !is_conf(name) || candidates[i].masked)
            continue;
        bool shadowed = false; /* the same name in a directory of higher precedence */
        for (size_t j = 0; j < count && !shadowed; j++) {
            const char *other;
            int other_dir = directory_of(candidates[j].path, &other);
            shadowed = other_dir >= 0 && other_dir < dir && strcmp(other, name) == 0;
        }
        if (!shadowed)
            out[kept++] = candidates[i].path;
    }
    qsort(out, kept, sizeof *out, by_name);
    *ordered = out;
    *ordered_count = kept;
    return 0;
}

typedef struct candidate_list {
    gate_sysctl_candidate_t *items;
    size_t count;
} candidate_list_t;

static int collect(void *arg, const char *path, const gate_stat_t *st)
{
    candidate_list_t *list = arg;
    const char *slash = strrchr(path, '/');
    if (!is_conf(slash != NULL ? slash + 1 : path) ||
        (st->type != GATE_FILE_REGULAR && st->type != GATE_FILE_SYMLINK))
        return 0;
    if (list->count == GATE_SYSCTL_MAX_FILES)
        return DS_ERR_LIMIT;
    gate_sysctl_candidate_t *item = &list->items[list->count];
    item->masked = st->type == GATE_FILE_SYMLINK && st->link_target != NULL &&
                   strcmp(st->link_target, "/dev/null") == 0;
    if ((item->path = gate_text_copy(path, strlen(path))) == NULL)
        return DS_ERR_NOMEM;
    list->count++;
    return 0;
}

static int read_one(gate_sysctl_t *settings, gate_files_t *files, const char *path, ds_error_t *err)
{
    char *data = NULL;
    size_t len = 0;
    gate_stat_t st;
    int rc = gate_files_stat(files, GATE_SPACE_ROOT, path, &st, err);
    if (rc != 0 || st.type != GATE_FILE_REGULAR)
        return rc < 0 ? rc : 0; /* gone, or a link to /dev/null reached another way */
    rc = gate_files_read(files, GATE_SPACE_ROOT, path, GATE_SYSCTL_MAX_FILE_SIZE, &data, &len, err);
    if (rc == 0)
        rc = gate_sysctl_parse(settings, path, data, len, err);
    free(data);
    return rc == GATE_FILES_NOT_FOUND ? 0 : rc;
}

int gate_sysctl_read(gate_sysctl_t *settings, gate_files_t *files, ds_error_t *err)
{
    candidate_list_t list = {calloc(GATE_SYSCTL_MAX_FILES, sizeof(gate_sysctl_candidate_t)), 0};
    const char **ordered = NULL;
    size_t ordered_count = 0;
    int rc = list.items == NULL ? ds_error_set(err, DS_ERR_NOMEM, "sysctl.d: out of memory") : 0;
    for (size_t d = 0; rc == 0 && gate_sysctl_directories[d] != NULL; d++) {
        rc = gate_files_list(files, GATE_SPACE_ROOT, gate_sysctl_directories[d], collect, &list, err);
        if (rc == GATE_FILES_NOT_FOUND)
            rc = 0;
        if (rc == DS_ERR_LIMIT || rc == DS_ERR_NOMEM)
            rc = ds_error_set(err, rc, "%s: more than %u files or out of memory", gate_sysctl_directories[d],
                              GATE_SYSCTL_MAX_FILES);
    }
    if (rc == 0)
        rc = gate_sysctl_order(list.items, list.count, &ordered, &ordered_count, err);
    for (size_t i = 0; rc == 0 && i < ordered_count; i++)
        rc = read_one(settings, files, ordered[i], err);
    if (rc == 0)
        rc = read_one(settings, files, "/etc/sysctl.conf", err);
    free(ordered);
    for (size_t i = 0; i < list.count; i++)
        free((char *)list.items[i].path);
    free(list.items);
    return rc;
}

void gate_sysctl_free(gate_sysctl_t *settings)
{
    if (settings == NULL)
        return;
    for (size_t i = 0; i < settings->count; i++) {
        gate_sysctl_setting_t *s = &settings->settings[i];
        for (size_t j = 0; j < s->overridden_count; j++)
            free(s->overridden[j]);
        free(s->overridden);
        free(s->key);
        free(s->value);
        free(s->file);
    }
    free(settings->settings);
    memset(settings, 0, sizeof *settings);
}
