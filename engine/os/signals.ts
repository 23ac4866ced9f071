// Signals: numbers, default actions, and the x86-64 rt_sigframe that the
// kernel builds on the user stack for a handler (arch/x86/kernel/signal_64.c)
// and reads back in rt_sigreturn.

import type { Cpu } from "../cpu/cpu.js";
import { USER_FLAGS_MASK, Fl } from "../cpu/flags.js";
import { Gpr } from "../cpu/registers.js";
import { fxrstorX87, fxsaveX87 } from "../cpu/x87.js";
import { BUS_ADRERR, SEGV_ACCERR, SEGV_MAPERR } from "../mm/fault.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const DF = Fl.DF, TF = Fl.TF;
const RAX = Gpr.RAX, RDI = Gpr.RDI, RDX = Gpr.RDX, RSI = Gpr.RSI, RSP = Gpr.RSP;

export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8;
export const SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15;
export const SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23;
export const SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGSYS = 31;
export const NSIG = 64;

export const SI_USER = 0, SI_KERNEL = 0x80, SI_TKILL = -6;
export const ILL_ILLOPN = 2;
export const FPE_INTDIV = 1;
export { SEGV_ACCERR, SEGV_MAPERR }; // the page-fault codes are the memory manager's (mm/fault.ts)
export const TRAP_BRKPT = 1, TRAP_TRACE = 2;

export const SIG_DFL = 0;
export const SIG_IGN = 1;
export const SA_SIGINFO = 4, SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000, SA_RESTORER = 0x04000000;

const NAMES: Record<number, string> = {
  1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
  9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
  16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU",
  23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ", 26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO",
  30: "SIGPWR", 31: "SIGSYS",
};

export function signalName(sig: number): string {
  return NAMES[sig] ?? (sig >= 34 && sig <= 64 ? `SIGRT${sig - 34}` : `signal ${sig}`);
}

export function codeName(sig: number, code: number): string {
  if (code === SI_KERNEL) return "SI_KERNEL";
  if (code === SI_USER) return "SI_USER";
  if (code === SI_TKILL) return "SI_TKILL";
  switch (sig) {
    case SIGSEGV:
      return code === SEGV_MAPERR ? "SEGV_MAPERR" : code === SEGV_ACCERR ? "SEGV_ACCERR" : `code ${code}`;
    case SIGBUS:
      return code === BUS_ADRERR ? "BUS_ADRERR" : `code ${code}`;
    case SIGILL:
      return code === ILL_ILLOPN ? "ILL_ILLOPN" : `code ${code}`;
    case SIGFPE:
      return code === FPE_INTDIV ? "FPE_INTDIV" : `code ${code}`;
    case SIGTRAP:
      return code === TRAP_BRKPT ? "TRAP_BRKPT" : code === TRAP_TRACE ? "TRAP_TRACE" : `code ${code}`;
    default:
      return `code ${code}`;
  }
}

export type DefaultAction = "term" | "core" | "ignore" | "stop";

export function defaultAction(sig: number): DefaultAction {
  switch (sig) {
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE: case SIGSEGV:
    case SIGXCPU: case SIGXFSZ: case SIGSYS:
      return "core";
    case SIGCHLD: case SIGURG: case SIGWINCH: case SIGCONT:
      return "ignore";
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
      return "stop";
    default:
      return "term";
  }
}

export interface SigAction {
  handler: number;
  flags: number;
  restorer: number;
  mask: bigint;
}

export interface SigInfo {
  signo: number;
  code: number;
  /** si_addr for fault signals. */
  addr: number;
  pid?: number;
  /** Raised by the kernel for a fault in the current instruction: cannot be blocked or ignored. */
  forced: boolean;
  /** The instruction at fault (for the death report). */
  ip: number;
}

export function sigBit(sig: number): bigint {
  return 1n << BigInt(sig - 1);
}

/** Size of struct rt_sigframe: pretcode (8) + ucontext (304) + siginfo (128). */
const FRAME_SIZE = 8 + 304 + 128;
const UC_MCONTEXT = 40;
const UC_SIGMASK = 296;
const FPSTATE_SIZE = 512;

/** AT_MINSIGSTKSZ: init_sigframe_size() with an FXSAVE-only FPU: frame + 15 + fpstate + 63, rounded up to 16. */
export const SIGFRAME_SIZE = Math.ceil((FRAME_SIZE + 15 + FPSTATE_SIZE + 63) / 16) * 16;

/** pt_regs order inside sigcontext: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp. */
const SIGCONTEXT_REGS = [8, 9, 10, 11, 12, 13, 14, 15, 7, 6, 5, 3, 2, 0, 1, 4];

export interface AltStack {
  sp: number;
  size: number;
  flags: number;
}

