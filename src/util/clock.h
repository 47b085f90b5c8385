/* Monotonic time and the per-stage time budget. Long loops poll ds_deadline_passed(). */
#ifndef DS_CLOCK_H
#define DS_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Seconds on the monotonic clock. */
double ds_clock_now(void);

typedef struct ds_deadline {
    double end; /* monotonic seconds; 0 means no deadline */
} ds_deadline_t;

ds_deadline_t ds_deadline_in(double seconds);
bool ds_deadline_passed(const ds_deadline_t *deadline);

/* Formats a Unix time as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into buf (at least 32 bytes). Times
 * outside what gmtime can represent are written as "@<seconds>". */
void ds_format_utc(int64_t seconds, char *buf, unsigned long size);

#endif
