// Code generation: each probe body becomes one JavaScript function.
//
// As bpftrace compiles a probe to BPF bytecode, this pass compiles it to JS
// source and instantiates it with `new Function`, so a hit costs what the
// statements cost and nothing for interpretation: `count++` becomes
//
//   G[0] = N(64, (G[0] ?? 0n) + 1n);
//
// where N is BigInt.asIntN (through asIntN), G the runtime's scalar slots (runtime.ts). A
// slot the program only counts with (counter-slots.ts) counts in a JS number instead:
//
//   const t1 = K[0] + 1; if (t1 < 4503599627370496 && G[0] !== undefined) K[0] = t1; else R.bump(0, 1);
//
// The
// generated function takes the HitContext; `/ FILTER /` becomes an early
// return at its top, evaluated at hit time. One function is generated per
// attach point, so per-probe constants (`func`, `probe`) are literals.
//
// Conditions are generated as JS booleans (`a < b`, `x !== 0n`) and turned
// into 0n/1n only where a value is needed. Every JS identifier in generated
// code is either a closure parameter (R G M S C N) or a generated local
// (`t1`, `s_name`), so user names can never collide with them.

import type { AssignStmt, Block, CallExpr, CastExpr, Expr, IfStmt, IndexExpr, IntTypeName, LValue, Stmt, VarRef } from "./ast.js";
import { ARG_REGS, CHILD_PID, REGISTERS, signalNumber, type Ty, type Where } from "./builtins.js";
import { constInt } from "./const-int.js";
import { COUNTER_FOLD_AT, counterSlots, CounterKind } from "./counter-slots.js";
import type { Span } from "./diagnostics.js";
import type { HitContext, ResolvedTarget, UsdtArgReader } from "./host.js";
import type { ItemInfo, PassContext, VarInfo } from "./passes/context.js";
import type { ResolvedEvent } from "./probe-events.js";
import { paramValue } from "./passes/type-expr.js";
import { formatterFor, parseFormat } from "./printf.js";
import { eventArgs, isProbeArgs, probeArgCode, targetArgs, type ArgSet } from "./probe-args.js";
import { placeSize } from "./struct-check.js";
import { placeValueCode, type StructCodeGen } from "./struct-code.js";
import type { Runtime } from "./runtime.js";
import { isU64, u64Binary, type U64Env } from "./unsigned.js";
import { UNWINDERS, USTACK_DEFAULT_LIMIT } from "./ustack.js";

type Handler = (ctx: HitContext) => void;

/**
 * BigInt.asIntN behind a function of ours: given the builtin itself, Node 20's optimizing compiler
 * took 1.9 GB and 6 s (on a background thread, after the run) for a handler of 200 `x++` while the
 * slot still held undefined at first, 6.5 GB for 300 (found by test/fuzz); through this wrapper it
 * stays at tens of MB, and a hit is no slower.
 */
const asIntN = (bits: number, v: bigint): bigint => BigInt.asIntN(bits, v);

interface ProbeConstants {
  /** `func`: the probed function's name. */
  func: string;
  /** `probe`: the probe's display name. */
  probe: string;
  /** A uprobe on `push rbp` or `endbr64`: the kernel (6.11+) adds the caller to its stacks (ustack.ts). */
  entryProbe: boolean;
  /** A usdt probe: argN reads the note's argument specs instead of the ABI's registers. */
  usdtArgs?: UsdtArgReader[];
  /** This attach point's `args` (computed when a handler reads one). */
  args?: () => ArgSet;
}

/** Everything a generated function closes over. */
interface Closure {
  consts: unknown[];
}

/** A probe's handler, ready to attach. */
interface GeneratedProbe {
  target: ResolvedTarget;
  handler: Handler;
  source: string;
  filter?: (ctx: HitContext) => boolean;
}

/** An event probe's handler (interval, profile, tracepoint: dsl/probe-events.ts). */
export interface GeneratedEvent {
  event: ResolvedEvent;
  handler: Handler;
  source: string;
}

export interface GeneratedProgram {
  probes: GeneratedProbe[];
  events: GeneratedEvent[];
  begins: Handler[];
  ends: Handler[];
}

