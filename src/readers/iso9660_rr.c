/* Rock Ridge for the ISO 9660 reader: the SUSP entries of one directory record's system use
 * area, and the entry metadata they override. SUSP 1.12 (entry header: signature 0..1, length
 * 2, version 3; CE continues the area at LBA 4 (LE), offset 12 (LE), length 20 (LE); ST ends
 * it; SP is found by iso9660.c at the root's "." record) and RRIP 1.12 (PX mode/nlink/uid/gid
 * at 4/12/20/28; PN device high/low at 4/12; SL symlink components from 5 (flags, length,
 * bytes); NM name from 5 after its flags at 4; TF flags at 4 then 7- or 17-byte stamps; CL
 * child LBA at 4; RE relocated directory). The directory record itself follows ECMA-119 9.1,
 * cited in iso9660.c.
 *
 * Private to the ISO reader (see iso9660_internal.h). Every length is checked against the
 * entry and every entry against its area before use; continuation areas are bounded in size
 * and in hops (ISO_MAX_CONTINUATIONS). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../decode/fields.h"
#include "../util/clock.h"
#include "../decode/volume_descriptor.h"
#include "iso9660_internal.h"

/* Offset of the system use area within a record. */
size_t ds_iso_susp_start(const unsigned char *rec)
{
    size_t name_len = rec[32];
    return 33 + name_len + ((name_len & 1) ? 0 : 1);
}

/* Where a CE entry says the system use area continues (the last CE of an area wins). */
struct susp_continuation {
    bool present;
    uint32_t lba, offset, length;
};

static void rr_parse(iso_state_t *st, const unsigned char *area, size_t len, uint64_t area_at,
                     struct rr_info *rr, unsigned hops);

/* NM: one piece of the alternate name (pieces join up to ISO_MAX_NAME), or the flag that the
 * record is "." or "..". */
static void rr_name_add(const unsigned char *e, unsigned entry_len, struct rr_info *rr)
{
    unsigned flags = e[4];
    if (flags & 0x02)
        rr->name_current = true;
    else if (flags & 0x04)
        rr->name_parent = true;
    else if (rr->name.len + (entry_len - 5) <= ISO_MAX_NAME)
        ds_strbuf_append(&rr->name, (const char *)e + 5, entry_len - 5);
    else
        rr->bad = true;
}

/* SL: the components of a symlink target, joined with '/'. A component flagged "continues"
 * (0x01) is glued to the next one, also across SL entries, hence link_open_component. */
static void rr_link_add(const unsigned char *e, unsigned entry_len, struct rr_info *rr)
{
    size_t j = 5;
    while (j + 2 <= entry_len) {
        unsigned cflags = e[j], clen = e[j + 1];
        if (j + 2 + clen > entry_len)
            break;
        if (rr->link.len > ISO_MAX_LINK) {
            rr->bad = true;
            break;
        }
        if (!rr->link_open_component && rr->link.len > 0 &&
            ds_strbuf_text(&rr->link)[rr->link.len - 1] != '/')
            ds_strbuf_puts(&rr->link, "/");
        if (cflags & 0x08)
            ds_strbuf_puts(&rr->link, "/");
        else if (cflags & 0x02)
            ds_strbuf_puts(&rr->link, ".");
        else if (cflags & 0x04)
            ds_strbuf_puts(&rr->link, "..");
        else
            ds_strbuf_append(&rr->link, (const char *)e + j + 2, clen);
        rr->link_open_component = (cflags & 0x01) != 0;
        j += 2 + clen;
    }
}

/* TF: the stamps present follow in the order of their flag bits (RRIP 1.12 4.1.6: creation 1,
 * modify 2, access 4, attributes 8, backup 16, expiration 32, effective 64; 0x80 LONG_FORM:
 * 17-byte ECMA-119 8.4.26.1 dates instead of 7-byte 9.1.5 ones). Each is decoded while it lies
 * inside the entry; the modification time is the entry's mtime. */
