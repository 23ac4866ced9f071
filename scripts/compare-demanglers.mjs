#!/usr/bin/env node
// Compares engine/demangle.ts and gecko-profiler-demangle (the cpp_demangle
// crate in WASM, as the Firefox profiler uses it) against c++filt (binutils),
// the reference, on every `_Z` symbol of libstdc++ (.so and .a), of the C++
// samples and corpus programs, and of the other C++ libraries in
// /usr/lib/x86_64-linux-gnu. This is the evidence for keeping our demangler
// (issue 10, section 5); the numbers are in the header of engine/demangle.ts.
//
// gecko-profiler-demangle is not a dependency. Install it ad hoc outside the
// repository and point the script at it:
//
//   mkdir -p /tmp/demangle-eval && (cd /tmp/demangle-eval && npm init -y && npm install gecko-profiler-demangle@0.4.0)
//   npm run build
//   node scripts/compare-demanglers.mjs --lib /tmp/demangle-eval/node_modules/gecko-profiler-demangle
//
// Without --lib only ours is compared. Needs binutils (nm, c++filt) and g++
// (the corpus programs are built into a temporary directory). Options:
//   --no-system     skip the other C++ libraries of /usr/lib/x86_64-linux-gnu
//   --examples N    examples per category of difference (default 4)
//   --dump FILE     every difference as JSON lines {set, mangled, cxxfilt, ours, lib}
// Takes about a minute on one core.

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const libDir = opt("--lib");
const examples = Number(opt("--examples") ?? 4);
const dumpFile = opt("--dump");
const withSystem = !args.includes("--no-system");

const { demangle } = await import(pathToFileURL(path.join(ROOT, "dist/engine/demangle.js")).href);

/**
 * gecko-profiler-demangle's index.js does `import * as wasm from "./index_bg.wasm"`,
 * which Node 20 refuses without --experimental-wasm-modules; instantiate the
 * module ourselves, synchronously, and hand it to the wasm-bindgen glue.
 */
async function loadLibrary(dir) {
  const t = performance.now();
  const glue = await import(pathToFileURL(path.join(dir, "index_bg.js")).href);
  const mod = new WebAssembly.Module(fs.readFileSync(path.join(dir, "index_bg.wasm")));
  const inst = new WebAssembly.Instance(mod, { "./index_bg.js": glue });
  glue.__wbg_set_wasm(inst.exports);
  inst.exports.__wbindgen_start();
  const version = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version;
  return { demangle: glue.demangle_any, version, loadMs: performance.now() - t };
}
const lib = libDir === undefined ? undefined : await loadLibrary(path.resolve(libDir));

// ---- the symbols ------------------------------------------------------------

function nm(file, dynamic) {
  const r = spawnSync("nm", [...(dynamic ? ["-D"] : []), "--defined-only", "--without-symbol-versions", file], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) return [];
  return r.stdout.split("\n").map((l) => l.trim().split(/\s+/).pop()).filter((n) => n !== undefined && n.startsWith("_Z"));
}

const sets = [];
const add = (name, names) => sets.push({ name, names: [...new Set(names)].sort() });

add("libstdc++.so.6 (nm -D)", nm("/usr/lib/x86_64-linux-gnu/libstdc++.so.6", true));
const gccDir = "/usr/lib/gcc/x86_64-linux-gnu";
const archives = fs.existsSync(gccDir)
  ? fs.readdirSync(gccDir).flatMap((v) => ["libstdc++.a", "libstdc++fs.a"].map((a) => path.join(gccDir, v, a))).filter((p) => fs.existsSync(p))
  : [];
