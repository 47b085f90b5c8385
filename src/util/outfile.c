#define _GNU_SOURCE
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ds_outdir_open(const char *path, int *dir_fd, ds_error_t *err)
{
    *dir_fd = -1;
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return ds_error_set(err, DS_ERR_IO, "output directory %s: cannot create: %s", path,
                            strerror(errno));
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return ds_error_set(err, DS_ERR_IO, "output directory %s: cannot open: %s", path,
                            strerror(errno));
    *dir_fd = fd;
    return DS_OK;
}

/* Creates the temporary file for artifact name (checked by the caller) in out->dir_fd. */
static int outfile_create(ds_outfile_t *out, const char *name, ds_error_t *err)
{
    snprintf(out->name, sizeof out->name, "%s", name);
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(out->temp_name, sizeof out->temp_name, ".%.200s.%ld.%d.tmp", name,
                 (long)getpid(), attempt);
        fd = openat(out->dir_fd, out->temp_name,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0)
        return ds_error_set(err, DS_ERR_IO, "artifact %s: cannot create: %s", name,
                            strerror(errno));
    out->stream = fdopen(fd, "w");
    if (out->stream == NULL) {
        close(fd);
        unlinkat(out->dir_fd, out->temp_name, 0);
        return ds_error_set(err, DS_ERR_IO, "artifact %s: cannot open stream", name);
    }
    return DS_OK;
}

int ds_outfile_begin(ds_outfile_t *out, int dir_fd, const char *name, ds_error_t *err)
{
    memset(out, 0, sizeof *out);
    out->dir_fd = dir_fd;
    if (strchr(name, '/') != NULL || name[0] == '\0' || name[0] == '.' || strlen(name) >= 128)
        return ds_error_set(err, DS_ERR_USAGE, "artifact name %s is not a plain file name", name);
    return outfile_create(out, name, err);
}

int ds_outfile_begin_path(ds_outfile_t *out, const char *path, ds_error_t *err)
{
    memset(out, 0, sizeof *out);
    out->dir_fd = -1;
    const char *slash = strrchr(path, '/');
    const char *name = slash != NULL ? slash + 1 : path;
    if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
        strlen(name) >= sizeof out->name)
        return ds_error_set(err, DS_ERR_USAGE, "%s does not end in a file name", path);
    char *dir = slash == NULL ? strdup(".") : slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return ds_error_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
    out->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int saved = errno;
    free(dir);
    if (out->dir_fd < 0)
        return ds_error_set(err, DS_ERR_IO, "%s: cannot open its directory: %s", path,
                            strerror(saved));
    out->owns_dir = true;
    int rc = outfile_create(out, name, err);
    if (rc != DS_OK) {
        close(out->dir_fd);
        out->dir_fd = -1;
        out->owns_dir = false;
    }
    return rc;
}

/* Closes the directory descriptor ds_outfile_begin_path opened. */
static void outfile_release(ds_outfile_t *out)
{
    if (out->owns_dir && out->dir_fd >= 0)
        close(out->dir_fd);
    out->owns_dir = false;
    out->dir_fd = -1;
}

/* Closes the stream and renames the temporary file into place (or removes it). */
static int outfile_finish(ds_outfile_t *out, ds_error_t *err)
{
    int failed = ferror(out->stream);
    if (fclose(out->stream) != 0)
        failed = 1;
    out->stream = NULL;
    if (failed) {
        unlinkat(out->dir_fd, out->temp_name, 0);
        return ds_error_set(err, DS_ERR_IO, "artifact %s: write failed", out->name);
    }
    if (renameat(out->dir_fd, out->temp_name, out->dir_fd, out->name) != 0) {
        int saved = errno;
        unlinkat(out->dir_fd, out->temp_name, 0);
        return ds_error_set(err, DS_ERR_IO, "artifact %s: cannot rename into place: %s",
                            out->name, strerror(saved));
    }
    return DS_OK;
}

int ds_outfile_commit(ds_outfile_t *out, ds_error_t *err)
{
    if (out->stream == NULL)
        return DS_OK;
    int rc = outfile_finish(out, err);
    if (out->owns_dir)
        outfile_release(out);
    return rc;
}

void ds_outfile_abort(ds_outfile_t *out)
{
    if (out->stream == NULL)
        return;
    fclose(out->stream);
    out->stream = NULL;
    unlinkat(out->dir_fd, out->temp_name, 0);
    if (out->owns_dir)
        outfile_release(out);
}

int ds_outfile_write_text(int dir_fd, const char *name, const char *text, ds_error_t *err)
{
    ds_outfile_t out;
    int rc = ds_outfile_begin(&out, dir_fd, name, err);
    if (rc != DS_OK)
        return rc;
    fputs(text, out.stream);
    return ds_outfile_commit(&out, err);
}