static void rr_times_read(const unsigned char *e, unsigned entry_len, struct rr_info *rr)
{
    unsigned flags = e[4];
    size_t stamp = (flags & 0x80) ? 17 : 7;
    size_t at = 5;
    for (unsigned bit = 0; bit < 7; bit++) {
        if (!(flags & (1u << bit)))
            continue;
        if (at + stamp > entry_len)
            return;
        int64_t when;
        int ok = stamp == 7 ? ds_iso_date7_decode(e + at, &when)
                            : (ds_iso_date17_decode(e + at, (char[80]){0}, 80, &when) == 1 ? 0 : -1);
        if (ok == 0) {
            rr->tf_have |= 1u << bit;
            rr->tf[bit] = when;
        }
        at += stamp;
    }
    if (rr->tf_have & 0x02) {
        rr->has_tf_modify = true;
        rr->mtime = rr->tf[1];
    }
}

/* Applies one SUSP entry e (entry_len bytes, already checked to lie inside its area) to rr; a
 * CE entry is only noted in ce, to be followed once the area is done. Each signature's minimum
 * length is checked here; a shorter or unknown entry is ignored. */
static void rr_entry_apply(const unsigned char *e, unsigned entry_len, struct rr_info *rr,
                           struct susp_continuation *ce)
{
    if (e[0] == 'C' && e[1] == 'E' && entry_len >= 28) {
        ce->present = true;
        ce->lba = ds_le32(e + 4);
        ce->offset = ds_le32(e + 12);
        ce->length = ds_le32(e + 20);
    } else if (e[0] == 'P' && e[1] == 'X' && entry_len >= 36) {
        rr->has_px = true;
        rr->mode = ds_le32(e + 4);
        rr->nlink = ds_le32(e + 12);
        rr->uid = ds_le32(e + 20);
        rr->gid = ds_le32(e + 28);
    } else if (e[0] == 'P' && e[1] == 'N' && entry_len >= 20) {
        rr->has_pn = true;
        rr->dev_high = ds_le32(e + 4);
        rr->dev_low = ds_le32(e + 12);
    } else if (e[0] == 'N' && e[1] == 'M' && entry_len >= 5) {
        rr_name_add(e, entry_len, rr);
    } else if (e[0] == 'S' && e[1] == 'L' && entry_len >= 5) {
        rr_link_add(e, entry_len, rr);
    } else if (e[0] == 'T' && e[1] == 'F' && entry_len >= 5) {
        rr_times_read(e, entry_len, rr);
    } else if (e[0] == 'C' && e[1] == 'L' && entry_len >= 12) {
        rr->has_child_link = true;
        rr->child_lba = ds_le32(e + 4);
    } else if (e[0] == 'R' && e[1] == 'E') {
        rr->relocated = true;
    }
}

/* Reads the continuation area ce names and parses it as hop number hops + 1. The area must lie
 * within one logical block (and fit one sector's buffer), and the hops are bounded, so a CE
 * loop or a huge CE ends here with rr->bad set. */
static void rr_continuation_follow(iso_state_t *st, const struct susp_continuation *ce,
                                   struct rr_info *rr, unsigned hops)
{
    uint32_t ce_lba = ce->lba, ce_offset = ce->offset, ce_length = ce->length;
    if (hops >= ISO_MAX_CONTINUATIONS || ce_length > DS_ISO_SECTOR || ce_offset >= st->block ||
        ce_length > st->block - ce_offset) {
        ds_problems_add(st->problems,
                        "%s: iso9660/Rock Ridge: continuation area (LBA %" PRIu32 ", offset %" PRIu32
                        ", %" PRIu32 " bytes) refused: out of range or too many hops",
                        ds_source_label(st->src), ce_lba, ce_offset, ce_length);
        rr->bad = true;
        return;
    }
    unsigned char continuation[DS_ISO_SECTOR];
    uint64_t at = (uint64_t)ce_lba * st->block + ce_offset;
    ds_error_t err = {0};
    if (ds_source_read(st->src, at, continuation, ce_length, "iso9660/Rock Ridge continuation",
                       &err) != DS_OK) {
        ds_problems_add(st->problems, "%s", err.message);
        rr->bad = true;
        return;
    }
    rr_parse(st, continuation, ce_length, at, rr, hops + 1);
}

