/* Classifiers for binaries: ELF section by section (build-id) and .pyc headers. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/strbuf.h"
#include "classify_internal.h"
#include "../decode/elf_sections.h"
#include "../decode/fields.h"

/* --- ELF --------------------------------------------------------------------------------- */

static void build_id_hex(ds_source_t *src, const ds_elf_section_t *s, char *hex, size_t size)
{
    unsigned char note[64];
    hex[0] = '\0';
    if (s->size < 16 || ds_source_read(src, s->offset, note, s->size < sizeof note ? (size_t)s->size : sizeof note,
                                       "elf note", NULL) != DS_OK)
        return;
    uint32_t namesz = ds_le32(note), descsz = ds_le32(note + 4);
    size_t desc = 12 + ((namesz + 3) & ~3u);
    for (size_t i = 0; i < descsz && desc + i < sizeof note && desc + i < s->size && 2 * i + 3 < size; i++)
        snprintf(hex + 2 * i, 3, "%02x", note[desc + i]);
}

void ds_classify_elf(ds_source_t *a, ds_source_t *b, ds_classified_t *out)
{
    ds_elf_t ea = {0}, eb = {0};
    ds_error_t err = {0};
    if (ds_elf_open(a, &ea, &err) != DS_OK || ds_elf_open(b, &eb, &err) != DS_OK) {
        ds_classify_verdict(out, "elf", NULL, NULL, "ELF headers unreadable: %s", err.message);
        /* Either side may hold a partly read section table. */
        ds_elf_free(&ea);
        ds_elf_free(&eb);
        return;
    }
    ds_strbuf_t names = {0};
    size_t differing = 0, id_only = 0;
    bool layout_same = ea.count == eb.count && ea.header_size == eb.header_size && ea.ph_bytes == eb.ph_bytes &&
                       ds_source_size(a) == ds_source_size(b);
    for (size_t i = 0; layout_same && i < ea.count; i++) {
        const ds_elf_section_t *x = &ea.sections[i], *y = &eb.sections[i];
        bool equal = false;
        if (strcmp(x->name, y->name) != 0 || x->size != y->size || x->type != y->type) {
            layout_same = false;
            break;
        }
        if (x->type == 8)
            continue;
        ds_classify_ranges_equal(a, x->offset, b, y->offset, x->size, &equal);
        if (equal)
            continue;
        differing++;
        bool build_id = strcmp(x->name, ".note.gnu.build-id") == 0 || strcmp(x->name, ".gnu_debuglink") == 0;
        id_only += build_id;
        ds_strbuf_printf(&names, "%s%s", names.len ? ", " : "", x->name);
        char where[96];
        snprintf(where, sizeof where, "@elf.section.%s", x->name);
        if (strcmp(x->name, ".note.gnu.build-id") == 0) {
            char ha[80], hb[80];
            build_id_hex(a, x, ha, sizeof ha);
            build_id_hex(b, y, hb, sizeof hb);
            ds_classify_nested(out, DS_KIND_HEADER, "@elf.build_id", ha, hb, "GNU build-id note", "build-id", "certain", false);
        } else {
            ds_classify_nested(out, DS_KIND_CONTENT, where, NULL, NULL, "section bytes differ",
                   build_id ? "build-id" : NULL, "certain", false);
        }
    }
    bool headers_equal = false;
    if (layout_same)
        ds_classify_ranges_equal(a, 0, b, 0, ea.header_size, &headers_equal);
    if (layout_same && differing > 0 && id_only == differing)
        ds_classify_verdict(out, "elf", "build-id", "certain", "ELF: only %s differ%s", ds_strbuf_text(&names),
                headers_equal ? "" : " (and the ELF header)");
    else if (layout_same)
        ds_classify_verdict(out, "elf", NULL, NULL, "ELF: sections differ: %s", differing ? ds_strbuf_text(&names) : "none (headers or padding only)");
    else
        ds_classify_verdict(out, "elf", NULL, NULL, "ELF: the section layout differs (%zu vs %zu sections)", ea.count, eb.count);
    ds_strbuf_free(&names);
    ds_elf_free(&ea);
    ds_elf_free(&eb);
}

/* --- .pyc ---------------------------------------------------------------------------------- */

void ds_classify_pyc(ds_source_t *a, ds_source_t *b, ds_classified_t *out)
{
    unsigned char ha[16], hb[16];
    if (ds_source_read(a, 0, ha, 16, "pyc", NULL) != DS_OK || ds_source_read(b, 0, hb, 16, "pyc", NULL) != DS_OK)
        return;
    bool body_equal = false;
    if (ds_source_size(a) == ds_source_size(b))
        ds_classify_ranges_equal(a, 16, b, 16, ds_source_size(a) - 16, &body_equal);
    uint32_t flags_a = ds_le32(ha + 4), flags_b = ds_le32(hb + 4);
    char va[64], vb[64];
    if (memcmp(ha, hb, 4) != 0) {
        snprintf(va, sizeof va, "%02x%02x", ha[0], ha[1]);
        snprintf(vb, sizeof vb, "%02x%02x", hb[0], hb[1]);
        ds_classify_nested(out, DS_KIND_HEADER, "@pyc.magic", va, vb, "bytecode magic (Python version) differs", NULL, NULL, false);
    }
    if (flags_a == 0 && flags_b == 0 && memcmp(ha + 8, hb + 8, 4) != 0) {
        ds_format_utc(ds_le32(ha + 8), va, sizeof va);
        ds_format_utc(ds_le32(hb + 8), vb, sizeof vb);
        ds_classify_nested(out, DS_KIND_HEADER, "@pyc.source_mtime", va, vb, "pyc header bytes 8-11: source mtime",
               "pyc-timestamp", "certain", false);
    }
    if (flags_a == 0 && flags_b == 0 && memcmp(ha + 12, hb + 12, 4) != 0) {
        snprintf(va, sizeof va, "%" PRIu32, ds_le32(ha + 12));
        snprintf(vb, sizeof vb, "%" PRIu32, ds_le32(hb + 12));
        ds_classify_nested(out, DS_KIND_HEADER, "@pyc.source_size", va, vb, "pyc header bytes 12-15: source size", NULL, NULL, false);
    }
    if (flags_a != flags_b) {
        snprintf(va, sizeof va, "0x%08" PRIx32, flags_a);
        snprintf(vb, sizeof vb, "0x%08" PRIx32, flags_b);
        ds_classify_nested(out, DS_KIND_HEADER, "@pyc.flags", va, vb, "pyc flags (PEP 552)", NULL, NULL, false);
    }
    if (body_equal && memcmp(ha, hb, 8) == 0 && memcmp(ha + 12, hb + 12, 4) == 0)
        ds_classify_verdict(out, "pyc", "pyc-timestamp", "certain", "pyc: only the recorded source mtime differs; the code object is equal");
    else if (body_equal)
        ds_classify_verdict(out, "pyc", "pyc-timestamp", "likely", "pyc: only the 16-byte header differs; the code object is equal");
    else
        ds_classify_verdict(out, "pyc", NULL, NULL, "pyc: the code object differs");
}