/** Generate every handler of an analysed program (the passes ran without errors). */
export function generate(checked: PassContext, rt: Runtime): GeneratedProgram {
  const out: GeneratedProgram = { probes: [], events: [], begins: [], ends: [] };
  for (const [name, kind] of counterSlots(checked.program)) {
    const id = checked.storage.ids.get(name);
    if (id !== undefined && checked.vars.has(name)) rt.counterKind[id] = kind;
  }
  for (const item of checked.program.items) {
    if (item.kind === "config") continue;
    const info = checked.items.get(item)!;
    if (item.kind === "special") {
      const h = new CodeGen(checked, rt, info, { func: "", probe: item.which, entryProbe: false }).build(item.body, undefined).fn;
      (item.which === "BEGIN" ? out.begins : out.ends).push(h);
      continue;
    }
    for (const e of item.targets.flatMap((spec) => checked.events.get(spec) ?? [])) {
      const { fn, source } = new CodeGen(checked, rt, info, { func: "", probe: e.name, entryProbe: false, args: () => eventArgs(e) }).build(item.body, item.filter);
      out.events.push({ event: e, handler: fn, source });
    }
    for (const t of item.targets.flatMap((spec) => checked.resolved.get(spec) ?? [])) {
      const func = t.demangled ?? t.symbol ?? `0x${t.addr.toString(16)}`;
      // entryProbe: only ustack reads it, so the site is disassembled on demand (iced's first Formatter costs 25-60 ms of start-up)
      let entry: boolean | undefined;
      const pc: ProbeConstants = {
        func,
        probe: t.name,
        get entryProbe(): boolean {
          return (entry ??= t.kind === "uprobe" && /^(?:push\s+%?[er]bp|endbr64)$/.test(checked.target.disassembleAt(t.addr, t.file) ?? ""));
        },
        args: () => targetArgs(t, checked.target),
      };
      if (t.usdt !== undefined && Array.isArray(t.usdt.args)) pc.usdtArgs = t.usdt.args;
      const { fn, source } = new CodeGen(checked, rt, info, pc).build(item.body, item.filter);
      const probe: GeneratedProbe = { target: t, handler: fn, source };
      if (item.filter !== undefined) probe.filter = new CodeGen(checked, rt, info, pc).buildFilter(item.filter);
      out.probes.push(probe);
    }
  }
  return out;
}

const CMP: Readonly<Record<string, string>> = { "==": "===", "!=": "!==", "<": "<", ">": ">", "<=": "<=", ">=": ">=" };

class CodeGen {
  private tmp = 0;
  private readonly closure: Closure = { consts: [] };

  constructor(
    private readonly checked: PassContext,
    private readonly rt: Runtime,
    private readonly info: ItemInfo,
    private readonly pc: ProbeConstants,
  ) {}

  /** Source of the handler body (for debugging and tests). */
  source(body: Block, filter: Expr | undefined): string {
    let out = "";
    for (const [name, ty] of this.info.scratch) out += `let ${scratchName(name)} = ${ty === "string" ? '""' : "0n"};\n`;
    if (filter !== undefined) out += `if (!${this.cond(filter)}) return;\n`;
    out += this.block(body);
    return out;
  }

  /** Compile a body into a handler. */
  build(body: Block, filter: Expr | undefined): { fn: Handler; source: string } {
    const src = this.source(body, filter);
    const factory = new Function("R", "G", "M", "S", "C", "N", "K", `"use strict";\nreturn function handler(ctx) {\n${src}};`) as (
      ...a: unknown[]
    ) => Handler;
    const fn = factory(this.rt, this.rt.G, this.rt.M, this.rt.S, this.closure.consts, asIntN, this.rt.K);
    return { fn, source: src };
  }

  /** Compile a filter alone into a predicate. */
  buildFilter(filter: Expr): (ctx: HitContext) => boolean {
    const cond = this.cond(filter);
    const factory = new Function("R", "G", "M", "S", "C", "N", "K", `"use strict";\nreturn function filter(ctx) { return ${cond}; };`) as (
      ...a: unknown[]
    ) => (ctx: HitContext) => boolean;
    return factory(this.rt, this.rt.G, this.rt.M, this.rt.S, this.closure.consts, asIntN, this.rt.K);
  }

  // ---- helpers -------------------------------------------------------------------

  private t(): string {
    return `t${++this.tmp}`;
  }

