#include "reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/strbuf.h"

bool ds_entry_set_digest(ds_entry_t *entry, const unsigned char digest[32])
{
    if (entry->digest == NULL && (entry->digest = malloc(32)) == NULL)
        return false;
    memcpy(entry->digest, digest, 32);
    return true;
}

void ds_entry_clear(ds_entry_t *entry)
{
    free(entry->path);
    free(entry->link_target);
    free(entry->extents);
    free(entry->xattrs);
    free(entry->host_path);
    free(entry->mtime_text);
    free(entry->digest);
    memset(entry, 0, sizeof *entry);
}

ds_entry_type_t ds_entry_type_from_mode(uint32_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFDIR: return DS_ENTRY_DIR;
    case S_IFREG: return DS_ENTRY_FILE;
    case S_IFLNK: return DS_ENTRY_SYMLINK;
    case S_IFCHR: return DS_ENTRY_CHAR;
    case S_IFBLK: return DS_ENTRY_BLOCK;
    case S_IFIFO: return DS_ENTRY_FIFO;
    case S_IFSOCK: return DS_ENTRY_SOCKET;
    default: return DS_ENTRY_OTHER;
    }
}

const char *ds_entry_type_name(ds_entry_type_t type)
{
    switch (type) {
    case DS_ENTRY_FILE: return "file";
    case DS_ENTRY_DIR: return "dir";
    case DS_ENTRY_SYMLINK: return "symlink";
    case DS_ENTRY_CHAR: return "char";
    case DS_ENTRY_BLOCK: return "block";
    case DS_ENTRY_FIFO: return "fifo";
    case DS_ENTRY_SOCKET: return "socket";
    default: return "other";
    }
}

void ds_problems_add(ds_problems_t *problems, const char *fmt, ...)
{
    if (problems->count >= DS_PROBLEMS_MAX) {
        problems->dropped++;
        return;
    }
    if (problems->count == problems->capacity) {
        size_t capacity = problems->capacity ? problems->capacity * 2 : 8;
        char **messages = realloc(problems->messages, capacity * sizeof *messages);
        if (messages == NULL) {
            problems->dropped++;
            return;
        }
        problems->messages = messages;
        problems->capacity = capacity;
    }
    ds_strbuf_t sb = {0};
    va_list ap;
    va_start(ap, fmt);
    ds_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    problems->messages[problems->count++] = ds_strbuf_take(&sb);
}

void ds_problems_free(ds_problems_t *problems)
{
    for (size_t i = 0; i < problems->count; i++)
        free(problems->messages[i]);
    free(problems->messages);
    memset(problems, 0, sizeof *problems);
}
