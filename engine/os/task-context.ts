// The user register state of a task that is not on its process's CPU
// (struct pt_regs + the FPU state of struct thread_struct). A process has
// one Cpu (one translation cache per mm); its threads take turns on it, and
// the scheduler saves and restores this state at a context switch
// (__switch_to). Nothing here runs on the per-instruction path.

import type { Cpu } from "../cpu/cpu.js";
import { fxrstorX87, fxsaveX87 } from "../cpu/x87.js";

export interface TaskRegs {
  lo: Int32Array;
  hi: Int32Array;
  rip: number;
  rflags: number;
  xmm: Uint8Array;
  mxcsr: number;
  fsBase: number;
  gsBase: number;
  /** FXSAVE image of the x87 state. */
  x87: Uint8Array;
}

/** Copy the CPU's user state (switch-out), into `into` when given (no allocation per switch). */
export function saveRegs(cpu: Cpu, into?: TaskRegs): TaskRegs {
  if (into) {
    into.lo.set(cpu.lo);
    into.hi.set(cpu.hi);
    into.xmm.set(cpu.xmm.u8);
  }
  const r: TaskRegs = into ?? { lo: cpu.lo.slice(), hi: cpu.hi.slice(), rip: 0, rflags: 0, xmm: cpu.xmm.u8.slice(), mxcsr: 0, fsBase: 0, gsBase: 0, x87: new Uint8Array(512) };
  r.rip = cpu.rip;
  r.rflags = cpu.rflags;
  r.mxcsr = cpu.mxcsr;
  r.fsBase = cpu.fsBase;
  r.gsBase = cpu.gsBase;
  fxsaveX87(cpu, r.x87);
  return r;
}

/** Load a saved state into the CPU (switch-in). */
export function restoreRegs(cpu: Cpu, r: TaskRegs): void {
  cpu.lo.set(r.lo);
  cpu.hi.set(r.hi);
  cpu.rip = r.rip;
  cpu.rflags = r.rflags;
  cpu.xmm.u8.set(r.xmm);
  cpu.mxcsr = r.mxcsr;
  cpu.fsBase = r.fsBase;
  cpu.gsBase = r.gsBase;
  fxrstorX87(cpu, r.x87);
}

/** The registers a new image starts with (start_thread): zero, except ip, sp, IF and the FPU defaults. */
export function freshRegs(rip: number, sp: number): TaskRegs {
  const lo = new Int32Array(16), hi = new Int32Array(16);
  lo[4] = sp | 0;
  hi[4] = Math.floor(sp / 4294967296) | 0;
  const x87 = new Uint8Array(512);
  x87[0] = 0x7f; // FCW 0x037f (fninit)
  x87[1] = 0x03;
  return { lo, hi, rip, rflags: 0x202, xmm: new Uint8Array(18 * 16), mxcsr: 0x1f80, fsBase: 0, gsBase: 0, x87 };
}
