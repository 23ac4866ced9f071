// The signal frames of a 32-bit (compat) task (arch/x86/kernel/signal_32.c:
// ia32_setup_frame, ia32_setup_rt_frame, and the sigreturn / rt_sigreturn
// that read them back), and compat rt_sigaction's struct layout.
//
// struct sigframe_ia32    { u32 pretcode; int sig; sigcontext_32 sc; ... u32 extramask; char retcode[8]; }
// struct rt_sigframe_ia32 { u32 pretcode; int sig; u32 pinfo; u32 puc; compat_siginfo info; ucontext_ia32 uc; char retcode[8]; }
//
// The FPU state follows the frame as a 512-byte FXSAVE image (the kernel
// writes the fsave header of struct _fpstate_32 before it; nothing in the
// guest reads that header, and sigreturn reads back what we wrote). The
// handler gets the signal number on the stack (cdecl), and for SA_SIGINFO
// pointers to the siginfo and ucontext; it returns into pretcode (glibc's
// __restore / __restore_rt, SA_RESTORER), which makes the sigreturn call.

import type { Cpu } from "../cpu/cpu.js";
import { Fl, USER_FLAGS_MASK } from "../cpu/flags.js";
import { fxrstorX87, fxsaveX87 } from "../cpu/x87.js";
import { SA_ONSTACK, SA_SIGINFO, SIGKILL, SIGSEGV, SIGSTOP, sigBit, type AltStack, type SigAction, type SigInfo } from "./signals.js";
import { EINVAL } from "../errno.js";
import { copyIn, copyOut, type SyscallContext } from "./syscalls.js";

const DF = Fl.DF, TF = Fl.TF;
const FPSTATE_SIZE = 512;
const SC_SIZE = 88;
/** sigcontext_32 register slots: edi esi ebp esp ebx edx ecx eax at 16.., by GPR number. */
const SC_GPRS: [number, number][] = [[7, 16], [6, 20], [5, 24], [4, 28], [3, 32], [2, 36], [1, 40], [0, 44]];

/** Fill a sigcontext_32 at off in dv. */
function putSigcontext(cpu: Cpu, dv: DataView, off: number, trapno: number, mask: bigint, fpstate: number, cr2: number): void {
  const s = cpu.selectors;
  dv.setUint32(off + 0, s[5]!, true); // gs
  dv.setUint32(off + 4, s[4]!, true);
  dv.setUint32(off + 8, s[0]!, true);
  dv.setUint32(off + 12, s[3]!, true);
  for (const [r, o] of SC_GPRS) dv.setUint32(off + o, cpu.lo[r]! >>> 0, true);
  dv.setUint32(off + 48, trapno, true);
  dv.setUint32(off + 56, cpu.rip >>> 0, true);
  dv.setUint32(off + 60, s[1]!, true);
  dv.setUint32(off + 64, cpu.rflags >>> 0, true);
  dv.setUint32(off + 68, cpu.lo[4]! >>> 0, true); // esp_at_signal
  dv.setUint32(off + 72, s[2]!, true);
  dv.setUint32(off + 76, fpstate >>> 0, true);
  dv.setUint32(off + 80, Number(mask & 0xffffffffn), true); // oldmask
  dv.setUint32(off + 84, cr2 >>> 0, true);
}

function fxImage(cpu: Cpu): Uint8Array {
  const b = new Uint8Array(FPSTATE_SIZE);
  fxsaveX87(cpu, b);
  new DataView(b.buffer).setUint32(24, cpu.mxcsr, true);
  new DataView(b.buffer).setUint32(28, 0xffff, true);
  b.set(cpu.xmm.u8.subarray(0, 128), 160); // xmm0-7: the registers of 32-bit mode
  return b;
}

/**
 * Build the frame for the handler (ia32_setup_rt_frame with SA_SIGINFO, ia32_setup_frame
 * without) and point the CPU at it. false if the stack cannot be written (the caller forces SIGSEGV).
 */
export function setupIa32Frame(cpu: Cpu, info: SigInfo, act: SigAction, oldMask: bigint, alt: AltStack | undefined, trapno: number): boolean {
  let sp = cpu.lo[4]! >>> 0;
  if (act.flags & SA_ONSTACK && alt && alt.size > 0 && !(sp > alt.sp && sp <= alt.sp + alt.size)) sp = alt.sp + alt.size;
  // get_sigframe: the fpstate below sp, 64-byte aligned, then the frame, so that ((sp + 4) & 15) == 0 at the handler
  const fpstate = Math.floor((sp - FPSTATE_SIZE) / 64) * 64;
  const rt = (act.flags & SA_SIGINFO) !== 0;
  const size = rt ? 268 : 108;
  const frame = Math.floor((fpstate - size) / 16) * 16 - 4;
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  const cr2 = info.signo === SIGSEGV ? info.addr : 0;
  dv.setUint32(0, act.restorer >>> 0, true); // pretcode (SA_RESTORER: glibc always sets it)
  dv.setInt32(4, info.signo, true);
  if (rt) {
    dv.setUint32(8, frame + 16, true); // pinfo
    dv.setUint32(12, frame + 144, true); // puc
    dv.setInt32(16, info.signo, true);
    dv.setInt32(20, 0, true);
    dv.setInt32(24, info.code, true);
    if (info.pid !== undefined) {
      dv.setInt32(28, info.pid, true);
      dv.setInt32(32, 1000, true);
    } else dv.setUint32(28, info.addr >>> 0, true);
    const uc = 144;
    dv.setUint32(uc + 8, alt ? alt.sp : 0, true);
    dv.setInt32(uc + 12, alt ? alt.flags : 2 /* SS_DISABLE */, true);
    dv.setUint32(uc + 16, alt ? alt.size : 0, true);
    putSigcontext(cpu, dv, uc + 20, trapno, oldMask, fpstate, cr2);
    dv.setBigUint64(uc + 20 + SC_SIZE, oldMask, true); // uc_sigmask
  } else {
    putSigcontext(cpu, dv, 8, trapno, oldMask, fpstate, cr2);
    dv.setUint32(96, Number((oldMask >> 32n) & 0xffffffffn), true); // extramask
  }
  try {
    cpu.mem.writeBytes(frame, buf);
    cpu.mem.writeBytes(fpstate, fxImage(cpu));
  } catch {
    return false;
  }
  cpu.lo[4] = frame;
  // regparm(3) handlers: eax = sig, edx = &info, ecx = &uc (the kernel sets them for both frames)
  cpu.lo[0] = info.signo;
  cpu.lo[2] = rt ? frame + 16 : 0;
  cpu.lo[1] = rt ? frame + 144 : 0;
  cpu.rip = act.handler >>> 0;
  cpu.rflags = cpu.rflags & ~(DF | TF);
  return true;
}

