#include "gate/gates.h"
int gate_run_apparmor(gate_files_t *f, const gate_apparmor_options_t *o, gate_result_t *r, ds_error_t *e) { (void)f; (void)o; (void)r; return ds_error_set(e, DS_ERR_USAGE, "not yet"); }
