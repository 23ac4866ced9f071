// The CPU: architectural state and the block executor.
//
// Execution is closure-threaded: each guest basic block is decoded once and
// translated into an array of closures (one per instruction) that capture the
// register arrays directly. A block's closures run back to back; `rip` is only
// materialized at block boundaries (before running a block it is set to the
// fall-through address, and branches overwrite it), so straight-line code
// never touches it. Faults are thrown and caught here, where the faulting
// instruction is known from the loop index (v86 keeps try/catch out of the
// per-instruction path the same way).
//
// Traps that complete an instruction (syscall, int3) end their block and set
// `event`; the caller (the OS layer) handles them and calls run() again, or,
// when it installed `trapHandler`, handles them inside run() (no exit and
// re-entry per trap: a probe hit is one such trap).

import type { AddressSpace } from "../mm/address-space.js";
import { isCanonical, MemFault } from "../mm/fault.js";
import { MAX_INSN_LEN, X86Decoder } from "./decoder.js";
import { StepMemo } from "./step-memo.js";
import { CpuException, X86_TRAP_GP, X86_TRAP_PF, X86_TRAP_UD } from "./exceptions.js";
import { Flags, Fl } from "./flags.js";
import type { Insn } from "./insn.js";
import { Jit, type JitFn, type JitState } from "./jit/jit.js";
import { defaultTier, type Tier } from "./jit/tier.js";
import { translate } from "./translate.js";
import { XmmFile } from "./xmm.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const TF = Fl.TF;

export type Exec = () => void;

import { Event, Exit, Int3 } from "./exit.js";


/**
 * Handles an Exit.Event or Exit.SingleStep inside run(). Returns true if the
 * caller would only have called run() again (run() goes on), false to make
 * run() return Exit.Handled.
 */
export type TrapHandler = (exit: Exit.Event | Exit.SingleStep) => boolean;

/**
 * An int3 handled in place, before the trap entry (the OS layer's fast path for a uprobe site with a hit plan):
 * Int3.Trap when it was not handled (the trap path follows), Int3.GoOn when run() goes on, Int3.Return when run()
 * must return Exit.Handled (as TrapHandler's false).
 */
export type Int3Direct = () => Int3;

export interface Block {
  addr: number;
  /** Address after the last instruction (the fall-through rip). */
  end: number;
  fns: Exec[];
  insns: Insn[];
  n: number;
  valid: boolean;
  firstPage: number;
  lastPage: number;
  /** Successor cache (last two distinct successors). */
  s1: Block | undefined;
  s2: Block | undefined;
  /** The last single-instruction successor (an XOL step, a traced or counted step): saves the stepBlocks lookup. */
  st: Block | undefined;
  /** jit tier: the compiled code of this block (jit/codegen.ts), and its executions while not compiled. */
  jit: JitFn | undefined;
  /** jit tier: the member of jit's region this block is (0: the function was compiled for it; jit.ts tierUp), and the state jit works on. */
  jitPc: number;
  jitS: JitState | undefined;
  heat: number;
}

/** Instructions per block at most (bounds decode work and keeps limits precise enough). */
const MAX_BLOCK_INSNS = 64;
/** Bytes fetched per block translation. */
const FETCH_WINDOW = 256;

