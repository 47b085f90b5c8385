#include "options.h"

#include "explain/causes.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/format.h"
#include "options_diffoscope.h"

enum { OPT_STAGE_TIMEOUT = 256, OPT_MAX_DIFFERENCES, OPT_JOBS, OPT_MAX_DEPTH, OPT_LIST_CAUSES, OPT_LIST_FORMATS, OPT_DEEP_TOOL,
       OPT_MAX_MEMORY, OPT_ACCEPT,
       OPT_DIFFOSCOPE_JSON,
       /* The answer as text and the options rebuilders pass to diffoscope (issue 12). */
       OPT_TEXT, OPT_COLOR, OPT_TIMEOUT, OPT_JSON, OPT_HTML, OPT_MAX_REPORT_SIZE, OPT_EXCLUDE };

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"stage-timeout", required_argument, NULL, OPT_STAGE_TIMEOUT},
    {"max-differences", required_argument, NULL, OPT_MAX_DIFFERENCES},
    {"jobs", required_argument, NULL, 'j'},
    {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
    /* diffoscope's name for the same bound (rebuilderd's sample worker config passes it) */
    {"max-container-depth", required_argument, NULL, OPT_MAX_DEPTH},
    {"list-causes", no_argument, NULL, OPT_LIST_CAUSES},
    {"list-formats", no_argument, NULL, OPT_LIST_FORMATS},
    {"deep-tool", required_argument, NULL, OPT_DEEP_TOOL},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"accept", required_argument, NULL, OPT_ACCEPT},
    {"diffoscope-json", required_argument, NULL, OPT_DIFFOSCOPE_JSON},
    {"text", required_argument, NULL, OPT_TEXT},
    {"color", required_argument, NULL, OPT_COLOR},
    {"text-color", required_argument, NULL, OPT_COLOR},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"json", required_argument, NULL, OPT_JSON},
    {"html", required_argument, NULL, OPT_HTML},
    {"max-report-size", required_argument, NULL, OPT_MAX_REPORT_SIZE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void ds_options_usage(FILE *out)
{
    fputs("Usage: driftscope [OPTIONS] A B [-o OUTDIR]\n"
          "Explain why two builds of the same OS image are not bit-identical.\n"
          "\n"
          "A and B are ISO 9660 images (live-build hybrid ISOs), squashfs images, two\n"
          "directory trees or any two files; the format is detected from content. Stages\n"
          "run cheap to expensive (hash, header, toc, squashfs, content, report); each\n"
          "writes its artifacts into OUTDIR, also when it stops early. Without -o the\n"
          "answer (verdict, root causes, root differences with their diffs) is printed\n"
          "on stdout and no file is written.\n"
          "\n"
          "Options:\n"
          "  -o, --output DIR          write the reports into DIR (created if missing)\n"
          "      --text FILE           write the answer as text to FILE ('-': stdout)\n"
          "      --color WHEN          colour the text answer: auto (a terminal, no NO_COLOR),\n"
          "                            always or never (--text-color is the same)\n"
          "      --timeout SECS        time budget of the whole run (each stage gets at most\n"
          "                            what is left of it; default: none)\n"
          "      --json FILE           diffoscope's name for --diffoscope-json FILE\n"
          "      --html FILE           a copy of report.html at FILE\n"
          "      --max-report-size N   cut the text answer and the --html copy at N bytes\n"
          "      --exclude GLOB        leave out differences in a file or container whose path\n"
          "                            matches GLOB (fnmatch, '*' matches '/'; repeatable)\n"
          "      --stage-timeout SECS  time budget of each stage (default 600; 0: none)\n"
          "      --max-differences N   keep at most N differences (default 100000; 0: all)\n"
          "  -j, --jobs N              compare file contents in N threads (default: one per core)\n"
          "      --max-depth N         look at most N formats deep inside a differing file\n"
          "                            (gzip, cpio/tar, FAT, ELF, pyc, text; default 4; 0: not at all)\n"
          "      --deep-tool diffoscope  also run diffoscope on each pair of differing files\n"
          "                            (at most 16, copied under OUTDIR/deep/, 120 s each)\n"
          "      --max-memory SIZE     memory budget (default 512M; K, M, G suffixes): trees,\n"
          "                            decompression, diff text and threads are sized from it\n"
          "      --accept FILE         known differences that do not fail the gate, one a line:\n"
          "                            LOCATION-GLOB [kind=K] [cause=C] -- REASON\n"
          "      --diffoscope-json FILE  also write the comparison tree in diffoscope's JSON\n"
          "                            format to FILE (- for stdout), for diffoscope\n"
          "                            --load-existing-diff FILE --html out.html\n"
          "      --list-causes         print the cause catalogue (Markdown) and exit\n"
          "      --list-formats        print the formats driftscope opens (Markdown) and exit\n"
          "  -q, --quiet               print nothing but errors\n"
          "  -h, --help                show this help\n"
          "  -V, --version             show the version\n"
          "\n"
          "Exit status: 0 identical (or every difference accepted), 1 different, 2 trouble.\n"
          "Reports: OUTDIR/checklist.md (read this first), OUTDIR/report.json.\n"
          "Called as diffoscope (rebuilderd, archlinux-repro): see man driftscope.\n",
          out);
}

static bool parse_seconds(const char *text, double *value)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !isfinite(v) || v < 0 || v > 1e7)
        return false;
    *value = v;
    return true;
}

