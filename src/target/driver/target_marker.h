/*
 * target_marker.h - the instruction-count marker. The QEMU plugin (qemu_plugin/insn_count.c)
 * snapshots the executed-instruction counters each time target_marker's first instruction runs.
 * It is defined alone in target_marker.c (no other code in that translation unit, no LTO), so no
 * call to it can be inlined, merged or removed; its body is a single return (BX LR).
 *
 * Force-included (-include target_marker.h) when compiling the runner, so that its
 * MODEL_LAYER_HOOK(i) at the end of each layer becomes a marker call. The layer index is not
 * passed (the plugin sees hits in order), so every call site costs the same two instructions,
 * BL + the marker's BX LR, which the driver measures (calibration) and the host subtracts.
 */
#ifndef TARGET_MARKER_H
#define TARGET_MARKER_H

void target_marker(void);

#define MODEL_LAYER_HOOK(layer) target_marker()

#endif /* TARGET_MARKER_H */
