/* The build-level root (build_date.h). The rule, as docs/report-fields.md gives it:
 *  - a date difference is an mtime or header difference whose two values each hold a calendar
 *    date (dates.h: the first one written in the value) and the two differ;
 *  - the build dates (A, B) are the pair of instants the most date differences carry; they are
 *    inferred only when at least DS_BUILD_DATE_CARRIERS_MIN differences carry exactly that pair,
 *    in at least DS_BUILD_DATE_SOURCES_MIN independent fields (a header field of one container;
 *    all the mtimes of one layer count as one field), and not all inside one file;
 *  - then these follow @build.date: every difference carrying exactly A and B; an mtime clamped
 *    on one side only (A and a value in [A, B), or B and a value in [B, A)); the values xorriso
 *    derives from the volume dates (secondary iso-volume-date and iso-file-dates differences);
 *    a text whose one changed line differs in a date from A to B (embedded-timestamp);
 *  - an mtime older than the build date on both sides, the content equal, is no date of the
 *    build: it stays a root, cause unclamped-mtime (CAUSES.md 1c, 1d). */
#include "build_date.h"
#include "explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/clock.h"
#include "causes.h"
#include "checksum_list.h"
#include "dates.h"

#define VALUE_SCAN_MAX 256 /* bytes of a value looked at for its date */
#define FIELDS_SHOWN 6     /* fields named in the root's detail */

static const char *const build_date_location[] = {"@build.date"};

static const char *last(const ds_difference_t *d) { return d->location[d->depth - 1]; }

static bool is_cause(const ds_difference_t *d, ds_cause_id_t cause)
{
    return strcmp(d->cause, ds_cause_name(cause)) == 0;
}

bool ds_build_date_instant(const char *value, int64_t *seconds)
{
    if (value == NULL)
        return false;
    ds_date_token_t tokens[4];
    size_t n = ds_dates_find(value, strnlen(value, VALUE_SCAN_MAX), NULL, tokens, 4);
    for (size_t i = 0; i < n; i++)
        if (tokens[i].calendar) {
            *seconds = tokens[i].seconds;
            return true;
        }
    return false;
}

static bool is_build_date(const ds_difference_t *d)
{
    return d->depth == 1 && strcmp(d->location[0], build_date_location[0]) == 0;
}

/* A date difference: its two instants in *a and *b. */
static bool date_difference(const ds_difference_t *d, int64_t *a, int64_t *b)
{
    if ((d->kind != DS_KIND_MTIME && d->kind != DS_KIND_HEADER) || is_build_date(d))
        return false;
    return ds_build_date_instant(d->a, a) && ds_build_date_instant(d->b, b) && *a != *b;
}

typedef struct date_pair {
    int64_t a, b;
    size_t index;
} date_pair_t;

static int pair_order(const void *x, const void *y)
{
    const date_pair_t *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return p->index < q->index ? -1 : p->index > q->index;
}

