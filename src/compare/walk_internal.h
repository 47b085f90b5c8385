/* Shared by compare/walk*.c. */
#ifndef DS_WALK_INTERNAL_H
#define DS_WALK_INTERNAL_H

#include "../decode/fields.h"
#include "../formats/format.h"
#include "../util/strbuf.h"
#include "walk.h"

/* Where the walk is: the location of the current pair, relative to the walk's root. */
typedef struct walk_frame {
    const char *location[DS_LOCATION_MAX];
    size_t depth;
} walk_frame_t;

typedef struct byte_span {
    uint64_t offset, length;
} byte_span_t;

typedef struct spans {
    byte_span_t *items;
    size_t count, capacity;
} spans_t;

int walk_pair_at(ds_walk_t *w, const walk_frame_t *frame, ds_source_t *a, ds_source_t *b,
                 const char *name, unsigned depth_left, ds_walk_result_t *out);

/* Emits one finding at frame + element (element may be NULL: at the frame itself). */
void walk_emit(ds_walk_t *w, const walk_frame_t *frame, const char *element, ds_kind_t kind,
               const char *a, const char *b, const char *detail, const char *format, bool secondary);

/* Compares two containers' entries (both opened with the same format); returns the number of
 * differences reported inside. */
size_t walk_container(ds_walk_t *w, const walk_frame_t *frame, const ds_format_t *format,
                      void *state_a, void *state_b, unsigned depth_left, ds_walk_result_t *out);

/* The fields of both sides that differ, emitted at frame + each field's location; their spans
 * collected into spans, the first labels into labels. Derived fields are secondary when
 * derived_secondary. Returns how many differ. */
size_t walk_compare_fields(ds_walk_t *w, const walk_frame_t *frame, const char *format, const ds_fields_t *fa,
                           const ds_fields_t *fb, bool derived_secondary, spans_t *spans, ds_strbuf_t *labels);
/* True when a field with that derived flag differs between the sides (or one side lacks it). */
bool walk_fields_differ(const ds_fields_t *fa, const ds_fields_t *fb, bool derived);

/* snprintf that may cut (details are bounded on purpose). */
void walk_printf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void spans_add(spans_t *spans, uint64_t offset, uint64_t length);
/* *covered when a and b have equal sizes and every differing byte lies in one of the spans. */
int spans_cover_differences(const spans_t *spans, ds_source_t *a, ds_source_t *b,
                            const ds_deadline_t *deadline, bool *covered);

#endif
