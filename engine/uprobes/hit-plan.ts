// A per-site hit plan (docs/uprobes-model.md §4.4): what handle_swbp(),
// handler_chain() and arch_uprobe_skip_sstep() do for the common case of an
// emulated hit, decided once for a probe address and then run as straight
// code: no lookups, no allocation, the trap and handler charges as plain
// numbers. The plan holds only while what it assumed holds; the generations
// it was made under are compared on every hit (a few integer compares), and
// anything else goes to the general path in uprobes.ts.
//
// Assumed when made (HitPlan.make): the event trace is off; the uprobe is
// analysed and emulated (its ops have an emulate function); no consumer has a
// ret handler or a filter (so handler_chain() never prepares a return
// instance and never unapplies); the site is not a nop5 the 6.18 kernel will
// optimize; the site is not the uretprobe trampoline. The CPU calls it before
// the trap entry (Cpu.int3Direct, Linux.int3Direct, Uprobes.plannedBreakpoint).
// Checked on every hit:
// the registry's generation (uprobes added or removed, consumer lists
// changed: registry.ts bumps it on every register and unregister), the mm's
// VMA generation and XOL area.

import type { Cpu } from "../cpu/cpu.js";
import { Fl } from "../cpu/flags.js";
import { Gpr } from "../cpu/registers.js";
import type { AddressSpace } from "../mm/address-space.js";
import { PageGeometry } from "../mm/page.js";
import type { Task } from "../os/task.js";
import { Stats } from "./accounting.js";
import type { Consumer, ConsumerContext, MmState, Uprobe, XolArea } from "./state.js";
import type { ArchUprobe } from "./x86/arch-uprobe.js";
import { pushXolOps } from "./x86/xol-ops.js";

/** What a plan needs of the subsystem: the charges (uprobes.ts chargePs) and the rare outcomes. */
export interface HitPlanHost {
  /** Charge ps of virtual time (clock and the model's total). */
  chargePs(ps: number): number;
  /** An int3 trap's write to the user stack, to the clock and every consumer (uprobes.ts). */
  chargeStackWrite(consumers: readonly Consumer[]): void;
  /** The shared consumer context, re-pointed per handler run. */
  readonly hitCtx: ConsumerContext;
  /** pre_ssout(): the emulation failed (a push that faults): single-step out of line. */
  stepOutOfLine(task: Task, u: Uprobe, bp: number): void;
  sendSigtrap(task: Task): void;
}

/** The parameters a plan depends on, from the kernel generation and cost profile. */
export interface HitPlanParams {
  registryGen: number;
  trapPs: number;
  handlerPs: number;
  /** The emulated instruction writes the user stack (push, call): each hit also pays stack_write. */
  writesStack: boolean;
  /** 3.5: handlers see ip after the int3. */
  handlerIpIsBpPlus1: boolean;
  /** 6.18: a consumer that moved ip skips the instruction. */
  skipWhenIpChanged: boolean;
}

// local copies (see Gpr in registers.ts: imported bindings are slow in hot code)
const TF = Fl.TF;
const RSP = Gpr.RSP;
const TWO32 = 4294967296;

export class HitPlan {
  private readonly consumers: Consumer[];
  private readonly n: number;
  /** Every consumer's stats are the engine's own (per-thread counts in two fields). */
  private readonly stats: Stats[];
  private readonly emulate: (a: ArchUprobe, cpu: Cpu) => boolean;
  /** A 64-bit push (push_emulate_op, sizeof_long 8): its register, stored inline below; else -1. */
  private readonly pushReg: number;
  /** One consumer's int3 and handler charges together (hitOne). */
  private readonly trapAndHandlerPs: number;

  private constructor(
    readonly bp: number,
    private readonly u: Uprobe,
    private readonly a: ArchUprobe,
    private readonly mm: AddressSpace,
    private readonly st: MmState,
    private readonly area: XolArea | undefined,
    private readonly vmaGen: number,
    private readonly p: HitPlanParams,
    emulate: (a: ArchUprobe, cpu: Cpu) => boolean,
  ) {
    this.consumers = u.consumers;
    this.n = u.consumers.length;
    this.stats = u.consumers.map((c) => c.stats as Stats);
    this.emulate = emulate;
    this.trapAndHandlerPs = p.trapPs + p.handlerPs;
    this.pushReg = a.ops === pushXolOps && a.longSize === 8 ? a.pushReg : -1;
  }

  /** A plan for the uprobe at bp in mm, or undefined when a hit there needs the general path. */
  static make(bp: number, u: Uprobe, mm: AddressSpace, st: MmState, p: HitPlanParams, optimizable: boolean): HitPlan | undefined {
    const a = u.arch;
    if (a === undefined || a.ops.emulate === undefined || optimizable) return undefined;
    if (st.xolArea !== undefined && st.xolArea.vaddr === bp) return undefined;
    const cs = u.consumers;
    if (cs.length === 0) return undefined;
    for (const c of cs) if (c.uc.handler === undefined || c.uc.retHandler !== undefined || c.uc.filter !== undefined || !(c.stats instanceof Stats)) return undefined;
    return new HitPlan(bp, u, a, mm, st, st.xolArea, mm.vmaGeneration, p, a.ops.emulate);
  }

