// Kernel generations the model can impersonate (`--kernel V`): every
// per-release fact, with the commit it comes from and how that was verified
// (FACT_SOURCES; KERNEL-HISTORY.md has the evidence), and the resolution of a
// user's choice into one record. The opcode tables themselves are in
// x86/insn-tables.ts.

import { UserError } from "../errors.js";
import type { TableLayout } from "./x86/insn-tables.js";

/**
 * How a fact was established:
 *  - "src":     read in a kernel source copy (a pristine tree or a commit snapshot)
 *  - "mail":    commit id/title/date read in a stored LKML / stable / tip-bot mail
 *  - "bracket": the first release is bounded by copies that lack it and copies
 *               that have it; the exact commit or release is not pinned
 *  - "recall":  the commit or release is the commonly cited one; no source in
 *               the index confirms it (the note says what is known)
 */
type Verification = "src" | "mail" | "bracket" | "recall";

interface FactSource {
  /** Abbreviated upstream commit id (12 hex digits) or "unknown". */
  readonly commit: string;
  readonly title: string;
  /** First mainline release that contains it (a range if bracketed). */
  readonly firstRelease: string;
  readonly status: Verification;
  readonly note?: string;
}

type NopPolicy =
  /** 3.5 .. 3.7(+): skip if bytes match 0x66*{90|0F 1F|0F 19|87 C0} (prefix of the 16-byte copy).
   *  ip is NOT advanced past the insn: the task resumes at vaddr+1, right after the int3. */
  | "legacySkip66NoAdvance"
  /** 3.8..3.14 (bracketed, see FACT_SOURCES.skipOnly66x90): skip only 0x66* 0x90, ip = vaddr + n */
  | "only66x90"
  /** 3.15 .. 6.15: branch_xol_ops for OPCODE1 == 0x90 with any prefixes (see rejectNop66) */
  | "opcode90"
  /** 6.16 .. 6.18: exact x86_nops[len] match (len <= 8 in practice) or OPCODE1 == 0x90 */
  | "opcode90+kernelTable"
  /** 6.19+: insn_is_nop() (not modelled yet) */
  | "insnIsNop";

type RiprelScheme =
  /** <= 3.15: scratch rax (rcx if ModRM.reg == 0), disp32 squeezed out (insn 4 bytes shorter), ip correction += 4 */
  | "raxRcxSqueeze"
  /** >= 3.16: scratch rsi/rdi/rbx, mod=10 keeps disp32, scratch = vaddr + ilen */
  | "siDiBxKeepDisp";

type UretprobeReturn = "none" | "int3" | "syscall335";