  private konst(v: unknown): string {
    this.closure.consts.push(v);
    return `C[${this.closure.consts.length - 1}]`;
  }

  /** Where uint64-ness is looked up (unsigned.ts). */
  private get env(): U64Env {
    return { info: this.info, ctx: this.checked };
  }

  /** Struct reads (struct-code.ts) build on expr and site. */
  private readonly structGen: StructCodeGen = { expr: (e) => this.expr(e), site: (s) => this.site(s) };

  private site(span: Span): number {
    this.rt.warnSites.push({ start: span.start, end: span.end });
    return this.rt.warnSites.length - 1;
  }

  private v(name: string): VarInfo {
    return this.checked.vars.get(name)!;
  }

  private id(name: string): number {
    return this.checked.storage.ids.get(name)!;
  }

  // ---- statements ----------------------------------------------------------------

  private block(b: Block): string {
    let out = "";
    for (const s of b.body) out += this.stmt(s);
    return out;
  }

  private stmt(s: Stmt): string {
    switch (s.kind) {
      case "assign":
        return this.assign(s);
      case "incdec":
        return this.update(s.target, s.op === "++" ? "+" : "-", "1n");
      case "callstmt":
        return this.callStmt(s.call);
      case "if":
        return this.ifStmt(s);
      case "return":
        return "return;\n";
      case "break":
      case "continue":
        return `${s.kind};\n`;
      case "unroll": {
        const i = this.t();
        return `for (let ${i} = 0; ${i} < ${Number(constInt(s.count) ?? 0n)}; ${i}++) {\n${this.block(s.body)}}\n`;
      }
      case "while": {
        // bounded as the verifier bounds bpftrace's loops: past LOOP_LIMIT iterations it stops, with a warning
        const n = this.t();
        return `let ${n} = 0;\nwhile (${this.cond(s.cond)}) {\nif (++${n} > ${LOOP_LIMIT}) { R.loopLimit(${this.site(s)}, ${LOOP_LIMIT}); break; }\n${this.block(s.body)}}\n`;
      }
    }
  }

  private ifStmt(s: IfStmt): string {
    let out = `if (${this.cond(s.cond)}) {\n${this.block(s.then)}}`;
    if (s.else !== undefined) out += s.else.kind === "block" ? ` else {\n${this.block(s.else)}}` : ` else ${this.ifStmt(s.else)}`;
    return out + "\n";
  }

  /** Key of a map access: [code setting temps, JS key expression, key temps]. */
  private key(e: IndexExpr): { pre: string; key: string; parts: string[] } {
    if (e.keys.length === 1) {
      const t = this.t();
      return { pre: `const ${t} = ${this.keyExpr(e.keys[0]!)};\n`, key: t, parts: [t] };
    }
    let pre = "";
    const parts: string[] = [];
    for (const k of e.keys) {
      const t = this.t();
      pre += `const ${t} = ${this.keyExpr(k)};\n`;
      parts.push(t);
    }
    return { pre, key: parts.map((p) => `String(${p})`).join(' + "\\0" + '), parts };
  }

  /** Inline key expression for reads (no temps). */
  private keyInline(e: IndexExpr): string {
    if (e.keys.length === 1) return this.keyExpr(e.keys[0]!);
    return "(" + e.keys.map((k) => `String(${this.keyExpr(k)})`).join(' + "\\0" + ') + ")";
  }

  /** A key part: a uint64 key is stored (and printed) as int64, as bpftrace 0.17 prints it. */
  private keyExpr(k: Expr): string {
    return isU64(k, this.env) ? `N(64, ${this.expr(k)})` : this.expr(k);
  }

  private initOf(v: VarInfo): string {
    switch (v.kind) {
      case "string":
        return '""';
      case "min":
      case "max":
        return "undefined";
      case "avg":
      case "stats":
        return "{ n: 0n, t: 0n }";
      case "hist":
        return "R.newHist()";
      case "lhist":
        return `R.newLhist(${this.id(v.name)})`;
      default:
        return "0n";
    }
  }

