/* The kernel command lines an image boots with, read from its boot loader configurations:
 * grub.cfg and loopback.cfg (grub syntax), isolinux/syslinux *.cfg, /etc/default/grub. */
#ifndef GATE_CMDLINE_H
#define GATE_CMDLINE_H

#include <stddef.h>

#include "../util/error.h"

typedef struct gate_cmdline_param {
    char *name;  /* as written: "quiet", "init_on_alloc", "initrd", "BOOT_IMAGE" */
    char *value; /* the text after the first '=' (quotes removed); NULL when there is no '=' */
} gate_cmdline_param_t;

typedef struct gate_cmdline_entry {
    char *title;  /* grub menuentry title, syslinux "menu label" (else the label name), or "" */
    char *kernel; /* the kernel path as written ("/live/vmlinuz"), or "" */
    char *file;   /* the configuration file it was read from */
    unsigned line; /* of the linux / append line */
    gate_cmdline_param_t *params; /* in command line order; the last of a name is the one used */
    size_t count;
} gate_cmdline_entry_t;

typedef struct gate_cmdline_set {
    gate_cmdline_entry_t *entries;
    size_t count;
    char **includes; /* names given to syslinux "include" / "menu include" and grub "source",
                        as written */
    size_t include_count;
} gate_cmdline_set_t;

/* Splits one parameter string ("quiet init_on_alloc=1 foo=\"a b\"") into entry->params
 * (appended). file and line name it in messages. An unterminated quote is DS_ERR_FORMAT. */
int gate_cmdline_parse_params(gate_cmdline_entry_t *entry, const char *text, size_t len,
                              const char *file, unsigned line, ds_error_t *err);

/* Appends to set the boot entries of a grub configuration (grub.cfg, loopback.cfg): every
 * linux / linuxefi / linux16 line, inside a menuentry (its title) or not (title ""), and the
 * names of the files it "source"s to set->includes (the caller reads and feeds those). */
int gate_cmdline_parse_grub(gate_cmdline_set_t *set, const char *file, const char *text, size_t len,
                            ds_error_t *err);
/* Appends the labels of an isolinux / syslinux configuration that name a kernel, and the names
 * of the files it includes (the caller reads and feeds those, if it wants). */
int gate_cmdline_parse_syslinux(gate_cmdline_set_t *set, const char *file, const char *text,
                                size_t len, ds_error_t *err);
/* Appends one entry (title "GRUB_CMDLINE_LINUX GRUB_CMDLINE_LINUX_DEFAULT") holding the
 * parameters /etc/default/grub gives every kernel grub-mkconfig writes; nothing when it sets
 * neither. */
int gate_cmdline_parse_default_grub(gate_cmdline_set_t *set, const char *file, const char *text,
                                    size_t len, ds_error_t *err);

/* The parameter the kernel would use for name (the last one), or NULL. Borrowed. */
const gate_cmdline_param_t *gate_cmdline_find(const gate_cmdline_entry_t *entry, const char *name);

/* Frees everything set holds and empties it. After an error, set keeps what was read before
 * the bad line; free it all the same. */
void gate_cmdline_set_free(gate_cmdline_set_t *set);

#endif
