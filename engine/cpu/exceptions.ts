// CPU exceptions raised while executing an instruction. They are thrown (the
// hot path never checks error codes) and caught by the block executor, which
// knows which instruction faulted.

export const X86_TRAP_DE = 0; // divide error
export const X86_TRAP_DB = 1; // debug (single-step)
export const X86_TRAP_BP = 3; // int3
export const X86_TRAP_UD = 6; // invalid opcode
export const X86_TRAP_GP = 13; // general protection (non-canonical address, privileged insn)
export const X86_TRAP_PF = 14; // page fault
export const X86_TRAP_MF = 16; // x87 error
export const X86_TRAP_XF = 19; // SIMD floating-point exception

export class CpuException {
  constructor(
    readonly vector: number,
    /** For #PF the faulting address; for #GP 0. */
    readonly addr = 0,
    readonly detail = "",
  ) {}
}

