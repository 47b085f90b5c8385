#include "report.h"

#include <string.h>

#include "../report/json.h"

#define VERDICTS GATE_VERDICT_COUNT

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

static void json_uint(ds_json_t *j, const char *key, unsigned long long v)
{
    ds_json_key(j, key);
    ds_json_int(j, (int64_t)v);
}

static void json_flow(ds_json_t *j, const gate_flow_info_t *f)
{
    ds_json_key(j, "flow");
    ds_json_object_begin(j);
    json_opt(j, "time", f->time);
    json_opt(j, "protocol", f->protocol);
    json_opt(j, "client", f->client);
    json_uint(j, "client_port", f->client_port);
    json_opt(j, "server", f->server);
    json_uint(j, "server_port", f->server_port);
    json_uint(j, "packets", f->packets);
    json_uint(j, "bytes", f->bytes);
    json_uint(j, "first_packet", f->first_packet);
    json_opt(j, "evidence_kind", f->evidence_kind);
    if (f->organisation[0])
        json_opt(j, "organisation", f->organisation);
    ds_json_object_end(j);
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
    if (it->flow.present)
        json_flow(j, &it->flow);
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

/* "addr:port" ("[v6]:port"; the address alone without ports) of one end of a flow. */
static void flow_end(const gate_flow_info_t *f, bool client, char *buf, size_t size)
{
    const char *addr = client ? f->client : f->server;
    bool v6 = strchr(addr, ':') != NULL;
    bool ports = strcmp(f->protocol, "tcp") == 0 || strcmp(f->protocol, "udp") == 0 || strcmp(f->protocol, "udplite") == 0;
    if (!ports)
        snprintf(buf, size, "%s", addr);
    else
        snprintf(buf, size, v6 ? "[%s]:%u" : "%s:%u", addr, client ? f->client_port : f->server_port);
}

/* telemetry: one row per flow, every flow (columns as wide as their widest cell); the
 * evidence and what decided under each listed or allowed one. */
static void text_flows(FILE *out, const gate_result_t *r)
{
    int cw = 6, sw = 6;
    char c[64], sv[64];
    for (size_t i = 0; i < r->count; i++) {
        flow_end(&r->items[i].flow, true, c, sizeof c);
        flow_end(&r->items[i].flow, false, sv, sizeof sv);
        cw = (int)strlen(c) > cw ? (int)strlen(c) : cw;
        sw = (int)strlen(sv) > sw ? (int)strlen(sv) : sw;
    }
    fprintf(out, "%-9s %-12s %-6s %-*s %-*s %7s %10s  %s\n", "VERDICT", "TIME", "PROTO", cw, "CLIENT", sw, "SERVER",
            "PKTS", "BYTES", "NAME (EVIDENCE)");
    for (size_t i = 0; i < r->count; i++) {
        const gate_item_t *it = &r->items[i];
        const gate_flow_info_t *f = &it->flow;
        flow_end(f, true, c, sizeof c);
        flow_end(f, false, sv, sizeof sv);
        const char *clock = strlen(f->time) >= 23 ? f->time + 11 : f->time;
        fprintf(out, "%-9s %-12.12s %-6s %-*s %-*s %7llu %10llu  %s (%s)\n", gate_verdict_name(it->verdict), clock,
                f->protocol, cw, c, sw, sv, f->packets, f->bytes, it->found ? it->found : "-", f->evidence_kind);
        if (it->verdict == GATE_VERDICT_LISTED || it->verdict == GATE_VERDICT_ALLOWED) {
            fprintf(out, "          evidence: %s\n", it->check ? it->check : "");
            fprintf(out, "          %s%s%s\n", it->reason ? it->reason : "", it->note ? ": " : "", it->note ? it->note : "");
        }
    }
}

void gate_report_text(FILE *out, const gate_result_t *r, bool all)
{
    int status = gate_result_exit_status(r);
    size_t counts[VERDICTS];
    count_verdicts(r, counts);
    fprintf(out, "imagegate %s: %s (%s)\n", r->gate, gate_report_verdict(status), r->input);
    for (size_t i = 0; i < r->fact_count; i++)
        fprintf(out, "examined: %s\n", r->facts[i]);
    bool flows = r->count > 0 && r->items[0].flow.present; /* telemetry: every flow, as a table */
    if (flows)
        text_flows(out, r);
    for (size_t i = 0; !flows && i < r->count; i++) {
        gate_verdict_t v = r->items[i].verdict;
        if (all || gate_verdict_fails(v) || v == GATE_VERDICT_WAIVED || v == GATE_VERDICT_DOCUMENTED)
            text_item(out, &r->items[i]);
    }
    for (size_t i = 0; i < r->problem_count; i++)
        fprintf(out, "TROUBLE    %s\n", r->problems[i]);
    bool tel = strcmp(r->gate, "telemetry") == 0;
    fprintf(out, "%zu %s%s", r->count, tel ? "flow" : "item", r->count == 1 ? "" : "s");
    for (int v = 0, first = 1; v < VERDICTS; v++) {
        if (counts[v] == 0)
            continue;
        fprintf(out, "%s %zu %s", first ? ":" : ",", counts[v], gate_verdict_name((gate_verdict_t)v));
        first = 0;
    }
    fprintf(out, "%s\n", r->problem_count ? "; the answer is incomplete (trouble above)" : "");
}
