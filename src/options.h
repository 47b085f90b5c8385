/* The command line: the option table, parsing and usage. */
#ifndef DS_OPTIONS_H
#define DS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DS_VERSION "0.1.0"
#define DS_DEFAULT_STAGE_TIMEOUT 600.0
#define DS_DEFAULT_MAX_DIFFERENCES 100000u

typedef struct ds_options {
    const char *input[2];     /* A and B */
    const char *output_dir;
    double stage_timeout;     /* seconds per stage; 0 means none */
    size_t max_differences;   /* differences kept; 0 means no limit */
    unsigned jobs;            /* threads comparing file contents; 0 means one per core */
    unsigned max_depth;       /* nested layers the classifiers open (0: none) */
    const char *deep_tool;    /* "diffoscope", or NULL */
    unsigned long long max_memory; /* bytes; memory budgets derive from it */
    const char *accept_file;  /* --accept FILE, or NULL */
    bool quiet;
} ds_options_t;

enum { DS_OPTIONS_RUN, DS_OPTIONS_EXIT_OK, DS_OPTIONS_EXIT_USAGE };

#define DS_DEFAULT_MAX_DEPTH 8

/* Parses argv into opts. Returns DS_OPTIONS_RUN, or DS_OPTIONS_EXIT_OK after printing --help
 * or --version to out, or DS_OPTIONS_EXIT_USAGE after printing a message to err. */
int ds_options_parse(int argc, char **argv, ds_options_t *opts, FILE *out, FILE *err);

void ds_options_usage(FILE *out);

#endif