  /**
   * Resolve an lvalue to a JS lvalue slot (`G[3]`, `e.v`) with the code that
   * prepares it; for keyed maps the element is created on first use.
   */
  private slot(target: LValue): { pre: string; slot: string; v: VarInfo } {
    const ref = target.kind === "index" ? target.target : target;
    const v = this.v(ref.name);
    const id = this.id(ref.name);
    if (target.kind !== "index") return { pre: "", slot: `G[${id}]`, v };
    const k = this.key(target);
    const e = this.t();
    const pre =
      k.pre +
      `let ${e} = M[${id}].get(${k.key});\n` +
      // a full map (max_map_keys) keeps its keys: the new element is a throwaway, as a failed map_update_elem
      `if (${e} === undefined) { ${e} = { k: [${k.parts.join(", ")}], v: ${this.initOf(v)} }; if (M[${id}].size < R.maxMapKeys) M[${id}].set(${k.key}, ${e}); else R.mapFull(${id}, ${this.site(target)}); }\n`;
    return { pre, slot: `${e}.v`, v };
  }

  private assign(s: AssignStmt): string {
    const ref = s.target.kind === "index" ? s.target.target : s.target;
    if (s.op !== "=") return this.update(s.target, s.op.slice(0, -1), this.expr(s.value));
    if (ref.scope === "scratch") return `${scratchName(ref.name)} = ${this.expr(s.value)};\n`;
    if (ref.scope === "self") return this.selfStore(ref, this.expr(s.value));
    if (s.value.kind === "call" && this.isAgg(s.value)) return this.aggregate(s.target, s.value);
    const val = this.t();
    const pre = `const ${val} = ${this.expr(s.value)};\n`;
    const sl = this.slot(s.target);
    return pre + sl.pre + `${sl.slot} = ${val};\n`;
  }

  private isAgg(c: CallExpr): boolean {
    return ["count", "sum", "avg", "min", "max", "stats", "hist", "lhist"].includes(c.name);
  }

  private selfStore(ref: VarRef, value: string): string {
    const id = this.id(ref.name);
    const t = this.t();
    const zero = this.v(ref.name).kind === "string" ? '""' : "0n";
    return `const ${t} = ${value};\nif (${t} === ${zero}) S[${id}].delete(ctx.tid); else S[${id}].set(ctx.tid, ${t});\n`;
  }

  /** `target op= value` for integer variables (also ++ and --). */
  private update(target: LValue, op: string, value: string): string {
    const ref = target.kind === "index" ? target.target : target;
    const combine = (cur: string, rhs: string): string => binaryInt(op, cur, rhs);
    if (ref.scope === "scratch") {
      const n = scratchName(ref.name);
      return `${n} = ${combine(n, value)};\n`;
    }
    if (ref.scope === "self") return this.selfStore(ref, combine(this.selfRead(ref), value));
    if (target.kind !== "index" && this.rt.counterKind[this.id(ref.name)] === CounterKind.Wrap) return this.counterAdd(this.id(ref.name), op === "+" ? 1 : -1);
    const t = this.t();
    const pre = `const ${t} = ${value};\n`;
    const sl = this.slot(target);
    const cur = target.kind === "index" ? sl.slot : `(${sl.slot} ?? 0n)`;
    return pre + sl.pre + `${sl.slot} = ${combine(cur, t)};\n`;
  }

  /** A counter slot's `+= d` as a number while it is exact and the slot is set (runtime.ts bump, counter-slots.ts). */
  private counterAdd(id: number, d: 1 | -1): string {
    const k = this.t();
    const ok = d > 0 ? `${k} < ${COUNTER_FOLD_AT}` : `${k} > -${COUNTER_FOLD_AT}`;
    return `const ${k} = K[${id}] + ${d};\nif (${ok} && G[${id}] !== undefined) K[${id}] = ${k}; else R.bump(${id}, ${d});\n`;
  }

