#include "stream.h"

#include <stdlib.h>
#include <string.h>

static bool reserve(gate_stream_t *s, size_t need)
{
    if (need <= s->capacity)
        return true;
    size_t cap = s->capacity ? s->capacity : 2048;
    while (cap < need)
        cap *= 2;
    if (cap > GATE_STREAM_MAX)
        cap = GATE_STREAM_MAX;
    uint8_t *d = realloc(s->data, cap);
    if (d == NULL)
        return false;
    s->data = d;
    uint8_t *h = realloc(s->have, cap / 8);
    if (h == NULL)
        return false;
    memset(h + s->capacity / 8, 0, (cap - s->capacity) / 8);
    s->have = h;
    s->capacity = cap;
    return true;
}

bool gate_stream_add(gate_stream_t *s, uint64_t offset, const uint8_t *data, size_t len)
{
    if (offset >= GATE_STREAM_MAX || len == 0)
        return true;
    size_t start = (size_t)offset;
    size_t end = start + (len < GATE_STREAM_MAX - start ? len : GATE_STREAM_MAX - start);
    if (!reserve(s, end))
        return false;
    memcpy(s->data + start, data, end - start);
    for (size_t i = start; i < end; i++)
        s->have[i / 8] |= (uint8_t)(1u << (i % 8));
    while (s->prefix < s->capacity && (s->have[s->prefix / 8] & (1u << (s->prefix % 8))))
        s->prefix++;
    return true;
}

void gate_stream_free(gate_stream_t *s)
{
    free(s->data);
    free(s->have);
    memset(s, 0, sizeof *s);
}
