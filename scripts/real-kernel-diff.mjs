// Run a sample natively under real uprobes (root + tracefs) and in the
// model, and compare what a user sees: exit status, stdout, and each probe's
// hit count (uprobe_profile on the real side, the DSL counters in the model).
//
//   node scripts/real-kernel-diff.mjs SAMPLE "p:SYM[+OFF]" "r:SYM" ...
//   node scripts/real-kernel-diff.mjs callsite-O0 --every 'probe_nop5|probe_call$'
//   node scripts/real-kernel-diff.mjs hello-gcc-O0 p:libc:malloc r:libc:printf ...
//
// SAMPLE is a name in samples/bin or a path. --every REGEX probes every
// instruction of the functions whose names match. p:LIB:SYM probes a shared
// library of a dynamically linked binary (libc, libc.so.6, or a path).
// Hits are counted from the trace buffer, for the probed process and the
// threads and processes it creates (sched_process_fork), after its exec
// (sched_process_exec): other processes share libc's inode. Per probe, the
// number of distinct tasks that hit it and the multiset of per-task counts
// are compared too (tids differ between the kernel and the model).
// Not part of the test suite: it needs root and a kernel with uprobe events.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const { BufferIo, loadBinary } = await import(path.join(root, "dist/engine/index.js"));
const { Session } = await import(path.join(root, "dist/lab/session.js"));
const { ProcessTargetInfo } = await import(path.join(root, "dist/lab/process-targets.js"));
const { matchFile } = await import(path.join(root, "dist/dsl/passes/resolve-targets.js"));

const [sample, ...rest] = process.argv.slice(2);
if (!sample) {
  console.error("usage: real-kernel-diff.mjs SAMPLE (p:SYM[+OFF] | r:SYM | --every REGEX)...");
  process.exit(2);
}
const binPath = fs.existsSync(sample) ? path.resolve(sample) : path.join(root, "samples", "bin", sample);
const bin = loadBinary(binPath);
const targets = ProcessTargetInfo.forExecutable(bin);
let specs = [];
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === "--every") {
    const re = new RegExp(rest[++i]);
    for (const f of bin.functions().filter((s) => re.test(s.name) && s.size > 0))
      for (const off of bin.instructionOffsets(f)) specs.push(`p:${f.name}+${off}`);
  } else specs.push(rest[i]);
}

const tracefs = "/sys/kernel/tracing";
if (!fs.existsSync(path.join(tracefs, "uprobe_events"))) spawnSync("mount", ["-t", "tracefs", "nodev", tracefs]);
const events = path.join(tracefs, "uprobe_events");
const probes = specs.map((s, i) => {
  const m = /^([pr]):(?:([\w.+\/-]+):)?([\w.$]+)(?:\+(\d+))?$/.exec(s);
  if (!m) throw new Error(`bad spec ${s}`);
  const file = m[2] === undefined ? targets.mainFile : matchFile(m[2], targets.files());
  if (file === undefined) throw new Error(`no file ${m[2]} among ${targets.files().join(", ")}`);
  const part = targets.part(file);
  const sym = part.bin.lookup(m[3]);
  if (!sym) throw new Error(`no symbol ${m[3]} in ${file}`);
  const off = Number(m[4] ?? 0);
  const dsl = `${m[2] === undefined ? "" : `${JSON.stringify(m[2])}:`}${m[3]}`;
  // the kernel's key: the file's real path (its inode) and the offset
  return { spec: s, kind: m[1], dsl, lib: m[2] !== undefined, off, path: part.id === bin.path ? binPath : part.id, fileOffset: sym.fileOffset + off, ev: `e${i}` };
});

