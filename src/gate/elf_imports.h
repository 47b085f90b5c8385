/* What an ELF object needs from the dynamic linker (System V gABI "Dynamic Section", "Symbol
 * Table"): whether it is a program (ET_EXEC, or ET_DYN with an interpreter), whether it is
 * dynamically linked, its DT_NEEDED names, DT_RPATH / DT_RUNPATH, and the first network call
 * among its undefined dynamic symbols. Read through a ds_source_t in bounded windows, using the
 * section headers (.dynamic, .dynstr, .dynsym, .interp: decode/elf_sections.c). */
#ifndef GATE_ELF_IMPORTS_H
#define GATE_ELF_IMPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/source.h"

#define GATE_ELF_MAX_NEEDED 512u           /* DT_NEEDED entries of one object */
#define GATE_ELF_MAX_DYNAMIC 65536u        /* entries of .dynamic */
#define GATE_ELF_MAX_SYMBOLS 1000000u      /* entries of .dynsym */
#define GATE_ELF_MAX_DYNSTR (32u << 20)    /* bytes of .dynstr */
#define GATE_ELF_NAME_MAX 256u             /* bytes of a needed name or a search path */

typedef struct gate_elf_imports {
    bool program;        /* ET_EXEC, or ET_DYN with PT_INTERP (.interp): an executable */
    bool dynamic;        /* has a .dynamic section: imports from libraries */
    uint16_t machine;    /* e_machine (62: x86-64) */
    char **needed;       /* DT_NEEDED names, in order; owned */
    size_t needed_count;
    char *rpath, *runpath; /* owned, NULL when absent */
    char net_call[64];   /* the first undefined dynamic symbol that is a network call, or "" */
} gate_elf_imports_t;

/* Whether name (without a @VERSION suffix) is one of the network calls the gate looks for. */
bool gate_elf_is_network_call(const char *name);

/* Reads src (an ELF file) into *out (start zeroed; free with gate_elf_imports_free, also after
 * an error). A damaged object is DS_ERR_FORMAT naming the label and the offset. */
int gate_elf_imports_read(ds_source_t *src, gate_elf_imports_t *out, ds_error_t *err);
void gate_elf_imports_free(gate_elf_imports_t *imports);

#endif
