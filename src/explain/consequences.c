/* The consequence table: which difference follows from which other one in the same layer.
 * Each rule names the consequence (the effect) by the last element of its location and its
 * kind, and the root it follows by name and kind, with where the root lies relative to it:
 * beside it in the same layer, directly inside it (a directory's entry), or around it (the
 * container the effect lies in), or inside it (a field of the container the effect is).
 * Rules are tried in order; the first whose root is found names it ("follows"), and the
 * consequence is secondary. Roots are looked up in sorted indexes, so the pass costs
 * O(n log n) for n differences. */
#include "consequences.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "causes.h"
#include "signatures.h"

#define K(kind) (1u << DS_KIND_##kind)
#define ENTRY_CHANGES (K(ADDED) | K(REMOVED))
#define ANY_ENTRY NULL /* a rule's root: any entry added or removed (a path) */
#define NAME_MAX_LEN 64

typedef enum relation {
    SAME_LAYER,   /* the root lies in the effect's layer */
    IN_DIRECTORY, /* the root is an entry directly in the effect, a directory */
    CONTAINER,    /* the root is the content difference of the container the effect lies in */
    INSIDE,       /* the root is a field of the container whose content difference the effect is */
} relation_t;

typedef struct consequence_rule {
    const char *effect;   /* fnmatch patterns of the effect's last location element, '|'-joined */
    unsigned effect_kinds;
    bool entry_field;     /* the effect is a field of the entry before it (@iso.extent) */
    relation_t relation;
    const char *root;     /* the root's last element: exact names, '|'-joined, in order of
                           * preference; ANY_ENTRY: an added or removed entry */
    unsigned root_kinds;
    bool alone;           /* only when no root content, size or type difference lies in the
                           * layer (it would move the same things) */
    bool (*applies)(const ds_difference_t *effect, const ds_difference_t *root);
    const char *confidence;
} consequence_rule_t;

/* squashfs superblock flag "compressor options present" (squashfs-tools-ng include/sqfs/super.h,
 * SQFS_FLAG_COMPRESSOR_OPTIONS): set exactly when an options block follows the superblock. */
static bool only_options_flag(const ds_difference_t *effect, const ds_difference_t *root)
{
    (void)root;
    if (effect->a == NULL || effect->b == NULL)
        return false;
    return (strtoul(effect->a, NULL, 16) ^ strtoul(effect->b, NULL, 16)) == 0x0400UL;
}

/* gzip XFL (RFC 1952 section 2.3.1) records the level (2 slowest, 4 fastest), xz's filter chain
 * the preset and filters (formats/xz.c): they follow the member compressed otherwise, when the
 * decoded data are equal. */
static bool recompressed(const ds_difference_t *effect, const ds_difference_t *root)
{
    (void)effect;
    return strcmp(root->cause, ds_cause_name(DS_CAUSE_COMPRESSION_ONLY)) == 0;
}

/* zip general purpose flags differing only in bits 1-2, the deflate (or LZMA/implode) options
 * (APPNOTE.TXT 4.4.4): what the compression level writes. */
static bool only_level_flags(const ds_difference_t *effect, const ds_difference_t *root)
{
    const ds_difference_t *flags = strcmp(effect->location[effect->depth - 1], "@zip.member.flags") == 0 ? effect : root;
    if (flags->a == NULL || flags->b == NULL)
        return false;
    unsigned long x = strtoul(flags->a, NULL, 16) ^ strtoul(flags->b, NULL, 16);
    return x != 0 && (x & ~0x0006UL) == 0;
}

/* An added or removed directory (the stages' detail: "dir present only in B"): what an ISO's
 * path table lists (ECMA-119 9.4). */
static bool directory_entry(const ds_difference_t *effect, const ds_difference_t *root)
{
    (void)effect;
    return root->detail != NULL && strncmp(root->detail, "dir present only in ", 20) == 0;
}

/* What a squashfs's settings rewrite (squashfs superblock offsets: CAUSES.md 1c): the data, the
 * tables' positions and sizes, the number of fragments, the input's size. */