export interface KernelGeneration {
  /** Mainline release this profile models. */
  readonly version: string;
  readonly nopPolicy: NopPolicy;
  /** Consumers see regs->ip == vaddr + 1 (3.5..3.7) instead of vaddr. */
  readonly handlerIpIsBpPlus1: boolean;
  readonly emulateBranches: boolean;
  /** 0x66-prefixed jmp/call/jcc → -ENOTSUPP at analysis. */
  readonly rejectBranch66: boolean;
  /** 0x66-prefixed 0x90 (66 90, 66 66 90, …) → -ENOTSUPP. This was a side effect of rejectBranch66 until 6.2. */
  readonly rejectNop66: boolean;
  readonly emulatePush: boolean;
  readonly rejectMovSs: boolean;
  /** good_insns_* layout; "old" also means 0F xx goes through good_2byte_insns (0x0F is 0 in the old 1-byte tables). */
  readonly insnTables: TableLayout;
  readonly riprelScheme: RiprelScheme;
  /**
   * riprel_analyze() on the VEX prefix (siDiBxKeepDisp scheme only): false =
   * `vex_prefix.nbytes == 3` (VEX3 only) `|= 0x20` (VEX3.B); true = the EVEX
   * fix, `nbytes >= 3` (VEX3 and EVEX) `|= 0x60` (B and X).
   */
  readonly riprelEvex: boolean;
  readonly uretprobeReturn: UretprobeReturn;
  readonly maxUretprobeDepth: number | null;
  /** XOL slot 0 reserved for the uretprobe trampoline. */
  readonly xolSlot0Reserved: boolean;
  /** Stale (longjmp'ed-over) return_instances flushed (cleanup_return_instances / handle_trampoline). */
  readonly longjmpCleanup: boolean;
  readonly nop5Optimize: boolean;
  /**
   * sizeof_long() for a compat (32-bit) task on a 64-bit kernel is 4: false until 5.3, when it
   * was in_ia32_syscall(), false at trap time, so the emulated push and call and the uretprobe
   * hijack moved 8-byte words on a 32-bit stack (FACT_SOURCES.compatWordSize).
   */
  readonly compatWordSizeCorrect: boolean;
  /**
   * The kernel's own width: 64 (x86_64, 32-bit programs run as compat tasks) or 32 (an i386
   * kernel, CONFIG_X86_32: `--kernel V-x86_32`; sizeof_long() is always 4, no 64-bit programs).
   */
  readonly kernelBits: 64 | 32;
  readonly skipWhenIpChanged: boolean;
  /** uprobe_register_refctr (4.20, 1cc33161a83d): the kernel raises a USDT semaphore itself (FACT_SOURCES.refCtr). */
  readonly refCtr: boolean;
  readonly notes: readonly string[];
}

