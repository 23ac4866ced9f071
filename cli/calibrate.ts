// `uprobe-lab calibrate`: measure the trap costs of the real kernel this
// runs on and write a cost profile. It attaches tracefs uprobe events
// (uprobe_events) to the sites of samples/bin/calibrate-O2, runs it natively
// with and without each probe, and turns the per-call differences into the
// profile's costs. It needs Linux on x86-64, root, and tracefs; otherwise it
// says which of these is missing and exits with status 2.
//
// The tracefs events are the consumers here, so each cost includes one
// trace-event handler run (the profile's `handler` cost is 0).

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadBinary, UserError, validateProfile, type CostProfile } from "../engine/index.js";
import { PROJECT_ROOT } from "../lab/paths.js";
import { optNumber, parseArgs } from "./args.js";

const CALIBRATE_HELP = `usage: uprobe-lab calibrate [-o PROFILE.json] [--calls N] [--runs R] [--tracefs DIR]

Measure uprobe costs on this machine's kernel (root and tracefs required) and
write a cost profile usable with --cost PROFILE.json.
`;

const GROUP = "uprobe_lab_calib";

/** Why calibration cannot run here, or undefined. */
function calibrationBlocker(tracefs: string): string | undefined {
  if (process.platform !== "linux") return `needs Linux (this is ${process.platform})`;
  if (process.arch !== "x64") return `needs an x86-64 host (this is ${process.arch})`;
  if (typeof process.getuid === "function" && process.getuid() !== 0) return `needs root to create uprobe events (uid ${process.getuid()})`;
  if (!fs.existsSync(path.join(tracefs, "uprobe_events"))) {
    return `tracefs is not mounted at ${tracefs} (mount -t tracefs nodev ${tracefs}), or the kernel lacks CONFIG_UPROBE_EVENTS`;
  }
  return undefined;
}

function tryMount(dir: string): void {
  if (fs.existsSync(path.join(dir, "uprobe_events"))) return;
  if (typeof process.getuid === "function" && process.getuid() !== 0) return;
  spawnSync("mount", ["-t", "tracefs", "nodev", dir], { stdio: "ignore" });
}

interface Timing {
  site_push: number;
  site_mov: number;
  site_nop5: number;
  site_nop1: number;
}

function runSample(bin: string, calls: number): Timing {
  const out = execFileSync(bin, [String(calls)], { encoding: "utf8" });
  const t: Record<string, number> = {};
  for (const line of out.trim().split("\n")) {
    const [name, ns] = line.split(" ");
    t[name!] = Number(ns) / calls;
  }
  return t as unknown as Timing;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(bin: string, calls: number, runs: number): Timing {
  const all = Array.from({ length: runs }, () => runSample(bin, calls));
  return {
    site_push: median(all.map((t) => t.site_push)),
    site_mov: median(all.map((t) => t.site_mov)),
    site_nop5: median(all.map((t) => t.site_nop5)),
    site_nop1: median(all.map((t) => t.site_nop1)),
  };
}

function withProbe<T>(tracefs: string, spec: string, f: () => T): T {
  const events = path.join(tracefs, "uprobe_events");
  const name = spec.split(/\s/)[0]!.split("/")[1]!;
  fs.appendFileSync(events, spec + "\n");
  const enable = path.join(tracefs, "events", GROUP, name, "enable");
  try {
    fs.writeFileSync(enable, "1");
    return f();
  } finally {
    try {
      fs.writeFileSync(enable, "0");
    } catch {
      /* already gone */
    }
    fs.appendFileSync(events, `-:${GROUP}/${name}\n`);
  }
}

export function calibrateCommand(argv: string[]): number {
  const p = parseArgs(argv, { "-o": { value: true }, "--calls": { value: true }, "--runs": { value: true }, "--tracefs": { value: true }, "--help": {}, "-h": {} }, false, 0);
  if (p.opts.has("--help") || p.opts.has("-h")) {
    process.stdout.write(CALIBRATE_HELP);
    return 0;
  }
  const tracefs = p.opts.get("--tracefs")?.[0] ?? "/sys/kernel/tracing";
  tryMount(tracefs);
  const blocker = calibrationBlocker(tracefs);
  if (blocker) throw new UserError(`calibrate: cannot measure the real kernel: ${blocker}`);
  const calls = optNumber(p, "--calls", 200_000);
  const runs = optNumber(p, "--runs", 5);
  const binPath = path.join(PROJECT_ROOT, "samples", "bin", "calibrate-O2");
  const bin = loadBinary(binPath);
  const off = (sym: string): string => "0x" + bin.lookup(sym)!.fileOffset.toString(16);
  // clear leftovers of an interrupted run
  try {
    fs.appendFileSync(path.join(tracefs, "uprobe_events"), `-:${GROUP}/*\n`);
  } catch {
    /* nothing to clear */
  }
  const log = (s: string): void => void process.stderr.write(s + "\n");
  log(`calibrate: kernel ${os.release()}, ${calls} calls x ${runs} runs per measurement`);
  const base = measure(binPath, calls, runs);
  const push = withProbe(tracefs, `p:${GROUP}/push ${binPath}:${off("site_push")}`, () => measure(binPath, calls, runs)).site_push - base.site_push;
  const mov = withProbe(tracefs, `p:${GROUP}/mov ${binPath}:${off("site_mov")}`, () => measure(binPath, calls, runs)).site_mov - base.site_mov;
  const nop5 = withProbe(tracefs, `p:${GROUP}/nop5 ${binPath}:${off("site_nop5")}`, () => measure(binPath, calls, runs)).site_nop5 - base.site_nop5;
  const ret = withProbe(tracefs, `r:${GROUP}/ret ${binPath}:${off("site_push")}`, () => measure(binPath, calls, runs)).site_push - base.site_push;
  log(`calibrate: ns per hit: push (emulated) ${push.toFixed(0)}, mov (out of line) ${mov.toFixed(0)}, nop5 ${nop5.toFixed(0)}, uretprobe ${ret.toFixed(0)}`);
  const major = Number(os.release().split(".")[0]), minor = Number(os.release().split(".")[1]);
  const syscallReturn = major > 6 || (major === 6 && minor >= 11);
  const ns = (v: number): number => Math.max(0, Math.round(v));
  const profile: CostProfile = validateProfile(
    {
      name: `measured-${os.release()}`,
      description: `measured by uprobe-lab calibrate on Linux ${os.release()} (${os.cpus()[0]?.model ?? "unknown CPU"}), tracefs events`,
      ghz: (os.cpus()[0]?.speed || 2500) / 1000, // VMs often report 0 MHz
      cyclesPerInsn: 1,
      costs: {
        int3_trap: ns(push),
        single_step: ns(mov - push),
        uret_trap: syscallReturn ? ns(push) : ns(ret - push),
        uprobe_syscall: ns(nop5),
        uretprobe_syscall: syscallReturn ? ns(ret - push) : ns(push),
        handler: 0,
        optimize: 25000,
      },
    },
    "calibrate",
  );
  const out = p.opts.get("-o")?.[0] ?? `cost-${os.release()}.json`;
  fs.writeFileSync(out, JSON.stringify(profile, null, 2) + "\n");
  log(`calibrate: wrote ${out}`);
  return 0;
}
