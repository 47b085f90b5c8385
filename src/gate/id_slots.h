/* An open-addressing table of 32-bit ids, for the telemetry gate's flows and names: the caller
 * keeps the items and says how to hash one; the table keeps only their ids and is grown by the
 * caller before it passes half full (so a probe always ends at an empty slot). */
#ifndef GATE_ID_SLOTS_H
#define GATE_ID_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GATE_ID_EMPTY UINT32_MAX

typedef struct gate_id_slots {
    uint32_t *slots; /* GATE_ID_EMPTY where free */
    size_t count;    /* a power of two */
} gate_id_slots_t;

typedef uint64_t (*gate_id_hash_fn)(const void *ctx, uint32_t id);

/* count slots (a power of two), all empty; false when out of memory. */
bool gate_id_slots_init(gate_id_slots_t *table, size_t count);
void gate_id_slots_free(gate_id_slots_t *table);
/* Doubles the table and places every id again by hash; false (the table unchanged) when out
 * of memory. */
bool gate_id_slots_grow(gate_id_slots_t *table, gate_id_hash_fn hash, const void *ctx);
/* FNV-1a over n bytes, continuing from h (start with GATE_FNV_START). */
#define GATE_FNV_START 1469598103934665603ull
uint64_t gate_fnv1a(uint64_t h, const void *bytes, size_t n);

#endif