  private aggregate(target: LValue, call: CallExpr): string {
    const a0 = call.args[0];
    // a sum of uint64 stays unsigned; min/max, the histograms and averages take int64, as bpftrace 0.17's (measured)
    const u64 = a0 !== undefined && isU64(a0, this.env);
    const arg = a0 === undefined ? "" : u64 && call.name !== "sum" ? `N(64, ${this.expr(a0)})` : this.expr(a0);
    const t = this.t();
    let pre = arg !== "" ? `const ${t} = ${arg};\n` : "";
    const sl = this.slot(target);
    pre += sl.pre;
    const s = sl.slot;
    const keyed = target.kind === "index";
    switch (call.name) {
      case "count":
        if (!keyed && this.rt.counterKind[this.id((target as VarRef).name)] === CounterKind.Count) return this.counterAdd(this.id((target as VarRef).name), 1);
        return pre + (keyed ? `${s} += 1n;\n` : `${s} = (${s} ?? 0n) + 1n;\n`);
      case "sum":
        if (u64) return pre + (keyed ? `${s} = BigInt.asUintN(64, ${s} + ${t});\n` : `${s} = BigInt.asUintN(64, (${s} ?? 0n) + ${t});\n`);
        return pre + (keyed ? `${s} = N(64, ${s} + ${t});\n` : `${s} = N(64, (${s} ?? 0n) + ${t});\n`);
      case "min":
        return pre + `if (${s} === undefined || ${t} < ${s}) ${s} = ${t};\n`;
      case "max":
        return pre + `if (${s} === undefined || ${t} > ${s}) ${s} = ${t};\n`;
      case "avg":
      case "stats":
        return pre + `R.avg(${keyed ? s : `(${s} ??= { n: 0n, t: 0n })`}, ${t});\n`;
      case "hist":
        return pre + `R.hist(${keyed ? s : `(${s} ??= R.newHist())`}, ${t});\n`;
      case "lhist": {
        const id = this.id((target.kind === "index" ? target.target : target).name);
        return pre + `R.lhist(${keyed ? s : `(${s} ??= R.newLhist(${id}))`}, ${t}, ${id});\n`;
      }
    }
    throw new Error(`internal: unknown aggregation ${call.name}`);
  }

  private callStmt(c: CallExpr): string {
    const a = c.args;
    switch (c.name) {
      case "printf":
        return `R.printf(${this.printf(c)});\n`;
      case "print": {
        const x = a[0]!;
        if (x.kind === "var" && (x.scope === "map" || x.scope === "global") && this.checked.vars.has(x.name)) {
          const top = a[1] !== undefined ? Number(constInt(a[1]) ?? 0n) : 0;
          const div = a[2] !== undefined ? Number(constInt(a[2]) ?? 1n) : 1;
          return `R.printVar(${this.id(x.name)}, ${top}, ${div});\n`;
        }
        return `R.printValue(${this.expr(x)});\n`;
      }
      case "print_log2": {
        const unit = a[1] !== undefined && a[1].kind === "string" ? a[1].value : "value";
        const section = a[2] !== undefined && a[2].kind === "string" ? a[2].value : undefined;
        return `R.printLog2(${this.id((a[0] as VarRef).name)}, ${JSON.stringify(unit)}${section === undefined ? "" : ", " + JSON.stringify(section)});\n`;
      }
      case "join":
        return `R.join(ctx, ${this.expr(a[0]!)}, ${JSON.stringify(a[1] !== undefined ? (a[1] as { value: string }).value : " ")}, ${this.site(c)});\n`;
      case "signal": {
        const s = a[0]!;
        return `ctx.signal?.(${signalNumber(s.kind === "string" ? s.value : constInt(s)!)});\n`;
      }
      case "time": {
        const fmt = a[0] !== undefined ? (a[0] as { value: string }).value : "%H:%M:%S\n"; // bpftrace's default
        return `R.printf(R.strftime(${JSON.stringify(fmt)}, ctx.nsecs()));\n`;
      }
      case "print_rows":
        return `R.printRows(${this.id((a[0] as VarRef).name)}, ${JSON.stringify((a[1] as { value: string }).value)});\n`;
      case "clear":
        return `R.clear(${this.id((a[0] as VarRef).name)});\n`;
      case "zero":
        return `R.zero(${this.id((a[0] as VarRef).name)});\n`;
      case "delete": {
        if (a.length === 1) {
          const e = a[0] as IndexExpr;
          return `M[${this.id(e.target.name)}].delete(${this.keyInline(e)});\n`;
        }
        const fake: IndexExpr = { kind: "index", target: a[0] as VarRef, keys: a.slice(1), start: c.start, end: c.end };
        return `M[${this.id(fake.target.name)}].delete(${this.keyInline(fake)});\n`;
      }
      case "exit":
        return `R.exit(ctx);\n`;
    }
    throw new Error(`internal: unknown statement function ${c.name}`);
  }

