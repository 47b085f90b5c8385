/* Flattened devicetree blobs (.dtb) as a container format.
 *
 * Devicetree Specification v0.4, chapter 5 "Flattened Devicetree (DTB) Format": a header of
 * big-endian 32-bit words (5.2: magic 0xd00dfeed, totalsize, off_dt_struct, off_dt_strings,
 * off_mem_rsvmap, version, last_comp_version, boot_cpuid_phys, size_dt_strings,
 * size_dt_struct), the memory reservation block (5.3: 64-bit address and size pairs, 8-byte
 * aligned, ended by a pair of zeros), the structure block (5.4: 4-byte aligned tokens
 * FDT_BEGIN_NODE 0x1 with the node's NUL-terminated name, FDT_END_NODE 0x2, FDT_PROP 0x3 with the
 * value's length and its name's offset in the strings block then the value, FDT_NOP 0x4,
 * FDT_END 0x9) and the strings block (5.5: NUL-terminated property names). Versions 16 and 17.
 *
 * Entries: every node below the root is a directory ("/soc/uart@1000"), every property a file
 * ("/soc/uart@1000/compatible") whose content is its value, read in place (a slice of the blob),
 * so that the comparer tells which property of which node differs and opens a value that holds
 * a format of its own (a FIT image's "data"). The root's properties are "/model", ... Names are
 * kept as they are, a '/' or NUL in one escaped (util/pathname.h). Siblings of one name are
 * refused (dtc refuses them too), except a node named as a property of its parent (dtc only
 * warns): that node becomes "<name>#node" (a property so named: "<name>#prop").
 *
 * Fields: the header words ("@dtb.version", "@dtb.boot_cpuid_phys", ...; totalsize, the offsets
 * and the block sizes are derived: they follow from the contents) and each memory reservation
 * ("@dtb.memreserve.1", ...). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../util/pathname.h"
#include "../util/strbuf.h"
#include "internal.h"

#define DS_DTB_MAGIC 0xd00dfeedu
#define DS_DTB_HEADER_SIZE 40u         /* version 17; version 16 has no size_dt_struct */
#define DS_DTB_DEPTH_MAX 64u           /* nodes inside nodes */
#define DS_DTB_ENTRIES_MAX 1048576u    /* nodes and properties in all */
#define DS_DTB_PROPERTY_MAX (256u << 20) /* bytes of one property value (a FIT image's payload) */
#define DS_DTB_NAME_MAX 256u           /* bytes of a node or property name (the spec: 31 + unit) */
#define DS_DTB_PATH_MAX 4096u          /* bytes of an entry's path */
#define DS_DTB_MEMRESERVE_MAX 1024u    /* memory reservation entries */

enum { FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9 };

typedef struct dtb_state {
    ds_source_t *src;
    const ds_deadline_t *deadline;
    unsigned char header[DS_DTB_HEADER_SIZE];
    uint32_t version, totalsize;
    uint64_t struct_at, struct_end, strings_at, strings_size, rsvmap_at;
} dtb_state_t;

static int dtb_bid(ds_source_t *src)
{
    unsigned char h[8];
    if (ds_source_read(src, 0, h, sizeof h, "dtb", NULL) != DS_OK || ds_be32(h) != DS_DTB_MAGIC)
        return 0;
    return ds_be32(h + 4) >= DS_DTB_HEADER_SIZE ? 90 : 0;
}

static void dtb_close(void *state) { free(state); }

/* [at, at + size) inside [0, limit). */
static bool inside(uint64_t at, uint64_t size, uint64_t limit) { return at <= limit && size <= limit - at; }

