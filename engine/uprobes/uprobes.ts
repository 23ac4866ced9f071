// The uprobe subsystem's trap handling (kernel/events/uprobes.c): the die
// notifiers (uprobe_pre_sstep_notifier, uprobe_post_sstep_notifier),
// handle_swbp, handler_chain, pre_ssout, handle_singlestep, signal
// deferral, handle_syscall_uprobe, and the accounting of every trap, for the
// configured kernel generation. It plugs into the OS layer as its
// KernelHooks. The arch_uprobe_* hooks (x86/) are called in one direction,
// with an UprobeArchContext.

import type { CpuException } from "../cpu/exceptions.js";
import { Fl } from "../cpu/flags.js";
import type { AddressSpace } from "../mm/address-space.js";
import type { MappedFile } from "../mm/mapped-file.js";
import type { Vma } from "../mm/vma.js";
import type { KernelHooks } from "../os/hooks.js";
import type { VirtualClock } from "../os/clock.js";
import type { Linux } from "../os/linux.js";
import type { Process } from "../os/process.js";
import { SI_KERNEL, SI_USER, SIGILL, SIGSEGV, SIGTRAP, type SigInfo } from "../os/signals.js";
import type { Task } from "../os/task.js";
import { countTaskHit, EventTrace, hex, type TrapKind } from "./accounting.js";
import { costPs, type CostKind, type CostProfile } from "./cost.js";
import { HitPlan, type HitPlanHost } from "./hit-plan.js";
import type { KernelGeneration } from "./generations.js";
import { Registry, type RegistryContext } from "./registry.js";
import { MmState, UPROBE_HANDLER_IGNORE, UPROBE_HANDLER_REMOVE, UTask, UTaskState, type Consumer, type ConsumerContext, type ReturnInstance, type Uprobe, type UprobeConsumer, type XolArea } from "./state.js";
import { prepareUretprobe, uprobeHandleTrampoline, type UretprobeContext } from "./uretprobe.js";
import { UPROBE_FIX_CALL, UPROBE_FIX_IP, UPROBE_FIX_RIP_MASK, UPROBE_SWBP_INSN, type ArchUprobe, type UprobeArchContext } from "./x86/arch-uprobe.js";
import { archUprobeOptimize, sysUprobe } from "./x86/optimize.js";
import { sysUretprobe } from "./x86/uretprobe.js";
import { archUprobeAbortXol, archUprobePostXol, archUprobePreXol, archUprobeSkipSstep, branchXolOps, defaultXolOps, pushXolOps } from "./x86/xol-ops.js";
import { createXolArea, xolFreeInsnSlot, xolGetInsnSlot } from "./xol-area.js";

/** Slots a step may take: 32 per page, slot 0 kept for the uretprobe trampoline since 3.10. */
function UINSNS_PER_PAGE_USABLE(gen: KernelGeneration): number {
  return gen.xolSlot0Reserved ? 31 : 32;
}

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const TF = Fl.TF;

export interface UprobesOptions {
  gen: KernelGeneration;
  /** false: --no-emulation (every hit single-steps; no nop5 optimization). */
  emulation: boolean;
  cost: CostProfile;
  /** Record the first N hits in an event trace. */
  traceHits?: number;
  /** Per-site hit plans (hit-plan.ts); default: on unless UPROBE_LAB_HIT_PLAN=0 (tests and bench/ab.js compare both). */
  hitPlans?: boolean;
}

/** UPROBE_LAB_HIT_PLAN=0 turns the per-site hit plans off (the general path only). */
function hitPlansDefault(): boolean {
  return (typeof process !== "undefined" ? process.env["UPROBE_LAB_HIT_PLAN"] : undefined) !== "0";
}

/** emulate_push_stack(): an emulated push or call writes the user stack, which costs stack_write (§9.5). */
function emulationWritesStack(a: ArchUprobe): boolean {
  return a.ops === pushXolOps || (a.ops === branchXolOps && a.opc1 === 0xe8);
}

const NO_COOKIES: Map<number, bigint> = new Map();

/** Index of a trap kind in Uprobes.trapPs (the cost kinds int3_trap, single_step, uret_trap, uprobe_syscall, uretprobe_syscall). */
function trapIndex(kind: TrapKind): number {
  switch (kind) {
    case "int3":
      return 0;
    case "single_step":
      return 1;
    case "uret_trap":
      return 2;
    case "uprobe_syscall":
      return 3;
    default:
      return 4;
  }
}

