#include "text_diff.h"

#include "../util/error.h"
#include "line_diff.h"

bool ds_text_is_text(const unsigned char *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (p[i] == 0)
            return false;
        size_t n = ds_utf8_sequence_length(p + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

typedef struct text_sink {
    ds_strbuf_t *out;
    size_t lines;
    bool cut;
} text_sink_t;

static void emit_line(void *opaque, char op, const char *text, size_t len)
{
    text_sink_t *sink = opaque;
    if (sink->lines >= DS_TEXT_DIFF_LINES) {
        sink->cut = true;
        return;
    }
    sink->lines++;
    if (op != '@')
        ds_strbuf_append(sink->out, &op, 1);
    ds_strbuf_escape_line(sink->out, text, len);
    ds_strbuf_puts(sink->out, "\n");
}

int ds_text_diff(ds_strbuf_t *out, const char *a, size_t a_len, const char *b, size_t b_len,
                 bool *cut, size_t *edits)
{
    ds_strbuf_t diff = {0};
    text_sink_t sink = {.out = &diff};
    int rc = ds_line_diff(a, a_len, b, b_len, 3, DS_TEXT_MAX_EDITS, emit_line, &sink, edits);
    if (rc == DS_OK)
        ds_strbuf_append(out, ds_strbuf_text(&diff), diff.len);
    ds_strbuf_free(&diff);
    *cut = sink.cut;
    return rc;
}
