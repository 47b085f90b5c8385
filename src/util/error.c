#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int ds_error_set(ds_error_t *err, int code, const char *fmt, ...)
{
    if (err == NULL || err->message[0] != '\0')
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

void ds_error_clear(ds_error_t *err)
{
    if (err == NULL)
        return;
    err->code = DS_OK;
    err->message[0] = '\0';
}

const char *ds_error_name(int code)
{
    switch (code) {
    case DS_OK: return "ok";
    case DS_ERR_IO: return "I/O error";
    case DS_ERR_FORMAT: return "format error";
    case DS_ERR_LIMIT: return "limit reached";
    case DS_ERR_NOMEM: return "out of memory";
    case DS_ERR_TIMEOUT: return "time budget exhausted";
    case DS_ERR_USAGE: return "usage error";
    default: return "unknown error";
    }
}
