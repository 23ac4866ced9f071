// The arch side of uretprobes (arch/x86/kernel/uprobes.c): the trampoline
// bytes, arch_uretprobe_hijack_return_addr(), arch_uretprobe_is_alive() and
// sys_uretprobe (335, 6.11+).

import { Gpr } from "../../cpu/registers.js";
import type { Cpu } from "../../cpu/cpu.js";
import { readFrame, writeFrame } from "./frame.js";
import type { Task } from "../../os/task.js";
import type { KernelGeneration } from "../generations.js";
import type { ReturnInstance } from "../state.js";
import type { UprobeArchContext } from "./arch-uprobe.js";
import { getUserLong, putUserLong, sizeofLong } from "./word-size.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const RAX = Gpr.RAX, RCX = Gpr.RCX, R11 = Gpr.R11, RSP = Gpr.RSP;

/** uretprobe_trampoline (6.11+, 64-bit tasks): push %rax; push %rcx; push %r11; mov $335,%rax; syscall; pop %r11; pop %rcx; ret; int3. */
const URETPROBE_SYSCALL_TRAMPOLINE = new Uint8Array([
  0x50, 0x51, 0x41, 0x53, 0x48, 0xc7, 0xc0, 0x4f, 0x01, 0x00, 0x00, 0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3, 0xcc,
]);
/** Offset of uretprobe_syscall_check (the instruction after the syscall): the only ip sys_uretprobe accepts. */
const URETPROBE_SYSCALL_CHECK = 13;

/** arch_uprobe_trampoline(): the bytes written to XOL slot 0 (an int3 before 6.11, and for 32-bit tasks in every generation: user_64bit_mode() only). */
export function archUprobeTrampoline(gen: KernelGeneration, bits: 64 | 32): Uint8Array {
  if (gen.uretprobeReturn === "syscall335" && bits === 64) return URETPROBE_SYSCALL_TRAMPOLINE;
  return new Uint8Array([0xcc]); // UPROBE_SWBP_INSN
}

/** arch_uretprobe_hijack_return_addr() results that are not an address. */
export const HIJACK_READ_FAULT = -1;
export const HIJACK_WRITE_FAULT = -2;

/**
 * arch_uretprobe_hijack_return_addr(): replace the return address at sp with
 * the trampoline; returns the original one (the trampoline itself for a
 * chained call), or HIJACK_READ_FAULT / HIJACK_WRITE_FAULT. rasize is
 * sizeof_long(): a compat task before 5.3 has 8 bytes read and written, its
 * return address and the word above it (the caller's), which the trampoline's
 * zero high half overwrites and the return then takes as the high half of ip.
 */
export function archUretprobeHijackReturnAddr(cpu: Cpu, trampolineVaddr: number, gen: KernelGeneration): number {
  const sp = cpu.getRegNum(RSP);
  const rasize = sizeofLong(gen, cpu.bitness);
  if (rasize === 8) {
    // the 64-bit word through frame.ts: one page check instead of two faulting accessors
    if (readFrame(cpu.mem, sp, word, 1)) return HIJACK_READ_FAULT;
    const orig = word[1]! * TWO32 + (word[0]! >>> 0);
    if (orig === trampolineVaddr) return orig;
    word[0] = trampolineVaddr | 0;
    word[1] = Math.floor(trampolineVaddr / TWO32) | 0;
    return writeFrame(cpu.mem, sp, word, 1) ? HIJACK_WRITE_FAULT : orig;
  }
  const orig = getUserLong(cpu.mem, sp, rasize);
  if (orig === undefined) return HIJACK_READ_FAULT;
  if (orig === trampolineVaddr) return orig;
  return putUserLong(cpu.mem, sp, 4, trampolineVaddr, 0) ? HIJACK_WRITE_FAULT : orig;
}

const TWO32 = 4294967296;
/** The return address as a (lo, hi) pair: one scratch, no allocation per entry hit. */
const word = new Int32Array(2);

/** arch_uretprobe_is_alive(): RP_CHECK_CALL uses sp < stack (strict), RP_CHECK_RET and RP_CHECK_CHAIN_CALL use sp <= stack. */
export function archUretprobeIsAlive(ri: ReturnInstance, strict: boolean, sp: number): boolean {
  return strict ? sp < ri.stack : sp <= ri.stack;
}

/** struct uretprobe_syscall_args { r11, cx, ax } as (lo, hi) pairs: one scratch, no allocation per return. */
const args = new Int32Array(6);

/**
 * sys_uretprobe (335, 6.11+): only legal from the trampoline, right after
 * its syscall instruction. Restores r11/rcx/rax saved by the trampoline,
 * handles the return, and arranges for the trampoline's ret to reach it.
 * Registers move as 32-bit halves: rax must survive bit-exact.
 */
export function sysUretprobe(ctx: UprobeArchContext, task: Task): number | "noreturn" {
  const cpu = task.proc.cpu;
  const L = cpu.lo, H = cpu.hi;
  const m = cpu.mem;
  const area = ctx.mmState(task.proc.mm).xolArea;
  if (!area || cpu.rip !== area.vaddr + URETPROBE_SYSCALL_CHECK) return sysUretprobeSigill(ctx, task, "sys_uretprobe called from outside the trampoline");
  const sp0 = cpu.getRegNum(RSP);
  if (readFrame(m, sp0, args, 3)) return sysUretprobeSigill(ctx, task, "sys_uretprobe cannot read the saved registers");
  L[R11] = args[0]!;
  H[R11] = args[1]!;
  L[RCX] = args[2]!;
  H[RCX] = args[3]!;
  L[RAX] = args[4]!;
  H[RAX] = args[5]!;
  const sp = sp0 + 24;
  cpu.setRegNum(RSP, sp);
  const ip = cpu.rip;
  ctx.handleTrampoline(task, "uretprobe_syscall");
  if (cpu.getRegNum(RSP) !== sp) return "noreturn"; // a consumer moved sp: return via iret, rax as it is
  cpu.setRegNum(RSP, sp - 24);
  const ret = cpu.rip;
  args[0] = L[R11]!;
  args[1] = H[R11]!;
  args[2] = L[RCX]!;
  args[3] = H[RCX]!;
  args[4] = ret | 0; // the rax slot carries the return address for the trampoline's ret
  args[5] = Math.floor(ret / TWO32) | 0;
  if (writeFrame(m, sp - 24, args, 3)) return sysUretprobeSigill(ctx, task, "sys_uretprobe cannot write the trampoline frame");
  cpu.rip = ip;
  // sysret: r11 = flags, rcx = ip; rax keeps the function's return value
  cpu.setRegNum(R11, cpu.rflags);
  cpu.setRegNum(RCX, ip);
  return "noreturn";
}

function sysUretprobeSigill(ctx: UprobeArchContext, task: Task, why: string): "noreturn" {
  ctx.forceSigill(task, why);
  task.proc.cpu.setRegNum(RAX, -1);
  return "noreturn";
}
