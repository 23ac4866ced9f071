// What one probe run is: the binary, the DSL program, the guest's world
// (argv, environment, files, limits) and the modelled kernel (generation,
// emulation, cost profile). One spec goes down whole from the command line
// and the notebooks to the session, the machine and the uprobe model.
//
// A spec whose binary is a path and that has no `io` is structured-cloneable:
// lab/pool.ts can run it in a worker thread.

import * as fs from "node:fs";
import { openBinary, readHostFile, UserError, type Binary, type CostProfile, type MachineOptions } from "../engine/index.js";
import { namedBinaryPath } from "./binary-names.js";
import { displayPath, resolveBinaryPath } from "./paths.js";

/**
 * The guest's world (env, files, libPath, io, maxInsns, maxMemory, cpus, maxTasks, quantum, tier) is a Machine's, as MachineOptions
 * documents it; `io` defaults here to a BufferIo holding `stdin`.
 */
export interface RunSpec extends Pick<MachineOptions, "env" | "files" | "libPath" | "io" | "maxInsns" | "maxMemory" | "cpus" | "maxTasks" | "quantum" | "sched" | "tier"> {
  /**
   * A path or the name of a bundled sample ("push-O0"), opened by openRunBinary
   * (named by its project-relative path); or a Binary already loaded (the
   * command line's: named as the user typed it).
   */
  binary: string | Binary;
  /** The DSL program. */
  program: string;
  /** Name used in DSL error messages: a file name or "-e" (default "-e"; runSpec's default is "program"). */
  programName?: string;
  /** The program's positional parameters $1, $2, ... (bpftrace's words after the script). */
  params?: readonly string[];
  /** Where printf/print of the program go instead of the guest's stdout (bpftrace's -o FILE). */
  programOutput?: (text: string) => void;
  /** Guest argv after argv[0]. */
  args?: string[];
  /** Guest stdin, when the streams are captured (no `io`). */
  stdin?: string;
  /**
   * When the streams are captured (no `io`): write the guest's whole output here as it runs
   * (stdout and stderr interleaved, as a terminal shows them); the run itself keeps only the last
   * OUTPUT_TAIL_BYTES of each stream.
   */
  outputFile?: string;
  /** Modelled kernel generation (default 6.18). */
  kernel?: string;
  /** Instruction emulation (default on); off: every hit single-steps out of line. */
  emulation?: boolean;
  /** Cost profile name, file or object (default kvm-6.18). */
  cost?: string | CostProfile;
  /** printf and print() of the program write bpftrace's NDJSON records. */
  json?: boolean;
  /** Allow probes at offsets that are not instruction boundaries. */
  unsafe?: boolean;
  /** Keep the event trace of the first N hits. */
  traceHits?: number;
  /**
   * USDT semaphores on a kernel before 4.20, which does not count them: raise them from the tool
   * as bpftrace and bcc do through /proc/PID/mem (default true); false leaves a guarded probe dark.
   */
  semaphorePoke?: boolean;
  /** Free-form tag carried into the result (sweeps use it). */
  label?: string;
}

const binaries = new Map<string, { stamp: string; bin: Binary }>();

/**
 * Load a binary by a name given in this process (a %%c cell's), a path or a
 * sample name. Named by its name, or else by its project-relative path.
 * Cached until the file changes (a recompiled cell makes a new inode).
 */
export function openRunBinary(nameOrPath: string): Binary {
  const named = namedBinaryPath(nameOrPath);
  const abs = named ?? resolveBinaryPath(nameOrPath);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new UserError(`${nameOrPath}: no such file (a path, or a bundled sample such as push-O0)`);
  }
  if (st.isDirectory()) throw new UserError(`${nameOrPath}: is a directory, not an ELF executable`);
  const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
  const hit = binaries.get(abs);
  if (hit && hit.stamp === stamp) return hit.bin;
  const bytes = readHostFile(abs, nameOrPath); // a regular file, size-capped (a FIFO would block, /dev/zero grow)
  const bin = openBinary(named ? nameOrPath : displayPath(abs), bytes);
  binaries.set(abs, { stamp, bin });
  return bin;
}

/** The spec's binary, opened. */
export function specBinary(spec: RunSpec): Binary {
  return typeof spec.binary === "string" ? openRunBinary(spec.binary) : spec.binary;
}