export class Cpu {
  /** Low and high 32-bit halves of the 16 general-purpose registers. */
  readonly lo = new Int32Array(16);
  readonly hi = new Int32Array(16);
  rip = 0;
  readonly fl = new Flags();
  readonly xmm = new XmmFile();
  mxcsr = 0x1f80;
  fsBase = 0;
  gsBase = 0;
  /** Segment selectors es cs ss ds fs gs (a 32-bit task reads and loads them; 64-bit code only uses the bases). */
  readonly selectors = new Uint16Array(6);
  /** TLS descriptors of the task by GDT entry number: their base (set_thread_area; ops/ia32.ts loads them). */
  readonly tls = new Map<number, number>();
  /** Instructions retired. */
  instret = 0;
  event: Event = Event.None;
  exception: CpuException | undefined;
  /** The instruction that raised `exception` (undefined when the fetch itself faulted). */
  faultInsn: Insn | undefined;
  /** Scratch: high half of a 64-bit operand read by an operand reader. */
  thi = 0;
  /** Virtual time source for rdtsc (cycles), given the instructions retired before the reading one. */
  readTsc: (instret: number) => number = (n) => n;
  readonly decoder: X86Decoder;
  private readonly blocks = new Map<number, Block>();
  private readonly stepBlocks = new Map<number, Block>();
  private readonly pageBlocks = new Map<number, Block[]>();
  /** Steps dropped by a code write, revived when their bytes come back (XOL slots rewritten in turn). */
  private readonly stepMemo = new StepMemo();
  /** Counters for --stats and the benchmarks. */
  blocksTranslated = 0;
  /**
   * When set, every instruction runs as its own block and its address is
   * counted here (tests compare probe hits with execution counts). Off the
   * fast path: checked once per block.
   */
  execCounts: Map<number, number> | undefined;
  /** Last block run (successor-cache anchor across run() calls); cleared when state is changed from outside. */
  private lastBlock: Block | undefined;
  /** Set by the OS layer: traps handled without leaving run() (see TrapHandler). */
  trapHandler: TrapHandler | undefined;
  /** Set by the OS layer with trapHandler (or left undefined): an int3 is offered to it first (see Int3Direct). */
  int3Direct: Int3Direct | undefined;
  /** The jit tier (64-bit code only), or undefined for the interpreter alone. */
  jit: Jit | undefined;
  /** Set by compiled region code that returns ~k: the block it ended in (see jit/codegen.ts generateRegion); undefined after a trap it handled (jitTrap). */
  jitBlock: Block | undefined;
  /** What run() returns after jitTrap refused to go on (Exit.Event or Exit.Handled), else 0. */
  private jitExit = 0;
  /** True while jitTrap runs the trap handler: what it throws is not a guest fault. */
  private jitTrapping = false;

  constructor(
    public mem: AddressSpace,
    readonly bitness: 64 | 32 = 64,
  ) {
    this.decoder = new X86Decoder(bitness);
    // the flat user segments: __USER_CS/__USER32_CS and __USER_DS (arch/x86/include/asm/segment.h, 64-bit kernel)
    this.selectors.set(bitness === 32 ? [0x2b, 0x23, 0x2b, 0x2b, 0, 0] : [0, 0x33, 0x2b, 0, 0, 0]);
    this.attach(mem);
    this.setTier(defaultTier());
  }

  /** Choose the execution tier; the jit compiles only 64-bit code for now. */
  setTier(tier: Tier): void {
    if (tier === "jit" && this.bitness === 64) this.jit ??= new Jit(this);
    else if (this.jit) {
      this.jit.flush();
      this.jit = undefined;
    }
  }

  get tier(): Tier {
    return this.jit ? "jit" : "interp";
  }

  /** Use a (new) address space, e.g. after fork or exec; drops all translations. */
  attach(mem: AddressSpace): void {
    this.mem = mem;
    this.lastBlock = undefined;
    mem.onCodeChange = (pn, at) => this.invalidatePage(pn, at);
    this.jit?.flush();
    // the old image's blocks are dead: a compiled region that trapped into this exec, or a successor cache, must not go on in them
    for (const list of this.pageBlocks.values()) for (const b of list) b.valid = false;
    this.blocks.clear();
    this.stepBlocks.clear();
    this.pageBlocks.clear();
    this.stepMemo.clear();
  }

  // ---- register helpers for the OS and the uprobe model (not the hot path) ----

  getReg(r: number): bigint {
    return (BigInt(this.hi[r]! >>> 0) << 32n) | BigInt(this.lo[r]! >>> 0);
  }