  private printf(c: CallExpr): string {
    const fmt = c.args[0]!;
    const p = parseFormat(fmt.kind === "string" ? fmt.value : "", { bpftrace: true });
    if (!p.ok) return '""';
    const pieces: string[] = [];
    let k = 1;
    for (const part of p.parts) {
      if (typeof part === "string") pieces.push(JSON.stringify(part));
      else {
        const arg = this.expr(c.args[k++]!);
        if (part.arg === "int" && part.conv === "d" && part.bits === 64 && part.flags === "" && part.width === undefined && part.precision === undefined) {
          pieces.push(`BigInt.asIntN(64, ${arg}).toString()`);
        } else if (part.arg === "string" && part.conv === "s" && part.width === undefined && part.precision === undefined) {
          pieces.push(`(${arg})`);
        } else pieces.push(`${this.konst(formatterFor(part))}(${arg})`);
      }
    }
    return pieces.length === 0 ? '""' : pieces.join(" + ");
  }

  // ---- expressions ---------------------------------------------------------------

  /** A JS boolean expression for a condition. */
  cond(e: Expr): string {
    switch (e.kind) {
      case "number":
        return e.value !== 0n ? "true" : "false";
      case "binary":
        if (e.op in CMP && (isU64(e.left, this.env) || isU64(e.right, this.env))) {
          return `(BigInt.asUintN(64, ${this.expr(e.left)}) ${CMP[e.op]} BigInt.asUintN(64, ${this.expr(e.right)}))`;
        }
        if (e.op in CMP) return `(${this.expr(e.left)} ${CMP[e.op]} ${this.expr(e.right)})`;
        if (e.op === "&&" || e.op === "||") return `(${this.cond(e.left)} ${e.op} ${this.cond(e.right)})`;
        break;
      case "unary":
        if (e.op === "!") return `!${this.cond(e.operand)}`;
        break;
      default:
        break;
    }
    return `(${this.expr(e)} !== 0n)`;
  }

  /** A JS expression for a value (bigint or string). */
  expr(e: Expr): string {
    switch (e.kind) {
      case "number":
        return e.value < 0n ? `(${e.value}n)` : `${e.value}n`;
      case "string":
        return JSON.stringify(e.value);
      case "var":
        return this.varRead(e);
      case "index": {
        const v = this.v(e.target.name);
        const id = this.id(e.target.name);
        const get = `M[${id}].get(${this.keyInline(e)})?.v`;
        if (v.kind === "avg") return `R.avgOf(${get})`;
        return `(${get} ?? ${v.kind === "string" ? '""' : "0n"})`;
      }
      case "call":
        return this.callValue(e);
      case "unary":
        switch (e.op) {
          case "!":
            return `(${this.cond(e.operand)} ? 0n : 1n)`;
          case "~":
            return isU64(e, this.env) ? `BigInt.asUintN(64, ~${this.expr(e.operand)})` : `(~${this.expr(e.operand)})`;
          case "-":
            return isU64(e, this.env) ? `BigInt.asUintN(64, -${this.expr(e.operand)})` : `N(64, -${this.expr(e.operand)})`;
          case "+":
            return this.expr(e.operand);
        }
        break;
      case "binary":
        if (e.op in CMP || e.op === "&&" || e.op === "||") return `(${this.cond(e)} ? 1n : 0n)`;
        if (isU64(e, this.env)) return u64Binary(e.op, this.expr(e.left), this.expr(e.right));
        return binaryInt(e.op, this.expr(e.left), this.expr(e.right));
      case "ternary":
        return `(${this.cond(e.cond)} ? ${this.expr(e.then)} : ${this.expr(e.else)})`;
      case "cast":
        if (!e.pointer && e.type === "uint64") return `BigInt.asUintN(64, ${this.expr(e.operand)})`;
        if (!e.pointer && e.type === "int64") return `N(64, ${this.expr(e.operand)})`;
        return castInt(e.pointer ? "uint64" : e.type, this.expr(e.operand));
      case "deref": {
        const p = e.operand as CastExpr; // type-check allows only a pointer cast here
        const bytes = INT_BYTES[p.type];
        const read = `R.rd(ctx, ${bytes}, ${this.expr(p.operand)}, ${this.site(e)})`;
        return castInt(p.type, read);
      }
      case "param": {
        const v = paramValue(this.checked.flags.params, e.index);
        return typeof v === "bigint" ? (v < 0n ? `(${v}n)` : `${v}n`) : JSON.stringify(v);
      }
      case "field":
        if (e.tuple !== undefined) return `(${this.expr(e.base)}[${e.tuple.index}] ?? ${e.tuple.elem === "string" ? '""' : e.tuple.elem === "int" ? "0n" : "[]"})`;
        return isProbeArgs(e) ? probeArgCode(e, this.pc.args) : placeValueCode(e, this.structGen);
      case "tuple":
        return `Object.freeze([${e.elems.map((x) => this.expr(x)).join(", ")}])`;
      case "subscript":
        return placeValueCode(e, this.structGen);
      case "sizeof":
        if (e.structSize !== undefined) return `${e.structSize}n`;
        if (e.type !== undefined) return `${INT_BYTES[e.type]}n`;
        if (e.operand !== undefined && placeSize(e.operand) !== undefined) return `${placeSize(e.operand)}n`;
        return e.operand !== undefined && e.operand.kind === "string" ? `${e.operand.value.length + 1}n` : "8n";
    }
    throw new Error("internal: unknown expression");
  }

