// The engine's front door: load a binary, read its symbols, disassemble, run
// it (with or without the uprobe model), read and write registers and
// memory. lab/, cli/ and kernel/ import the engine only from here; what they
// need and this file lacks belongs in it.

export { Binary, loadBinary, openBinary, type DisasmLine, type Sym } from "./binary.js";
export { UserError } from "./errors.js";
export { Machine, type MachineOptions, type RunResult } from "./machine.js";
export { GPR_NAMES } from "./cpu/registers.js";
export type { AddressSpace } from "./mm/address-space.js";
export { vmaFileOffset } from "./mm/vma.js";

// the Linux model: the guest's streams, its view of the host's files, exit and signals
export { BufferIo, ProcessIo } from "./os/host-io.js";
export type { HostIo, Linux } from "./os/linux.js";
export type { ElfImage } from "./os/elf.js";
export { DEFAULT_LIB_DIRS, fileId, GuestFs } from "./os/guest-fs.js";
export { findLibraries, type FoundLibrary } from "./os/library-search.js";
export type { ExitState } from "./os/process.js";
export { signalName } from "./os/signals.js";

// the uprobe model (kept in one block: it is re-pointed to ./uprobes/index.js as a whole)
export { Uprobes, type UprobesOptions } from "./uprobes/core.js";
export { COST_PROFILES, DEFAULT_COST, DEFAULT_GHZ, loadCostProfile, validateProfile, type CostProfile } from "./uprobes/cost.js";
export { DEFAULT_KERNEL, kernelVersions, releaseString, resolveKernel, type KernelGeneration } from "./uprobes/generations.js";
export { FACT_SOURCES, KERNEL_GENERATIONS } from "./uprobes/insn-tables.js";
export { analyzeInsn, hitPath, type ArchUprobe } from "./uprobes/analyze.js";
export { totalTraps, type ProbeStats, type TraceEvent, type TrapKind, type ProbePath } from "./uprobes/accounting.js";
export { UPROBE_HANDLER_IGNORE, UPROBE_HANDLER_REMOVE, type Consumer, type ConsumerContext, type UprobeConsumer } from "./uprobes/state.js";