/** traps[kind]++ with named stores (a store keyed by a varying name goes through V8's slow megamorphic path). */
function countTrap(t: Record<TrapKind, number>, kind: TrapKind): void {
  switch (kind) {
    case "int3":
      t.int3++;
      break;
    case "single_step":
      t.single_step++;
      break;
    case "uret_trap":
      t.uret_trap++;
      break;
    case "uprobe_syscall":
      t.uprobe_syscall++;
      break;
    default:
      t.uretprobe_syscall++;
  }
}

/**
 * The context the arch hooks get: the few generic services they call
 * (uprobe_handle_trampoline, handle_syscall_uprobe, signals, trace), and
 * nothing else of the subsystem. One per Uprobes, made at construction.
 */
class ArchContext implements UprobeArchContext {
  readonly gen: KernelGeneration;
  readonly optimizeEnabled: boolean;

  constructor(private readonly u: Uprobes) {
    this.gen = u.gen;
    this.optimizeEnabled = u.optimizeEnabled;
  }

  mmState(mm: AddressSpace): MmState {
    return this.u.mmState(mm);
  }

  handleTrampoline(task: Task, via: "uret_trap" | "uretprobe_syscall"): void {
    uprobeHandleTrampoline(this.u, task, via);
  }

  handleSyscallUprobe(task: Task, bp: number): void {
    this.u.handleSyscallUprobe(task, bp);
  }

  forceSigill(task: Task, why: string): void {
    this.u.forceSigill(task, why);
  }

  sendSigtrap(task: Task): void {
    this.u.sendSigtrap(task);
  }

  chargeOptimize(): void {
    this.u.chargeOnce("optimize");
  }

  trace(hit: number, event: string, addr: number | undefined, detail?: string): void {
    this.u.trace(hit, event, addr, detail);
  }
}

export class Uprobes implements KernelHooks, RegistryContext, UretprobeContext, HitPlanHost {
  readonly registry: Registry;
  readonly gen: KernelGeneration;
  readonly emulation: boolean;
  readonly cost: CostProfile;
  readonly optimizeEnabled: boolean;
  readonly traceLog: EventTrace;
  private kernel: Linux | undefined;
  private clock: VirtualClock | undefined;
  private readonly utasks = new WeakMap<Task, UTask>();
  private readonly mms = new WeakMap<AddressSpace, MmState>();
  /** Virtual time charged by the model (traps, syscalls, handlers), picoseconds. */
  chargedPs = 0;
  private readonly archCtx: ArchContext;
  /** Hits at planned sites run their HitPlan (hit-plan.ts). */
  readonly planning: boolean;

  constructor(o: UprobesOptions) {
    this.gen = o.gen;
    this.emulation = o.emulation;
    this.cost = o.cost;
    this.optimizeEnabled = o.gen.nop5Optimize && o.emulation;
    this.traceLog = new EventTrace(o.traceHits ?? 0);
    // a traced hit records each step: the general path only
    this.planning = (o.hitPlans ?? hitPlansDefault()) && this.traceLog.maxHits === 0;
    this.costPs = Object.fromEntries(Object.keys(o.cost.costs).map((k) => [k, costPs(o.cost, k as CostKind)])) as Record<CostKind, number>;
    this.trapPs = [this.costPs.int3_trap, this.costPs.single_step, this.costPs.uret_trap, this.costPs.uprobe_syscall, this.costPs.uretprobe_syscall];
    this.handlerPs = this.costPs.handler;
    this.stackWritePs = this.costPs.stack_write;
    this.xolWaitPs = "xol_wait" in o.cost.costs ? this.costPs["xol_wait" as CostKind] : this.costPs.single_step;
    this.registry = new Registry(this);
    this.archCtx = new ArchContext(this);
  }

  /** Install as the kernel's hooks (die notifiers, mmap, syscalls). */
  attach(kernel: Linux): void {
    this.kernel = kernel;
    this.clock = kernel.clock;
    kernel.hooks = this;
  }

  processes(): Process[] {
    return (this.kernel?.processes ?? []).filter((p) => !p.exit);
  }

  // one-entry caches in front of the WeakMaps: every trap asks for the same mm and task
  private lastMm: AddressSpace | undefined;
  private lastMmState: MmState | undefined;
  private lastTask: Task | undefined;
  private lastUtask: UTask | undefined;