/* The header's blocks, each checked against totalsize, and totalsize against the file. */
static int dtb_layout(dtb_state_t *s, ds_error_t *err)
{
    const unsigned char *h = s->header;
    const char *label = ds_source_label(s->src);
    s->totalsize = ds_be32(h + 4);
    s->version = ds_be32(h + 20);
    if (s->totalsize > ds_source_size(s->src))
        return ds_error_set(err, DS_ERR_FORMAT, "%s: dtb: totalsize %" PRIu32 " at byte 4 exceeds the file (%" PRIu64
                            " bytes): truncated", label, s->totalsize, ds_source_size(s->src));
    if (s->version < 16 || ds_be32(h + 24) > 17)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: dtb: version %" PRIu32 " (compatible with %" PRIu32
                            ") at byte 20: only versions 16 and 17 are read", label, s->version, ds_be32(h + 24));
    uint32_t off_struct = ds_be32(h + 8), off_strings = ds_be32(h + 12), off_rsvmap = ds_be32(h + 16);
    uint64_t struct_size = s->version >= 17 ? ds_be32(h + 36) : (uint64_t)s->totalsize - (off_struct < s->totalsize ? off_struct : s->totalsize);
    s->strings_size = ds_be32(h + 32);
    if (off_struct % 4 != 0 || !inside(off_struct, struct_size, s->totalsize))
        return ds_error_set(err, DS_ERR_FORMAT, "%s: dtb: the structure block (byte %" PRIu32 ", %" PRIu64
                            " bytes) is misaligned or runs past totalsize %" PRIu32, label, off_struct, struct_size,
                            s->totalsize);
    if (!inside(off_strings, s->strings_size, s->totalsize))
        return ds_error_set(err, DS_ERR_FORMAT, "%s: dtb: the strings block (byte %" PRIu32 ", %" PRIu64
                            " bytes) runs past totalsize %" PRIu32, label, off_strings, s->strings_size, s->totalsize);
    if (off_rsvmap % 8 != 0 || off_rsvmap < DS_DTB_HEADER_SIZE || off_rsvmap >= s->totalsize)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: dtb: the memory reservation block at byte %" PRIu32
                            " is misaligned or outside totalsize %" PRIu32, label, off_rsvmap, s->totalsize);
    s->struct_at = off_struct;
    s->struct_end = off_struct + struct_size;
    s->strings_at = off_strings;
    s->rsvmap_at = off_rsvmap;
    return DS_OK;
}

static int dtb_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    *state = NULL;
    dtb_state_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    s->deadline = how->deadline;
    int rc = ds_source_read(src, 0, s->header, sizeof s->header, "dtb header", err);
    if (rc == DS_OK && ds_be32(s->header) != DS_DTB_MAGIC)
        rc = ds_error_set(err, DS_ERR_FORMAT, "%s: dtb: no 0xd00dfeed magic at byte 0", ds_source_label(src));
    if (rc == DS_OK)
        rc = dtb_layout(s, err);
    if (rc != DS_OK) {
        free(s);
        return rc;
    }
    *state = s;
    return DS_OK;
}

/* --- fields -------------------------------------------------------------------------------- */

static const struct {
    const char *name, *label;
    unsigned offset, since; /* the version that added it */
    bool derived, hex;
} header_words[] = {
    {"totalsize", "total size", 4, 1, true, false},
    {"off_dt_struct", "structure block offset", 8, 1, true, false},
    {"off_dt_strings", "strings block offset", 12, 1, true, false},
    {"off_mem_rsvmap", "memory reservation block offset", 16, 1, true, false},
    {"version", "version", 20, 1, false, false},
    {"last_comp_version", "last compatible version", 24, 1, false, false},
    {"boot_cpuid_phys", "boot CPU's physical id", 28, 2, false, true},
    {"size_dt_strings", "strings block size", 32, 3, true, false},
    {"size_dt_struct", "structure block size", 36, 17, true, false},
};

