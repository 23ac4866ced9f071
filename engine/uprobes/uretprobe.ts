// uretprobes: hijack the return address at function entry
// (prepare_uretprobe, arch_uretprobe_hijack_return_addr), and fire the
// return consumers when the function returns into the trampoline
// (uprobe_handle_trampoline), reached through the trampoline's int3 before
// 6.11 or through sys_uretprobe (335) since.

import { Gpr } from "../cpu/registers.js";
import type { Task } from "../os/task.js";
import { hex } from "./accounting.js";
import type { Uprobes } from "./core.js";
import type { ReturnInstance, Uprobe, UTask } from "./state.js";
import { URETPROBE_SYSCALL_CHECK } from "./xol-area.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const RAX = Gpr.RAX, RCX = Gpr.RCX, R11 = Gpr.R11, RSP = Gpr.RSP;

const TWO32 = 4294967296;

/** arch_uretprobe_is_alive(): RP_CHECK_CALL uses sp < stack, RP_CHECK_RET and RP_CHECK_CHAIN_CALL use sp <= stack. */
function isAlive(ri: ReturnInstance, strict: boolean, sp: number): boolean {
  return strict ? sp < ri.stack : sp <= ri.stack;
}

/** prepare_uretprobe(): called from handler_chain when a consumer wants the return. */
export function prepareUretprobe(sub: Uprobes, task: Task, u: Uprobe, cookies: Map<number, bigint>, traceHit: number): void {
  const cpu = task.proc.cpu;
  const utask = sub.utask(task);
  const area = sub.getXolArea(task);
  if (!area) return omit(sub, u, cpu.rip, traceHit, "no XOL area");
  if (sub.gen.maxUretprobeDepth !== null && utask.depth >= sub.gen.maxUretprobeDepth) return omit(sub, u, cpu.rip, traceHit, `nestedness limit ${sub.gen.maxUretprobeDepth}`);
  const tramp = area.vaddr;
  const sp = cpu.getRegNum(RSP);
  // arch_uretprobe_hijack_return_addr()
  let orig: number;
  try {
    const lo = cpu.mem.read64(sp);
    orig = cpu.mem.hi * TWO32 + (lo >>> 0);
  } catch {
    return omit(sub, u, cpu.rip, traceHit, "cannot read the return address");
  }
  if (orig !== tramp) {
    try {
      cpu.mem.write64(sp, tramp | 0, Math.floor(tramp / TWO32) | 0);
    } catch {
      return omit(sub, u, cpu.rip, traceHit, "cannot write the return address");
    }
  }
  const chained = orig === tramp;
  // drop the instances invalidated by longjmp() (4.3+)
  if (sub.gen.longjmpCleanup) {
    const ris = utask.returnInstances;
    while (ris.length && !isAlive(ris[ris.length - 1]!, !chained, sp)) ris.pop();
  }
  if (chained) {
    const prev = utask.returnInstances[utask.returnInstances.length - 1];
    if (!prev) return omit(sub, u, cpu.rip, traceHit, "handle tail call"); // the kernel warns: "likely an attack from user space"
    orig = prev.origRetVaddr;
  }
  utask.returnInstances.push(new ReturnRecord(u, cpu.rip, sp, orig, chained, cookies, traceHit));
  if (traceHit) sub.trace(traceHit, "return hijacked", sp, `[sp] ${hex(orig)} -> ${hex(tramp)}${chained ? " (chained)" : ""}, depth ${utask.depth}`);
}

/** A return instance as a class: one stable shape from the start, where an object literal cost ~40 ns more per entry hit. */
class ReturnRecord implements ReturnInstance {
  constructor(
    readonly uprobe: Uprobe,
    readonly func: number,
    readonly stack: number,
    readonly origRetVaddr: number,
    readonly chained: boolean,
    readonly cookies: Map<number, bigint>,
    readonly traceHit: number,
  ) {}
}

/** An entry hit that arms no return: counted for every ret consumer. */
function omit(sub: Uprobes, u: Uprobe, ip: number, traceHit: number, why: string): void {
  for (const c of u.consumers) if (c.uc.retHandler) c.stats.omittedReturns++;
  if (traceHit) sub.trace(traceHit, "uretprobe omitted", ip, why);
}

