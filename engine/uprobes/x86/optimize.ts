// The 6.18 nop5 optimization (ba2bfc97b462 and friends): after the first
// int3 hit on a 5-byte NOP, the site becomes `call [uprobes-trampoline]`, a
// per-process page whose code enters sys_uprobe (336); later hits cost a
// syscall and no exception. Its hazards are modelled, not fixed: the call and
// three pushes write the 32 bytes below the probed function's rsp (red zone),
// and the trampoline page is VM_DONTCOPY while the patched text is inherited
// by fork.

import { Gpr } from "../../cpu/registers.js";
import { ENXIO } from "../../errno.js";
import { PAGE_SIZE, PROT_EXEC, PROT_READ } from "../../mm/page.js";
import { readFrame, writeFrame } from "./frame.js";
import type { Process } from "../../os/process.js";
import type { Task } from "../../os/task.js";
import { hex } from "../accounting.js";
import type { UprobeTrampoline } from "../state.js";
import type { ArchUprobe, UprobeArchContext } from "./arch-uprobe.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const RAX = Gpr.RAX, RCX = Gpr.RCX, R11 = Gpr.R11, RSP = Gpr.RSP;

const TWO32 = 4294967296;
const CALL_INSN_OPCODE = 0xe8;
const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

/** push %rcx; push %r11; push %rax; mov $336,%rax; syscall; pop %rax; pop %r11; pop %rcx; ret; int3 */
const UPROBE_TRAMPOLINE = new Uint8Array([
  0x51, 0x41, 0x53, 0x50, 0x48, 0xc7, 0xc0, 0x50, 0x01, 0x00, 0x00, 0x0f, 0x05, 0x58, 0x41, 0x5b, 0x59, 0xc3, 0xcc,
]);

function inTrampoline(proc: Process, ip: number): boolean {
  const v = proc.mm.findVma(ip);
  return !!v && v.special === "trampoline";
}

/** inTrampoline() for sys_uprobe, memoized per mm for the last ip while its VMAs are unchanged (every hit asks for the same ip). */
function syscallFromTrampoline(ctx: UprobeArchContext, proc: Process, ip: number): boolean {
  const st = ctx.mmState(proc.mm);
  if (st.trampIp !== ip || st.trampVmaGen !== proc.mm.vmaGeneration) {
    st.trampIp = ip;
    st.trampVmaGen = proc.mm.vmaGeneration;
    st.trampResult = inTrampoline(proc, ip);
  }
  return st.trampResult;
}

function sysUprobeSigill(ctx: UprobeArchContext, task: Task, why: string): "noreturn" {
  ctx.forceSigill(task, why);
  task.proc.cpu.setRegNum(RAX, -1);
  return "noreturn";
}

/** is_optimized(): the site holds a call whose target is inside an [uprobes-trampoline] page. */
export function isOptimized(proc: Process, vaddr: number): boolean {
  const b = proc.mm.peek(vaddr, 5);
  if (!b || b[0] !== CALL_INSN_OPCODE) return false;
  const rel = new DataView(b.buffer).getInt32(1, true);
  return inTrampoline(proc, vaddr + 5 + rel);
}

function reachable(tramp: number, vaddr: number): boolean {
  const delta = vaddr + 5 - tramp;
  return delta >= INT_MIN && delta <= INT_MAX;
}

/** get_uprobe_trampoline() / find_nearest_trampoline(): reuse a reachable page or map one nearest to vaddr + 5. */
function getUprobeTrampoline(ctx: UprobeArchContext, proc: Process, vaddr: number): UprobeTrampoline | undefined {
  const state = ctx.mmState(proc.mm);
  for (const t of state.trampolines) if (reachable(t.vaddr, vaddr)) return t;
  const callEnd = vaddr + 5;
  const lo = Math.max(PAGE_SIZE, callEnd + INT_MIN);
  const hi = Math.min(callEnd + INT_MAX, 0x7ffffffff000);
  const at = proc.mm.findFreePageNear(callEnd, lo, hi);
  if (at < 0) return undefined;
  proc.mm.map({ addr: at, length: PAGE_SIZE, prot: PROT_READ | PROT_EXEC, fixed: true, name: "[uprobes-trampoline]", special: "trampoline", dontCopy: true });
  proc.mm.poke(at, UPROBE_TRAMPOLINE);
  const t = { vaddr: at };
  state.trampolines.unshift(t); // hlist_add_head
  return t;
}

