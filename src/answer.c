#define _GNU_SOURCE /* nftw's FTW_DEPTH, FTW_PHYS */
#include "answer.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int ds_answer_tempdir(char *path, size_t size, ds_error_t *err)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    int n = snprintf(path, size, "%s/driftscope-XXXXXX", base);
    if (n < 0 || (size_t)n >= size)
        return ds_error_set(err, DS_ERR_USAGE, "TMPDIR %s is too long", base);
    if (mkdtemp(path) == NULL)
        return ds_error_set(err, DS_ERR_IO, "cannot create a temporary directory in %s: %s", base,
                            strerror(errno));
    return DS_OK;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path); /* a file, a symlink, or a directory emptied first (FTW_DEPTH) */
    return 0;
}

void ds_answer_tempdir_remove(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
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

/* Writes the bytes to path atomically: a temporary file beside it, renamed over it. */
static int write_file(const char *path, const char *text, size_t len, size_t cap, cut_note_t note,
                      ds_error_t *err)
{
    char dir_copy[PATH_MAX], base_copy[PATH_MAX];
    if (snprintf(dir_copy, sizeof dir_copy, "%s", path) >= (int)sizeof dir_copy)
        return ds_error_set(err, DS_ERR_USAGE, "%s: the path is too long", path);
    snprintf(base_copy, sizeof base_copy, "%s", path);
    int dir_fd = open(dirname(dir_copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0)
        return ds_error_set(err, DS_ERR_IO, "%s: cannot open its directory: %s", path, strerror(errno));
    ds_outfile_t out;
    int rc = ds_outfile_begin(&out, dir_fd, basename(base_copy), err);
    if (rc == DS_OK) {
        emit_capped(out.stream, text, len, cap, note);
        rc = ds_outfile_commit(&out, err);
    }
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
        int file_rc = write_file(options->text_file, text, len, options->max_report_size, CUT_TEXT, err);
        rc = rc != DS_OK ? rc : file_rc;
        free(text);
    }
    return rc;
}

/* --html FILE: report.html as the report stage wrote it into OUTDIR, cut at --max-report-size. */
static int copy_html(const ds_run_t *run, ds_error_t *err)
{
    int fd = openat(run->out_fd, "report.html", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return ds_error_set(err, DS_ERR_IO, "--html: report.html was not written: %s", strerror(errno));
    FILE *in = fdopen(fd, "r");
    if (in == NULL) {
        close(fd);
        return ds_error_set(err, DS_ERR_NOMEM, "--html: out of memory");
    }
    char *text = NULL;
    size_t len = 0;
    FILE *copy = open_memstream(&text, &len);
    char window[65536];
    size_t n;
    size_t cap = run->options->max_report_size;
    /* Read no more than the cut needs: the copy stays bounded whatever report.html's size. */
    while (copy != NULL && (cap == 0 || len <= cap) && (n = fread(window, 1, sizeof window, in)) > 0) {
        fwrite(window, 1, n, copy);
        fflush(copy);
    }
    bool failed = ferror(in) || copy == NULL;
    fclose(in);
    if (copy != NULL && fclose(copy) != 0)
        failed = true;
    int rc = failed ? ds_error_set(err, DS_ERR_IO, "--html: cannot read report.html")
                    : write_file(run->options->html_copy, text, len, cap, CUT_HTML, err);
    free(text);
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