static int string_order(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

/* The field a date difference is in: its container's location and, for a header, the field's
 * name (all mtimes of one layer are one field, and so are all entries' own fields), elements
 * joined by \x1f. */
static char *field_key(const ds_difference_t *d)
{
    size_t len = 8;
    for (size_t i = 0; i < d->depth; i++)
        len += strlen(d->location[i]) + 1;
    char *key = malloc(len), *p = key;
    if (key == NULL)
        return NULL;
    size_t container = d->depth - 1;
    if (d->kind != DS_KIND_MTIME && ds_explain_entry_field(last(d)) && container > 0)
        container--; /* the entry's path is not part of the field */
    for (size_t i = 0; i < container; i++)
        p += sprintf(p, "%s\x1f", d->location[i]);
    strcpy(p, d->kind == DS_KIND_MTIME ? "mtimes" : last(d));
    return key;
}

/* A field for people: "/live/initrd.img mtimes", "@iso.pvd.creation_date". */
static void append_field(char *out, size_t size, const char *key, bool cut)
{
    size_t n = strlen(out);
    if (n + 1 >= size)
        return;
    if (cut) {
        snprintf(out + n, size - n, "%s...", n ? ", " : "");
        return;
    }
    snprintf(out + n, size - n, "%s", n ? ", " : "");
    n = strlen(out);
    for (const char *k = key; *k != '\0' && n + 1 < size; k++)
        out[n++] = *k == '\x1f' ? ' ' : *k;
    out[n] = '\0';
}

/* Counts the distinct fields of the carriers pairs[0..count) and names the first few. */
static size_t count_fields(const ds_findings_t *f, const date_pair_t *pairs, size_t count, char *names, size_t size)
{
    char **keys = calloc(count, sizeof *keys);
    size_t made = 0, distinct = 0;
    for (size_t i = 0; keys != NULL && i < count; i++)
        if ((keys[made] = field_key(&f->items[pairs[i].index])) != NULL)
            made++;
    if (keys != NULL)
        qsort(keys, made, sizeof *keys, string_order);
    names[0] = '\0';
    for (size_t i = 0; i < made; i++) {
        if (i > 0 && strcmp(keys[i], keys[i - 1]) == 0)
            continue;
        if (distinct <= FIELDS_SHOWN)
            append_field(names, size, keys[i], distinct == FIELDS_SHOWN);
        distinct++;
    }
    for (size_t i = 0; i < made; i++)
        free(keys[i]);
    free(keys);
    return distinct;
}

/* True when every carrier lies inside one file of the inputs: one file's dates alone are not
 * the build's. */
static bool inside_one_file(const ds_findings_t *f, const date_pair_t *pairs, size_t count)
{
    const ds_difference_t *first = &f->items[pairs[0].index];
    size_t common = first->depth;
    for (size_t i = 1; i < count; i++) {
        const ds_difference_t *d = &f->items[pairs[i].index];
        size_t k = 0;
        while (k < common && k < d->depth && strcmp(first->location[k], d->location[k]) == 0)
            k++;
        common = k;
    }
    /* A carrier at the common location itself lies outside it, unless it is that file's own
     * mtime (a node's mtime and its own stamps are one file's dates). */
    for (size_t i = 0; common > 0 && i < count; i++) {
        const ds_difference_t *d = &f->items[pairs[i].index];
        if (d->depth < common || (d->depth == common && d->kind != DS_KIND_MTIME))
            return false;
    }
    return common > 0;
}

void ds_build_date_infer(const ds_findings_t *findings, ds_build_date_t *out)
{
    memset(out, 0, sizeof *out);
    date_pair_t *pairs = malloc((findings->count + 1) * sizeof *pairs);
    size_t n = 0;
    for (size_t i = 0; pairs != NULL && i < findings->count; i++)
        if (date_difference(&findings->items[i], &pairs[n].a, &pairs[n].b))
            pairs[n++].index = i;
    if (pairs != NULL)
        qsort(pairs, n, sizeof *pairs, pair_order);
    size_t best = 0, best_length = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && pairs[j].a == pairs[i].a && pairs[j].b == pairs[i].b)
            j++;
        if (j - i > best_length)
            best = i, best_length = j - i;
        i = j;
    }
    if (best_length >= DS_BUILD_DATE_CARRIERS_MIN && !inside_one_file(findings, pairs + best, best_length)) {
        out->sources = count_fields(findings, pairs + best, best_length, out->fields, sizeof out->fields);
        out->found = out->sources >= DS_BUILD_DATE_SOURCES_MIN;
        out->a = pairs[best].a;
        out->b = pairs[best].b;
        out->carriers = best_length;
    }
    free(pairs);
}

/* --- what follows from the build date --------------------------------------------------- */

/* Locations as \x1f-joined keys, sorted, to look a location up. */
typedef struct key_set {
    char **items;
    size_t count;
} key_set_t;

static char *location_key(char *const *location, size_t depth)
{
    size_t len = 1;
    for (size_t i = 0; i < depth; i++)
        len += strlen(location[i]) + 1;
    char *key = malloc(len), *p = key;
    for (size_t i = 0; key != NULL && i < depth; i++)
        p += sprintf(p, "%s\x1f", location[i]);
    return key;
}

