// The measuring half of `calibrate`: real tracefs uprobe events on the sites
// of samples/bin/calibrate-O2, timed natively. Each round runs a case twice,
// without and with its probes, and the cases take turns in blocks of BLOCK
// rounds (the probed runs of a block under its own freshly made events, then
// as many unprobed runs, or the reverse, alternating between blocks), so that
// both runs of a pair see about the same load; a round's figure is
// (with − without) per call. A run's figure scatters by about 10 % from one
// process to the next however long it runs (lab/calibrate-estimator.ts), so
// runs are short (each case gets as many calls as take about RUN_MS) and many:
// passes, each a block of every case, go on until every case's figure is
// within TARGET_PCT (its blocks as the samples) or the time (--time) is spent. /proc/stat before and after says
// whether anything else ran (lab/calibrate-activity.ts), and a disposable
// process asks the kernel for sys_uretprobe (lab/calibrate-return-path.ts).
// The result is a Recording: plain numbers, which the fitting half
// (lab/calibrate-profile.ts) reads, and which scripts/real-kernel-calibrate.mjs
// saves so tests can use them.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadBinary, UserError } from "../engine/index.js";
import { otherActivity, parseProcStat, type CpuTicks, type OwnTicks } from "../lab/calibrate-activity.js";
import type { CalibrationCase } from "../lab/calibrate-cases.js";
import { caseStdError } from "../lab/calibrate-estimator.js";
import { caseBinary } from "../lab/calibrate-model.js";
import type { RecordedCase, Recording } from "../lab/calibrate-recording.js";
import { returnPathOf, uretprobeProbeElf, type ReturnPath } from "../lab/calibrate-return-path.js";

const GROUP = "uprobe_lab_calib";

/** Why calibration cannot run here, or undefined. */
export function calibrationBlocker(tracefs: string): string | undefined {
  if (process.platform !== "linux") return `needs Linux (this is ${process.platform})`;
  if (process.arch !== "x64") return `needs an x86-64 host (this is ${process.arch})`;
  if (typeof process.getuid === "function" && process.getuid() !== 0) return `needs root to create uprobe events (uid ${process.getuid()})`;
  if (fs.existsSync(path.join(tracefs, "uprobe_events"))) return undefined;
  // tracefs there but no uprobe_events: the kernel has no uprobes
  if (fs.existsSync(path.join(tracefs, "events"))) return `the kernel has no uprobe events (${tracefs}/uprobe_events is missing: CONFIG_UPROBES / CONFIG_UPROBE_EVENTS off)`;
  return `tracefs is not mounted at ${tracefs} (mount -t tracefs nodev ${tracefs})`;
}

/** Mount tracefs on an empty directory (never over one that holds something: that would hide it). */
export function tryMount(dir: string): void {
  if (fs.existsSync(path.join(dir, "uprobe_events"))) return;
  if (typeof process.getuid === "function" && process.getuid() !== 0) return;
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return; // no such directory: calibrationBlocker says tracefs is not there
  }
  if (entries.length === 0) spawnSync("mount", ["-t", "tracefs", "nodev", dir], { stdio: "ignore" });
}

function loadAverage(): number[] {
  try {
    return fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
  } catch {
    return [];
  }
}

/** The CPU to pin the runs to by default: the last one (taskset must exist), or none. */
export function defaultCpu(): number | null {
  const hasTaskset = spawnSync("taskset", ["-V"], { stdio: "ignore" }).status === 0;
  return hasTaskset ? os.cpus().length - 1 : null;
}

interface SiteRun {
  nsPerCall: number;
  wallNsPerCall: number;
  maps: { xol: boolean; tramp: boolean };
}