/* The reservations up to the pair of zeros; one that never comes is a field saying so. */
static void memreserve_fields(dtb_state_t *s, ds_fields_t *fields)
{
    for (uint32_t i = 0; i <= DS_DTB_MEMRESERVE_MAX; i++) {
        unsigned char e[16];
        uint64_t at = s->rsvmap_at + 16 * (uint64_t)i;
        const char *why = i == DS_DTB_MEMRESERVE_MAX ? "more than the limit of entries" : NULL;
        if (why == NULL && (!inside(at, sizeof e, s->totalsize) ||
                            ds_source_read(s->src, at, e, sizeof e, "dtb memory reservation", NULL) != DS_OK))
            why = "no terminating entry before totalsize";
        if (why != NULL) {
            ds_fields_add(fields, "dtb.memreserve.damage", "@dtb.memreserve.damage", "memory reservation block",
                          s->rsvmap_at, NULL, 0, "%s: dtb: the memory reservation block at byte %" PRIu64 " has %s",
                          ds_source_label(s->src), s->rsvmap_at, why);
            return;
        }
        uint64_t address = (uint64_t)ds_be32(e) << 32 | ds_be32(e + 4), size = (uint64_t)ds_be32(e + 8) << 32 | ds_be32(e + 12);
        if (address == 0 && size == 0)
            return;
        char key[48], label[48];
        snprintf(key, sizeof key, "dtb.memreserve.%" PRIu32, i + 1);
        snprintf(label, sizeof label, "memory reservation %" PRIu32, i + 1);
        char location[64];
        snprintf(location, sizeof location, "@%s", key);
        ds_fields_add(fields, key, location, label, at, e, sizeof e, "address 0x%" PRIx64 ", size 0x%" PRIx64, address,
                      size);
    }
}

static int dtb_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    dtb_state_t *s = state;
    for (size_t i = 0; i < sizeof header_words / sizeof header_words[0]; i++) {
        if (s->version < header_words[i].since)
            continue;
        char key[48], location[48];
        snprintf(key, sizeof key, "dtb.%s", header_words[i].name);
        snprintf(location, sizeof location, "@dtb.%s", header_words[i].name);
        const unsigned char *raw = s->header + header_words[i].offset;
        ds_field_t *f = header_words[i].hex
                            ? ds_fields_add(fields, key, location, header_words[i].label, header_words[i].offset, raw, 4,
                                            "0x%" PRIx32, ds_be32(raw))
                            : ds_fields_add_number(fields, key, location, header_words[i].label, header_words[i].offset,
                                                   raw, 4, ds_be32(raw));
        if (f != NULL)
            f->derived = header_words[i].derived;
    }
    memreserve_fields(s, fields);
    return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "out of memory") : DS_OK;
}

/* --- entries: the structure block ---------------------------------------------------------- */

/* The paths seen, an open-addressing set of tree indices (+1; 0 marks a free slot). */
typedef struct path_set {
    size_t *slots;
    size_t capacity, count;
} path_set_t;

static size_t path_hash(const char *p)
{
    size_t h = 1469598103934665603u;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return h;
}

/* The index of the entry with this path, or SIZE_MAX. */
static size_t path_find(const path_set_t *set, const ds_tree_t *tree, const char *path)
{
    for (size_t i = set->capacity ? path_hash(path) & (set->capacity - 1) : 0; set->capacity && set->slots[i];
         i = (i + 1) & (set->capacity - 1))
        if (strcmp(tree->entries[set->slots[i] - 1].path, path) == 0)
            return set->slots[i] - 1;
    return SIZE_MAX;
}

static bool path_insert(path_set_t *set, const ds_tree_t *tree, size_t index)
{
    if ((set->count + 1) * 2 > set->capacity) {
        size_t capacity = set->capacity ? set->capacity * 2 : 1024;
        size_t *slots = calloc(capacity, sizeof *slots);
        if (slots == NULL)
            return false;
        for (size_t k = 0; k < set->capacity; k++) {
            if (set->slots[k] == 0)
                continue;
            size_t i = path_hash(tree->entries[set->slots[k] - 1].path) & (capacity - 1);
            while (slots[i] != 0)
                i = (i + 1) & (capacity - 1);
            slots[i] = set->slots[k];
        }
        free(set->slots);
        set->slots = slots;
        set->capacity = capacity;
    }
    size_t i = path_hash(tree->entries[index].path) & (set->capacity - 1);
    while (set->slots[i] != 0)
        i = (i + 1) & (set->capacity - 1);
    set->slots[i] = index + 1;
    set->count++;
    return true;
}

