#include "names.h"

#include <stdlib.h>
#include <string.h>

#include "id_slots.h"

typedef struct answer {
    gate_addr_t addr;
    uint32_t chain;  /* GATE_NAMES_NONE: empty slot */
    uint64_t packet;
} answer_t;

struct gate_names {
    char *text;            /* names, NUL-terminated, back to back */
    size_t text_len, text_cap;
    uint32_t *offsets;     /* id -> offset in text */
    size_t count, offsets_cap;
    gate_id_slots_t ids;   /* name -> id */
    uint32_t *chains;      /* [len, id, id, ...] back to back; a chain id is its offset */
    size_t chains_len, chains_cap;
    answer_t *answers;     /* open addressing over addresses */
    size_t answer_slots, answer_count;
    bool full;
};

static uint64_t hash_bytes(const void *p, size_t n) { return gate_fnv1a(GATE_FNV_START, p, n); }

static uint64_t hash_id(const void *ctx, uint32_t id)
{
    const gate_names_t *n = ctx;
    const char *t = n->text + n->offsets[id];
    return hash_bytes(t, strlen(t));
}

gate_names_t *gate_names_new(void)
{
    gate_names_t *n = calloc(1, sizeof *n);
    if (n == NULL)
        return NULL;
    n->answer_slots = 1024;
    n->answers = malloc(n->answer_slots * sizeof *n->answers);
    if (!gate_id_slots_init(&n->ids, 1024) || n->answers == NULL) {
        gate_names_free(n);
        return NULL;
    }
    for (size_t i = 0; i < n->answer_slots; i++)
        n->answers[i].chain = GATE_NAMES_NONE;
    return n;
}

void gate_names_free(gate_names_t *n)
{
    if (n == NULL)
        return;
    free(n->text);
    free(n->offsets);
    gate_id_slots_free(&n->ids);
    free(n->chains);
    free(n->answers);
    free(n);
}

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    void *g = realloc(*p, c * size);
    if (g == NULL)
        return false;
    *p = g;
    *cap = c;
    return true;
}

uint32_t gate_names_intern(gate_names_t *n, const char *name)
{
    size_t len = strlen(name);
    size_t mask = n->ids.count - 1, i = hash_bytes(name, len) & mask;
    for (; n->ids.slots[i] != GATE_ID_EMPTY; i = (i + 1) & mask)
        if (strcmp(n->text + n->offsets[n->ids.slots[i]], name) == 0)
            return n->ids.slots[i];
    if (n->count * 2 > n->ids.count || n->text_len + len + 1 > GATE_NAMES_MAX_BYTES || !grow((void **)&n->text, &n->text_cap, n->text_len + len + 1, 1) ||
        !grow((void **)&n->offsets, &n->offsets_cap, n->count + 1, sizeof *n->offsets)) {
        n->full = true;
        return GATE_NAMES_NONE;
    }
    memcpy(n->text + n->text_len, name, len + 1);
    n->offsets[n->count] = (uint32_t)n->text_len;
    n->text_len += len + 1;
    uint32_t id = (uint32_t)n->count++;
    n->ids.slots[i] = id;
    if (n->count * 2 > n->ids.count && !gate_id_slots_grow(&n->ids, hash_id, n))
        n->full = true; /* the table still works, only more slowly */
    return id;
}

const char *gate_names_get(const gate_names_t *n, uint32_t id) { return id < n->count ? n->text + n->offsets[id] : "?"; }

uint32_t gate_names_chain_add(gate_names_t *n, const uint32_t *ids, size_t count)
{
    if (n->chains_len + count + 1 > GATE_NAMES_MAX_CHAIN_IDS ||
        !grow((void **)&n->chains, &n->chains_cap, n->chains_len + count + 1, sizeof *n->chains)) {
        n->full = true;
        return GATE_NAMES_NONE;
    }
    uint32_t id = (uint32_t)n->chains_len;
    n->chains[n->chains_len++] = (uint32_t)count;
    memcpy(n->chains + n->chains_len, ids, count * sizeof *ids);
    n->chains_len += count;
    return id;
}

const uint32_t *gate_names_chain_get(const gate_names_t *n, uint32_t chain, size_t *count)
{
    if (chain >= n->chains_len) {
        *count = 0;
        return NULL;
    }
    *count = n->chains[chain];
    return n->chains + chain + 1;
}

static size_t answer_slot(const answer_t *a, size_t slots, const gate_addr_t *addr)
{
    size_t i = hash_bytes(addr, sizeof *addr) & (slots - 1);
    while (a[i].chain != GATE_NAMES_NONE && !gate_addr_equal(&a[i].addr, addr))
        i = (i + 1) & (slots - 1);
    return i;
}

static bool rehash_answers(gate_names_t *n)
{
    size_t slots = n->answer_slots * 2;
    answer_t *a = malloc(slots * sizeof *a);
    if (a == NULL)
        return false;
    for (size_t i = 0; i < slots; i++)
        a[i].chain = GATE_NAMES_NONE;
    for (size_t i = 0; i < n->answer_slots; i++)
        if (n->answers[i].chain != GATE_NAMES_NONE)
            a[answer_slot(a, slots, &n->answers[i].addr)] = n->answers[i];
    free(n->answers);
    n->answers = a;
    n->answer_slots = slots;
    return true;
}

void gate_names_answer(gate_names_t *n, const gate_addr_t *addr, uint32_t chain, uint64_t packet)
{
    if (chain == GATE_NAMES_NONE)
        return;
    size_t i = answer_slot(n->answers, n->answer_slots, addr);
    if (n->answers[i].chain == GATE_NAMES_NONE) {
        if (n->answer_count >= GATE_NAMES_MAX_ADDRESSES || n->answer_count * 2 > n->answer_slots) {
            n->full = true;
            return;
        }
        n->answer_count++;
    }
    n->answers[i].addr = *addr;
    n->answers[i].chain = chain;
    n->answers[i].packet = packet;
    if (n->answer_count * 2 > n->answer_slots && !rehash_answers(n))
        n->full = true;
}

bool gate_names_lookup(const gate_names_t *n, const gate_addr_t *addr, uint32_t *chain, uint64_t *packet)
{
    size_t i = answer_slot(n->answers, n->answer_slots, addr);
    if (n->answers[i].chain == GATE_NAMES_NONE)
        return false;
    *chain = n->answers[i].chain;
    *packet = n->answers[i].packet;
    return true;
}

bool gate_names_full(const gate_names_t *n) { return n->full; }
