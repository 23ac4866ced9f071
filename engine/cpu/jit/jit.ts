// The jit tier's controller: which blocks get compiled, the compiled code's
// link to the machine state, and the bound on the code cache.
//
// A block is compiled after `hot` executions (Cpu.run counts them); its
// function hangs on the Block (`jit`), so everything that drops a block (the
// code write watch of AddressSpace through Cpu.invalidatePage, uprobe
// install/remove, mprotect/munmap/mmap over code, attach) drops its compiled
// code with it. A compiled function captures the register arrays, the flags
// and the address space's TLB arrays of the moment; Cpu.attach clears every
// block, so a new address space never sees old functions.

import type { AddressSpace } from "../../mm/address-space.js";
import type { Block, Cpu } from "../cpu.js";
import { FlowControl, Mnemonic } from "../iced.js";
import { OpK } from "../insn.js";
import { mulS64, mulU64, productWords } from "../ops/muldiv.js";
import { countSupported, generate, generateRegion, type BlockSource } from "./codegen.js";
import { CodeMemo, codeKey } from "./memo.js";
import { hotThreshold } from "./tier.js";

/** The machine state a compiled function works on (one per compiled block or region; shared by its members). */
export interface JitState {
  cpu: Cpu;
  L: Int32Array;
  H: Int32Array;
  fl: Cpu["fl"];
  rT: Float64Array;
  rD: DataView[];
  wT: Float64Array;
  wD: DataView[];
  /** The region's member blocks (empty for a single block). */
  B: Block[];
}

/** A compiled block: runs its first instructions, returns how many of them completed (see codegen.ts); a region starts at member pc. */
export type JitFn = (room: number, pc: number, S: JitState) => number;

/** Entries kept at most by each memo below (then it starts over). */
const MAX_MEMO = 4096;
/**
 * Compiled functions by the code they were compiled from (memo.ts), for every Machine of the process: the state
 * comes in as S, so a second run of the same program (a bench's later rounds, a notebook's next cell) reuses the
 * functions V8 has already optimized instead of warming up and optimizing new copies (strings: 45-47 TurboFan
 * compiles per run, every run).
 */
const FNS = new CodeMemo<JitFn>(MAX_MEMO);
/** generate(b) by b's code. */
const SOURCES = new CodeMemo<BlockSource | undefined>(MAX_MEMO);
/** countSupported(b, true) by b's code (the region builder asks it of every candidate). */
const SUPPORTED = new CodeMemo<number>(MAX_MEMO);

/** Compiled blocks kept at most; past it every compiled function is dropped (a full flush, as QEMU's TB cache does) and blocks tier up again. */
const MAX_COMPILED = 4096;
/** Blocks in a region at most. */
const MAX_REGION = 16;
/** A block is compiled only if at least this many of its first instructions are supported (else a call that bails at once costs more than it saves). */
const MIN_INSNS = 2;

/** The TLB arrays of AddressSpace (private there; the generated fast path reads them directly, as AddressSpace.readN does). */
interface Tlb {
  rTag: Float64Array;
  rDv: DataView[];
  wTag: Float64Array;
  wDv: DataView[];
}

function tlbOf(m: AddressSpace): Tlb {
  const t = m as unknown as Partial<Tlb>;
  if (!(t.rTag instanceof Float64Array && Array.isArray(t.rDv) && t.wTag instanceof Float64Array && Array.isArray(t.wDv))) {
    throw new Error("jit: AddressSpace has no TLB arrays (rTag/rDv/wTag/wDv)");
  }
  return t as Tlb;
}

export class Jit {
  readonly hot = hotThreshold();
  private compiled: Block[] = [];
  /** Counters (--stats, bench): blocks compiled, instructions compiled, blocks refused, cache flushes. */
  blocks = 0;
  insns = 0;
  refused = 0;
  flushes = 0;
  /** Of the blocks compiled, those compiled as regions of several blocks. */
  regions = 0;
  /** Compiled blocks dropped because their code changed (the write watch, mprotect/munmap, uprobe install/remove). */
  dropped = 0;
  /** Blocks that run a region compiled for another block, entered at their own member (no function of their own). */
  shared = 0;
  /** Of the blocks compiled, those whose function an earlier compile of the same code made (FNS: another Machine, a flush). */
  reused = 0;
  /** For each member of a compiled region (other than its head): the head and the member's index (tierUp shares). */
  private members = new Map<Block, { head: Block; j: number }>();

  constructor(private readonly cpu: Cpu) {}

  /** For --stats: blocks and instructions compiled, blocks left to the interpreter, cache flushes. */
  stats(): { blocks: number; regions: number; shared: number; reused: number; insns: number; refused: number; dropped: number; flushes: number } {
    return { blocks: this.blocks, regions: this.regions, shared: this.shared, reused: this.reused, insns: this.insns, refused: this.refused, dropped: this.dropped, flushes: this.flushes };
  }

  /** A compiled block's code changed (Cpu.invalidatePage): it is never run again. */
  invalidated(b: Block): void {
    b.jit = undefined;
    this.dropped++;
  }