  private selfRead(ref: VarRef): string {
    const zero = this.v(ref.name).kind === "string" ? '""' : "0n";
    return `(S[${this.id(ref.name)}].get(ctx.tid) ?? ${zero})`;
  }

  private varRead(e: VarRef): string {
    if (e.scope === "scratch") return scratchName(e.name);
    if (e.scope === "self") return this.selfRead(e);
    if (e.scope === "global" && !this.checked.vars.has(e.name)) return this.builtin(e.name, e);
    const v = this.v(e.name);
    const id = this.id(e.name);
    if (v.kind === "avg") return `R.avgOf(G[${id}])`;
    return `(G[${id}] ?? ${v.kind === "string" ? '""' : "0n"})`;
  }

  private builtin(name: string, at: Span): string {
    // bpftrace types arg0..5, sargN and retval as uint64 (unsigned.ts);
    // a usdt probe's arguments come from its note (an unreadable one is 0, as bpf_probe_read_user leaves it)
    if (/^arg[0-5]$/.test(name) && this.pc.usdtArgs !== undefined) return `BigInt.asUintN(64, ${this.konst(this.pc.usdtArgs[Number(name[3])])}.read(ctx) ?? 0n)`;
    if (/^arg[0-5]$/.test(name)) return `BigInt.asUintN(64, ctx.gpr(${ARG_REGS[Number(name[3])]}))`;
    // stack arguments past the return address, as bpftrace's sargN: 8-byte slots, or a 32-bit task's 4-byte cdecl ones
    if (/^sarg[0-5]$/.test(name)) {
      const n = Number(name[4]) + 1;
      return `(ctx.wordSize === 4 ? R.rd(ctx, 4, N(64, ctx.gpr(4) + ${4 * n}n), ${this.site(at)}) : BigInt.asUintN(64, R.rd(ctx, 8, N(64, ctx.gpr(4) + ${8 * n}n), ${this.site(at)})))`;
    }
    switch (name) {
      case "retval":
        return "BigInt.asUintN(64, ctx.gpr(0))";
      case "nsecs":
        return "N(64, ctx.nsecs())";
      case "elapsed":
        return "R.elapsed(ctx)";
      case "tid":
        return "BigInt(ctx.tid)";
      case "pid":
        return "BigInt(ctx.pid)";
      case "cpu":
        return "BigInt(ctx.cpu ?? 0)";
      case "cpid":
        return `BigInt(ctx.cpid ?? ${CHILD_PID})`;
      case "comm":
        return "ctx.comm";
      case "ip":
        return "N(64, ctx.ip())";
      case "sp":
        return "N(64, ctx.gpr(4))";
      case "func":
        return JSON.stringify(this.pc.func);
      case "probe":
        return JSON.stringify(this.pc.probe);
      case "hits":
        return "N(64, ctx.hits())";
      case "traps":
        return "N(64, ctx.traps())";
      case "ustack":
        return `R.ustack(ctx, ${USTACK_DEFAULT_LIMIT}, "bpftrace", ${this.pc.entryProbe})`;
    }
    throw new Error(`internal: unknown builtin ${name}`);
  }

