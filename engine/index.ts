// The engine's library API: load a binary, read its symbols, disassemble,
// run it (with or without the uprobe model), read and write registers and
// memory. The DSL session layer (lab/), the command line and the notebooks
// are built on these exports.

export { Binary, loadBinary, openBinary, type DisasmLine, type Sym } from "./binary.js";
export { UserError } from "./errors.js";
export { DEFAULT_GHZ, Machine, type MachineOptions, type RunResult } from "./machine.js";
export { BufferIo, ProcessIo } from "./os/host-io.js";
export type { HostIo } from "./os/kernel.js";
export type { ExitState } from "./os/process.js";
export { signalName } from "./os/signals.js";
export { Uprobes, type UprobesOptions } from "./uprobes/index.js";
export { COST_PROFILES, DEFAULT_COST, loadCostProfile, validateProfile, type CostProfile } from "./uprobes/cost.js";
export { DEFAULT_KERNEL, kernelVersions, resolveKernel, type KernelGeneration } from "./uprobes/generations.js";
export { analyzeInsn, hitPath, type ArchUprobe } from "./uprobes/index.js";
export type { ProbeStats, TraceEvent, TrapKind, ProbePath } from "./uprobes/accounting.js";
export { UPROBE_HANDLER_IGNORE, UPROBE_HANDLER_REMOVE, type Consumer, type ConsumerContext, type UprobeConsumer } from "./uprobes/state.js";
export { GPR_NAMES } from "./cpu/registers.js";
