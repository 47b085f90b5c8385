/* diffoscope's own options, which rebuilders may pass when driftscope stands in for it: the
 * ones driftscope maps are in options.c; every other one is refused with a clear message. */
#ifndef DS_OPTIONS_DIFFOSCOPE_H
#define DS_OPTIONS_DIFFOSCOPE_H

#include <stdbool.h>

/* True when arg ("--name" or "--name=value") is one of diffoscope's long options (diffoscope
 * 240, main.py). */
bool ds_diffoscope_option_known(const char *arg);

#endif
