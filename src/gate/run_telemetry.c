/* imagegate telemetry: a capture (pcap or pcapng, read with libpcap) judged flow by flow
 * against the listed organisations (data/telemetry-rules.txt and the project's --rules) and the
 * project's allowed endpoints (--allow). The capture is streamed: one frame at a time, its flows
 * kept small (flows.h). */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "flows.h"
#include "gates.h"
#include "host_file.h"
#include "telemetry_judge.h"
#include "telemetry_rules.h"

#define DEADLINE_EVERY 4096u /* frames between polls of the time budget */

static int load_file(gate_tel_rules_t *rules, const char *path, bool allow, gate_result_t *r, ds_error_t *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc = gate_host_file_read(path, &text, &len, err);
    if (rc == DS_OK)
        rc = allow ? gate_tel_allow_parse(rules, path, text, len, err) : gate_tel_rules_parse(rules, path, text, len, err);
    free(text);
    if (rc == DS_OK)
        gate_result_fact(r, "%s %s", allow ? "allowed endpoints" : "project rules", path);
    return rc;
}

static int load_rules(gate_tel_rules_t *rules, const gate_telemetry_options_t *o, gate_result_t *r, ds_error_t *err)
{
    int rc = DS_OK;
    if (!o->no_shipped_rules)
        rc = gate_tel_rules_parse(rules, "data/telemetry-rules.txt", (const char *)gate_telemetry_shipped_rules,
                                  gate_telemetry_shipped_rules_size, err);
    for (size_t i = 0; rc == DS_OK && i < o->rule_count; i++)
        rc = load_file(rules, o->rules[i], false, r, err);
    for (size_t i = 0; rc == DS_OK && i < o->allow_count; i++)
        rc = load_file(rules, o->allow[i], true, r, err);
    if (rc == DS_OK)
        gate_result_fact(r, "rules: %zu organisations, %zu domains and ranges listed (%s), %zu allowed endpoints",
                         rules->org_count, rules->listed_count,
                         o->no_shipped_rules ? "project rules only" : "data/telemetry-rules.txt", rules->allowed_count);
    return rc;
}

/* Opens the capture through libpcap on our own FILE (for offsets); says pcap or pcapng. */
static int open_capture(const char *path, FILE **fp, pcap_t **pc, const char **format, ds_error_t *err)
{
    struct stat st;
    if ((*fp = fopen(path, "rb")) == NULL)
        return ds_error_set(err, DS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fileno(*fp), &st) != 0 || S_ISDIR(st.st_mode))
        return ds_error_set(err, DS_ERR_IO, "%s: not a capture file (a directory)", path);
    unsigned char magic[4] = {0};
    size_t got = fread(magic, 1, 4, *fp);
    if (got < 4)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: capture: %zu bytes, shorter than any capture header (byte 0)", path, got);
    *format = memcmp(magic, "\x0a\x0d\x0d\x0a", 4) == 0 ? "pcapng" : "pcap";
    if (fseek(*fp, 0, SEEK_SET) != 0)
        return ds_error_set(err, DS_ERR_IO, "%s: cannot seek: %s", path, strerror(errno));
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    *pc = pcap_fopen_offline_with_tstamp_precision(*fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (*pc == NULL)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: capture header (byte 0): not a pcap or pcapng capture libpcap reads: %s",
                            path, errbuf);
    *fp = NULL; /* libpcap owns it now and closes it */
    return DS_OK;
}

typedef struct reading {
    uint64_t frames;
    double first, last;
    bool stopped;
} reading_t;

static int read_frames(const char *path, pcap_t *pc, gate_tel_t *tel, const gate_telemetry_options_t *o, reading_t *rd,
                       ds_error_t *err)
{
    FILE *fp = pcap_file(pc);
    for (;;) {
        long offset = fp ? ftell(fp) : -1;
        struct pcap_pkthdr *h = NULL;
        const u_char *data = NULL;
        int rc = pcap_next_ex(pc, &h, &data);
        if (rc == PCAP_ERROR_BREAK)
            return DS_OK;
        if (rc != 1)
            return ds_error_set(err, DS_ERR_FORMAT, "%s: capture: after packet %llu, at byte %ld: %s", path,
                                (unsigned long long)rd->frames, offset, pcap_geterr(pc));
        double t = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e9; /* nanosecond precision asked for */
        if (rd->frames++ == 0)
            rd->first = t;
        rd->last = t;
        gate_tel_frame(tel, data, h->caplen, h->len, t, rd->frames, offset < 0 ? 0 : (uint64_t)offset);
        if (rd->frames % DEADLINE_EVERY == 0 && ds_deadline_passed(o->deadline)) {
            rd->stopped = true;
            return ds_error_set(err, DS_ERR_TIMEOUT, "%s: capture: the time budget ran out after packet %llu (byte %ld)",
                                path, (unsigned long long)rd->frames, offset);
        }
    }
}