/** uprobe_handle_trampoline(): set ip to the real return address and run the return consumers. */
export function handleTrampoline(sub: Uprobes, task: Task, via: "uret_trap" | "uretprobe_syscall"): void {
  const cpu = task.proc.cpu;
  const utask = sub.existingUtask(task);
  if (!utask || utask.returnInstances.length === 0) {
    sub.forceSignal(task, "SIGILL", "handle uretprobe, sending SIGILL");
    return;
  }
  const ris = utask.returnInstances;
  const top = ris[ris.length - 1]!;
  if (top.traceHit)
    sub.trace(top.traceHit, "return", cpu.rip, via === "uret_trap" ? "the function returned into the trampoline's int3 (#BP)" : "the trampoline made the uretprobe syscall (335), no exception");
  // Scratch arrays with counts: setting .length = 0 would free their storage (a runtime call and a new allocation per return).
  const involved = INVOLVED;
  const fired = FIRED;
  let nInvolved = 0;
  let nFired = 0;
  for (;;) {
    // The chain: the newest instance and the chained ones below it.
    let end = ris.length - 1;
    while (end > 0 && ris[end]!.chained) end--;
    const next = end > 0 ? ris[end - 1] : undefined; // never ris[-1]: V8 looks a negative index up as a named property (slow)
    const sp = cpu.getRegNum(RSP);
    const valid = !sub.gen.longjmpCleanup || !next || isAlive(next, false, sp);
    cpu.rip = ris[ris.length - 1]!.origRetVaddr;
    while (ris.length > end) {
      const ri = ris.pop()!;
      if (!contains(involved, nInvolved, ri.uprobe)) involved[nInvolved++] = ri.uprobe;
      if (valid) fired[nFired++] = ri;
    }
    if (valid) break;
    if (ris.length === 0) break;
  }
  sub.chargeReturn(via, involved, nInvolved);
  for (let i = 0; i < nInvolved; i++) involved[i] = undefined;
  // handlers may not re-enter the trampoline, so the scratch arrays are free again after this loop
  for (let i = 0; i < nFired; i++) {
    const ri = fired[i]!;
    fired[i] = undefined;
    runRetHandlers(sub, task, utask, ri);
  }
}

/** Scratch arrays of handleTrampoline (no allocation per return); entries are cleared after use. */
const INVOLVED: (Uprobe | undefined)[] = [];
const FIRED: (ReturnInstance | undefined)[] = [];

function contains(a: readonly (Uprobe | undefined)[], n: number, u: Uprobe): boolean {
  for (let i = 0; i < n; i++) if (a[i] === u) return true;
  return false;
}

function runRetHandlers(sub: Uprobes, task: Task, utask: UTask, ri: ReturnInstance): void {
  void utask;
  // handle_uretprobe_chain(): every current ret consumer; session consumers only with a cookie from entry
  const consumers = ri.uprobe.consumers;
  for (let i = 0; i < consumers.length; i++) {
    const c = consumers[i]!;
    if (!c.uc.retHandler) continue;
    const session = !!c.uc.handler;
    const cookie = session ? ri.cookies.get(c.id) : undefined; // only session consumers store a cookie
    if (session && cookie === undefined) continue;
    sub.runRetHandler(task, c, ri, cookie ?? 0n);
  }
}

/**
 * sys_uretprobe (335, 6.11+): only legal from the trampoline, right after
 * its syscall instruction. Restores r11/rcx/rax saved by the trampoline,
 * handles the return, and arranges for the trampoline's ret to reach it.
 * Registers are moved as 32-bit halves: rax must survive bit-exact.
 */
export function sysUretprobe(sub: Uprobes, task: Task): number | "noreturn" {
  const cpu = task.proc.cpu;
  const L = cpu.lo, H = cpu.hi;
  const m = cpu.mem;
  const area = sub.mmState(task.proc.mm).xolArea;
  if (!area || cpu.rip !== area.vaddr + URETPROBE_SYSCALL_CHECK) return sysUretprobeSigill(sub, task, "sys_uretprobe called from outside the trampoline");
  const sp0 = cpu.getRegNum(RSP);
  try {
    // struct uretprobe_syscall_args { r11, cx, ax } at sp
    L[R11] = m.read64(sp0);
    H[R11] = m.hi;
    L[RCX] = m.read64(sp0 + 8);
    H[RCX] = m.hi;
    L[RAX] = m.read64(sp0 + 16);
    H[RAX] = m.hi;
  } catch {
    return sysUretprobeSigill(sub, task, "sys_uretprobe cannot read the saved registers");
  }
  const sp = sp0 + 24;
  cpu.setRegNum(RSP, sp);
  const ip = cpu.rip;
  handleTrampoline(sub, task, "uretprobe_syscall");
  if (cpu.getRegNum(RSP) !== sp) return "noreturn"; // a consumer moved sp: return via iret, rax as it is
  cpu.setRegNum(RSP, sp - 24);
  const ret = cpu.rip;
  try {
    m.write64(sp - 24, L[R11]!, H[R11]!);
    m.write64(sp - 16, L[RCX]!, H[RCX]!);
    m.write64(sp - 8, ret | 0, Math.floor(ret / TWO32) | 0); // the rax slot carries the return address for the trampoline's ret
  } catch {
    return sysUretprobeSigill(sub, task, "sys_uretprobe cannot write the trampoline frame");
  }
  cpu.rip = ip;
  // sysret: r11 = flags, rcx = ip; rax keeps the function's return value
  cpu.setRegNum(R11, cpu.rflags);
  cpu.setRegNum(RCX, ip);
  return "noreturn";
}

function sysUretprobeSigill(sub: Uprobes, task: Task, why: string): "noreturn" {
  sub.forceSignal(task, "SIGILL", why);
  task.proc.cpu.setRegNum(RAX, -1);
  return "noreturn";
}
