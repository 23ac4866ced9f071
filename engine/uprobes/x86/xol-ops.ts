// The per-class ops tables of arch/x86/kernel/uprobes.c (struct
// uprobe_xol_ops), chosen once by arch_uprobe_analyze_insn() and stored in
// ArchUprobe.ops, and the arch_uprobe_* hooks the generic side calls:
//
//   branch_xol_ops  { emulate: branch_emulate_op, post_xol: branch_post_xol_op }
//   push_xol_ops    { emulate: push_emulate_op }
//   default_xol_ops { pre_xol: default_pre_xol_op, post_xol: default_post_xol_op, abort: default_abort_op }
//
// plus the pre-3.15 NOP skips as ops of their own (the kernel had no ops
// then: arch_uprobe_skip_sstep() tried the skip before the default XOL
// step). They operate on the task's registers as the kernel's pt_regs.

import type { Cpu } from "../../cpu/cpu.js";
import { Fl } from "../../cpu/flags.js";
import { Gpr } from "../../cpu/registers.js";
import { EFAULT, ERESTART } from "../../errno.js";
import { getUserLong, putUserLong } from "./word-size.js";
import type { Task } from "../../os/task.js";
import type { UTask } from "../state.js";
import {
  UPROBE_FIX_CALL, UPROBE_FIX_IP, UPROBE_FIX_RIP_AX, UPROBE_FIX_RIP_BX, UPROBE_FIX_RIP_DI,
  UPROBE_FIX_RIP_MASK, UPROBE_FIX_RIP_SI, UPROBE_FIX_SETF, type ArchUprobe, type UprobeArchContext,
} from "./arch-uprobe.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const CF = Fl.CF, OF = Fl.OF, PF = Fl.PF, SF = Fl.SF, ZF = Fl.ZF, TF = Fl.TF;
const RAX = Gpr.RAX, RBX = Gpr.RBX, RCX = Gpr.RCX, RDI = Gpr.RDI, RSI = Gpr.RSI, RSP = Gpr.RSP;
const E_RESTART = ERESTART, E_FAULT = EFAULT;

/**
 * struct uprobe_xol_ops. Every ops object has all five fields (absent hooks
 * are undefined), so ArchUprobe.ops keeps one shape.
 */
export interface UprobeXolOps {
  /** For the event trace: "branch/nop", "push", "nop skip", "default". */
  readonly name: string;
  /** ->emulate: true when the instruction was emulated (no single step). */
  readonly emulate: ((a: ArchUprobe, cpu: Cpu) => boolean) | undefined;
  readonly preXol: ((a: ArchUprobe, cpu: Cpu, utask: UTask) => void) | undefined;
  /** ->post_xol: 0, -ERESTART (restart at vaddr) or another -errno (the task gets SIGILL). */
  readonly postXol: ((a: ArchUprobe, cpu: Cpu, utask: UTask) => number) | undefined;
  readonly abort: ((a: ArchUprobe, cpu: Cpu, utask: UTask) => void) | undefined;
}

/** push_ret_address() / emulate_push_stack(): copy_to_user of one sizeof_long word below sp; false if the write faults. */
function pushRetAddress(cpu: Cpu, val: number, size: 4 | 8): boolean {
  const sp = cpu.getRegNum(RSP);
  if (putUserLong(cpu.mem, sp - size, size, val | 0, Math.floor(val / 4294967296) | 0)) return false;
  cpu.setRegNum(RSP, sp - size);
  return true;
}

/** check_jmp_cond(): the CASE_COND table on the user's RFLAGS; true for non-Jcc (jmp, call, NOP). */
function checkJmpCond(opc1: number, flags: number): boolean {
  const xf = (bit: number): boolean => (flags & bit) !== 0;
  if (opc1 < 0x70 || opc1 > 0x7f) return true;
  let r: boolean;
  switch ((opc1 - 0x70) >> 1) {
    case 0: r = xf(OF); break;
    case 1: r = xf(CF); break;
    case 2: r = xf(ZF); break;
    case 3: r = xf(CF) || xf(ZF); break;
    case 4: r = xf(SF); break;
    case 5: r = xf(PF); break;
    case 6: r = xf(SF) !== xf(OF); break;
    default: r = xf(ZF) || xf(SF) !== xf(OF); break;
  }
  return (opc1 & 1) === 0 ? r : !r;
}

