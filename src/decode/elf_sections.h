/* ELF (System V gABI, "Object Files"): the ELF header (class 4, data 5, e_phoff, e_shoff,
 * e_ehsize, e_phentsize/e_phnum, e_shentsize/e_shnum, e_shstrndx) and the section header table
 * with names from .shstrtab, read through a ds_source_t with every offset checked. */
#ifndef DS_ELF_SECTIONS_H
#define DS_ELF_SECTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/source.h"

#define DS_ELF_MAX_SECTIONS 4096u
#define DS_ELF_NAME_MAX 64

typedef struct ds_elf_section {
    char name[DS_ELF_NAME_MAX];
    uint32_t type;   /* SHT_NOBITS (8) has no bytes in the file */
    uint64_t offset;
    uint64_t size;
} ds_elf_section_t;

typedef struct ds_elf {
    bool is64;
    bool little_endian;            /* EI_DATA 1 */
    uint16_t type, machine;        /* e_type (2 EXEC, 3 DYN), e_machine (62 x86-64) */
    uint64_t header_size;          /* e_ehsize */
    uint64_t ph_offset, ph_bytes;  /* program header table */
    uint64_t sh_offset, sh_bytes;  /* section header table */
    ds_elf_section_t *sections;    /* owned */
    size_t count;
} ds_elf_t;

bool ds_elf_probe(ds_source_t *src);
/* An unsigned integer of size bytes (1..8) at p, in the object's byte order. */
uint64_t ds_elf_uint(const unsigned char *p, unsigned size, bool little_endian);
int ds_elf_open(ds_source_t *src, ds_elf_t *elf, ds_error_t *err);
void ds_elf_free(ds_elf_t *elf);

#endif
