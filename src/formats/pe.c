/* PE/COFF images (Microsoft, "PE Format", learn.microsoft.com/windows/win32/debug/pe-format:
 * the MS-DOS stub and e_lfanew, the "PE\0\0" signature, the COFF file header, the optional
 * header with its data directories, the section table, the attribute certificate table and the
 * debug directory with its CodeView record) as a document format: grub and shim EFI binaries,
 * and a Linux bzImage with the EFI stub (live/vmlinuz), which is an MZ/PE file too.
 *
 * Fields: every COFF header member ("@pe.coff.TimeDateStamp"), every optional header member
 * ("@pe.optional.CheckSum") and data directory ("@pe.optional.ImportTable"), the certificate
 * table's place and size ("@pe.certificate_table", data directory 4, a file offset), the debug
 * directory entries' TimeDateStamp ("@pe.debug.TimeDateStamp", "#2" for the second entry) and
 * the first CodeView record's GUID and age (RSDS) or signature and age (NB10), and its PDB path.
 * Values that follow from the bytes they describe (sizes, positions, the checksum, a CodeView
 * GUID that reproducible linkers compute as a hash) are marked derived.
 *
 * Sections: the MS-DOS header and stub, the COFF and optional headers, the section table, the
 * rest of SizeOfHeaders ("@pe.header_padding"; a bzImage's boot setup header lies there), every
 * section with bytes in the file ("@pe.section..text", the n-th of one name "#n"; long names
 * "/<n>" read from the COFF string table) and the certificate table's bytes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DS_PE_DOS_HEADER_SIZE 64u    /* the MS-DOS header; e_lfanew at 0x3c */
#define DS_PE_COFF_SIZE 24u          /* "PE\0\0" and the 20-byte COFF file header */
#define DS_PE_OPTIONAL_MAX 240u      /* PE32+ with 16 data directories */
#define DS_PE_DIRECTORIES_MAX 16u    /* data directories the spec names */
#define DS_PE_SECTIONS_MAX 1024u     /* section headers read (the Windows loader takes 96) */
#define DS_PE_SECTION_HEADER 40u
#define DS_PE_NAME_MAX 64u           /* bytes of a long section name kept */
#define DS_PE_DEBUG_ENTRIES_MAX 16u  /* debug directory entries decoded */
#define DS_PE_DEBUG_ENTRY 28u
#define DS_PE_CODEVIEW_PATH_MAX 256u /* bytes of a CodeView PDB path kept */
#define DS_PE_CERTIFICATE_DIR 4u
#define DS_PE_DEBUG_DIR 6u
#define DS_PE_DEBUG_TYPE_CODEVIEW 2u
#define DS_PE_MAGIC_PE32 0x10bu
#define DS_PE_MAGIC_PE32PLUS 0x20bu

typedef struct pe_section {
    char name[DS_PE_NAME_MAX + 1];
    uint32_t virtual_size, virtual_address, raw_size, raw_pointer;
} pe_section_t;

typedef struct pe_state {
    ds_source_t *src;
    uint64_t size;
    uint32_t lfanew;
    unsigned char coff[DS_PE_COFF_SIZE];
    unsigned char optional[DS_PE_OPTIONAL_MAX];
    size_t optional_len;       /* bytes of the optional header read (at most its declared size) */
    uint16_t optional_size;    /* SizeOfOptionalHeader */
    uint16_t magic;            /* 0x10b, 0x20b, or another (only Magic is decoded then) */
    unsigned directories;      /* data directories present in optional_len */
    uint64_t table_offset;     /* the section table */
    pe_section_t *sections;
    size_t count;
    char layer[128];           /* names the layer in messages */
} pe_state_t;

/* The two-byte "MZ", e_lfanew inside the file and "PE\0\0" there: certain enough to bid above
 * every other format that could claim the file (a bzImage's boot sector looks like FAT's). */