/** branch_emulate_op(): jmp/jcc/call rel, and NOPs as "jmp +0". */
function branchEmulateOp(a: ArchUprobe, cpu: Cpu): boolean {
  const newIp = cpu.rip + a.ilen;
  let offs = a.offs;
  if (a.opc1 === 0xe8) {
    if (!pushRetAddress(cpu, newIp, a.longSize)) return false;
  } else if (!checkJmpCond(a.opc1, cpu.rflags)) offs = 0;
  // No canonical check: a non-canonical target faults on the way back to user mode (#GP at the target).
  cpu.rip = newIp + offs;
  return true;
}

/** branch_post_xol_op(): the mangled "call +0" copy ran because the emulated push failed and then succeeded. */
function branchPostXolOp(a: ArchUprobe, cpu: Cpu, utask: UTask): number {
  void utask;
  cpu.setRegNum(RSP, cpu.getRegNum(RSP) + a.longSize);
  return -E_RESTART;
}

/**
 * push_emulate_op(): push the register's value as it was before sp moves (push %rsp pushes the
 * old rsp), sizeof_long bytes: a compat task before 5.3 gets its 32-bit register pushed as 8
 * bytes (the high half zero) and sp moved by 8.
 */
function pushEmulateOp(a: ArchUprobe, cpu: Cpu): boolean {
  const size = a.longSize;
  const lo = cpu.lo[RSP]!;
  const hi = cpu.hi[RSP]!;
  if (putUserLong(cpu.mem, hi * 4294967296 + (lo >>> 0) - size, size, cpu.lo[a.pushReg]!, cpu.hi[a.pushReg]!)) return false;
  // sp -= size on the halves (setRegNum's division cost a tenth of an emulated hit)
  const nlo = (lo >>> 0) - size;
  cpu.lo[RSP] = nlo | 0;
  cpu.hi[RSP] = nlo < 0 ? (hi - 1) | 0 : hi;
  cpu.rip += a.ilen;
  return true;
}

/** scratch_reg(): the register riprel_analyze() put in place of rip. */
function scratchReg(fixups: number): number {
  if (fixups & UPROBE_FIX_RIP_SI) return RSI;
  if (fixups & UPROBE_FIX_RIP_DI) return RDI;
  if (fixups & UPROBE_FIX_RIP_BX) return RBX;
  if (fixups & UPROBE_FIX_RIP_AX) return RAX;
  return RCX;
}

/** riprel_pre_xol() (pre_xol_rip_insn() of <= 3.15): point the scratch register at what rip would have been. */
function riprelPreXol(a: ArchUprobe, cpu: Cpu, utask: UTask): void {
  if (!(a.fixups & UPROBE_FIX_RIP_MASK)) return;
  const r = scratchReg(a.fixups);
  utask.savedScratch = cpu.getReg(r);
  const target = a.riprelSqueezed ? utask.vaddr + a.riprelTarget : utask.vaddr + a.ilen;
  cpu.setRegNum(r, target);
}

/** riprel_post_xol(): restore the scratch register. */
function riprelPostXol(a: ArchUprobe, cpu: Cpu, utask: UTask): void {
  if (a.fixups & UPROBE_FIX_RIP_MASK) cpu.setReg(scratchReg(a.fixups), utask.savedScratch);
}

/** default_pre_xol_op(). */
function defaultPreXolOp(a: ArchUprobe, cpu: Cpu, utask: UTask): void {
  riprelPreXol(a, cpu, utask);
}

/**
 * default_post_xol_op(): 0, or -ERESTART (the return-address push failed),
 * or -EFAULT (<= 3.15: adjust_ret_addr() failed, the task gets SIGILL).
 */
function defaultPostXolOp(a: ArchUprobe, cpu: Cpu, utask: UTask): number {
  riprelPostXol(a, cpu, utask);
  if (a.oldFixups) {
    // <= 3.15 (and call rel32 without emulation): one correction, applied to ip and to the pushed return address
    let correction = utask.vaddr - utask.xolVaddr;
    if (a.riprelSqueezed) correction += 4; // handle_riprel_post_xol(): the copy is 4 bytes shorter
    if (a.fixups & UPROBE_FIX_IP) cpu.rip += correction;
    if (a.fixups & UPROBE_FIX_CALL) {
      // adjust_ret_addr(): a sizeof_long word
      const sp = cpu.getRegNum(RSP);
      const mm = cpu.mem;
      const size = a.longSize;
      const ra = getUserLong(mm, sp, size);
      if (ra === undefined) return -E_FAULT;
      const v = ra + correction;
      if (putUserLong(mm, sp, size, v | 0, Math.floor(v / 4294967296) | 0)) return -E_FAULT;
    }
  } else if (a.fixups & UPROBE_FIX_IP) {
    cpu.rip += utask.vaddr - utask.xolVaddr;
  } else if (a.fixups & UPROBE_FIX_CALL) {
    cpu.setRegNum(RSP, cpu.getRegNum(RSP) + a.longSize); // pop the XOL return address
    if (!pushRetAddress(cpu, utask.vaddr + a.ilen, a.longSize)) return -E_RESTART;
  }
  if (a.fixups & UPROBE_FIX_SETF) utask.savedTf = true; // popf decides TF itself
  return 0;
}