  /** Compile a block that just became hot (or mark it as not compilable). */
  tierUp(b: Block): void {
    const src = SOURCES.get(codeKey(b), () => generate(b, MIN_INSNS));
    // a block that loops on itself runs its passes in one JS loop (codegen.ts)
    if (src === undefined || !src.loop) {
      // a member of a region compiled for another block enters that function at its member: half of strings'
      // regions were copies of others' members (941 -> 472 KB of source), each warmed up and optimized by V8 apart
      const home = this.members.get(b);
      if (this.compiled.length < MAX_COMPILED && home !== undefined && this.shareable(b, home.head)) {
        b.jit = home.head.jit;
        b.jitPc = home.j;
        b.jitS = home.head.jitS;
        this.compiled.push(b);
        this.shared++;
        return;
      }
    }
    // else its own region, if it has one
    const region = src === undefined || src.loop ? [b] : this.region(b);
    if (region.length > 1) {
      if (this.compiled.length >= MAX_COMPILED) this.flush();
      b.jit = this.instantiate(b, "R" + region.map(codeKey).join(""), () => generateRegion(region), region);
      for (let j = 1; j < region.length; j++) if (!this.members.has(region[j]!)) this.members.set(region[j]!, { head: b, j });
      this.compiled.push(b);
      this.blocks++;
      this.regions++;
      for (const m of region) this.insns += m.n;
      return;
    }
    if (src === undefined) {
      b.heat = -(1 << 30); // retried only after 2^30 more executions (the count stays a small integer)
      this.refused++;
      return;
    }
    if (this.compiled.length >= MAX_COMPILED) this.flush();
    b.jit = this.instantiate(b, "B" + codeKey(b), () => src.body);
    this.compiled.push(b);
    this.blocks++;
    this.insns += src.compiled;
  }

  /** Drop every compiled function (the cache bound); the blocks stay translated and count their executions again. */
  flush(): void {
    for (const b of this.compiled) {
      b.jit = undefined;
      b.heat = 0;
    }
    this.compiled = [];
    this.members.clear();
    this.flushes++;
  }

  /**
   * b may run head's region function: the head still has it, and b lies on exactly the head's pages, so whatever
   * drops the region's code (a write to any of its pages: every member is on them) drops b too.
   */
  private shareable(b: Block, head: Block): boolean {
    return head.valid && head.jit !== undefined && head.jitPc === 0 && b.firstPage === head.firstPage && b.lastPage === head.lastPage;
  }

  /**
   * The blocks compiled with b: b, then the translated blocks its direct branches and fall-throughs reach (a
   * call's target too), breadth first, each fully supported and on b's pages only (a write to any of them then
   * drops b as well: invalidation stays per page).
   */
  private region(b: Block): Block[] {
    const out = [b];
    if (supported(b) !== b.n) return out;
    for (let q = 0; q < out.length && out.length < MAX_REGION; q++) {
      for (const t of successors(out[q]!)) {
        if (out.length >= MAX_REGION || out.some((x) => x.addr === t)) continue;
        const s = this.cpu.translated(t);
        if (s === undefined || !s.valid || s.firstPage < b.firstPage || s.lastPage > b.lastPage || supported(s) !== s.n) continue;
        out.push(s);
      }
    }
    return out;
  }

  /** b's function (from FNS when this code was compiled before in the process, else from body()), with b's state. */
  private instantiate(b: Block, key: string, body: () => string, region: Block[] = []): JitFn {
    const cpu = this.cpu;
    const tlb = tlbOf(cpu.mem);
    let made = false;
    const fn = FNS.get(key, () => {
      made = true;
      const text = body();
      const src = `return function jit_${b.addr.toString(16)}(room,pc,S){const cpu=S.cpu,L=S.L,H=S.H,fl=S.fl,rT=S.rT,rD=S.rD,wT=S.wT,wD=S.wD,B=S.B;\n${text}\n};`;
      try {
        return (new Function("mulS64", "mulU64", "PW", src) as (...args: unknown[]) => JitFn)(mulS64, mulU64, productWords);
      } catch (e) {
        throw new Error(`jit: generated code for the block at 0x${b.addr.toString(16)} does not compile (${String(e)}):\n${text}`);
      }
    });
    if (!made) this.reused++;
    b.jitPc = 0;
    b.jitS = { cpu, L: cpu.lo, H: cpu.hi, fl: cpu.fl, rT: tlb.rTag, rD: tlb.rDv, wT: tlb.wTag, wD: tlb.wDv, B: region };
    return fn;
  }
}

/** countSupported(b, true), kept by b's code. */
function supported(b: Block): number {
  return SUPPORTED.get(codeKey(b), () => countSupported(b, true));
}

/** Addresses a block may go on at without a computed target: a direct branch's (or call's) target, and its end when it may fall through. */
function successors(b: Block): number[] {
  const last = b.insns[b.n - 1]!;
  const t = last.ops[0];
  const direct = t !== undefined && t.kind === OpK.Rel ? t.immHi * 4294967296 + (t.immLo >>> 0) : undefined;
  switch (last.flow) {
    case FlowControl.UnconditionalBranch:
      return direct === undefined ? [] : [direct];
    case FlowControl.ConditionalBranch:
      return direct === undefined ? [b.end] : [direct, b.end];
    case FlowControl.Next:
      return [b.end];
    case FlowControl.Interrupt:
    case FlowControl.Call:
      if (last.mnemonic === Mnemonic.Int3 || last.mnemonic === Mnemonic.Syscall) return [b.end]; // an emulated push (a uprobe on push %rbp), a system call: they go on after it
      return direct === undefined ? [] : [direct];

    default:
      return [];
  }
}