static int pe_bid(ds_source_t *src)
{
    unsigned char h[DS_PE_DOS_HEADER_SIZE], sig[4];
    uint64_t size = ds_source_size(src);
    if (size < DS_PE_DOS_HEADER_SIZE || ds_source_read(src, 0, h, sizeof h, "pe", NULL) != DS_OK ||
        h[0] != 'M' || h[1] != 'Z')
        return 0;
    uint64_t lfanew = ds_le32(h + 0x3c);
    if (lfanew > size || size - lfanew < DS_PE_COFF_SIZE ||
        ds_source_read(src, lfanew, sig, sizeof sig, "pe", NULL) != DS_OK)
        return 0;
    return memcmp(sig, "PE\0\0", 4) == 0 ? 95 : 0;
}

static void pe_close(void *state)
{
    pe_state_t *s = state;
    if (s == NULL)
        return;
    free(s->sections);
    free(s);
}

/* A damaged structure: the message names the input, the layer and the byte offset. */
static int pe_fail(pe_state_t *s, ds_error_t *err, const char *what, uint64_t at)
{
    return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: PE: %s at byte %" PRIu64 " (the file has %" PRIu64 " bytes)",
                        ds_source_label(s->src), s->layer, what, at, s->size);
}

/* The name at offset `at` of the COFF string table (after the symbol table), into name; the
 * short name "/<at>" stays when the table or the offset is not usable. */
static void long_name(pe_state_t *s, const char *digits, char *name)
{
    uint64_t table = ds_le32(s->coff + 12), symbols = ds_le32(s->coff + 16), at = 0;
    for (const char *p = digits; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || at > UINT32_MAX)
            return;
        at = at * 10 + (uint64_t)(*p - '0');
    }
    if (table == 0)
        return;
    table += symbols * 18; /* 18-byte symbol records: at most 2^32 * 18, no overflow */
    unsigned char length[4], buf[DS_PE_NAME_MAX];
    if (ds_source_read(s->src, table, length, 4, "COFF string table", NULL) != DS_OK)
        return;
    uint64_t table_size = ds_le32(length);
    if (at < 4 || at >= table_size || table > s->size || table_size > s->size - table)
        return;
    size_t n = table_size - at < sizeof buf ? (size_t)(table_size - at) : sizeof buf, len = 0;
    if (ds_source_read(s->src, table + at, buf, n, "COFF string table", NULL) != DS_OK)
        return;
    while (len < n && buf[len] != '\0')
        len++;
    if (len == 0)
        return;
    memcpy(name, buf, len);
    name[len] = '\0';
}

/* The section table: every header read, every section's file bytes checked against the file. */
static int read_sections(pe_state_t *s, ds_error_t *err)
{
    size_t count = ds_le16(s->coff + 6);
    if (count > DS_PE_SECTIONS_MAX)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: %s: PE: %zu sections, more than the %u read",
                            ds_source_label(s->src), s->layer, count, DS_PE_SECTIONS_MAX);
    uint64_t bytes = (uint64_t)count * DS_PE_SECTION_HEADER;
    if (s->table_offset > s->size || bytes > s->size - s->table_offset)
        return pe_fail(s, err, "the section table runs past the end of the file from its start", s->table_offset);
    s->sections = count ? calloc(count, sizeof *s->sections) : NULL;
    if (count > 0 && s->sections == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) {
        unsigned char h[DS_PE_SECTION_HEADER];
        int rc = ds_source_read(s->src, s->table_offset + i * DS_PE_SECTION_HEADER, h, sizeof h, "PE section table", err);
        if (rc != DS_OK)
            return rc;
        pe_section_t *x = &s->sections[s->count++];
        memcpy(x->name, h, 8);
        x->name[8] = '\0';
        if (x->name[0] == '/')
            long_name(s, x->name + 1, x->name);
        x->virtual_size = ds_le32(h + 8);
        x->virtual_address = ds_le32(h + 12);
        x->raw_size = ds_le32(h + 16);
        x->raw_pointer = ds_le32(h + 20);
        if (x->raw_size > 0 && ((uint64_t)x->raw_pointer > s->size || x->raw_size > s->size - x->raw_pointer)) {
            char what[256];
            snprintf(what, sizeof what, "section %zu (\"%.64s\", header at byte %" PRIu64 "): its %" PRIu32
                     " bytes run past the end of the file from their start", i + 1, x->name,
                     s->table_offset + i * DS_PE_SECTION_HEADER, x->raw_size);
            return pe_fail(s, err, what, x->raw_pointer);
        }
    }
    return DS_OK;
}

