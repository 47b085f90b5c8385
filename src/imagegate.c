/* imagegate: release gates checked on a built image, read in place (driftscope's library
 * underneath). The command line only: parse, open the image, run one gate, write gate.json and
 * the text answer, exit 0 pass, 1 fail, 2 trouble. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate/files.h"
#include "gate/gates.h"
#include "gate/report.h"
#include "util/clock.h"
#include "util/outfile.h"

#define IMAGEGATE_VERSION "0.1.0"

typedef struct gate_cli {
    const char *gate;
    const char *input;
    const char *output_dir;
    const char *json_path;
    const char *text_path;
    bool all, quiet;
    double timeout;
    gate_kspp_options_t kspp;
    gate_apparmor_options_t apparmor;
    gate_telemetry_options_t telemetry;
} gate_cli_t;

static void usage(FILE *out)
{
    fputs("usage: imagegate kspp [OPTIONS] IMAGE\n"
          "       imagegate apparmor [OPTIONS] IMAGE\n"
          "       imagegate telemetry [OPTIONS] CAPTURE\n"
          "IMAGE is an ISO 9660 image, a squashfs image or a directory tree; nothing is unpacked.\n"
          "CAPTURE is a pcap or pcapng file (read with libpcap; streamed, never held whole).\n"
          "  kspp       the kernel configuration (/boot/config-*), the kernel command line of every\n"
          "             boot entry and the shipped sysctl settings against the rules table\n"
          "             (data/kspp-rules.txt: KSPP, kernel-hardening-checker)\n"
          "  apparmor   every ELF program that imports a network call (directly or through a\n"
          "             library it links inside the image) against the image's AppArmor policy\n"
          "  telemetry  every flow of a capture, its far end named from the capture (TLS and QUIC\n"
          "             SNI, HTTP Host, DNS answers), against the listed organisations\n"
          "             (data/telemetry-rules.txt) and the project's allowed endpoints\n"
          "options:\n"
          "  -o OUTDIR          write gate.json and gate.txt there (created; one level)\n"
          "  --json FILE        write gate.json to FILE (- for stdout)\n"
          "  --text FILE        write the text answer to FILE (- for stdout; the default)\n"
          "  --all              list every item, not only the failing, waived and documented ones\n"
          "  -q, --quiet        print nothing on stdout (the exit status answers)\n"
          "  --timeout SECONDS  stop after this long (trouble, a partial report); default 600\n"
          "  kspp: --rules FILE (repeatable; a rule's ID replaces the shipped one), --waivers FILE\n"
          "        (ID -- reason), --no-shipped-rules, --list-rules (print the shipped table)\n"
          "  apparmor: --exceptions FILE (path glob -- reason)\n"
          "  telemetry: --rules FILE (repeatable; org/source/domain/range lines), --allow FILE\n"
          "        (repeatable; NAME-OR-RANGE -- reason), --no-shipped-rules, --list-rules\n"
          "  --version, --help\n"
          "exit status: 0 pass, 1 fail, 2 trouble\n",
          out);
}

static int need_value(int argc, char **argv, int i)
{
    if (i + 1 >= argc) {
        fprintf(stderr, "imagegate: %s needs a value\n", argv[i]);
        return -1;
    }
    return 0;
}

/* One option at argv[*i]; 0 handled, 1 exit 0 (printed), -1 usage error. */
static int parse_option(gate_cli_t *c, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *const valued[] = {"-o", "--json", "--text", "--timeout", "--rules", "--waivers", "--exceptions", "--allow"};
    bool tel = strcmp(c->gate, "telemetry") == 0;
    for (size_t k = 0; k < sizeof valued / sizeof *valued; k++) {
        if (strcmp(a, valued[k]) != 0)
            continue;
        if (need_value(argc, argv, *i) != 0)
            return -1;
        const char *v = argv[++*i];
        if (k == 0) c->output_dir = v;
        else if (k == 1) c->json_path = v;
        else if (k == 2) c->text_path = v;
        else if (k == 3) {
            char *end = NULL;
            c->timeout = strtod(v, &end);
            if (end == v || *end != '\0' || !(c->timeout > 0)) {
                fprintf(stderr, "imagegate: --timeout wants a number of seconds above 0, not '%s'\n", v);
                return -1;
            }
        }
        else if (k == 4 || k == 7) {
            const char **list = k == 7 ? c->telemetry.allow : tel ? c->telemetry.rules : c->kspp.rules;
            size_t *n = k == 7 ? &c->telemetry.allow_count : tel ? &c->telemetry.rule_count : &c->kspp.rule_count;
            if (*n >= GATE_MAX_FILES_OPTION) {
                fprintf(stderr, "imagegate: at most %u %s\n", GATE_MAX_FILES_OPTION, a);
                return -1;
            }
            list[(*n)++] = v;
        }
        else if (k == 5) c->kspp.waivers = v;
        else c->apparmor.exceptions = v;
        return 0;
    }
    if (strcmp(a, "--all") == 0) c->all = true;
    else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) c->quiet = true;
    else if (strcmp(a, "--no-shipped-rules") == 0) c->kspp.no_shipped_rules = c->telemetry.no_shipped_rules = true;
    else if (strcmp(a, "--list-rules") == 0) {
        if (tel)
            fwrite(gate_telemetry_shipped_rules, 1, gate_telemetry_shipped_rules_size, stdout);
        else
            fwrite(gate_kspp_shipped_rules, 1, gate_kspp_shipped_rules_size, stdout);
        return 1;
    } else {
        fprintf(stderr, "imagegate: unknown option %s (imagegate --help)\n", a);
        return -1;
    }
    return 0;
}

