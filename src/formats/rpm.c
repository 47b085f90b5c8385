/* RPM packages (rpm.org, "RPM file format", docs/manual/format.md: facts, no code) as a
 * container format. A package is a 96-byte lead (magic ed ab ee db, format major and minor,
 * type, architecture number, a 66-byte name, OS number, signature type 5: a header-style
 * signature), the signature header, padded to a multiple of 8 bytes, the main header (both in
 * the header structure of rpm_header.c) and the payload: a compressed cpio archive (gzip, xz,
 * zstd, bzip2, lzma or lz4) up to the end of the file.
 *
 * Fields: the lead ("@rpm.lead.name", ...), every tag of the signature header
 * ("@rpm.sig.SIGMD5", "@rpm.sig.SHA256HEADER") and of the main header ("@rpm.tag.BUILDTIME",
 * "@rpm.tag.BUILDHOST"); digests and sizes are derived. Entries: the payload's cpio members,
 * read by libarchive (archive_engine.c) on the payload alone, from the offset the headers give:
 * libarchive never parses the headers. The payload is opened when the entries are first asked
 * for, so that a damaged payload still leaves the headers compared. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpm_internal.h"

#define DS_RPM_LEAD_SIZE 96u
#define DS_RPM_LEAD_NAME_SIZE 66u
#define DS_RPM_SIGNATURE_HEADER_STYLE 5u /* the lead's signature type rpm requires */
#define DS_RPM_HEADER_ALIGN 8u           /* the signature header is padded to this */

typedef struct rpm_state {
    ds_source_t *src;
    ds_format_open_t how;
    const char *layer;
    unsigned char lead[DS_RPM_LEAD_SIZE];
    ds_rpm_header_t sig, main;
    uint64_t payload_at;
    ds_source_t *payload; /* [payload_at, end), once opened */
    void *archive;        /* the archive engine on the payload, once opened */
    char payload_name[64];
} rpm_state_t;

static int rpm_bid(ds_source_t *src)
{
    if (!ds_source_has_magic(src, 0, "\xed\xab\xee\xdb", 4))
        return 0;
    return ds_source_has_magic(src, DS_RPM_LEAD_SIZE, "\x8e\xad\xe8\x01", 4) ? 95 : 60;
}

static void rpm_close(void *state)
{
    rpm_state_t *s = state;
    if (s == NULL)
        return;
    ds_archive_format_close(s->archive);
    ds_source_close(s->payload);
    free(s);
}

/* The lead and where both headers and the payload lie. */
static int rpm_locate(rpm_state_t *s, ds_error_t *err)
{
    int rc = ds_source_read(s->src, 0, s->lead, sizeof s->lead, "rpm lead", err);
    if (rc != DS_OK)
        return rc;
    if (memcmp(s->lead, "\xed\xab\xee\xdb", 4) != 0)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: no RPM lead magic (ed ab ee db) at byte 0",
                            ds_source_label(s->src), s->layer);
    unsigned signature_type = ds_be16(s->lead + 78);
    if (signature_type != DS_RPM_SIGNATURE_HEADER_STYLE)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: rpm lead: signature type %u at byte 78, not %u (a header)",
                            ds_source_label(s->src), s->layer, signature_type, DS_RPM_SIGNATURE_HEADER_STYLE);
    rc = ds_rpm_header_open(s->src, DS_RPM_LEAD_SIZE, true, s->layer, &s->sig, err);
    if (rc != DS_OK)
        return rc;
    uint64_t main_at = (s->sig.end + DS_RPM_HEADER_ALIGN - 1) / DS_RPM_HEADER_ALIGN * DS_RPM_HEADER_ALIGN;
    rc = ds_rpm_header_open(s->src, main_at, false, s->layer, &s->main, err);
    s->payload_at = s->main.end;
    return rc;
}

