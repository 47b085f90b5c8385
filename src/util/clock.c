#define _GNU_SOURCE
#include "clock.h"

#include <stdio.h>
#include <time.h>

double ds_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

ds_deadline_t ds_deadline_in(double seconds)
{
    ds_deadline_t deadline = {seconds > 0 ? ds_clock_now() + seconds : 0};
    return deadline;
}

bool ds_deadline_passed(const ds_deadline_t *deadline)
{
    return deadline != NULL && deadline->end > 0 && ds_clock_now() >= deadline->end;
}

void ds_format_utc(int64_t seconds, char *buf, unsigned long size)
{
    time_t t = (time_t)seconds;
    struct tm tm;
    if ((int64_t)t != seconds || gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
        tm.tm_year + 1900 < 0) {
        snprintf(buf, size, "@%lld", (long long)seconds);
        return;
    }
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
