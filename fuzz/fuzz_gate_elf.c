/* imagegate's ELF imports reader (gate/elf_imports.c): DT_NEEDED, RPATH/RUNPATH and the
 * undefined dynamic symbols of a hostile object; every string it returns lies inside bounds. */
#include <string.h>

#include "fuzz_common.h"
#include "gate/elf_imports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_source_t *src = fuzz_source(data, size);
    if (src == NULL)
        return 0;
    gate_elf_imports_t imports = {0};
    ds_error_t err = {0};
    if (gate_elf_imports_read(src, &imports, &err) == DS_OK) {
        for (size_t i = 0; i < imports.needed_count; i++)
            if (strlen(imports.needed[i]) >= GATE_ELF_NAME_MAX)
                __builtin_trap(); /* a name past its limit */
        if (imports.net_call[0] && !gate_elf_is_network_call(imports.net_call))
            __builtin_trap(); /* a call that is not in the table */
    }
    gate_elf_imports_free(&imports);
    ds_source_close(src);
    return 0;
}
