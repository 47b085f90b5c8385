/* Small helpers shared by the format files. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bool ds_source_has_magic(ds_source_t *src, uint64_t at, const void *magic, size_t n)
{
    unsigned char buf[16];
    return n <= sizeof buf && ds_source_read(src, at, buf, n, "magic", NULL) == DS_OK &&
           memcmp(buf, magic, n) == 0;
}

int ds_plain_state_open(void **state, ds_source_t *src, const ds_format_open_t *how, ds_error_t *err)
{
    ds_plain_state_t *s = calloc(1, sizeof *s);
    *state = s;
    if (s == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "out of memory");
    s->src = src;
    s->how = *how;
    return DS_OK;
}

void ds_plain_state_close(void *state) { free(state); }
