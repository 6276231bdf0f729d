/* C guest for the xyz:machine/machine world (see ../wit/machine.wit).
 * Bindings in bindings/ come from `wit-bindgen c`; behaviour matches
 * ../machine-rust/src/lib.rs exactly. Built for wasm32-wasi (preview1) as a
 * reactor and adapted with the preview1 reactor adapter. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindings/machine.h"

uint32_t exports_xyz_machine_machine_interface_get_u32(void) {
    return 42;
}

void exports_xyz_machine_machine_interface_get_str(machine_string_t *ret) {
    /* the post-return function frees the result: return a heap copy */
    machine_string_dup(ret, "simple string to return");
}

void exports_xyz_machine_machine_interface_get_vec(machine_list_u8_t *ret) {
    ret->len = 5;
    ret->ptr = malloc(5);
    for (int i = 0; i < 5; i++)
        ret->ptr[i] = (uint8_t)(i + 1);
}

void exports_xyz_machine_machine_interface_run(
    exports_xyz_machine_machine_interface_machine_id_t machine,
    exports_xyz_machine_machine_interface_point_t *start,
    exports_xyz_machine_machine_interface_point_t *destination,
    exports_xyz_machine_machine_interface_run_result_t *ret) {
    char buf[160];
    int n = snprintf(buf, sizeof buf, "machine %" PRIu64 " run from (%" PRIu32 ",%" PRIu32
                     ") to (%" PRIu32 ",%" PRIu32 ")",
                     machine, start->x, start->y, destination->x, destination->y);
    ret->machine_id = machine;
    machine_string_dup_n(&ret->message, buf, (size_t)n);
}

uint32_t exports_xyz_machine_machine_interface_count_symbols(machine_string_t *s) {
    /* count Unicode scalar values of valid UTF-8: every byte that is not a
     * continuation byte (10xxxxxx) starts one */
    uint32_t count = 0;
    for (size_t i = 0; i < s->len; i++)
        if ((s->ptr[i] & 0xC0) != 0x80)
            count++;
    machine_string_free(s); /* the callee owns its string arguments */
    return count;
}
