/* A small streaming JSON writer: commas and nesting tracked, strings escaped. Bytes that are not
 * valid UTF-8 (names from hostile images) are written as the six characters \\xNN so that the
 * document stays valid and the byte stays visible. */
#ifndef DS_JSON_H
#define DS_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* diffoscope_json.c nests two levels (a node and its "details") per location element, so
 * DS_LOCATION_MAX (16) elements, a node per kind and its comments need 36. */
#define DS_JSON_MAX_DEPTH 48

typedef struct ds_json {
    FILE *out;
    int depth;
    bool need_comma[DS_JSON_MAX_DEPTH];
    bool after_key;
} ds_json_t;

void ds_json_init(ds_json_t *json, FILE *out);
void ds_json_object_begin(ds_json_t *json);
void ds_json_object_end(ds_json_t *json);
void ds_json_array_begin(ds_json_t *json);
void ds_json_array_end(ds_json_t *json);
void ds_json_key(ds_json_t *json, const char *key);
void ds_json_string(ds_json_t *json, const char *text); /* NULL writes null */
void ds_json_int(ds_json_t *json, int64_t value);
void ds_json_real(ds_json_t *json, double value);
void ds_json_bool(ds_json_t *json, bool value);
void ds_json_null(ds_json_t *json);

/* Writes text escaped as the inside of a JSON string (no quotes). */
void ds_json_escape(FILE *out, const char *text);

#endif
