/* ELF objects (System V ABI, generic ABI, chapter "Object Files": ELF header, sections, note
 * sections) as a document format. Fields: the ELF header, member by member
 * ("@elf.header.e_shoff"), and the GNU build-id (the descriptor of the NT_GNU_BUILD_ID note,
 * "@elf.build_id"). Sections: every section with bytes in the file ("@elf.section..debug_str";
 * not SHT_NULL or SHT_NOBITS, not empty), the section header table ("@elf.section_headers")
 * and the program header table ("@elf.program_headers"). The section table is read by
 * decode/elf_sections.c, which checks every section against the file's size.
 *
 * A name seen twice in one file gets "#2", "#3", ... so that every location is unique. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../decode/elf_sections.h"
#include "internal.h"

#define DS_ELF_HEADER_MAX 64u        /* bytes of the ELF header read (ELF64's e_ehsize) */
#define DS_ELF_BUILD_ID_MAX 64u      /* descriptor bytes of a build-id note kept (SHA-1: 20) */
#define DS_ELF_NOTES_MAX 256u        /* note headers read in all, over every note section */
#define DS_ELF_SHT_NULL 0u
#define DS_ELF_SHT_NOTE 7u
#define DS_ELF_SHT_NOBITS 8u
#define DS_ELF_NT_GNU_BUILD_ID 3u

typedef struct elf_state {
    ds_source_t *src;
    ds_elf_t elf;
    unsigned char header[DS_ELF_HEADER_MAX];
    size_t header_len; /* 52 (ELF32) or 64 (ELF64) */
    bool le;
} elf_state_t;

static uint64_t get(const unsigned char *p, unsigned size, bool le)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[le ? i : size - 1 - i] << (8 * i);
    return v;
}

/* The magic, and a class and data encoding this reader knows. */
static int elf_bid(ds_source_t *src)
{
    unsigned char h[6];
    if (ds_source_read(src, 0, h, sizeof h, "elf", NULL) != DS_OK || memcmp(h, "\x7f" "ELF", 4) != 0)
        return 0;
    return (h[4] == 1 || h[4] == 2) && (h[5] == 1 || h[5] == 2) ? 90 : 0;
}

static void elf_close(void *state)
{
    elf_state_t *s = state;
    if (s == NULL)
        return;
    ds_elf_free(&s->elf);
    free(s);
}

static int elf_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    (void)how;
    *state = NULL;
    elf_state_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    /* Checks the class, data byte, header size and the section table against the file. */
    int rc = ds_elf_open(src, &s->elf, err);
    if (rc == DS_OK) {
        s->header_len = s->elf.is64 ? 64 : 52;
        rc = ds_source_read(src, 0, s->header, s->header_len, "ELF header", err);
        s->le = s->header[5] == 1;
    }
    if (rc != DS_OK) {
        elf_close(s);
        return rc;
    }
    *state = s;
    return DS_OK;
}

/* The ELF header members after e_ident, at their ELF32 and ELF64 offsets and sizes. */
typedef struct header_member {
    const char *name, *label;
    unsigned char off32, off64, size32, size64;
    bool hex;
    bool derived; /* a position following from the sizes of what precedes it */
} header_member_t;

static const header_member_t header_members[] = {
    {"e_type", "object file type (e_type)", 16, 16, 2, 2, false, false},
    {"e_machine", "machine (e_machine)", 18, 18, 2, 2, false, false},
    {"e_version", "version (e_version)", 20, 20, 4, 4, false, false},
    {"e_entry", "entry point (e_entry)", 24, 24, 4, 8, true, true},
    {"e_phoff", "program header table offset (e_phoff)", 28, 32, 4, 8, false, true},
    {"e_shoff", "section header table offset (e_shoff)", 32, 40, 4, 8, false, true},
    {"e_flags", "processor flags (e_flags)", 36, 48, 4, 4, true, false},
    {"e_ehsize", "ELF header size (e_ehsize)", 40, 52, 2, 2, false, false},
    {"e_phentsize", "program header entry size (e_phentsize)", 42, 54, 2, 2, false, false},
    {"e_phnum", "program header count (e_phnum)", 44, 56, 2, 2, false, false},
    {"e_shentsize", "section header entry size (e_shentsize)", 46, 58, 2, 2, false, false},
    {"e_shnum", "section header count (e_shnum)", 48, 60, 2, 2, false, false},
    {"e_shstrndx", "section name table index (e_shstrndx)", 50, 62, 2, 2, false, false},
};

static void hex_text(const unsigned char *p, size_t n, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n && 2 * i + 2 < size; i++)
        snprintf(buf + 2 * i, 3, "%02x", p[i]);
}