/** arch_uprobe_optimize(): called after the handlers of an int3 hit. */
export function archUprobeOptimize(ctx: UprobeArchContext, task: Task, a: ArchUprobe, vaddr: number, traceHit: number): void {
  if (!ctx.optimizeEnabled || !a.canOptimize || a.optimizeFail) return;
  const proc = task.proc;
  const cur = proc.mm.peek(vaddr, 5);
  if (!cur || cur[0] !== 0xcc) return; // someone else optimized it already
  const t = getUprobeTrampoline(ctx, proc, vaddr);
  if (!t) {
    a.optimizeFail = true; // per uprobe: no process will optimize it again
    ctx.trace(traceHit, "optimize failed", vaddr, "no free page within +-2 GiB");
    return;
  }
  // int3_update(): bytes 1..4 first (byte 0 is already int3), then byte 0
  const rel = t.vaddr - (vaddr + 5);
  const call = new Uint8Array(5);
  call[0] = CALL_INSN_OPCODE;
  new DataView(call.buffer).setInt32(1, rel, true);
  proc.mm.poke(vaddr + 1, call.subarray(1));
  proc.mm.poke(vaddr, call.subarray(0, 1));
  ctx.chargeOptimize();
  ctx.trace(traceHit, "optimized", vaddr, `site patched to call ${hex(t.vaddr)} [uprobes-trampoline]`);
}

/** swbp_unoptimize(): int3 over the call, the original bytes 1..4, then byte 0. */
export function swbpUnoptimize(proc: Process, a: ArchUprobe, vaddr: number): void {
  const orig = a.insn;
  proc.mm.poke(vaddr, new Uint8Array([0xcc]));
  proc.mm.poke(vaddr + 1, orig.subarray(1, 5));
  proc.mm.poke(vaddr, orig.subarray(0, 1));
  proc.mm.revertPageIfPristine(vaddr);
}

/** struct uprobe_syscall_args { ax, r11, cx, retaddr } as (lo, hi) pairs: one scratch, no allocation per hit. */
const args = new Int32Array(8);

/** sys_uprobe (336): the optimized path's kernel entry. Registers move as 32-bit halves (bit-exact). */
export function sysUprobe(ctx: UprobeArchContext, task: Task): number | "noreturn" {
  const cpu = task.proc.cpu;
  const L = cpu.lo, H = cpu.hi;
  if (!syscallFromTrampoline(ctx, task.proc, cpu.rip)) return -ENXIO; // feature probe for libbpf: not from a trampoline
  const sp0 = cpu.getRegNum(RSP);
  if (readFrame(cpu.mem, sp0, args, 4)) return sysUprobeSigill(ctx, task, "sys_uprobe cannot read its frame");
  L[RAX] = args[0]!;
  H[RAX] = args[1]!;
  L[R11] = args[2]!;
  H[R11] = args[3]!;
  L[RCX] = args[4]!;
  H[RCX] = args[5]!;
  let retaddr = args[7]! * TWO32 + (args[6]! >>> 0);
  const ip = cpu.rip;
  cpu.rip = retaddr - 5;
  const sp = sp0 + 32;
  cpu.setRegNum(RSP, sp);
  ctx.handleSyscallUprobe(task, retaddr - 5);
  if (cpu.getRegNum(RSP) !== sp) {
    if (retaddr - 5 === cpu.rip) cpu.rip += 5; // skip the trampoline call
    return "noreturn";
  }
  cpu.setRegNum(RSP, sp - 32);
  if (retaddr - 5 !== cpu.rip) retaddr = cpu.rip; // a consumer redirected: return there
  args[0] = L[RAX]!;
  args[1] = H[RAX]!;
  args[2] = L[R11]!;
  args[3] = H[R11]!;
  args[4] = L[RCX]!;
  args[5] = H[RCX]!;
  args[6] = retaddr | 0;
  args[7] = Math.floor(retaddr / TWO32) | 0;
  if (writeFrame(cpu.mem, sp - 32, args, 4)) return sysUprobeSigill(ctx, task, "sys_uprobe cannot write its frame");
  cpu.rip = ip;
  cpu.setRegNum(R11, cpu.rflags);
  cpu.setRegNum(RCX, ip);
  return 0;
}
