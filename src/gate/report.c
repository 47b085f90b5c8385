#include "report.h"

#include <string.h>

#include "../report/json.h"

#define VERDICTS 8

const char *gate_report_verdict(int status) { return status == 0 ? "PASS" : status == 1 ? "FAIL" : "TROUBLE"; }

static void count_verdicts(const gate_result_t *r, size_t counts[VERDICTS])
{
    memset(counts, 0, VERDICTS * sizeof *counts);
    for (size_t i = 0; i < r->count; i++)
        if ((size_t)r->items[i].verdict < VERDICTS)
            counts[r->items[i].verdict]++;
}

static void json_opt(ds_json_t *j, const char *key, const char *value)
{
    if (value == NULL)
        return;
    ds_json_key(j, key);
    ds_json_string(j, value);
}

static void json_item(ds_json_t *j, const gate_item_t *it)
{
    ds_json_object_begin(j);
    json_opt(j, "subject", it->subject);
    json_opt(j, "context", it->context);
    ds_json_key(j, "verdict");
    ds_json_string(j, gate_verdict_name(it->verdict));
    ds_json_key(j, "failing");
    ds_json_bool(j, gate_verdict_fails(it->verdict));
    json_opt(j, "check", it->check);
    json_opt(j, "found", it->found);
    json_opt(j, "source", it->source);
    json_opt(j, "reason", it->reason);
    json_opt(j, "note", it->note);
    json_opt(j, "would_be", it->would_be);
    ds_json_object_end(j);
}

static void json_lines(ds_json_t *j, const char *key, char *const *lines, size_t count)
{
    ds_json_key(j, key);
    ds_json_array_begin(j);
    for (size_t i = 0; i < count; i++)
        ds_json_string(j, lines[i]);
    ds_json_array_end(j);
}

void gate_report_json(FILE *out, const gate_result_t *r, const gate_report_info_t *info)
{
    ds_json_t j;
    ds_json_init(&j, out);
    int status = gate_result_exit_status(r);
    ds_json_object_begin(&j);
    ds_json_key(&j, "gate_json_version");
    ds_json_int(&j, 1);
    ds_json_key(&j, "tool");
    ds_json_string(&j, "imagegate");
    json_opt(&j, "version", info->version);
    ds_json_key(&j, "gate");
    ds_json_string(&j, r->gate);
    ds_json_key(&j, "input");
    ds_json_string(&j, r->input);
    ds_json_key(&j, "verdict");
    ds_json_string(&j, gate_report_verdict(status));
    ds_json_key(&j, "exit_status");
    ds_json_int(&j, status);
    ds_json_key(&j, "complete");
    ds_json_bool(&j, info->complete && !r->out_of_memory);
    ds_json_key(&j, "seconds");
    ds_json_real(&j, info->seconds);
    size_t counts[VERDICTS];
    count_verdicts(r, counts);
    ds_json_key(&j, "counts");
    ds_json_object_begin(&j);
    for (int v = 0; v < VERDICTS; v++) {
        if (counts[v] == 0)
            continue;
        ds_json_key(&j, gate_verdict_name((gate_verdict_t)v));
        ds_json_int(&j, (int64_t)counts[v]);
    }
    ds_json_object_end(&j);
    json_lines(&j, "examined", r->facts, r->fact_count);
    json_lines(&j, "problems", r->problems, r->problem_count);
    ds_json_key(&j, "items");
    ds_json_array_begin(&j);
    for (size_t i = 0; i < r->count; i++)
        json_item(&j, &r->items[i]);
    ds_json_array_end(&j);
    ds_json_object_end(&j);
    fputc('\n', out);
}

static void text_item(FILE *out, const gate_item_t *it)
{
    fprintf(out, "%-10s %s", gate_verdict_name(it->verdict), it->subject ? it->subject : "?");
    if (it->context)
        fprintf(out, "  [%s]", it->context);
    fputc('\n', out);
    if (it->check)
        fprintf(out, "           %s: %s\n", it->source ? "wants" : "networked", it->check);
    if (it->found)
        fprintf(out, "           found: %s\n", it->found);
    if (it->note)
        fprintf(out, "           %s: %s\n", it->would_be ? "because" : "note", it->note);
    if (it->reason && gate_verdict_fails(it->verdict))
        fprintf(out, "           why: %s (%s)\n", it->reason, it->source ? it->source : "");
}

void gate_report_text(FILE *out, const gate_result_t *r, bool all)
{
    int status = gate_result_exit_status(r);
    size_t counts[VERDICTS];
    count_verdicts(r, counts);
    fprintf(out, "imagegate %s: %s (%s)\n", r->gate, gate_report_verdict(status), r->input);
    for (size_t i = 0; i < r->fact_count; i++)
        fprintf(out, "examined: %s\n", r->facts[i]);
    for (size_t i = 0; i < r->count; i++) {
        gate_verdict_t v = r->items[i].verdict;
        if (all || gate_verdict_fails(v) || v == GATE_VERDICT_WAIVED || v == GATE_VERDICT_DOCUMENTED)
            text_item(out, &r->items[i]);
    }
    for (size_t i = 0; i < r->problem_count; i++)
        fprintf(out, "TROUBLE    %s\n", r->problems[i]);
    fprintf(out, "%zu items:", r->count);
    for (int v = 0, first = 1; v < VERDICTS; v++) {
        if (counts[v] == 0)
            continue;
        fprintf(out, "%s %zu %s", first ? "" : ",", counts[v], gate_verdict_name((gate_verdict_t)v));
        first = 0;
    }
    fprintf(out, "%s\n", r->problem_count ? "; the answer is incomplete (trouble above)" : "");
}