function runSite(file: string, site: string, calls: number, cpu: number | null): SiteRun {
  const argv = [file, String(calls), site];
  const r = cpu === null ? spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" }) : spawnSync("taskset", ["-c", String(cpu), ...argv], { encoding: "utf8" });
  if (r.status !== 0) throw new UserError(`calibrate: ${argv.join(" ")} failed (status ${r.status ?? r.signal}): ${(r.stderr || "").trim().split("\n")[0] ?? ""}`);
  const line = r.stdout.split("\n").find((l) => l.startsWith(site + " "));
  const maps = /# maps xol=(\d) tramp=(\d)/.exec(r.stdout);
  if (!line || !maps) throw new UserError(`calibrate: ${argv.join(" ")} printed no timing for ${site}`);
  const [, wall, cpuNs] = line.split(" ");
  return { nsPerCall: Number(cpuNs) / calls, wallNsPerCall: Number(wall) / calls, maps: { xol: maps[1] === "1", tramp: maps[2] === "1" } };
}

/**
 * The case's tracefs events, made afresh for each block of its rounds and
 * removed after it (under 1 ms each way here), so that nothing the kernel
 * keeps per event (trace_uprobe, its buffers) lasts over a case's whole
 * measurement: what it does to the figure lands in the spread between blocks.
 */
