/* Artifacts are written atomically inside the output directory: to a temporary file created
 * there, then renamed over the final name. A reader of OUTDIR never sees half a file, and an
 * artifact is still committed when its stage stops early (it then says it is partial).
 * Nothing outside OUTDIR is opened: names are plain file names resolved against the directory
 * descriptor, and rename() replaces a symlink planted at the name rather than following it.
 * The one exception is a file the user names on the command line (ds_outfile_begin_path). */
#ifndef DS_OUTFILE_H
#define DS_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

typedef struct ds_outfile {
    FILE *stream; /* write here */
    int dir_fd;
    bool owns_dir; /* dir_fd was opened by ds_outfile_begin_path: commit and abort close it */
    char name[256];
    char temp_name[256];
} ds_outfile_t;

/* Creates/opens the output directory (one level; parents must exist) and returns an O_PATH-like
 * descriptor for it in *dir_fd. Refuses a path whose last component is a symlink. */
int ds_outdir_open(const char *path, int *dir_fd, ds_error_t *err);

/* Starts writing artifact `name` (a plain file name, no '/') in dir_fd. */
int ds_outfile_begin(ds_outfile_t *out, int dir_fd, const char *name, ds_error_t *err);

/* Starts writing the file at path, a place the user named (possibly outside OUTDIR), just as
 * atomically: a temporary file in the same directory (which must exist), renamed over path on
 * commit. The last component must be a file name (not "", "." or ".."). out holds a
 * descriptor of the directory until commit or abort; on error nothing is left open. */
int ds_outfile_begin_path(ds_outfile_t *out, const char *path, ds_error_t *err);

/* Flushes, fsyncs nothing (speed), and renames the temporary file to its name. Safe to call
 * once after begin succeeded; afterwards out->stream is NULL. */
int ds_outfile_commit(ds_outfile_t *out, ds_error_t *err);

/* Removes the temporary file without committing (used only on internal errors). */
void ds_outfile_abort(ds_outfile_t *out);

/* Writes a whole small artifact from a string in one go. */
int ds_outfile_write_text(int dir_fd, const char *name, const char *text, ds_error_t *err);

#endif
