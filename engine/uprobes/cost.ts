// Cost profiles: what each trap, syscall and handler run costs in virtual
// time, and what one guest instruction costs. Traps are charged by the
// uprobe model as they happen; the instructions the guest executes (the
// probed program, the XOL copy, the trampolines) are charged by the clock.
//
// Built-in profiles:
// - seed-2017-x86_64: fitted to the x86_64 table of Linux commit e7ed9d9bd037
//   "uprobes/x86: Emulate push insns for uprobe on x86" (uprobe on `push %rbp`:
//   1.55 us with push emulation, 3.1 us without; uretprobe 2.0 / 3.6 us per
//   call), whose probes were tracefs events (a handler that writes a trace
//   record). The four figures decompose as int3 trap 0.45 us, handler 1.1 us,
//   single-step 1.55 us; the model reproduces them within 1.5 %.
// - kvm-6.18: measured on a Linux 6.18.44 KVM guest (2.5 GHz Xeon) with perf
//   counting consumers: ~0.8 us per emulated hit, ~4.3 us single-stepped,
//   ~0.37 us on an optimized nop5, ~0.2 us more for a uretprobe's return
//   through the uretprobe syscall. One machine's figures: the same kernel on
//   another VM costs several times more; `uprobe-lab calibrate` measures
//   one's own (docs/uprobes-model.md §9.5).
// - instructions-only: traps cost nothing (counts only).

import * as fs from "node:fs";
import { UserError } from "../errors.js";
import { readHostFile } from "../host-file.js";

export interface CostProfile {
  name: string;
  description: string;
  /** Nominal frequency (GHz) for rdtsc and the per-instruction cost. */
  ghz: number;
  cyclesPerInsn: number;
  /** Costs in nanoseconds. */
  costs: {
    /** #BP exception round trip into handle_swbp, including the uprobe lookup and emulation. */
    int3_trap: number;
    /** Out-of-line single step: slot, #DB exception, post-XOL fixups. */
    single_step: number;
    /** The uretprobe trampoline's int3 (before 6.11, and 32-bit tasks). */
    uret_trap: number;
    /** Kernel side of sys_uprobe (an optimized nop5 hit). */
    uprobe_syscall: number;
    /** Kernel side of sys_uretprobe (a uretprobe return, 6.11+). */
    uretprobe_syscall: number;
    /** One consumer handler or ret_handler run. */
    handler: number;
    /** One-time cost of optimizing a nop5 site (trampoline mapping and text patching). */
    optimize: number;
    /**
     * An int3 trap that writes the user stack: emulate_push_stack() for an
     * emulated push or call, or the return-address hijack of a uretprobe
     * armed on the int3 path. Once per trap (a second write in the same trap
     * measured free); sys_uprobe's own stack accesses are in uprobe_syscall.
     * Measured ~95 ns on a 6.18.44 VM (`calibrate`); 0 in the built-in
     * profiles, so their predictions are what they were.
     */
    stack_write: number;
  };
  /** Where a measured profile's figures come from (`calibrate` writes it: kernel, CPU, date, rounds, load); built-in profiles have none. */
  provenance?: Record<string, unknown>;
}

/** Nominal frequency of a profile that names none: one cycle per instruction at 2.5 GHz is 0.4 ns. */
export const DEFAULT_GHZ = 2.5;

export const COST_PROFILES: Record<string, CostProfile> = {
  "seed-2017-x86_64": {
    name: "seed-2017-x86_64",
    description: "fitted to the x86_64 table of Linux e7ed9d9bd037 (tracefs uprobe events)",
    ghz: 2.4,
    cyclesPerInsn: 1,
    costs: { int3_trap: 450, single_step: 1550, uret_trap: 450, uprobe_syscall: 200, uretprobe_syscall: 150, handler: 1100, optimize: 25000, stack_write: 0 },
  },
  // the x86_32 table of the same commit (uprobe 1.41 / 3.5 us, uretprobe 1.75 / 4.0 us), from an
  // i386 kernel (FACT_SOURCES.seedX86_32): int3 and trampoline int3 0.34 us, handler 1.065 us, single
  // step 2.17 us (the two "without" cells ask for 2.09 and 2.25; their mean is within 2.5 % of both)
  "seed-2017-x86_32": {
    name: "seed-2017-x86_32",
    description: "fitted to the x86_32 table of Linux e7ed9d9bd037 (an i386 kernel: use --kernel 4.16-x86_32)",
    ghz: 2.4,
    cyclesPerInsn: 1,
    costs: { int3_trap: 340, single_step: 2170, uret_trap: 340, uprobe_syscall: 200, uretprobe_syscall: 150, handler: 1065, optimize: 25000, stack_write: 0 },
  },
  "kvm-6.18": {
    name: "kvm-6.18",
    description: "Linux 6.18.44 KVM guest, 2.5 GHz Xeon, perf counting consumers",
    ghz: 2.5,
    cyclesPerInsn: 1,
    costs: { int3_trap: 750, single_step: 3500, uret_trap: 750, uprobe_syscall: 320, uretprobe_syscall: 200, handler: 50, optimize: 25000, stack_write: 0 },
  },
  "instructions-only": {
    name: "instructions-only",
    description: "1 cycle per instruction at 2.5 GHz; traps and handlers cost nothing",
    ghz: DEFAULT_GHZ,
    cyclesPerInsn: 1,
    costs: { int3_trap: 0, single_step: 0, uret_trap: 0, uprobe_syscall: 0, uretprobe_syscall: 0, handler: 0, optimize: 0, stack_write: 0 },
  },
};