/* What the engine could not attribute, as trouble: every packet the gate could not place is one
 * that might have gone to a listed organisation. */
static void report_unplaced(const char *path, const gate_tel_t *tel, gate_result_t *r)
{
    const gate_tel_counts_t *c = &tel->counts;
    for (uint64_t i = 0; i < c->malformed && i < GATE_TEL_MALFORMED_LOG; i++) {
        const gate_tel_malformed_t *m = &tel->malformed[i];
        gate_result_problem(r, "%s: packet %llu (record at byte %llu), byte %zu of the frame: %s: skipped", path,
                            (unsigned long long)m->packet, (unsigned long long)m->file_offset, m->at, m->why);
    }
    if (c->malformed > GATE_TEL_MALFORMED_LOG)
        gate_result_problem(r, "%s: %llu malformed packets skipped in all (the first %u named above)", path,
                            (unsigned long long)c->malformed, GATE_TEL_MALFORMED_LOG);
    if (gate_ipfrag_dropped(tel->frag) > 0)
        gate_result_problem(r, "%s: %llu IP datagrams never completed from their fragments: not placed in a flow", path,
                            (unsigned long long)gate_ipfrag_dropped(tel->frag));
    if (c->over_limit > 0)
        gate_result_problem(r, "%s: %llu packets beyond the limit of %u flows: not judged", path,
                            (unsigned long long)c->over_limit, GATE_TEL_MAX_FLOWS);
    if (c->unread_budget > 0)
        gate_result_problem(r, "%s: %llu flows not read for a name (%u MiB of first bytes already held): judged by DNS and ranges only",
                            path, (unsigned long long)c->unread_budget, GATE_TEL_BUFFER_BUDGET >> 20);
    if (gate_names_full(tel->names))
        gate_result_problem(r, "%s: the table of DNS names is full: later answers were not used", path);
    if (tel->out_of_memory)
        gate_result_problem(r, "%s: out of memory while reading the capture: some flows may be missing", path);
}

static void report_facts(const char *path, const char *format, int link, const gate_tel_t *tel, const reading_t *rd,
                         gate_result_t *r)
{
    const char *ln = pcap_datalink_val_to_name(link);
    gate_result_fact(r, "capture %s: %s, link type %s (%d), %llu packets", path, format, ln ? ln : "?", link,
                     (unsigned long long)rd->frames);
    if (rd->frames > 0)
        gate_result_fact(r, "capture time: %.3f s from the first packet to the last", rd->last - rd->first);
    const gate_tel_counts_t *c = &tel->counts;
    gate_result_fact(r, "%zu flows; %llu DNS messages read; %llu frames not IP (ARP, LLDP, ...: they stay on the link)",
                     tel->flow_count, (unsigned long long)c->dns_messages, (unsigned long long)c->not_ip);
    if (c->fragments > 0)
        gate_result_fact(r, "%llu IP fragments, %llu datagrams put back together", (unsigned long long)c->fragments,
                         (unsigned long long)c->reassembled);
}

int gate_run_telemetry(const char *path, const gate_telemetry_options_t *o, gate_result_t *r, ds_error_t *err)
{
    gate_tel_rules_t rules = {0};
    gate_tel_t tel = {0};
    FILE *fp = NULL;
    pcap_t *pc = NULL;
    const char *format = "pcap";
    reading_t rd = {0};
    int rc = load_rules(&rules, o, r, err);
    if (rc == DS_OK)
        rc = open_capture(path, &fp, &pc, &format, err);
    int link = pc ? pcap_datalink(pc) : -1;
    if (rc == DS_OK && !gate_packet_link_supported(link))
        rc = ds_error_set(err, DS_ERR_FORMAT, "%s: capture header: link type %s (%d) is not one the gate reads (Ethernet, Linux cooked SLL/SLL2, raw IP, loopback)",
                          path, pcap_datalink_val_to_name(link) ? pcap_datalink_val_to_name(link) : "?", link);
    if (rc == DS_OK)
        rc = gate_tel_init(&tel, link) == DS_OK ? DS_OK : ds_error_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
    if (rc == DS_OK) {
        rc = read_frames(path, pc, &tel, o, &rd, err);
        gate_tel_finish(&tel);
        report_facts(path, format, link, &tel, &rd, r);
        gate_tel_judge(&tel, &rules, r);
        report_unplaced(path, &tel, r);
    }
    for (size_t i = 0; rc == DS_OK && i < rules.allowed_count; i++)
        if (rules.allowed[i].used == 0)
            gate_result_fact(r, "allowed endpoint %s (%s) matched no flow", rules.allowed[i].pattern, rules.allowed[i].where);
    gate_tel_free(&tel);
    gate_tel_rules_free(&rules);
    if (pc != NULL)
        pcap_close(pc);
    if (fp != NULL)
        fclose(fp);
    return rc;
}
