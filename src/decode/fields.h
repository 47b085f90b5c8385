/* Decoded fields of fixed on-disk structures. A decoder turns a structure into a list of named
 * fields (where they lie, the raw bytes, a readable value); the header stage compares two lists
 * by key, so each decoder knows nothing about comparing and the comparison nothing about
 * formats. */
#ifndef DS_FIELDS_H
#define DS_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DS_FIELD_RAW_MAX 512 /* the longest field kept byte for byte (PVD application use) */

typedef struct ds_field {
    char key[96];      /* unique within one decode, e.g. "pvd.creation_date", "gpt.entry2.name" */
    char location[64]; /* report.json location element, e.g. "@iso.pvd.creation_date" */
    char label[64];    /* for people: "creation date" */
    uint64_t offset;   /* absolute byte offset in the input */
    uint32_t length;   /* bytes on disk */
    unsigned char raw[DS_FIELD_RAW_MAX]; /* the first min(length, DS_FIELD_RAW_MAX) bytes */
    char *value;       /* decoded for people; owned */
    bool numeric;      /* number holds the value too (JSON writes a number) */
    int64_t number;
    bool derived;      /* follows from the data the structure describes (gzip XFL from the
                        * compression level): a consequence when those data differ */
} ds_field_t;

typedef struct ds_fields {
    ds_field_t *items;
    size_t count;
    size_t capacity;
    bool failed; /* an allocation failed: the list is incomplete */
} ds_fields_t;

/* Appends a field whose value is printf-formatted. raw (length bytes) is copied. Returns the
 * new field, or NULL when out of memory (fields->failed is then set). */
ds_field_t *ds_fields_add(ds_fields_t *fields, const char *key, const char *location,
                          const char *label, uint64_t offset, const unsigned char *raw,
                          uint32_t length, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* Same, for an integer value: numeric is set and the value printed in decimal. */
ds_field_t *ds_fields_add_number(ds_fields_t *fields, const char *key, const char *location,
                                 const char *label, uint64_t offset, const unsigned char *raw,
                                 uint32_t length, int64_t number);

const ds_field_t *ds_fields_find(const ds_fields_t *fields, const char *key);

/* True when the two fields' raw bytes differ (lengths compared too). */
bool ds_field_bytes_differ(const ds_field_t *a, const ds_field_t *b);

void ds_fields_free(ds_fields_t *fields);

/* Little- and big-endian readers over a byte buffer (no alignment needed). */
uint16_t ds_le16(const unsigned char *p);
uint32_t ds_le32(const unsigned char *p);
uint64_t ds_le64(const unsigned char *p);
uint16_t ds_be16(const unsigned char *p);
uint32_t ds_be32(const unsigned char *p);

/* Formats a 16-byte GUID in mixed-endian form (as GPT stores it) into buf (37 bytes). */
void ds_format_guid(const unsigned char *p, char *buf);

/* Copies a fixed-width, space-padded text field into buf (escaped, trailing spaces dropped). */
void ds_format_padded_text(const unsigned char *p, size_t len, char *buf, size_t size);

/* Formats up to max bytes as hex pairs separated by spaces, "..." if cut. */
void ds_format_hex(const unsigned char *p, size_t len, size_t max, char *buf, size_t size);

#endif