/* The optional header's Magic decides the layout; data directories follow the members. */
static void read_optional(pe_state_t *s)
{
    s->magic = s->optional_len >= 2 ? ds_le16(s->optional) : 0;
    size_t dir_at = s->magic == DS_PE_MAGIC_PE32PLUS ? 112 : 96, count_at = dir_at - 4;
    if (s->magic != DS_PE_MAGIC_PE32 && s->magic != DS_PE_MAGIC_PE32PLUS)
        return;
    if (s->optional_len < dir_at)
        return;
    uint32_t declared = ds_le32(s->optional + count_at);
    size_t fit = (s->optional_len - dir_at) / 8;
    s->directories = (unsigned)(declared < fit ? declared : fit);
    if (s->directories > DS_PE_DIRECTORIES_MAX)
        s->directories = DS_PE_DIRECTORIES_MAX;
}

/* Data directory index: *rva (or file offset) and *size; false when absent. */
static bool directory(const pe_state_t *s, unsigned index, uint32_t *rva, uint32_t *size, uint64_t *at)
{
    if (index >= s->directories)
        return false;
    size_t off = (s->magic == DS_PE_MAGIC_PE32PLUS ? 112 : 96) + 8 * index;
    *rva = ds_le32(s->optional + off);
    *size = ds_le32(s->optional + off + 4);
    *at = off;
    return true;
}

static int pe_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    *state = NULL;
    pe_state_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    s->size = ds_source_size(src);
    snprintf(s->layer, sizeof s->layer, "%s", how != NULL && how->layer != NULL ? how->layer : "PE file");
    unsigned char dos[DS_PE_DOS_HEADER_SIZE];
    int rc = ds_source_read(src, 0, dos, sizeof dos, "PE MS-DOS header", err);
    if (rc == DS_OK && (dos[0] != 'M' || dos[1] != 'Z'))
        rc = pe_fail(s, err, "no MZ signature", 0);
    if (rc == DS_OK) {
        s->lfanew = ds_le32(dos + 0x3c);
        if ((uint64_t)s->lfanew > s->size || s->size - s->lfanew < DS_PE_COFF_SIZE)
            rc = pe_fail(s, err, "e_lfanew (at byte 60) points past the end of the file, to a PE header", s->lfanew);
    }
    if (rc == DS_OK)
        rc = ds_source_read(src, s->lfanew, s->coff, DS_PE_COFF_SIZE, "PE COFF header", err);
    if (rc == DS_OK && memcmp(s->coff, "PE\0\0", 4) != 0)
        rc = pe_fail(s, err, "no PE signature at e_lfanew", s->lfanew);
    uint64_t optional_at = (uint64_t)s->lfanew + DS_PE_COFF_SIZE;
    if (rc == DS_OK) {
        s->optional_size = ds_le16(s->coff + 20);
        s->table_offset = optional_at + s->optional_size;
        if (s->table_offset > s->size)
            rc = pe_fail(s, err, "the optional header runs past the end of the file from its start", optional_at);
    }
    if (rc == DS_OK) {
        s->optional_len = s->optional_size < DS_PE_OPTIONAL_MAX ? s->optional_size : DS_PE_OPTIONAL_MAX;
        rc = ds_source_read(src, optional_at, s->optional, s->optional_len, "PE optional header", err);
    }
    if (rc == DS_OK) {
        read_optional(s);
        rc = read_sections(s, err);
    }
    uint32_t cert_at = 0, cert_size = 0;
    uint64_t dir_at = 0;
    if (rc == DS_OK && directory(s, DS_PE_CERTIFICATE_DIR, &cert_at, &cert_size, &dir_at) && cert_size > 0 &&
        ((uint64_t)cert_at > s->size || cert_size > s->size - cert_at))
        rc = pe_fail(s, err, "the certificate table runs past the end of the file from its start", cert_at);
    if (rc != DS_OK) {
        pe_close(s);
        return rc;
    }
    *state = s;
    return DS_OK;
}