/** Build the frame and point the CPU at the handler (setup_rt_frame). Returns false if the stack is unwritable. */
export function setupRtFrame(cpu: Cpu, info: SigInfo, act: SigAction, oldMask: bigint, alt: AltStack | undefined, trapno: number): boolean {
  const mem = cpu.mem;
  let sp = cpu.getRegNum(RSP);
  if (act.flags & SA_ONSTACK && alt && alt.size > 0 && !(sp > alt.sp && sp <= alt.sp + alt.size)) sp = alt.sp + alt.size;
  sp -= 128; // the red zone is preserved
  const fpstate = Math.floor((sp - FPSTATE_SIZE) / 64) * 64;
  const frame = Math.floor((fpstate - FRAME_SIZE) / 16) * 16 - 8;
  const buf = new Uint8Array(FRAME_SIZE);
  const dv = new DataView(buf.buffer);
  const put64 = (off: number, v: number | bigint): void => dv.setBigUint64(off, BigInt.asUintN(64, BigInt(v)), true);
  put64(0, act.restorer);
  const uc = 8;
  put64(uc + 0, 0x6); // uc_flags: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS
  put64(uc + 8, 0);
  put64(uc + 16, alt ? alt.sp : 0);
  dv.setInt32(uc + 24, alt ? alt.flags : 2 /* SS_DISABLE */, true);
  put64(uc + 32, alt ? alt.size : 0);
  const mc = uc + UC_MCONTEXT;
  SIGCONTEXT_REGS.forEach((r, i) => put64(mc + i * 8, cpu.getReg(r)));
  put64(mc + 128, cpu.rip < 0 ? BigInt.asUintN(64, BigInt(cpu.rip)) : cpu.rip);
  put64(mc + 136, cpu.rflags);
  dv.setUint16(mc + 144, 0x33, true); // cs
  dv.setUint16(mc + 150, 0x2b, true); // ss
  put64(mc + 152, 0); // err
  put64(mc + 160, trapno);
  put64(mc + 168, Number(oldMask & 0xffffffffn));
  put64(mc + 176, info.signo === SIGSEGV ? info.addr : 0); // cr2
  put64(mc + 184, fpstate);
  put64(uc + UC_SIGMASK, oldMask);
  const si = 8 + 304;
  dv.setInt32(si, info.signo, true);
  dv.setInt32(si + 4, 0, true);
  dv.setInt32(si + 8, info.code, true);
  if (info.pid !== undefined) {
    dv.setInt32(si + 16, info.pid, true);
    dv.setInt32(si + 20, 1000, true);
  } else put64(si + 16, info.addr < 0 ? BigInt.asUintN(64, BigInt(info.addr)) : info.addr);
  try {
    mem.writeBytes(frame, buf);
    mem.writeBytes(fpstate, saveFxState(cpu));
  } catch {
    return false;
  }
  cpu.setRegNum(RSP, frame);
  cpu.setRegNum(RDI, info.signo);
  cpu.setRegNum(RSI, frame + si);
  cpu.setRegNum(RDX, frame + uc);
  cpu.setRegNum(RAX, 0);
  cpu.rip = act.handler;
  cpu.rflags = cpu.rflags & ~(DF | TF);
  return true;
}

/** 512-byte FXSAVE image: the x87 state, mxcsr and the XMM registers (what handlers may clobber). */
function saveFxState(cpu: Cpu): Uint8Array {
  const b = new Uint8Array(FPSTATE_SIZE);
  const dv = new DataView(b.buffer);
  fxsaveX87(cpu, b);
  dv.setUint32(24, cpu.mxcsr, true);
  dv.setUint32(28, 0xffff, true);
  b.set(cpu.xmm.u8.subarray(0, 256), 160);
  return b;
}

/** rt_sigreturn: restore registers, flags and the signal mask from the frame at rsp. Returns the mask, or undefined if the frame is unreadable. */
export function restoreRtFrame(cpu: Cpu): bigint | undefined {
  const mem = cpu.mem;
  const uc = cpu.getRegNum(RSP); // the handler's ret popped pretcode
  let buf: Uint8Array;
  try {
    buf = mem.readBytes(uc, 304);
  } catch {
    return undefined;
  }
  const dv = new DataView(buf.buffer);
  const mc = UC_MCONTEXT;
  SIGCONTEXT_REGS.forEach((r, i) => cpu.setReg(r, dv.getBigUint64(mc + i * 8, true)));
  cpu.rip = Number(BigInt.asIntN(64, dv.getBigUint64(mc + 128, true)));
  const flags = Number(dv.getBigUint64(mc + 136, true) & 0xffffffffn);
  cpu.rflags = (cpu.rflags & ~USER_FLAGS_MASK) | (flags & USER_FLAGS_MASK);
  const fpstate = Number(dv.getBigUint64(mc + 184, true));
  if (fpstate) {
    try {
      const fx = mem.readBytes(fpstate, FPSTATE_SIZE);
      fxrstorX87(cpu, fx);
      cpu.mxcsr = new DataView(fx.buffer).getUint32(24, true);
      cpu.xmm.u8.set(fx.subarray(160, 160 + 256), 0);
    } catch {
      return undefined;
    }
  }
  return dv.getBigUint64(UC_SIGMASK, true);
}
