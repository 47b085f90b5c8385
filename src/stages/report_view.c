/* The read-only view report.html is written from, taken from the run once every stage but the
 * report has finished. */
#include "../pipeline.h" /* ds_run_t; DS_VERSION through options.h */
#include "../report/view.h"

void ds_report_view_build(const ds_run_t *run, const char *verdict, ds_report_view_t *view,
                          ds_report_stage_t *stages, ds_report_layer_t *layers)
{
    *view = (ds_report_view_t){
        .version = DS_VERSION,
        .verdict = verdict,
        .exit_status = ds_run_exit_status(run),
        .identical = run->identical,
        .findings = &run->findings,
        .stages = stages,
        .stage_count = DS_STAGE_COUNT,
        .chunks = run->chunks_valid ? &run->chunks : NULL,
        .layers = layers,
        .layer_count = run->container_count,
    };
    for (int i = 0; i < 2; i++) {
        const ds_side_t *s = &run->side[i];
        view->inputs[i] = (ds_report_input_t){
            .name = s->name,
            .path = s->path,
            .type = s->type,
            .size_known = s->size_known,
            .size = s->size,
            .sha256 = s->sha256_known ? s->sha256 : NULL,
        };
    }
    for (int i = 0; i < DS_STAGE_COUNT; i++) {
        const ds_stage_result_t *s = &run->stages[i];
        stages[i] = (ds_report_stage_t){
            .name = ds_stage_name((ds_stage_id_t)i),
            /* The report stage is still running while the page is written. */
            .status = i == DS_STAGE_REPORT ? "ok" : ds_stage_status_name(s->status),
            .seconds = s->seconds,
            .message = s->message,
        };
    }
    for (size_t i = 0; i < run->container_count; i++) {
        const ds_container_t *c = &run->containers[i];
        layers[i] = (ds_report_layer_t){
            .path = c->path,
            .length = c->length[0],
            .marks = (const uint64_t(*)[2])c->marks,
            .mark_count = c->mark_count,
        };
    }
}