/* A header member at its PE32 and PE32+ offsets and sizes (size 0: not in that layout). */
typedef enum { PE_NUMBER, PE_HEX, PE_DATE } pe_shown_t;
typedef struct pe_member {
    const char *name;
    unsigned char off32, off64, size32, size64;
    pe_shown_t shown;
    bool derived; /* a size, position or sum following from the bytes the header describes */
} pe_member_t;

/* Offsets from the "PE\0\0" signature: the COFF file header starts 4 bytes in. */
static const pe_member_t coff_members[] = {
    {"Machine", 4, 4, 2, 2, PE_HEX, false},
    {"NumberOfSections", 6, 6, 2, 2, PE_NUMBER, false},
    {"TimeDateStamp", 8, 8, 4, 4, PE_DATE, false},
    {"PointerToSymbolTable", 12, 12, 4, 4, PE_NUMBER, true},
    {"NumberOfSymbols", 16, 16, 4, 4, PE_NUMBER, false},
    {"SizeOfOptionalHeader", 20, 20, 2, 2, PE_NUMBER, false},
    {"Characteristics", 22, 22, 2, 2, PE_HEX, false},
};

static const pe_member_t optional_members[] = {
    {"Magic", 0, 0, 2, 2, PE_HEX, false},
    {"MajorLinkerVersion", 2, 2, 1, 1, PE_NUMBER, false},
    {"MinorLinkerVersion", 3, 3, 1, 1, PE_NUMBER, false},
    {"SizeOfCode", 4, 4, 4, 4, PE_NUMBER, true},
    {"SizeOfInitializedData", 8, 8, 4, 4, PE_NUMBER, true},
    {"SizeOfUninitializedData", 12, 12, 4, 4, PE_NUMBER, true},
    {"AddressOfEntryPoint", 16, 16, 4, 4, PE_HEX, true},
    {"BaseOfCode", 20, 20, 4, 4, PE_HEX, true},
    {"BaseOfData", 24, 0, 4, 0, PE_HEX, true},
    {"ImageBase", 28, 24, 4, 8, PE_HEX, false},
    {"SectionAlignment", 32, 32, 4, 4, PE_HEX, false},
    {"FileAlignment", 36, 36, 4, 4, PE_HEX, false},
    {"MajorOperatingSystemVersion", 40, 40, 2, 2, PE_NUMBER, false},
    {"MinorOperatingSystemVersion", 42, 42, 2, 2, PE_NUMBER, false},
    {"MajorImageVersion", 44, 44, 2, 2, PE_NUMBER, false},
    {"MinorImageVersion", 46, 46, 2, 2, PE_NUMBER, false},
    {"MajorSubsystemVersion", 48, 48, 2, 2, PE_NUMBER, false},
    {"MinorSubsystemVersion", 50, 50, 2, 2, PE_NUMBER, false},
    {"Win32VersionValue", 52, 52, 4, 4, PE_NUMBER, false},
    {"SizeOfImage", 56, 56, 4, 4, PE_NUMBER, true},
    {"SizeOfHeaders", 60, 60, 4, 4, PE_NUMBER, true},
    {"CheckSum", 64, 64, 4, 4, PE_HEX, true},
    {"Subsystem", 68, 68, 2, 2, PE_NUMBER, false},
    {"DllCharacteristics", 70, 70, 2, 2, PE_HEX, false},
    {"SizeOfStackReserve", 72, 72, 4, 8, PE_NUMBER, false},
    {"SizeOfStackCommit", 76, 80, 4, 8, PE_NUMBER, false},
    {"SizeOfHeapReserve", 80, 88, 4, 8, PE_NUMBER, false},
    {"SizeOfHeapCommit", 84, 96, 4, 8, PE_NUMBER, false},
    {"LoaderFlags", 88, 104, 4, 4, PE_HEX, false},
    {"NumberOfRvaAndSizes", 92, 108, 4, 4, PE_NUMBER, false},
};

/* The data directories in the spec's order; the certificate table's has its own location. */
static const char *const directory_names[DS_PE_DIRECTORIES_MAX] = {
    "ExportTable", "ImportTable", "ResourceTable", "ExceptionTable", "CertificateTable", "BaseRelocationTable",
    "Debug", "Architecture", "GlobalPtr", "TLSTable", "LoadConfigTable", "BoundImport", "IAT",
    "DelayImportDescriptor", "CLRRuntimeHeader", "Reserved",
};