/* The locations of the differences in the bytes of a file (content, size, type). */
static void content_set(const ds_findings_t *f, key_set_t *set)
{
    set->count = 0;
    set->items = calloc(f->count + 1, sizeof *set->items);
    for (size_t i = 0; set->items != NULL && i < f->count; i++) {
        const ds_difference_t *d = &f->items[i];
        if ((d->kind == DS_KIND_CONTENT || d->kind == DS_KIND_SIZE || d->kind == DS_KIND_TYPE) &&
            (set->items[set->count] = location_key(d->location, d->depth)) != NULL)
            set->count++;
    }
    if (set->items != NULL)
        qsort(set->items, set->count, sizeof *set->items, string_order);
}

static bool set_has(const key_set_t *set, const ds_difference_t *d)
{
    char *key = location_key(d->location, d->depth);
    bool found = key != NULL && set->items != NULL &&
                 bsearch(&key, set->items, set->count, sizeof *set->items, string_order) != NULL;
    free(key);
    return found;
}

static void set_free(key_set_t *set)
{
    for (size_t i = 0; i < set->count; i++)
        free(set->items[i]);
    free(set->items);
}

/* An mtime that one side clamped to its build date and the other kept: one input mtime m with
 * a = min(m, A) and b = min(m, B). */
static bool clamped_one_side(int64_t a, int64_t b, const ds_build_date_t *bd)
{
    return (a == bd->a && b < bd->b && b >= bd->a) || (b == bd->b && a < bd->a && a >= bd->b);
}

/* A text whose one changed line differs in one date, from A to B (classify_text.c's detail
 * "line 3 changed: 'A' -> 'B' (spelling)", or a row's own, .disk/info's "only the build stamp
 * after "Binary" differs: A / B"). */
static bool text_changed_to_dates(const ds_difference_t *d, const ds_build_date_t *bd)
{
    if (d->kind != DS_KIND_CONTENT || !is_cause(d, DS_CAUSE_EMBEDDED_TIMESTAMP) || d->detail == NULL ||
        strstr(d->detail, " differ only in dates (") != NULL)
        return false;
    const char *line = strstr(d->detail, " changed: '");
    if (line == NULL)
        line = d->detail;
    ds_date_references_t refs = {0};
    ds_date_references_add(&refs, bd->a);
    ds_date_references_add(&refs, bd->b);
    ds_date_token_t tokens[3];
    size_t n = ds_dates_find(line, strnlen(line, 1024), &refs, tokens, 3);
    /* The instant itself, or written to the minute (live-build's .disk/info "20231114-22:13"). */
    return n == 2 && ((tokens[0].seconds == bd->a && tokens[1].seconds == bd->b) ||
                      (tokens[0].seconds == bd->a - bd->a % 60 && tokens[1].seconds == bd->b - bd->b % 60));
}

/* live-build makes the EFI image's FAT serial from the build date: mkfs.fat -i with
 * SOURCE_DATE_EPOCH mod 2^32 in hex (binary_grub-efi); the value reads "6553-F100". */
static bool fat_serial_of_dates(const ds_difference_t *d, const ds_build_date_t *bd)
{
    if (d->kind != DS_KIND_HEADER || strcmp(last(d), "@fat.volume_id") != 0 || d->a == NULL || d->b == NULL)
        return false;
    const char *value[2] = {d->a, d->b};
    int64_t want[2] = {bd->a, bd->b};
    for (int side = 0; side < 2; side++) {
        char hex[9];
        size_t n = 0;
        for (const char *p = value[side]; *p != '\0' && n < 9; p++)
            if (*p != '-')
                hex[n++] = *p;
        if (n != 8)
            return false;
        hex[8] = '\0';
        char *end = NULL;
        unsigned long serial = strtoul(hex, &end, 16);
        if (*end != '\0' || (uint64_t)serial != (uint64_t)want[side] % 4294967296u)
            return false;
    }
    return true;
}

/* A FAT directory entry keeps its time in 2-second steps (Microsoft FAT specification, "Date and
 * Time Formats"): the build date of an odd second is written one second earlier. */
static bool fat_time_of_dates(const ds_difference_t *d, int64_t a, int64_t b, const ds_build_date_t *bd)
{
    return d->kind == DS_KIND_MTIME && d->format != NULL && strcmp(d->format, "fat") == 0 &&
           a == bd->a - (bd->a & 1) && b == bd->b - (bd->b & 1);
}

