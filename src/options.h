/* The command line: the option table, parsing and usage. */
#ifndef DS_OPTIONS_H
#define DS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "stages/run.h" /* ds_options_t */

enum { DS_OPTIONS_RUN, DS_OPTIONS_EXIT_OK, DS_OPTIONS_EXIT_USAGE };


/* Parses argv into opts. Returns DS_OPTIONS_RUN, or DS_OPTIONS_EXIT_OK after printing --help
 * or --version to out, or DS_OPTIONS_EXIT_USAGE after printing a message to err. */
int ds_options_parse(int argc, char **argv, ds_options_t *opts, FILE *out, FILE *err);

void ds_options_usage(FILE *out);

#endif
