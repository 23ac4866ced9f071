// The CFI unwinder: the user stack at a probe hit, walked through .eh_frame
// as gdb, libgcc and perf's --call-graph=dwarf do (and as no BPF helper can:
// bpf_get_stack follows frame pointers only, bpftrace #1006). From the
// registers at the hit: find the FDE of pc, run its instructions to pc
// (cfa-rules.ts), compute the CFA, recover the caller's registers by their
// rules, and repeat from the return address.
//
// The caller's pc is a return address, the instruction after the call, so its
// row is looked up at pc-1 (the call may be a function's last instruction);
// not so for the frame interrupted by a signal ('S' in the trampoline's CIE),
// nor for the first frame. The walk stops, keeping what it has, at: no
// mapping or no FDE for pc, a return address with the undefined rule (glibc's
// _start marks the outermost frame so), a CFA that does not grow (a loop), an
// unreadable word, a 0 return address, or the depth limit.

import type { AddressSpace } from "../mm/address-space.js";
import type { MappedFile } from "../mm/mapped-file.js";
import { vmaFileOffset } from "../mm/vma.js";
import { parseElf, type ElfImage } from "../os/elf.js";
import { rowAt, type CfiRow, type RegRule } from "./cfa-rules.js";
import { CfiError } from "./dwarf-read.js";
import { evalExpr, type ExprEnv } from "./dwarf-expr.js";
import { ehFrameOf, linkAddressOf } from "./elf-cfi.js";
import type { EhFrame, Fde } from "./eh-frame.js";

/** perf's and bpftrace's default depth (sysctl kernel.perf_event_max_stack). */
export const CFI_MAX_DEPTH = 127;

/** The code at a run-time pc: its file's CFI and the pc's link-time address there. */
export interface CodeAt {
  eh: EhFrame;
  link: number;
}

export interface UnwindInput {
  /** Registers at the hit by x86 number (0 rax, 1 rcx, 2 rdx, 3 rbx, 4 rsp, 5 rbp, ..., 15 r15), and rip. */
  gpr(index: number): bigint;
  rip: bigint;
  /** 64 for x86-64, 32 for an i386 task. */
  bits: 64 | 32;
  /** A word of guest memory through the safe read path; undefined when unreadable. */
  readWord(addr: bigint, size: 4 | 8): bigint | undefined;
  /** The CFI of the code at a pc. */
  codeAt(pc: bigint): CodeAt | undefined;
  /** A return address as the caller really has it: a uretprobe's trampoline address put back to the original (optional). */
  fixReturn?(ra: bigint): bigint;
}

/** DWARF register numbers to x86 register numbers (the SysV psABIs' tables); the return-address column is rip. */
const X86_64_DWARF = [0, 2, 1, 3, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15];
const I386_DWARF = [0, 1, 2, 3, 4, 5, 6, 7];
const RIP = -1;