static bool parse_size(const char *text, unsigned long long *value)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || text[0] == '-')
        return false;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10, end++;
    else if (*end == 'M' || *end == 'm')
        shift = 20, end++;
    else if (*end == 'G' || *end == 'g')
        shift = 30, end++;
    if (*end != '\0' || v > (~0ull >> shift))
        return false;
    *value = v << shift;
    return *value >= (16ull << 20);
}

static bool parse_count(const char *text, size_t *value)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-')
        return false;
    *value = (size_t)v;
    return true;
}

/* Returned by option_apply when parsing goes on. */
#define OPTION_NEXT (-1)

/* The options whose value is a number: false (after a message to err) when it is not one. */
static bool option_number_apply(int c, const char *value, ds_options_t *opts, FILE *err)
{
    size_t count;
    switch (c) {
    case OPT_STAGE_TIMEOUT:
        if (parse_seconds(value, &opts->stage_timeout))
            return true;
        fprintf(err, "driftscope: --stage-timeout wants seconds (0 to 1e7), not '%s'\n", value);
        return false;
    case OPT_MAX_DIFFERENCES:
        if (parse_count(value, &opts->max_differences))
            return true;
        fprintf(err, "driftscope: --max-differences wants a count, not '%s'\n", value);
        return false;
    case 'j':
        if (parse_count(value, &count) && count >= 1 && count <= 256) {
            opts->jobs = (unsigned)count;
            return true;
        }
        fprintf(err, "driftscope: --jobs wants a count from 1 to 256, not '%s'\n", value);
        return false;
    case OPT_MAX_DEPTH:
        if (parse_count(value, &count) && count <= 64) {
            opts->max_depth = (unsigned)count;
            return true;
        }
        fprintf(err, "driftscope: --max-depth wants a count from 0 to 64, not '%s'\n", value);
        return false;
    default: /* OPT_MAX_MEMORY */
        if (parse_size(value, &opts->max_memory))
            return true;
        fprintf(err, "driftscope: --max-memory wants a size of at least 16M (K, M, G), not '%s'\n", value);
        return false;
    }
}

/* The answer's options and diffoscope's that rebuilders pass (issue 12). */
static int option_answer_apply(int c, const char *value, ds_options_t *opts, FILE *err)
{
    switch (c) {
    case OPT_TEXT: opts->text_file = value; return OPTION_NEXT;
    case OPT_JSON: opts->diffoscope_json = value; return OPTION_NEXT;
    case OPT_HTML: opts->html_copy = value; return OPTION_NEXT;
    case OPT_COLOR:
        if (strcmp(value, "auto") == 0 || strcmp(value, "always") == 0 || strcmp(value, "never") == 0) {
            opts->color = value[0] == 'n' ? DS_COLOR_NEVER : value[1] == 'l' ? DS_COLOR_ALWAYS : DS_COLOR_AUTO;
            return OPTION_NEXT;
        }
        fprintf(err, "driftscope: --color wants auto, always or never, not '%s'\n", value);
        return DS_OPTIONS_EXIT_USAGE;
    case OPT_TIMEOUT:
        if (parse_seconds(value, &opts->total_timeout))
            return OPTION_NEXT;
        fprintf(err, "driftscope: --timeout wants seconds (0 to 1e7), not '%s'\n", value);
        return DS_OPTIONS_EXIT_USAGE;
    case OPT_MAX_REPORT_SIZE:
        if (parse_count(value, &opts->max_report_size))
            return OPTION_NEXT;
        fprintf(err, "driftscope: --max-report-size wants a count of bytes, not '%s'\n", value);
        return DS_OPTIONS_EXIT_USAGE;
    default: /* OPT_EXCLUDE */
        if (opts->exclude_count < DS_EXCLUDE_MAX) {
            opts->exclude[opts->exclude_count++] = value;
            return OPTION_NEXT;
        }
        fprintf(err, "driftscope: at most %d --exclude globs\n", DS_EXCLUDE_MAX);
        return DS_OPTIONS_EXIT_USAGE;
    }
}

