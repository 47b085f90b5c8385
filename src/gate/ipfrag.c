#include "ipfrag.h"

#include <stdlib.h>
#include <string.h>

#define UNITS ((GATE_IPFRAG_MAX_BYTES + 7) / 8) /* 8-byte fragment units */

typedef struct pending {
    bool used;
    gate_addr_t src, dst;
    uint8_t proto;
    uint32_t id;
    double first;
    size_t total;      /* known once the last fragment arrived; 0 before */
    uint8_t *data;     /* GATE_IPFRAG_MAX_BYTES */
    uint8_t have[(UNITS + 7) / 8];
} pending_t;

struct gate_ipfrag {
    pending_t slots[GATE_IPFRAG_MAX_PENDING];
    uint64_t dropped;
};

gate_ipfrag_t *gate_ipfrag_new(void) { return calloc(1, sizeof(gate_ipfrag_t)); }

void gate_ipfrag_free(gate_ipfrag_t *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < GATE_IPFRAG_MAX_PENDING; i++)
        free(f->slots[i].data);
    free(f);
}

static void release(pending_t *p)
{
    p->used = false; /* the buffer is kept for the next datagram */
    p->total = 0;
    memset(p->have, 0, sizeof p->have);
}

/* The slot for this datagram: its own, else a free one, else the oldest (dropped). */
static pending_t *find_slot(gate_ipfrag_t *f, const gate_packet_t *pk, double time)
{
    pending_t *free_slot = NULL, *oldest = NULL;
    for (size_t i = 0; i < GATE_IPFRAG_MAX_PENDING; i++) {
        pending_t *p = &f->slots[i];
        if (p->used && time - p->first > GATE_IPFRAG_MAX_AGE) {
            release(p);
            f->dropped++;
        }
        if (!p->used) {
            if (free_slot == NULL)
                free_slot = p;
            continue;
        }
        if (p->id == pk->frag_id && p->proto == pk->proto && gate_addr_equal(&p->src, &pk->src) &&
            gate_addr_equal(&p->dst, &pk->dst))
            return p;
        if (oldest == NULL || p->first < oldest->first)
            oldest = p;
    }
    pending_t *p = free_slot;
    if (p == NULL) {
        p = oldest;
        release(p);
        f->dropped++;
    }
    if (p->data == NULL && (p->data = malloc(GATE_IPFRAG_MAX_BYTES)) == NULL)
        return NULL;
    p->used = true;
    p->src = pk->src;
    p->dst = pk->dst;
    p->proto = pk->proto;
    p->id = pk->frag_id;
    p->first = time;
    return p;
}

static bool complete(const pending_t *p)
{
    if (p->total == 0)
        return false;
    for (size_t u = 0; u < (p->total + 7) / 8; u++)
        if (!(p->have[u / 8] & (1u << (u % 8))))
            return false;
    return true;
}

bool gate_ipfrag_add(gate_ipfrag_t *f, const gate_packet_t *pk, double time, const uint8_t **data, size_t *len,
                     const char **why)
{
    *why = NULL;
    if (pk->frag_offset + pk->frag_len > GATE_IPFRAG_MAX_BYTES) {
        *why = "fragment ends past 65 535 bytes";
        return false;
    }
    if (pk->frag_more && pk->frag_len % 8 != 0) {
        *why = "a fragment other than the last is not a multiple of 8 bytes";
        return false;
    }
    pending_t *p = find_slot(f, pk, time);
    if (p == NULL) {
        *why = "out of memory for fragment reassembly";
        return false;
    }
    memcpy(p->data + pk->frag_offset, pk->frag_data, pk->frag_len);
    size_t end = pk->frag_offset + pk->frag_len;
    for (size_t u = pk->frag_offset / 8; u < (end + 7) / 8; u++)
        p->have[u / 8] |= (uint8_t)(1u << (u % 8));
    if (!pk->frag_more)
        p->total = end;
    if (!complete(p))
        return false;
    *data = p->data;
    *len = p->total;
    release(p);
    return true;
}

uint64_t gate_ipfrag_dropped(const gate_ipfrag_t *f) { return f->dropped; }

void gate_ipfrag_finish(gate_ipfrag_t *f)
{
    for (size_t i = 0; i < GATE_IPFRAG_MAX_PENDING; i++)
        if (f->slots[i].used) {
            release(&f->slots[i]);
            f->dropped++;
        }
}
