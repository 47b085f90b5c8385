/* ISO 9660 directory tree reader with Rock Ridge and Joliet.
 * ECMA-119 9.1 (directory record: length 0, extended attribute length 1, extent LBA 2 (LE),
 * data length 10 (LE), date 18..24, flags 25 (0x02 directory, 0x80 multi-extent), name length
 * 32, name 33, padding to even, then the system use area); SUSP 1.12 (SP at the root's "."
 * record gives the skip length; CE continues the area elsewhere; ST ends it) and RRIP 1.12 (PX
 * mode/nlink/uid/gid, PN device, SL symlink, NM name, TF times, CL/RE relocated directories);
 * the SUSP/RRIP entries themselves are parsed in iso9660_rr.c.
 *
 * Why our own reader and not libisofs: the diagnosis needs the raw directory-record facts
 * (extent LBA, record offset) and an error that names the byte offset of the bad record;
 * libisofs builds its whole tree at import, reports through a global messenger and hides
 * extents behind its node API. This reader streams one directory sector at a time, with the
 * limits named in iso9660_internal.h, and never trusts an on-disk size before checking it. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../decode/fields.h"
#include "../decode/volume_descriptor.h"
#include "../util/limits.h"
#include "../util/pathname.h"
#include "../util/strbuf.h"
#include "iso9660_internal.h"

static int iso_probe(ds_source_t *src)
{
    unsigned char head[8];
    if (ds_source_read(src, 16 * DS_ISO_SECTOR, head, sizeof head, "iso9660", NULL) != DS_OK)
        return 0;
    return memcmp(head + 1, "CD001", 5) == 0 ? 90 : 0;
}

/* Open-addressing set of directory LBAs (0 marks an empty slot; LBA 0 is the system area and
 * never a directory). Returns false when lba was already present. */
static bool visited_add(iso_state_t *st, uint32_t lba)
{
    if (lba == 0)
        return false;
    if ((st->visited_count + 1) * 2 > st->visited_capacity) {
        size_t capacity = st->visited_capacity ? st->visited_capacity * 2 : 256;
        uint32_t *table = calloc(capacity, sizeof *table);
        if (table == NULL)
            return false;
        for (size_t i = 0; i < st->visited_capacity; i++) {
            uint32_t v = st->visited[i];
            if (v == 0)
                continue;
            size_t slot = (v * 2654435761u) & (capacity - 1);
            while (table[slot] != 0)
                slot = (slot + 1) & (capacity - 1);
            table[slot] = v;
        }
        free(st->visited);
        st->visited = table;
        st->visited_capacity = capacity;
    }
    size_t slot = (lba * 2654435761u) & (st->visited_capacity - 1);
    while (st->visited[slot] != 0) {
        if (st->visited[slot] == lba)
            return false;
        slot = (slot + 1) & (st->visited_capacity - 1);
    }
    st->visited[slot] = lba;
    st->visited_count++;
    return true;
}

static int push_dir(iso_state_t *st, const char *path, uint32_t lba, uint32_t size, unsigned depth)
{
    if (st->stack_count == st->stack_capacity) {
        size_t capacity = st->stack_capacity ? st->stack_capacity * 2 : 32;
        struct pending_dir *stack = realloc(st->stack, capacity * sizeof *stack);
        if (stack == NULL)
            return DS_ERR_NOMEM;
        st->stack = stack;
        st->stack_capacity = capacity;
    }
    char *copy = strdup(path);
    if (copy == NULL)
        return DS_ERR_NOMEM;
    st->stack[st->stack_count++] = (struct pending_dir){copy, lba, size, depth};
    return DS_OK;
}


/* The plain ISO 9660 or Joliet name, in UTF-8, version suffix ";1" and a lone trailing '.'
 * dropped. */