/* 0 go on, 1 exit 0, 2 usage error. */
static int parse(gate_cli_t *c, int argc, char **argv)
{
    memset(c, 0, sizeof *c);
    c->timeout = 600;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 1;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("imagegate %s\n", IMAGEGATE_VERSION);
        return 1;
    }
    if (strcmp(argv[1], "kspp") != 0 && strcmp(argv[1], "apparmor") != 0 && strcmp(argv[1], "telemetry") != 0) {
        fprintf(stderr, "imagegate: unknown gate '%s' (kspp, apparmor, telemetry)\n", argv[1]);
        return 2;
    }
    c->gate = argv[1];
    for (int i = 2; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0' && strcmp(argv[i], "--") != 0) {
            int rc = parse_option(c, argc, argv, &i);
            if (rc != 0)
                return rc < 0 ? 2 : 1;
        } else if (c->input == NULL && strcmp(argv[i], "--") != 0) {
            c->input = argv[i];
        } else if (strcmp(argv[i], "--") != 0) {
            fprintf(stderr, "imagegate: one input only (got '%s' too)\n", argv[i]);
            return 2;
        }
    }
    if (c->input == NULL) {
        fprintf(stderr, "imagegate %s: %s is needed (imagegate --help)\n", c->gate,
                strcmp(c->gate, "telemetry") == 0 ? "CAPTURE" : "IMAGE");
        return 2;
    }
    return 0;
}

typedef void (*writer_fn)(FILE *out, const gate_result_t *r, const gate_cli_t *c, const gate_report_info_t *info);

static void write_json(FILE *out, const gate_result_t *r, const gate_cli_t *c, const gate_report_info_t *info)
{
    (void)c;
    gate_report_json(out, r, info);
}

static void write_text(FILE *out, const gate_result_t *r, const gate_cli_t *c, const gate_report_info_t *info)
{
    (void)info;
    gate_report_text(out, r, c->all);
}

/* Writes one artifact to path ("-": stdout) or, with dir_fd >= 0, to name inside OUTDIR. */
static bool write_one(int dir_fd, const char *path, writer_fn fn, const gate_result_t *r, const gate_cli_t *c,
                      const gate_report_info_t *info)
{
    if (dir_fd < 0 && strcmp(path, "-") == 0) {
        fn(stdout, r, c, info);
        return fflush(stdout) == 0;
    }
    ds_outfile_t out;
    ds_error_t err = {0};
    int rc = dir_fd >= 0 ? ds_outfile_begin(&out, dir_fd, path, &err) : ds_outfile_begin_path(&out, path, &err);
    if (rc == DS_OK) {
        fn(out.stream, r, c, info);
        rc = ds_outfile_commit(&out, &err);
    }
    if (rc != DS_OK)
        fprintf(stderr, "imagegate: %s\n", err.message);
    return rc == DS_OK;
}

static bool write_outputs(const gate_result_t *r, const gate_cli_t *c, const gate_report_info_t *info)
{
    bool ok = true;
    if (c->output_dir != NULL) {
        int dir_fd = -1;
        ds_error_t err = {0};
        if (ds_outdir_open(c->output_dir, &dir_fd, &err) != DS_OK) {
            fprintf(stderr, "imagegate: %s\n", err.message);
            ok = false;
        } else {
            ok = write_one(dir_fd, "gate.json", write_json, r, c, info) &&
                 write_one(dir_fd, "gate.txt", write_text, r, c, info);
            close(dir_fd);
        }
    }
    if (c->json_path != NULL)
        ok = write_one(-1, c->json_path, write_json, r, c, info) && ok;
    const char *text = c->text_path ? c->text_path : c->quiet ? NULL : "-";
    if (text != NULL)
        ok = write_one(-1, text, write_text, r, c, info) && ok;
    return ok;
}

int main(int argc, char **argv)
{
    gate_cli_t cli;
    int rc = parse(&cli, argc, argv);
    if (rc != 0)
        return rc == 1 ? 0 : 2;
    ds_deadline_t deadline = ds_deadline_in(cli.timeout);
    double started = ds_clock_now();
    bool telemetry = strcmp(cli.gate, "telemetry") == 0;
    gate_result_t result = {.gate = telemetry ? "telemetry" : strcmp(cli.gate, "kspp") == 0 ? "kspp" : "apparmor"};
    result.input = strdup(cli.input);
    gate_files_t *files = NULL;
    ds_error_t err = {0};
    cli.telemetry.deadline = &deadline;
    int run = telemetry ? gate_run_telemetry(cli.input, &cli.telemetry, &result, &err)
                        : gate_files_open(&files, cli.input, cli.input, &deadline, &err);
    if (!telemetry && run == DS_OK && strcmp(cli.gate, "kspp") == 0)
        run = gate_run_kspp(files, &cli.kspp, &result, &err);
    else if (!telemetry && run == DS_OK)
        run = gate_run_apparmor(files, &cli.apparmor, &result, &err);
    if (run != DS_OK)
        gate_result_problem(&result, "%s", err.message[0] ? err.message : ds_error_name(run));
    for (size_t i = 0; i < result.problem_count; i++) /* trouble is said on stderr too, once each */
        fprintf(stderr, "imagegate %s: %s\n", cli.gate, result.problems[i]);
    gate_report_info_t info = {.version = IMAGEGATE_VERSION, .seconds = ds_clock_now() - started,
                               .complete = run == DS_OK};
    bool written = write_outputs(&result, &cli, &info);
    int status = gate_result_exit_status(&result);
    gate_files_close(files);
    gate_result_free(&result);
    return written ? status : 2;
}
