/* The telemetry gate's verdict on each flow: the names the capture gave its far end (its own
 * bytes first, then the DNS chain answered for its address before it began), judged against the
 * allow list and the listed organisations, names before addresses; one gate item per flow with
 * its evidence. */
#ifndef GATE_TELEMETRY_JUDGE_H
#define GATE_TELEMETRY_JUDGE_H

#include "flows.h"
#include "result.h"
#include "telemetry_rules.h"

/* Adds one item per flow of tel (in order of first packet) to result. */
void gate_tel_judge(const gate_tel_t *tel, gate_tel_rules_t *rules, gate_result_t *result);
/* The protocol's name ("tcp", "udp", "icmp", "icmpv6", "esp", else "ip-N" in buf). */
const char *gate_tel_protocol_name(uint8_t proto);

#endif
