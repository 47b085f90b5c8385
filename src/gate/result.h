/* What a gate decided, in one shape for every gate (imagegate's reporters read only this):
 * one item per rule and kernel, or per binary, with its verdict, what was found and where,
 * the rule's source and reason, and the note a waiver or an exception gives; plus the trouble
 * met on the way (a file that could not be read or parsed, with file and line). */
#ifndef GATE_RESULT_H
#define GATE_RESULT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum gate_verdict {
    GATE_VERDICT_OK,         /* kspp: the rule holds */
    GATE_VERDICT_FAIL,       /* kspp: it does not */
    GATE_VERDICT_WAIVED,     /* kspp: it does not, and the project waived it with a reason */
    GATE_VERDICT_NA,         /* kspp: the rule does not apply (its WHEN is false, nothing to judge) */
    GATE_VERDICT_ENFORCED,   /* apparmor: a profile in enforce mode attaches */
    GATE_VERDICT_COMPLAIN,   /* apparmor: a profile attaches, in complain mode (not confined) */
    GATE_VERDICT_UNCONFINED, /* apparmor: no profile attaches, or one with flags=(unconfined) */
    GATE_VERDICT_DOCUMENTED, /* apparmor: not enforced, but the exceptions file names it */
    GATE_VERDICT_LISTED,     /* telemetry: the flow's far end belongs to a listed organisation */
    GATE_VERDICT_ALLOWED,    /* telemetry: the project allows the far end (with a reason) */
    GATE_VERDICT_UNLISTED,   /* telemetry: the far end matches no listed organisation */
} gate_verdict_t;

#define GATE_VERDICT_COUNT 11

/* telemetry: one flow as the capture showed it (present false for other gates). */
typedef struct gate_flow_info {
    bool present;
    char time[40];             /* the first packet, UTC, microseconds */
    const char *protocol;      /* "tcp", "udp", "icmp", ... (static) */
    char client[48], server[48];
    unsigned client_port, server_port;
    unsigned long long packets, bytes, first_packet;
    const char *evidence_kind; /* "tls-sni", "quic-sni", "http-host", "dns", "dns-query", "range", "none" (static) */
    char organisation[96];     /* the listed organisation, or "" */
} gate_flow_info_t;

typedef struct gate_item {
    char *subject;  /* the rule's id, or the binary's path */
    char *context;  /* the kernel config a kconfig rule was judged on; NULL otherwise */
    gate_verdict_t verdict;
    char *check;    /* the rule's check, or why the binary counts as networked */
    char *found;    /* the value found and where, or the profile that attaches and where */
    char *source;   /* where the rule comes from; NULL for binaries */
    char *reason;   /* the rule's reason; NULL for binaries */
    char *note;     /* the waiver's or exception's reason, or why n/a; NULL when none */
    char *would_be; /* waived/documented: the verdict it would have had ("FAIL"); NULL otherwise */
    gate_flow_info_t flow; /* telemetry only */
} gate_item_t;

typedef struct gate_result {
    const char *gate;     /* "kspp", "apparmor", "telemetry" (static) */
    char *input;          /* the input as named on the command line */
    gate_item_t *items;
    size_t count, capacity;
    char **problems;      /* trouble, one line each ("file:line: message") */
    size_t problem_count, problem_capacity;
    char **facts;         /* what was examined ("kernel config /boot/config-6.1.0-27-amd64") */
    size_t fact_count, fact_capacity;
    bool out_of_memory;   /* an append failed: the result is incomplete (trouble) */
} gate_result_t;

/* Appends an item; every string is copied (NULL stays NULL). False when out of memory. */
bool gate_result_add(gate_result_t *result, const gate_item_t *item);
/* Appends a line of trouble or of what was examined (printf-style). */
void gate_result_problem(gate_result_t *result, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gate_result_fact(gate_result_t *result, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gate_result_free(gate_result_t *result);

const char *gate_verdict_name(gate_verdict_t verdict);
/* Whether an item of this verdict makes the gate fail (FAIL, COMPLAIN, UNCONFINED, LISTED). */
bool gate_verdict_fails(gate_verdict_t verdict);
/* 0 pass, 1 a failing item, 2 trouble (trouble wins, as in cmp and diff). */
int gate_result_exit_status(const gate_result_t *result);

#endif