static uint64_t get(const unsigned char *p, unsigned size)
{
    return size == 1 ? p[0] : size == 2 ? ds_le16(p) : size == 4 ? ds_le32(p) : ds_le64(p);
}

static void add_member(ds_fields_t *fields, const char *group, const char *label, uint64_t base,
                       const unsigned char *buf, size_t len, const pe_member_t *m, bool plus)
{
    unsigned off = plus ? m->off64 : m->off32, size = plus ? m->size64 : m->size32;
    if (size == 0 || off + size > len)
        return;
    uint64_t v = get(buf + off, size);
    char key[80], location[64], text[64], when[40];
    snprintf(key, sizeof key, "pe.%s.%s", group, m->name);
    snprintf(location, sizeof location, "@pe.%s.%s", group, m->name);
    snprintf(text, sizeof text, "%s %s", label, m->name);
    ds_field_t *f;
    if (m->shown == PE_DATE) {
        ds_format_utc((int64_t)v, when, sizeof when);
        f = ds_fields_add(fields, key, location, text, base + off, buf + off, size, "%s", when);
    } else if (m->shown == PE_HEX) {
        f = ds_fields_add(fields, key, location, text, base + off, buf + off, size, "0x%" PRIx64, v);
    } else {
        f = ds_fields_add(fields, key, location, text, base + off, buf + off, size, "%" PRIu64, v);
    }
    if (f != NULL)
        f->derived = m->derived;
}

static void add_directories(pe_state_t *s, ds_fields_t *fields, uint64_t base)
{
    for (unsigned i = 0; i < s->directories; i++) {
        uint32_t rva, size;
        uint64_t at;
        directory(s, i, &rva, &size, &at);
        bool cert = i == DS_PE_CERTIFICATE_DIR;
        char key[62], location[64], text[64], value[64];
        snprintf(key, sizeof key, "pe.%s%s", cert ? "" : "optional.", cert ? "certificate_table" : directory_names[i]);
        snprintf(location, sizeof location, "@%s", key);
        snprintf(text, sizeof text, "data directory %s", directory_names[i]);
        if (rva == 0 && size == 0)
            snprintf(value, sizeof value, "absent");
        else if (cert)
            snprintf(value, sizeof value, "%" PRIu32 " bytes at byte %" PRIu32, size, rva);
        else
            snprintf(value, sizeof value, "RVA 0x%" PRIx32 ", %" PRIu32 " bytes", rva, size);
        ds_field_t *f = ds_fields_add(fields, key, location, text, base + at, s->optional + at, 8, "%s", value);
        /* A table's place and size follow from the sections; a signature's presence does not. */
        if (f != NULL)
            f->derived = !cert;
    }
}

/* The file offset of [rva, rva + len) when it lies in one section's file bytes. */
static bool rva_to_offset(const pe_state_t *s, uint32_t rva, uint32_t len, uint64_t *at)
{
    for (size_t i = 0; i < s->count; i++) {
        const pe_section_t *x = &s->sections[i];
        if (rva >= x->virtual_address && rva - x->virtual_address < x->raw_size &&
            len <= x->raw_size - (rva - x->virtual_address)) {
            *at = (uint64_t)x->raw_pointer + (rva - x->virtual_address); /* inside the file: open checked */
            return true;
        }
    }
    return false;
}

/* The printable bytes of a NUL-terminated path, up to DS_PE_CODEVIEW_PATH_MAX. */
static void add_codeview_path(pe_state_t *s, ds_fields_t *fields, uint64_t at, uint64_t room)
{
    unsigned char raw[DS_PE_CODEVIEW_PATH_MAX];
    char text[DS_PE_CODEVIEW_PATH_MAX + 1];
    size_t n = room < sizeof raw ? (size_t)room : sizeof raw, len = 0;
    if (ds_source_read(s->src, at, raw, n, "CodeView record", NULL) != DS_OK)
        return;
    for (; len < n && raw[len] != '\0'; len++)
        text[len] = raw[len] >= 0x20 && raw[len] < 0x7f ? (char)raw[len] : '?';
    text[len] = '\0';
    ds_fields_add(fields, "pe.debug.codeview.path", "@pe.debug.codeview.path", "CodeView PDB path", at, raw,
                  (uint32_t)len, "%s", text);
}

