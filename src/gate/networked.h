/* The networked programs of an image: every ELF executable under the usual program paths that
 * imports a network call (elf_imports.h) itself, or links (DT_NEEDED, resolved inside the image
 * as ld.so would: DT_RPATH when there is no DT_RUNPATH, DT_RUNPATH, /etc/ld.so.conf and its
 * includes, then the default and multiarch directories; $ORIGIN expanded) a library that does,
 * at any depth. Libraries are evidence, not subjects: AppArmor confines programs. Only a summary
 * per library is kept (networked or not, and the chain), never a symbol table. */
#ifndef GATE_NETWORKED_H
#define GATE_NETWORKED_H

#include <stddef.h>

#include "../util/error.h"
#include "files.h"

#define GATE_NET_MAX_PROGRAMS 200000u  /* executables examined */
#define GATE_NET_MAX_LIBRARIES 50000u  /* libraries summarised */
#define GATE_NET_MAX_DEPTH 32u         /* DT_NEEDED levels followed */
#define GATE_NET_MAX_CONF_DEPTH 8u     /* ld.so.conf include levels */
#define GATE_NET_MAX_SEARCH_DIRS 256u  /* ld.so.conf directories */
#define GATE_NET_CONF_MAX (1u << 20)   /* bytes of one ld.so.conf file */

typedef struct gate_net_program {
    char *path;     /* resolved, inside the image */
    char *evidence; /* "imports connect", "links libphone.so.1 -> connect" */
} gate_net_program_t;

typedef struct gate_networked {
    gate_net_program_t *programs; /* in path order */
    size_t count;
    size_t programs_examined;     /* ELF executables read */
    size_t static_programs;       /* statically linked: no imports to judge (not subjects) */
    size_t libraries_read;
    char **problems;              /* "path: message" for each object that could not be read */
    size_t problem_count;
    char **missing;               /* "libfoo.so.1 (needed by /usr/bin/x)": not found in the image */
    size_t missing_count;
} gate_networked_t;

/* Finds the networked programs of files' root filesystem into *out (start zeroed; free with
 * gate_networked_free in every case). Damaged objects are problems and the walk goes on; a
 * negative DS_ERR_* is returned only when the walk itself cannot go on (out of memory, limits). */
int gate_networked_find(gate_files_t *files, gate_networked_t *out, ds_error_t *err);
void gate_networked_free(gate_networked_t *net);

#endif
