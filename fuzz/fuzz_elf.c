/* ELF header and section table. */
#include "decode/elf_sections.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_source_t *src = fuzz_source(data, size);
    if (src == NULL)
        return 0;
    ds_elf_t elf;
    if (ds_elf_probe(src))
        ds_elf_open(src, &elf, NULL), ds_elf_free(&elf);
    ds_source_close(src);
    return 0;
}
