/* Small text files the user names on imagegate's command line (rules, waivers, exceptions):
 * read from the host whole, with a bound. */
#ifndef GATE_HOST_FILE_H
#define GATE_HOST_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "../util/error.h"

#define GATE_HOST_FILE_MAX (4u << 20) /* bytes of one rules, waivers or exceptions file */

/* Reads path into a new NUL-terminated buffer the caller frees; DS_ERR_IO when it cannot be
 * read, DS_ERR_LIMIT past GATE_HOST_FILE_MAX. *data is NULL unless 0 is returned. */
int gate_host_file_read(const char *path, char **data, size_t *len, ds_error_t *err);

#endif