  /** Does the plan still describe this site (the registry, the consumers, the mm)? */
  valid(mm: AddressSpace, registryGen: number): boolean {
    // the registry's generation also covers the consumer list (bumped on register and unregister); MMF_HAS_UPROBES
    // needs no check: a plan is made only after a hit found it set, and nothing clears it for the life of an mm
    return mm === this.mm && registryGen === this.p.registryGen && mm.vmaGeneration === this.vmaGen && this.st.xolArea === this.area;
  }

  /** handle_swbp() for this site: ip is bp + 1. */
  hit(task: Task, host: HitPlanHost): void {
    const cpu = task.proc.cpu;
    const bp = this.bp;
    const u = this.u;
    const p = this.p;
    u.hits++;
    if (this.n === 1) {
      this.hitOne(task, cpu, host);
      return;
    }
    // chargeTrap("int3")
    const trapPs = host.chargePs(p.trapPs);
    const stats = this.stats;
    const n = this.n;
    for (let i = 0; i < n; i++) {
      const s = stats[i]!;
      s.traps.int3++;
      s.virtualPs += trapPs;
    }
    if (!p.handlerIpIsBpPlus1) cpu.rip = bp;
    const ipBefore = cpu.rip;
    // handler_chain(): newest first; no ret handlers and no filters, so nothing after the loop applies
    const tid = task.tid;
    const ctx = host.hitCtx;
    const cs = this.consumers;
    for (let i = 0; i < n; i++) {
      const s = stats[i]!;
      ctx.task = task;
      ctx.cpu = cpu;
      ctx.vaddr = bp;
      ctx.cookie = 0n;
      s.hits++;
      if (tid === s.tidNow) s.tidPending++;
      else s.countTid(tid);
      s.virtualPs += host.chargePs(p.handlerPs);
      cs[i]!.uc.handler!(ctx);
    }
    this.finish(task, cpu, ipBefore, host);
  }

  /**
   * The same for one consumer: the int3 and the handler run charged at once (integer picoseconds: the
   * sums are exact in any order, and nothing reads the clock between the two charges).
   */
  private hitOne(task: Task, cpu: Cpu, host: HitPlanHost): void {
    const p = this.p;
    const s = this.stats[0]!;
    const ps = this.trapAndHandlerPs;
    host.chargePs(ps);
    s.traps.int3++;
    s.virtualPs += ps; // the int3's and the handler's, in one add (integer ps: the same sum)
    if (!p.handlerIpIsBpPlus1) cpu.rip = this.bp;
    const ipBefore = cpu.rip;
    const ctx = host.hitCtx;
    ctx.task = task;
    ctx.cpu = cpu;
    ctx.vaddr = this.bp;
    ctx.cookie = 0n;
    s.hits++;
    const tid = task.tid;
    if (tid === s.tidNow) s.tidPending++;
    else s.countTid(tid);
    this.consumers[0]!.uc.handler!(ctx);
    this.finish(task, cpu, ipBefore, host);
  }

  /** After the handlers: a moved ip skips the instruction (6.18), else emulate it, else step it out of line. */
  private finish(task: Task, cpu: Cpu, ipBefore: number, host: HitPlanHost): void {
    if (this.p.skipWhenIpChanged && cpu.rip !== ipBefore) return;
    if (this.pushInline(cpu) || this.emulate(this.a, cpu)) {
      if (this.p.writesStack) host.chargeStackWrite(this.consumers);
      if (cpu.fl.bits & TF) host.sendSigtrap(task);
      return;
    }
    host.stepOutOfLine(task, this.u, this.bp);
  }

  /**
   * push_emulate_op() of a 64-bit push when the stack slot's page is in the write TLB: the store of
   * AddressSpace.write64's fast path, without the calls (putUserLong, its try, write64). False when
   * there is no such push or the TLB misses: the ops' emulate does the same push with the slow path.
   */
  private pushInline(cpu: Cpu): boolean {
    const reg = this.pushReg;
    if (reg < 0) return false;
    const L = cpu.lo;
    const H = cpu.hi;
    const lo = L[RSP]!;
    const hi = H[RSP]!;
    const sp = hi * TWO32 + (lo >>> 0) - 8;
    const dv = cpu.mem.writableView(sp, 8);
    if (dv === undefined) return false;
    const off = sp & PageGeometry.Mask; // writableView checked that the 8 bytes fit in the page
    dv.setInt32(off, L[reg]!, true);
    dv.setInt32(off + 4, H[reg]!, true);
    const nlo = (lo >>> 0) - 8;
    L[RSP] = nlo | 0;
    H[RSP] = nlo < 0 ? (hi - 1) | 0 : hi;
    cpu.rip += this.a.ilen;
    return true;
  }
}
