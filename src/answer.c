#define _GNU_SOURCE /* nftw's FTW_DEPTH, FTW_PHYS */
#include "answer.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report/text_report.h"
#include "stages/report_view.h"
#include "util/outfile.h"

/* What ends an output cut by --max-report-size: the text answer's, or the HTML copy's. */
typedef enum { CUT_TEXT, CUT_HTML } cut_note_t;

static int cut_note(char *note, size_t size, cut_note_t kind, size_t cap)
{
    if (kind == CUT_HTML)
        return snprintf(note, size, "\n<p><strong>driftscope: this report was cut at %zu bytes by "
                                    "--max-report-size</strong></p>\n", cap);
    return snprintf(note, size, "[driftscope: the answer was cut at %zu bytes by --max-report-size]\n", cap);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path); /* a file, a symlink, or a directory emptied first (FTW_DEPTH) */
    return 0;
}

/* The directory a signal handler removes, or NULL. */
static const char *volatile guarded_dir;

/* Unlinks every entry of the directory open as fd, and the entries of its subdirectories down to
 * depth levels, with async-signal-safe calls only (getdents64 through syscall). Closes fd. */
static void remove_entries_safely(int fd, int depth)
{
    char buf[4096];
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct linux_dirent64 {
                uint64_t ino;
                int64_t off;
                unsigned short reclen;
                unsigned char type;
                char name[];
            } *e = (struct linux_dirent64 *)(buf + off);
            off += e->reclen;
            if (e->name[0] == '.' && (e->name[1] == '\0' || (e->name[1] == '.' && e->name[2] == '\0')))
                continue;
            if (unlinkat(fd, e->name, 0) == 0 || depth == 0)
                continue;
            int sub = openat(fd, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                remove_entries_safely(sub, depth - 1);
            unlinkat(fd, e->name, AT_REMOVEDIR);
        }
    }
    close(fd);
}

/* On SIGINT, SIGTERM or SIGHUP: remove the private directory, then die of the signal. */
static void remove_on_signal(int sig)
{
    const char *path = guarded_dir;
    if (path != NULL) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
            remove_entries_safely(fd, 2);
        rmdir(path);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Until called again with NULL, SIGINT, SIGTERM and SIGHUP remove the directory at path (two
 * levels deep: OUTDIR/deep/ is the deepest driftscope writes) before the process dies of them. */
static void tempdir_guard(const char *path)
{
    guarded_dir = path;
    struct sigaction action = {.sa_handler = path != NULL ? remove_on_signal : SIG_DFL};
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
}

/* Blocks the signals the guard handles; the mask before is left in old. */
static void signals_block(sigset_t *old)
{
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, old);
}

int ds_answer_tempdir(char *path, size_t size, ds_error_t *err)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    int n = snprintf(path, size, "%s/driftscope-XXXXXX", base);
    if (n < 0 || (size_t)n >= size)
        return ds_error_set(err, DS_ERR_USAGE, "TMPDIR %s is too long", base);
    /* The signals wait until the directory is guarded: none can leave it behind. */
    sigset_t old;
    signals_block(&old);
    int rc = DS_OK;
    if (mkdtemp(path) == NULL)
        rc = ds_error_set(err, DS_ERR_IO, "cannot create a temporary directory in %s: %s", base,
                          strerror(errno));
    else
        tempdir_guard(path);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}