/** ia32_restore_sigcontext: registers, flags and the FPU state from a sigcontext_32. false if unreadable. */
function restoreSigcontext(cpu: Cpu, sc: number): boolean {
  let b: Uint8Array;
  try {
    b = cpu.mem.readBytes(sc, SC_SIZE);
  } catch {
    return false;
  }
  const dv = new DataView(b.buffer);
  for (const [r, o] of SC_GPRS) {
    cpu.lo[r] = dv.getUint32(o, true);
    cpu.hi[r] = 0;
  }
  cpu.rip = dv.getUint32(56, true);
  const flags = dv.getUint32(64, true);
  cpu.rflags = (cpu.rflags & ~USER_FLAGS_MASK) | (flags & USER_FLAGS_MASK);
  const fp = dv.getUint32(76, true);
  if (fp) {
    try {
      const fx = cpu.mem.readBytes(fp, FPSTATE_SIZE);
      fxrstorX87(cpu, fx);
      cpu.mxcsr = new DataView(fx.buffer).getUint32(24, true);
      cpu.xmm.u8.set(fx.subarray(160, 160 + 128), 0);
    } catch {
      return false;
    }
  }
  return true;
}

const UNBLOCKABLE = sigBit(SIGKILL) | sigBit(SIGSTOP);

/** Restore the sigcontext at sc and the mask (SIGSEGV if either is unreadable). */
function sigreturnFrom(c: SyscallContext, sc: number, readMask: () => bigint): "noreturn" {
  let mask: bigint;
  try {
    mask = readMask();
  } catch {
    c.kernel.forceSegv(c.task, c.cpu.rip);
    return "noreturn";
  }
  if (!restoreSigcontext(c.cpu, sc)) c.kernel.forceSegv(c.task, c.cpu.rip);
  else c.task.sigmask = mask & ~UNBLOCKABLE;
  return "noreturn";
}

/** sigreturn (119): the handler's ret popped pretcode, __restore popped sig: esp - 8 is the sigframe; the mask is sc.oldmask and extramask. */
export function compatSigreturn(c: SyscallContext): "noreturn" {
  const frame = ((c.cpu.lo[4]! >>> 0) - 8) >>> 0;
  return sigreturnFrom(c, frame + 8, () => {
    const dv = new DataView(c.cpu.mem.readBytes(frame + 8, 92).buffer);
    return BigInt(dv.getUint32(80, true)) | (BigInt(dv.getUint32(88, true)) << 32n);
  });
}

/** rt_sigreturn (173): the handler's ret popped pretcode: esp - 4 is the rt_sigframe; the mask is uc_sigmask. */
export function compatRtSigreturn(c: SyscallContext): "noreturn" {
  const uc = ((c.cpu.lo[4]! >>> 0) - 4 + 144) >>> 0;
  return sigreturnFrom(c, uc + 20, () => new DataView(c.cpu.mem.readBytes(uc + 20 + SC_SIZE, 8).buffer).getBigUint64(0, true));
}

/** compat rt_sigaction: struct sigaction32 { u32 handler; u32 flags; u32 restorer; u64 mask }. */
export function compatSigaction(c: SyscallContext, a: number[]): number {
  const sig = a[0]! | 0, act = a[1]!, oact = a[2]!;
  if (sig < 1 || sig > 64 || ((sig === SIGKILL || sig === SIGSTOP) && act)) return -EINVAL;
  const hand = c.task.proc.sighand;
  const old = hand[sig]!;
  if (oact) {
    const b = new Uint8Array(20);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, old.handler >>> 0, true);
    dv.setUint32(4, old.flags >>> 0, true);
    dv.setUint32(8, old.restorer >>> 0, true);
    dv.setBigUint64(12, old.mask, true);
    const r = copyOut(c, oact, b);
    if (r) return r;
  }
  if (act) {
    const raw = copyIn(c, act, 20);
    if (typeof raw === "number") return raw;
    const dv = new DataView(raw.buffer, raw.byteOffset);
    hand[sig] = { handler: dv.getUint32(0, true), flags: dv.getUint32(4, true), restorer: dv.getUint32(8, true), mask: dv.getBigUint64(12, true) & ~UNBLOCKABLE };
  }
  return 0;
}