#define SQUASHFS_MOVED \
    "@squashfs.bytes_used|@squashfs.*_table_start|@squashfs.root_inode|@squashfs.fragment_count|@input.size"
#define SQUASHFS_SETTINGS "@squashfs.compressor|@squashfs.block_size|@squashfs.compressor_options|@squashfs.flags"

static const consequence_rule_t rules[] = {
    /* (a) a squashfs built with another -b, -comp, -X option or flag */
    {"@squashfs.block_log", K(HEADER), false, SAME_LAYER, "@squashfs.block_size", K(HEADER), false, NULL, "certain"},
    {"@squashfs.compressor_options", K(HEADER), false, SAME_LAYER, "@squashfs.compressor", K(HEADER), false, NULL,
     "certain"},
    {"@squashfs.flags", K(HEADER), false, SAME_LAYER, "@squashfs.compressor_options", K(HEADER), false,
     only_options_flag, "certain"},
    {"@squashfs.data|" SQUASHFS_MOVED, K(CONTENT) | K(ORDER) | K(HEADER), false, SAME_LAYER, SQUASHFS_SETTINGS,
     K(HEADER), false, NULL, "likely"},
    /* the squashfs file in the ISO: the settings inside it explain its bytes */
    {"*", K(CONTENT), false, INSIDE, SQUASHFS_SETTINGS, K(HEADER), false, NULL, "likely"},
    /* the same data stored in another order or compressed otherwise: the tables move */
    {SQUASHFS_MOVED, K(HEADER), false, SAME_LAYER, "@squashfs.data", K(CONTENT) | K(ORDER), false, NULL, "likely"},
    /* a FAT made with another cluster size or FAT type: its bytes follow */
    {"*", K(CONTENT), false, INSIDE, "@fat.geometry", K(HEADER), false, NULL, "likely"},
    /* a zip member stored with another method or level (its central header: APPNOTE 4.3.12) */
    {"@zip.member.flags", K(HEADER), false, SAME_LAYER, "@zip.member.method", K(HEADER), false, only_level_flags,
     "certain"},
    {"@zip.member.compressed_size|@zip.member.version_needed", K(HEADER), false, SAME_LAYER, "@zip.member.method",
     K(HEADER), false, NULL, "certain"},
    /* zip 3.0 marks text (internal attribute bit 0) while deflating */
    {"@zip.member.internal_attr", K(HEADER), false, SAME_LAYER, "@zip.member.method", K(HEADER), false, NULL,
     "likely"},
    {"@zip.member.compressed_size", K(HEADER), false, SAME_LAYER, "@zip.member.flags", K(HEADER), false,
     only_level_flags, "likely"},
    /* a gzip member compressed at another level; an xz stream with another preset, filter or check */
    {"@gzip.xfl|@xz.check|@xz.filters", K(HEADER), false, CONTAINER, NULL, K(CONTENT), false, recompressed, "certain"},
    /* (b) an entry added or removed: its directory's time and size, the tables that list it */
    {"/*", K(MTIME) | K(SIZE), false, IN_DIRECTORY, ANY_ENTRY, ENTRY_CHANGES, false, NULL, "likely"},
    {"@squashfs.inode_count|" SQUASHFS_MOVED, K(HEADER), false, SAME_LAYER, ANY_ENTRY, ENTRY_CHANGES, true, NULL,
     "likely"},
    {"@iso.*.path_table*", K(HEADER), false, SAME_LAYER, ANY_ENTRY, ENTRY_CHANGES, true, directory_entry, "likely"},
    {"@iso.*.volume_space_size|@iso.*.path_table*|@input.size", K(HEADER), false, SAME_LAYER, ANY_ENTRY,
     ENTRY_CHANGES, true, NULL, "likely"},
    {"@iso.extent", K(HEADER), true, SAME_LAYER, ANY_ENTRY, ENTRY_CHANGES, true, NULL, "likely"},
    {"@zip.entries|@zip.directory_size|@zip.directory_offset", K(HEADER), false, SAME_LAYER, ANY_ENTRY,
     ENTRY_CHANGES, true, NULL, "likely"},
};

