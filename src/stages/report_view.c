/* The read-only view the reports are written from, taken from the run once every stage but the
 * report has finished. */
#include "report_view.h"

static void build_inputs(const ds_run_t *run, ds_report_view_t *view)
{
    for (int i = 0; i < 2; i++) {
        const ds_side_t *s = &run->side[i];
        view->inputs[i] = (ds_report_input_t){
            .name = s->name,
            .path = s->path,
            .type = s->type,
            .is_directory = s->is_directory,
            .size_known = s->size_known,
            .size = s->size,
            .sha256 = s->sha256_known ? s->sha256 : NULL,
            .error = s->open_error,
        };
    }
}

static void build_rows(const ds_run_t *run, ds_report_rows_t *rows)
{
    for (int i = 0; i < DS_STAGE_COUNT; i++) {
        const ds_stage_result_t *s = &run->stages[i];
        rows->stages[i] = (ds_report_stage_t){
            .name = ds_stage_name((ds_stage_id_t)i),
            /* The report stage is still running while the reports are written. */
            .status = i == DS_STAGE_REPORT ? "ok" : ds_stage_status_name(s->status),
            .seconds = s->seconds,
            .message = s->message,
            .artifacts = s->artifacts,
            .artifact_count = s->artifact_count,
        };
    }
    for (size_t i = 0; i < run->container_count; i++) {
        const ds_container_t *c = &run->containers[i];
        rows->layers[i] = (ds_report_layer_t){
            .path = c->path,
            .length = c->length[0],
            .marks = (const uint64_t(*)[2])c->marks,
            .mark_count = c->mark_count,
            .files_compared = c->compared_files,
            .settled_without_decompression = c->settled_by_stored_bytes,
            .files_decompressed = c->decompressed_files,
            .blocks_decompressed = c->blocks_decompressed,
            .layers_opened = c->layers_opened,
        };
    }
    for (size_t i = 0; i < run->deep_count; i++) {
        const ds_deep_job_t *job = &run->deep[i];
        rows->deep[i] = (ds_report_deep_t){
            .location = job->location,
            .report = job->report,
            .status = job->status,
            .file_a = job->file_a,
            .file_b = job->file_b,
        };
    }
}

void ds_report_view_build(const ds_run_t *run, const char *verdict, ds_report_view_t *view,
                          ds_report_rows_t *rows)
{
    build_rows(run, rows);
    *view = (ds_report_view_t){
        .version = DS_VERSION,
        .verdict = verdict,
        .exit_status = ds_run_exit_status(run),
        .identity_known = run->identity_known,
        .identical = run->identical,
        .first_difference_known = run->have_first_difference,
        .first_difference = run->first_difference,
        .differing_chunks = run->differing_chunks,
        .findings = &run->findings,
        .max_differences = run->options->max_differences,
        .stages = rows->stages,
        .stage_count = DS_STAGE_COUNT,
        .chunks = run->chunks_valid ? &run->chunks : NULL,
        .layers = rows->layers,
        .layer_count = run->container_count,
        .accept = run->accept,
        .accepted = run->accepted,
        .all_accepted = run->all_accepted,
        .limits = (const char *const *)run->limits,
        .limit_count = run->limit_count,
        .deep = rows->deep,
        .deep_count = run->deep_count,
    };
    build_inputs(run, view);
}
