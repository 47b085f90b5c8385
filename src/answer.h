/* The command line's outputs beside OUTDIR (issue 12): the text answer on stdout or in a file,
 * the --html copy, and the private temporary OUTDIR a run without -o works in. Errors are
 * values; main prints them. */
#ifndef DS_ANSWER_H
#define DS_ANSWER_H

#include <stddef.h>

#include "stages/run.h"
#include "util/error.h"

/* Creates a private directory (mode 0700) under $TMPDIR or /tmp and writes its path to path
 * (size bytes, kept valid until ds_answer_tempdir_remove). From then on SIGINT, SIGTERM and
 * SIGHUP remove it before the process dies of them; ds_answer_tempdir_remove removes it and
 * ends that. */
int ds_answer_tempdir(char *path, size_t size, ds_error_t *err);

/* Removes the directory and everything below it (symlinks are removed, never followed). */
void ds_answer_tempdir_remove(const char *path);

/* True when the text answer goes to stdout: no -o (unless --quiet), or --text -. */
bool ds_answer_on_stdout(const ds_options_t *options);

/* Writes what the options ask for beside the reports of the finished run: the text answer to
 * stdout and/or --text FILE (atomically), the --html copy (atomically), each cut at
 * --max-report-size. Returns DS_OK, or the first error (the other outputs are still tried). */
int ds_answer_write(const ds_run_t *run, ds_error_t *err);

#endif