typedef struct dtb_walk {
    dtb_state_t *s;
    ds_tree_t *tree;
    ds_error_t *err;
    ds_strbuf_t path;                   /* of the node open at the current depth */
    size_t path_len[DS_DTB_DEPTH_MAX + 1]; /* path's length at each depth */
    unsigned depth;                     /* 0: outside the root; 1: in the root */
    bool root_done;
    path_set_t seen;
} dtb_walk_t;

/* A NUL-terminated name of at most DS_DTB_NAME_MAX bytes at `at`, before `end`. */
static int read_name(dtb_walk_t *w, uint64_t at, uint64_t end, const char *what, char *name, size_t *len)
{
    size_t n = end > at ? (end - at < DS_DTB_NAME_MAX + 1 ? (size_t)(end - at) : DS_DTB_NAME_MAX + 1) : 0;
    int rc = ds_source_read(w->s->src, at, name, n, what, w->err);
    char *nul = rc == DS_OK && n > 0 ? memchr(name, '\0', n) : NULL;
    if (rc == DS_OK && nul == NULL)
        rc = ds_error_set(w->err, DS_ERR_FORMAT, "%s: dtb: the %s at byte %" PRIu64
                          " has no NUL within %u bytes or before its block ends", ds_source_label(w->s->src), what, at,
                          DS_DTB_NAME_MAX);
    *len = nul != NULL ? (size_t)(nul - name) : 0;
    return rc;
}

/* The entry at the current path + "/" + name (unique: see the top of the file) in *path. */
static int entry_path(dtb_walk_t *w, const char *name, size_t len, ds_entry_type_t type, uint64_t record,
                      ds_strbuf_t *path)
{
    ds_strbuf_append(path, ds_strbuf_text(&w->path), w->path.len);
    ds_path_append_component(path, name, len);
    size_t clash = path_find(&w->seen, w->tree, ds_strbuf_text(path));
    if (clash != SIZE_MAX && w->tree->entries[clash].type != type)
        ds_strbuf_puts(path, type == DS_ENTRY_DIR ? "#node" : "#prop");
    if (path->failed)
        return ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    if (clash != SIZE_MAX && path_find(&w->seen, w->tree, ds_strbuf_text(path)) != SIZE_MAX)
        return ds_error_set(w->err, DS_ERR_FORMAT, "%s: dtb: %s at byte %" PRIu64 " is there twice",
                            ds_source_label(w->s->src), ds_strbuf_text(path), record);
    if (path->len > DS_DTB_PATH_MAX || w->tree->count >= DS_DTB_ENTRIES_MAX)
        return ds_error_set(w->err, DS_ERR_LIMIT, "%s: dtb: the %s at byte %" PRIu64
                            " is past the limits (%u bytes a path, %u entries)", ds_source_label(w->s->src),
                            type == DS_ENTRY_DIR ? "node" : "property", record, DS_DTB_PATH_MAX, DS_DTB_ENTRIES_MAX);
    return DS_OK;
}

/* Appends the entry; on an error the tree is as it was. */
static int add_entry(dtb_walk_t *w, const char *name, size_t len, ds_entry_type_t type, uint64_t record, uint64_t size)
{
    ds_strbuf_t path = {0};
    int rc = entry_path(w, name, len, type, record, &path);
    ds_entry_t *e = rc == DS_OK ? ds_tree_append(w->tree) : NULL;
    if (rc == DS_OK && (e == NULL || (e->path = ds_strbuf_take(&path)) == NULL ||
                        !path_insert(&w->seen, w->tree, w->tree->count - 1))) {
        if (e != NULL) {
            ds_entry_clear(e);
            w->tree->count--;
        }
        rc = ds_error_set(w->err, DS_ERR_NOMEM, "out of memory");
    }
    if (rc == DS_OK) {
        e->type = (uint8_t)type;
        e->index = (uint32_t)(w->tree->count - 1);
        e->record_offset = record;
        e->size = size;
    }
    ds_strbuf_free(&path);
    return rc;
}