/** Where each knob came from. */
export const FACT_SOURCES = {
  uprobesX86: {
    commit: "04a3d984d32e", title: "x86: Add x86 uprobes instruction analysis (first x86 uprobes.c)",
    firstRelease: "3.5", status: "bracket",
    note: "commit snapshot read; kernel/events/uprobes.c and this file are both at 0326f5a94dde (3.5 merge window), so the first release is 3.5",
  },
  legacySkipSstep: {
    commit: "0326f5a94dde", title: "uprobes/core: Handle breakpoint and singlestep exceptions",
    firstRelease: "3.5", status: "src",
    note: "arch_uprobe_skip_sstep() 0x66*{90|0f1f|0f19|87c0}, no ip update; handle_swbp leaves ip = vaddr+1 when skipped (read at 0326f5a9 and in a 3.6 tree)",
  },
  skipOnly66x90: {
    commit: "unknown", title: "__skip_sstep(): 0x66* 0x90 only, regs->ip += i + 1; handle_swbp sets ip = bp_vaddr before handlers",
    firstRelease: "3.8..3.14", status: "bracket",
    note: "old form in a 3.7 copy (with arch_uprobe_enable_step); new form in 014940ba (3.15 dev) and a 3.10-based tree. Release not confirmed from source: between 3.8 and 3.14; modelled from 3.10, the first generation after 3.7",
  },
  uretprobes: {
    commit: "791eca10107f", title: "uretprobes/x86: Hijack return address",
    firstRelease: "3.10", status: "recall",
    note: "id/title from a 'Fixes:' tag in a stable mail. Release not confirmed from source: after 3.7 (a 3.7 copy has no uretprobes), present in a 3.10-based tree. MAX_URETPROBE_DEPTH = 64 in every header copy",
  },
  emulateBranches: {
    commit: "unknown (Oleg Nesterov series, incl. 014940bad8e4 intermediate)", title: "uprobes/x86: Emulate jmp/call/jcc via uprobe_xol_ops->emulate",
    firstRelease: "3.15", status: "recall",
    note: "014940ba (3.15 development: uprobe_xol_ops introduced, no branch ops yet) is in torvalds/linux; 3.18/3.19 copies have branch_xol_ops. Release not confirmed from source: 3.15 or 3.16; the commit ids of the series are not in the index",
  },
  rejectBranch66: {
    commit: "250bbd12c2fe", title: "uprobes/x86: Refuse to attach uprobe to \"word-sized\" branch insns",
    firstRelease: "3.16", status: "bracket",
    note: "id/title from a 'Fixes:' tag (mail); absent in 3.15-dev, present in 3.18/3.19 copies. Release not confirmed from source: between 3.15 and 3.18",
  },
  riprelSiDiBx: {
    commit: "unknown (Denys Vlasenko)", title: "uprobes/x86: Fix scratch register selection for rip-relative fixups",
    firstRelease: "3.16", status: "bracket",
    note: "old scheme in 014940ba (3.15 dev), new scheme in 3.18/3.19 copies",
  },
  tableRework: {
    commit: "unknown", title: "good_insns_* reworked (0x0F marked good, 2-byte table dead)",
    firstRelease: "4.0 (or 4.1)", status: "bracket",
    note: "a 3.19 copy (4-arg insn_init) still has the old tables; the daveh/x86-mpx mirror (still user_mode_vm, i.e. pre-4.1) has the new ones; line numbers in Ubuntu 4.4.0 (DepSurf) match the new layout",
  },
  longjmpCleanup: {
    commit: "unknown (Oleg Nesterov, 'flush the frames invalidated by longjmp()' series)", title: "uprobes: arch_uretprobe_is_alive()/RP_CHECK_* + cleanup in prepare_uretprobe/handle_trampoline",
    firstRelease: "4.3", status: "bracket",
    note: "absent in the pre-4.1 x86-mpx tree and in the old handle_trampoline ('TODO: we should throw out return_instance's invalidated by longjmp()'); present in 4.4 (DepSurf)",
  },
  emulatePush: {
    commit: "e7ed9d9bd037", title: "uprobes/x86: Emulate push insns for uprobe on x86",
    firstRelease: "4.16", status: "bracket",
    note: "id/title from a Sasha Levin stable mail (2019); absent in 4.15 (DepSurf + Ubuntu 4.15.18 tree), present in 4.18 (DepSurf). The brief's 'd20737c07a10' was not found",
  },
  rejectMovSs: {
    commit: "13ebe18c94f5", title: "uprobes/x86: Prohibit probing on MOV SS instruction",
    firstRelease: "4.17", status: "mail",
    note: "full id 13ebe18c94f5b0665c01ae7fad2717ae959f4212 from a stable backport mail; posted May 2018; 4.17 not pinned to an exact rc",
  },
  evexRiprel: {
    commit: "68187872c76a", title: "uprobes/x86: Fix RIP-relative handling of EVEX-encoded instructions",
    firstRelease: "5.0", status: "bracket",
    note: "code read: the 3.19-era copy has `vex_prefix.nbytes == 3` and `|= 0x20` (VEX3.B only); 6.18 and an Ubuntu 4.15.18 tree (which carries stable backports) have `nbytes >= 3` and `|= 0x60`. Commit id and release 5.0 are the commonly cited ones; no mail or mainline copy in the index confirms them. Modelled from 5.3, the first generation after 4.17",
  },
  compatWordSize: {
    commit: "9212ec7d8357", title: "uprobes/x86: Fix detection of 32-bit user mode",
    firstRelease: "5.3", status: "mail",
    note: "tip x86/urgent 2019-08-26 (Sebastian Mayr; 'Fixes: 0326f5a94dde'); backported to 4.4/4.9/4.14/4.19 stable; diff read in the 5.2 stable mail. Before it, sizeof_long() was in_ia32_syscall() ? 4 : 8, false at trap time on a 64-bit kernel: compat tasks pushed (emulate_push_stack), popped (branch_post_xol_op, FIX_CALL) and hijacked (arch_uretprobe_hijack_return_addr) 8-byte words. On CONFIG_X86_32 in_ia32_syscall() is always true. Modelled as KernelGeneration.compatWordSizeCorrect from 5.3",
  },
  compat64BitOnly: {
    commit: "ff474a78cef5", title: "uprobe: Add uretprobe syscall to speed up return probe; ba2bfc97b462 uprobes/x86: Add support to optimize uprobes",
    firstRelease: "6.11 / 6.18", status: "recall",
    note: "arch_uprobe_trampoline() hands out the syscall trampoline only when user_64bit_mode(regs) (ia32 and x32 keep the int3 one); can_optimize() is 64-bit only (the trampoline page and sys_uprobe are x86_64's). The analysis of a compat mm uses is_64bit_mm() false: good_insns_32, no riprel fixups, push_setup_xol_ops without REX.B",
  },
  seedX86_32: {
    commit: "e7ed9d9bd037", title: "uprobes/x86: Emulate push insns for uprobe on x86 (its x86_32 table)",
    firstRelease: "4.16", status: "recall",
    note: "inferred, not read in the thread (its tables were not retrievable): the x86_32 rows must come from an i386 kernel. On a 64-bit kernel of that era a compat task's emulated push %ebp wrote 8 bytes (compatWordSize), so test() returned to 0 and push.c died of SIGSEGV; a uretprobe overwrote the word above the return address. Modelled as --kernel 4.16-x86_32",
  },
  allowNop66: {
    commit: "cefa72129e45", title: "uprobes/x86: Allow to probe a NOP instruction with 0x66 prefix",
    firstRelease: "6.2", status: "mail",
    note: "tip x86/urgent 2022-12-05; backported as 6.1 stable patch 0169/1146 (so not in 6.1.0); also seen backported in 3.18-android and Ubuntu 4.15 trees",
  },
  uretprobeSyscall: {
    commit: "ff474a78cef5", title: "uprobe: Add uretprobe syscall to speed up return probe (+190fec72df4a wire-up, 1713b63a07a2 shstk)",
    firstRelease: "6.11", status: "mail",
  },
  uretprobeHarden: {
    commit: "fa6192adc32f", title: "uprobes/x86: Harden uretprobe syscall trampoline check",
    firstRelease: "6.15", status: "mail",
    note: "PATCHv2 for perf/core, Feb 2025, Cc stable; in the 6.15 merge-window revlists (after v6.14-rc3); stable backports as 6.12 patch 379/423 and 6.13 patch 451/499 (Apr 2025). Not a knob: the model applies the hardened caller check from 6.11",
  },
  nopTable: {
    commit: "610f6e14c29d", title: "uprobes/x86: Add support to emulate NOP instructions",
    firstRelease: "6.16", status: "mail",
    note: "tip perf/core 2025-04-18 (tip-bot mail with diff)",
  },
  nop5Optimize: {
    commit: "ba2bfc97b462", title: "uprobes/x86: Add support to optimize uprobes",
    firstRelease: "6.18", status: "mail",
    note: "Linus/Alexei 6.18 merge-window thread (Sep 2025); code read in gregkh/linux @663efc5a",
  },
  refCtr: {
    commit: "1cc33161a83d", title: "uprobes: Support SDT markers having reference count (semaphore) (+a6ca88b241d5 for perf_event_open)",
    firstRelease: "4.20", status: "mail",
    note: "release from Oleg Nesterov's 2019 stable mail ('SDT markers were added by 1cc33161a83d... in v4.20'). The counter is raised in uprobe_write_opcode when the int3 is written into an mm, lowered when the instruction is restored, and delayed (delayed_uprobe_list) until the counter's VMA is mapped. Modelled from 5.3, the first generation after 4.17; before it the tool pokes the semaphore (engine/uprobes/ref-ctr.ts)",
  },
  skipWhenIpChanged: {
    commit: "4363264111e1", title: "uprobe: Do not emulate/sstep original instruction when ip is changed",
    firstRelease: "6.18", status: "mail",
    note: "merged via bpf-next for 6.18; many stable backports exist (different hashes), so recent 6.x stable kernels also have it",
  },
} as const satisfies Record<string, FactSource>;