  private callValue(c: CallExpr): string {
    const a = c.args;
    switch (c.name) {
      case "reg": {
        const r = REGISTERS[(a[0] as { value: string }).value]!;
        return r < 0 ? "N(64, ctx.ip())" : `N(64, ctx.gpr(${r}))`;
      }
      case "u8":
        return `R.rd(ctx, 1, ${this.expr(a[0]!)}, ${this.site(c)})`;
      case "u16":
        return `R.rd(ctx, 2, ${this.expr(a[0]!)}, ${this.site(c)})`;
      case "u32":
        return `R.rd(ctx, 4, ${this.expr(a[0]!)}, ${this.site(c)})`;
      case "u64":
        return `R.rd(ctx, 8, ${this.expr(a[0]!)}, ${this.site(c)})`;
      case "str":
        if (a[0]!.kind === "param" && typeof paramValue(this.checked.flags.params, a[0]!.index) === "string") return this.expr(a[0]!);
        return `R.rdStr(ctx, ${this.expr(a[0]!)}, ${a[1] !== undefined ? this.expr(a[1]) : "63n"}, ${this.site(c)})`;
      case "usym":
        return `R.usym(${this.expr(a[0]!)})`;
      case "ustack": {
        const words = a.filter((x): x is VarRef => x.kind === "var" && constInt(x) === undefined).map((x) => x.name);
        const mode = words.find((w) => !UNWINDERS.includes(w)) ?? "bpftrace";
        const unwinder = words.find((w) => UNWINDERS.includes(w)) ?? "fp";
        const lim = a.map(constInt).find((x) => x !== undefined);
        return `R.ustack(ctx, ${lim ?? USTACK_DEFAULT_LIMIT}, ${JSON.stringify(mode)}, ${this.pc.entryProbe}, ${JSON.stringify(unwinder)})`;
      }
      case "uaddr": {
        const sym = this.checked.target.lookupSymbol((a[0] as { value: string }).value)!;
        return `${sym.addr}n`;
      }
      case "buf":
        return `R.rdBuf(ctx, ${this.expr(a[0]!)}, ${a[1] !== undefined ? this.expr(a[1]) : "64n"}, ${this.site(c)})`;
      case "strftime":
        return `R.strftime(${JSON.stringify((a[0] as { value: string }).value)}, ${this.expr(a[1]!)})`;
      case "strncmp": {
        const n = Number(constInt(a[2]!) ?? 0n);
        return `((${this.expr(a[0]!)}).slice(0, ${n}) === (${this.expr(a[1]!)}).slice(0, ${n}) ? 0n : 1n)`;
      }
    }
    throw new Error(`internal: unknown function ${c.name}`);
  }
}

/** Iterations a while loop may run per hit before it is cut off (the BPF verifier's bound, modelled). */
const LOOP_LIMIT = 1_000_000;

const INT_BYTES: Readonly<Record<IntTypeName, number>> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8 };

/** A value converted to a C integer type (values are held as int64: uint64 keeps its bits). */
function castInt(type: IntTypeName, v: string): string {
  const bits = INT_BYTES[type] * 8;
  if (bits === 64) return v;
  return type.startsWith("u") ? `BigInt.asUintN(${bits}, ${v})` : `N(${bits}, ${v})`;
}

/** Integer binary operator on two JS bigint expressions, with int64 wrap. */
function binaryInt(op: string, a: string, b: string): string {
  switch (op) {
    case "+":
    case "-":
    case "*":
      return `N(64, ${a} ${op} ${b})`;
    case "/":
      return `R.div(${a}, ${b})`;
    case "%":
      return `R.mod(${a}, ${b})`;
    case "&":
    case "|":
    case "^":
      return `(${a} ${op} ${b})`;
    case "<<":
      return `N(64, ${a} << (${b} & 63n))`;
    case ">>":
      return `(${a} >> (${b} & 63n))`;
  }
  throw new Error(`internal: unknown operator ${op}`);
}

function scratchName(name: string): string {
  return "s_" + name.slice(1);
}

