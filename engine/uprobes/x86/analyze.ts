// Instruction analysis: arch_uprobe_analyze_insn() for every modelled
// generation. Decides whether the kernel accepts a probe on an instruction
// (and with which error it refuses), which ops table it uses (branch
// emulation, push emulation, NOP skip, or single-step out of line), the
// post-XOL fixups, the rip-relative rewrite of the XOL copy, and whether the
// 6.18 nop5 optimization applies.
//
// The bytes come from the file (copy_insn), never from process memory.

import { EIO, ENOEXEC, ENOTSUPP } from "../../errno.js";
import type { KernelGeneration } from "../generations.js";
import { asmNopMax, compareVersions } from "../generations.js";
import {
  MAX_UINSN_BYTES, UPROBE_FIX_CALL, UPROBE_FIX_IP, UPROBE_FIX_RIP_AX, UPROBE_FIX_RIP_BX, UPROBE_FIX_RIP_CX,
  UPROBE_FIX_RIP_DI, UPROBE_FIX_RIP_SI, UPROBE_FIX_SETF, type ArchUprobe,
} from "./arch-uprobe.js";
import { BAD_PREFIXES, legacySkipMatches, matchesKernelNop, only66x90SkipLength, tablesAccept } from "./insn-tables.js";
import { kernelDecode, modrmReg, type KInsn } from "./insn.js";
import { sizeofLong } from "./word-size.js";
import { branchXolOps, defaultXolOps, legacySkipSstepXolOps, pushXolOps, skipSstepXolOps } from "./xol-ops.js";

export type AnalysisResult = { ok: true; arch: ArchUprobe } | { ok: false; errno: number; why: string };

export interface AnalysisOptions {
  gen: KernelGeneration;
  /** false: --no-emulation (no branch/push/NOP emulation, no nop5 optimization). */
  emulation: boolean;
  bits: 64 | 32;
  /** Probe address in the first mm (can_optimize checks the page crossing). */
  vaddr: number;
}

function fail(errno: number, why: string): AnalysisResult {
  return { ok: false, errno, why };
}

/** uprobe_init_insn(): decode, prefix and table checks. */
function uprobeInitInsn(bytes: Uint8Array, o: AnalysisOptions): KInsn | AnalysisResult {
  // The kernel's decoder learned EVEX in 4.10 and APX REX2 in 6.10; 6.18's XOP rework (26178b713f2b) hides a VEX prefix after a REX.
  const v = o.gen.version;
  const k = kernelDecode(bytes, o.bits, { rex2: compareVersions(v, "6.10") >= 0, rexHidesVex: compareVersions(v, "6.18") >= 0, evex: compareVersions(v, "4.10") >= 0 });
  if (!k) return fail(ENOEXEC, "the instruction does not decode");
  for (const p of k.prefixes) {
    if (BAD_PREFIXES.includes(p)) {
      const name = p === 0xf0 ? "lock" : p === 0x3e ? "ds (notrack/branch hint)" : p === 0x2e ? "cs" : p === 0x36 ? "ss" : "es";
      return fail(ENOTSUPP, `${name} prefix 0x${p.toString(16)} is refused (is_prefix_bad)`);
    }
  }
  const op1 = k.opcode[0]!;
  // insn_masking_exception(): POP_SS_OPCODE (defined as 0x1f) or MOV SS (8e /2), since 4.17. It
  // tests OPCODE1 only, which for a VEX instruction is the byte after the prefix: VEX 8e /2
  // (vpmaskmovd/q to memory with ModRM.reg 2) is refused too, as the real 6.18.44 kernel does.
  if (o.gen.rejectMovSs && (op1 === 0x1f || (op1 === 0x8e && modrmReg(k) === 2)))
    return fail(ENOTSUPP, "exception-masking instruction (mov/pop ss) is refused");
  const layout = o.gen.insnTables;
  const opcodeView = k.vex.length ? [op1] : k.opcode;
  if (!tablesAccept(layout, o.bits === 64 ? "64" : "32", opcodeView)) {
    const hex = opcodeView.map((b) => b.toString(16).padStart(2, "0")).join(" ");
    return fail(ENOTSUPP, `opcode ${hex} is not in the kernel's good_insns tables`);
  }
  return k;
}