const base: KernelGeneration = {
  version: "3.5",
  nopPolicy: "legacySkip66NoAdvance",
  handlerIpIsBpPlus1: true,
  emulateBranches: false,
  rejectBranch66: false,
  rejectNop66: false,
  emulatePush: false,
  rejectMovSs: false,
  insnTables: "old",
  riprelScheme: "raxRcxSqueeze",
  riprelEvex: false,
  uretprobeReturn: "none",
  maxUretprobeDepth: null,
  xolSlot0Reserved: false,
  longjmpCleanup: false,
  nop5Optimize: false,
  compatWordSizeCorrect: false,
  kernelBits: 64,
  skipWhenIpChanged: false,
  refCtr: false,
  notes: [],
};

function gen(prev: KernelGeneration, patch: Partial<KernelGeneration> & { version: string }): KernelGeneration {
  return Object.freeze({ ...prev, notes: [], ...patch });
}

const g3_5 = gen(base, {
  version: "3.5",
  notes: [
    "skip_sstep leaves ip at vaddr+1: 66 90 runs its trailing 90; 0F 1F xx resumes at '1F …' (#UD in 64-bit mode → SIGILL); 0F 19 → resumes in an SBB; 87 C0 → resumes at 'C0 …'",
    "handle_swbp does not reset ip before handler_chain: consumers see ip = vaddr+1; pre_xol then sets ip = xol_vaddr, so a handler's ip change is lost on the XOL path and kept on the skip path",
    "a failed skip clears UPROBE_SKIP_SSTEP for good (per uprobe)",
    "XOL: FIX_IP and FIX_CALL applied together for E8; rel32 unchanged, so target = xol+5+rel32 (non-canonical if rel32 > ~8 KiB forward, #GP → SIGSEGV at vaddr)",
  ],
});
const g3_10 = gen(g3_5, {
  version: "3.10",
  nopPolicy: "only66x90",
  handlerIpIsBpPlus1: false,
  uretprobeReturn: "int3",
  maxUretprobeDepth: 64,
  xolSlot0Reserved: true,
  notes: [
    "nopPolicy/handler-ip change is bracketed to 3.8..3.14 (see FACT_SOURCES.skipOnly66x90)",
    "uretprobes without longjmp cleanup: the trampoline pops the newest instance, which may be stale",
  ],
});
const g3_14 = gen(g3_10, { version: "3.14", notes: ["last release before branch emulation"] });
const g3_15 = gen(g3_14, {
  version: "3.15",
  nopPolicy: "opcode90",
  emulateBranches: true,
  notes: [
    "66-prefixed jmp/call/jcc are still emulated (with decoder lengths); rejection came in 3.16",
    "E8 XOL fallback copy has rel32 zeroed (branch_clear_offset)",
  ],
});
const g3_16 = gen(g3_15, {
  version: "3.16",
  rejectBranch66: true,
  rejectNop66: true,
  riprelScheme: "siDiBxKeepDisp",
  notes: ["66 90 and other 66-prefixed 90 are rejected with -ENOTSUPP until 6.2 (cefa72129e45)"],
});
const g3_19 = gen(g3_16, { version: "3.19", notes: ["last release with the old good_insns tables (verified in a 3.19-era copy)"] });
const g4_0 = gen(g3_19, {
  version: "4.0",
  insnTables: "new",
  notes: ["table rework bracketed to 4.0 or 4.1 (FACT_SOURCES.tableRework)"],
});
const g4_3 = gen(g4_0, { version: "4.3", longjmpCleanup: true });
const g4_16 = gen(g4_3, {
  version: "4.16",
  emulatePush: true,
  notes: ["compat push/call/uretprobe hijack use 8 bytes (in_ia32_syscall() is false at trap time) until 5.3"],
});
const g4_17 = gen(g4_16, { version: "4.17", rejectMovSs: true });
const g5_3 = gen(g4_17, { version: "5.3", riprelEvex: true, compatWordSizeCorrect: true, refCtr: true, notes: ["riprelEvex since 5.0 (FACT_SOURCES.evexRiprel); compat tasks push and hijack 4-byte words (FACT_SOURCES.compatWordSize)"] });
const g6_2 = gen(g5_3, { version: "6.2", rejectNop66: false });
const g6_11 = gen(g6_2, { version: "6.11", uretprobeReturn: "syscall335", notes: ["compat tasks keep the int3 trampoline (FACT_SOURCES.compat64BitOnly)"] });
const g6_16 = gen(g6_11, { version: "6.16", nopPolicy: "opcode90+kernelTable" });
const g6_18 = gen(g6_16, {
  version: "6.18",
  nop5Optimize: true,
  skipWhenIpChanged: true,
  notes: ["skipWhenIpChanged was also backported to several stable series"],
});

