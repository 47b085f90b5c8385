/* The names the telemetry gate learns from a capture, interned once each, and what DNS said
 * about addresses: for each address the newest answer's chain of names (question, CNAMEs,
 * owner) and the packet it came in. Bounded: past GATE_NAMES_MAX_BYTES of names, GATE_NAMES_MAX_CHAIN_IDS
 * chain slots or GATE_NAMES_MAX_ADDRESSES addresses, new names are refused and full is set
 * (the gate reports it: later flows may go unnamed). */
#ifndef GATE_NAMES_H
#define GATE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define GATE_NAMES_MAX_BYTES (8u << 20)
#define GATE_NAMES_MAX_CHAIN_IDS (1u << 20)
#define GATE_NAMES_MAX_ADDRESSES 65536u
#define GATE_NAMES_NONE UINT32_MAX

typedef struct gate_names gate_names_t;

gate_names_t *gate_names_new(void);
void gate_names_free(gate_names_t *names);
/* The id of name (added when new), or GATE_NAMES_NONE when full or out of memory. */
uint32_t gate_names_intern(gate_names_t *names, const char *name);
/* The name of an id (borrowed; valid while names lives). */
const char *gate_names_get(const gate_names_t *names, uint32_t id);
/* Stores a chain of n name ids; returns its id, or GATE_NAMES_NONE when full. */
uint32_t gate_names_chain_add(gate_names_t *names, const uint32_t *ids, size_t n);
/* The ids of a chain (borrowed) and their number. */
const uint32_t *gate_names_chain_get(const gate_names_t *names, uint32_t chain, size_t *n);
/* Records that DNS answered chain for addr in packet number packet (the newest answer wins). */
void gate_names_answer(gate_names_t *names, const gate_addr_t *addr, uint32_t chain, uint64_t packet);
/* The newest chain DNS answered for addr, and its packet; false when none. */
bool gate_names_lookup(const gate_names_t *names, const gate_addr_t *addr, uint32_t *chain, uint64_t *packet);
/* Whether a limit refused something. */
bool gate_names_full(const gate_names_t *names);

#endif