export const DEFAULT_COST = "kvm-6.18";

const KEYS = ["int3_trap", "single_step", "uret_trap", "uprobe_syscall", "uretprobe_syscall", "handler", "optimize", "stack_write"] as const;

/** A built-in profile by name, or a JSON file (same shape; missing costs default to 0). */
export function loadCostProfile(nameOrPath: string = DEFAULT_COST): CostProfile {
  const builtin = COST_PROFILES[nameOrPath];
  if (builtin) return builtin;
  if (!nameOrPath.endsWith(".json") && !fs.existsSync(nameOrPath))
    throw new UserError(`--cost ${nameOrPath}: unknown profile (built-in: ${Object.keys(COST_PROFILES).join(", ")}; or a .json file)`);
  let raw: unknown;
  const text = new TextDecoder().decode(readHostFile(nameOrPath, `--cost ${nameOrPath}`, 1 << 20)); // a regular file of at most 1 MiB
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`--cost ${nameOrPath}: ${(e as Error).message.split("\n")[0]}`);
  }
  try {
    return validateProfile(raw, nameOrPath);
  } catch (e) {
    throw e instanceof UserError ? new UserError(`--cost ${e.message}`) : e;
  }
}

export function validateProfile(raw: unknown, where: string): CostProfile {
  if (typeof raw !== "object" || raw === null) throw new UserError(`${where}: a cost profile must be a JSON object`);
  const r = raw as Record<string, unknown>;
  // a profile is its costs: a file with only a name would silently make every trap free
  if (typeof r.costs !== "object" || r.costs === null || Array.isArray(r.costs))
    throw new UserError(`${where}: no "costs" object (give the trap costs in ns: ${KEYS.join(", ")})`);
  const costsIn = r.costs as Record<string, unknown>;
  const costs = {} as CostProfile["costs"];
  for (const k of KEYS) {
    const v = costsIn[k] ?? 0;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new UserError(`${where}: costs.${k} must be a non-negative number of nanoseconds`);
    costs[k] = v;
  }
  for (const k of Object.keys(costsIn)) if (!(KEYS as readonly string[]).includes(k)) throw new UserError(`${where}: unknown cost "${k}" (known: ${KEYS.join(", ")})`);
  const ghz = r.ghz ?? DEFAULT_GHZ;
  const cpi = r.cyclesPerInsn ?? r.cycles_per_insn ?? 1;
  if (typeof ghz !== "number" || !(ghz > 0)) throw new UserError(`${where}: ghz must be a positive number`);
  if (typeof cpi !== "number" || !(cpi > 0)) throw new UserError(`${where}: cyclesPerInsn must be a positive number`);
  const profile: CostProfile = {
    name: typeof r.name === "string" ? r.name : where,
    description: typeof r.description === "string" ? r.description : "",
    ghz,
    cyclesPerInsn: cpi,
    costs,
  };
  if (r.provenance !== undefined) {
    if (typeof r.provenance !== "object" || r.provenance === null || Array.isArray(r.provenance)) throw new UserError(`${where}: provenance must be a JSON object`);
    profile.provenance = r.provenance as Record<string, unknown>;
  }
  return profile;
}

export type CostKind = keyof CostProfile["costs"];

/** Picoseconds (integer) for a cost kind. */
export function costPs(p: CostProfile, kind: CostKind): number {
  return Math.round(p.costs[kind] * 1000);
}