  mmState(mm: AddressSpace): MmState {
    if (mm === this.lastMm) return this.lastMmState!;
    let s = this.mms.get(mm);
    if (!s) this.mms.set(mm, (s = new MmState()));
    this.lastMm = mm;
    this.lastMmState = s;
    return s;
  }

  /** get_utask(): allocated on the first hit in a thread. */
  utask(task: Task): UTask {
    if (task === this.lastTask && this.lastUtask) return this.lastUtask;
    let u = this.utasks.get(task);
    if (!u) this.utasks.set(task, (u = new UTask()));
    this.lastTask = task;
    this.lastUtask = u;
    return u;
  }

  existingUtask(task: Task): UTask | undefined {
    if (task === this.lastTask && this.lastUtask) return this.lastUtask;
    return this.utasks.get(task);
  }

  /**
   * The return addresses that pending uretprobes replaced on the task's stack
   * (newest first) and the trampoline address they show as: what
   * fixup_uretprobe_trampoline_entries() (kernel/events/callchain.c, 6.11)
   * puts back into a user callchain. Undefined when nothing is pending.
   */
  pendingReturns(task: Task): { trampoline: number; returns: number[] } | undefined {
    const ris = this.existingUtask(task)?.returnInstances;
    const area = this.mmState(task.proc.mm).xolArea;
    if (!ris?.length || !area) return undefined;
    return { trampoline: area.vaddr, returns: ris.map((r) => r.origRetVaddr).reverse() };
  }

  /** get_xol_area(): create the mm's XOL area on first use. */
  getXolArea(task: Task): XolArea | undefined {
    const st = this.mmState(task.proc.mm);
    if (!st.xolArea) {
      st.xolArea = createXolArea(task.proc.mm, this.gen, task.proc.cpu.bitness);
      if (st.xolArea) this.trace(this.existingUtask(task)?.traceHit ?? 0, "xol area", st.xolArea.vaddr, "[uprobes] mapped");
    }
    return st.xolArea;
  }

  // ---- registration (the public API) ----

  /** uprobe_register(file, offset, consumer). The result's stats.path says "rejected" with the kernel's error on failure. */
  register(file: MappedFile, offset: number, uc: UprobeConsumer): Consumer {
    return this.registry.register(file, offset, uc);
  }

  unregister(c: Consumer): void {
    this.registry.unregister(c);
  }

  // ---- accounting ----

  private readonly costPs: Record<CostKind, number>;
  /** The per-hit costs as plain numbers (a keyed lookup by name costs more than the rest of the charge). */
  private readonly trapPs: readonly number[];
  private readonly handlerPs: number;
  /** An int3 trap's write to the user stack (emulated push/call, uretprobe hijack). */
  private readonly stackWritePs: number;
  /** What waking from the XOL slot wait costs (a wakeup and a context switch; the profile's xol_wait, else one single_step). */
  private readonly xolWaitPs: number;

  private charge(kind: CostKind): number {
    return this.chargePs(this.costPs[kind]);
  }

  chargePs(ps: number): number {
    this.clock?.charge(ps);
    this.chargedPs += ps;
    return ps;
  }

  /**
   * An int3 trap that touched the user stack (emulate_push_stack(), or the
   * return-address hijack of prepare_uretprobe()): charged once per trap, to
   * the clock and every consumer; a second write in the same trap costs
   * nothing measurable (docs/uprobes-model.md §9.5).
   */
  chargeStackWrite(consumers: readonly Consumer[]): void {
    if (this.stackWritePs === 0) return;
    const ps = this.chargePs(this.stackWritePs);
    for (let i = 0; i < consumers.length; i++) consumers[i]!.stats.virtualPs += ps;
  }

  /** Charge a trap or syscall taken for a uprobe to the clock and to every consumer of it. */
  chargeTrap(kind: TrapKind, consumers: readonly Consumer[]): void {
    const ps = this.chargePs(this.trapPs[trapIndex(kind)]!);
    for (let i = 0; i < consumers.length; i++) {
      const st = consumers[i]!.stats;
      countTrap(st.traps, kind);
      st.virtualPs += ps;
    }
  }

  /** A uretprobe return: one trap or syscall, charged to the return consumers of every instance it completed. */
  chargeReturn(kind: "uret_trap" | "uretprobe_syscall", uprobes: readonly (Uprobe | undefined)[], n = uprobes.length): void {
    const ps = this.chargePs(this.trapPs[trapIndex(kind)]!);
    for (let i = 0; i < n; i++) {
      const cs = uprobes[i]!.consumers;
      for (let k = 0; k < cs.length; k++) {
        const c = cs[k]!;
        if (!c.uc.retHandler) continue;
        countTrap(c.stats.traps, kind);
        c.stats.virtualPs += ps;
      }
    }
  }