/* A CodeView record (RSDS: GUID and age; NB10: signature and age), then its PDB path. */
static void add_codeview(pe_state_t *s, ds_fields_t *fields, uint64_t at, uint32_t size)
{
    unsigned char h[24];
    if (size < 16 || at > s->size || size > s->size - at || ds_source_read(s->src, at, h, 16, "CodeView record", NULL) != DS_OK)
        return;
    ds_field_t *f = NULL;
    if (memcmp(h, "RSDS", 4) == 0 && size >= 24 && ds_source_read(s->src, at, h, 24, "CodeView record", NULL) == DS_OK) {
        char guid[40];
        ds_format_guid(h + 4, guid);
        f = ds_fields_add(fields, "pe.debug.codeview.guid", "@pe.debug.codeview.guid", "CodeView GUID", at + 4, h + 4,
                          16, "%s", guid);
        ds_fields_add(fields, "pe.debug.codeview.age", "@pe.debug.codeview.age", "CodeView age", at + 20, h + 20, 4,
                      "%" PRIu32, ds_le32(h + 20));
        add_codeview_path(s, fields, at + 24, size - 24);
    } else if (memcmp(h, "NB10", 4) == 0) {
        ds_fields_add(fields, "pe.debug.codeview.signature", "@pe.debug.codeview.signature", "CodeView signature",
                      at + 8, h + 8, 4, "0x%08" PRIx32, ds_le32(h + 8));
        ds_fields_add(fields, "pe.debug.codeview.age", "@pe.debug.codeview.age", "CodeView age", at + 12, h + 12, 4,
                      "%" PRIu32, ds_le32(h + 12));
        add_codeview_path(s, fields, at + 16, size - 16);
    }
    /* Reproducible linkers (lld-link /Brepro, GNU ld --build-id) hash the image into it. */
    if (f != NULL)
        f->derived = true;
}

/* Each debug directory entry's TimeDateStamp; the first CodeView entry's record. */
static void add_debug(pe_state_t *s, ds_fields_t *fields)
{
    uint32_t rva, size;
    uint64_t dir_at, at;
    if (!directory(s, DS_PE_DEBUG_DIR, &rva, &size, &dir_at) || size < DS_PE_DEBUG_ENTRY ||
        !rva_to_offset(s, rva, size, &at))
        return;
    size_t count = size / DS_PE_DEBUG_ENTRY;
    bool codeview = false;
    for (size_t i = 0; i < count && i < DS_PE_DEBUG_ENTRIES_MAX; i++) {
        unsigned char e[DS_PE_DEBUG_ENTRY];
        uint64_t entry_at = at + i * DS_PE_DEBUG_ENTRY;
        if (ds_source_read(s->src, entry_at, e, sizeof e, "PE debug directory", NULL) != DS_OK)
            return;
        char key[62], location[64], when[40];
        char nth[24] = "";
        if (i > 0)
            snprintf(nth, sizeof nth, "#%zu", i + 1);
        snprintf(key, sizeof key, "pe.debug.TimeDateStamp%s", nth);
        snprintf(location, sizeof location, "@%s", key);
        ds_format_utc(ds_le32(e + 4), when, sizeof when);
        ds_fields_add(fields, key, location, "debug directory TimeDateStamp", entry_at + 4, e + 4, 4, "%s", when);
        if (!codeview && ds_le32(e + 12) == DS_PE_DEBUG_TYPE_CODEVIEW) {
            codeview = true;
            add_codeview(s, fields, ds_le32(e + 24), ds_le32(e + 16));
        }
    }
}