/** Ordered oldest → newest. Each record holds the resolved knobs for that release. */
export const KERNEL_GENERATIONS: readonly KernelGeneration[] = Object.freeze([
  g3_5, g3_10, g3_14, g3_15, g3_16, g3_19, g4_0, g4_3, g4_16, g4_17, g5_3, g6_2, g6_11, g6_16, g6_18,
]);

export const DEFAULT_KERNEL = "6.18";

/** Generations the command line accepts, oldest first. */
export function kernelVersions(): string[] {
  return KERNEL_GENERATIONS.map((g) => g.version);
}

/** The suffix that picks a 32-bit (i386) kernel of a generation: `--kernel 4.16-x86_32`. */
const X86_32_SUFFIX = "-x86_32";
const x86_32Kernels = new Map<string, KernelGeneration>();

/**
 * Resolve "6.18", "v4.16", "4.16.0"... to a modelled generation; "4.16-x86_32" is the same
 * generation built for i386 (CONFIG_X86_32): only 32-bit programs, whose sizeof_long() is 4 in
 * every generation. The x86_64-only features (the uretprobe syscall, the nop5 optimization) never
 * apply to its tasks, as to compat tasks.
 */
export function resolveKernel(version: string = DEFAULT_KERNEL): KernelGeneration {
  const i386 = version.endsWith(X86_32_SUFFIX);
  const v = version.slice(0, i386 ? -X86_32_SUFFIX.length : undefined).replace(/^v/, "").replace(/^(\d+\.\d+)\.0$/, "$1");
  const g = KERNEL_GENERATIONS.find((k) => k.version === v);
  if (!g) throw new UserError(`--kernel ${version}: not a modelled generation (choose one of ${kernelVersions().join(", ")}, each optionally with ${X86_32_SUFFIX} for an i386 kernel)`);
  if (!i386) return g;
  let k = x86_32Kernels.get(g.version);
  if (!k) x86_32Kernels.set(g.version, (k = gen(g, { version: g.version + X86_32_SUFFIX, kernelBits: 32, notes: [...g.notes, "an i386 kernel: 32-bit programs only, 4-byte words for every emulated push, call and uretprobe hijack"] })));
  return k;
}

/** ASM_NOP_MAX of a 64-bit kernel: 11 since v6.5, 8 before (only matters for the 6.16+ x86_nops check). */
export function asmNopMax(g: KernelGeneration): number {
  return compareVersions(g.version, "6.5") >= 0 ? 11 : 8;
}

export function compareVersions(a: string, b: string): number {
  // parseInt: "4.16-x86_32" is release 4.16
  const pa = a.split(".").map((x) => parseInt(x, 10)), pb = b.split(".").map((x) => parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** uname -r of the modelled kernel. */
export function releaseString(g: KernelGeneration): string {
  return `${g.version.replace(X86_32_SUFFIX, "")}.0-uprobe-lab`;
}
