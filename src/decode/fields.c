#include "fields.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"

static ds_field_t *fields_push(ds_fields_t *fields, const char *key, const char *location,
                               const char *label, uint64_t offset, const unsigned char *raw,
                               uint32_t length)
{
    if (fields->failed)
        return NULL;
    if (fields->count == fields->capacity) {
        size_t capacity = fields->capacity ? fields->capacity * 2 : 32;
        ds_field_t *items = realloc(fields->items, capacity * sizeof *items);
        if (items == NULL) {
            fields->failed = true;
            return NULL;
        }
        fields->items = items;
        fields->capacity = capacity;
    }
    ds_field_t *field = &fields->items[fields->count++];
    memset(field, 0, sizeof *field);
    snprintf(field->key, sizeof field->key, "%s", key);
    snprintf(field->location, sizeof field->location, "%s", location);
    snprintf(field->label, sizeof field->label, "%s", label);
    field->offset = offset;
    field->length = length;
    if (raw != NULL)
        memcpy(field->raw, raw, length < DS_FIELD_RAW_MAX ? length : DS_FIELD_RAW_MAX);
    return field;
}

ds_field_t *ds_fields_add(ds_fields_t *fields, const char *key, const char *location,
                          const char *label, uint64_t offset, const unsigned char *raw,
                          uint32_t length, const char *fmt, ...)
{
    ds_field_t *field = fields_push(fields, key, location, label, offset, raw, length);
    if (field == NULL)
        return NULL;
    ds_strbuf_t sb = {0};
    va_list ap;
    va_start(ap, fmt);
    ds_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    field->value = ds_strbuf_take(&sb);
    if (field->value == NULL) {
        fields->count--;
        fields->failed = true;
        return NULL;
    }
    return field;
}

ds_field_t *ds_fields_add_number(ds_fields_t *fields, const char *key, const char *location,
                                 const char *label, uint64_t offset, const unsigned char *raw,
                                 uint32_t length, int64_t number)
{
    ds_field_t *field = ds_fields_add(fields, key, location, label, offset, raw, length, "%lld",
                                      (long long)number);
    if (field != NULL) {
        field->numeric = true;
        field->number = number;
    }
    return field;
}

const ds_field_t *ds_fields_find(const ds_fields_t *fields, const char *key)
{
    for (size_t i = 0; i < fields->count; i++)
        if (strcmp(fields->items[i].key, key) == 0)
            return &fields->items[i];
    return NULL;
}

bool ds_field_bytes_differ(const ds_field_t *a, const ds_field_t *b)
{
    if (a->length != b->length)
        return true;
    size_t n = a->length < DS_FIELD_RAW_MAX ? a->length : DS_FIELD_RAW_MAX;
    if (memcmp(a->raw, b->raw, n) != 0)
        return true;
    /* Past DS_FIELD_RAW_MAX only the decoded value is left to tell. */
    return a->length > DS_FIELD_RAW_MAX && strcmp(a->value, b->value) != 0;
}

void ds_fields_free(ds_fields_t *fields)
{
    for (size_t i = 0; i < fields->count; i++)
        free(fields->items[i].value);
    free(fields->items);
    memset(fields, 0, sizeof *fields);
}

uint16_t ds_le16(const unsigned char *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
uint32_t ds_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
uint64_t ds_le64(const unsigned char *p) { return ds_le32(p) | ((uint64_t)ds_le32(p + 4) << 32); }
uint16_t ds_be16(const unsigned char *p) { return (uint16_t)((p[0] << 8) | p[1]); }
uint32_t ds_be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

void ds_format_guid(const unsigned char *p, char *buf)
{
    snprintf(buf, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", ds_le32(p),
             ds_le16(p + 4), ds_le16(p + 6), p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
}

void ds_format_padded_text(const unsigned char *p, size_t len, char *buf, size_t size)
{
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\0'))
        len--;
    ds_strbuf_t sb = {0};
    ds_strbuf_escape_line(&sb, (const char *)p, len);
    snprintf(buf, size, "%s", ds_strbuf_text(&sb));
    ds_strbuf_free(&sb);
}

void ds_format_hex(const unsigned char *p, size_t len, size_t max, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < len && i < max && used + 4 < size; i++)
        used += (size_t)snprintf(buf + used, size - used, i ? " %02x" : "%02x", p[i]);
    if (len > max && used + 4 < size)
        snprintf(buf + used, size - used, " ...");
}
