#include "elf_imports.h"

#include <stdlib.h>
#include <string.h>

#include "../decode/elf_sections.h"

#define DT_NULL 0
#define DT_NEEDED 1
#define DT_RPATH 15
#define DT_RUNPATH 29
#define ET_EXEC 2
#define ET_DYN 3
#define WINDOW_SYMBOLS 1024u

/* The calls that make a program networked: sockets and name resolution (glibc's exported
 * names; a versioned import "connect@GLIBC_2.2.5" is its base name). socketpair is left out:
 * it makes a pair of connected local sockets only. */
static const char *const network_calls[] = {
    "socket", "connect", "bind", "listen", "accept", "accept4", "sendto", "sendmsg", "sendmmsg", "recvfrom",
    "recvmsg", "recvmmsg", "getaddrinfo", "getaddrinfo_a", "gethostbyname", "gethostbyname2", "gethostbyname_r",
    "gethostbyname2_r", "gethostbyaddr", "gethostbyaddr_r", "getnameinfo", "res_query", "res_search",
    "res_nquery", "res_nsearch", "__res_query", "__res_search", "res_mkquery", "__res_mkquery",
};

bool gate_elf_is_network_call(const char *name)
{
    size_t n = strcspn(name, "@");
    for (size_t i = 0; i < sizeof network_calls / sizeof *network_calls; i++)
        if (strlen(network_calls[i]) == n && memcmp(network_calls[i], name, n) == 0)
            return true;
    return false;
}


static const ds_elf_section_t *section(const ds_elf_t *elf, const char *name)
{
    for (size_t i = 0; i < elf->count; i++)
        if (strcmp(elf->sections[i].name, name) == 0 && elf->sections[i].type != 8 /* SHT_NOBITS */)
            return &elf->sections[i];
    return NULL;
}

static char *string_at(const char *strtab, size_t size, uint64_t at)
{
    if (at >= size)
        return NULL;
    size_t n = strnlen(strtab + at, size - (size_t)at);
    if (at + n >= size || n >= GATE_ELF_NAME_MAX)
        return NULL;
    return strndup(strtab + at, n);
}

typedef struct reading {
    ds_source_t *src;
    const ds_elf_t *elf;
    bool le;
    char *dynstr;
    size_t dynstr_size;
    gate_elf_imports_t *out;
} reading_t;

static int read_dynamic_entry(reading_t *r, uint64_t tag, uint64_t value, uint64_t at, ds_error_t *err)
{
    if (tag != DT_NEEDED && tag != DT_RPATH && tag != DT_RUNPATH)
        return DS_OK;
    char *s = string_at(r->dynstr, r->dynstr_size, value);
    if (s == NULL)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: ELF .dynamic entry at offset %llu names no string of .dynstr",
                            ds_source_label(r->src), (unsigned long long)at);
    if (tag == DT_RPATH || tag == DT_RUNPATH) {
        char **slot = tag == DT_RPATH ? &r->out->rpath : &r->out->runpath;
        free(*slot);
        *slot = s;
        return DS_OK;
    }
    if (r->out->needed_count >= GATE_ELF_MAX_NEEDED) {
        free(s);
        return ds_error_set(err, DS_ERR_LIMIT, "%s: more than %u DT_NEEDED entries", ds_source_label(r->src),
                            GATE_ELF_MAX_NEEDED);
    }
    char **grown = realloc(r->out->needed, (r->out->needed_count + 1) * sizeof *grown);
    if (grown == NULL) {
        free(s);
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    r->out->needed = grown;
    grown[r->out->needed_count++] = s;
    return DS_OK;
}

static int read_dynamic(reading_t *r, const ds_elf_section_t *dyn, ds_error_t *err)
{
    unsigned entry = r->elf->is64 ? 16 : 8, half = entry / 2;
    uint64_t count = dyn->size / entry;
    if (count > GATE_ELF_MAX_DYNAMIC)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: .dynamic has more than %u entries", ds_source_label(r->src),
                            GATE_ELF_MAX_DYNAMIC);
    for (uint64_t i = 0; i < count; i++) {
        unsigned char e[16];
        uint64_t at = dyn->offset + i * entry;
        int rc = ds_source_read(r->src, at, e, entry, "ELF .dynamic", err);
        if (rc != DS_OK)
            return rc;
        uint64_t tag = ds_elf_uint(e, half, r->le), value = ds_elf_uint(e + half, half, r->le);
        if (tag == DT_NULL)
            break;
        if ((rc = read_dynamic_entry(r, tag, value, at, err)) != DS_OK)
            return rc;
    }
    return DS_OK;
}

