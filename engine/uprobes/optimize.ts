// The 6.18 nop5 optimization (ba2bfc97b462 and friends): after the first
// int3 hit on a 5-byte NOP, the site becomes `call [uprobes-trampoline]`, a
// per-process page whose code enters sys_uprobe (336); later hits cost a
// syscall and no exception. Its hazards are modelled, not fixed: the call and
// three pushes write the 32 bytes below the probed function's rsp (red zone),
// and the trampoline page is VM_DONTCOPY while the patched text is inherited
// by fork.

import { Gpr } from "../cpu/registers.js";
import { PAGE_SIZE, PROT_EXEC, PROT_READ } from "../mm/page.js";
import type { Process } from "../os/process.js";
import type { Task } from "../os/task.js";
import { hex } from "./accounting.js";
import type { Uprobes } from "./core.js";
import type { Uprobe, UprobeTrampoline } from "./state.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const RAX = Gpr.RAX, RCX = Gpr.RCX, R11 = Gpr.R11, RSP = Gpr.RSP;

const TWO32 = 4294967296;
const CALL_INSN_OPCODE = 0xe8;
const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

/** push %rcx; push %r11; push %rax; mov $336,%rax; syscall; pop %rax; pop %r11; pop %rcx; ret; int3 */
export const UPROBE_TRAMPOLINE = new Uint8Array([
  0x51, 0x41, 0x53, 0x50, 0x48, 0xc7, 0xc0, 0x50, 0x01, 0x00, 0x00, 0x0f, 0x05, 0x58, 0x41, 0x5b, 0x59, 0xc3, 0xcc,
]);

function inTrampoline(proc: Process, ip: number): boolean {
  const v = proc.mm.findVma(ip);
  return !!v && v.special === "trampoline";
}

/** inTrampoline() for sys_uprobe, memoized per mm for the last ip while its VMAs are unchanged (every hit asks for the same ip). */
function syscallFromTrampoline(sub: Uprobes, proc: Process, ip: number): boolean {
  const st = sub.mmState(proc.mm);
  if (st.trampIp !== ip || st.trampVmaGen !== proc.mm.vmaGeneration) {
    st.trampIp = ip;
    st.trampVmaGen = proc.mm.vmaGeneration;
    st.trampResult = inTrampoline(proc, ip);
  }
  return st.trampResult;
}

function sysUprobeSigill(sub: Uprobes, task: Task, why: string): "noreturn" {
  sub.forceSignal(task, "SIGILL", why);
  task.proc.cpu.setRegNum(RAX, -1);
  return "noreturn";
}

/** is_optimized(): the site holds a call whose target is inside an [uprobes-trampoline] page. */
export function isOptimized(sub: Uprobes, proc: Process, vaddr: number): boolean {
  void sub;
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
function getTrampoline(sub: Uprobes, proc: Process, vaddr: number): UprobeTrampoline | undefined {
  const state = sub.mmState(proc.mm);
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
export function archUprobeOptimize(sub: Uprobes, task: Task, u: Uprobe, vaddr: number, traceHit: number): void {
  const a = u.arch!;
  if (!sub.optimizeEnabled || !a.canOptimize || a.optimizeFail) return;
  const proc = task.proc;
  const cur = proc.mm.peek(vaddr, 5);
  if (!cur || cur[0] !== 0xcc) return; // someone else optimized it already
  const t = getTrampoline(sub, proc, vaddr);
  if (!t) {
    a.optimizeFail = true; // per uprobe: no process will optimize it again
    sub.trace(traceHit, "optimize failed", vaddr, "no free page within +-2 GiB");
    return;
  }
  // int3_update(): bytes 1..4 first (byte 0 is already int3), then byte 0
  const rel = t.vaddr - (vaddr + 5);
  const call = new Uint8Array(5);
  call[0] = CALL_INSN_OPCODE;
  new DataView(call.buffer).setInt32(1, rel, true);
  proc.mm.poke(vaddr + 1, call.subarray(1));
  proc.mm.poke(vaddr, call.subarray(0, 1));
  sub.chargeOnce("optimize");
  sub.trace(traceHit, "optimized", vaddr, `site patched to call ${hex(t.vaddr)} [uprobes-trampoline]`);
}

/** swbp_unoptimize(): int3 over the call, the original bytes 1..4, then byte 0. */
export function unoptimize(sub: Uprobes, proc: Process, u: Uprobe, vaddr: number): void {
  void sub;
  const orig = u.arch!.insn;
  proc.mm.poke(vaddr, new Uint8Array([0xcc]));
  proc.mm.poke(vaddr + 1, orig.subarray(1, 5));
  proc.mm.poke(vaddr, orig.subarray(0, 1));
  proc.mm.revertPageIfPristine(vaddr);
}

/** sys_uprobe (336): the optimized path's kernel entry. Registers move as 32-bit halves (bit-exact). */
export function sysUprobe(sub: Uprobes, task: Task): number | "noreturn" {
  const cpu = task.proc.cpu;
  const L = cpu.lo, H = cpu.hi;
  const m = cpu.mem;
  const ENXIO = 6;
  if (!syscallFromTrampoline(sub, task.proc, cpu.rip)) return -ENXIO; // feature probe for libbpf: not from a trampoline
  const sp0 = cpu.getRegNum(RSP);
  let retaddr: number;
  try {
    // struct uprobe_syscall_args { ax, r11, cx, retaddr } at sp
    L[RAX] = m.read64(sp0);
    H[RAX] = m.hi;
    L[R11] = m.read64(sp0 + 8);
    H[R11] = m.hi;
    L[RCX] = m.read64(sp0 + 16);
    H[RCX] = m.hi;
    const lo = m.read64(sp0 + 24);
    retaddr = m.hi * TWO32 + (lo >>> 0);
  } catch {
    return sysUprobeSigill(sub, task, "sys_uprobe cannot read its frame");
  }
  const ip = cpu.rip;
  cpu.rip = retaddr - 5;
  const sp = sp0 + 32;
  cpu.setRegNum(RSP, sp);
  sub.handleSyscallUprobe(task, retaddr - 5);
  if (cpu.getRegNum(RSP) !== sp) {
    if (retaddr - 5 === cpu.rip) cpu.rip += 5; // skip the trampoline call
    return "noreturn";
  }
  cpu.setRegNum(RSP, sp - 32);
  if (retaddr - 5 !== cpu.rip) retaddr = cpu.rip; // a consumer redirected: return there
  try {
    m.write64(sp - 32, L[RAX]!, H[RAX]!);
    m.write64(sp - 24, L[R11]!, H[R11]!);
    m.write64(sp - 16, L[RCX]!, H[RCX]!);
    m.write64(sp - 8, retaddr | 0, Math.floor(retaddr / TWO32) | 0);
  } catch {
    return sysUprobeSigill(sub, task, "sys_uprobe cannot write its frame");
  }
  cpu.rip = ip;
  cpu.setRegNum(R11, cpu.rflags);
  cpu.setRegNum(RCX, ip);
  return 0;
}

export { TWO32 };
