// bcc's interval reports (-i SECONDS) and duration (-d SECONDS) for the tool
// commands (funclatency, funccount, stackcount), on the virtual clock.
//
// bcc's loop: sleep(interval); seconds += interval; when -d is given and
// seconds >= duration, this report is the last; print; clear; repeat. -d
// alone is -i DURATION. Here the tool's program prints one report in its END
// block; every `everyNs` of virtual time after BEGIN, END runs with the
// global `ticking` set to 1 (the program then skips "Detaching...") and
// `nsecs` reading the deadline (for -T). At the first deadline at or past
// the duration, the run stops as exit() stops it (status 0), and the
// session's own END prints the last report, as bcc's exiting pass does.
//
// Deadlines are checked between scheduling rounds (runSpec runs one round per
// slice when a spec has ticks; nothing is added to the per-instruction
// path), so a report comes at most one round (a quantum, 100,000
// instructions of one task) after its deadline. When every task sleeps, the
// clock jumps to the next timer (engine/os/linux.ts): every deadline the
// jump passes gets its own report, stamped with its own time.
//
// Overlap: `interval:s:N` probes in the DSL (issue 12) do the same from a
// program; with them the tool programs can say `interval:s:N { ... }`.

import { NULL_CONTEXT } from "../dsl/index.js";
import type { Session } from "./session.js";

/** A spec's periodic reports: -i (everyNs) and -d (durationNs), in virtual nanoseconds. */
export interface ToolTicks {
  everyNs: number;
  durationNs?: number;
}

/** The global a tool program reads to tell an interval report from the last one. */
const TICKING = "ticking";

/** A callback for the end of each slice: fires the reports that are due; stops the run at the duration. */
export function toolTicker(session: Session, t: ToolTicks): (nowNs: number) => void {
  if (!(t.everyNs > 0)) throw new Error("tool ticks need a positive interval");
  const rt = session.program.runtime;
  const ticking = rt.vars.find((v) => v.name === TICKING && v.scope === "global");
  const t0 = session.machine.virtualNs;
  let next = t0 + t.everyNs;
  let stopped = false;
  return (nowNs) => {
    while (!stopped && nowNs >= next) {
      if (t.durationNs !== undefined && next - t0 >= t.durationNs) {
        // bcc's exiting pass: the session's END prints the last report and "Detaching..."
        stopped = true;
        rt.exitRequested = true;
        session.machine.kernel.requestStop(`-d ${t.durationNs / 1e9}: the tool's duration is over`);
        return;
      }
      const at = BigInt(Math.floor(next));
      if (ticking !== undefined) rt.G[ticking.id] = 1n;
      session.program.runEnd({ ...NULL_CONTEXT, nsecs: () => at });
      if (ticking !== undefined) rt.G[ticking.id] = 0n;
      next += t.everyNs;
    }
  };
}
