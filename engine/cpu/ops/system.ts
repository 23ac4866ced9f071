// System and miscellaneous instructions: syscall int3 int cpuid xgetbv (#UD) rdtsc
// nops (rdssp included) fences flag instructions (clc stc cmc cld std lahf sahf) ud2,
// and the privileged ones (#GP): hlt cli sti in out ins outs.

import { Mnemonic } from "../iced.js";
import type { Cpu, Exec } from "../cpu.js";
import { Event } from "../exit.js";
import { CpuException, X86_TRAP_GP, X86_TRAP_UD } from "../exceptions.js";
import { Fl } from "../flags.js";
import { Gpr } from "../registers.js";
import type { Builder } from "../translate.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const AF = Fl.AF, CF = Fl.CF, DF = Fl.DF, PF = Fl.PF, SF = Fl.SF, ZF = Fl.ZF;
const RAX = Gpr.RAX, RBX = Gpr.RBX, RCX = Gpr.RCX, RDX = Gpr.RDX, R11 = Gpr.R11;

const nop: Builder = () => () => {};

const syscall: Builder = (cpu, insn) => {
  const L = cpu.lo, H = cpu.hi;
  const next = insn.next;
  const nextLo = next | 0, nextHi = Math.floor(next / 4294967296) | 0;
  return () => {
    // The CPU saves rip in rcx and rflags in r11 (RF cleared), then enters the kernel.
    L[RCX] = nextLo;
    H[RCX] = nextHi;
    L[R11] = cpu.fl.get() & ~0x10000;
    H[R11] = 0;
    cpu.event = Event.Syscall;
  };
};

const int3: Builder = (cpu) => () => void (cpu.event = Event.Breakpoint);

/**
 * `int $n` in user mode: vector 0x80 is the i386 system-call gate (DPL 3, entry_INT80_compat),
 * 3 is the breakpoint gate (as int3); every other gate has DPL 0, so the CPU raises #GP
 * (SIGSEGV, SI_KERNEL), as for `int $0x81` on Linux.
 */
const intN: Builder = (cpu, insn) => {
  const n = insn.ops[0]!.immLo & 0xff;
  if (n === 0x80) return () => void (cpu.event = Event.Int80);
  if (n === 3) return () => void (cpu.event = Event.Breakpoint);
  return () => {
    throw new CpuException(X86_TRAP_GP, 0, `int $0x${n.toString(16)} (a gate with DPL 0)`);
  };
};

const ud: Builder = (_cpu, insn) => {
  const what = Mnemonic[insn.mnemonic]?.toLowerCase() ?? "ud";
  return () => {
    throw new CpuException(X86_TRAP_UD, 0, what);
  };
};

const privileged: Builder = (_cpu, insn) => {
  const what = Mnemonic[insn.mnemonic]?.toLowerCase() ?? "";
  return () => {
    throw new CpuException(X86_TRAP_GP, 0, `privileged instruction ${what}`);
  };
};

/**
 * CPUID: a plain x86-64 baseline (the psABI's x86-64-v1: FPU CX8 CMOV MMX FXSR
 * SSE SSE2, LAHF/SAHF, SYSCALL, NX, LM), so that glibc's init_cpu_features
 * and every ifunc resolver pick the SSE2 routines (__memmove_sse2_unaligned,
 * __strlen_sse2, __sin_sse2 ...) and libgcc/libstdc++ their generic paths.
 *
 * Deliberately absent: SSE3 and later, AVX*, BMI*, ERMS/FSRM, RTM/HLE,
 * RDRAND/RDSEED, PKU, CET, and XSAVE/OSXSAVE. Without OSXSAVE, xgetbv is #UD
 * (as on hardware with CR4.OSXSAVE clear) and glibc never executes it: ld.so's
 * lazy-binding trampoline is then _dl_runtime_resolve_fxsave (fxsave/fxrstor,
 * implemented in sse.ts) rather than the xsave/xsavec ones, and leaf 0xd is
 * never read. HTT is clear and leaf 1 reports no logical-processor count, so
 * glibc's cache sizing takes the single-thread path.
 *
 * Cache geometry (Haswell-like, for the family/model/stepping reported:
 * 6/0x3c/3): leaf 2 holds only descriptor 0xff ("see leaf 4"), leaf 4 lists
 * L1d 32 KiB, L1i 32 KiB, L2 256 KiB (8-way) and an inclusive L3 of 8 MiB
 * (16-way), all with 64-byte lines; 0x80000006 repeats L2. glibc 2.36's
 * dl_init_cacheinfo then derives fixed, nonzero thresholds:
 * __x86_shared_cache_size 8 MiB, __x86_data_cache_size 32 KiB,
 * __x86_shared_non_temporal_threshold 6 MiB (3/4 of the L3), rep_movsb
 * 2048 (unused without ERMS).
 */