  chargeOnce(kind: CostKind): void {
    this.charge(kind);
  }

  trace(hit: number, event: string, addr: number | undefined, detail?: string): void {
    if (hit <= 0) return;
    const t = this.kernel?.current;
    this.traceLog.add({ ns: this.kernel?.nowNs() ?? 0, hit, event, addr: addr === undefined ? undefined : hex(addr), detail, task: t ? `${t.comm}[${t.tid}]` : undefined });
  }

  forceSigill(task: Task, why: string): void {
    this.forceSignal(task, "SIGILL", why);
  }

  forceSignal(task: Task, sig: "SIGILL" | "SIGSEGV" | "SIGTRAP", why: string): void {
    const signo = sig === "SIGILL" ? SIGILL : sig === "SIGSEGV" ? SIGSEGV : SIGTRAP;
    const cpu = task.proc.cpu;
    this.trace(this.existingUtask(task)?.traceHit ?? 0, sig, cpu.rip, why);
    this.kernel?.queueSignal(task, { signo, code: SI_KERNEL, addr: 0, forced: true, ip: cpu.rip });
  }

  sendSigtrap(task: Task): void {
    // send_sig(SIGTRAP, current, 0): the debugger's single step completes over the probed instruction
    this.kernel?.queueSignal(task, { signo: SIGTRAP, code: SI_USER, addr: 0, forced: false, ip: task.proc.cpu.rip, pid: task.proc.pid });
  }

  // ---- handlers ----

  /** One context object re-pointed at each handler run (handlers must not keep it). */
  readonly hitCtx: ConsumerContext = { task: undefined as unknown as Task, cpu: undefined as unknown as ConsumerContext["cpu"], vaddr: 0, cookie: 0n };

  private context(task: Task, vaddr: number, cookie: bigint): ConsumerContext {
    const c = this.hitCtx;
    c.task = task;
    c.cpu = task.proc.cpu;
    c.vaddr = vaddr;
    c.cookie = cookie;
    return c;
  }

  /** handler_chain(): every consumer newest first; one return instance per hit for the ret consumers. */
  private handlerChain(task: Task, u: Uprobe, vaddr: number, traceHit: number): void {
    let remove = true;
    let hasConsumers = false;
    let wantsReturn = false;
    let cookies: Map<number, bigint> | undefined;
    if (traceHit) this.trace(traceHit, "handler chain", vaddr, u.consumers.map((c) => c.uc.name).join(", ") || "(no consumers)");
    const consumers = u.consumers;
    for (let i = 0; i < consumers.length; i++) {
      const c = consumers[i]!;
      let rc = 0;
      const ctx = this.context(task, vaddr, 0n);
      if (c.uc.handler) {
        c.stats.hits++;
        countTaskHit(c.stats, task.tid);
        c.stats.virtualPs += this.chargePs(this.handlerPs);
        rc = c.uc.handler(ctx) ?? 0;
      }
      remove &&= rc === UPROBE_HANDLER_REMOVE;
      hasConsumers = true;
      if (!c.uc.retHandler || rc === UPROBE_HANDLER_REMOVE || rc === UPROBE_HANDLER_IGNORE) continue;
      wantsReturn = true;
      if (c.uc.handler) (cookies ??= new Map()).set(c.id, ctx.cookie); // session consumer
    }
    // (no uretprobes before 3.10: registration already refused ret consumers there)
    if (wantsReturn && this.gen.uretprobeReturn !== "none") prepareUretprobe(this, task, u, cookies ?? NO_COOKIES, traceHit);
    if (remove && hasConsumers && !this.registry.filterChain(u, task.proc)) {
      this.registry.unapply(u, task.proc);
      this.trace(traceHit, "breakpoint removed", vaddr, "every consumer returned UPROBE_HANDLER_REMOVE");
    }
  }

  runRetHandler(task: Task, c: Consumer, ri: ReturnInstance, cookie: bigint): void {
    c.stats.hits++;
    countTaskHit(c.stats, task.tid);
    c.stats.virtualPs += this.chargePs(this.handlerPs);
    if (ri.traceHit) this.trace(ri.traceHit, "ret_handler", task.proc.cpu.rip, `${c.uc.name} (func ${hex(ri.func)})`);
    c.uc.retHandler!(this.context(task, ri.func, cookie), ri.func);
  }

