// The cases `uprobe-lab calibrate` measures: probes on the sites of
// samples/calibrate.c, one case per path the model distinguishes (§9.2).
// The fit cases determine the profile's parameters; the check cases are
// probe targets the fit never sees, used by `calibrate --check` to measure
// the profile's prediction error.

/** One probe of a case: an entry probe at an offset of the site, or a return probe on it. */
interface CaseProbe {
  kind: "p" | "r";
  /** Offset of the probed instruction in the site function (entry probes). */
  offset: number;
}

export interface CalibrationCase {
  name: string;
  /** The function of samples/calibrate.c it calls. */
  site: string;
  probes: CaseProbe[];
  /** "fit": used to fit the profile; "check": held out, for `--check`. */
  set: "fit" | "check";
  /** Calls per run, when the case needs that many rather than about 20 ms' worth. */
  calls?: number;
  /** "m32": samples/bin/calibrate-m32-O0, the sites in a 32-bit (i386) task; else calibrate-O2. */
  binary?: "m32";
  what: string;
}

const p = (offset = 0): CaseProbe => ({ kind: "p", offset });
const r: CaseProbe = { kind: "r", offset: 0 };

export const CALIBRATION_CASES: readonly CalibrationCase[] = Object.freeze([
  // emulated, one per class
  { name: "emu_push", site: "site_push", probes: [p()], set: "fit", what: "push %rbp (emulated push)" },
  { name: "emu_push_2c", site: "site_push", probes: [p(), p()], set: "fit", what: "push %rbp, two consumers (one trap, two handlers)" },
  { name: "emu_jmp", site: "site_jmp", probes: [p()], set: "fit", what: "jmp +0 (emulated branch)" },
  { name: "emu_call", site: "site_call", probes: [p()], set: "fit", what: "call +0 (emulated call)" },
  { name: "emu_jcc", site: "site_jcc", probes: [p()], set: "fit", what: "je +0 (emulated jcc)" },
  { name: "emu_nop1", site: "site_nop1", probes: [p()], set: "fit", what: "nop (emulated NOP)" },
  { name: "emu_nop4", site: "site_nop4", probes: [p()], set: "fit", what: "nopl 0(%rax) (NOP emulated from 6.16)" },
  // out of line
  { name: "xol_mov", site: "site_mov", probes: [p()], set: "fit", what: "mov %rsp,%rax (stepped, function entry)" },
  { name: "xol_sub", site: "site_sub", probes: [p()], set: "fit", what: "sub $8,%rsp (stepped)" },
  { name: "xol_mid", site: "site_mid", probes: [p(1)], set: "fit", what: "mov %rax,%rdx at +1 (stepped, not an entry)" },
  { name: "xol_lea_rip", site: "site_lea_rip", probes: [p()], set: "fit", what: "lea 0(%rip),%rax (stepped, riprel)" },
  { name: "xol_load_rip", site: "site_load_rip", probes: [p()], set: "fit", what: "mov 0(%rip),%eax (stepped, riprel)" },
  // the 6.18 nop5 optimization
  { name: "opt_nop5", site: "site_nop5", probes: [p()], set: "fit", what: "nopl 0(%rax,%rax,1) (optimized nop5)" },
  // 100 calls a run: the first hit's one-time cost (optimize) is about half the figure
  { name: "opt_nop5_first", site: "site_nop5", probes: [p()], set: "fit", calls: 100, what: "the nop5, 100 calls per run (its one-time optimization shows)" },
  // uretprobes: entry path + return path
  { name: "ret_push", site: "site_push", probes: [r], set: "fit", what: "uretprobe, emulated entry (push %rbp)" },
  { name: "ret_mov", site: "site_mov", probes: [r], set: "fit", what: "uretprobe, stepped entry (mov)" },
  // a 32-bit task returns through the int3 trampoline on every generation: uret_trap on 6.11+ too (§10.4)
  { name: "ret_push_m32", site: "site_push", probes: [r], set: "fit", binary: "m32", what: "uretprobe in a 32-bit task, emulated entry (the int3 trampoline)" },
  // held out
  { name: "chk_push_r12", site: "site_push_r12", probes: [p()], set: "check", what: "push %r12 (emulated)" },
  { name: "chk_jne", site: "site_jne", probes: [p()], set: "check", what: "jne +0 (emulated)" },
  { name: "chk_xor", site: "site_xor", probes: [p()], set: "check", what: "xor %eax,%eax (stepped)" },
  { name: "chk_movimm", site: "site_movimm", probes: [p()], set: "check", what: "mov $0,%eax (stepped)" },
  { name: "chk_add", site: "site_add", probes: [p()], set: "check", what: "add $1,%rax (stepped)" },
  { name: "chk_test", site: "site_test", probes: [p()], set: "check", what: "test %rax,%rax (stepped)" },
  { name: "chk_cmp_rip", site: "site_cmp_rip", probes: [p()], set: "check", what: "cmp 0(%rip),%rax (stepped, riprel)" },
  { name: "chk_ret_nop5", site: "site_nop5", probes: [r], set: "check", what: "uretprobe on a nop5 entry" },
  { name: "chk_ret_sub", site: "site_sub", probes: [r], set: "check", what: "uretprobe, stepped entry (sub)" },
  { name: "chk_ret_jmp", site: "site_jmp", probes: [r], set: "check", what: "uretprobe, emulated entry (jmp)" },
  { name: "chk_long3", site: "site_long", probes: [p(0), p(1), p(10)], set: "check", what: "longer function: push, mov, nop5" },
  { name: "chk_long_every", site: "site_long", probes: [p(0), p(1), p(4), p(6), p(10), p(15), p(16), p(17)], set: "check", what: "longer function: every instruction" },
  { name: "chk_long_ret", site: "site_long", probes: [p(4), p(10), r], set: "check", what: "longer function: xor, nop5 and a uretprobe" },
]);

/**
 * Fit cases that `--check` measures again, one per path class, to see how far
 * the machine's speed drifted since the fit (lab/calibrate-drift.ts).
 */
export const DRIFT_ANCHORS: readonly string[] = Object.freeze(["emu_push", "xol_sub", "opt_nop5", "ret_push"]);

export function casesOf(set: "fit" | "check"): CalibrationCase[] {
  return CALIBRATION_CASES.filter((c) => c.set === set);
}

/** What --check measures: the held-out cases with the drift anchors spread evenly among them, so that both see the same moments of each pass. */
export function checkCases(): CalibrationCase[] {
  const held = casesOf("check"), anchors = CALIBRATION_CASES.filter((c) => DRIFT_ANCHORS.includes(c.name));
  const out = [...held];
  anchors.forEach((a, i) => out.splice(Math.round(((i + 0.5) * held.length) / anchors.length) + i, 0, a));
  return out;
}

export function caseByName(name: string): CalibrationCase | undefined {
  return CALIBRATION_CASES.find((c) => c.name === name);
}

/** The case as a DSL program for the model: one empty-bodied consumer per probe. */
export function caseProgram(c: CalibrationCase): string {
  return c.probes.map((q, i) => (q.kind === "p" ? `probe ${c.site}:${q.offset} < c${i}++ >` : `retprobe ${c.site} < c${i}++ >`)).join(" ");
}