  setReg(r: number, v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.lo[r] = Number(u & 0xffffffffn) | 0;
    this.hi[r] = Number(u >> 32n) | 0;
  }

  /** Register value as a number (exact for addresses and small values; wraps to negative for the kernel half). */
  getRegNum(r: number): number {
    return this.hi[r]! * 4294967296 + (this.lo[r]! >>> 0);
  }

  setRegNum(r: number, v: number): void {
    this.lo[r] = v | 0; // ToInt32 takes v mod 2^32
    this.hi[r] = Math.floor(v / 4294967296) | 0;
  }

  get rflags(): number {
    return this.fl.get();
  }

  set rflags(v: number) {
    this.fl.put(v);
  }

  // ---- translation cache ----

  /**
   * A page holding translated code changed (the write watch in AddressSpace: a code page never
   * enters the write TLB, so only the first store after a translation gets here). Its blocks are
   * dropped; if a store (at >= 0) changed bytes of a block, each instruction that may end after
   * the store is replaced by a resteer stub: when the block running now is one of them, it stops
   * before its next modified instruction, which is decoded again (x86 sees its own stores to the
   * instruction stream, SDM vol. 3 11.6). A dropped block is never run again, so its closures
   * can be replaced in place (run() holds the array, not a copy). Costs nothing off that path.
   */
  private invalidatePage(pn: number, at: number): void {
    const list = this.pageBlocks.get(pn);
    if (!list) return;
    for (const b of list) {
      b.valid = false;
      if (b.jit !== undefined) this.jit?.invalidated(b);
      // 15: a store reports its first byte on the page; a multi-byte store may start up to 15 bytes earlier
      if (at >= 0 && at < b.end && at + 16 > b.addr) {
        for (let k = 0; k < b.n; k++) if (b.insns[k]!.next + 15 > at) b.fns[k] = resteer;
      }
      if (this.blocks.get(b.addr) === b) this.blocks.delete(b.addr);
      if (this.stepBlocks.get(b.addr) === b) this.stepBlocks.delete(b.addr);
    }
    this.pageBlocks.delete(pn);
  }

  /** Drop every translation (used when the uprobe model changes many sites at once). */
  flushTranslations(): void {
    this.jit?.flush();
    for (const list of this.pageBlocks.values()) for (const b of list) b.valid = false;
    this.blocks.clear();
    this.stepBlocks.clear();
    this.pageBlocks.clear();
    this.stepMemo.clear();
  }

  /** onWatch runs when a block starting at watchAddr is first translated (Machine's start-up-to-main figure). */
  watchAddr = -1;
  onWatch: (() => void) | undefined;

  private translateBlock(addr: number, single: boolean): Block {
    if (single) {
      const kept = this.stepMemo.revive(addr, this.mem);
      if (kept !== undefined) return this.register(kept, true);
    }
    const bytes = this.mem.fetch(addr, single ? MAX_INSN_LEN : FETCH_WINDOW);
    const { insns, invalidAt } = this.decoder.decodeRun(addr, bytes, single ? 1 : MAX_BLOCK_INSNS);
    const fns: Exec[] = insns.map((insn, k) => translate(this, insn, k));
    let end = insns.length ? insns[insns.length - 1]!.next : addr;
    if (invalidAt >= 0) {
      const at = invalidAt;
      const window = bytes.subarray(at - addr, at - addr + MAX_INSN_LEN);
      const hex = Array.from(window.subarray(0, Math.min(window.length, 8)), (b) => b.toString(16).padStart(2, "0")).join(" ");
      fns.push(() => {
        throw new CpuException(X86_TRAP_UD, 0, `(bad) [${hex}]`);
      });
      insns.push({ addr: at, len: 1, next: at + 1, code: 0, mnemonic: 0, ops: [], cc: -1, rep: false, repne: false, lock: false, flow: 0, opSize: 0, memSize: 0, bytes: window.slice(0, 1), spInc: 0 });
      end = at + 1;
    }
    const b: Block = {
      addr,
      end,
      fns,
      insns,
      n: fns.length,
      valid: true,
      firstPage: Math.floor(addr / 4096),
      lastPage: Math.floor((end - 1) / 4096),
      s1: undefined,
      s2: undefined,
      st: undefined,
      jit: undefined,
      jitPc: 0,
      jitS: undefined,
      heat: 0,
    };
    if (single && invalidAt < 0) this.stepMemo.keep(b);
    return this.register(b, single);
  }