add("libstdc++.a (nm)", archives.flatMap((a) => nm(a, false)));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "compare-demanglers-"));
const programs = fs.readdirSync(path.join(ROOT, "samples/bin")).filter((f) => f.includes("cpp")).map((f) => path.join(ROOT, "samples/bin", f));
for (const src of fs.readdirSync(path.join(ROOT, "test/corpus/cpp")).filter((f) => f.endsWith(".cpp"))) {
  for (const flags of [["-O0"], ["-O2"], ["-O2", "-static"]]) {
    const out = path.join(tmp, path.basename(src, ".cpp") + flags.join(""));
    execFileSync("g++", [...flags, "-o", out, path.join(ROOT, "test/corpus/cpp", src)]);
    programs.push(out);
  }
}
add("C++ samples and corpus", programs.flatMap((p) => [...nm(p, false), ...nm(p, true)]));

if (withSystem) {
  const dir = "/usr/lib/x86_64-linux-gnu";
  const names = [];
  let libs = 0;
  for (const f of fs.readdirSync(dir)) {
    const p = path.join(dir, f);
    if (!/\.so(\.|$)/.test(f) || f.startsWith("libstdc++") || fs.lstatSync(p).isSymbolicLink() || !fs.statSync(p).isFile()) continue;
    const s = nm(p, true);
    if (s.length > 0) libs++;
    names.push(...s);
  }
  add(`other C++ libraries of ${dir} (${libs} files, nm -D)`, names);
}
fs.rmSync(tmp, { recursive: true, force: true });

// ---- the comparison -----------------------------------------------------------

function cxxfilt(names) {
  const r = spawnSync("c++filt", [], { input: names.join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 28 });
  const out = r.stdout.split("\n");
  out.pop();
  if (out.length !== names.length) throw new Error("c++filt: line count differs");
  return out;
}

const SHORT_STD = /std::(string|istream|ostream|iostream)\b/;
/**
 * What kind of difference from c++filt's output `ref` the output `got` for
 * mangled `m` is: the first matching cause, in this order.
 */