typedef struct follow_counts {
    size_t exact, clamped, derived, texts, unclamped;
} follow_counts_t;

static void follow_one(ds_difference_t *d, const ds_build_date_t *bd, const key_set_t *contents, bool volume,
                       follow_counts_t *n)
{
    int64_t a = 0, b = 0;
    bool dated = date_difference(d, &a, &b);
    if (dated && ((a == bd->a && b == bd->b) || fat_time_of_dates(d, a, b, bd))) {
        n->exact += ds_difference_follows(d, build_date_location, 1);
    } else if (dated && d->kind == DS_KIND_MTIME && clamped_one_side(a, b, bd)) {
        n->clamped += ds_difference_follows(d, build_date_location, 1);
    } else if (dated && d->kind == DS_KIND_MTIME && a < bd->a && b < bd->b && !set_has(contents, d)) {
        const ds_cause_t *c = ds_cause_find(ds_cause_name(DS_CAUSE_UNCLAMPED_MTIME));
        ds_difference_explain(d, c->id, "likely", c->fix, d->secondary);
        n->unclamped++;
    } else if (volume && d->secondary && d->follows_depth == 0 &&
               (is_cause(d, DS_CAUSE_ISO_VOLUME_DATE) || is_cause(d, DS_CAUSE_ISO_FILE_DATES))) {
        n->derived += ds_difference_follows(d, build_date_location, 1);
    } else if (fat_serial_of_dates(d, bd)) {
        n->derived += ds_difference_follows(d, build_date_location, 1);
    } else if (text_changed_to_dates(d, bd)) {
        n->texts += ds_difference_follows(d, build_date_location, 1);
    }
}

/* Adds the @build.date root; raises a --max-differences limit by one for it (it sums up many
 * differences already kept). Returns its index, or count when it could not be added. */
static size_t add_root(ds_findings_t *findings, const ds_build_date_t *bd)
{
    char a[40], b[40];
    ds_format_utc(bd->a, a, sizeof a);
    ds_format_utc(bd->b, b, sizeof b);
    size_t max = findings->max, index = findings->count;
    if (max > 0 && findings->count >= max)
        findings->max = findings->count + 1;
    ds_difference_t *d = ds_findings_add(findings, "header", DS_KIND_HEADER, build_date_location, 1, a, b, NULL);
    findings->max = max;
    if (d == NULL)
        return findings->count;
    const ds_cause_t *c = ds_cause_find(ds_cause_name(DS_CAUSE_SOURCE_DATE_EPOCH));
    ds_difference_explain(d, c->id, "likely", c->fix, false);
    return index;
}

static void describe_root(ds_difference_t *d, const ds_build_date_t *bd, const follow_counts_t *n)
{
    char detail[640];
    snprintf(detail, sizeof detail,
             "the build date of each side, inferred from the dates most differences carry: %zu differences carry "
             "exactly these two instants, in %zu independent fields (%s); %zu mtimes clamped to one side's date, "
             "%zu values derived from the dates (volume dates, FAT serial) and %zu text dates follow it too; %zu older mtimes are not "
             "the build's (unclamped-mtime)",
             n->exact, bd->sources, bd->fields, n->clamped, n->derived, n->texts, n->unclamped);
    free(d->detail);
    d->detail = strdup(detail);
}

void ds_build_date_explain(ds_findings_t *findings)
{
    ds_build_date_t bd;
    ds_build_date_infer(findings, &bd);
    size_t count = findings->count;
    if (bd.found) {
        bool volume = false;
        int64_t a = 0, b = 0;
        for (size_t i = 0; i < count && !volume; i++)
            volume = is_cause(&findings->items[i], DS_CAUSE_ISO_VOLUME_DATE) &&
                     date_difference(&findings->items[i], &a, &b) && a == bd.a && b == bd.b;
        size_t root = add_root(findings, &bd);
        if (root < findings->count) {
            key_set_t contents;
            content_set(findings, &contents);
            follow_counts_t n = {0};
            for (size_t i = 0; i < count; i++)
                follow_one(&findings->items[i], &bd, &contents, volume, &n);
            set_free(&contents);
            describe_root(&findings->items[root], &bd, &n);
        }
    }
    ds_checksum_list_explain(findings);
}