  // ---- KernelHooks ----

  /** DIE_INT3: uprobe_pre_sstep_notifier() then handle_swbp(). */
  breakpoint(task: Task): boolean {
    if (this.plannedBreakpoint(task)) return true;
    const st = this.mmState(task.proc.mm);
    const utask = this.existingUtask(task);
    if (!st.hasUprobes && !(utask && utask.returnInstances.length)) return false;
    this.handleSwbp(task);
    return true;
  }

  /** A planned site: handle_swbp's common case as straight code (hit-plan.ts); false when the site has no valid plan. */
  plannedBreakpoint(task: Task): boolean {
    if (!this.planning) return false;
    const mm = task.proc.mm;
    const st = this.mmState(mm);
    const bp = task.proc.cpu.rip - 1;
    let plan = st.lastPlan;
    if (plan === undefined || plan.bp !== bp) plan = st.plans.get(bp);
    if (plan === undefined || !plan.valid(mm, this.registry.generation)) return false;
    st.lastPlan = plan;
    plan.hit(task, this);
    return true;
  }

  private handleSwbp(task: Task): void {
    const cpu = task.proc.cpu;
    const bp = cpu.rip - 1;
    const area = this.mmState(task.proc.mm).xolArea;
    if (area && bp === area.vaddr && this.gen.uretprobeReturn !== "none") {
      // the int3 trampoline in XOL slot 0: a uretprobe return
      const ris = this.existingUtask(task)?.returnInstances;
      const ri = ris && ris.length ? ris[ris.length - 1] : undefined;
      this.trace(ri?.traceHit ?? 0, "uretprobe trampoline", bp, "int3 at XOL slot 0 (#BP)");
      this.kernel?.creditDetour(1); // the trampoline's int3 is not the program's
      uprobeHandleTrampoline(this, task, "uret_trap");
      return;
    }
    const u = this.findActiveUprobe(task, bp);
    if (!u) {
      const byte = task.proc.mm.peek(bp, 1);
      if (byte && byte[0] === UPROBE_SWBP_INSN) {
        this.kernel?.queueSignal(task, { signo: SIGTRAP, code: SI_KERNEL, addr: 0, forced: true, ip: bp });
      } else cpu.rip = bp; // raced with removal: re-execute the original instruction
      return;
    }
    if (this.planning) this.planSite(task, u, bp);
    u.hits++;
    const hit = this.traceLog.maxHits > 0 ? this.traceLog.beginHit() : 0;
    this.chargeTrap("int3", u.consumers);
    if (hit) this.trace(hit, "int3", bp, `#BP trap, uprobe ${u.file.path}+${hex(u.offset)}`);
    // 3.5 left ip after the int3 for the handlers; later kernels set it to the probe address first
    if (!this.gen.handlerIpIsBpPlus1) cpu.rip = bp;
    const a = u.arch;
    if (!a) {
      cpu.rip = bp; // not analysed yet (unregister/register race): restart
      return;
    }
    const utask = this.utask(task);
    utask.traceHit = hit;
    const ipBefore = cpu.rip;
    const ris = utask.returnInstances;
    const topBefore = ris[ris.length - 1];
    this.handlerChain(task, u, bp, hit);
    // a new return instance: prepare_uretprobe rewrote the return address on the user stack in this trap
    const wroteStack = ris[ris.length - 1] !== topBefore;
    if (wroteStack) this.chargeStackWrite(u.consumers);
    archUprobeOptimize(this.archCtx, task, a, bp, hit);
    // 6.18: a consumer that moved ip means "don't execute the original instruction"
    if (this.gen.skipWhenIpChanged && cpu.rip !== ipBefore) {
      if (hit) this.trace(hit, "skipped", bp, `a consumer changed ip to ${hex(cpu.rip)}`);
      return;
    }
    if (archUprobeSkipSstep(a, cpu)) {
      // emulate_push_stack(): an emulated push or call writes the user stack (once per trap: §9.5)
      if (!wroteStack && emulationWritesStack(a)) this.chargeStackWrite(u.consumers);
      if (hit) this.trace(hit, "emulated", bp, `${a.ops.name}: ip -> ${hex(cpu.rip)}`);
      if (cpu.fl.bits & TF) this.sendSigtrap(task); // TF lives in the always-materialized bits
      return;
    }
    this.preSsout(task, u, bp, hit);
  }