function category(m, ref, got) {
  if (got === m || got === m.slice(1)) return "not demangled (returned as is, or without its first _)";
  if (ref === m) return "demangled where c++filt leaves it";
  if (got.replace(/\s+/g, "") === ref.replace(/\s+/g, "")) return "spacing only";
  if (/^\{|\{vtt\(|thunk\(|\{offset|\{virtual offset/.test(got)) return "special names spelled {vtt(...)}, {virtual override thunk(...)}";
  if (/^construction vtable/.test(ref)) return "construction vtables: the two classes swapped";
  if (SHORT_STD.test(got) && !SHORT_STD.test(ref)) return "std::string, std::ostream... for Ss, So, Si, Sd";
  if (ref.endsWith(" " + got)) return "return type of a function template dropped";
  if (/, >|<, /.test(got)) return "empty template argument pack printed as ', >'";
  if (/\(\)( const)?( &&?)?$/.test(got) && !/\(\)( const)?( &&?)?$/.test(ref)) return "function parameters dropped (pack / forwarding-reference parameters)";
  if (/\((unsigned )?(int|long|char|short|bool)[^)]*\)-?\d/.test(got)) return "integer template arguments as casts: (unsigned long)5 for 5ul";
  if (/_GLOBAL__N_/.test(got)) return "anonymous namespace printed as _GLOBAL__N_1";
  if (/std::nullptr_t/.test(got)) return "std::nullptr_t for decltype(nullptr)";
  if (/\[abi:/.test(ref + got)) return "ABI tags";
  if (/\{lambda|\{unnamed type|'lambda|'unnamed/.test(ref + got)) return "lambdas / unnamed types";
  return "other (a sample showed wrong parameter lists: substitutions, pack expansions)";
}

const t0 = (f) => {
  const t = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
};

const all = [...new Set(sets.flatMap((s) => s.names))];
const [ref, tRef] = t0(() => cxxfilt(all));
const refOf = new Map(all.map((m, i) => [m, ref[i]]));
// Speed: the demanglers over all symbols, interleaved, best of 5 rounds (after a
// warm-up pass), so that a busy machine slows both alike.
function speeds(fs_) {
  for (const f of fs_) for (const m of all.slice(0, 5000)) f(m);
  const best = fs_.map(() => Infinity);
  for (let k = 0; k < 5; k++) {
    fs_.forEach((f, i) => {
      best[i] = Math.min(best[i], t0(() => { for (const m of all) f(m); })[1]);
    });
  }
  return best.map((t) => all.length / t);
}
const ours = (m) => demangle(m) ?? m;
const oursOf = new Map(all.map((m) => [m, ours(m)]));
const libOf = lib === undefined ? undefined : new Map(all.map((m) => {
  try {
    return [m, lib.demangle(m)];
  } catch (e) {
    return [m, `<threw ${e.constructor.name}: ${e.message}>`];
  }
}));

const fmt = (n, d) => `${n} (${((100 * n) / d).toFixed(2)}%)`;
const dump = [];
console.log(`c++filt: ${spawnSync("c++filt", ["--version"], { encoding: "utf8" }).stdout.split("\n")[0]}; Node ${process.version}` + (lib ? `; gecko-profiler-demangle ${lib.version}` : ""));
console.log();
console.log(`| symbols | total | ours == c++filt | ${lib ? "library == c++filt | only ours right | only library right | both wrong |" : ""}`);
console.log(`|---|---:|---:|${lib ? "---:|---:|---:|---:|" : ""}`);
const rows = [...sets, { name: "all (unique)", names: all }];
for (const s of rows) {
  let o = 0, l = 0, onlyO = 0, onlyL = 0, both = 0;
  for (const m of s.names) {
    const r = refOf.get(m);
    const okO = oursOf.get(m) === r;
    const okL = libOf !== undefined && libOf.get(m) === r;
    o += okO;
    l += okL;
    if (okO && !okL) onlyO++;
    if (okL && !okO) onlyL++;
    if (!okO && !okL) both++;
    if (s === rows[rows.length - 1] && (!okO || (lib && !okL))) dump.push({ mangled: m, cxxfilt: r, ours: oursOf.get(m), lib: libOf?.get(m) });
  }
  const n = s.names.length;
  console.log(`| ${s.name} | ${n} | ${fmt(o, n)} | ${lib ? `${fmt(l, n)} | ${onlyO} | ${onlyL} | ${both} |` : ""}`);
}

function categories(who, key) {
  const cats = new Map();
  for (const d of dump) {
    if (d[key] === d.cxxfilt) continue;
    const c = category(d.mangled, d.cxxfilt, d[key]);
    const list = cats.get(c) ?? [];
    list.push(d);
    cats.set(c, list);
  }
  console.log(`\n${who}: differences from c++filt by category (all symbols)${cats.size === 0 ? ": none" : ""}`);
  for (const [c, list] of [...cats].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`  ${c}: ${list.length}`);
    // Shortest examples first: they show the construct, not the noise around it.
    for (const d of [...list].sort((a, b) => a.mangled.length - b.mangled.length).slice(0, examples)) {
      console.log(`    ${d.mangled}\n      c++filt: ${d.cxxfilt}\n      ${who.padEnd(7)}: ${d[key]}`);
    }
  }
}
categories("ours", "ours");
if (lib) categories("library", "lib");

const libSafe = (m) => {
  try {
    return lib.demangle(m);
  } catch {
    return m;
  }
};
const [sOurs, sLib] = speeds(lib ? [ours, libSafe] : [ours]);
console.log(`\nspeed over ${all.length} symbols (interleaved, best of 5, one process; load average ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}):`);
console.log(`  c++filt (one pipe, including spawn): ${Math.round(all.length / tRef)} symbols/s`);
console.log(`  ours:    ${Math.round(sOurs)} symbols/s`);
if (lib) console.log(`  library: ${Math.round(sLib)} symbols/s (loading: ${lib.loadMs.toFixed(1)} ms to compile and instantiate the WASM)`);
if (dumpFile !== undefined) fs.writeFileSync(dumpFile, dump.map((d) => JSON.stringify(d)).join("\n") + "\n");