static int pe_fields(void *state, ds_fields_t *fields, ds_error_t *err)
{
    pe_state_t *s = state;
    bool plus = s->magic == DS_PE_MAGIC_PE32PLUS;
    for (size_t i = 0; i < sizeof coff_members / sizeof coff_members[0]; i++)
        add_member(fields, "coff", "COFF", s->lfanew, s->coff, DS_PE_COFF_SIZE, &coff_members[i], plus);
    uint64_t optional_at = (uint64_t)s->lfanew + DS_PE_COFF_SIZE;
    bool known = s->magic == DS_PE_MAGIC_PE32 || plus;
    size_t members = known ? sizeof optional_members / sizeof optional_members[0] : 1; /* Magic alone */
    for (size_t i = 0; i < members; i++)
        add_member(fields, "optional", "optional header", optional_at, s->optional, s->optional_len,
                   &optional_members[i], plus);
    add_directories(s, fields, optional_at);
    add_debug(s, fields);
    return fields->failed ? ds_error_set(err, DS_ERR_NOMEM, "out of memory") : DS_OK;
}

/* "@pe.section.<name>", the name in printable ASCII, "#<n>" for the n-th of one name. */
static void section_location(const pe_state_t *s, size_t index, char *buf, size_t size)
{
    const char *name = s->sections[index].name;
    unsigned seen = 1;
    for (size_t k = 0; k < index; k++)
        if (s->sections[k].raw_size > 0 && strcmp(s->sections[k].name, name) == 0)
            seen++;
    int n = snprintf(buf, size, "@pe.section.");
    for (size_t i = 0; name[i] != '\0' && (size_t)n + 1 < size; i++, n++)
        buf[n] = name[i] > 0x20 && name[i] < 0x7f ? name[i] : '?';
    buf[n] = '\0';
    if (seen > 1)
        snprintf(buf + n, size - (size_t)n, "#%u", seen);
}

static int pe_sections(void *state, ds_sections_t *sections, ds_error_t *err)
{
    pe_state_t *s = state;
    uint64_t optional_at = (uint64_t)s->lfanew + DS_PE_COFF_SIZE;
    bool ok = s->lfanew == 0 || ds_sections_add(sections, "@pe.dos_header", 0, s->lfanew);
    ok = ok && ds_sections_add(sections, "@pe.coff_header", s->lfanew, DS_PE_COFF_SIZE);
    if (ok && s->optional_size > 0)
        ok = ds_sections_add(sections, "@pe.optional_header", optional_at, s->optional_size);
    if (ok && s->count > 0)
        ok = ds_sections_add(sections, "@pe.section_table", s->table_offset, (uint64_t)s->count * DS_PE_SECTION_HEADER);
    /* SizeOfHeaders rounds the headers up to FileAlignment; a bzImage keeps the x86 boot
     * protocol's setup header (0x1f1) there. */
    uint64_t table_end = s->table_offset + (uint64_t)s->count * DS_PE_SECTION_HEADER;
    uint64_t headers = s->magic == DS_PE_MAGIC_PE32 || s->magic == DS_PE_MAGIC_PE32PLUS ? ds_le32(s->optional + 60) : 0;
    if (ok && s->optional_len >= 64 && headers > table_end && headers <= s->size)
        ok = ds_sections_add(sections, "@pe.header_padding", table_end, headers - table_end);
    for (size_t i = 0; ok && i < s->count; i++) {
        const pe_section_t *x = &s->sections[i];
        if (x->raw_size == 0)
            continue; /* uninitialised data: no bytes in the file (open checked the others) */
        char location[sizeof sections->items[0].location];
        section_location(s, i, location, sizeof location);
        ok = ds_sections_add(sections, location, x->raw_pointer, x->raw_size);
    }
    uint32_t cert_at, cert_size;
    uint64_t dir_at;
    if (ok && directory(s, DS_PE_CERTIFICATE_DIR, &cert_at, &cert_size, &dir_at) && cert_size > 0)
        ok = ds_sections_add(sections, "@pe.certificate_table.bytes", cert_at, cert_size);
    return ok ? DS_OK : ds_error_set(err, DS_ERR_NOMEM, "out of memory");
}

const ds_format_t ds_format_pe = {
    .name = "pe",
    .kind = DS_FORMAT_DOCUMENT,
    .summary = "PE/COFF image (EFI binaries, a bzImage with the EFI stub; Microsoft PE Format): COFF and "
               "optional header fields, certificate table, debug timestamps and CodeView GUID, every section",
    .bid = pe_bid,
    .open = pe_open,
    .close = pe_close,
    .fields = pe_fields,
    .sections = pe_sections,
};
