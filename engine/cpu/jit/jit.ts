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
import { mulS64, productWords } from "../ops/muldiv.js";
import { generate } from "./codegen.js";
import { hotThreshold } from "./tier.js";

/** A compiled block: runs its first instructions, returns how many of them completed (see codegen.ts). */
export type JitFn = (room: number) => number;

/** Compiled blocks kept at most; past it every compiled function is dropped (a full flush, as QEMU's TB cache does) and blocks tier up again. */
const MAX_COMPILED = 4096;
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
  /** Compiled blocks dropped because their code changed (the write watch, mprotect/munmap, uprobe install/remove). */
  dropped = 0;

  constructor(private readonly cpu: Cpu) {}

  /** For --stats: blocks and instructions compiled, blocks left to the interpreter, cache flushes. */
  stats(): { blocks: number; insns: number; refused: number; dropped: number; flushes: number } {
    return { blocks: this.blocks, insns: this.insns, refused: this.refused, dropped: this.dropped, flushes: this.flushes };
  }

  /** A compiled block's code changed (Cpu.invalidatePage): it is never run again. */
  invalidated(b: Block): void {
    b.jit = undefined;
    this.dropped++;
  }

  /** Compile a block that just became hot (or mark it as not compilable). */
  tierUp(b: Block): void {
    const src = generate(b, MIN_INSNS);
    if (src === undefined) {
      b.heat = this.hot + 1; // never equal to hot again: not retried
      this.refused++;
      return;
    }
    if (this.compiled.length >= MAX_COMPILED) this.flush();
    b.jit = this.instantiate(b, src.body);
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
    this.flushes++;
  }

  private instantiate(b: Block, body: string): JitFn {
    const cpu = this.cpu;
    const tlb = tlbOf(cpu.mem);
    const name = `jit_${b.addr.toString(16)}`;
    // one factory per block: the function closes over the state arrays as constants
    let factory: (...args: unknown[]) => JitFn;
    try {
      factory = new Function("cpu", "L", "H", "fl", "rT", "rD", "wT", "wD", "mulS64", "PW", `return function ${name}(room){\n${body}\n};`) as (...args: unknown[]) => JitFn;
    } catch (e) {
      throw new Error(`jit: generated code for the block at 0x${b.addr.toString(16)} does not compile (${String(e)}):\n${body}`);
    }
    return factory(cpu, cpu.lo, cpu.hi, cpu.fl, tlb.rTag, tlb.rDv, tlb.wTag, tlb.wDv, mulS64, productWords);
  }
}
