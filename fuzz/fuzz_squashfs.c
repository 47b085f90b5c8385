/* A squashfs read in place through our sqfs_file_t: superblock, tables, the walk one directory
 * at a time (alone and as a pair against itself), path lookups, the loaded tree, file contents. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "readers/squashfs.h"

static int count_visit(void *ctx, const ds_entry_t *a, const ds_entry_t *b)
{
    (void)b;
    *(size_t *)ctx += a != NULL;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_source_t *src = fuzz_source(data, size);
    ds_squashfs_t *sq = NULL;
    if (src == NULL || ds_squashfs_open(&sq, src, "squashfs", NULL) != DS_OK) {
        ds_source_close(src);
        return 0;
    }
    ds_fields_t fields = {0};
    ds_squashfs_super_fields(sq, &fields);
    ds_fields_free(&fields);
    ds_squashfs_t *const pair[2] = {sq, sq}; /* one cursor reads a directory in one go: two may share sq */
    ds_squashfs_walk_t w;
    size_t visited = 0;
    ds_squashfs_walk_pair(pair, NULL, count_visit, &visited, &w);
    ds_squashfs_walk_free(&w);
    ds_entry_t found;
    if (ds_squashfs_lookup(sq, "/etc/os-release", &found, NULL) == 1)
        ds_entry_clear(&found);
    if (ds_squashfs_find_in_dir(sq, "/", "", "", &found, NULL) == 1)
        ds_entry_clear(&found);
    ds_tree_t tree;
    ds_squashfs_load_tree(sq, &tree, NULL, NULL);
    ds_squashfs_data_t *d = NULL;
    if (ds_squashfs_data_open(sq, &d, NULL) == DS_OK) {
        unsigned char *buf = malloc(65536);
        size_t files = 0;
        for (size_t i = 0; buf && i < tree.count && files < 16; i++) {
            const ds_entry_t *e = &tree.entries[i];
            if (e->type != DS_ENTRY_FILE)
                continue;
            files++;
            bool same;
            ds_squashfs_stored_equal(sq, e, sq, e, &same, NULL);
            for (uint64_t at = 0; at < e->size && at < (4u << 20); at += 65536) {
                size_t got = 0;
                if (ds_squashfs_data_read(d, e, at, buf, 65536, &got, NULL) != DS_OK || got == 0)
                    break;
            }
        }
        free(buf);
        ds_squashfs_data_close(d);
    }
    ds_tree_free(&tree);
    ds_squashfs_close(sq);
    ds_source_close(src);
    return 0;
}