static int begin_node(dtb_walk_t *w, uint64_t at, uint64_t *next)
{
    char name[DS_DTB_NAME_MAX + 1];
    size_t len = 0;
    const char *label = ds_source_label(w->s->src);
    if (w->root_done)
        return ds_error_set(w->err, DS_ERR_FORMAT, "%s: dtb: a second root node at byte %" PRIu64, label, at);
    if (w->depth >= DS_DTB_DEPTH_MAX)
        return ds_error_set(w->err, DS_ERR_LIMIT, "%s: dtb: the node at byte %" PRIu64 " lies deeper than %u nodes",
                            label, at, DS_DTB_DEPTH_MAX);
    int rc = read_name(w, at + 4, w->s->struct_end, "node name", name, &len);
    if (rc == DS_OK && w->depth > 0) /* the root ("", by the spec) is the tree's "/" itself */
        rc = add_entry(w, name, len, DS_ENTRY_DIR, at, 0);
    if (rc != DS_OK)
        return rc;
    w->path_len[w->depth++] = w->path.len;
    if (w->depth > 1) { /* the node just added is the current one */
        const char *path = w->tree->entries[w->tree->count - 1].path;
        ds_strbuf_append(&w->path, path + w->path.len, strlen(path + w->path.len));
    }
    *next = at + 4 + ((len + 1 + 3) & ~(uint64_t)3);
    return w->path.failed ? ds_error_set(w->err, DS_ERR_NOMEM, "out of memory") : DS_OK;
}

static int property(dtb_walk_t *w, uint64_t at, uint64_t *next)
{
    unsigned char h[8];
    char name[DS_DTB_NAME_MAX + 1];
    size_t len = 0;
    const dtb_state_t *s = w->s;
    const char *label = ds_source_label(s->src);
    if (w->depth == 0)
        return ds_error_set(w->err, DS_ERR_FORMAT, "%s: dtb: a property outside every node at byte %" PRIu64, label, at);
    int rc = inside(at + 4, 8, s->struct_end) ? ds_source_read(s->src, at + 4, h, sizeof h, "dtb property", w->err)
                                             : ds_error_set(w->err, DS_ERR_FORMAT, "%s: dtb: the property at byte %"
                                                            PRIu64 " is cut by the end of the structure block", label, at);
    if (rc != DS_OK)
        return rc;
    uint32_t size = ds_be32(h), nameoff = ds_be32(h + 4);
    if (size > DS_DTB_PROPERTY_MAX || !inside(at + 12, size, s->struct_end))
        return ds_error_set(w->err, size > DS_DTB_PROPERTY_MAX ? DS_ERR_LIMIT : DS_ERR_FORMAT,
                            "%s: dtb: the property at byte %" PRIu64 " holds %" PRIu32
                            " bytes: past the end of the structure block or the limit (%u)", label, at, size,
                            DS_DTB_PROPERTY_MAX);
    if (nameoff >= s->strings_size)
        return ds_error_set(w->err, DS_ERR_FORMAT, "%s: dtb: the property at byte %" PRIu64 " names string %" PRIu32
                            ", past the strings block (%" PRIu64 " bytes)", label, at, nameoff, s->strings_size);
    rc = read_name(w, s->strings_at + nameoff, s->strings_at + s->strings_size, "property name", name, &len);
    if (rc == DS_OK)
        rc = add_entry(w, name, len, DS_ENTRY_FILE, at, size);
    *next = at + 12 + (((uint64_t)size + 3) & ~(uint64_t)3);
    return rc;
}