  /** Make (or refuse) the hit plan of the site at bp, used from its next hit on. */
  private planSite(task: Task, u: Uprobe, bp: number): void {
    const mm = task.proc.mm;
    const st = this.mmState(mm);
    const a = u.arch;
    const optimizable = this.optimizeEnabled && a !== undefined && a.canOptimize && !a.optimizeFail;
    const params = {
      registryGen: this.registry.generation,
      trapPs: this.trapPs[0]!,
      handlerPs: this.handlerPs,
      writesStack: a !== undefined && emulationWritesStack(a),
      handlerIpIsBpPlus1: this.gen.handlerIpIsBpPlus1,
      skipWhenIpChanged: this.gen.skipWhenIpChanged,
    };
    const plan = HitPlan.make(bp, u, mm, st, params, optimizable);
    st.plans.set(bp, plan);
    if (st.lastPlan !== undefined && st.lastPlan.bp === bp) st.lastPlan = plan;
  }

  /** The plan's emulation failed: pre_ssout() as the general path does. */
  stepOutOfLine(task: Task, u: Uprobe, bp: number): void {
    this.utask(task).traceHit = 0;
    this.preSsout(task, u, bp, 0);
  }

  /** find_active_uprobe(): the VMA's file and offset identify the uprobe (memoized per address). */
  private findActiveUprobe(task: Task, bp: number): Uprobe | undefined {
    const mm = task.proc.mm;
    const st = this.mmState(mm);
    if (st.cacheRegistryGen !== this.registry.generation || st.cacheVmaGen !== mm.vmaGeneration) {
      st.lookupCache.clear();
      st.cacheRegistryGen = this.registry.generation;
      st.cacheVmaGen = mm.vmaGeneration;
    } else if (bp === st.lastLookupAddr) {
      return st.lastLookup; // the same probe hit again: no Map lookup
    } else {
      const hit = st.lookupCache.get(bp); // one lookup when the address holds a uprobe (has() only for misses)
      if (hit !== undefined || st.lookupCache.has(bp)) {
        st.lastLookupAddr = bp;
        st.lastLookup = hit;
        return hit;
      }
    }
    const v = mm.findVma(bp);
    const u = v && v.file ? this.registry.find(v.file, v.offset + (bp - v.start)) : undefined;
    st.lookupCache.set(bp, u);
    st.lastLookupAddr = bp;
    st.lastLookup = u;
    return u;
  }

  /** pre_ssout(): copy the instruction to an XOL slot and single-step it there. */
  private preSsout(task: Task, u: Uprobe, bp: number, hit: number): void {
    const cpu = task.proc.cpu;
    const a = u.arch!;
    const area = this.getXolArea(task);
    const utask = this.utask(task);
    if (!area) {
      // cannot single-step: restart at the probe (the handlers run again on the next hit)
      cpu.rip = bp;
      this.trace(hit, "restart", bp, "no XOL area");
      return;
    }
    const slot = xolGetInsnSlot(task.proc.mm, area, a.insn);
    if (slot === undefined) {
      this.waitForSlot(task, u, bp, hit, area);
      return;
    }
    utask.xolVaddr = slot;
    utask.vaddr = bp;
    archUprobePreXol(a, cpu, utask);
    utask.activeUprobe = u;
    utask.state = UTaskState.SStep;
    if (hit) {
      const bytes = Array.from(a.insn.subarray(0, a.riprelSqueezed ? a.ilen - 4 : a.ilen), (b) => b.toString(16).padStart(2, "0")).join(" ");
      const scratch = a.ops === defaultXolOps && a.fixups & UPROBE_FIX_RIP_MASK ? ", rip-relative operand rewritten to a scratch register" : "";
      this.trace(hit, "xol", slot, `copied [${bytes}] to slot ${(slot - area.vaddr) / 128}${scratch}; TF set`);
    }
  }

