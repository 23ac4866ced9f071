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
  return new Stats();
}

/**
 * A consumer's stats. Hits by thread: the thread that hit last counts in two fields, and only a hit by another
 * thread (or a reader of byTid) moves them into the Map: a Map get and set per hit was a tenth of an emulated hit.
 */
export class Stats implements ProbeStats {
  hits = 0;
  traps: Record<TrapKind, number> = { int3: 0, single_step: 0, uret_trap: 0, uprobe_syscall: 0, uretprobe_syscall: 0 };
  virtualPs = 0;
  path: ProbePath = "pending";
  omittedReturns = 0;
  xolWaits = 0;
  error: ProbeStats["error"] = undefined;
  private readonly tids = new Map<number, number>();
  /** The thread that hit last (-1: none), and its hits not yet in `tids`. */
  tidNow = -1;
  tidPending = 0;

  get byTid(): Map<number, number> {
    this.flushTid();
    return this.tids;
  }

  flushTid(): void {
    if (this.tidPending === 0) return;
    this.tids.set(this.tidNow, (this.tids.get(this.tidNow) ?? 0) + this.tidPending);
    this.tidPending = 0;
  }

  /** One more hit by thread tid (a new thread is entered at once: the Map keeps the order threads first hit). */
  countTid(tid: number): void {
    if (tid === this.tidNow) {
      this.tidPending++;
      return;
    }
    this.flushTid();
    this.tidNow = tid;
    if (!this.tids.has(tid)) this.tids.set(tid, 0);
    this.tidPending = 1;
  }
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
  if (s instanceof Stats) s.countTid(tid);
  else s.byTid.set(tid, (s.byTid.get(tid) ?? 0) + 1);
}

export function hex(n: number): string {
  return n < 0 ? "-0x" + (-n).toString(16) : "0x" + n.toString(16);
}
