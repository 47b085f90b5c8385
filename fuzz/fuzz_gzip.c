/* The gzip format: member header fields and the decoded payload (bounded by the inflate ratio). */
#include "formats/format.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_source_t *src = fuzz_source(data, size);
    const ds_format_t *gzip = ds_format_find("gzip");
    void *state = NULL;
    ds_format_open_t how = {.layer = "fuzz"};
    if (src != NULL && gzip->bid(src) > 0 && gzip->open(&state, src, &how, NULL) == DS_OK) {
        ds_fields_t fields = {0};
        gzip->fields(state, &fields, NULL);
        ds_fields_free(&fields);
        ds_source_t *payload = NULL;
        if (gzip->payload(state, &payload, NULL) == DS_OK) {
            unsigned char out[65536];
            size_t got = 0;
            for (uint64_t pos = 0; pos < ds_source_size(payload); pos += got)
                if (ds_source_read_some(payload, pos, out, sizeof out, &got, NULL) != DS_OK || got == 0)
                    break;
            ds_source_close(payload);
        }
        gzip->close(state);
    }
    ds_source_close(src);
    return 0;
}
