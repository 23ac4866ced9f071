// The per-class ops tables of arch/x86/kernel/uprobes.c (struct
// uprobe_xol_ops): emulate, pre_xol, post_xol, abort.
//
//   branch_xol_ops  { emulate: branch_emulate_op, post_xol: branch_post_xol_op }
//   push_xol_ops    { emulate: push_emulate_op }
//   default_xol_ops { pre_xol: default_pre_xol_op, post_xol: default_post_xol_op, abort: default_abort_op }
//
// plus the pre-3.15 NOP skips (__skip_sstep), which are the emulate of their
// time. They operate on the task's registers as the kernel's pt_regs.

import type { Cpu } from "../cpu/cpu.js";
import { Fl } from "../cpu/flags.js";
import { Gpr } from "../cpu/registers.js";
import {
  UPROBE_FIX_CALL, UPROBE_FIX_IP, UPROBE_FIX_RIP_AX, UPROBE_FIX_RIP_BX, UPROBE_FIX_RIP_CX, UPROBE_FIX_RIP_DI,
  UPROBE_FIX_RIP_MASK, UPROBE_FIX_RIP_SI, UPROBE_FIX_SETF, type ArchUprobe,
} from "./analyze.js";
import type { UTask } from "./state.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const CF = Fl.CF, OF = Fl.OF, PF = Fl.PF, SF = Fl.SF, ZF = Fl.ZF;
const RAX = Gpr.RAX, RBX = Gpr.RBX, RCX = Gpr.RCX, RDI = Gpr.RDI, RSI = Gpr.RSI, RSP = Gpr.RSP;

/** -ERESTART: restart at the probe address (the hit is taken again). */
export const ERESTART = 85;
export const EFAULT = 14;

/** emulate_push_stack(): copy_to_user of one word below sp; false if the write faults. */
export function emulatePushStack(cpu: Cpu, val: number): boolean {
  const sp = cpu.getRegNum(RSP);
  try {
    cpu.mem.write64(sp - 8, val | 0, Math.floor(val / 4294967296) | 0);
  } catch {
    return false;
  }
  cpu.setRegNum(RSP, sp - 8);
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
function branchEmulate(a: ArchUprobe, cpu: Cpu): boolean {
  const newIp = cpu.rip + a.ilen;
  let offs = a.offs;
  if (a.opc1 === 0xe8) {
    if (!emulatePushStack(cpu, newIp)) return false;
  } else if (!checkJmpCond(a.opc1, cpu.rflags)) offs = 0;
  // No canonical check: a non-canonical target faults on the way back to user mode (#GP at the target).
  cpu.rip = newIp + offs;
  return true;
}

/** push_emulate_op(): push the register's value as it was before sp moves (push %rsp pushes the old rsp). */
function pushEmulate(a: ArchUprobe, cpu: Cpu): boolean {
  const sp = cpu.getRegNum(RSP);
  try {
    cpu.mem.write64(sp - 8, cpu.lo[a.pushReg]!, cpu.hi[a.pushReg]!);
  } catch {
    return false;
  }
  cpu.setRegNum(RSP, sp - 8);
  cpu.rip += a.ilen;
  return true;
}

/** ->emulate of the instruction's ops (arch_uprobe_skip_sstep's __skip_sstep); false: single-step instead. */
export function emulate(a: ArchUprobe, cpu: Cpu): boolean {
  switch (a.ops) {
    case "branch":
      return branchEmulate(a, cpu);
    case "push":
      return pushEmulate(a, cpu);
    default:
      if (a.skipLen > 0) {
        // 3.8..3.14 __skip_sstep(): 0x66* 0x90 skipped, ip advanced past it
        cpu.rip += a.skipLen;
        return true;
      }
      // 3.5 arch_uprobe_skip_sstep(): NOP-like bytes skipped, ip NOT advanced (resumes at vaddr + 1)
      return a.legacySkip;
  }
}

function scratchReg(fixups: number): number {
  if (fixups & UPROBE_FIX_RIP_SI) return RSI;
  if (fixups & UPROBE_FIX_RIP_DI) return RDI;
  if (fixups & UPROBE_FIX_RIP_BX) return RBX;
  if (fixups & UPROBE_FIX_RIP_AX) return RAX;
  return RCX;
}

/** default_pre_xol_op() / riprel_pre_xol(): point the scratch register at what rip would have been. */
export function preXol(a: ArchUprobe, cpu: Cpu, utask: UTask): void {
  if (a.ops !== "default" || !(a.fixups & UPROBE_FIX_RIP_MASK)) return;
  const r = scratchReg(a.fixups);
  utask.savedScratch = cpu.getReg(r);
  const target = a.riprelSqueezed ? utask.vaddr + a.riprelTarget : utask.vaddr + a.ilen;
  cpu.setRegNum(r, target);
}

function riprelPostXol(a: ArchUprobe, cpu: Cpu, utask: UTask): void {
  if (a.fixups & UPROBE_FIX_RIP_MASK) cpu.setReg(scratchReg(a.fixups), utask.savedScratch);
}

/**
 * ->post_xol: returns 0, or ERESTART (restart at vaddr), or EFAULT (old
 * kernels: the return-address fixup failed, the task gets SIGILL).
 */
export function postXol(a: ArchUprobe, cpu: Cpu, utask: UTask): number {
  if (a.ops === "branch") {
    // branch_post_xol_op: the mangled "call +0" copy ran because the emulated push failed and then succeeded
    cpu.setRegNum(RSP, cpu.getRegNum(RSP) + 8);
    return ERESTART;
  }
  if (a.ops === "push") return 0; // push_xol_ops has no post_xol: ip is never fixed up (latent kernel corner case)
  riprelPostXol(a, cpu, utask);
  if (a.oldFixups) {
    // <= 3.15 (and call rel32 without emulation): one correction, applied to ip and to the pushed return address
    let correction = utask.vaddr - utask.xolVaddr;
    if (a.riprelSqueezed) correction += 4;
    if (a.fixups & UPROBE_FIX_IP) cpu.rip += correction;
    if (a.fixups & UPROBE_FIX_CALL) {
      const sp = cpu.getRegNum(RSP);
      try {
        const lo = cpu.mem.read64(sp);
        const ret = cpu.mem.hi * 4294967296 + (lo >>> 0) + correction;
        cpu.mem.write64(sp, ret | 0, Math.floor(ret / 4294967296) | 0);
      } catch {
        return EFAULT;
      }
    }
  } else if (a.fixups & UPROBE_FIX_IP) {
    cpu.rip += utask.vaddr - utask.xolVaddr;
  } else if (a.fixups & UPROBE_FIX_CALL) {
    cpu.setRegNum(RSP, cpu.getRegNum(RSP) + 8); // pop the XOL return address
    if (!emulatePushStack(cpu, utask.vaddr + a.ilen)) return ERESTART;
  }
  if (a.fixups & UPROBE_FIX_SETF) utask.savedTf = true; // popf decides TF itself
  return 0;
}

/** ->abort (default_abort_op): restore the scratch register. */
export function abortXol(a: ArchUprobe, cpu: Cpu, utask: UTask): void {
  if (a.ops === "default") riprelPostXol(a, cpu, utask);
}
