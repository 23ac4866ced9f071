// CPU exceptions raised while executing an instruction. They are thrown (the
// hot path never checks error codes) and caught by the block executor, which
// knows which instruction faulted.

import type { AccessKind, SegvCode } from "../mm/fault.js";

export const X86_TRAP_DE = 0; // divide error
export const X86_TRAP_DB = 1; // debug (single-step)
export const X86_TRAP_BP = 3; // int3
export const X86_TRAP_UD = 6; // invalid opcode
export const X86_TRAP_GP = 13; // general protection (non-canonical address, privileged insn)
export const X86_TRAP_PF = 14; // page fault
export const X86_TRAP_MF = 16; // x87 error
export const X86_TRAP_XF = 19; // SIMD floating-point exception

/**
 * What the kernel needs beyond the vector: for a page fault, the access and
 * the si_code it reports; for an instruction the translator lacks, only that
 * (the death report's disassembly already names it).
 */
export type ExceptionCause = { kind: "page-fault"; access: AccessKind; code: SegvCode; bus: boolean } | { kind: "not-implemented" };

export class CpuException {
  constructor(
    readonly vector: number,
    /** For #PF the faulting address; for #GP 0. */
    readonly addr = 0,
    /** Why, in words ("non-canonical branch target"). */
    readonly detail = "",
    readonly cause?: ExceptionCause,
  ) {}
}

/** Thrown by the instruction translator for an instruction it does not implement: the guest gets SIGILL. */
export function undefinedOpcode(detail: string): CpuException {
  return new CpuException(X86_TRAP_UD, 0, detail, { kind: "not-implemented" });
}
