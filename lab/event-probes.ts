// A program's event probes (interval, profile, tracepoint: dsl/probe-events.ts)
// attached to the kernel: the timers to the virtual clock's TimerQueue, the
// tracepoints to the syscall layer's SyscallTrace. Each probe gets one
// HitContext, re-pointed at every firing, so a firing allocates nothing here.
//
//   interval    the tool's own context, as BEGIN/END: pid 999, comm uprobe-lab
//               (bpftrace runs the interval handler on one CPU, in whatever task
//               the timer interrupted there; we document a fixed, deterministic one)
//   profile     the task the CPU's timer interrupted: pid, tid, comm, cpu, its
//               registers (ustack, ip, reg)
//   tracepoint  the task in the syscall, and `args` from the event's record

import { NULL_CONTEXT, type GeneratedEvent, type HitContext } from "../dsl/index.js";
import { newStats, SyscallTrace, TimerQueue, type ConsumerContext, type Linux, type ProbeStats, type Task } from "../engine/index.js";
import { ConsumerHitContext } from "./hit-context.js";

/** An attached event probe and what it did. */
export interface EventProbe {
  readonly event: GeneratedEvent;
  /** Handler runs. */
  hits: number;
}

/** A task's context at a profile sample or a tracepoint: a ConsumerHitContext without a uprobe, plus the record's fields. */
class TaskEventContext extends ConsumerHitContext {
  private readonly cc: ConsumerContext = { task: undefined as unknown as Task, cpu: undefined as unknown as ConsumerContext["cpu"], vaddr: 0, cookie: 0n };
  /** The tracepoint record's fields: __syscall_nr, then the arguments or ret. */
  readonly record: number[] = [0, 0, 0, 0, 0, 0, 0];

  constructor(
    kernel: Linux,
    private readonly counts: ProbeStats,
    onExit: () => void,
  ) {
    super(kernel, counts, onExit);
  }

  /** Point at task, on its CPU now. */
  onTask(task: Task): this {
    this.cc.task = task;
    this.cc.cpu = task.proc.cpu;
    this.cc.vaddr = task.proc.cpu.rip;
    this.counts.hits++;
    return this.at(this.cc, 0);
  }

  tpArg(i: number): bigint {
    return BigInt.asUintN(64, BigInt(this.record[i] ?? 0));
  }
}

/** Attach every event probe of a program; returns them in program order. */
export function attachEvents(kernel: Linux, events: readonly GeneratedEvent[]): EventProbe[] {
  const out: EventProbe[] = [];
  for (const ev of events) {
    const probe: EventProbe = { event: ev, hits: 0 };
    out.push(probe);
    const e = ev.event;
    const exit = (): void => kernel.requestStop(`exit() called by ${e.name}`);
    if (e.kind === "tracepoint") {
      const ctx = new TaskEventContext(kernel, newStats(), exit);
      const rec = ctx.record;
      const trace = (kernel.syscallTrace ??= new SyscallTrace());
      if (e.enter) {
        trace.add(e.nr, {
          enter: (task, nr, args) => {
            rec[0] = nr;
            for (let i = 0; i < 6; i++) rec[i + 1] = args[i]!;
            probe.hits++;
            ev.handler(ctx.onTask(task));
          },
        });
      } else {
        trace.add(e.nr, {
          exit: (task, nr, ret) => {
            rec[0] = nr;
            rec[1] = ret;
            probe.hits++;
            ev.handler(ctx.onTask(task));
          },
        });
      }
    } else if (e.kind === "profile") {
      const ctx = new TaskEventContext(kernel, newStats(), exit);
      timers(kernel).add({ periodPs: e.periodNs * 1000, perCpu: true, fire: (task) => (probe.hits++, ev.handler(ctx.onTask(task!))) }, kernel.nowPs());
    } else {
      const ctx: HitContext = {
        ...NULL_CONTEXT,
        cpu: 0,
        cpid: kernel.processes[0]?.pid ?? NULL_CONTEXT.pid,
        nsecs: () => BigInt(kernel.nowNs()),
        hits: () => BigInt(probe.hits),
        requestExit: exit,
      };
      timers(kernel).add({ periodPs: e.periodNs * 1000, perCpu: false, fire: () => (probe.hits++, ev.handler(ctx)) }, kernel.nowPs());
    }
  }
  return out;
}

function timers(kernel: Linux): TimerQueue {
  return (kernel.timers ??= new TimerQueue(kernel.sched.cpus));
}