function isCondJmp(op: number): boolean {
  return op >= 0x70 && op <= 0x7f;
}

/** branch_setup_xol_ops(): undefined means -ENOSYS ("not mine"). */
function branchSetupXolOps(a: ArchUprobe, k: KInsn, bytes: Uint8Array, o: AnalysisOptions): AnalysisResult | undefined {
  let opc1 = k.opcode[0]!;
  const nop = (): AnalysisResult => {
    a.ops = branchXolOps;
    a.opc1 = opc1;
    a.offs = k.immValue;
    return { ok: true, arch: a };
  };
  if (o.gen.nopPolicy === "opcode90+kernelTable" && k.length <= asmNopMax(o.gen) && matchesKernelNop(Array.from(bytes), k.length)) return nop();
  // No VEX check, as in the kernel: OPCODE1 of a VEX instruction is its opcode byte, so VEX eb/e9
  // (vpor, vpsubsw) are taken for "jmp +0" and skipped, VEX 7x (vpshufd ...) for a jcc whose
  // displacement is the imm8, VEX e8 for a call, VEX 90 (kmov) for a NOP. Seen on the real
  // 6.18.44 kernel: a uprobe on vpor leaves its destination unwritten (docs/uprobes-model.md §4.5).
  switch (opc1) {
    case 0xeb:
    case 0xe9:
      break;
    case 0x90:
      if (!o.gen.rejectNop66) return nop();
      break; // 3.16..6.1: falls through to the 0x66 check below (cefa72129e45 restored "goto setup")
    case 0xe8:
      // branch_clear_offset(): the XOL fallback copy becomes "call +0"
      a.insn.fill(0, k.immOffset, k.immOffset + k.immSize);
      break;
    case 0x0f:
      if (k.opcode.length !== 2) return undefined;
      opc1 = (k.opcode[1]! - 0x10) & 0xff;
      if (!isCondJmp(opc1)) return undefined;
      break;
    default:
      if (!isCondJmp(opc1)) return undefined;
  }
  if (o.gen.rejectBranch66 && k.prefixes.includes(0x66)) return fail(ENOTSUPP, "0x66-prefixed (word-sized) branches are refused");
  a.ops = branchXolOps;
  a.opc1 = opc1;
  a.offs = k.immValue;
  return { ok: true, arch: a };
}

/** push_setup_xol_ops(): 50..57, or 41 50..57 (r8..r15). */
function pushSetupXolOps(a: ArchUprobe, k: KInsn, o: AnalysisOptions): AnalysisResult | undefined {
  const opc1 = k.opcode[0]!;
  if (k.vex.length || opc1 < 0x50 || opc1 > 0x57) return undefined;
  if (k.length > 2) return undefined;
  if (k.length === 2) {
    if (o.bits !== 64 || k.rex !== 0x41 || k.prefixes.length) return undefined;
    a.pushReg = 8 + (opc1 - 0x50);
  } else a.pushReg = opc1 - 0x50;
  a.ops = pushXolOps;
  return { ok: true, arch: a };
}

