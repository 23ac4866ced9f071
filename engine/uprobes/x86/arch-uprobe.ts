// struct arch_uprobe (arch/x86/include/asm/uprobes.h) and the post-execution
// fixup bits of arch/x86/kernel/uprobes.c: what arch_uprobe_analyze_insn()
// leaves for the ops, once per uprobe.

import type { AddressSpace } from "../../mm/address-space.js";
import type { Task } from "../../os/task.js";
import type { KernelGeneration } from "../generations.js";
import type { MmState } from "../state.js";
import type { KInsn } from "./insn.js";
import type { UprobeXolOps } from "./xol-ops.js";

export const MAX_UINSN_BYTES = 16;
/** int3: what install_breakpoint() writes over byte 0. */
export const UPROBE_SWBP_INSN = 0xcc;

// Post-execution fixups (UPROBE_FIX_*)
export const UPROBE_FIX_IP = 0x01;
export const UPROBE_FIX_CALL = 0x02;
export const UPROBE_FIX_SETF = 0x04;
export const UPROBE_FIX_RIP_SI = 0x08;
export const UPROBE_FIX_RIP_DI = 0x10;
export const UPROBE_FIX_RIP_BX = 0x20;
/** Old (<= 3.15) rip-relative scratch registers. */
export const UPROBE_FIX_RIP_AX = 0x40;
export const UPROBE_FIX_RIP_CX = 0x80;
export const UPROBE_FIX_RIP_MASK = UPROBE_FIX_RIP_SI | UPROBE_FIX_RIP_DI | UPROBE_FIX_RIP_BX | UPROBE_FIX_RIP_AX | UPROBE_FIX_RIP_CX;

export interface ArchUprobe {
  /** insn[] == ixol[]: the XOL copy. Byte 0 is what removal writes back. */
  insn: Uint8Array;
  /** The original file bytes (for display and unoptimize). */
  orig: Uint8Array;
  ilen: number;
  /** auprobe->ops, chosen once at analysis. */
  ops: UprobeXolOps;
  /** branch ops: opc1 (short-Jcc view for near Jcc), offs (rel displacement, 0 for NOPs). */
  opc1: number;
  offs: number;
  /** push ops: the GPR pushed. */
  pushReg: number;
  /** default ops: UPROBE_FIX_* bits. */
  fixups: number;
  /** Old fixup semantics: FIX_IP and FIX_CALL both add the correction (<= 3.15, and --no-emulation for call rel32). */
  oldFixups: boolean;
  /** Old rip-relative scheme: the copy is 4 bytes shorter; post_xol adds 4 to the correction. */
  riprelSqueezed: boolean;
  /** Old scheme: scratch = vaddr + riprelTarget (insn length + disp32). */
  riprelTarget: number;
  /** skip ops of 3.8..3.14: bytes to skip. */
  skipLen: number;
  /** 6.18: ARCH_UPROBE_FLAG_CAN_OPTIMIZE / ARCH_UPROBE_FLAG_OPTIMIZE_FAIL (per uprobe, shared by every process). */
  canOptimize: boolean;
  optimizeFail: boolean;
  kinsn: KInsn;
  /** sizeof_long() of the tasks of the analysed mm (word-size.ts): the width of every emulated push, pop and return-address fixup. */
  longSize: 4 | 8;
}

/**
 * What the arch code asks of the generic side (the calls arch/x86/kernel/
 * uprobes.c makes into kernel/events/uprobes.c and the signal code). The
 * generic side hands one such object to every arch hook; the arch code
 * never sees the subsystem itself.
 */
export interface UprobeArchContext {
  readonly gen: KernelGeneration;
  /** The nop5 optimization is on (6.18 and emulation enabled). */
  readonly optimizeEnabled: boolean;
  /** mm->uprobes_state (the [uprobes-trampoline] pages and the sys_uprobe memo live there). */
  mmState(mm: AddressSpace): MmState;
  /** uprobe_handle_trampoline(): a uretprobe return, reached through the int3 or sys_uretprobe. */
  handleTrampoline(task: Task, via: "uret_trap" | "uretprobe_syscall"): void;
  /** handle_syscall_uprobe(): an optimized hit's handlers. */
  handleSyscallUprobe(task: Task, bp: number): void;
  /** force_sig(SIGILL). */
  forceSigill(task: Task, why: string): void;
  /** send_sig(SIGTRAP): a debugger's single step completed over the probed instruction. */
  sendSigtrap(task: Task): void;
  /** Charge the one-time cost of patching a nop5 site. */
  chargeOptimize(): void;
  /** An event of the hit's trace (hit 0: not traced). */
  trace(hit: number, event: string, addr: number | undefined, detail?: string): void;
}