  /** A block translated (or revived by the step memo): on its pages' watch lists and in its map, counted. */
  private register(b: Block, single: boolean): Block {
    for (let pn = b.firstPage; pn <= b.lastPage; pn++) {
      let list = this.pageBlocks.get(pn);
      if (!list) this.pageBlocks.set(pn, (list = []));
      list.push(b);
    }
    (single ? this.stepBlocks : this.blocks).set(b.addr, b);
    this.blocksTranslated++;
    // code runs the first time right after it is translated: a cheap "reached main" probe for --stats
    if (b.addr === this.watchAddr) this.onWatch?.();
    return b;
  }

  private lookup(addr: number, single: boolean): Block {
    const b = (single ? this.stepBlocks : this.blocks).get(addr);
    return b ?? this.translateBlock(addr, single);
  }

  /** The block translated at addr, if any (the jit's region builder: no translation). */
  translated(addr: number): Block | undefined {
    return this.blocks.get(addr);
  }

  /** The instructions of the block starting at addr (translating it if needed). */
  blockInsns(addr: number): Insn[] {
    return this.lookup(addr, false).insns;
  }

  // ---- execution ----

  /**
   * jit tier: compiled region code retired an int3 or a syscall (jit/codegen.ts trap), with the state stored back and rip
   * after it. Handled as run() handles an interpreted int3's event; true when run() would go on (the compiled
   * code may then continue at rip), false when run() must return (it returns jitExit).
   */
  jitTrap(b: Block, event: Event.Syscall | Event.Breakpoint): boolean {
    this.event = event;
    this.lastBlock = b.valid ? b : undefined;
    const h = this.trapHandler;
    if (h === undefined) {
      this.jitExit = Exit.Event;
      return false;
    }
    this.jitTrapping = true;
    // an int3 at a planned uprobe site: handled without the trap entry (Int3Direct)
    const d = event === Event.Breakpoint && this.int3Direct !== undefined ? this.int3Direct() : Int3.Trap;
    const goOn = d === Int3.Trap ? h(Exit.Event) : d === Int3.GoOn;
    this.jitTrapping = false;
    if (!goOn) {
      this.jitExit = Exit.Handled;
      return false;
    }
    this.event = Event.None;
    return true;
  }

