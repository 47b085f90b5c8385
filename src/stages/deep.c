/* --deep-tool diffoscope: the narrowed pairs of differing files are copied under OUTDIR/deep/
 * with safe names, and diffoscope runs on each pair alone, under a timeout and a report-size
 * cap: diffoscope's comparators, but only on what differs. The tool is started directly
 * (posix_spawnp, no shell) and only ever sees files driftscope wrote. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "../util/strbuf.h"

#define DEEP_FILE_MAX (64ull << 20) /* bigger files are not copied out */
#define DEEP_TIMEOUT "120"           /* seconds for one diffoscope run */
#define DEEP_REPORT_MAX "1048576"    /* bytes of one diffoscope report */

extern char **environ;

bool ds_deep_wanted(const ds_run_t *run)
{
    return run->options->deep_tool != NULL && run->deep_count < DS_DEEP_JOBS_MAX;
}

static int deep_dir(ds_run_t *run)
{
    if (mkdirat(run->out_fd, "deep", 0755) != 0 && errno != EEXIST)
        return -1;
    return openat(run->out_fd, "deep", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static int copy_out(int dir, const char *name, ds_source_t *src)
{
    unlinkat(dir, name, 0);
    int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    unsigned char *buf = malloc(1 << 20);
    int rc = buf ? 0 : -1;
    for (uint64_t at = 0; rc == 0 && at < ds_source_size(src); at += 1 << 20) {
        size_t got = 0;
        if (ds_source_read_some(src, at, buf, 1 << 20, &got, NULL) != DS_OK || got == 0 ||
            write(fd, buf, got) != (ssize_t)got)
            rc = -1;
    }
    free(buf);
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

void ds_deep_extract(ds_run_t *run, const char *const *location, size_t depth, ds_source_t *a,
                     ds_source_t *b)
{
    if (!ds_deep_wanted(run) || ds_source_size(a) > DEEP_FILE_MAX || ds_source_size(b) > DEEP_FILE_MAX)
        return;
    int dir = deep_dir(run);
    if (dir < 0)
        return;
    ds_deep_job_t *job = &run->deep[run->deep_count];
    memset(job, 0, sizeof *job);
    /* Safe names: a number, the side, and the last path element reduced to [A-Za-z0-9._-]. */
    const char *last = strrchr(location[depth - 1], '/');
    last = last ? last + 1 : location[depth - 1];
    char safe[48];
    size_t n = 0;
    for (const char *p = last; *p && n + 1 < sizeof safe; p++)
        safe[n++] = (strchr("._-", *p) || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) ? *p : '_';
    safe[n] = '\0';
    if (n == 0 || safe[0] == '.')
        memmove(safe + 1, safe, n + 1), safe[0] = 'f';
    unsigned number = (unsigned)run->deep_count + 1;
    snprintf(job->file_a, sizeof job->file_a, "%03u-a-%s", number, safe);
    snprintf(job->file_b, sizeof job->file_b, "%03u-b-%s", number, safe);
    snprintf(job->report, sizeof job->report, "%03u-diffoscope.txt", number);
    ds_strbuf_t where = {0};
    for (size_t i = 0; i < depth; i++)
        ds_strbuf_printf(&where, "%s%s", i ? " :: " : "", location[i]);
    snprintf(job->location, sizeof job->location, "%s", ds_strbuf_text(&where));
    ds_strbuf_free(&where);
    if (copy_out(dir, job->file_a, a) == 0 && copy_out(dir, job->file_b, b) == 0)
        run->deep_count++;
    close(dir);
}

void ds_deep_run_all(ds_run_t *run)
{
    for (size_t i = 0; i < run->deep_count; i++) {
        ds_deep_job_t *job = &run->deep[i];
        if (ds_deadline_passed(&run->deadline)) {
            snprintf(job->status, sizeof job->status, "not run: time budget exhausted");
            continue;
        }
        char a[4200], b[4200], report[4200];
        snprintf(a, sizeof a, "%s/deep/%s", run->options->output_dir, job->file_a);
        snprintf(b, sizeof b, "%s/deep/%s", run->options->output_dir, job->file_b);
        snprintf(report, sizeof report, "%s/deep/%s", run->options->output_dir, job->report);
        char *argv[] = {"timeout", DEEP_TIMEOUT, (char *)run->options->deep_tool, "--text", report,
                        "--max-report-size", DEEP_REPORT_MAX, "--no-progress", a, b, NULL};
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        pid_t pid;
        int rc = posix_spawnp(&pid, "timeout", &actions, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            snprintf(job->status, sizeof job->status, "not run: %s", strerror(rc));
            continue;
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        /* diffoscope: 0 same, 1 different, 2 trouble; timeout: 124; not found: 127. */
        snprintf(job->status, sizeof job->status, "%s", code == 1 ? "ok" : code == 0 ? "ok (no difference seen)"
                                                       : code == 124 ? "stopped by its timeout"
                                                       : code == 127 ? "not run: the tool is not installed"
                                                                     : "failed");
        job->ran = code == 0 || code == 1;
    }
}