/* The first GNU build-id note of any note section, as a field over its descriptor bytes. */
static int build_id_field(elf_state_t *s, ds_fields_t *fields, ds_error_t *err)
{
    unsigned notes = 0;
    for (size_t i = 0; i < s->elf.count && notes < DS_ELF_NOTES_MAX; i++) {
        const ds_elf_section_t *sec = &s->elf.sections[i];
        if (sec->type != DS_ELF_SHT_NOTE)
            continue;
        /* Each note: namesz, descsz, type (4 bytes each), the name and the descriptor, each
         * padded to 4 bytes. The decoder checked [offset, offset + size) against the file. */
        for (uint64_t at = 0; at + 12 <= sec->size && notes < DS_ELF_NOTES_MAX; notes++) {
            unsigned char h[16];
            if (ds_source_read(s->src, sec->offset + at, h, 12, "ELF note", NULL) != DS_OK)
                break;
            uint64_t namesz = get(h, 4, s->le), descsz = get(h + 4, 4, s->le), type = get(h + 8, 4, s->le);
            uint64_t name_at = at + 12, desc_at = name_at + ((namesz + 3) & ~UINT64_C(3));
            uint64_t next = desc_at + ((descsz + 3) & ~UINT64_C(3));
            if (desc_at > sec->size || descsz > sec->size - desc_at)
                break; /* a note running past its section: the rest is not read */
            if (type == DS_ELF_NT_GNU_BUILD_ID && namesz == 4 && descsz > 0 && descsz <= DS_ELF_BUILD_ID_MAX &&
                ds_source_read(s->src, sec->offset + name_at, h, 4, "ELF note", NULL) == DS_OK &&
                memcmp(h, "GNU", 4) == 0) {
                unsigned char desc[DS_ELF_BUILD_ID_MAX];
                char hex[2 * DS_ELF_BUILD_ID_MAX + 1];
                if (ds_source_read(s->src, sec->offset + desc_at, desc, (size_t)descsz, "ELF build-id", NULL) != DS_OK)
                    return DS_OK;
                hex_text(desc, (size_t)descsz, hex, sizeof hex);
                ds_field_t *f = ds_fields_add(fields, "elf.build_id", "@elf.build_id", "build-id", sec->offset + desc_at,
                                              desc, (uint32_t)descsz, "%s", hex);
                /* A hash the linker computes over the output: a consequence of any other
                 * difference, the cause only when nothing else differs. */
                if (f != NULL)
                    f->derived = true;
                return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "out of memory") : DS_OK;
            }
            at = next;
        }
    }
    return DS_OK;
}

static int elf_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    elf_state_t *s = state;
    char text[64];
    hex_text(s->header, 16, text, sizeof text);
    ds_fields_add(fields, "elf.header.e_ident", "@elf.header.e_ident", "identification (e_ident)", 0, s->header, 16,
                  "%s", text);
    for (size_t i = 0; i < sizeof header_members / sizeof header_members[0]; i++) {
        const header_member_t *m = &header_members[i];
        unsigned off = s->elf.is64 ? m->off64 : m->off32, size = s->elf.is64 ? m->size64 : m->size32;
        if (off + size > s->header_len)
            continue;
        uint64_t v = get(s->header + off, size, s->le);
        char key[48], location[48];
        snprintf(key, sizeof key, "elf.header.%s", m->name);
        snprintf(location, sizeof location, "@elf.header.%s", m->name);
        ds_field_t *f;
        if (m->hex)
            f = ds_fields_add(fields, key, location, m->label, off, s->header + off, size, "0x%" PRIx64, v);
        else if (v <= INT64_MAX)
            f = ds_fields_add_number(fields, key, location, m->label, off, s->header + off, size, (int64_t)v);
        else
            f = ds_fields_add(fields, key, location, m->label, off, s->header + off, size, "%" PRIu64, v);
        if (f != NULL)
            f->derived = m->derived;
    }
    if (fields->failed)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    return build_id_field(s, fields, err);
}

/* "@elf.section.<name>", the name in printable ASCII, "#<n>" for the n-th of one name. */
static void section_location(const ds_elf_t *elf, size_t index, char *buf, size_t size)
{
    const char *name = elf->sections[index].name;
    unsigned seen = 1;
    for (size_t k = 0; k < index; k++)
        if (elf->sections[k].type != DS_ELF_SHT_NULL && elf->sections[k].type != DS_ELF_SHT_NOBITS &&
            elf->sections[k].size > 0 && strcmp(elf->sections[k].name, name) == 0)
            seen++;
    int n = snprintf(buf, size, "@elf.section.");
    for (size_t i = 0; name[i] != '\0' && (size_t)n + 1 < size; i++, n++)
        buf[n] = name[i] > 0x20 && name[i] < 0x7f ? name[i] : '?';
    buf[n] = '\0';
    if (seen > 1)
        snprintf(buf + n, size - (size_t)n, "#%u", seen);
}

static int elf_sections(void *state, ds_sections_t *sections, ds_error_t *err)
{
    elf_state_t *s = state;
    uint64_t size = ds_source_size(s->src);
    bool ok = true;
    for (size_t i = 0; ok && i < s->elf.count; i++) {
        const ds_elf_section_t *sec = &s->elf.sections[i];
        if (sec->type == DS_ELF_SHT_NULL || sec->type == DS_ELF_SHT_NOBITS || sec->size == 0)
            continue;
        if (sec->offset > size || sec->size > size - sec->offset)
            continue; /* the decoder refuses these; never a range outside the file */
        char location[sizeof sections->items[0].location];
        section_location(&s->elf, i, location, sizeof location);
        ok = ds_sections_add(sections, location, sec->offset, sec->size);
    }
    const ds_elf_t *e = &s->elf;
    if (ok && e->sh_bytes > 0 && e->sh_offset <= size && e->sh_bytes <= size - e->sh_offset)
        ok = ds_sections_add(sections, "@elf.section_headers", e->sh_offset, e->sh_bytes);
    if (ok && e->ph_bytes > 0 && e->ph_offset <= size && e->ph_bytes <= size - e->ph_offset)
        ok = ds_sections_add(sections, "@elf.program_headers", e->ph_offset, e->ph_bytes);
    return ok ? DS_OK : ds_error_set(err, DS_ERR_NOMEM, "out of memory");
}

const ds_format_t ds_format_elf = {
    .name = "elf",
    .kind = DS_FORMAT_DOCUMENT,
    .summary = "ELF object (System V gABI): header fields, GNU build-id, every section with file bytes, "
               "section and program header tables",
    .bid = elf_bid,
    .open = elf_open,
    .close = elf_close,
    .fields = elf_fields,
    .sections = elf_sections,
};
