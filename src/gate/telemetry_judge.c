#include "telemetry_judge.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../util/strbuf.h"

#define MAX_CANDIDATES (1 + 2 * GATE_DNS_MAX_CHAIN)

typedef struct candidate {
    const char *name;
    const char *kind; /* evidence kind for the report */
} candidate_t;

const char *gate_tel_protocol_name(uint8_t proto)
{
    switch (proto) {
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 58: return "icmpv6";
    case 50: return "esp";
    case 132: return "sctp";
    case 136: return "udplite";
    default: return "ip";
    }
}

static const char *content_kind(uint8_t ev)
{
    switch (ev) {
    case GATE_TEL_EV_TLS: return "tls-sni";
    case GATE_TEL_EV_QUIC: return "quic-sni";
    case GATE_TEL_EV_HTTP: return "http-host";
    case GATE_TEL_EV_DNS_QUERY: return "dns-query";
    default: return "none";
    }
}

static void format_time(double t, char *buf, size_t size)
{
    time_t s = (time_t)t;
    struct tm tm;
    long us = (long)((t - (double)s) * 1e6 + 0.5);
    if (us >= 1000000)
        s++, us -= 1000000;
    if (gmtime_r(&s, &tm) == NULL) {
        snprintf(buf, size, "@%.6f", t);
        return;
    }
    char day[24];
    if (strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        day[0] = '\0';
    snprintf(buf, size, "%.19s.%06uZ", day, (unsigned)us % 1000000u);
}

/* The names of a DNS chain as candidates (at most room), spelled into the evidence. */
static size_t chain_candidates(const gate_tel_t *tel, uint32_t chain_id, uint64_t packet, const gate_addr_t *server,
                               candidate_t *c, size_t room, ds_strbuf_t *ev)
{
    size_t chain_len = 0, n = 0;
    const uint32_t *chain = chain_id == GATE_NAMES_NONE ? NULL : gate_names_chain_get(tel->names, chain_id, &chain_len);
    if (chain_len == 0)
        return 0;
    ds_strbuf_printf(ev, "%sDNS answer%s (packet %llu): ", ev->len ? "; " : "", server ? "" : " to this lookup",
                     (unsigned long long)packet);
    for (size_t i = 0; i < chain_len; i++) {
        const char *name = gate_names_get(tel->names, chain[i]);
        if (n < room)
            c[n++] = (candidate_t){name, "dns"};
        ds_strbuf_printf(ev, "%s%s", i ? " -> " : "", name);
    }
    if (server != NULL) {
        char addr[48];
        gate_addr_format(server, addr, sizeof addr);
        ds_strbuf_printf(ev, " -> %s", addr);
    }
    return n;
}

/* The evidence, strongest first: the flow's own bytes, then the DNS chain for its address. */
static size_t candidates(const gate_tel_t *tel, const gate_tel_flow_t *f, candidate_t *c, ds_strbuf_t *ev)
{
    size_t n = 0;
    if (f->name != GATE_NAMES_NONE) {
        c[n++] = (candidate_t){gate_names_get(tel->names, f->name), content_kind(f->evidence)};
        static const char *const what[] = {"", "DNS query for", "HTTP Host", "QUIC Initial SNI", "TLS ClientHello SNI"};
        ds_strbuf_printf(ev, "%s %s (packet %llu", what[f->evidence], c[0].name, (unsigned long long)f->evidence_packet);
        if (f->evidence == GATE_TEL_EV_QUIC)
            ds_strbuf_printf(ev, ", QUIC version 0x%08x", (unsigned)f->quic_version);
        ds_strbuf_puts(ev, ")");
    }
    n += chain_candidates(tel, f->answer_chain, f->answer_packet, NULL, c + n, MAX_CANDIDATES - n, ev);
    n += chain_candidates(tel, f->dns_chain, f->dns_packet, &f->server, c + n, MAX_CANDIDATES - n, ev);
    return n;
}

typedef struct decision {
    gate_verdict_t verdict;
    const gate_tel_entry_t *entry;
    const char *by;   /* the name that matched, or NULL for the address */
    const char *kind; /* evidence kind of what decided */
} decision_t;

static decision_t decide(gate_tel_rules_t *r, const gate_tel_flow_t *f, const candidate_t *c, size_t n)
{
    decision_t d = {.verdict = GATE_VERDICT_UNLISTED, .kind = n ? c[0].kind : "none"};
    gate_tel_entry_t *e = NULL;
    for (size_t i = 0; i < n && e == NULL; i++)
        if ((e = gate_tel_match_name(r->allowed, r->allowed_count, c[i].name)) != NULL)
            d = (decision_t){GATE_VERDICT_ALLOWED, e, c[i].name, c[i].kind};
    for (size_t i = 0; i < n && e == NULL; i++)
        if ((e = gate_tel_match_name(r->listed, r->listed_count, c[i].name)) != NULL)
            d = (decision_t){GATE_VERDICT_LISTED, e, c[i].name, c[i].kind};
    if (e == NULL && (e = gate_tel_match_addr(r->allowed, r->allowed_count, &f->server)) != NULL)
        d = (decision_t){GATE_VERDICT_ALLOWED, e, NULL, n ? c[0].kind : "range"};
    if (e == NULL && (e = gate_tel_match_addr(r->listed, r->listed_count, &f->server)) != NULL)
        d = (decision_t){GATE_VERDICT_LISTED, e, NULL, "range"};
    if (e != NULL)
        e->used++;
    return d;
}

static void fill_flow(const gate_tel_flow_t *f, const decision_t *d, const gate_tel_rules_t *r, gate_flow_info_t *info)
{
    memset(info, 0, sizeof *info);
    info->present = true;
    format_time(f->first_time, info->time, sizeof info->time);
    info->protocol = gate_tel_protocol_name(f->proto);
    gate_addr_format(&f->client, info->client, sizeof info->client);
    gate_addr_format(&f->server, info->server, sizeof info->server);
    info->client_port = f->cport;
    info->server_port = f->sport;
    info->packets = f->packets;
    info->bytes = f->bytes;
    info->first_packet = f->first_packet;
    info->evidence_kind = d->kind;
    if (d->verdict == GATE_VERDICT_LISTED && d->entry->org < r->org_count)
        snprintf(info->organisation, sizeof info->organisation, "%s", r->orgs[d->entry->org]);
}

static void judge_flow(const gate_tel_t *tel, gate_tel_rules_t *r, const gate_tel_flow_t *f, gate_result_t *result)
{
    candidate_t c[MAX_CANDIDATES];
    ds_strbuf_t ev = {0}, subject = {0}, why = {0};
    size_t n = candidates(tel, f, c, &ev);
    decision_t d = decide(r, f, c, n);
    gate_item_t it = {.verdict = d.verdict, .found = n ? (char *)c[0].name : NULL};
    fill_flow(f, &d, r, &it.flow);
    bool ports = f->proto == 6 || f->proto == 17 || f->proto == 136;
    if (ports)
        ds_strbuf_printf(&subject, f->client.family == 6 ? "%s [%s]:%u -> [%s]:%u" : "%s %s:%u -> %s:%u",
                          it.flow.protocol, it.flow.client, f->cport, it.flow.server, f->sport);
    else
        ds_strbuf_printf(&subject, "%s %s -> %s", it.flow.protocol, it.flow.client, it.flow.server);
    if (d.entry != NULL && d.by == NULL)
        ds_strbuf_printf(&ev, "%saddress %s in range %s", ev.len ? "; " : "", it.flow.server, d.entry->pattern);
    if (ev.len == 0)
        ds_strbuf_puts(&ev, "no name for it in the capture (no SNI, Host or DNS answer before it)");
    if (d.verdict == GATE_VERDICT_LISTED) {
        ds_strbuf_printf(&why, "%s: %s %s matches %s (%s)", it.flow.organisation, d.by ? "domain" : "range",
                          d.entry->pattern, d.by ? d.by : it.flow.server, d.entry->where);
        it.source = d.entry->source;
    } else if (d.verdict == GATE_VERDICT_ALLOWED) {
        ds_strbuf_printf(&why, "allowed: %s matches %s (%s)", d.entry->pattern, d.by ? d.by : it.flow.server, d.entry->where);
        it.note = d.entry->source;
    }
    it.subject = (char *)ds_strbuf_text(&subject);
    it.check = (char *)ds_strbuf_text(&ev);
    it.reason = why.len ? (char *)ds_strbuf_text(&why) : NULL;
    gate_result_add(result, &it);
    ds_strbuf_free(&ev);
    ds_strbuf_free(&subject);
    ds_strbuf_free(&why);
}

void gate_tel_judge(const gate_tel_t *tel, gate_tel_rules_t *rules, gate_result_t *result)
{
    for (size_t i = 0; i < tel->flow_count; i++)
        judge_flow(tel, rules, &tel->flows[i], result);
}