/** riprel_analyze(), the scheme since 3.16: keep disp32, address it through rsi/rdi/rbx. */
function riprelAnalyze(a: ArchUprobe, k: KInsn, g: KernelGeneration): void {
  if (!k.ripRelative) return;
  if (k.rex) a.insn[k.rexOffset] = a.insn[k.rexOffset]! & 0xfe; // clear REX.B
  // The VEX byte with the inverted B (and EVEX X) bits: VEX3 only, |= 0x20 (VEX3.B), before the
  // EVEX fix; VEX3 and EVEX, |= 0x60 (B and X) since (FACT_SOURCES.evexRiprel).
  if (g.riprelEvex ? k.vex.length >= 3 : k.vex.length === 3) a.insn[k.vexOffset + 1] = a.insn[k.vexOffset + 1]! | (g.riprelEvex ? 0x60 : 0x20);
  const reg = modrmReg(k);
  // vex_prefix.bytes[2] holds vvvv: VEX3/EVEX's own byte; for VEX2 the decoder fakes a VEX3-like
  // byte from the second byte (insn_get_prefixes: "b2 & 0x7f"), so its vvvv counts too.
  const vvvvByte = k.vex.length >= 3 ? k.vex[2]! : k.vex.length ? k.vex[1]! & 0x7f : 0xff;
  const reg2 = ((vvvvByte >> 3) & 7) ^ 7;
  let scratch: number;
  if (reg !== 6 && reg2 !== 6) {
    scratch = 6;
    a.fixups |= UPROBE_FIX_RIP_SI;
  } else if (reg !== 7 && reg2 !== 7) {
    scratch = 7;
    a.fixups |= UPROBE_FIX_RIP_DI;
  } else {
    scratch = 3;
    a.fixups |= UPROBE_FIX_RIP_BX;
  }
  a.insn[k.modrmOffset] = 0x80 | (reg << 3) | scratch; // "00 reg 101" -> "10 reg scratch"
}

/** handle_riprel_insn() of <= 3.15: rax (rcx if ModRM.reg is 0), disp32 squeezed out of the copy; no VEX treatment. */
function handleRiprelInsn(a: ArchUprobe, k: KInsn): void {
  if (!k.ripRelative) return;
  if (k.rex) a.insn[k.rexOffset] = a.insn[k.rexOffset]! & 0xfe;
  const reg = modrmReg(k);
  if (reg === 0) {
    a.insn[k.modrmOffset] = 0x01; // [rcx]
    a.fixups = UPROBE_FIX_RIP_CX; // assigned, not or-ed: IP/CALL bits are added afterwards
  } else {
    a.insn[k.modrmOffset] = (reg << 3) & 0xff; // [rax]
    a.fixups = UPROBE_FIX_RIP_AX;
  }
  const disp = new DataView(a.insn.buffer, a.insn.byteOffset).getInt32(k.dispOffset, true);
  a.riprelTarget = k.length + disp;
  if (k.immSize) a.insn.copyWithin(k.dispOffset, k.immOffset, k.immOffset + k.immSize); // move the immediate over the displacement
  a.riprelSqueezed = true;
}

/** The fix_ip_or_call switch of arch_uprobe_analyze_insn (prepare_fixups of older kernels): default_xol_ops. */
function defaultSetupXolOps(a: ArchUprobe, k: KInsn, o: AnalysisOptions): void {
  const oldEra = o.gen.riprelScheme === "raxRcxSqueeze";
  let fixIpOrCall = UPROBE_FIX_IP;
  const op1 = k.opcode[0]!; // OPCODE1, VEX or not (a VEX c2, vcmpps, gets no FIX_IP, as in the kernel)
  let riprel = true;
  switch (op1) {
    case 0x9d: // popf
      a.fixups |= UPROBE_FIX_SETF;
      riprel = oldEra; // the old code analysed rip-relative for every insn
      break;
    case 0xc3:
    case 0xcb:
    case 0xc2:
    case 0xca:
    case 0xea: // ret/lret, jmp absolute: ip is correct
      fixIpOrCall = 0;
      riprel = oldEra;
      break;
    case 0x9a: // call absolute: fix the return address, not ip
      fixIpOrCall = UPROBE_FIX_CALL;
      riprel = oldEra;
      break;
    case 0xe8:
      // Only reached without branch emulation (<= 3.14, or --no-emulation): the old
      // prepare_fixups() fixed both ip and the pushed return address, rel32 unchanged.
      fixIpOrCall = UPROBE_FIX_IP | UPROBE_FIX_CALL;
      a.oldFixups = true;
      break;
    case 0xff: {
      const r = modrmReg(k);
      if (r === 2 || r === 3) fixIpOrCall = UPROBE_FIX_CALL; // call/lcall indirect
      else if (r === 4 || r === 5) fixIpOrCall = 0; // jmp/ljmp indirect
      break;
    }
  }
  if (riprel && o.bits === 64) {
    if (oldEra) handleRiprelInsn(a, k);
    else riprelAnalyze(a, k, o.gen);
  }
  if (oldEra) a.oldFixups = true;
  a.fixups |= fixIpOrCall;
  a.ops = defaultXolOps;
}

