// clone, clone3, waitpid/wait4 and the robust list for a compat (i386) task.
// kernel_clone is the 64-bit one (clone.ts); what differs is the argument
// order of the i386 clone (flags, newsp, parent_tidptr, tls, child_tidptr:
// CONFIG_CLONE_BACKWARDS) and what CLONE_SETTLS means: copy_thread sees
// in_ia32_syscall() and calls do_set_thread_area(child, -1, tls, 0), so tls
// is a `struct user_desc *` whose entry goes into the child's own TLS slots,
// and the child's %gs (glibc's selector 0x63) reaches that base.

import { EINVAL, ESRCH } from "../errno.js";
import { Gpr } from "../cpu/registers.js";
import { SEG_GS } from "../cpu/registers.js";
import { sysClone, sysClone3 } from "./clone.js";
import { sysWait4, sysWaitid } from "./wait.js";
import { siginfoToCompat } from "./siginfo-i386.js";
import { copyIn, copyOut, type SyscallContext } from "./syscalls.js";
import { readUserDesc, tlsSlotIndex } from "./tls-i386.js";

const CLONE_SETTLS = 0x80000;

/** do_set_thread_area(p, -1, u_info, can_allocate = 0): the slot and base, or a negative errno. */
function cloneTls(c: SyscallContext, ptr: number): { idx: number; base: number } | number {
  const d = readUserDesc(c, ptr);
  if (typeof d === "number") return d;
  const idx = tlsSlotIndex(d.entry);
  return idx < 0 ? -EINVAL : { idx, base: d.base };
}

/** The child's registers after kernel_clone: its %gs base from its new TLS slot; %fs as its creator's. */
function setChildTls(c: SyscallContext, tid: number, tls: { idx: number; base: number }): void {
  const t = c.kernel.findTask(tid);
  if (!t) return;
  const gsSel = c.cpu.selectors[SEG_GS]!;
  const gsBase = gsSel >> 3 === tls.idx && (gsSel & 7) === 3 ? tls.base : c.cpu.gsBase;
  const fsBase = c.cpu.fsBase;
  if (t.proc.onCpu === t && t.proc.cpu !== c.cpu) {
    t.proc.cpu.gsBase = gsBase;
    t.proc.cpu.fsBase = fsBase;
    t.proc.cpu.tls.set(tls.idx, tls.base);
  } else if (t.regs) {
    t.regs.gsBase = gsBase;
    t.regs.fsBase = fsBase;
  }
}

/** The new tid of a kernel_clone result ("noreturn": a vfork parent asleep, the pid already in eax). */
function childTid(c: SyscallContext, r: number | "noreturn"): number {
  return r === "noreturn" ? c.cpu.getRegNum(Gpr.RAX) : r;
}

function withTls(c: SyscallContext, tlsPtr: number | undefined, run: () => number | "noreturn"): number | "noreturn" {
  if (tlsPtr === undefined) return run();
  const tls = cloneTls(c, tlsPtr);
  if (typeof tls === "number") return tls;
  const r = run();
  const tid = childTid(c, r);
  if (tid > 0) setChildTls(c, tid, tls);
  return r;
}

/** i386 clone(flags, newsp, parent_tidptr, tls, child_tidptr). */
export function compatClone(c: SyscallContext, a: number[]): number | "noreturn" {
  const [flags, sp, ptid, tls, ctid] = a as [number, number, number, number, number];
  const settls = (flags >>> 0) & CLONE_SETTLS ? tls : undefined;
  return withTls(c, settls, () => sysClone(c, [flags, sp, ptid, ctid, tls]));
}

/** i386 clone3: struct clone_args is the same in both ABIs (all __aligned_u64); its tls is a user_desc pointer. */
export function compatClone3(c: SyscallContext, a: number[]): number | "noreturn" {
  const raw = a[1]! >= 64 ? copyIn(c, a[0]!, 64) : undefined;
  if (typeof raw === "number") return raw;
  let settls: number | undefined;
  if (raw) {
    const dv = new DataView(raw.buffer, raw.byteOffset);
    if (Number(dv.getBigUint64(0, true) & BigInt(CLONE_SETTLS))) settls = Number(dv.getBigUint64(56, true) & 0xffffffffn);
  }
  return withTls(c, settls, () => sysClone3(c, a));
}

/** struct compat_rusage: two old_timeval32 and fourteen compat_longs. */
const COMPAT_RUSAGE_SIZE = 72;

/** i386 wait4(pid, status, options, compat_rusage *): the child's usage is not modelled (zero), as on x86-64. */
export function compatWait4(c: SyscallContext, a: number[]): number | "noreturn" {
  const r = sysWait4(c, [a[0]!, a[1]!, a[2]!, 0]);
  if (typeof r === "number" && r > 0 && a[3]) {
    const w = copyOut(c, a[3]!, new Uint8Array(COMPAT_RUSAGE_SIZE));
    if (w) return w;
  }
  return r;
}

/** i386 waitid(idtype, id, compat_siginfo *, options, compat_rusage *). */
export function compatWaitid(c: SyscallContext, a: number[]): number | "noreturn" {
  const r = sysWaitid(c, [a[0]!, a[1]!, a[2]!, a[3]!, 0]);
  if (r !== 0) return r;
  if (a[2]) {
    const w = siginfoToCompat(c, a[2]!);
    if (w) return w;
  }
  return a[4] ? copyOut(c, a[4]!, new Uint8Array(COMPAT_RUSAGE_SIZE)) : 0;
}

/** sizeof(struct compat_robust_list_head): next, futex_offset, list_op_pending, 4 bytes each. */
const COMPAT_ROBUST_HEAD_SIZE = 12;

/** compat_sys_set_robust_list: the head lives in compat_robust_list; exit walks it with 4-byte words. */
export function compatSetRobustList(c: SyscallContext, a: number[]): number {
  if (a[1]! !== COMPAT_ROBUST_HEAD_SIZE) return -EINVAL;
  c.task.robustList = a[0]!;
  return 0;
}

/** compat_sys_get_robust_list(pid, compat_uptr_t *head, compat_size_t *len). */
export function compatGetRobustList(c: SyscallContext, a: number[]): number {
  const pid = a[0]! | 0;
  const t = pid === 0 ? c.task : c.kernel.findTask(pid);
  if (!t) return -ESRCH;
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, t.robustList >>> 0, true);
  const r = copyOut(c, a[1]!, b);
  if (r) return r;
  new DataView(b.buffer).setUint32(0, COMPAT_ROBUST_HEAD_SIZE, true);
  return copyOut(c, a[2]!, b);
}

