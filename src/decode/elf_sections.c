#include "elf_sections.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ds_elf_probe(ds_source_t *src)
{
    unsigned char head[4];
    return ds_source_read(src, 0, head, 4, "elf", NULL) == DS_OK && memcmp(head, "\x7f" "ELF", 4) == 0;
}

uint64_t ds_elf_uint(const unsigned char *p, unsigned size, bool little)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[little ? i : size - 1 - i] << (8 * i);
    return v;
}

/* The ELF header fields after e_ident, at their ELFCLASS32 and ELFCLASS64 offsets and sizes. */
enum { E_PHOFF, E_SHOFF, E_EHSIZE, E_PHENTSIZE, E_PHNUM, E_SHENTSIZE, E_SHNUM, E_SHSTRNDX, E_FIELDS };

static const struct {
    unsigned char at32, size32, at64, size64;
} header_fields[E_FIELDS] = {
    [E_PHOFF] = {28, 4, 32, 8},     [E_SHOFF] = {32, 4, 40, 8},
    [E_EHSIZE] = {40, 2, 52, 2},    [E_PHENTSIZE] = {42, 2, 54, 2},
    [E_PHNUM] = {44, 2, 56, 2},     [E_SHENTSIZE] = {46, 2, 58, 2},
    [E_SHNUM] = {48, 2, 60, 2},     [E_SHSTRNDX] = {50, 2, 62, 2},
};

static void header_fields_decode(const unsigned char *h, bool is64, bool le, uint64_t v[E_FIELDS])
{
    for (int i = 0; i < E_FIELDS; i++)
        v[i] = is64 ? ds_elf_uint(h + header_fields[i].at64, header_fields[i].size64, le)
                    : ds_elf_uint(h + header_fields[i].at32, header_fields[i].size32, le);
}

/* Reads shnum section headers of shentsize bytes from shoff: name offsets into name_offsets,
 * type, offset and size into elf->sections. A section with bytes must lie inside the file. */
static int section_headers_read(ds_source_t *src, ds_elf_t *elf, bool le, uint64_t shoff,
                                unsigned shentsize, unsigned shnum, uint32_t *name_offsets,
                                ds_error_t *err)
{
    unsigned want = elf->is64 ? 64 : 40;
    uint64_t size = ds_source_size(src);
    int rc = DS_OK;
    for (unsigned i = 0; i < shnum; i++) {
        unsigned char s[64];
        rc = ds_source_read(src, shoff + (uint64_t)i * shentsize, s, want, "ELF section header", err);
        if (rc != DS_OK)
            break;
        ds_elf_section_t *sec = &elf->sections[i];
        name_offsets[i] = (uint32_t)ds_elf_uint(s, 4, le);
        sec->type = (uint32_t)ds_elf_uint(s + 4, 4, le);
        sec->offset = elf->is64 ? ds_elf_uint(s + 24, 8, le) : ds_elf_uint(s + 16, 4, le);
        sec->size = elf->is64 ? ds_elf_uint(s + 32, 8, le) : ds_elf_uint(s + 20, 4, le);
        if (sec->type != 8 && (sec->offset > size || sec->size > size - sec->offset)) {
            rc = ds_error_set(err, DS_ERR_FORMAT, "%s: ELF: section %u lies outside the file",
                              ds_source_label(src), i);
            break;
        }
    }
    return rc;
}

/* Names every section from the string table section shstrndx; a name that cannot be read is
 * "#index". */
static void section_names_read(ds_source_t *src, ds_elf_t *elf, unsigned shstrndx,
                               const uint32_t *name_offsets)
{
    const ds_elf_section_t *strtab = &elf->sections[shstrndx];
    for (unsigned i = 0; i < elf->count; i++) {
        char *name = elf->sections[i].name;
        if (name_offsets[i] >= strtab->size) {
            snprintf(name, DS_ELF_NAME_MAX, "#%u", i);
            continue;
        }
        size_t n = strtab->size - name_offsets[i];
        if (n > DS_ELF_NAME_MAX - 1)
            n = DS_ELF_NAME_MAX - 1;
        if (ds_source_read(src, strtab->offset + name_offsets[i], name, n, "ELF section name", NULL) != DS_OK)
            snprintf(name, DS_ELF_NAME_MAX, "#%u", i);
        name[DS_ELF_NAME_MAX - 1] = '\0';
        name[strnlen(name, n)] = '\0';
    }
}

int ds_elf_open(ds_source_t *src, ds_elf_t *elf, ds_error_t *err)
{
    memset(elf, 0, sizeof *elf);
    unsigned char h[64];
    uint64_t size = ds_source_size(src);
    int rc = ds_source_read(src, 0, h, size < 64 ? (size_t)size : 64, "ELF header", err);
    if (rc != DS_OK)
        return rc;
    if (size < 52 || (h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2))
        return ds_error_set(err, DS_ERR_FORMAT, "%s: ELF: bad class or data byte", ds_source_label(src));
    elf->is64 = h[4] == 2;
    bool le = h[5] == 1;
    elf->little_endian = le;
    elf->type = (uint16_t)ds_elf_uint(h + 16, 2, le);
    elf->machine = (uint16_t)ds_elf_uint(h + 18, 2, le);
    if (elf->is64 && size < 64)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: ELF: truncated header", ds_source_label(src));
    uint64_t v[E_FIELDS];
    header_fields_decode(h, elf->is64, le, v);
    uint64_t shoff = v[E_SHOFF];
    unsigned shentsize = (unsigned)v[E_SHENTSIZE], shnum = (unsigned)v[E_SHNUM];
    unsigned shstrndx = (unsigned)v[E_SHSTRNDX];
    elf->header_size = (unsigned)v[E_EHSIZE];
    elf->ph_offset = v[E_PHOFF];
    elf->ph_bytes = (uint64_t)(unsigned)v[E_PHENTSIZE] * (unsigned)v[E_PHNUM];
    elf->sh_offset = shoff;
    elf->sh_bytes = (uint64_t)shentsize * shnum;
    unsigned want = elf->is64 ? 64 : 40;
    if (shnum == 0)
        return DS_OK; /* no sections: nothing to name */
    if (shnum > DS_ELF_MAX_SECTIONS || shentsize < want || shoff > size ||
        elf->sh_bytes > size - shoff || shstrndx >= shnum)
        return ds_error_set(err, DS_ERR_FORMAT,
                            "%s: ELF: section header table (%u entries of %u bytes at byte %" PRIu64
                            ") is out of range",
                            ds_source_label(src), shnum, shentsize, shoff);
    elf->sections = calloc(shnum, sizeof *elf->sections);
    if (elf->sections == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    uint32_t *name_offsets = calloc(shnum, sizeof *name_offsets);
    if (name_offsets == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    rc = section_headers_read(src, elf, le, shoff, shentsize, shnum, name_offsets, err);
    elf->count = shnum;
    if (rc == DS_OK)
        section_names_read(src, elf, shstrndx, name_offsets);
    free(name_offsets);
    return rc;
}

void ds_elf_free(ds_elf_t *elf)
{
    free(elf->sections);
    memset(elf, 0, sizeof *elf);
}