/** can_optimize() (6.18): a 5-byte NOP or NOPL that does not cross a page (insn_is_nop() and
 * insn_is_nopl() look at the opcode bytes only: a 5-byte VEX instruction with opcode 90 passes). */
function canOptimizeInsn(k: KInsn, o: AnalysisOptions): boolean {
  if (o.bits !== 64 || k.length !== 5) return false;
  const nop = k.opcode.length === 1 && k.opcode[0] === 0x90;
  const nopl = k.opcode.length === 2 && k.opcode[0] === 0x0f && k.opcode[1] === 0x1f && k.modrm >= 0 && modrmReg(k) === 0;
  if (!nop && !nopl) return false;
  return 4096 - (o.vaddr % 4096) >= 5;
}

/** arch_uprobe_analyze_insn() for the configured generation. bytes: up to 16 bytes from the file. */
export function analyzeInsn(fileBytes: Uint8Array, o: AnalysisOptions): AnalysisResult {
  if (fileBytes.length === 0) return fail(EIO, "no bytes at this file offset");
  if (fileBytes[0] === 0xcc) return fail(ENOTSUPP, "the instruction is already an int3");
  const insn = new Uint8Array(MAX_UINSN_BYTES);
  insn.set(fileBytes.subarray(0, MAX_UINSN_BYTES));
  const k = uprobeInitInsn(insn, o);
  if (!("length" in k)) return k;
  const a: ArchUprobe = {
    insn,
    orig: insn.slice(),
    ilen: k.length,
    ops: defaultXolOps,
    opc1: 0,
    offs: 0,
    pushReg: -1,
    fixups: 0,
    oldFixups: false,
    riprelSqueezed: false,
    riprelTarget: 0,
    skipLen: 0,
    canOptimize: false,
    optimizeFail: false,
    kinsn: k,
    longSize: sizeofLong(o.gen, o.bits),
  };
  const g = o.gen;
  let legacySkip = false;
  if (o.emulation) {
    if (g.nop5Optimize && canOptimizeInsn(k, o)) a.canOptimize = true;
    if (g.nopPolicy === "legacySkip66NoAdvance") legacySkip = legacySkipMatches(Array.from(insn));
    else if (g.nopPolicy === "only66x90") a.skipLen = only66x90SkipLength(Array.from(insn));
    if (g.emulateBranches) {
      const r = branchSetupXolOps(a, k, insn, o);
      if (r) return r;
    }
    if (g.emulatePush) {
      const r = pushSetupXolOps(a, k, o);
      if (r) return r;
    }
  }
  defaultSetupXolOps(a, k, o);
  // Before 3.15 the skip came first and the default step was its fallback (arch_uprobe_skip_sstep()).
  if (legacySkip) a.ops = legacySkipSstepXolOps;
  else if (a.skipLen > 0) a.ops = skipSstepXolOps;
  return { ok: true, arch: a };
}

/** How a hit on this probe is handled, for reports: optimized, or emulated when the ops have ->emulate. */
export function hitPath(a: ArchUprobe, optimizeEnabled: boolean): "emulated" | "xol" | "optimized" {
  if (a.canOptimize && !a.optimizeFail && optimizeEnabled) return "optimized";
  return a.ops.emulate !== undefined ? "emulated" : "xol";
}
