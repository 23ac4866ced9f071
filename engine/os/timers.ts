// Timers on the virtual clock for a tracing tool's interval and profile
// probes (bpftrace's perf_event timers: PERF_COUNT_SW_CPU_CLOCK). They never
// touch the instruction loop: the kernel (linux.ts runTask) caps each run of
// a task's instructions at the next deadline of its virtual CPU, as the
// scheduler's quantum caps it, and fires what is due between two runs.
//
//   global timer   (interval) one deadline for the machine. It fires at the
//                  first instruction boundary at which any CPU's clock reaches
//                  it, or, when every CPU idles or a round ends first, at the
//                  round's end (or at the deadline itself while all CPUs idle).
//                  Its handler gets no task (the tool's own context).
//   per-CPU timer  (profile) one deadline per virtual CPU. It fires only while
//                  a task runs on that CPU, with that task interrupted (its
//                  registers are the sample). A deadline that passes while the
//                  CPU idles is skipped: the emulator has no idle task and no
//                  other processes to sample (docs/uprobes-model.md §13).
//
// Periods are whole picoseconds; deadlines are k * period from boot, so the
// same program fires at the same instructions on every run. Firings are
// bounded (MAX_TIMER_FIRINGS) so that a guest that sleeps for hours under
// `interval:us:1` cannot keep the host busy.

import type { Task } from "./task.js";

/** Firings of all timers in one run before the run stops as at a limit. */
export const MAX_TIMER_FIRINGS = 1_000_000;

export interface VirtualTimer {
  /** Period in picoseconds (> 0). */
  readonly periodPs: number;
  /** One deadline per virtual CPU (profile), or one for the machine (interval). */
  readonly perCpu: boolean;
  /** Runs at each deadline: task is the interrupted task (per-CPU timers), undefined for a global one. */
  fire(task: Task | undefined, cpu: number): void;
}

interface Armed {
  timer: VirtualTimer;
  /** Next deadline (ps): one entry, or one per CPU. */
  next: number[];
}

export class TimerQueue {
  private readonly armed: Armed[] = [];
  private firings = 0;

  constructor(private readonly cpus: number) {}

  /** Arm a timer at the first multiple of its period after nowPs. */
  add(timer: VirtualTimer, nowPs: number): void {
    const first = (Math.floor(nowPs / timer.periodPs) + 1) * timer.periodPs;
    this.armed.push({ timer, next: new Array<number>(timer.perCpu ? this.cpus : 1).fill(first) });
  }

  /** Set once MAX_TIMER_FIRINGS is passed: the run must stop. */
  get exhausted(): boolean {
    return this.firings > MAX_TIMER_FIRINGS;
  }

  /** Instructions task may run on `cpu` from nowPs before a deadline of that CPU (Infinity: none). */
  insnsUntilDeadline(cpu: number, nowPs: number, psPerInsn: number): number {
    let d = Infinity;
    for (const a of this.armed) {
      const next = a.next[a.timer.perCpu ? cpu : 0]!;
      if (next < d) d = next;
    }
    return d === Infinity ? Infinity : Math.max(1, Math.ceil((d - nowPs) / psPerInsn));
  }

  /** A task runs on `cpu` and its clock reads nowPs: fire every deadline of that CPU (and every global one) that is due. */
  fireOnCpu(task: Task, cpu: number, nowPs: number): void {
    for (const a of this.armed) {
      const i = a.timer.perCpu ? cpu : 0;
      while (a.next[i]! <= nowPs && !this.exhausted) {
        a.next[i]! += a.timer.periodPs;
        this.firings++;
        a.timer.fire(a.timer.perCpu ? task : undefined, cpu);
      }
    }
  }

  /** The earliest global deadline (ps), for time that passes with every CPU idle. */
  nextGlobalDeadline(): number | undefined {
    let d: number | undefined;
    for (const a of this.armed) if (!a.timer.perCpu && (d === undefined || a.next[0]! < d)) d = a.next[0]!;
    return d;
  }

  /**
   * The clock reads nowPs with no task on a CPU (a round ended, or every CPU idles): fire the
   * global deadlines that are due, and skip the per-CPU ones (an idle CPU gives no sample).
   */
  fireIdle(nowPs: number): void {
    for (const a of this.armed) {
      if (a.timer.perCpu) {
        for (let i = 0; i < a.next.length; i++) if (a.next[i]! <= nowPs) a.next[i] = (Math.floor(nowPs / a.timer.periodPs) + 1) * a.timer.periodPs;
        continue;
      }
      while (a.next[0]! <= nowPs && !this.exhausted) {
        a.next[0]! += a.timer.periodPs;
        this.firings++;
        a.timer.fire(undefined, 0);
      }
    }
  }
}