// real kernel. uprobe_profile's count is entries for r: events too (uprobe_dispatcher counts
// every hit, in every process); returns, and a library's hits, are counted from the trace
// buffer, for the probed process after its exec.
fs.writeFileSync(path.join(tracefs, "buffer_size_kb"), "65536");
fs.writeFileSync(path.join(tracefs, "trace"), "");
for (const p of probes) fs.appendFileSync(events, `${p.kind}:uvdiff/${p.ev} ${p.path}:0x${p.fileOffset.toString(16)}\n`);
for (const p of probes) fs.writeFileSync(path.join(tracefs, "events/uvdiff", p.ev, "enable"), "1");
const execEvent = path.join(tracefs, "events/sched/sched_process_exec/enable");
const forkEvent = path.join(tracefs, "events/sched/sched_process_fork/enable");
fs.writeFileSync(execEvent, "1");
fs.writeFileSync(forkEvent, "1");
const real = spawnSync(binPath, [], { encoding: "utf8", env: {} });
fs.writeFileSync(execEvent, "0");
fs.writeFileSync(forkEvent, "0");
const profile = fs.readFileSync(path.join(tracefs, "uprobe_profile"), "utf8");
const traceLines = fs.readFileSync(path.join(tracefs, "trace"), "utf8").split("\n");
const execAt = traceLines.findIndex((l) => l.includes("sched_process_exec") && l.includes(`filename=${binPath}`) && l.includes(`pid=${real.pid}`));
const traced = new Map();
/** Per event: hits by task (tid), for the tasks of the probed tree. */
const tracedByTask = new Map();
const tree = new Set([real.pid]);
for (const l of traceLines.slice(execAt + 1)) {
  const f = /^\s*\S+-(\d+)\s.*sched_process_fork: .*child_pid=(\d+)/.exec(l);
  if (f) {
    if (tree.has(Number(f[1]))) tree.add(Number(f[2]));
    continue;
  }
  const m = /^\s*\S+-(\d+)\s.*?\s(e\d+): \(/.exec(l);
  if (!m || !tree.has(Number(m[1]))) continue;
  traced.set(m[2], (traced.get(m[2]) ?? 0) + 1);
  const byTask = tracedByTask.get(m[2]) ?? new Map();
  byTask.set(m[1], (byTask.get(m[1]) ?? 0) + 1);
  tracedByTask.set(m[2], byTask);
}
for (const p of probes) fs.writeFileSync(path.join(tracefs, "events/uvdiff", p.ev, "enable"), "0");
for (const p of probes) fs.appendFileSync(events, `-:uvdiff/${p.ev}\n`);
const profileHits = new Map();
for (const line of profile.split("\n")) {
  const m = /(\S+)\s+(e\d+)\s+(\d+)/.exec(line);
  if (m) profileHits.set(m[2], Number(m[3]));
}
// entries: uprobe_profile for the binary's own probes (only this process maps its inode; exact at any
// volume), trace lines for a library's p: probes (other processes share its inode)
const realHits = new Map(probes.map((p) => [p.ev, !p.lib ? (profileHits.get(p.ev) ?? 0) : p.kind === "p" ? (traced.get(p.ev) ?? 0) : undefined]));
const lost = /entries-in-buffer\/entries-written: (\d+)\/(\d+)/.exec(traceLines.join("\n"));
if (lost && lost[1] !== lost[2]) console.log(`warning: the trace buffer overflowed (${lost[1]} of ${lost[2]} events kept): trace-based counts are low`);
const realReturns = new Map(probes.map((p) => [p.ev, traced.get(p.ev) ?? 0]));
const realStatus = real.status ?? 128 + os.constants.signals[real.signal];

// model
const program = probes.map((p) => `${p.kind === "p" ? "probe" : "retprobe"} ${p.dsl}${p.kind === "p" ? `:${p.off}` : ""} < ${p.ev}++ >`).join("\n");
const io = new BufferIo();
const s = new Session({ binary: bin, program, io, kernel: "6.18", unsafe: true });
const r = s.run();
const stats = s.stats().probes;
// entries: handler runs for p:, entry traps for r: (what uprobe_profile counts); returns: ret_handler runs
const modelHits = new Map(stats.map((p, i) => [probes[i].ev, probes[i].kind === "p" ? p.hits : p.traps.int3 + p.traps.uprobe_syscall]));
const modelReturns = new Map(stats.map((p, i) => [probes[i].ev, p.hits]));
const modelOut = io.text(1);
/** "N tasks: 50x64" — the distinct tasks and the multiset of their counts. */
const perTask = (byTask) => {
  const counts = [...(byTask ?? new Map()).values()].sort((a, b) => b - a);
  const groups = [];
  for (const c of counts) {
    const g = groups.at(-1);
    if (g && g[0] === c) g[1]++;
    else groups.push([c, 1]);
  }
  return `${counts.length} task${counts.length === 1 ? "" : "s"}${counts.length ? ": " + groups.map(([c, n]) => (n > 1 ? `${c}x${n}` : `${c}`)).join(" ") : ""}`;
};

let diffs = 0;
const say = (ok, what) => {
  if (!ok) diffs++;
  if (!ok || process.env.VERBOSE) console.log(`${ok ? "ok  " : "DIFF"} ${what}`);
};
say(realStatus === r.status, `exit status: kernel ${realStatus}, model ${r.status}${r.report ? ` (${r.report})` : ""}`);
say(modelOut.startsWith(real.stdout), `stdout${modelOut.startsWith(real.stdout) ? "" : `:\n--- kernel\n${real.stdout}--- model\n${modelOut}`}`);
for (const p of probes) {
  const k = realHits.get(p.ev), m = modelHits.get(p.ev) ?? 0;
  if (k !== undefined) say(k === m, `${p.spec.padEnd(28)} hits: kernel ${k}, model ${m}${s.probes[probes.indexOf(p)].consumer.stats.path === "rejected" ? " (rejected)" : ""}`);
  if (p.kind === "p") {
    // the trace buffer's events of the tree against the model's hits by tid
    const kt = perTask(tracedByTask.get(p.ev)), mt = perTask(s.probes[probes.indexOf(p)].consumer.stats.byTid);
    say(kt === mt, `${p.spec.padEnd(28)} per task: kernel ${kt}; model ${mt}`);
  }
  if (p.kind === "r") {
    const kr = realReturns.get(p.ev) ?? 0, mr = modelReturns.get(p.ev) ?? 0;
    say(kr === mr, `${p.spec.padEnd(28)} returns: kernel ${kr}, model ${mr}`);
  }
}
console.log(`${sample}: ${probes.length} probes, ${diffs} differences (host kernel ${os.release()}, model 6.18)`);
process.exitCode = diffs ? 1 : 0;
