#include "host_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int gate_host_file_read(const char *path, char **data, size_t *len, ds_error_t *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return ds_error_set(err, DS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    int rc = DS_OK;
    char *buf = NULL;
    size_t n = 0;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        rc = ds_error_set(err, DS_ERR_IO, "%s: not a regular file", path);
    else if ((uint64_t)st.st_size > GATE_HOST_FILE_MAX)
        rc = ds_error_set(err, DS_ERR_LIMIT, "%s: larger than %u bytes", path, GATE_HOST_FILE_MAX);
    else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
        rc = ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    else if ((n = fread(buf, 1, (size_t)st.st_size, f)) != (size_t)st.st_size || ferror(f))
        rc = ds_error_set(err, DS_ERR_IO, "%s: read error (or the file changed while read)", path);
    fclose(f);
    if (rc != DS_OK) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return DS_OK;
}