/* One token at `at`; *next the one after it, *end set by FDT_END. */
static int token(dtb_walk_t *w, uint64_t at, uint64_t *next, bool *end)
{
    unsigned char t[4];
    int rc = ds_source_read(w->s->src, at, t, sizeof t, "dtb token", w->err);
    if (rc != DS_OK)
        return rc;
    const char *label = ds_source_label(w->s->src);
    switch (ds_be32(t)) {
    case FDT_BEGIN_NODE:
        return begin_node(w, at, next);
    case FDT_END_NODE:
        if (w->depth == 0)
            return ds_error_set(w->err, DS_ERR_FORMAT, "%s: dtb: FDT_END_NODE outside every node at byte %" PRIu64,
                                label, at);
        w->path.len = w->path_len[--w->depth];
        if (w->path.data != NULL)
            w->path.data[w->path.len] = '\0';
        w->root_done = w->depth == 0;
        *next = at + 4;
        return DS_OK;
    case FDT_PROP:
        return property(w, at, next);
    case FDT_NOP:
        *next = at + 4;
        return DS_OK;
    case FDT_END:
        if (w->depth != 0 || !w->root_done)
            return ds_error_set(w->err, DS_ERR_FORMAT, "%s: dtb: FDT_END at byte %" PRIu64 " inside a node or before "
                                "the root", label, at);
        *end = true;
        return DS_OK;
    default:
        return ds_error_set(w->err, DS_ERR_FORMAT, "%s: dtb: unknown token 0x%08" PRIx32 " at byte %" PRIu64, label,
                            ds_be32(t), at);
    }
}

static int dtb_entries(void *state, ds_tree_t *tree, ds_error_t *err)
{
    dtb_state_t *s = state;
    dtb_walk_t w = {.s = s, .tree = tree, .err = err};
    bool end = false;
    int rc = DS_OK;
    uint64_t at = s->struct_at;
    for (size_t n = 0; rc == DS_OK && !end; n++) {
        if (at > s->struct_end || s->struct_end - at < 4)
            rc = ds_error_set(err, DS_ERR_FORMAT, "%s: dtb: the structure block ends at byte %" PRIu64
                              " without FDT_END", ds_source_label(s->src), s->struct_end);
        else if (n % 4096 == 4095 && ds_deadline_passed(s->deadline))
            rc = ds_error_set(err, DS_ERR_TIMEOUT, "%s: dtb: time budget spent at byte %" PRIu64,
                              ds_source_label(s->src), at);
        else
            rc = token(&w, at, &at, &end);
    }
    tree->complete = rc == DS_OK;
    free(w.seen.slots);
    ds_strbuf_free(&w.path);
    return rc;
}

static int dtb_open_entry(void *state, const ds_entry_t *entry, ds_source_t **out, ds_error_t *err)
{
    dtb_state_t *s = state;
    *out = NULL;
    /* A property's value follows its token and the two words of length and name offset. */
    if (entry->type != DS_ENTRY_FILE || !inside(entry->record_offset, 12, s->struct_end) ||
        !inside(entry->record_offset + 12, entry->size, s->struct_end))
        return ds_error_set(err, DS_ERR_USAGE, "%s: dtb: %s is not a property of this blob", ds_source_label(s->src),
                            entry->path);
    return ds_source_open_slice(out, s->src, entry->record_offset + 12, entry->size, entry->path, err);
}

const ds_format_t ds_format_dtb = {
    .name = "dtb",
    .kind = DS_FORMAT_CONTAINER,
    .summary = "flattened devicetree (.dtb, Devicetree Specification ch. 5): header fields, memory reservations, "
               "nodes as directories and properties as files holding their values",
    .bid = dtb_bid,
    .open = dtb_open,
    .close = dtb_close,
    .fields = dtb_fields,
    .entries = dtb_entries,
    .open_entry = dtb_open_entry,
};
