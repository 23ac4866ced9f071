// The deterministic scheduler (docs/threads.md). Tasks run in rounds: a
// round takes up to `cpus` runnable tasks from the head of one FIFO run
// queue, one per virtual CPU, and runs each for the rest of its quantum of
// retired guest instructions (or until it blocks or exits). Preemption counts
// instructions only, so probes, emulation on or off, the generation and the
// cost profile never change the interleaving; only --cpus and the quantum do.
// Woken tasks join the tail of the queue in the order they were woken; timers
// (futex timeouts, nanosleep) expire at round boundaries, earliest first.

import type { Task, TaskWait } from "./task.js";
import { TaskState } from "./task.js";

/** Default --cpus: see docs/threads.md (two lanes show real parallelism; more only re-orders the same rounds). */
export const DEFAULT_CPUS = 4;
/** Retired instructions per scheduling quantum (about 33 µs of guest time at the default profile). */
export const DEFAULT_QUANTUM = 100_000;
/** The lanes of a round take turns this many program instructions at a time (their tasks' accesses interleave at this grain). */
export const LOCKSTEP_INSNS = 1000;
/** Default --max-tasks: threads and processes alive at once across the tree. */
export const DEFAULT_MAX_TASKS = 512;

/** A kernel timer on the virtual clock (an itimer): fire() runs when the clock reaches deadlinePs. */
export interface KernelTimer {
  deadlinePs: number;
  /** Creation order on this machine (Scheduler.makeTimer): timers due at the same time fire in this order. */
  readonly seq: number;
  fire(): void;
}

export class Scheduler {
  /** Armed kernel timers (not tied to a sleeping task). */
  private readonly timers = new Set<KernelTimer>();
  /** Kernel timers made so far (makeTimer): the next one's seq. */
  private timersMade = 0;

  /** Runnable tasks not on a CPU, in the order they will run. */
  private readonly runQueue: Task[] = [];
  /** Blocked tasks with a deadline. */
  private readonly timed = new Set<Task>();
  /** Every task blocked now (for the deadlock report), in the order they blocked. */
  private readonly blocked = new Set<Task>();

  constructor(
    readonly cpus: number,
    readonly quantum: number,
  ) {}

  get runnable(): number {
    return this.runQueue.length;
  }

  enqueue(task: Task): void {
    task.state = TaskState.Runnable;
    this.runQueue.push(task);
  }

  /** The running task sleeps until wake() (or its deadline). */
  block(task: Task, wait: TaskWait): void {
    task.state = TaskState.Blocked;
    task.wait = wait;
    this.blocked.add(task);
    if (wait.deadlinePs !== undefined) this.timed.add(task);
  }

  /** Make a blocked task runnable; result is its syscall's return value. false if it was not blocked. */
  wake(task: Task, result: number | undefined): boolean {
    if (task.state !== TaskState.Blocked) return false;
    const w = task.wait;
    task.wait = undefined;
    w?.cancel?.();
    this.blocked.delete(task);
    this.timed.delete(task);
    if (result === undefined && w?.restartNr !== undefined) task.restartNr = w.restartNr;
    else task.wakeResult = result;
    this.enqueue(task);
    return true;
  }

  /** Job control: the task stops (leaves the run queue) until resume(). Its pending result is kept. */
  stop(task: Task, what: string): void {
    const i = this.runQueue.indexOf(task);
    if (i >= 0) this.runQueue.splice(i, 1);
    task.state = TaskState.Blocked;
    task.wait = { kind: "stopped", what };
    this.blocked.add(task);
  }

  /** SIGCONT (or SIGKILL): a stopped task runs again, from the tail of the queue. */
  resume(task: Task): void {
    if (task.state !== TaskState.Blocked || task.wait?.kind !== "stopped") return;
    task.wait = undefined;
    this.blocked.delete(task);
    this.enqueue(task);
  }

  /** The task is gone: drop it from every queue. */
  remove(task: Task): void {
    if (task.state === TaskState.Blocked) {
      task.wait?.cancel?.();
      task.wait = undefined;
    }
    this.blocked.delete(task);
    this.timed.delete(task);
    const i = this.runQueue.indexOf(task);
    if (i >= 0) this.runQueue.splice(i, 1);
    task.state = TaskState.Exited;
  }

  /**
   * Up to `cpus` tasks for the next round, taken off the queue (the caller re-queues those still
   * runnable). In queue order, each task takes the lowest-numbered free CPU its affinity mask
   * allows (task.cpu); a task whose CPUs are all taken waits, keeping its place, for a later round.
   */
  takeRound(): Task[] {
    const lanes: Task[] = [];
    const all = (1n << BigInt(this.cpus)) - 1n;
    let free = all;
    for (let i = 0; i < this.runQueue.length && free !== 0n; ) {
      const t = this.runQueue[i]!;
      const allowed = (t.affinity || all) & free;
      if (allowed === 0n) {
        i++;
        continue;
      }
      let cpu = 0;
      while (!((allowed >> BigInt(cpu)) & 1n)) cpu++;
      free &= ~(1n << BigInt(cpu));
      t.cpu = cpu;
      lanes.push(t);
      this.runQueue.splice(i, 1);
    }
    return lanes;
  }

  /**
   * A kernel timer due at deadlinePs, not armed yet. Its seq counts the timers made on this machine, of every
   * kind (itimers, timerfds), so that ties fire in creation order, and the same in a fresh process as in a later
   * run of the same process (a counter per module would carry over from earlier runs).
   */
  makeTimer(deadlinePs: number, fire: () => void): KernelTimer {
    return { deadlinePs, seq: this.timersMade++, fire };
  }

  /** Arm (or re-arm) a timer; a pending timer is a reason to advance the clock, not a deadlock. */
  armTimer(t: KernelTimer): void {
    this.timers.add(t);
  }

  disarmTimer(t: KernelTimer): void {
    this.timers.delete(t);
  }

  timerArmed(t: KernelTimer): boolean {
    return this.timers.has(t);
  }

  /** The earliest deadline of a blocked task or an armed timer (ps), or undefined. */
  nextDeadline(): number | undefined {
    let d: number | undefined;
    for (const t of this.timed) if (d === undefined || t.wait!.deadlinePs! < d) d = t.wait!.deadlinePs!;
    for (const t of this.timers) if (d === undefined || t.deadlinePs < d) d = t.deadlinePs;
    return d;
  }

  /**
   * Fire the timers due at or before nowPs (earliest first, then in creation order), then wake
   * the tasks whose deadline passed: earliest deadline first, then lowest tid.
   */
  expire(nowPs: number): void {
    if (this.timers.size !== 0) {
      const due = [...this.timers].filter((t) => t.deadlinePs <= nowPs);
      due.sort((a, b) => a.deadlinePs - b.deadlinePs || a.seq - b.seq);
      for (const t of due) {
        this.timers.delete(t);
        t.fire(); // may re-arm itself
      }
    }
    if (this.timed.size === 0) return;
    const due = [...this.timed].filter((t) => t.wait!.deadlinePs! <= nowPs);
    due.sort((a, b) => a.wait!.deadlinePs! - b.wait!.deadlinePs! || a.tid - b.tid);
    for (const t of due) {
      t.wait!.onTimeout?.();
      this.wake(t, t.wait!.timeoutResult ?? 0);
    }
  }

  /** Blocked tasks, in the order they blocked. */
  blockedTasks(): Task[] {
    return [...this.blocked];
  }
}