/* A sorted index: key (the layer's elements, each followed by \x1f, then \x1e and a name)
 * -> the difference. Elements never contain \x1e or \x1f unescaped. */
typedef struct index_entry {
    char *key;
    size_t item;
} index_entry_t;

typedef struct index {
    index_entry_t *entries;
    size_t count;
} index_t;

static char *make_key(char *const *location, size_t depth, const char *name)
{
    size_t len = strlen(name) + 2;
    for (size_t i = 0; i < depth; i++)
        len += strlen(location[i]) + 1;
    char *out = malloc(len), *p = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < depth; i++) {
        size_t n = strlen(location[i]);
        memcpy(p, location[i], n);
        p += n;
        *p++ = '\x1f';
    }
    *p++ = '\x1e';
    strcpy(p, name);
    return out;
}

static int entry_order(const void *x, const void *y)
{
    const index_entry_t *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c != 0 ? c : (a->item > b->item) - (a->item < b->item);
}

/* The first entry whose key is not below key (prefix: compares only strlen(key) bytes). */
static size_t lower_bound(const index_t *ix, const char *key)
{
    size_t lo = 0, hi = ix->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->entries[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void index_free(index_t *ix)
{
    for (size_t i = 0; i < ix->count; i++)
        free(ix->entries[i].key);
    free(ix->entries);
    ix->entries = NULL;
    ix->count = 0;
}

/* The parent directory of an entry's path: "/etc/x" -> "/etc", "/x" -> "/". */
static void parent_of(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL || slash == path ? 1 : (size_t)(slash - path);
    if (n >= size)
        n = size - 1;
    memcpy(out, path, n);
    out[n] = '\0';
}

static bool is_entry_change(const ds_difference_t *d)
{
    return (d->kind == DS_KIND_ADDED || d->kind == DS_KIND_REMOVED) && d->location[d->depth - 1][0] == '/';
}

static bool moves_layout(const ds_difference_t *d)
{
    return !d->secondary && (d->kind == DS_KIND_CONTENT || d->kind == DS_KIND_SIZE || d->kind == DS_KIND_TYPE);
}

typedef struct indexes {
    index_t by_name;  /* every difference: layer, then its last element */
    index_t by_dir;   /* added and removed entries: layer, then their parent directory */
    index_t moving;   /* root content, size or type differences: layer only */
} indexes_t;

static bool index_add(index_t *ix, const ds_difference_t *d, size_t depth, const char *name, size_t item)
{
    char *key = make_key(d->location, depth, name);
    if (key == NULL)
        return false;
    ix->entries[ix->count++] = (index_entry_t){key, item};
    return true;
}

static bool indexes_build(indexes_t *x, const ds_findings_t *f)
{
    index_t *all[] = {&x->by_name, &x->by_dir, &x->moving};
    for (size_t k = 0; k < 3; k++)
        if ((all[k]->entries = calloc(f->count + 1, sizeof *all[k]->entries)) == NULL)
            return false;
    for (size_t i = 0; i < f->count; i++) {
        const ds_difference_t *d = &f->items[i];
        const char *last = d->location[d->depth - 1];
        char parent[4096];
        if (!index_add(&x->by_name, d, d->depth - 1, last, i))
            return false;
        if (is_entry_change(d)) {
            parent_of(last, parent, sizeof parent);
            if (!index_add(&x->by_dir, d, d->depth - 1, parent, i))
                return false;
        }
        if (moves_layout(d) && !index_add(&x->moving, d, d->depth - 1, "", i))
            return false;
    }
    for (size_t k = 0; k < 3; k++)
        qsort(all[k]->entries, all[k]->count, sizeof *all[k]->entries, entry_order);
    return true;
}

/* The first root difference with key (an exact key, or a prefix when prefix) that the rule
 * accepts, or NULL. */
static ds_difference_t *find_root(const index_t *ix, ds_findings_t *f, const char *key,
                                  bool prefix, const consequence_rule_t *rule, const ds_difference_t *effect)
{
    size_t len = strlen(key);
    for (size_t i = lower_bound(ix, key); i < ix->count; i++) {
        const char *k = ix->entries[i].key;
        if (prefix ? strncmp(k, key, len) != 0 || strchr(k + len, '\x1f') != NULL : strcmp(k, key) != 0)
            break;
        ds_difference_t *root = &f->items[ix->entries[i].item];
        if (root == effect || root->secondary || (rule->root_kinds & (1u << root->kind)) == 0)
            continue;
        if (rule->applies != NULL && !rule->applies(effect, root))
            continue;
        return root;
    }
    return NULL;
}

/* True when the layer (its key prefix) holds a root difference that moves the layout. */
static bool layer_moving(const indexes_t *x, const char *layer_key)
{
    size_t i = lower_bound(&x->moving, layer_key);
    return i < x->moving.count && strcmp(x->moving.entries[i].key, layer_key) == 0;
}

static ds_difference_t *rule_root(const indexes_t *x, ds_findings_t *f, const consequence_rule_t *rule,
                                  const ds_difference_t *e)
{
    if (e->depth < (rule->entry_field ? 2u : 1u))
        return NULL;
    size_t layer = e->depth - 1 - (rule->entry_field ? 1 : 0);
    if (rule->relation == CONTAINER && layer == 0)
        return NULL;
    char *layer_key = make_key(e->location, layer, "");
    ds_difference_t *root = NULL;
    if (layer_key == NULL || (rule->alone && layer_moving(x, layer_key))) {
        free(layer_key);
        return NULL;
    }
    if (rule->relation == IN_DIRECTORY) {
        char *key = make_key(e->location, layer, e->location[e->depth - 1]);
        root = key != NULL ? find_root(&x->by_dir, f, key, false, rule, e) : NULL;
        free(key);
    } else if (rule->relation == CONTAINER) {
        char *key = make_key(e->location, layer - 1, e->location[layer - 1]);
        root = key != NULL ? find_root(&x->by_name, f, key, false, rule, e) : NULL;
        free(key);
    } else if (rule->root == ANY_ENTRY) {
        root = find_root(&x->by_dir, f, layer_key, true, rule, e);
    } else {
        for (const char *p = rule->root; root == NULL && *p != '\0';) {
            size_t n = strcspn(p, "|");
            char name[NAME_MAX_LEN];
            if (n < sizeof name) {
                memcpy(name, p, n);
                name[n] = '\0';
                char *key = rule->relation == INSIDE ? make_key(e->location, e->depth, name)
                                                     : make_key(e->location, layer, name);
                root = key != NULL ? find_root(&x->by_name, f, key, false, rule, e) : NULL;
                free(key);
            }
            p += n + (p[n] == '|');
        }
    }
    free(layer_key);
    return root;
}

static void follow(ds_difference_t *e, const ds_difference_t *root, const char *confidence)
{
    const char *unknown = ds_cause_name(DS_CAUSE_UNKNOWN);
    if (strcmp(e->cause, unknown) == 0 && strcmp(root->cause, unknown) != 0)
        ds_difference_explain(e, root->cause, confidence, root->fix, true);
    ds_difference_follows(e, (const char *const *)root->location, root->depth);
}

void ds_consequences_apply(ds_findings_t *findings)
{
    indexes_t x = {0};
    if (findings->count > 0 && indexes_build(&x, findings)) {
        for (size_t i = 0; i < findings->count; i++) {
            ds_difference_t *e = &findings->items[i];
            for (size_t r = 0; e->follows_depth == 0 && r < sizeof rules / sizeof rules[0]; r++) {
                const consequence_rule_t *rule = &rules[r];
                if ((rule->effect_kinds & (1u << e->kind)) == 0 ||
                    !ds_patterns_match(rule->effect, e->location[e->depth - 1]))
                    continue;
                const ds_difference_t *root = rule_root(&x, findings, rule, e);
                if (root != NULL)
                    follow(e, root, rule->confidence);
            }
        }
    }
    index_free(&x.by_name);
    index_free(&x.by_dir);
    index_free(&x.moving);
}
