/* Runs a harness over files without libFuzzer: the regression inputs in CI, under ASan+UBSan. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"

int main(int argc, char **argv)
{
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            fprintf(stderr, "%s: cannot open\n", argv[i]);
            failed = 1;
            continue;
        }
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, 0, SEEK_SET);
        unsigned char *data = malloc(size > 0 ? (size_t)size : 1);
        if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            failed = 1;
        } else {
            LLVMFuzzerTestOneInput(data, (size_t)size);
        }
        free(data);
        fclose(f);
    }
    printf("%d inputs replayed\n", argc - 1);
    return failed;
}