/* Applies the option getopt_long returned as c. Returns OPTION_NEXT, or the exit verdict of
 * an option that ends parsing (--help, --version, the lists, a bad option). */
static int option_apply(int c, char **argv, ds_options_t *opts, FILE *out, FILE *err)
{
    switch (c) {
    case 'o': opts->output_dir = optarg; return OPTION_NEXT;
    case OPT_ACCEPT: opts->accept_file = optarg; return OPTION_NEXT;
    case OPT_DIFFOSCOPE_JSON: opts->diffoscope_json = optarg; return OPTION_NEXT;
    case 'q': opts->quiet = true; return OPTION_NEXT;
    case OPT_TEXT: case OPT_COLOR: case OPT_TIMEOUT: case OPT_JSON: case OPT_HTML:
    case OPT_MAX_REPORT_SIZE: case OPT_EXCLUDE:
        return option_answer_apply(c, optarg, opts, err);
    case OPT_STAGE_TIMEOUT:
    case OPT_MAX_DIFFERENCES:
    case 'j':
    case OPT_MAX_DEPTH:
    case OPT_MAX_MEMORY:
        return option_number_apply(c, optarg, opts, err) ? OPTION_NEXT : DS_OPTIONS_EXIT_USAGE;
    case OPT_DEEP_TOOL:
        if (strcmp(optarg, "diffoscope") != 0) {
            fprintf(err, "driftscope: --deep-tool knows only diffoscope, not '%s'\n", optarg);
            return DS_OPTIONS_EXIT_USAGE;
        }
        opts->deep_tool = "diffoscope";
        return OPTION_NEXT;
    case OPT_LIST_CAUSES: ds_causes_print(out); return DS_OPTIONS_EXIT_OK;
    case OPT_LIST_FORMATS: ds_formats_print(out); return DS_OPTIONS_EXIT_OK;
    case 'h': ds_options_usage(out); return DS_OPTIONS_EXIT_OK;
    case 'V': fprintf(out, "driftscope %s\n", DS_VERSION); return DS_OPTIONS_EXIT_OK;
    case ':':
        fprintf(err, "driftscope: option '%s' needs a value\n", argv[optind - 1]);
        return DS_OPTIONS_EXIT_USAGE;
    default:
        if (ds_diffoscope_option_known(argv[optind - 1]))
            fprintf(err, "driftscope: diffoscope option %.*s is not supported (driftscope reads its "
                         "inputs itself; see man driftscope)\n",
                    (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
        else
            fprintf(err, "driftscope: unknown option '%s' (see --help)\n", argv[optind - 1]);
        return DS_OPTIONS_EXIT_USAGE;
    }
}

/* After the options: the default thread count, then the two inputs and -o. */
static int options_finish(int argc, char **argv, ds_options_t *opts, FILE *err)
{
    if (opts->jobs == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        opts->jobs = cores < 1 ? 1 : cores > 64 ? 64 : (unsigned)cores;
    }
    if (argc - optind != 2) {
        fprintf(err, "driftscope: two inputs are needed, A and B (see --help)\n");
        return DS_OPTIONS_EXIT_USAGE;
    }
    opts->input[0] = argv[optind];
    opts->input[1] = argv[optind + 1];
    /* No -o: the answer goes to stdout; main runs in a private temporary directory. */
    opts->answer_on_stdout = opts->output_dir == NULL;
    return DS_OPTIONS_RUN;
}

int ds_options_parse(int argc, char **argv, ds_options_t *opts, FILE *out, FILE *err)
{
    memset(opts, 0, sizeof *opts);
    opts->stage_timeout = DS_DEFAULT_STAGE_TIMEOUT;
    opts->max_differences = DS_DEFAULT_MAX_DIFFERENCES;
    opts->max_depth = DS_DEFAULT_MAX_DEPTH;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:j:qhV", long_options, NULL)) != -1) {
        int verdict = option_apply(c, argv, opts, out, err);
        if (verdict != OPTION_NEXT)
            return verdict;
    }
    return options_finish(argc, argv, opts, err);
}
