/* driftscope: the command line only. Parse, run the pipeline, print a short summary, exit
 * 0 identical, 1 different, 2 trouble. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "answer.h"
#include "explain/causes.h"
#include "options.h"
#include "pipeline.h"

static void print_summary(const ds_run_t *run, int status)
{
    static const char *const verdicts[] = {"identical", "different", "trouble"};
    printf("driftscope: %s", verdicts[status]);
    if (status != 0)
        printf(" (%zu differences)", ds_findings_total(&run->findings));
    printf("\n");
    for (int i = 0; i < DS_STAGE_COUNT; i++)
        printf("  %-9s %-8s %7.2f s%s%s\n", ds_stage_name((ds_stage_id_t)i),
               ds_stage_status_name(run->stages[i].status), run->stages[i].seconds,
               run->stages[i].message ? "  " : "",
               run->stages[i].message && strlen(run->stages[i].message) < 100 ? run->stages[i].message
               : run->stages[i].message ? "(see checklist.md)" : "");
    /* The root causes, most differences first. */
    size_t count = 0;
    const ds_cause_t *all = ds_causes_all(&count);
    size_t shown = 0;
    for (size_t c = 0; c < count && shown < 10; c++) {
        size_t roots = 0;
        for (size_t i = 0; i < run->findings.count; i++)
            roots += !run->findings.items[i].secondary && strcmp(run->findings.items[i].cause, all[c].id) == 0;
        if (roots == 0)
            continue;
        if (shown++ == 0)
            printf("root causes:\n");
        printf("  %-20s %6zu  %s\n", all[c].id, roots, all[c].fix ? all[c].fix : "look at the diff in the reports");
    }
    if (run->accept != NULL)
        printf("accepted: %zu differences%s\n", run->accepted, run->all_accepted ? " (all root differences)" : "");
    printf("reports: %s/checklist.md, %s/report.json\n", run->options->output_dir,
           run->options->output_dir);
}

int main(int argc, char **argv)
{
    ds_options_t options;
    switch (ds_options_parse(argc, argv, &options, stdout, stderr)) {
    case DS_OPTIONS_EXIT_OK:
        return 0;
    case DS_OPTIONS_EXIT_USAGE:
        return 2;
    default:
        break;
    }
    /* No -o: the run works in a private temporary directory, removed at the end. */
    char tempdir[4096];
    if (options.answer_on_stdout) {
        ds_error_t err = {0};
        if (ds_answer_tempdir(tempdir, sizeof tempdir, &err) != DS_OK) {
            fprintf(stderr, "driftscope: %s\n", err.message);
            return 2;
        }
        options.output_dir = tempdir;
    }
    ds_run_t run;
    int status = ds_pipeline_run(&options, &run);
    /* --diffoscope-json -: the JSON is all that stdout holds. */
    bool json_on_stdout = options.diffoscope_json != NULL && strcmp(options.diffoscope_json, "-") == 0;
    if (run.out_fd >= 0) {
        ds_error_t err = {0};
        if (ds_answer_write(&run, &err) != DS_OK) {
            fprintf(stderr, "driftscope: %s\n", err.message);
            status = 2;
        }
        if (!options.quiet && !options.answer_on_stdout && !ds_answer_on_stdout(&options) && !json_on_stdout)
            print_summary(&run, status);
    }
    ds_run_free(&run);
    if (options.answer_on_stdout)
        ds_answer_tempdir_remove(tempdir);
    return status;
}
