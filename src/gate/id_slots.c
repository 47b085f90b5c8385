#include "id_slots.h"

#include <stdlib.h>
#include <string.h>

bool gate_id_slots_init(gate_id_slots_t *t, size_t count)
{
    t->slots = malloc(count * sizeof *t->slots);
    t->count = t->slots ? count : 0;
    if (t->slots != NULL)
        memset(t->slots, 0xff, count * sizeof *t->slots);
    return t->slots != NULL;
}

void gate_id_slots_free(gate_id_slots_t *t)
{
    free(t->slots);
    t->slots = NULL;
    t->count = 0;
}

bool gate_id_slots_grow(gate_id_slots_t *t, gate_id_hash_fn hash, const void *ctx)
{
    gate_id_slots_t bigger;
    if (!gate_id_slots_init(&bigger, t->count * 2))
        return false;
    for (size_t i = 0; i < t->count; i++) {
        if (t->slots[i] == GATE_ID_EMPTY)
            continue;
        size_t j = hash(ctx, t->slots[i]) & (bigger.count - 1);
        while (bigger.slots[j] != GATE_ID_EMPTY)
            j = (j + 1) & (bigger.count - 1);
        bigger.slots[j] = t->slots[i];
    }
    free(t->slots);
    *t = bigger;
    return true;
}

uint64_t gate_fnv1a(uint64_t h, const void *bytes, size_t n)
{
    const uint8_t *b = bytes;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}
