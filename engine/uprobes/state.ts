// The uprobe subsystem's data model (kernel/events/uprobes.c and
// include/linux/uprobes.h; docs/uprobes-model.md describes it): the global
// registry's uprobes and consumers, per-mm state, per-task state (struct
// uprobe_task) and return instances.

import type { Cpu } from "../cpu/cpu.js";
import type { MappedFile } from "../mm/mapped-file.js";
import type { Process } from "../os/process.js";
import type { Task } from "../os/task.js";
import type { ProbeStats } from "./accounting.js";
import type { HitPlan } from "./hit-plan.js";
import type { ArchUprobe } from "./x86/arch-uprobe.js";

export const UPROBE_HANDLER_REMOVE = 1;
export const UPROBE_HANDLER_IGNORE = 2;

/** What a consumer's handlers see at a hit (the kernel passes pt_regs). */
export interface ConsumerContext {
  task: Task;
  cpu: Cpu;
  /** The probed address in this process. */
  vaddr: number;
  /** Session cookie: written by handler, handed back to retHandler. */
  cookie: bigint;
}

/** struct uprobe_consumer. */
export interface UprobeConsumer {
  /** Display name (the DSL probe, e.g. "probe test:0"). */
  name: string;
  /** Runs at the probed instruction; return UPROBE_HANDLER_REMOVE/IGNORE or nothing. */
  handler?(ctx: ConsumerContext): number | void;
  /** Runs when the probed function returns; func is the probed address. */
  retHandler?(ctx: ConsumerContext, func: number): void;
  /** Per-mm filter (absent: every process). */
  filter?(proc: Process): boolean;
  /** File offset of a USDT semaphore the kernel counts (uprobe_register_refctr, 4.20+; ref-ctr.ts); 0 or absent: none. */
  refCtrOffset?: number;
}

/** A registered consumer with its id and accounting. */
export interface Consumer {
  id: number;
  uc: UprobeConsumer;
  stats: ProbeStats;
  uprobe: Uprobe;
}

/** struct uprobe: one per (inode, offset), shared by every process and consumer. */
export interface Uprobe {
  file: MappedFile;
  offset: number;
  /** Newest first: new consumers are inserted at the head. */
  consumers: Consumer[];
  /** Set once analysis ran (UPROBE_COPY_INSN). */
  arch: ArchUprobe | undefined;
  /** The error analysis returned, if it refused the instruction. */
  error: { errno: number; why: string } | undefined;
  /** Hits taken through int3 or the uprobe syscall (for the trace). */
  hits: number;
  /** The semaphore's file offset (uprobe->ref_ctr_offset), and what the kernel did to it (ref-ctr.ts). */
  refCtr?: RefCtrState;
}

/** A uprobe's reference counter: its file offset and the kernel's updates, for reports. */
export interface RefCtrState {
  offset: number;
  /** Increments and decrements written to some mm. */
  increments: number;
  decrements: number;
  /** Increments left pending until the counter's VMA is mapped (delayed_uprobe_add). */
  delayed: number;
  /** The counter's value after the last update (as the guest then reads it). */
  last?: number;
}

/** struct return_instance. */
export interface ReturnInstance {
  uprobe: Uprobe;
  /** Probed address at entry (ri->func). */
  func: number;
  /** User sp at entry: the address of the hijacked return address. */
  stack: number;
  origRetVaddr: number;
  chained: boolean;
  /** Session consumers' cookies by consumer id. */
  cookies: Map<number, bigint>;
  /** Trace hit number of the entry that armed it (0: not traced). */
  traceHit: number;
}

export const enum UTaskState {
  Running = 0,
  /** Single-stepping out of line. */
  SStep = 1,
  /** #DB seen. */
  SStepAck = 2,
  /** The XOL instruction trapped (or a fatal signal arrived). */
  SStepTrapped = 3,
}

/** struct uprobe_task: created on the first hit in a thread. */
export class UTask {
  state = UTaskState.Running;
  activeUprobe: Uprobe | undefined;
  /** Probe address and slot of the step in progress. */
  vaddr = 0;
  xolVaddr = 0;
  savedScratch = 0n;
  savedTf = false;
  signalDenied = false;
  /** Newest last (the kernel's list head is the newest). */
  readonly returnInstances: ReturnInstance[] = [];
  /** Trace hit number of the step in progress (0: not traced). */
  traceHit = 0;

  get depth(): number {
    return this.returnInstances.length;
  }
}

/** An [uprobes-trampoline] page of an mm (6.18 nop5 optimization). */
export interface UprobeTrampoline {
  vaddr: number;
}

/** Per-mm uprobe state (mm->uprobes_state plus MMF_HAS_UPROBES). */
export class MmState {
  hasUprobes = false;
  xolArea: XolArea | undefined;
  readonly trampolines: UprobeTrampoline[] = [];
  /** Memo of find_active_uprobe by address, valid while the registry and the mm's VMAs are unchanged. */
  readonly lookupCache = new Map<number, Uprobe | undefined>();
  cacheRegistryGen = -1;
  cacheVmaGen = -1;
  /** The last entry of lookupCache used (valid under the same generations). */
  lastLookupAddr = -1;
  lastLookup: Uprobe | undefined;
  /** Memo of "is this ip in an [uprobes-trampoline] page" for sys_uprobe: the last ip, at a VMA generation. */
  trampIp = -1;
  trampVmaGen = -1;
  trampResult = false;
  /** Hit plans by probe address (hit-plan.ts), and the one used last. */
  readonly plans = new Map<number, HitPlan | undefined>();
  lastPlan: HitPlan | undefined;
}

/** The XOL area: one page, 32 slots of 128 bytes; slot 0 holds the uretprobe trampoline (3.10+). */
export interface XolArea {
  vaddr: number;
  /** Slot bitmap: bit i set = slot i in use. */
  bitmap: number;
  /** The insn[] array last copied into each slot (identical bytes need no rewrite). */
  slotContents: (Uint8Array | undefined)[];
  /** area->wq: tasks sleeping in xol_get_insn_slot until a slot is freed. */
  waiters?: Task[];
}
