// The uprobe model's public surface: what code outside engine/uprobes may use.
// The generic side (kernel/events/uprobes.c) is in this folder, the x86 side
// (arch/x86/kernel/uprobes.c) in x86/; see README.md.

export { Uprobes, type UprobesOptions } from "./uprobes.js";
export { newStats, totalTraps, type ProbePath, type ProbeStats, type TraceEvent, type TrapKind } from "./accounting.js";
export { COST_PROFILES, DEFAULT_COST, DEFAULT_GHZ, loadCostProfile, validateProfile, type CostProfile } from "./cost.js";
export { DEFAULT_KERNEL, FACT_SOURCES, KERNEL_GENERATIONS, kernelVersions, releaseString, resolveKernel, type KernelGeneration } from "./generations.js";
export { UPROBE_HANDLER_IGNORE, UPROBE_HANDLER_REMOVE, type Consumer, type ConsumerContext, type UprobeConsumer } from "./state.js";
export { analyzeInsn, hitPath, type AnalysisResult } from "./x86/analyze.js";
export type { ArchUprobe } from "./x86/arch-uprobe.js";
