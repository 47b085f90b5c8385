#include "json.h"

#include <inttypes.h>
#include <string.h>

#include "../util/strbuf.h"

void ds_json_init(ds_json_t *json, FILE *out)
{
    memset(json, 0, sizeof *json);
    json->out = out;
}

static void json_value_prefix(ds_json_t *json)
{
    if (json->after_key) {
        json->after_key = false;
        return;
    }
    if (json->depth > 0 && json->need_comma[json->depth - 1])
        fputc(',', json->out);
    if (json->depth > 0) {
        json->need_comma[json->depth - 1] = true;
        fputc('\n', json->out);
        for (int i = 0; i < json->depth; i++)
            fputs("  ", json->out);
    }
}

static void json_open(ds_json_t *json, char c)
{
    json_value_prefix(json);
    fputc(c, json->out);
    if (json->depth < DS_JSON_MAX_DEPTH)
        json->need_comma[json->depth] = false;
    json->depth++;
}

static void json_close(ds_json_t *json, char c)
{
    json->depth--;
    if (json->depth < DS_JSON_MAX_DEPTH && json->need_comma[json->depth]) {
        fputc('\n', json->out);
        for (int i = 0; i < json->depth; i++)
            fputs("  ", json->out);
    }
    fputc(c, json->out);
    if (json->depth == 0)
        fputc('\n', json->out);
}

void ds_json_object_begin(ds_json_t *json) { json_open(json, '{'); }
void ds_json_object_end(ds_json_t *json) { json_close(json, '}'); }
void ds_json_array_begin(ds_json_t *json) { json_open(json, '['); }
void ds_json_array_end(ds_json_t *json) { json_close(json, ']'); }

void ds_json_escape(FILE *out, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t len = strlen(text);
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            i++;
        } else if (c == '\n') {
            fputs("\\n", out);
            i++;
        } else if (c == '\t') {
            fputs("\\t", out);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(out, "\\u%04x", c);
            i++;
        } else if (c < 0x80) {
            fputc(c, out);
            i++;
        } else {
            size_t n = ds_utf8_sequence_length(s + i, len - i);
            if (n == 0) {
                fprintf(out, "\\\\x%02x", c);
                i++;
            } else {
                fwrite(s + i, 1, n, out);
                i += n;
            }
        }
    }
}

void ds_json_key(ds_json_t *json, const char *key)
{
    json_value_prefix(json);
    fputc('"', json->out);
    ds_json_escape(json->out, key);
    fputs("\": ", json->out);
    json->after_key = true;
}

void ds_json_string(ds_json_t *json, const char *text)
{
    if (text == NULL) {
        ds_json_null(json);
        return;
    }
    json_value_prefix(json);
    fputc('"', json->out);
    ds_json_escape(json->out, text);
    fputc('"', json->out);
}

void ds_json_int(ds_json_t *json, int64_t value)
{
    json_value_prefix(json);
    fprintf(json->out, "%" PRId64, value);
}

void ds_json_real(ds_json_t *json, double value)
{
    json_value_prefix(json);
    fprintf(json->out, "%.3f", value < 0 ? 0.0 : value);
}

void ds_json_bool(ds_json_t *json, bool value)
{
    json_value_prefix(json);
    fputs(value ? "true" : "false", json->out);
}

void ds_json_null(ds_json_t *json)
{
    json_value_prefix(json);
    fputs("null", json->out);
}