/** The return addresses of the stack at a hit, pc first (at most `limit`). */
export function unwindCfi(u: UnwindInput, limit = CFI_MAX_DEPTH): bigint[] {
  const is64 = u.bits === 64;
  const dwarf = is64 ? X86_64_DWARF : I386_DWARF;
  const spIdx = 4;
  const word = is64 ? 8 : 4;
  const mask = (v: bigint): bigint => BigInt.asUintN(u.bits, v);
  // the register file of the frame being unwound: x86 numbers, undefined when not recoverable
  let regs: (bigint | undefined)[] = Array.from({ length: is64 ? 16 : 8 }, (_, i) => mask(u.gpr(i)));
  let pc = mask(u.rip);
  const frames: bigint[] = [pc];
  let exact = true; // the first frame's pc is not a return address
  let prevCfa: bigint | undefined;
  while (frames.length < limit) {
    const lookup = exact ? pc : pc - 1n;
    const code = u.codeAt(lookup);
    if (!code) break;
    let next: { regs: (bigint | undefined)[]; ra: bigint | undefined; cfa: bigint; signal: boolean } | undefined;
    try {
      next = step(code, regs);
    } catch (e) {
      if (e instanceof CfiError) break; // malformed CFI for this pc: stop cleanly, keeping the frames so far
      throw e;
    }
    if (!next || next.ra === undefined || next.ra === 0n) break;
    const sp = regs[spIdx];
    if ((prevCfa !== undefined && next.cfa <= prevCfa) || (sp !== undefined && next.cfa <= sp && !next.signal)) break;
    prevCfa = next.cfa;
    regs = next.regs;
    pc = u.fixReturn ? u.fixReturn(next.ra) : next.ra;
    exact = next.signal;
    frames.push(pc);
  }
  return frames;

  /** One frame: the caller's registers and return address, or undefined when the row cannot be applied. */
  function step(code: CodeAt, cur: (bigint | undefined)[]): { regs: (bigint | undefined)[]; ra: bigint | undefined; cfa: bigint; signal: boolean } | undefined {
    const hit = rowFor(code);
    if (!hit) return undefined;
    const { fde, row } = hit;
    const regOf = (d: number): bigint | undefined => (d === fde.cie.raColumn ? pc : d < dwarf.length ? cur[dwarf[d]!] : undefined);
    const env: ExprEnv = {
      reg: regOf,
      readU64: (a) => u.readWord(mask(a), word as 4 | 8),
      readN: (a, n) => (n === 4 || n === 8 ? u.readWord(mask(a), n) : undefined),
    };
    let cfa: bigint | undefined;
    if (row.cfa.kind === "register") {
      const base = regOf(row.cfa.reg);
      cfa = base === undefined ? undefined : mask(base + BigInt(row.cfa.offset));
    } else cfa = evalExpr(row.cfa.expr, env);
    if (cfa === undefined) return undefined;
    const out = cur.slice();
    // the CFA is the caller's stack pointer, unless a rule says otherwise
    out[spIdx] = cfa;
    let ra: bigint | undefined;
    const apply = (rule: RegRule): bigint | undefined => {
      switch (rule.kind) {
        case "undefined": return undefined;
        case "same": return undefined; // handled by the caller: keep the value
        case "offset": return u.readWord(mask(cfa! + BigInt(rule.n)), word as 4 | 8);
        case "valOffset": return mask(cfa! + BigInt(rule.n));
        case "register": return regOf(rule.reg);
        case "expression": { const a = evalExpr(rule.expr, env, cfa); return a === undefined ? undefined : u.readWord(mask(a), word as 4 | 8); }
        case "valExpression": { const v = evalExpr(rule.expr, env, cfa); return v === undefined ? undefined : mask(v); }
      }
    };
    for (const [d, rule] of row.regs) {
      const v = rule.kind === "same" ? regOf(d) : apply(rule);
      if (d === fde.cie.raColumn) ra = v;
      else if (d < dwarf.length) out[dwarf[d]!] = v;
    }
    // no rule for the return address column: the unwinder cannot go on (gcc always gives one)
    if (!row.regs.has(fde.cie.raColumn)) ra = undefined;
    return { regs: out, ra, cfa, signal: fde.cie.signalFrame };
  }
}

/**
 * The FDE and row at a pc, cached per file: a program's stacks repeat the
 * same few return addresses, and running the CFA instructions again for
 * each hit would be most of ustack(cfi)'s cost. Bounded: cleared when full.
 */
const ROW_CACHE_MAX = 8192;
const rowCache = new WeakMap<EhFrame, Map<number, { fde: Fde; row: CfiRow } | null>>();

function rowFor(code: CodeAt): { fde: Fde; row: CfiRow } | undefined {
  let m = rowCache.get(code.eh);
  if (!m) rowCache.set(code.eh, (m = new Map()));
  let r = m.get(code.link);
  if (r === undefined) {
    const fde = code.eh.find(code.link);
    r = fde ? { fde, row: rowAt(fde, code.link) } : null;
    if (m.size >= ROW_CACHE_MAX) m.clear();
    m.set(code.link, r);
  }
  return r ?? undefined;
}

// ---- the process's code: mappings to files to CFI ---------------------------

interface FileCfi {
  elf: ElfImage;
  eh: EhFrame | undefined;
}

/** Parsed once per mapped file (the page cache's file, shared by every process mapping it). */
const cfiCache = new WeakMap<MappedFile, FileCfi | null>();

function fileCfi(f: MappedFile): FileCfi | undefined {
  let c = cfiCache.get(f);
  if (c === undefined) {
    try {
      const elf = parseElf(f.path, f.bytes);
      c = { elf, eh: ehFrameOf(elf) };
    } catch {
      c = null; // not an ELF we read (a data file mapped executable): no CFI
    }
    cfiCache.set(f, c);
  }
  return c ?? undefined;
}

/** codeAt over a process's mappings: the file mapped at pc, and pc's link-time address in it. */
export function codeAtIn(mm: AddressSpace): (pc: bigint) => CodeAt | undefined {
  return (pc) => {
    if (pc < 0n || pc >= 0x800000000000n) return undefined;
    const a = Number(pc);
    const v = mm.findVma(a);
    if (!v?.file) return undefined;
    const c = fileCfi(v.file);
    if (!c?.eh) return undefined;
    const link = linkAddressOf(c.elf, vmaFileOffset(v, a));
    return link === undefined ? undefined : { eh: c.eh, link };
  };
}