static void plain_name(const iso_state_t *st, const unsigned char *rec, ds_strbuf_t *out)
{
    size_t len = rec[32];
    const unsigned char *name = rec + 33;
    if (st->joliet) {
        for (size_t i = 0; i + 1 < len; i += 2) {
            unsigned cp = ds_be16(name + i);
            if (cp == ';')
                break;
            char utf8[4];
            size_t n;
            if (cp < 0x80) {
                utf8[0] = (char)cp, n = 1;
            } else if (cp < 0x800) {
                utf8[0] = (char)(0xC0 | (cp >> 6)), utf8[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
            } else {
                utf8[0] = (char)(0xE0 | (cp >> 12)), utf8[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                utf8[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
            }
            ds_strbuf_append(out, utf8, n);
        }
        return;
    }
    size_t end = len;
    for (size_t i = 0; i < len; i++)
        if (name[i] == ';') {
            end = i;
            break;
        }
    if (end > 0 && name[end - 1] == '.')
        end--;
    ds_strbuf_append(out, (const char *)name, end);
}

static int iso_open(void **state, ds_source_t *src, const ds_deadline_t *deadline,
                    ds_problems_t *problems, ds_error_t *err)
{
    *state = NULL;
    iso_state_t *st = calloc(1, sizeof *st);
    if (st == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    st->src = src;
    st->problems = problems;
    st->deadline = deadline;
    st->sector_loaded = -1;

    /* Find the PVD and, failing Rock Ridge, a Joliet SVD. */
    unsigned char sector[DS_ISO_SECTOR];
    unsigned char joliet_root[34];
    bool have_pvd = false, have_joliet = false;
    for (unsigned i = 0; i < DS_ISO_MAX_DESCRIPTORS; i++) {
        uint64_t at = (uint64_t)(DS_ISO_FIRST_DESCRIPTOR_SECTOR + i) * DS_ISO_SECTOR;
        int rc = ds_source_read(src, at, sector, sizeof sector, "iso9660 volume descriptor", err);
        if (rc != DS_OK) {
            free(st);
            return rc;
        }
        if (memcmp(sector + 1, "CD001", 5) != 0) {
            free(st);
            return ds_error_set(err, DS_ERR_FORMAT,
                                "%s: iso9660: no volume descriptor at byte %" PRIu64
                                ": not an ISO 9660 image",
                                ds_source_label(src), at);
        }
        if (sector[0] == 1 && !have_pvd) {
            have_pvd = true;
            memcpy(st->root_record, sector + 156, 34);
            st->block = ds_le16(sector + 128);
        } else if (ds_volume_descriptor_is_joliet(sector) && !have_joliet) {
            have_joliet = true;
            memcpy(joliet_root, sector + 156, 34);
        } else if (sector[0] == 255) {
            break;
        }
    }
    if (!have_pvd) {
        free(st);
        return ds_error_set(err, DS_ERR_FORMAT, "%s: iso9660: no primary volume descriptor",
                            ds_source_label(src));
    }
    if (st->block != 512 && st->block != 1024 && st->block != 2048) {
        ds_problems_add(problems, "%s: iso9660: logical block size %u is not 512/1024/2048; using 2048",
                        ds_source_label(src), st->block);
        st->block = 2048;
    }

    /* Rock Ridge: an SP entry in the root directory's "." record. */
    uint32_t root_lba = ds_le32(st->root_record + 2);
    uint64_t root_at = (uint64_t)root_lba * st->block;
    unsigned char dot[DS_ISO_SECTOR];
    int rc = ds_source_read(src, root_at, dot, 34, "iso9660 root directory", err);
    if (rc != DS_OK) {
        free(st);
        return rc;
    }
    size_t dot_len = dot[0];
    if (dot_len >= 34 && ds_source_read(src, root_at, dot, dot_len, "iso9660 root directory",
                                        NULL) == DS_OK) {
        size_t at = ds_iso_susp_start(dot);
        if (at + 7 <= dot_len && dot[at] == 'S' && dot[at + 1] == 'P' && dot[at + 4] == 0xBE &&
            dot[at + 5] == 0xEF) {
            st->rock_ridge = true;
            st->susp_skip = dot[at + 6];
        }
    }
    if (!st->rock_ridge && have_joliet) {
        st->joliet = true;
        memcpy(st->root_record, joliet_root, 34);
    }
    *state = st;
    return DS_OK;
}

/* Loads the sector holding byte `offset` of the current directory. */
static int load_dir_sector(iso_state_t *st, uint32_t offset, ds_error_t *err)
{
    int64_t index = offset / DS_ISO_SECTOR;
    if (index == st->sector_loaded)
        return DS_OK;
    uint64_t at = (uint64_t)st->current.lba * st->block + (uint64_t)index * DS_ISO_SECTOR;
    uint32_t want = st->current.size - (uint32_t)index * DS_ISO_SECTOR;
    if (want > DS_ISO_SECTOR)
        want = DS_ISO_SECTOR;
    memset(st->sector, 0, sizeof st->sector);
    int rc = ds_source_read(st->src, at, st->sector, want, "iso9660 directory", err);
    if (rc != DS_OK)
        return rc;
    st->sector_loaded = index;
    return DS_OK;
}

static int next_directory(iso_state_t *st)
{
    free(st->current.path);
    st->current.path = NULL;
    st->have_current = false;
    while (st->stack_count > 0) {
        st->current = st->stack[--st->stack_count];
        if (st->current.size > ISO_MAX_DIRECTORY_BYTES) {
            ds_problems_add(st->problems,
                            "%s: iso9660: directory %s is %" PRIu32 " bytes, over the limit of %u; skipped",
                            ds_source_label(st->src), st->current.path, st->current.size,
                            ISO_MAX_DIRECTORY_BYTES);
            free(st->current.path);
            st->current.path = NULL; /* iso_close frees it otherwise: a double free */
            continue;
        }
        st->have_current = true;
        st->offset_in_dir = 0;
        st->sector_loaded = -1;
        return 1;
    }
    return 0;
}

/* Reads the record at st->offset_in_dir into rec (a sector-local copy). Returns 1 with *len set,
 * 0 at the end of the directory, negative on a read error. Skips zero padding at sector ends. */
static int read_record(iso_state_t *st, unsigned char *rec, size_t *len, uint64_t *rec_at,
                       ds_error_t *err)
{
    for (;;) {
        if (st->offset_in_dir >= st->current.size)
            return 0;
        int rc = load_dir_sector(st, st->offset_in_dir, err);
        if (rc != DS_OK)
            return rc;
        uint32_t in_sector = st->offset_in_dir % DS_ISO_SECTOR;
        unsigned rlen = st->sector[in_sector];
        if (rlen == 0) {
            st->offset_in_dir = (st->offset_in_dir / DS_ISO_SECTOR + 1) * DS_ISO_SECTOR;
            continue;
        }
        *rec_at = (uint64_t)st->current.lba * st->block + st->offset_in_dir;
        if (rlen < 34 || in_sector + rlen > DS_ISO_SECTOR || 33u + st->sector[in_sector + 32] > rlen) {
            ds_problems_add(st->problems,
                            "%s: iso9660: bad directory record (length %u) at byte %" PRIu64
                            " in %s; rest of that sector skipped",
                            ds_source_label(st->src), rlen, *rec_at, st->current.path);
            st->offset_in_dir = (st->offset_in_dir / DS_ISO_SECTOR + 1) * DS_ISO_SECTOR;
            continue;
        }
        memcpy(rec, st->sector + in_sector, rlen);
        *len = rlen;
        st->offset_in_dir += rlen;
        return 1;
    }
}

/* The root directory is the walk's first entry: it has no record in a parent, so its metadata
 * comes from its own "." record, and it queues itself as the first directory to read. */
static int root_entry_fill(iso_state_t *st, ds_entry_t *entry, ds_error_t *err)
{
    st->root_emitted = true;
    uint32_t lba = ds_le32(st->root_record + 2), size = ds_le32(st->root_record + 10);
    visited_add(st, lba);
    if (push_dir(st, "", lba, size, 0) != DS_OK)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    /* The root's own metadata is in its "." record. */
    unsigned char rec[256];
    uint64_t at = (uint64_t)lba * st->block;
    int rc = ds_source_read(st->src, at, rec, 34, "iso9660 root directory", err);
    if (rc != DS_OK)
        return rc;
    struct rr_info rr;
    size_t len = rec[0];
    if (len >= 34 && ds_source_read(st->src, at, rec, len, "iso9660", NULL) == DS_OK)
        ds_iso_rr_read(st, rec, len, at, &rr);
    else
        memset(&rr, 0, sizeof rr), len = 34;
    ds_iso_entry_metadata_fill(rec, &rr, entry);
    ds_iso_rr_free(&rr);
    entry->type = DS_ENTRY_DIR;
    entry->path = strdup("/");
    entry->size = size;
    entry->record_offset = at;
    entry->extents = malloc(sizeof *entry->extents);
    if (entry->path == NULL || entry->extents == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    entry->extents[0] = (ds_extent_t){(uint64_t)lba * st->block, size};
    entry->extent_count = 1;
    st->entries++;
    return 1;
}

/* Drops the directory being read, so that the next record comes from the next pending one. */
static void current_directory_end(iso_state_t *st)
{
    st->have_current = false;
    free(st->current.path);
    st->current.path = NULL;
}

/* The walk's next directory record other than "." and "..", moving on to the next pending
 * directory whenever one ends. Returns 1 with rec, *len and *rec_at set, 0 when no directory
 * is left, negative (err set) when the time budget is spent; the budget is checked before
 * every record so that a huge or looping image cannot hold the walk. */
static int walk_next_record(iso_state_t *st, unsigned char *rec, size_t *len, uint64_t *rec_at,
                            ds_error_t *err)
{
    for (;;) {
        if (ds_deadline_passed(st->deadline))
            return ds_error_set(err, DS_ERR_TIMEOUT, "%s: iso9660: time budget exhausted",
                                ds_source_label(st->src));
        if (!st->have_current && next_directory(st) == 0)
            return 0;
        int rc = read_record(st, rec, len, rec_at, err);
        if (rc < 0) {
            /* An unreadable directory is a skipped directory, not a dead image. */
            ds_problems_add(st->problems, "%s; directory %s skipped", err->message,
                            st->current.path[0] ? st->current.path : "/");
            ds_error_clear(err);
            current_directory_end(st);
            continue;
        }
        if (rc == 0) {
            current_directory_end(st);
            continue;
        }
        if (rec[32] == 1 && (rec[33] == 0 || rec[33] == 1))
            continue; /* "." and ".." */
        return 1;
    }
}

/* Builds into path (empty on entry) the record's path: the current directory's path and the
 * record's name, the Rock Ridge NM name when there is one. Notes a name that had to be escaped
 * and damaged Rock Ridge entries. Returns false, path freed, when the path is over
 * ISO_MAX_PATH or could not be built: that record is skipped. */
static bool record_path_build(iso_state_t *st, const unsigned char *rec, const struct rr_info *rr,
                              uint64_t rec_at, ds_strbuf_t *path)
{
    ds_strbuf_t name = {0};
    if (st->rock_ridge && rr->name.len > 0)
        ds_strbuf_append(&name, rr->name.data, rr->name.len);
    else
        plain_name(st, rec, &name);
    ds_strbuf_puts(path, st->current.path);
    bool renamed = ds_path_append_component(path, ds_strbuf_text(&name), name.len);
    if (renamed)
        ds_problems_add(st->problems,
                        "%s: iso9660: name at byte %" PRIu64 " cannot be a path component; shown escaped as %s",
                        ds_source_label(st->src), rec_at, ds_strbuf_text(path));
    if (rr->bad)
        ds_problems_add(st->problems,
                        "%s: iso9660/Rock Ridge: damaged entries in the record at byte %" PRIu64 " (%s)",
                        ds_source_label(st->src), rec_at, ds_strbuf_text(path));
    ds_strbuf_free(&name);
    if (path->len > ISO_MAX_PATH || path->failed) {
        ds_problems_add(st->problems,
                        "%s: iso9660: path of the record at byte %" PRIu64 " is longer than %d bytes; skipped",
                        ds_source_label(st->src), rec_at, ISO_MAX_PATH);
        ds_strbuf_free(path);
        return false;
    }
    return true;
}

/* A record with a Rock Ridge CL entry stands for a directory relocated to child_lba: its
 * content is there, and its size is in the "." record there. An unreadable "." record is noted
 * and leaves the length 0 (the directory then reads as empty). */
static void relocated_directory_extent(iso_state_t *st, uint32_t child_lba, uint32_t *lba,
                                       uint32_t *length, ds_error_t *err)
{
    unsigned char dot[34];
    uint64_t dot_at = (uint64_t)child_lba * st->block;
    if (ds_source_read(st->src, dot_at, dot, sizeof dot, "iso9660 relocated directory",
                       err) != DS_OK) {
        ds_problems_add(st->problems, "%s", err->message);
        ds_error_clear(err);
        *length = 0;
    } else {
        *length = ds_le32(dot + 10);
    }
    *lba = child_lba;
}

/* Sets entry's extents and size: one extent per record; a multi-extent file (flag 0x80)
 * continues in the following records of the same directory, which are read here. A missing
 * final section or more than ISO_MAX_EXTENTS_PER_FILE sections is noted and ends the file
 * where it stands. Returns DS_OK, or DS_ERR_NOMEM (entry keeps what it holds, for the caller
 * to clear). */
static int entry_extents_collect(iso_state_t *st, const unsigned char *rec, uint32_t lba,
                                 uint32_t length, ds_entry_t *entry, ds_error_t *err)
{
    size_t capacity = 1;
    entry->extents = malloc(sizeof *entry->extents);
    if (entry->extents == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    entry->extents[0] = (ds_extent_t){(uint64_t)lba * st->block, length};
    entry->extent_count = 1;
    entry->size = length;
    unsigned char flags = rec[25];
    while ((flags & 0x80) && entry->type != DS_ENTRY_DIR) {
        unsigned char more[256];
        size_t more_len;
        uint64_t more_at;
        int rc = read_record(st, more, &more_len, &more_at, err);
        if (rc <= 0) {
            if (rc < 0) {
                ds_problems_add(st->problems, "%s", err->message);
                ds_error_clear(err);
            }
            ds_problems_add(st->problems,
                            "%s: iso9660: multi-extent file %s ends without its final section",
                            ds_source_label(st->src), entry->path);
            break;
        }
        if (entry->extent_count >= ISO_MAX_EXTENTS_PER_FILE) {
            ds_problems_add(st->problems, "%s: iso9660: %s has more than %d sections",
                            ds_source_label(st->src), entry->path, ISO_MAX_EXTENTS_PER_FILE);
            break;
        }
        if (entry->extent_count == capacity) {
            capacity *= 2;
            ds_extent_t *extents = realloc(entry->extents, capacity * sizeof *extents);
            if (extents == NULL)
                return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
            entry->extents = extents;
        }
        uint32_t more_lba = ds_le32(more + 2), more_length = ds_le32(more + 10);
        entry->extents[entry->extent_count++] =
            (ds_extent_t){(uint64_t)more_lba * st->block, more_length};
        entry->size += more_length;
        flags = more[25];
    }
    return DS_OK;
}

/* Queues the subdirectory at path (extent lba, length bytes) to be read, unless it is nested
 * deeper than ISO_MAX_DEPTH or its extent was already walked (a loop): those are noted and not
 * entered, and the walk goes on. Returns DS_OK or DS_ERR_NOMEM. */
static int subdirectory_queue(iso_state_t *st, const char *path, uint32_t lba, uint32_t length,
                              ds_error_t *err)
{
    unsigned depth = st->current.depth + 1;
    if (depth > ISO_MAX_DEPTH) {
        ds_problems_add(st->problems, "%s: iso9660: %s is nested deeper than %d; not entered",
                        ds_source_label(st->src), path, ISO_MAX_DEPTH);
    } else if (!visited_add(st, lba)) {
        ds_problems_add(st->problems,
                        "%s: iso9660: directory %s at LBA %" PRIu32 " was already walked (a loop); not entered again",
                        ds_source_label(st->src), path, lba);
    } else if (push_dir(st, path, lba, length, depth) != DS_OK) {
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    return DS_OK;
}

/* Every extent must lie inside the image: a truncated image shows here. The first one that
 * does not is noted; the entry is still listed. */
static void extents_check_in_image(iso_state_t *st, const ds_entry_t *entry)
{
    for (size_t i = 0; i < entry->extent_count; i++) {
        const ds_extent_t *x = &entry->extents[i];
        uint64_t size = ds_source_size(st->src);
        if (x->offset > size || x->length > size - x->offset) {
            ds_problems_add(st->problems,
                            "%s: iso9660: %s: extent at byte %" PRIu64 " (%" PRIu64
                            " bytes) runs past the end of the image (%" PRIu64 " bytes)",
                            ds_source_label(st->src), entry->path, x->offset, x->length,
                            size);
            break;
        }
    }
}

/* Turns the directory record rec (len bytes at byte rec_at) into entry. Returns 1 with entry
 * filled, 0 when the record is not an entry of its own (a relocated directory, shown where its
 * CL entry stands, or an NM "." / "..") or its path is refused, negative (err set) on out of
 * memory or over the entry limit. */
static int entry_from_record(iso_state_t *st, const unsigned char *rec, size_t len,
                             uint64_t rec_at, ds_entry_t *entry, ds_error_t *err)
{
    struct rr_info rr;
    ds_iso_rr_read(st, rec, len, rec_at, &rr);
    if (rr.relocated || rr.name_current || rr.name_parent) {
        ds_iso_rr_free(&rr);
        return 0; /* shown where its CL entry stands */
    }
    ds_strbuf_t path = {0};
    if (!record_path_build(st, rec, &rr, rec_at, &path)) {
        ds_iso_rr_free(&rr);
        return 0;
    }
    ds_iso_entry_metadata_fill(rec, &rr, entry);
    entry->path = ds_strbuf_take(&path);
    entry->record_offset = rec_at;
    if (entry->type == DS_ENTRY_SYMLINK && rr.link.len > 0)
        entry->link_target = ds_strbuf_take(&rr.link);

    uint32_t lba = ds_le32(rec + 2), length = ds_le32(rec + 10);
    if (rr.has_child_link)
        relocated_directory_extent(st, rr.child_lba, &lba, &length, err);
    ds_iso_rr_free(&rr);
    int rc = entry_extents_collect(st, rec, lba, length, entry, err);
    if (rc != DS_OK)
        return rc;
    if (entry->type == DS_ENTRY_DIR) {
        rc = subdirectory_queue(st, entry->path, lba, length, err);
        if (rc != DS_OK)
            return rc;
    } else {
        extents_check_in_image(st, entry);
    }
    if (++st->entries > ISO_MAX_ENTRIES || st->entries > ds_limits()->max_entries) {
        ds_entry_clear(entry);
        return ds_error_set(err, DS_ERR_LIMIT, "%s: iso9660: more than %zu entries (the --max-memory budget)",
                            ds_source_label(st->src), st->entries - 1);
    }
    return 1;
}

static int iso_next(void *state, ds_entry_t *entry, ds_error_t *caller_err)
{
    iso_state_t *st = state;
    /* Recoverable errors are read back from err in the helpers: never let it be NULL. */
    ds_error_t local = {0};
    ds_error_t *err = caller_err ? caller_err : &local;
    memset(entry, 0, sizeof *entry);
    if (!st->root_emitted)
        return root_entry_fill(st, entry, err);
    unsigned char rec[256];
    for (;;) {
        size_t len;
        uint64_t rec_at;
        int rc = walk_next_record(st, rec, &len, &rec_at, err);
        if (rc <= 0)
            return rc;
        rc = entry_from_record(st, rec, len, rec_at, entry, err);
        if (rc != 0)
            return rc; /* 0: that record was skipped; on to the next */
    }
}

static void iso_close(void *state)
{
    iso_state_t *st = state;
    if (st == NULL)
        return;
    for (size_t i = 0; i < st->stack_count; i++)
        free(st->stack[i].path);
    free(st->stack);
    free(st->current.path);
    free(st->visited);
    free(st);
}

const ds_reader_ops_t ds_iso9660_reader = {
    .name = "iso9660",
    .probe = iso_probe,
    .open = iso_open,
    .next = iso_next,
    .close = iso_close,
};
