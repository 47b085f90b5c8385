#include "pathname.h"

bool ds_path_append_component(ds_strbuf_t *path, const char *name, size_t len)
{
    ds_strbuf_puts(path, "/");
    if (len == 0) {
        ds_strbuf_puts(path, "\\x00");
        return true;
    }
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
        for (size_t i = 0; i < len; i++)
            ds_strbuf_puts(path, "\\x2e");
        return true;
    }
    bool changed = false;
    for (size_t i = 0; i < len; i++) {
        if (name[i] == '/' || name[i] == '\0') {
            ds_strbuf_printf(path, "\\x%02x", (unsigned char)name[i]);
            changed = true;
        } else {
            ds_strbuf_append(path, name + i, 1);
        }
    }
    return changed;
}
