#define _GNU_SOURCE
#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static char *copy(const char *s, bool *failed)
{
    if (s == NULL)
        return NULL;
    char *c = strdup(s);
    if (c == NULL)
        *failed = true;
    return c;
}

static void item_free(gate_item_t *it)
{
    free(it->subject);
    free(it->context);
    free(it->check);
    free(it->found);
    free(it->source);
    free(it->reason);
    free(it->note);
    free(it->would_be);
}

static bool grow(void **items, size_t *capacity, size_t count, size_t size)
{
    if (count < *capacity)
        return true;
    size_t cap = *capacity ? *capacity * 2 : 16;
    void *p = realloc(*items, cap * size);
    if (p == NULL)
        return false;
    *items = p;
    *capacity = cap;
    return true;
}

bool gate_result_add(gate_result_t *r, const gate_item_t *item)
{
    if (!grow((void **)&r->items, &r->capacity, r->count, sizeof *r->items)) {
        r->out_of_memory = true;
        return false;
    }
    bool failed = false;
    gate_item_t c = {
        .subject = copy(item->subject, &failed), .context = copy(item->context, &failed),
        .verdict = item->verdict, .check = copy(item->check, &failed), .found = copy(item->found, &failed),
        .source = copy(item->source, &failed), .reason = copy(item->reason, &failed),
        .note = copy(item->note, &failed), .would_be = copy(item->would_be, &failed),
        .flow = item->flow,
    };
    if (failed) {
        item_free(&c);
        r->out_of_memory = true;
        return false;
    }
    r->items[r->count++] = c;
    return true;
}

static void add_line(gate_result_t *r, char ***lines, size_t *count, size_t *capacity, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
static void add_line(gate_result_t *r, char ***lines, size_t *count, size_t *capacity, const char *fmt, va_list ap)
{
    char *line = NULL;
    if (vasprintf(&line, fmt, ap) < 0 || !grow((void **)lines, capacity, *count, sizeof **lines)) {
        free(line);
        r->out_of_memory = true;
        return;
    }
    (*lines)[(*count)++] = line;
}

void gate_result_problem(gate_result_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_line(r, &r->problems, &r->problem_count, &r->problem_capacity, fmt, ap);
    va_end(ap);
}

void gate_result_fact(gate_result_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_line(r, &r->facts, &r->fact_count, &r->fact_capacity, fmt, ap);
    va_end(ap);
}

void gate_result_free(gate_result_t *r)
{
    for (size_t i = 0; i < r->count; i++)
        item_free(&r->items[i]);
    for (size_t i = 0; i < r->problem_count; i++)
        free(r->problems[i]);
    for (size_t i = 0; i < r->fact_count; i++)
        free(r->facts[i]);
    free(r->items);
    free(r->problems);
    free(r->facts);
    free(r->input);
    memset(r, 0, sizeof *r);
}

const char *gate_verdict_name(gate_verdict_t v)
{
    static const char *const names[] = {"OK", "FAIL", "WAIVED", "N/A", "enforced", "complain", "unconfined", "documented", "listed", "allowed", "unlisted"};
    return (size_t)v < sizeof names / sizeof *names ? names[v] : "?";
}

bool gate_verdict_fails(gate_verdict_t v)
{
    return v == GATE_VERDICT_FAIL || v == GATE_VERDICT_COMPLAIN || v == GATE_VERDICT_UNCONFINED || v == GATE_VERDICT_LISTED;
}

int gate_result_exit_status(const gate_result_t *r)
{
    if (r->problem_count > 0 || r->out_of_memory)
        return 2;
    for (size_t i = 0; i < r->count; i++)
        if (gate_verdict_fails(r->items[i].verdict))
            return 1;
    return 0;
}
