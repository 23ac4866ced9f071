// The measuring half of `calibrate`: real tracefs uprobe events on the sites
// of samples/bin/calibrate-O2, timed natively. Each round runs every case
// twice in turn, without and with its probes (the order alternating between
// rounds), so that both runs of a pair see the same load; a case's figure is
// the median over rounds of (with − without) per call, and its spread the
// min and max. The result is a Recording: plain numbers, which the fitting
// half (lab/calibrate-fit.ts) reads, and which
// scripts/real-kernel-calibrate.mjs saves so tests can use them.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadBinary, UserError } from "../engine/index.js";
import type { CalibrationCase } from "../lab/calibrate-cases.js";
import { CALIBRATE_BINARY } from "../lab/calibrate-model.js";
import type { RecordedCase, Recording } from "../lab/calibrate-recording.js";

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

function runSite(site: string, calls: number, cpu: number | null): SiteRun {
  const argv = [CALIBRATE_BINARY, String(calls), site];
  const r = cpu === null ? spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" }) : spawnSync("taskset", ["-c", String(cpu), ...argv], { encoding: "utf8" });
  if (r.status !== 0) throw new UserError(`calibrate: ${argv.join(" ")} failed (status ${r.status ?? r.signal}): ${(r.stderr || "").trim().split("\n")[0] ?? ""}`);
  const line = r.stdout.split("\n").find((l) => l.startsWith(site + " "));
  const maps = /# maps xol=(\d) tramp=(\d)/.exec(r.stdout);
  if (!line || !maps) throw new UserError(`calibrate: ${argv.join(" ")} printed no timing for ${site}`);
  const [, wall, cpuNs] = line.split(" ");
  return { nsPerCall: Number(cpuNs) / calls, wallNsPerCall: Number(wall) / calls, maps: { xol: maps[1] === "1", tramp: maps[2] === "1" } };
}

/** The case's tracefs events: created disabled, enabled around each probed run. */
class CaseEvents {
  private readonly names: string[];
  constructor(
    private readonly tracefs: string,
    readonly c: CalibrationCase,
  ) {
    const bin = loadBinary(CALIBRATE_BINARY);
    const sym = bin.lookup(c.site);
    if (!sym) throw new UserError(`calibrate: ${CALIBRATE_BINARY} has no symbol ${c.site} (rebuild samples/)`);
    this.names = c.probes.map((_, i) => `${c.name}_${i}`);
    c.probes.forEach((q, i) => {
      const where = `${CALIBRATE_BINARY}:0x${(sym.fileOffset + q.offset).toString(16)}`;
      this.write(`${q.kind}:${GROUP}/${this.names[i]} ${where}`);
    });
  }
  private write(line: string): void {
    try {
      fs.appendFileSync(path.join(this.tracefs, "uprobe_events"), line + "\n");
    } catch (e) {
      throw new UserError(`calibrate: ${this.tracefs}/uprobe_events refused "${line}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  enable(on: boolean): void {
    for (const n of this.names) setEnabled(this.tracefs, n, on);
  }
  remove(): void {
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

export interface MeasureOptions {
  tracefs: string;
  calls: number;
  rounds: number;
  cpu: number | null;
  log: (line: string) => void;
}

export function measureCases(cases: readonly CalibrationCase[], o: MeasureOptions): Recording {
  clearLeftovers(o.tracefs);
  const loadavg_before = loadAverage();
  const rec: Record<string, Required<RecordedCase>> = {};
  const events: CaseEvents[] = [];
  try {
    for (const c of cases) events.push(new CaseEvents(o.tracefs, c));
    for (let r = 0; r < o.rounds; r++) {
      for (const ev of events) {
        const probed = (): SiteRun => {
          ev.enable(true);
          try {
            return runSite(ev.c.site, o.calls, o.cpu);
          } finally {
            ev.enable(false);
          }
        };
        const unprobed = (): SiteRun => runSite(ev.c.site, o.calls, o.cpu);
        // alternate which of the pair goes first, so that neither always follows the other's kind of run
        let base: SiteRun, with_: SiteRun;
        if (r % 2) {
          with_ = probed();
          base = unprobed();
        } else {
          base = unprobed();
          with_ = probed();
        }
        const cr = (rec[ev.c.name] ??= { rounds: [], wall_rounds: [], base_ns: [], maps: with_.maps });
        cr.rounds.push(round2(with_.nsPerCall - base.nsPerCall));
        cr.wall_rounds.push(round2(with_.wallNsPerCall - base.wallNsPerCall));
        cr.base_ns.push(round2(base.nsPerCall));
      }
      o.log(`calibrate: round ${r + 1}/${o.rounds} done (load average ${loadAverage().join(" ")})`);
    }
  } finally {
    for (const ev of events) ev.remove();
  }
  const cpu = os.cpus()[0];
  return {
    kernel_release: os.release(),
    cpu_model: cpu?.model ?? "unknown CPU",
    cpu_mhz: cpu?.speed ?? 0,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    calls: o.calls,
    rounds: o.rounds,
    pinned_cpu: o.cpu,
    loadavg_before,
    loadavg_after: loadAverage(),
    cases: rec,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