  /**
   * Every slot is taken (tasks preempted in their step, docs/threads.md): xol_get_insn_slot
   * sleeps in wait_event(area->wq, a free slot) in every generation since 3.6, uninterruptibly,
   * and carries on with the step when it gets one. The handlers do not run again. The wait is
   * counted per consumer (xol_waits), costs an xol_wait charge when it ends, and shows in the
   * trace and the deadlock report.
   */
  private waitForSlot(task: Task, u: Uprobe, bp: number, hit: number, area: XolArea): void {
    const k = this.kernel!;
    (area.waiters ??= []).push(task);
    for (const c of u.consumers) c.stats.xolWaits++;
    this.trace(hit, "xol wait", bp, `all ${UINSNS_PER_PAGE_USABLE(this.gen)} slots busy: sleeping on the area's wait queue`);
    k.sched.block(task, { kind: "uprobe XOL slot", what: `[uprobes] 0x${area.vaddr.toString(16)}`, cancel: () => {
      const i = area.waiters!.indexOf(task);
      if (i >= 0) area.waiters!.splice(i, 1);
    } });
    k.requestResched();
    task.onResume = () => {
      this.chargePs(this.xolWaitPs);
      for (const c of u.consumers) c.stats.virtualPs += this.xolWaitPs;
      this.preSsout(task, u, bp, hit);
    };
  }

  /** DIE_DEBUG: uprobe_post_sstep_notifier() then handle_singlestep(). */
  singleStep(task: Task): boolean {
    const utask = this.existingUtask(task);
    if (!utask || !utask.activeUprobe) return false;
    utask.state = UTaskState.SStepAck;
    this.handleSinglestep(task, utask);
    return true;
  }

  private handleSinglestep(task: Task, utask: UTask): void {
    const cpu = task.proc.cpu;
    const u = utask.activeUprobe!;
    const a = u.arch!;
    const hit = utask.traceHit;
    let err = 0;
    if (utask.state === UTaskState.SStepAck) {
      this.chargeTrap("single_step", u.consumers);
      // the int3 stood for the probed instruction; its copy in the slot retired one more
      this.kernel?.creditDetour(1);
      const before = cpu.rip;
      err = archUprobePostXol(this.archCtx, task, a, utask);
      if (hit) {
        const fix = a.ops !== defaultXolOps ? "" : a.fixups & UPROBE_FIX_IP ? " FIX_IP" : a.fixups & UPROBE_FIX_CALL ? " FIX_CALL" : " no fixup";
        this.trace(hit, "single-step", before, `#DB after the copy ran;${fix} -> ip ${hex(cpu.rip)}`);
      }
    } else {
      archUprobeAbortXol(a, cpu, utask);
    }
    utask.activeUprobe = undefined;
    utask.state = UTaskState.Running;
    const area = this.mmState(task.proc.mm).xolArea;
    if (area) this.freeXolSlot(task.proc, area, utask.xolVaddr);
    utask.xolVaddr = 0;
    utask.signalDenied = false;
    if (err) this.forceSignal(task, "SIGILL", "execute the probed insn, sending SIGILL");
  }

  /**
   * The XOL copy itself trapped: uprobe_deny_signal() marks SSTEP_TRAPPED and
   * handle_singlestep() aborts, so the signal is delivered at the probe
   * address (and si_addr for SIGILL/SIGFPE/SIGTRAP is the probe address too).
   */
  exception(task: Task, exc: CpuException, info: SigInfo): void {
    void exc;
    const utask = this.existingUtask(task);
    if (!utask || !utask.activeUprobe) return;
    utask.state = UTaskState.SStepTrapped;
    if (utask.traceHit) this.trace(utask.traceHit, "xol trapped", task.proc.cpu.rip, `signal ${info.signo}; restart at the probe address`);
    const vaddr = utask.vaddr;
    this.handleSinglestep(task, utask);
    info.ip = vaddr;
    if (info.signo !== SIGSEGV) info.addr = vaddr;
  }

  /** uprobe_deny_signal(): non-fatal signals wait until the single step completes. */
  denySignal(task: Task): boolean {
    const utask = this.existingUtask(task);
    if (!utask || !utask.activeUprobe) return false;
    utask.signalDenied = true;
    return true;
  }

  syscall(task: Task, nr: number): number | "noreturn" | undefined {
    if (nr === 335 && this.gen.uretprobeReturn === "syscall335") {
      const area = this.mmState(task.proc.mm).xolArea;
      if (area) this.creditDetour(task, area.vaddr);
      return sysUretprobe(this.archCtx, task);
    }
    if (nr === 336 && this.gen.nop5Optimize) {
      const ip = task.proc.cpu.rip;
      this.creditDetour(task, ip - (ip % 4096));
      return sysUprobe(this.archCtx, task);
    }
    return undefined;
  }

  /** Instructions of the trampoline at each address, up to and including its ret (decoded once). */
  private readonly detourLengths = new Map<number, number>();