/* Parses the SUSP entries in [area, area+len) (found at byte area_at of the image), then the
 * continuation area if a CE entry named one. A bad entry length ends the area: past it the
 * entry boundaries are unknown. */
static void rr_parse(iso_state_t *st, const unsigned char *area, size_t len, uint64_t area_at,
                     struct rr_info *rr, unsigned hops)
{
    struct susp_continuation ce = {0};
    size_t i = 0;
    while (i + 4 <= len) {
        const unsigned char *e = area + i;
        unsigned entry_len = e[2];
        if (entry_len < 4 || i + entry_len > len) {
            if (e[0] != 0) /* padding zeros end the area quietly */
                ds_problems_add(st->problems,
                                "%s: iso9660/Rock Ridge: bad SUSP entry length %u at byte %" PRIu64,
                                ds_source_label(st->src), entry_len, area_at + i);
            break;
        }
        if (e[0] == 'S' && e[1] == 'T')
            break;
        rr_entry_apply(e, entry_len, rr, &ce);
        i += entry_len;
    }
    if (ce.present)
        rr_continuation_follow(st, &ce, rr, hops);
}

void ds_iso_rr_read(iso_state_t *st, const unsigned char *rec, size_t len, uint64_t rec_at,
                    struct rr_info *rr)
{
    memset(rr, 0, sizeof *rr);
    if (!st->rock_ridge)
        return;
    size_t at = ds_iso_susp_start(rec) + st->susp_skip;
    if (at < len)
        rr_parse(st, rec + at, len - at, rec_at + at, rr, 0);
}

void ds_iso_entry_metadata_fill(const unsigned char *rec, const struct rr_info *rr,
                                ds_entry_t *entry)
{
    bool is_dir = (rec[25] & 0x02) != 0 || rr->has_child_link;
    entry->type = is_dir ? DS_ENTRY_DIR : DS_ENTRY_FILE;
    entry->mode = is_dir ? 0555 : 0444;
    entry->nlink = 1;
    if (rr->has_px) {
        entry->has_owner = true;
        entry->mode = rr->mode & 07777;
        entry->uid = rr->uid;
        entry->gid = rr->gid;
        entry->nlink = rr->nlink;
        ds_entry_type_t t = ds_entry_type_from_mode(rr->mode);
        if (!rr->has_child_link)
            entry->type = t;
    }
    int64_t when = 0;
    if (ds_iso_date7_decode(rec + 18, &when) != 0)
        when = 0;
    entry->mtime = rr->has_tf_modify ? rr->mtime : when;
    /* Every TF stamp, when there are more than the modification time: "modify <UTC>, access
     * <UTC>, ..." (the toc stage compares them one by one). */
    static const char *const stamp_names[7] = {"creation", "modify", "access", "attributes",
                                               "backup", "expiration", "effective"};
    free(entry->mtime_text);
    entry->mtime_text = NULL;
    if (rr->tf_have & ~0x02u) {
        ds_strbuf_t sb = {0};
        char text[40];
        for (unsigned bit = 0; bit < 7; bit++) {
            if (!(rr->tf_have & (1u << bit)))
                continue;
            ds_format_utc(rr->tf[bit], text, sizeof text);
            ds_strbuf_printf(&sb, "%s%s %s", sb.len ? ", " : "", stamp_names[bit], text);
        }
        entry->mtime_text = ds_strbuf_take(&sb);
    }
    if (rr->has_pn) {
        entry->rdev_major = rr->dev_high;
        entry->rdev_minor = rr->dev_low;
        if (rr->dev_high == 0) { /* 64-bit dev_t in the low word, Linux encoding */
            entry->rdev_major = (rr->dev_low >> 8) & 0xFFF;
            entry->rdev_minor = (rr->dev_low & 0xFF) | ((rr->dev_low >> 12) & 0xFFF00);
        }
    }
}

void ds_iso_rr_free(struct rr_info *rr)
{
    ds_strbuf_free(&rr->name);
    ds_strbuf_free(&rr->link);
}
