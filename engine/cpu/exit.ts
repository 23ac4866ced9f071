// Why a CPU run stops: the pending event (syscall, int3) and the exit codes of
// Cpu.run(). A leaf module, so the instruction families can name them
// without importing the CPU (ops/system.ts -> cpu.ts -> translate.ts -> ops).

export const enum Event {
  None = 0,
  Syscall = 1,
  /** int3 executed: rip is the address after it (the kernel's regs->ip = bp + 1). */
  Breakpoint = 2,
  /** `int $0x80`: the i386 system-call ABI from 64-bit code (entry_INT80_compat); rip is the next instruction. */
  Int80 = 3,
}

export const enum Exit {
  /** An Event is pending (see cpu.event). */
  Event = 1,
  /** A CPU exception; see cpu.exception and cpu.faultInsn. rip is the faulting instruction. */
  Exception = 2,
  /** One instruction ran with TF set: #DB (trap), rip is the next instruction. */
  SingleStep = 3,
  /** The instruction limit given to run() was reached at an instruction boundary. */
  Limit = 4,
  /** trapHandler handled an event or a single step and asked run() to return (signals, exit, stop). */
  Handled = 5,
}

/** What an Int3Direct (cpu.ts) did with an int3. */
export const enum Int3 {
  /** Not handled: the trap path follows. */
  Trap = 0,
  /** Handled: run() goes on. */
  GoOn = 1,
  /** Handled: run() returns Exit.Handled. */
  Return = 2,
}
