/* Errors as values: every fallible function returns 0 or a negative DS_ERR_* code and, when it
 * is given a ds_error_t, leaves a one-line message there naming the input, the layer and the
 * byte offset. Libraries never print; the command line prints the message once. */
#ifndef DS_ERROR_H
#define DS_ERROR_H

enum {
    DS_OK = 0,
    DS_ERR_IO = -1,      /* the operating system refused a read, open or write */
    DS_ERR_FORMAT = -2,  /* the bytes are not what the format says they must be */
    DS_ERR_LIMIT = -3,   /* a named sanity limit was hit (depth, count, size) */
    DS_ERR_NOMEM = -4,   /* an allocation failed */
    DS_ERR_TIMEOUT = -5, /* the stage's time budget ran out */
    DS_ERR_USAGE = -6,   /* the caller passed something invalid */
};

#define DS_ERROR_MESSAGE_MAX 512

typedef struct ds_error {
    int code;
    char message[DS_ERROR_MESSAGE_MAX];
} ds_error_t;

/* Records code and a printf-style message in err (which may be NULL) and returns code, so a
 * caller can write `return ds_error_set(err, DS_ERR_FORMAT, "...")`. The first message set
 * wins: a later call does not overwrite an earlier, more precise one. */
int ds_error_set(ds_error_t *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears err to "no error". */
void ds_error_clear(ds_error_t *err);

/* A short English name for a DS_ERR_* code. */
const char *ds_error_name(int code);

#endif