  /**
   * Run until an event, an exception, a single-step trap, or `limit`
   * instructions retired in total (instret === limit).
   */
  run(limit: number): Exit {
    this.event = Event.None;
    // The block that ran last, kept across calls: after a trap the successor cache still applies.
    let prev: Block | undefined = this.lastBlock;
    for (;;) {
      const stepping = (this.fl.bits & TF) !== 0;
      const counting = this.execCounts !== undefined;
      let b: Block;
      const rip = this.rip;
      try {
        if (stepping || counting || this.instret + MAX_BLOCK_INSNS > limit) {
          if (this.instret >= limit) return Exit.Limit;
          if (prev !== undefined && prev.st !== undefined && prev.st.addr === rip && prev.st.valid) b = prev.st;
          else {
            b = this.lookup(rip, true);
            if (prev !== undefined) prev.st = b;
          }
          if (this.instret + b.n > limit) return Exit.Limit;
        } else if (prev !== undefined && prev.s1 !== undefined && prev.s1.addr === rip && prev.s1.valid) {
          b = prev.s1;
        } else if (prev !== undefined && prev.s2 !== undefined && prev.s2.addr === rip && prev.s2.valid) {
          b = prev.s2;
        } else {
          b = this.lookup(rip, false);
          if (prev !== undefined) {
            prev.s2 = prev.s1;
            prev.s1 = b;
          }
        }
      } catch (e) {
        // instruction fetch fault
        this.faultInsn = undefined;
        this.exception = toException(e);
        return Exit.Exception;
      }
      let fns = b.fns;
      let n = b.n;
      if (counting) this.execCounts!.set(rip, (this.execCounts!.get(rip) ?? 0) + 1);
      this.rip = b.end;
      let i = 0;
      try {
        // jit tier: compiled code runs the block's first i instructions (all, or up to one it leaves to the interpreter)
        if (b.jit !== undefined) {
          i = b.jit(limit - this.instret, b.jitPc, b.jitS!);
          if (i < 0) {
            if (this.jitBlock === undefined) {
              // the region handled an int3 (jitTrap) and left after it: as after an interpreted trap
              const x = this.jitExit;
              if (x !== 0) {
                this.jitExit = 0;
                return x;
              }
              prev = this.lastBlock;
              continue;
            }
            // a region ended in another of its blocks, with i = ~(its instructions retired)
            b = this.jitBlock;
            fns = b.fns;
            n = b.n;
            i = ~i;
          }
        } else if (this.jit !== undefined && !stepping && !counting && ++b.heat === this.jit.hot) this.jit.tierUp(b);
        for (; i < n; i++) fns[i]!();
      } catch (e) {
        if (this.jitTrapping) {
          // thrown by the trap handler called from compiled code: not the guest's fault (as if run() had called it)
          this.jitTrapping = false;
          throw e;
        }
        this.lastBlock = undefined;
        this.instret += i;
        const insn = b.insns[i]!;
        this.rip = insn.addr;
        if (e === RESTEER) {
          // the block's code was overwritten by one of its own stores: go on from the first changed instruction
          prev = undefined;
          continue;
        }
        this.faultInsn = insn;
        this.exception = toException(e);
        return Exit.Exception;
      }
      this.instret += n;
      // a stepped block anchors the successor cache too (after an XOL step, the probed function's next block)
      prev = b.valid ? b : undefined;
      if (this.event !== Event.None) {
        this.lastBlock = prev;
        const h = this.trapHandler;
        if (h === undefined) return Exit.Event;
        // an int3 at a planned uprobe site: handled without the trap entry (Int3Direct)
        const d = this.event === Event.Breakpoint && this.int3Direct !== undefined ? this.int3Direct() : Int3.Trap;
        if (d === Int3.Return || (d === Int3.Trap && !h(Exit.Event))) return Exit.Handled;
        // as if run() were called again: the handler may have changed rip, TF or the address space
        this.event = Event.None;
        prev = this.lastBlock;
        continue;
      }
      if (stepping) {
        this.lastBlock = prev;
        const h = this.trapHandler;
        if (h === undefined) return Exit.SingleStep;
        if (!h(Exit.SingleStep)) return Exit.Handled;
        prev = this.lastBlock;
      }
    }
  }
}

/** Thrown by a resteer stub (see invalidatePage): not an exception, the block stops there. */
const RESTEER = { resteer: true };
const resteer: Exec = () => {
  throw RESTEER;
};

function toException(e: unknown): CpuException {
  if (e instanceof CpuException) return e;
  if (e instanceof MemFault) {
    // A non-canonical address raises #GP, not #PF (the kernel reports SI_KERNEL with no address).
    if (!isCanonical(e.addr)) return new CpuException(X86_TRAP_GP, 0, "non-canonical address");
    return new CpuException(X86_TRAP_PF, e.addr, `${e.access}:${e.code}`, { kind: "page-fault", access: e.access, code: e.code, bus: e.bus });
  }
  throw e;
}