/** default_abort_op(). */
function defaultAbortOp(a: ArchUprobe, cpu: Cpu, utask: UTask): void {
  riprelPostXol(a, cpu, utask);
}

/** __skip_sstep() of 3.8..3.14: 0x66* 0x90 skipped, ip advanced past it. */
function skipSstepOp(a: ArchUprobe, cpu: Cpu): boolean {
  cpu.rip += a.skipLen;
  return true;
}

/** arch_uprobe_skip_sstep() of 3.5: the NOP-like bytes are skipped but ip is NOT advanced (the task resumes at vaddr + 1). */
function legacySkipSstepOp(a: ArchUprobe, cpu: Cpu): boolean {
  void a;
  void cpu;
  return true;
}

export const branchXolOps: UprobeXolOps = { name: "branch/nop", emulate: branchEmulateOp, preXol: undefined, postXol: branchPostXolOp, abort: undefined };
/** push_xol_ops has no post_xol: ip is never fixed up after a stepped push (a latent kernel corner case, kept). */
export const pushXolOps: UprobeXolOps = { name: "push", emulate: pushEmulateOp, preXol: undefined, postXol: undefined, abort: undefined };
export const defaultXolOps: UprobeXolOps = { name: "default", emulate: undefined, preXol: defaultPreXolOp, postXol: defaultPostXolOp, abort: defaultAbortOp };
/** 3.8..3.14: the skip, else the default XOL step (the skip of 0x66* 0x90 never fails). */
export const skipSstepXolOps: UprobeXolOps = { name: "nop skip", emulate: skipSstepOp, preXol: defaultPreXolOp, postXol: defaultPostXolOp, abort: defaultAbortOp };
/** 3.5: the legacy skip, else the default XOL step. */
export const legacySkipSstepXolOps: UprobeXolOps = { name: "nop skip", emulate: legacySkipSstepOp, preXol: defaultPreXolOp, postXol: defaultPostXolOp, abort: defaultAbortOp };

/** arch_uprobe_skip_sstep(): ->emulate if the ops have one; false means single-step out of line. */
export function archUprobeSkipSstep(a: ArchUprobe, cpu: Cpu): boolean {
  const emulate = a.ops.emulate;
  return emulate !== undefined && emulate(a, cpu);
}

/** arch_uprobe_pre_xol(): ->pre_xol, then ip to the slot and TF set (its old value saved). */
export function archUprobePreXol(a: ArchUprobe, cpu: Cpu, utask: UTask): void {
  const pre = a.ops.preXol;
  if (pre !== undefined) pre(a, cpu, utask);
  cpu.rip = utask.xolVaddr;
  utask.savedTf = (cpu.fl.bits & TF) !== 0;
  cpu.fl.bits |= TF; // TF is kept in the materialized bits: the lazy arithmetic flags stay lazy
}

/**
 * arch_uprobe_post_xol(): ->post_xol, then the debugger's SIGTRAP and TF.
 * Returns 0 or the -errno for which the task gets SIGILL (-ERESTART is
 * turned into 0 with ip back at the probe).
 */
export function archUprobePostXol(hooks: UprobeArchContext, task: Task, a: ArchUprobe, utask: UTask): number {
  const cpu = task.proc.cpu;
  let sendSigtrap = utask.savedTf;
  let err = 0;
  const post = a.ops.postXol;
  if (post !== undefined) {
    err = post(a, cpu, utask);
    if (err) {
      cpu.rip = utask.vaddr; // restore ip for the restart or post-mortem analysis
      if (err === -E_RESTART) err = 0;
      sendSigtrap = false;
    }
  }
  if (sendSigtrap) hooks.sendSigtrap(task);
  if (!utask.savedTf) cpu.fl.bits &= ~TF;
  return err;
}

/** arch_uprobe_abort_xol(): ->abort, ip back to the probe, TF as it was. */
export function archUprobeAbortXol(a: ArchUprobe, cpu: Cpu, utask: UTask): void {
  const abort = a.ops.abort;
  if (abort !== undefined) abort(a, cpu, utask);
  cpu.rip = utask.vaddr;
  if (!utask.savedTf) cpu.fl.bits &= ~TF;
}