  /**
   * The instructions a task runs in a kernel-provided page ([uprobes] slot 0, [uprobes-trampoline])
   * are not the program's: the scheduler does not count them against its quantum, so probes never
   * change the interleaving (docs/threads.md). A trampoline is straight-line code ending in ret.
   */
  private creditDetour(task: Task, start: number): void {
    let n = this.detourLengths.get(start);
    if (n === undefined) {
      const bytes = task.proc.mm.peek(start, 64);
      n = 0;
      // decodeRun stops at each control transfer (the syscall): go on to the ret
      for (let at = start; bytes && at - start < bytes.length && n < 32; ) {
        const { insns } = task.proc.cpu.decoder.decodeRun(at, bytes.subarray(at - start), 32);
        if (insns.length === 0) break;
        let ret = false;
        for (const i of insns) {
          n++;
          if (bytes[i.addr - start] === 0xc3) {
            ret = true;
            break;
          }
        }
        if (ret) break;
        at = insns[insns.length - 1]!.next;
      }
      this.detourLengths.set(start, n);
    }
    this.kernel?.creditDetour(n);
  }

  /** handle_syscall_uprobe(): the optimized path runs the handlers only (the nop itself is not executed). */
  handleSyscallUprobe(task: Task, bp: number): void {
    const u = this.findActiveUprobe(task, bp);
    if (!u || !u.arch) return;
    u.hits++;
    const hit = this.traceLog.maxHits > 0 ? this.traceLog.beginHit() : 0;
    this.chargeTrap("uprobe_syscall", u.consumers);
    this.trace(hit, "uprobe syscall", bp, "call [uprobes-trampoline] -> sys_uprobe (no exception)");
    this.utask(task).traceHit = hit;
    this.handlerChain(task, u, bp, hit);
  }

  mmap(proc: Process, vma: Vma): void {
    this.registry.mmap(proc, vma);
  }

  /**
   * uprobe_dup_mmap and uprobe_copy_process for fork: the child's copied pages keep the int3
   * bytes (and the `call` of optimized sites), its mm gets MMF_HAS_UPROBES, and a child of a
   * task with return instances gets a copy of them and an XOL area at the parent's address
   * (dup_xol_work), since its stack holds return addresses that point at the trampoline. The
   * [uprobes-trampoline] pages are VM_DONTCOPY and not recreated: a child that reaches an
   * optimized site calls an unmapped page and dies of SIGSEGV, as observed on 6.18.44
   * (shared/docs/uprobes-x86-semantics.md 9.6).
   */
  fork(parent: Process, child: Process, parentTask: Task, childTask: Task): void {
    const ps = this.mmState(parent.mm);
    const cs = this.mmState(child.mm);
    cs.hasUprobes = ps.hasUprobes;
    const pu = this.existingUtask(parentTask);
    if (!pu || pu.returnInstances.length === 0 || !ps.xolArea) return;
    // CLONE_VM: no dup_mmap; a vfork child copies the return instances and uses the parent's area
    if (child.mm === parent.mm && !child.vforkParent) return;
    const cu = this.utask(childTask);
    for (const ri of pu.returnInstances) cu.returnInstances.push(ri);
    if (child.mm === parent.mm) return;
    cs.xolArea = createXolArea(child.mm, this.gen, 64, ps.xolArea.vaddr);
  }

  /** uprobe_free_utask (do_exit): the task's XOL slot and return instances go with it. */
  taskExit(task: Task): void {
    const u = this.existingUtask(task);
    if (!u) return;
    if (u.activeUprobe) {
      const area = this.mmState(task.proc.mm).xolArea;
      if (area) this.freeXolSlot(task.proc, area, u.xolVaddr);
    }
    u.returnInstances.length = 0;
    u.activeUprobe = undefined;
    this.utasks.delete(task);
    if (this.lastTask === task) {
      this.lastTask = undefined;
      this.lastUtask = undefined;
    }
  }

  /** exec: the old mm's return instances point into a stack that no longer exists. */
  exec(proc: Process, task: Task): void {
    void proc;
    this.taskExit(task);
  }

  /**
   * xol_free_insn_slot: clear the bit and wake the tasks waiting in xol_get_insn_slot (the
   * area's wait queue: wake_up wakes all of them; each tries again when it runs).
   */
  private freeXolSlot(proc: Process, area: XolArea, xolVaddr: number): void {
    xolFreeInsnSlot(area, xolVaddr);
    const waiters = area.waiters;
    if (!waiters || waiters.length === 0) return;
    area.waiters = [];
    for (const t of waiters) this.kernel?.sched.wake(t, undefined);
    void proc;
  }
}