class CaseEvents {
  private readonly names: string[];
  private readonly lines: string[];
  /** The program the case's probes go in. */
  readonly file: string;
  constructor(
    private readonly tracefs: string,
    readonly c: CalibrationCase,
  ) {
    this.file = caseBinary(c);
    const bin = loadBinary(this.file);
    const sym = bin.lookup(c.site);
    if (!sym) throw new UserError(`calibrate: ${this.file} has no symbol ${c.site} (rebuild samples/)`);
    this.names = c.probes.map((_, i) => `${c.name}_${i}`);
    this.lines = c.probes.map((q, i) => `${q.kind}:${GROUP}/${this.names[i]} ${this.file}:0x${(sym.fileOffset + q.offset).toString(16)}`);
  }
  private write(line: string): void {
    try {
      fs.appendFileSync(path.join(this.tracefs, "uprobe_events"), line + "\n");
    } catch (e) {
      throw new UserError(`calibrate: ${this.tracefs}/uprobe_events refused "${line}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  /** Make the events and enable them. */
  arm(): void {
    for (const l of this.lines) this.write(l);
    for (const n of this.names) setEnabled(this.tracefs, n, true);
  }
  /** Disable the events (uprobe_unregister_sync(): an RCU grace period) and remove them. */
  disarm(): void {
    for (const n of this.names) removeEvent(this.tracefs, n);
  }
}

function setEnabled(tracefs: string, name: string, on: boolean): void {
  fs.writeFileSync(path.join(tracefs, "events", GROUP, name, "enable"), on ? "1" : "0");
}

/** Disable and delete one of our events; one already gone is no error. */
function removeEvent(tracefs: string, name: string): void {
  try {
    setEnabled(tracefs, name, false);
    fs.appendFileSync(path.join(tracefs, "uprobe_events"), `-:${GROUP}/${name}\n`);
  } catch {
    /* already gone */
  }
}

/** Remove the events an interrupted run left behind (our group's lines of uprobe_events). */
function clearLeftovers(tracefs: string): void {
  let text = "";
  try {
    text = fs.readFileSync(path.join(tracefs, "uprobe_events"), "utf8");
  } catch {
    return;
  }
  for (const m of text.matchAll(new RegExp(`^[pr]:${GROUP}/(\\S+) `, "gm"))) removeEvent(tracefs, m[1]!);
}

/** Aim for probed runs of about this long: long enough that starting the process is a small part, short enough for many rounds. */
const RUN_MS = 20;
const MIN_CALLS = 1000;
/** Passes go on until every case's figure has its standard error within this (%) ... */
const TARGET_PCT = 1.5;
/** ... or the cases have had this many rounds. */
const MAX_ROUNDS = 99;

export interface MeasureOptions {
  tracefs: string;
  /** The most calls per run (a case that takes longer than RUN_MS per MIN_CALLS gets MIN_CALLS). */
  calls: number;
  /** Rounds every case gets at least. */
  rounds: number;
  /** Seconds of rounds after which only the minimum is finished. */
  seconds: number;
  cpu: number | null;
  log: (line: string) => void;
}

function procStat(): CpuTicks[] {
  try {
    return parseProcStat(fs.readFileSync("/proc/stat", "utf8"));
  } catch {
    return [];
  }
}

/** calibrate's own CPU time and its waited-for children's, in clock ticks (USER_HZ, 100 on x86). */
function ownTicks(): OwnTicks {
  const u = process.cpuUsage();
  let children = 0;
  try {
    const f = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
    children = Number(f[13]) + Number(f[14]); // cutime, cstime (fields 16 and 17)
  } catch {
    /* no /proc: no children's share */
  }
  return { self: (u.user + u.system) / 10_000, children };
}

/** Whether a program runs here (a 32-bit one needs the kernel's IA32 emulation). */
function runsNatively(file: string, site: string): boolean {
  try {
    runSite(file, site, MIN_CALLS, null);
    return true;
  } catch {
    return false;
  }
}

/** Ask the kernel for sys_uretprobe from a disposable process (lab/calibrate-return-path.ts). */
export function probeReturnPath(): ReturnPath {
  let dir: string | undefined;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-lab-uret-"));
    const exe = path.join(dir, "syscall335");
    fs.writeFileSync(exe, uretprobeProbeElf(), { mode: 0o755 });
    const r = spawnSync(exe, [], { stdio: "ignore", timeout: 5000 });
    return r.error ? returnPathOf(null, null, (r.error as NodeJS.ErrnoException).code ?? r.error.message) : returnPathOf(r.status, r.signal);
  } catch (e) {
    return returnPathOf(null, null, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  } finally {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Rounds measured per making of a case's events. Disabling a uprobe event
 * waits for an RCU grace period (uprobe_unregister_sync()): 5–50 ms on the
 * project's VM, about a 20 ms run, and the scatter is the process's, not
 * the moment's (lab/calibrate-estimator.ts). So a block of rounds shares one
 * enable and one disable: twice the rounds in the same time.
 */
const BLOCK = 3;

/** A block of a case's rounds: its probed runs under one making of its events, and as many unprobed runs, the halves in the order the block's parity says. */
function measureBlock(ev: CaseEvents, calls: number, rounds: number, block: number, cpu: number | null): { with_: SiteRun; base: SiteRun }[] {
  const probed = (): SiteRun[] => {
    ev.arm();
    try {
      return Array.from({ length: rounds }, () => runSite(ev.file, ev.c.site, calls, cpu));
    } finally {
      ev.disarm();
    }
  };
  const unprobed = (): SiteRun[] => Array.from({ length: rounds }, () => runSite(ev.file, ev.c.site, calls, cpu));
  // alternate which half goes first, so that neither always follows the other's kind of run
  let with_: SiteRun[], base: SiteRun[];
  if (block % 2) [with_, base] = [probed(), unprobed()];
  else [base, with_] = [unprobed(), probed()];
  return with_.map((w, i) => ({ with_: w, base: base[i]! }));
}

/** Calls per run for a case: about RUN_MS of probed run, from a first probed run of MIN_CALLS. */
function callsFor(ev: CaseEvents, o: MeasureOptions): number {
  if (ev.c.calls !== undefined) return ev.c.calls;
  ev.arm();
  let pilot: SiteRun;
  try {
    pilot = runSite(ev.file, ev.c.site, MIN_CALLS, o.cpu);
  } finally {
    ev.disarm();
  }
  const n = Math.round((RUN_MS * 1e6) / Math.max(1, pilot.nsPerCall));
  return Math.max(MIN_CALLS, Math.min(o.calls, Math.round(n / 100) * 100));
}

export function measureCases(cases: readonly CalibrationCase[], o: MeasureOptions): Recording {
  clearLeftovers(o.tracefs);
  const loadavg_before = loadAverage();
  const return_path = probeReturnPath();
  o.log(`calibrate: ${return_path.how}`);
  const statBefore = procStat(), ownBefore = ownTicks();
  const rec: Record<string, Required<RecordedCase>> = {};
  const events: CaseEvents[] = [];
  const calls = new Map<CaseEvents, number>();
  try {
    for (const c of cases) {
      if (c.binary === "m32" && !runsNatively(caseBinary(c), c.site)) {
        o.log(`calibrate: ${c.name} skipped: 32-bit programs do not run on this kernel (no IA32 emulation), so uret_trap will be tied to int3_trap`);
        continue;
      }
      events.push(new CaseEvents(o.tracefs, c));
    }
    for (const ev of events) calls.set(ev, callsFor(ev, o));
    const start = Date.now();
    const precise = (ev: CaseEvents): boolean => {
      const r = rec[ev.c.name];
      // a one-time cost's case (its own calls) stays at ±4-6 % however long it runs: it does not hold the others up
      return ev.c.calls !== undefined || (r !== undefined && 100 * caseStdError(r.rounds, r.blocks, "trimmed") <= TARGET_PCT);
    };
    // passes: every case gets one block per pass, so all cases' rounds spread over the same span of time and a drift of
    // the machine's speed (up to 30 % over tens of seconds here, host-side) biases none of them against the others
    for (let pass = 0; ; pass++) {
      const spent = (Date.now() - start) / 1000;
      if (pass * BLOCK >= o.rounds && (spent >= o.seconds || pass * BLOCK >= MAX_ROUNDS || events.every(precise))) break;
      for (const ev of events) {
        const n = calls.get(ev)!;
        const t = round1((Date.now() - start) / 1000);
        const cr = (rec[ev.c.name] ??= { rounds: [], calls: n, wall_rounds: [], base_ns: [], maps: { xol: false, tramp: false }, blocks: [], block_t: [] });
        const block = measureBlock(ev, n, BLOCK, pass, o.cpu);
        for (const { with_, base } of block) {
          cr.rounds.push(round2(with_.nsPerCall - base.nsPerCall));
          cr.wall_rounds.push(round2(with_.wallNsPerCall - base.wallNsPerCall));
          cr.base_ns.push(round2(base.nsPerCall));
        }
        cr.maps = block[0]!.with_.maps;
        cr.blocks.push(block.length);
        cr.block_t.push(t);
      }
      const worst = Math.max(...events.filter((ev) => ev.c.calls === undefined).map((ev) => 100 * caseStdError(rec[ev.c.name]!.rounds, rec[ev.c.name]!.blocks, "trimmed")));
      o.log(`calibrate: pass ${pass + 1}: ${events.length} cases, ${((Date.now() - start) / 1000).toFixed(0)} s, widest standard error ±${worst.toFixed(1)} % (load average ${loadAverage().join(" ")})`);
    }
  } finally {
    for (const ev of events) ev.disarm();
  }
  const ownAfter = ownTicks();
  const statAfter = procStat();
  // no /proc/stat (a container that hides it): nothing to say about other processes
  const activity = statBefore.length && statAfter.length ? otherActivity(statBefore, statAfter, { self: ownAfter.self - ownBefore.self, children: ownAfter.children - ownBefore.children }, o.cpu) : undefined;
  const cpu = os.cpus()[0];
  return {
    kernel_release: os.release(),
    cpu_model: cpu?.model ?? "unknown CPU",
    cpu_mhz: cpu?.speed ?? 0,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    calls: o.calls,
    rounds: Math.max(...Object.values(rec).map((c) => c.rounds.length)),
    pinned_cpu: o.cpu,
    loadavg_before,
    loadavg_after: loadAverage(),
    ...(activity ? { activity } : {}),
    return_path,
    cases: rec,
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