static int rpm_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    *state = NULL;
    rpm_state_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    s->how = *how;
    s->layer = how->layer != NULL ? how->layer : "rpm";
    int rc = rpm_locate(s, err);
    if (rc != DS_OK) {
        rpm_close(s);
        return rc;
    }
    *state = s;
    return DS_OK;
}

static void lead_fields(const rpm_state_t *s, ds_fields_t *fields)
{
    const unsigned char *l = s->lead;
    char name[DS_RPM_LEAD_NAME_SIZE * 4 + 1];
    ds_fields_add(fields, "rpm.lead.version", "@rpm.lead.version", "lead format version", 4, l + 4, 2, "%u.%u", l[4],
                  l[5]);
    ds_fields_add_number(fields, "rpm.lead.type", "@rpm.lead.type", "lead package type (0 binary, 1 source)", 6, l + 6,
                         2, ds_be16(l + 6));
    ds_fields_add_number(fields, "rpm.lead.archnum", "@rpm.lead.archnum", "lead architecture number", 8, l + 8, 2,
                         ds_be16(l + 8));
    ds_format_padded_text(l + 10, DS_RPM_LEAD_NAME_SIZE, name, sizeof name);
    ds_field_t *f = ds_fields_add(fields, "rpm.lead.name", "@rpm.lead.name", "lead name", 10, l + 10,
                                  DS_RPM_LEAD_NAME_SIZE, "%s", name);
    if (f != NULL)
        f->derived = true; /* NAME-VERSION-RELEASE of the main header */
    ds_fields_add_number(fields, "rpm.lead.osnum", "@rpm.lead.osnum", "lead OS number", 76, l + 76, 2,
                         ds_be16(l + 76));
}

static int rpm_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    rpm_state_t *s = state;
    lead_fields(s, fields);
    if (fields->failed)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    int rc = ds_rpm_header_fields(s->src, &s->sig, s->layer, fields, err);
    return rc == DS_OK ? ds_rpm_header_fields(s->src, &s->main, s->layer, fields, err) : rc;
}

/* The payload's compressions rpm writes, and its cpio; no external programs. */
static int rpm_payload_enable(struct archive *a)
{
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_lzma(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_filter_lz4(a);
    return archive_read_support_format_cpio(a);
}

static int payload_open(rpm_state_t *s, ds_error_t *err)
{
    if (s->archive != NULL)
        return DS_OK;
    snprintf(s->payload_name, sizeof s->payload_name, "rpm payload at byte %" PRIu64, s->payload_at);
    int rc = DS_OK;
    if (s->payload == NULL)
        rc = ds_source_open_slice(&s->payload, s->src, s->payload_at, ds_source_size(s->src) - s->payload_at,
                                  s->payload_name, err);
    if (rc == DS_OK)
        rc = ds_archive_format_open(&s->archive, s->payload, &s->how, rpm_payload_enable, s->payload_name, err);
    return rc;
}

static int rpm_entries(void *state, ds_tree_t *tree, ds_error_t *err)
{
    rpm_state_t *s = state;
    int rc = payload_open(s, err);
    return rc == DS_OK ? ds_archive_format_entries(s->archive, tree, err) : rc;
}

static int rpm_open_entry(void *state, const ds_entry_t *entry, ds_source_t **out, ds_error_t *err)
{
    rpm_state_t *s = state;
    *out = NULL;
    int rc = payload_open(s, err);
    return rc == DS_OK ? ds_archive_format_open_entry(s->archive, entry, out, err) : rc;
}

const ds_format_t ds_format_rpm = {
    .name = "rpm",
    .kind = DS_FORMAT_CONTAINER,
    .summary = "RPM package (rpm.org file format): lead, signature and main header tags as fields "
               "(@rpm.sig.*, @rpm.tag.*; digests and sizes derived), the payload's cpio members as entries",
    .bid = rpm_bid,
    .open = rpm_open,
    .close = rpm_close,
    .fields = rpm_fields,
    .entries = rpm_entries,
    .open_entry = rpm_open_entry,
};
