#include "host_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gate_host_file_read(const char *path, char **data, size_t *len, ds_error_t *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return ds_error_set(err, DS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = malloc(GATE_HOST_FILE_MAX + 1);
    if (buf == NULL) {
        fclose(f);
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, GATE_HOST_FILE_MAX + 1, f);
    int failed = ferror(f);
    fclose(f);
    if (failed || n > GATE_HOST_FILE_MAX) {
        free(buf);
        return failed ? ds_error_set(err, DS_ERR_IO, "%s: read error", path)
                      : ds_error_set(err, DS_ERR_LIMIT, "%s: larger than %u bytes", path, GATE_HOST_FILE_MAX);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return DS_OK;
}