void ds_answer_tempdir_remove(const char *path)
{
    sigset_t old;
    signals_block(&old); /* a signal now waits until the directory is gone */
    tempdir_guard(NULL);
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

bool ds_answer_on_stdout(const ds_options_t *options)
{
    return (options->answer_on_stdout && !options->quiet) ||
           (options->text_file != NULL && strcmp(options->text_file, "-") == 0);
}

/* The text answer in memory (free() it), coloured or not. */
static char *answer_render(const ds_run_t *run, bool color, size_t *len)
{
    char rest[PATH_MAX + 40];
    if (run->options->answer_on_stdout)
        snprintf(rest, sizeof rest, "report.json (run with -o DIR to keep the reports)");
    else
        snprintf(rest, sizeof rest, "%s/report.json", run->options->output_dir);
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    if (out == NULL)
        return NULL;
    ds_report_view_t view;
    ds_report_rows_t rows;
    ds_report_view_build(run, ds_run_verdict(run), &view, &rows);
    ds_text_report_write(out, &view, &(ds_text_style_t){.color = color, .rest = rest});
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Writes text (len bytes) to out, at most cap bytes (0: all) counting the note that says where
 * it was cut; a cut ends at a line's end when one is near. */
static void emit_capped(FILE *out, const char *text, size_t len, size_t cap, cut_note_t kind)
{
    if (cap == 0 || len <= cap) {
        fwrite(text, 1, len, out);
        return;
    }
    char note[200];
    int n = cut_note(note, sizeof note, kind, cap);
    size_t note_len = n < 0 ? 0 : (size_t)n;
    size_t keep = cap > note_len ? cap - note_len : 0;
    const char *nl = keep > 0 ? memrchr(text, '\n', keep) : NULL;
    if (nl != NULL && (size_t)(nl - text) + 1 >= keep / 2)
        keep = (size_t)(nl - text) + 1;
    fwrite(text, 1, keep, out);
    fputs(note, out);
}

static bool want_color(int mode, bool terminal)
{
    if (mode == DS_COLOR_ALWAYS)
        return true;
    if (mode == DS_COLOR_NEVER || !terminal)
        return false;
    const char *no_color = getenv("NO_COLOR");
    return no_color == NULL || no_color[0] == '\0';
}

/* Starts writing path atomically: a temporary file in its directory (its descriptor left in
 * *dir_fd, closed by the caller), renamed over it by ds_outfile_commit. */
static int outfile_beside(const char *path, int *dir_fd, ds_outfile_t *out, ds_error_t *err)
{
    char dir_copy[PATH_MAX], base_copy[PATH_MAX];
    *dir_fd = -1;
    if (snprintf(dir_copy, sizeof dir_copy, "%s", path) >= (int)sizeof dir_copy)
        return ds_error_set(err, DS_ERR_USAGE, "%s: the path is too long", path);
    snprintf(base_copy, sizeof base_copy, "%s", path);
    *dir_fd = open(dirname(dir_copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*dir_fd < 0)
        return ds_error_set(err, DS_ERR_IO, "%s: cannot open its directory: %s", path, strerror(errno));
    return ds_outfile_begin(out, *dir_fd, basename(base_copy), err);
}

static int write_file(const char *path, const char *text, size_t len, size_t cap, ds_error_t *err)
{
    ds_outfile_t out;
    int dir_fd;
    int rc = outfile_beside(path, &dir_fd, &out, err);
    if (rc == DS_OK) {
        emit_capped(out.stream, text, len, cap, CUT_TEXT);
        rc = ds_outfile_commit(&out, err);
    }
    if (dir_fd >= 0)
        close(dir_fd);
    return rc;
}

/* The text answer to stdout and to --text FILE. */
static int write_text(const ds_run_t *run, ds_error_t *err)
{
    const ds_options_t *options = run->options;
    size_t len = 0;
    int rc = DS_OK;
    if (ds_answer_on_stdout(options)) {
        char *text = answer_render(run, want_color(options->color, isatty(STDOUT_FILENO)), &len);
        if (text == NULL)
            return ds_error_set(err, DS_ERR_NOMEM, "the text answer: out of memory");
        emit_capped(stdout, text, len, options->max_report_size, CUT_TEXT);
        free(text);
        if (fflush(stdout) != 0 || ferror(stdout))
            rc = ds_error_set(err, DS_ERR_IO, "stdout: cannot write the answer: %s", strerror(errno));
    }
    if (options->text_file != NULL && strcmp(options->text_file, "-") != 0) {
        char *text = answer_render(run, want_color(options->color, false), &len);
        if (text == NULL)
            return ds_error_set(err, DS_ERR_NOMEM, "the text answer: out of memory");
        int file_rc = write_file(options->text_file, text, len, options->max_report_size, err);
        rc = rc != DS_OK ? rc : file_rc;
        free(text);
    }
    return rc;
}

/* Copies in (size bytes) to out in windows, at most cap bytes (0: all) counting the note that
 * says it was cut. */
static void copy_capped(FILE *in, uint64_t size, FILE *out, size_t cap)
{
    char note[200];
    int n = cut_note(note, sizeof note, CUT_HTML, cap);
    size_t note_len = n < 0 ? 0 : (size_t)n;
    bool cut = cap > 0 && size > cap;
    uint64_t left = !cut ? size : cap > note_len ? cap - note_len : 0;
    char window[65536];
    size_t got;
    while (left > 0 && (got = fread(window, 1, left < sizeof window ? (size_t)left : sizeof window, in)) > 0) {
        fwrite(window, 1, got, out);
        left -= got;
    }
    if (cut)
        fputs(note, out);
}

/* --html FILE: report.html as the report stage wrote it into OUTDIR, streamed into a temporary
 * file beside FILE and renamed, cut at --max-report-size. */
static int copy_html(const ds_run_t *run, ds_error_t *err)
{
    const char *path = run->options->html_copy;
    int fd = openat(run->out_fd, "report.html", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return ds_error_set(err, DS_ERR_IO, "--html: report.html was not written: %s", strerror(errno));
    }
    FILE *in = fdopen(fd, "r");
    if (in == NULL) {
        close(fd);
        return ds_error_set(err, DS_ERR_NOMEM, "--html: out of memory");
    }
    ds_outfile_t out;
    int dir_fd;
    int rc = outfile_beside(path, &dir_fd, &out, err);
    if (rc == DS_OK) {
        copy_capped(in, (uint64_t)st.st_size, out.stream, run->options->max_report_size);
        if (ferror(in)) {
            ds_outfile_abort(&out);
            rc = ds_error_set(err, DS_ERR_IO, "--html: cannot read report.html");
        } else {
            rc = ds_outfile_commit(&out, err);
        }
    }
    if (dir_fd >= 0)
        close(dir_fd);
    fclose(in);
    return rc;
}

int ds_answer_write(const ds_run_t *run, ds_error_t *err)
{
    int rc = write_text(run, err);
    if (run->options->html_copy != NULL) {
        int html_rc = copy_html(run, err);
        rc = rc != DS_OK ? rc : html_rc;
    }
    return rc;
}