export function cpuidLeaf(leaf: number, sub: number): [number, number, number, number] {
  const str4 = (s: string, i: number): number =>
    (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
  const brand = "uprobe-lab virtual x86-64 CPU".padEnd(48, "\0");
  switch (leaf >>> 0) {
    case 0:
      // "GenuineIntel" in ebx, edx, ecx
      return [7, str4("Genu", 0), str4("ntel", 0), str4("ineI", 0)];
    case 1: {
      // FPU TSC CX8 CMOV CLFSH MMX FXSR SSE SSE2; ebx: CLFLUSH line 8 * 8 = 64 bytes, no logical-processor count
      const edx = (1 << 0) | (1 << 4) | (1 << 8) | (1 << 15) | (1 << 19) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26);
      return [0x000306c3, 0x00000800, 0, edx >>> 0];
    }
    case 2:
      // one round (al = 1); descriptor 0xff: the cache parameters are in leaf 4
      return [0x0000ff01, 0, 0, 0];
    case 4:
      // eax: type (1 data, 2 instruction, 3 unified) | level << 5 | self-initializing (bit 8);
      // ebx: (ways - 1) << 22 | (line size - 1); ecx: sets - 1; edx bit 1: inclusive
      switch (sub >>> 0) {
        case 0:
          return [0x121, (7 << 22) | 63, 63, 0];
        case 1:
          return [0x122, (7 << 22) | 63, 63, 0];
        case 2:
          return [0x143, (7 << 22) | 63, 511, 0];
        case 3:
          return [0x163, (15 << 22) | 63, 8191, 2];
        default:
          return [0, 0, 0, 0];
      }
    case 0x80000000:
      return [0x80000008, 0, 0, 0];
    case 0x80000001:
      return [0, 0, 1 /* LAHF in 64-bit mode */, ((1 << 11) | (1 << 20) | (1 << 29)) >>> 0];
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const o = (leaf - 0x80000002) * 16;
      return [str4(brand, o), str4(brand, o + 4), str4(brand, o + 8), str4(brand, o + 12)];
    }
    case 0x80000006:
      // L2: 256 KiB << 16 | associativity code 6 (8-way) << 12 | 64-byte lines
      return [0, 0, (256 << 16) | (6 << 12) | 64, 0];
    case 0x80000008:
      return [0x3030, 0, 0, 0];
    default:
      // leaf 7 (no extended features: no ERMS, BMI, AVX2, CET ...), 3, 5, 6 and anything unknown
      return [0, 0, 0, 0];
  }
}

/** xgetbv: #UD, as on hardware when CR4.OSXSAVE is clear (CPUID.1:ECX.OSXSAVE = 0 above). */
const xgetbv: Builder = () => () => {
  throw new CpuException(X86_TRAP_UD, 0, "xgetbv (CPUID.1:ECX.OSXSAVE is clear)");
};

const cpuid: Builder = (cpu) => {
  const L = cpu.lo, H = cpu.hi;
  return () => {
    const [a, b, c, d] = cpuidLeaf(L[RAX]!, L[RCX]!);
    L[RAX] = a; H[RAX] = 0;
    L[RBX] = b; H[RBX] = 0;
    L[RCX] = c; H[RCX] = 0;
    L[RDX] = d; H[RDX] = 0;
  };
};