/* The first undefined symbol of .dynsym that is a network call. */
static int read_symbols(reading_t *r, const ds_elf_section_t *sym, ds_error_t *err)
{
    unsigned entry = r->elf->is64 ? 24 : 16;
    uint64_t count = sym->size / entry;
    if (count > GATE_ELF_MAX_SYMBOLS)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: .dynsym has more than %u symbols", ds_source_label(r->src),
                            GATE_ELF_MAX_SYMBOLS);
    unsigned char *window = malloc((size_t)WINDOW_SYMBOLS * entry);
    if (window == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    int rc = DS_OK;
    for (uint64_t first = 0; first < count && rc == DS_OK && !r->out->net_call[0]; first += WINDOW_SYMBOLS) {
        uint64_t n = count - first < WINDOW_SYMBOLS ? count - first : WINDOW_SYMBOLS;
        rc = ds_source_read(r->src, sym->offset + first * entry, window, (size_t)(n * entry), "ELF .dynsym", err);
        for (uint64_t i = 0; i < n && rc == DS_OK; i++) {
            const unsigned char *s = window + i * entry;
            uint64_t name = ds_elf_uint(s, 4, r->le), shndx = ds_elf_uint(s + (r->elf->is64 ? 6 : 14), 2, r->le);
            if (shndx != 0 || name == 0 || name >= r->dynstr_size)
                continue;
            const char *text = r->dynstr + name;
            if (strnlen(text, r->dynstr_size - (size_t)name) < r->dynstr_size - name &&
                gate_elf_is_network_call(text)) {
                size_t len = strcspn(text, "@");
                memcpy(r->out->net_call, text, len < sizeof r->out->net_call ? len : sizeof r->out->net_call - 1);
                break;
            }
        }
    }
    free(window);
    return rc;
}

int gate_elf_imports_read(ds_source_t *src, gate_elf_imports_t *out, ds_error_t *err)
{
    reading_t r = {.src = src, .out = out};
    ds_elf_t elf = {0};
    int rc = ds_elf_open(src, &elf, err);
    if (rc != DS_OK) {
        ds_elf_free(&elf); /* what it read before the damage */
        return rc;
    }
    r.elf = &elf;
    r.le = elf.little_endian;
    out->machine = elf.machine;
    out->program = elf.type == ET_EXEC || (elf.type == ET_DYN && section(&elf, ".interp") != NULL);
    const ds_elf_section_t *dyn = section(&elf, ".dynamic"), *str = section(&elf, ".dynstr"),
                           *sym = section(&elf, ".dynsym");
    out->dynamic = dyn != NULL;
    if (dyn != NULL && str != NULL) {
        if (str->size > GATE_ELF_MAX_DYNSTR)
            rc = ds_error_set(err, DS_ERR_LIMIT, "%s: .dynstr larger than %u bytes", ds_source_label(src),
                              GATE_ELF_MAX_DYNSTR);
        else if ((r.dynstr = malloc((size_t)str->size + 1)) == NULL)
            rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
        else
            rc = ds_source_read(src, str->offset, r.dynstr, (size_t)str->size, "ELF .dynstr", err);
        if (rc == DS_OK) {
            r.dynstr[str->size] = '\0';
            r.dynstr_size = (size_t)str->size;
            rc = read_dynamic(&r, dyn, err);
        }
        if (rc == DS_OK && sym != NULL)
            rc = read_symbols(&r, sym, err);
    }
    free(r.dynstr);
    ds_elf_free(&elf);
    return rc;
}

void gate_elf_imports_free(gate_elf_imports_t *imports)
{
    for (size_t i = 0; i < imports->needed_count; i++)
        free(imports->needed[i]);
    free(imports->needed);
    free(imports->rpath);
    free(imports->runpath);
    memset(imports, 0, sizeof *imports);
}
