/* The stages in order, each under its own time budget, each writing its artifacts also when it
 * stops early; a stage's failure is recorded, never fatal to the run. The run's model and the
 * stages themselves are in stages/run.h. */
#ifndef DS_PIPELINE_H
#define DS_PIPELINE_H

#include "stages/run.h"

/* Runs every stage. Returns the exit status: 0 identical, 1 different, 2 trouble. */
int ds_pipeline_run(const ds_options_t *options, ds_run_t *run);

#endif