const rdtsc: Builder = (cpu, _insn, k) => {
  const L = cpu.lo, H = cpu.hi;
  return () => {
    // k instructions of this block retired before this one
    const t = cpu.readTsc(cpu.instret + k);
    L[RAX] = t % 4294967296; H[RAX] = 0;
    L[RDX] = Math.floor(t / 4294967296); H[RDX] = 0;
  };
};

function flagOp(kind: "clc" | "stc" | "cmc" | "cld" | "std"): Builder {
  return (cpu): Exec => {
    const fl = cpu.fl;
    switch (kind) {
      case "clc":
        return () => fl.putCF(0);
      case "stc":
        return () => fl.putCF(1);
      case "cmc":
        return () => fl.putCF(fl.getCF() ^ 1);
      case "cld":
        return () => void (fl.bits &= ~DF);
      default:
        return () => void (fl.bits |= DF);
    }
  };
}

const lahf: Builder = (cpu) => {
  const L = cpu.lo;
  return () => {
    const f = cpu.fl.get() & (SF | ZF | AF | PF | CF);
    L[RAX] = (L[RAX]! & ~0xff00) | ((f | 2) << 8);
  };
};

const sahf: Builder = (cpu) => {
  const L = cpu.lo;
  return () => {
    const ah = (L[RAX]! >> 8) & 0xff;
    const keep = SF | ZF | AF | PF | CF;
    cpu.fl.put((cpu.fl.get() & ~keep) | (ah & keep));
  };
};

export const systemOps: [Mnemonic, Builder][] = [
  [Mnemonic.Nop, nop],
  [Mnemonic.Endbr64, nop],
  [Mnemonic.Endbr32, nop],
  [Mnemonic.Pause, nop],
  [Mnemonic.Lfence, nop],
  [Mnemonic.Mfence, nop],
  [Mnemonic.Sfence, nop],
  [Mnemonic.Prefetchnta, nop],
  [Mnemonic.Prefetcht0, nop],
  [Mnemonic.Prefetcht1, nop],
  [Mnemonic.Prefetcht2, nop],
  [Mnemonic.Prefetchw, nop],
  [Mnemonic.Clflush, nop],
  // rdssp is in the hint-NOP space (F3 0F 1E /1): with CET shadow stacks off it
  // is a NOP and leaves its register alone. libgcc's unwinder (_Unwind_RaiseException
  // and friends) zeroes the register, runs rdsspq and skips all shadow-stack
  // work (incsspq, which would be #UD) when it reads back 0.
  [Mnemonic.Rdsspd, nop],
  [Mnemonic.Rdsspq, nop],
  [Mnemonic.Syscall, syscall],
  [Mnemonic.Int3, int3],
  [Mnemonic.Ud2, ud],
  [Mnemonic.Ud0, ud],
  [Mnemonic.Ud1, ud],
  [Mnemonic.Int, intN],
  [Mnemonic.Hlt, privileged],
  // port I/O with IOPL 0 and no I/O bitmap: #GP, SIGSEGV with SI_KERNEL (as Linux gives a user process)
  [Mnemonic.In, privileged],
  [Mnemonic.Out, privileged],
  [Mnemonic.Insb, privileged],
  [Mnemonic.Insw, privileged],
  [Mnemonic.Insd, privileged],
  [Mnemonic.Outsb, privileged],
  [Mnemonic.Outsw, privileged],
  [Mnemonic.Outsd, privileged],
  [Mnemonic.Cli, privileged],
  [Mnemonic.Sti, privileged],
  [Mnemonic.Cpuid, cpuid],
  [Mnemonic.Xgetbv, xgetbv],
  [Mnemonic.Rdtsc, rdtsc],
  [Mnemonic.Clc, flagOp("clc")],
  [Mnemonic.Stc, flagOp("stc")],
  [Mnemonic.Cmc, flagOp("cmc")],
  [Mnemonic.Cld, flagOp("cld")],
  [Mnemonic.Std, flagOp("std")],
  [Mnemonic.Lahf, lahf],
  [Mnemonic.Sahf, sahf],
];
