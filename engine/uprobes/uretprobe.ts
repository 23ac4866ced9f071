// Return instances (kernel/events/uprobes.c): prepare_uretprobe() arms one
// at function entry through the arch's return-address hijack,
// uprobe_handle_trampoline() fires the return consumers when the function
// returns into the trampoline (its int3 before 6.11, sys_uretprobe since),
// and cleanup_return_instances() drops the frames a longjmp() abandoned.

import { Gpr } from "../cpu/registers.js";
import type { Task } from "../os/task.js";
import { hex } from "./accounting.js";
import type { KernelGeneration } from "./generations.js";
import type { Consumer, ReturnInstance, Uprobe, UTask, XolArea } from "./state.js";
import { archUretprobeHijackReturnAddr, archUretprobeIsAlive, HIJACK_READ_FAULT, HIJACK_WRITE_FAULT } from "./x86/uretprobe.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const RSP = Gpr.RSP;

/** What the return-instance code uses of the subsystem (implemented by Uprobes). */
export interface UretprobeContext {
  readonly gen: KernelGeneration;
  /** get_utask() */
  utask(task: Task): UTask;
  existingUtask(task: Task): UTask | undefined;
  /** get_xol_area() */
  getXolArea(task: Task): XolArea | undefined;
  /** Charge one return (trap or syscall) to the return consumers of the instances it completed. */
  chargeReturn(kind: "uret_trap" | "uretprobe_syscall", uprobes: readonly (Uprobe | undefined)[], n: number): void;
  /** One ret_handler run, charged. */
  runRetHandler(task: Task, c: Consumer, ri: ReturnInstance, cookie: bigint): void;
  forceSigill(task: Task, why: string): void;
  trace(hit: number, event: string, addr: number | undefined, detail?: string): void;
}

/** prepare_uretprobe(): called from handler_chain when a consumer wants the return. */
export function prepareUretprobe(sub: UretprobeContext, task: Task, u: Uprobe, cookies: Map<number, bigint>, traceHit: number): void {
  const cpu = task.proc.cpu;
  const utask = sub.utask(task);
  const area = sub.getXolArea(task);
  if (!area) return omit(sub, u, cpu.rip, traceHit, "no XOL area");
  if (sub.gen.maxUretprobeDepth !== null && utask.depth >= sub.gen.maxUretprobeDepth) return omit(sub, u, cpu.rip, traceHit, `nestedness limit ${sub.gen.maxUretprobeDepth}`);
  const tramp = area.vaddr;
  const sp = cpu.getRegNum(RSP);
  let orig = archUretprobeHijackReturnAddr(cpu, tramp, sub.gen);
  if (orig === HIJACK_READ_FAULT) return omit(sub, u, cpu.rip, traceHit, "cannot read the return address");
  if (orig === HIJACK_WRITE_FAULT) return omit(sub, u, cpu.rip, traceHit, "cannot write the return address");
  const chained = orig === tramp;
  // cleanup_return_instances(): drop the instances invalidated by longjmp() (4.3+)
  if (sub.gen.longjmpCleanup) {
    const ris = utask.returnInstances;
    while (ris.length && !archUretprobeIsAlive(ris[ris.length - 1]!, !chained, sp)) ris.pop();
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
function omit(sub: UretprobeContext, u: Uprobe, ip: number, traceHit: number, why: string): void {
  for (const c of u.consumers) if (c.uc.retHandler) c.stats.omittedReturns++;
  if (traceHit) sub.trace(traceHit, "uretprobe omitted", ip, why);
}

/** uprobe_handle_trampoline(): set ip to the real return address and run the return consumers. */
export function uprobeHandleTrampoline(sub: UretprobeContext, task: Task, via: "uret_trap" | "uretprobe_syscall"): void {
  const cpu = task.proc.cpu;
  const utask = sub.existingUtask(task);
  if (!utask || utask.returnInstances.length === 0) {
    sub.forceSigill(task, "handle uretprobe, sending SIGILL");
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
    const valid = !sub.gen.longjmpCleanup || !next || archUretprobeIsAlive(next, false, sp);
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
    handleUretprobeChain(sub, task, ri);
  }
}

/** Scratch arrays of uprobeHandleTrampoline (no allocation per return); entries are cleared after use. */
const INVOLVED: (Uprobe | undefined)[] = [];
const FIRED: (ReturnInstance | undefined)[] = [];

function contains(a: readonly (Uprobe | undefined)[], n: number, u: Uprobe): boolean {
  for (let i = 0; i < n; i++) if (a[i] === u) return true;
  return false;
}

/** handle_uretprobe_chain(): every current ret consumer; session consumers only with a cookie from entry. */
function handleUretprobeChain(sub: UretprobeContext, task: Task, ri: ReturnInstance): void {
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
