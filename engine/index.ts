// The engine's front door: load a binary, read its symbols, disassemble, run
// it (with or without the uprobe model), read and write registers and
// memory. lab/, cli/ and kernel/ import the engine only from here; what they
// need and this file lacks belongs in it.

export { Binary, loadBinary, openBinary, type DisasmLine, type Sym } from "./binary.js";
export { UserError } from "./errors.js";
export { readHostFile } from "./host-file.js";
export { Machine, MIN_MEMORY, type MachineOptions, type RunResult } from "./machine.js";
export { GPR_NAMES } from "./cpu/registers.js";
export { defaultTier, isTier, type Tier } from "./cpu/jit/tier.js";
export type { AddressSpace } from "./mm/address-space.js";
export { vmaFileOffset } from "./mm/vma.js";

// the Linux model: the guest's streams, its view of the host's files, exit and signals
export { BufferIo, OUTPUT_TAIL_BYTES, ProcessIo } from "./os/host-io.js";
export type { HostIo, Linux } from "./os/linux.js";
export type { ElfImage } from "./os/elf.js";
export { DEFAULT_LIB_DIRS, fileId, GuestFs } from "./os/guest-fs.js";
export { findLibraries, type FoundLibrary } from "./os/library-search.js";
export type { ExitState } from "./os/process.js";
export { signalName } from "./os/signals.js";
export { DEFAULT_CPUS, DEFAULT_MAX_TASKS, DEFAULT_QUANTUM } from "./os/scheduler.js";
// a tool's event probes: timers on the virtual clock, syscall tracepoints
export { MAX_TIMER_FIRINGS, TimerQueue, type VirtualTimer } from "./os/timers.js";
export { SyscallTrace, type SyscallTraceConsumer } from "./os/syscall-trace.js";
export type { Task } from "./os/task.js";

// the uprobe model, through its own public surface
export {
  COST_PROFILES, DEFAULT_COST, DEFAULT_GHZ, DEFAULT_KERNEL, FACT_SOURCES, KERNEL_GENERATIONS, UPROBE_HANDLER_IGNORE, UPROBE_HANDLER_REMOVE, Uprobes,
  analyzeInsn, hitPath, kernelVersions, loadCostProfile, newStats, releaseString, resolveKernel, totalTraps, validateProfile,
  type ArchUprobe, type Consumer, type ConsumerContext, type CostProfile, type KernelGeneration, type ProbePath, type ProbeStats,
  type TraceEvent, type TrapKind, type UprobeConsumer, type UprobesOptions,
} from "./uprobes/index.js";

// USDT probes: the notes of .note.stapsdt and their argument specs
export { readUsdtNotes, type UsdtNote } from "./usdt-notes.js";
export { usdtArgReader, UsdtSpecError, type UsdtArg } from "./usdt-args.js";
// the .eh_frame (CFI) unwinder: ustack(cfi)
export { rowAt, rowsOf, type CfaRule, type CfiRow, type RegRule } from "./cfi/cfa-rules.js";
export { EhFrame, type Cie, type Fde } from "./cfi/eh-frame.js";
export { ehFrameOf } from "./cfi/elf-cfi.js";
export { CFI_MAX_DEPTH, codeAtIn, unwindCfi, type CodeAt, type UnwindInput } from "./cfi/unwind.js";
