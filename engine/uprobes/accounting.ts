// Per-probe accounting and the event trace ("anatomy of a hit").
//
// Each consumer (one probe of the user's program) owns a ProbeStats. A trap
// taken for a uprobe is charged to every consumer of that uprobe: they all
// share the one int3, so each one's count is right from its own point of
// view (the kernel has one breakpoint; each tool sees the cost of its hits).

export type TrapKind = "int3" | "single_step" | "uret_trap" | "uprobe_syscall" | "uretprobe_syscall";

export type ProbePath = "emulated" | "xol" | "optimized" | "rejected" | "pending";

export interface ProbeStats {
  /** Handler runs (uprobe) or ret_handler runs (uretprobe). */
  hits: number;
  traps: Record<TrapKind, number>;
  /** Virtual time spent in traps, syscalls and this consumer's handler runs, picoseconds. */
  virtualPs: number;
  path: ProbePath;
  /** The kernel's error when the probe was refused. */
  error?: { errno: number; name: string; why: string };
  /** Entry hits of a uretprobe that armed no return (depth limit, unwritable stack). */
  omittedReturns: number;
  /** Steps that slept in xol_get_insn_slot because every XOL slot was taken. */
  xolWaits: number;
  /** Hits by thread id, in the order threads first hit. */
  byTid: Map<number, number>;
}

export function newStats(): ProbeStats {
  return {
    hits: 0,
    traps: { int3: 0, single_step: 0, uret_trap: 0, uprobe_syscall: 0, uretprobe_syscall: 0 },
    virtualPs: 0,
    path: "pending",
    omittedReturns: 0,
    xolWaits: 0,
    byTid: new Map(),
    error: undefined,
  };
}

export function totalTraps(s: ProbeStats): number {
  const t = s.traps;
  return t.int3 + t.single_step + t.uret_trap + t.uprobe_syscall + t.uretprobe_syscall;
}

/** One step of a hit, for the notebooks' anatomy view. */
export interface TraceEvent {
  /** Guest time when it happened, ns. */
  ns: number;
  /** Which hit of the uprobe (1-based). */
  hit: number;
  event: string;
  addr?: string;
  detail?: string;
  /** The task: "comm[tid]". */
  task?: string;
}

export class EventTrace {
  readonly events: TraceEvent[] = [];
  private hitsTraced = 0;

  constructor(readonly maxHits: number) {}

  /** Start tracing a new hit; false once maxHits hits were traced. */
  beginHit(): number {
    if (this.hitsTraced >= this.maxHits) return 0;
    return ++this.hitsTraced;
  }

  get active(): boolean {
    return this.hitsTraced <= this.maxHits && this.maxHits > 0;
  }

  add(e: TraceEvent): void {
    if (e.hit > 0) this.events.push(e);
  }
}

/** One more hit by thread tid. */
export function countTaskHit(s: ProbeStats, tid: number): void {
  s.byTid.set(tid, (s.byTid.get(tid) ?? 0) + 1);
}

export function hex(n: number): string {
  return n < 0 ? "-0x" + (-n).toString(16) : "0x" + n.toString(16);
}
