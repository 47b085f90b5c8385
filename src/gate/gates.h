/* The gates imagegate runs, each over an image's files (files.h), filling a gate_result_t
 * (result.h). Each returns 0 when it judged everything it found (the verdicts are in the
 * result), or a negative DS_ERR_* when it stopped early; in both cases the result holds what
 * was judged so far and every problem met (file and line), so a partial report can be written. */
#ifndef GATE_GATES_H
#define GATE_GATES_H

#include <stddef.h>

#include "../util/clock.h"
#include "../util/error.h"
#include "files.h"
#include "result.h"

#define GATE_MAX_FILES_OPTION 16u

typedef struct gate_kspp_options {
    const char *rules[GATE_MAX_FILES_OPTION]; /* project rules files, in order (after the shipped table) */
    size_t rule_count;
    const char *waivers;                      /* waivers file, or NULL */
    bool no_shipped_rules;                    /* judge only the project's rules */
} gate_kspp_options_t;

typedef struct gate_apparmor_options {
    const char *exceptions; /* exceptions file (path glob -- reason), or NULL */
} gate_apparmor_options_t;

typedef struct gate_telemetry_options {
    const char *rules[GATE_MAX_FILES_OPTION]; /* project rules files (organisations added or extended) */
    size_t rule_count;
    const char *allow[GATE_MAX_FILES_OPTION]; /* allow files (NAME-OR-RANGE -- reason) */
    size_t allow_count;
    bool no_shipped_rules;
    const ds_deadline_t *deadline;            /* polled while reading the capture; may be NULL */
} gate_telemetry_options_t;

/* The shipped rules tables (data/kspp-rules.txt, data/telemetry-rules.txt, compiled in). */
extern const unsigned char gate_telemetry_shipped_rules[];
extern const unsigned long gate_telemetry_shipped_rules_size;
extern const unsigned char gate_kspp_shipped_rules[];
extern const unsigned long gate_kspp_shipped_rules_size;

int gate_run_kspp(gate_files_t *files, const gate_kspp_options_t *options, gate_result_t *result, ds_error_t *err);
int gate_run_apparmor(gate_files_t *files, const gate_apparmor_options_t *options, gate_result_t *result,
                      ds_error_t *err);
/* The telemetry gate reads a capture (pcap or pcapng, through libpcap), not an image. */
int gate_run_telemetry(const char *capture, const gate_telemetry_options_t *options, gate_result_t *result,
                       ds_error_t *err);

#endif
