/* gzip member headers and the streaming decompressor (bounded). */
#include "decode/gzip_stream.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_source_t *src = fuzz_source(data, size);
    if (src == NULL)
        return 0;
    ds_fields_t fields = {0};
    uint64_t header = 0;
    ds_gzip_header_fields(src, &fields, &header, NULL);
    ds_fields_free(&fields);
    ds_gzip_reader_t reader;
    if (ds_gzip_reader_open(&reader, src, NULL) == DS_OK) {
        unsigned char out[65536];
        size_t got = 0;
        for (int i = 0; i < 256 && ds_gzip_reader_read(&reader, out, sizeof out, &got, NULL) == DS_OK && got; i++)
            ;
        ds_gzip_reader_close(&reader);
    }
    ds_source_close(src);
    return 0;
}
