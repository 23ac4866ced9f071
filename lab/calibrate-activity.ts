// Did anything else run while `calibrate` measured? The load average cannot
// say: calibrate's own pinned runs keep it near 1, and a `calibrate --check`
// started right after `calibrate -o` inherits the fit's. So calibrate reads
// /proc/stat before and after measuring: per CPU, the ticks spent busy (user,
// nice, system, irq, softirq), idle (idle, iowait) and stolen by the
// hypervisor (steal), and subtracts its own share: its children's CPU time
// (the measured runs, on the pinned CPU) and its own (node, writing tracefs
// and spawning, on the other CPUs). What remains is other processes' (and
// kernel threads'). docs/uprobes-model.md §9.5.

/** One CPU's line of /proc/stat, in clock ticks (USER_HZ). */
export interface CpuTicks {
  cpu: number;
  busy: number;
  idle: number;
  steal: number;
}

/** The per-CPU lines of a /proc/stat text ("cpuN user nice system idle iowait irq softirq steal ..."). */
export function parseProcStat(text: string): CpuTicks[] {
  const out: CpuTicks[] = [];
  for (const m of text.matchAll(/^cpu(\d+)((?:\s+\d+)+)\s*$/gm)) {
    const f = m[2]!.trim().split(/\s+/).map(Number);
    const at = (i: number): number => f[i] ?? 0;
    out.push({ cpu: Number(m[1]), busy: at(0) + at(1) + at(2) + at(5) + at(6), idle: at(3) + at(4), steal: at(7) });
  }
  return out;
}

/** calibrate's own CPU time between the two snapshots, in clock ticks. */
export interface OwnTicks {
  /** The measured runs (children: taskset and the calibrate program). */
  children: number;
  /** calibrate itself. */
  self: number;
}

export interface Activity {
  /** Wall seconds between the snapshots (from the ticks). */
  seconds: number;
  pinned_cpu: number | null;
  /** Other processes' share of the pinned CPU, %. */
  pinned_others_pct: number | null;
  /** Other processes' share of the other CPUs (all CPUs when not pinned), % of one CPU, averaged. */
  rest_others_pct: number;
  /** Other processes' time in CPUs: 0.5 = half a CPU busy all along. */
  others_cpus: number;
  /** Time the hypervisor gave to other guests, % of all CPUs. */
  steal_pct: number;
}

/** Other processes at or above this many CPUs' worth of time (10 % of one CPU) make a measurement untrustworthy. */
const BUSY_OTHERS_CPUS = 0.1;
/**
 * Steal at or above this (% of the CPUs' time) too: other guests competed for
 * the host. Not lower: the quiet recordings test/cli/calibrate-samples-quiet-A/-B
 * had 5.2 and 6.3 % steal, and each predicted the other's held-out cases
 * within 3.1 %.
 */
const BUSY_STEAL_PCT = 10;

const pct = (x: number): number => Math.round(1000 * x) / 10;

/** What other processes did between two /proc/stat snapshots, calibrate's own time subtracted. */
export function otherActivity(before: readonly CpuTicks[], after: readonly CpuTicks[], own: OwnTicks, pinned: number | null): Activity {
  const d = after.map((a) => {
    const b = before.find((x) => x.cpu === a.cpu) ?? { cpu: a.cpu, busy: a.busy, idle: a.idle, steal: a.steal };
    return { cpu: a.cpu, busy: a.busy - b.busy, idle: a.idle - b.idle, steal: a.steal - b.steal };
  });
  const total = (x: { busy: number; idle: number; steal: number }): number => x.busy + x.idle + x.steal;
  const span = Math.max(1, ...d.map(total)); // ticks per CPU over the window
  const pin = pinned === null ? undefined : d.find((x) => x.cpu === pinned);
  const rest = pin ? d.filter((x) => x !== pin) : d;
  // our children ran on the pinned CPU, we on the others; unpinned, both anywhere
  const pinOthers = pin ? Math.max(0, pin.busy - own.children) : null;
  const restOwn = pin ? own.self : own.self + own.children;
  const restOthers = Math.max(0, rest.reduce((s, x) => s + x.busy, 0) - restOwn);
  const steal = d.reduce((s, x) => s + x.steal, 0);
  return {
    seconds: Math.round(span) / 100,
    pinned_cpu: pin ? pinned : null,
    pinned_others_pct: pinOthers === null ? null : pct(pinOthers / span),
    rest_others_pct: pct(restOthers / (span * Math.max(1, rest.length))),
    others_cpus: Math.round((100 * ((pinOthers ?? 0) + restOthers)) / span) / 100,
    steal_pct: pct(steal / (span * Math.max(1, d.length))),
  };
}

/** The warning an activity calls for, or undefined when nothing else ran. */
export function activityWarning(a: Activity | undefined): string | undefined {
  if (!a) return undefined;
  const busy = a.others_cpus >= BUSY_OTHERS_CPUS, stolen = a.steal_pct >= BUSY_STEAL_PCT;
  if (!busy && !stolen) return undefined;
  const where = a.pinned_others_pct === null ? `${a.rest_others_pct} % of the CPUs` : `${a.pinned_others_pct} % of the pinned CPU ${a.pinned_cpu}, ${a.rest_others_pct} % of the others`;
  const parts = [];
  if (busy) parts.push(`other processes used ${a.others_cpus} CPUs' worth of time while calibrate measured (${where})`);
  if (stolen) parts.push(`the hypervisor gave ${a.steal_pct} % of the CPUs' time to other guests`);
  return parts.join("; and ");
}

/** A describing line for the header: what else ran, whether or not it warrants a warning. */
export function activityText(a: Activity): string {
  const pinned = a.pinned_others_pct === null ? "" : `${a.pinned_others_pct} % of CPU ${a.pinned_cpu}, `;
  return `other processes ${pinned}${a.rest_others_pct} % of the ${a.pinned_others_pct === null ? "" : "other "}CPUs, steal ${a.steal_pct} %, over ${a.seconds} s`;
}
