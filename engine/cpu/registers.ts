// Register numbering and the mapping from iced-x86's Register enum.
//
// General-purpose registers use the x86 encoding order (rax=0 ... r15=15), the
// order of the kernel's pt_regs-independent ModRM numbering, so instruction
// analysis code can use ModRM fields directly.

import { Register } from "./iced.js";

/**
 * The GPR numbers as a const enum, which tsc inlines. Hot modules copy the
 * ones they use into module-local consts (`const RSP = Gpr.RSP`): V8 reads an
 * imported binding through its cell with a TDZ check on every use, which made
 * the stack instructions 25 % slower.
 */
export const enum Gpr {
  RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
  R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15,
}

export const RAX = Gpr.RAX, RCX = Gpr.RCX, RDX = Gpr.RDX, RBX = Gpr.RBX, RSP = Gpr.RSP, RBP = Gpr.RBP, RSI = Gpr.RSI, RDI = Gpr.RDI;
export const R8 = Gpr.R8, R9 = Gpr.R9, R10 = Gpr.R10, R11 = Gpr.R11, R12 = Gpr.R12, R13 = Gpr.R13, R14 = Gpr.R14, R15 = Gpr.R15;

export const GPR_NAMES = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"] as const;

export const enum RegClass {
  None = 0,
  Gpr = 1,
  Xmm = 2,
  Seg = 3,
  Other = 4,
  /** x87 stack register ST(num). */
  St = 5,
  /** MMX register mmN (the significand of x87 physical register RN). */
  Mm = 6,
}

export const SEG_ES = 0, SEG_CS = 1, SEG_SS = 2, SEG_DS = 3, SEG_FS = 4, SEG_GS = 5;

export interface RegInfo {
  cls: RegClass;
  /** GPR number, XMM index or segment number. */
  num: number;
  /** Size in bytes. */
  size: number;
  /** ah, ch, dh, bh: bits 8..15 of rax..rbx. */
  high8: boolean;
}

const NONE: RegInfo = { cls: RegClass.None, num: -1, size: 0, high8: false };
const table: RegInfo[] = [];

function build(): void {
  const names = Register as unknown as Record<string, number | string>;
  for (const key of Object.keys(names)) {
    const id = names[key];
    if (typeof id !== "number") continue;
    table[id] = classify(key);
  }
}

function classify(name: string): RegInfo {
  const g64 = ["RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI"];
  const g32 = ["EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"];
  const g16 = ["AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI"];
  const g8 = ["AL", "CL", "DL", "BL", "SPL", "BPL", "SIL", "DIL"];
  const h8 = ["AH", "CH", "DH", "BH"];
  const segs = ["ES", "CS", "SS", "DS", "FS", "GS"];
  let i: number;
  if ((i = g64.indexOf(name)) >= 0) return { cls: RegClass.Gpr, num: i, size: 8, high8: false };
  if ((i = g32.indexOf(name)) >= 0) return { cls: RegClass.Gpr, num: i, size: 4, high8: false };
  if ((i = g16.indexOf(name)) >= 0) return { cls: RegClass.Gpr, num: i, size: 2, high8: false };
  if ((i = g8.indexOf(name)) >= 0) return { cls: RegClass.Gpr, num: i, size: 1, high8: false };
  if ((i = h8.indexOf(name)) >= 0) return { cls: RegClass.Gpr, num: i, size: 1, high8: true };
  if ((i = segs.indexOf(name)) >= 0) return { cls: RegClass.Seg, num: i, size: 2, high8: false };
  let m: RegExpMatchArray | null;
  if ((m = /^R(\d+)$/.exec(name))) return { cls: RegClass.Gpr, num: +m[1]!, size: 8, high8: false };
  if ((m = /^R(\d+)D$/.exec(name))) return { cls: RegClass.Gpr, num: +m[1]!, size: 4, high8: false };
  if ((m = /^R(\d+)W$/.exec(name))) return { cls: RegClass.Gpr, num: +m[1]!, size: 2, high8: false };
  if ((m = /^R(\d+)L$/.exec(name))) return { cls: RegClass.Gpr, num: +m[1]!, size: 1, high8: false };
  if ((m = /^XMM(\d+)$/.exec(name))) return { cls: RegClass.Xmm, num: +m[1]!, size: 16, high8: false };
  if ((m = /^ST(\d)$/.exec(name))) return { cls: RegClass.St, num: +m[1]!, size: 10, high8: false };
  if ((m = /^MM(\d)$/.exec(name))) return { cls: RegClass.Mm, num: +m[1]!, size: 8, high8: false };
  if (name === "None") return NONE;
  return { cls: RegClass.Other, num: -1, size: 0, high8: false };
}

build();

export function regInfo(r: Register): RegInfo {
  return table[r] ?? NONE;
}
