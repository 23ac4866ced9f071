// futex(2) (kernel/futex/): wait queues keyed by (mm, address), woken in
// FIFO order (the kernel's plist at one priority); WAIT, WAKE, the bitset
// forms, REQUEUE, CMP_REQUEUE and WAKE_OP, with timeouts on the virtual
// clock; and the robust-list walk at thread exit (exit_robust_list).

import { EAGAIN, EFAULT, EINVAL, ENOSYS, ETIMEDOUT } from "../errno.js";
import { ERESTART_RESTARTBLOCK, ERESTARTSYS } from "./restart.js";
import type { AddressSpace } from "../mm/address-space.js";
import type { Linux } from "./linux.js";
import type { SyscallContext } from "./syscalls.js";
import type { Task } from "./task.js";

const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5;
const FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10;
const FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
const FUTEX_BITSET_MATCH_ANY = -1;
const FUTEX_WAITERS = 0x80000000, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;
/** ROBUST_LIST_LIMIT: at most this many entries are walked (a loop in the list cannot hang exit). */
const ROBUST_LIST_LIMIT = 2048;

interface Waiter {
  task: Task;
  bitset: number;
  addr: number;
}

/** Wait queues of each mm, by address. */
const queues = new WeakMap<AddressSpace, Map<number, Waiter[]>>();

function queueOf(mm: AddressSpace, addr: number, create: boolean): Waiter[] | undefined {
  let m = queues.get(mm);
  if (!m) {
    if (!create) return undefined;
    queues.set(mm, (m = new Map()));
  }
  let q = m.get(addr);
  if (!q && create) m.set(addr, (q = []));
  return q;
}

function dropWaiter(mm: AddressSpace, w: Waiter): void {
  const q = queueOf(mm, w.addr, false);
  if (!q) return;
  const i = q.indexOf(w);
  if (i >= 0) q.splice(i, 1);
  if (q.length === 0) queues.get(mm)!.delete(w.addr);
}

/** futex_wake: wake up to n waiters on addr whose bitset matches, oldest first. Returns how many. */
export function futexWake(k: Linux, mm: AddressSpace, addr: number, n: number, bitset: number): number {
  const q = queueOf(mm, addr, false);
  if (!q) return 0;
  let woken = 0;
  for (const w of [...q]) {
    if (woken >= n) break;
    if ((w.bitset & bitset) === 0) continue;
    k.sched.wake(w.task, 0); // the wait's cancel takes it off the queue
    woken++;
  }
  return woken;
}

/** Read a timespec at addr as ps (undefined: no timeout), or a negative errno. */
function timeoutPs(c: SyscallContext, addr: number, time32: boolean): number | undefined {
  if (!addr) return undefined;
  let sec: number, nsec: number;
  try {
    const b = c.cpu.mem.readBytes(addr, time32 ? 8 : 16);
    const dv = new DataView(b.buffer, b.byteOffset);
    sec = time32 ? dv.getInt32(0, true) : Number(dv.getBigInt64(0, true));
    nsec = time32 ? dv.getInt32(4, true) : Number(dv.getBigInt64(8, true));
  } catch {
    return -EFAULT;
  }
  if (sec < 0 || nsec < 0 || nsec >= 1e9) return -EINVAL;
  return (sec * 1e9 + nsec) * 1000;
}

function load32(c: SyscallContext, addr: number): number | undefined {
  if (addr % 4 !== 0) return undefined;
  try {
    return c.cpu.mem.read32(addr) | 0;
  } catch {
    return undefined;
  }
}

/** futex_wait: block while *addr == val (the check and the queueing are atomic: one task runs at a time). */
function futexWait(c: SyscallContext, addr: number, val: number, bitset: number, deadlinePs: number | undefined): number | "noreturn" {
  const cur = load32(c, addr);
  if (cur === undefined) return addr % 4 ? -EINVAL : -EFAULT;
  if (cur !== (val | 0)) return -EAGAIN;
  if (deadlinePs !== undefined && deadlinePs <= c.kernel.nowPs()) return -ETIMEDOUT;
  const mm = c.task.proc.mm;
  const w: Waiter = { task: c.task, bitset, addr };
  queueOf(mm, addr, true)!.push(w);
  c.kernel.sched.block(c.task, {
    kind: "futex",
    what: `0x${addr.toString(16)}`,
    deadlinePs,
    timeoutResult: -ETIMEDOUT,
    // futex_wait: untimed, -ERESTARTSYS (SA_RESTART restarts it); timed, -ERESTART_RESTARTBLOCK
    // whose futex_wait_restart waits again for the same absolute deadline
    eintr: deadlinePs === undefined ? -ERESTARTSYS : -ERESTART_RESTARTBLOCK,
    restartBlock: deadlinePs === undefined ? undefined : (rc) => futexWait(rc, addr, val, bitset, deadlinePs),
    cancel: () => dropWaiter(mm, w),
  });
  c.kernel.requestResched();
  return "noreturn";
}

/** futex_requeue: wake n1 on addr, move up to n2 more to addr2. */
function futexRequeue(c: SyscallContext, addr: number, addr2: number, n1: number, n2: number, cmp: number | undefined): number {
  if (cmp !== undefined) {
    const cur = load32(c, addr);
    if (cur === undefined) return -EFAULT;
    if (cur !== (cmp | 0)) return -EAGAIN;
  }
  if (n1 < 0 || n2 < 0) return -EINVAL;
  const mm = c.task.proc.mm;
  const woken = futexWake(c.kernel, mm, addr, n1, FUTEX_BITSET_MATCH_ANY);
  const q = queueOf(mm, addr, false);
  let moved = 0;
  if (q && addr2 !== addr) {
    while (q.length && moved < n2) {
      const w = q.shift()!;
      w.addr = addr2;
      queueOf(mm, addr2, true)!.push(w);
      w.task.wait!.what = `0x${addr2.toString(16)}`;
      moved++;
    }
    if (q.length === 0) queues.get(mm)!.delete(addr);
  }
  return woken + moved;
}

/** FUTEX_WAKE_OP: *addr2 = op(*addr2, oparg); wake n1 on addr, and n2 on addr2 if the old value passes cmp. */
function futexWakeOp(c: SyscallContext, addr: number, addr2: number, n1: number, n2: number, encoded: number): number {
  const op = (encoded >>> 28) & 7, shiftArg = (encoded >>> 31) & 1, cmp = (encoded >>> 24) & 15;
  let oparg = (encoded << 8) >> 20, cmparg = (encoded << 20) >> 20;
  if (shiftArg) {
    if (oparg < 0 || oparg > 31) oparg &= 31; // the kernel warns and masks
    oparg = 1 << oparg;
  }
  const old = load32(c, addr2);
  if (old === undefined) return -EFAULT;
  let nv: number;
  switch (op & 7) {
    case 0: nv = oparg; break; // SET
    case 1: nv = old + oparg; break; // ADD
    case 2: nv = old | oparg; break; // OR
    case 3: nv = old & ~oparg; break; // ANDN
    case 4: nv = old ^ oparg; break; // XOR
    default: return -ENOSYS;
  }
  try {
    c.cpu.mem.write32(addr2, nv | 0);
  } catch {
    return -EFAULT;
  }
  const mm = c.task.proc.mm;
  let n = futexWake(c.kernel, mm, addr, n1, FUTEX_BITSET_MATCH_ANY);
  let pass: boolean;
  switch (cmp) {
    case 0: pass = old === cmparg; break;
    case 1: pass = old !== cmparg; break;
    case 2: pass = old < cmparg; break;
    case 3: pass = old <= cmparg; break;
    case 4: pass = old > cmparg; break;
    case 5: pass = old >= cmparg; break;
    default: return -ENOSYS;
  }
  if (pass) n += futexWake(c.kernel, mm, addr2, n2, FUTEX_BITSET_MATCH_ANY);
  return n;
}

/** futex(uaddr, op, val, timeout|val2, uaddr2, val3). Private and shared futexes alike key on (mm, address). */
/** futex(2); time32: the i386 futex's old_timespec32 timeout (futex_time64 and x86-64 take a __kernel_timespec). */
export function sysFutex(c: SyscallContext, a: number[], time32 = false): number | "noreturn" {
  const addr = a[0]!, opFull = a[1]! | 0, val = a[2]! | 0, utime = a[3]!, addr2 = a[4]!, val3 = a[5]! | 0;
  const cmd = opFull & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  const realtime = (opFull & FUTEX_CLOCK_REALTIME) !== 0;
  if (realtime && cmd !== FUTEX_WAIT && cmd !== FUTEX_WAIT_BITSET) return -ENOSYS;
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      const bitset = cmd === FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3;
      if (bitset === 0) return -EINVAL;
      const t = timeoutPs(c, utime, time32);
      if (t !== undefined && t < 0) return t;
      let deadline: number | undefined;
      if (t !== undefined) {
        // FUTEX_WAIT: relative; WAIT_BITSET: absolute on CLOCK_MONOTONIC, or CLOCK_REALTIME with the flag
        if (cmd === FUTEX_WAIT) deadline = c.kernel.nowPs() + t;
        else deadline = realtime ? t - c.kernel.clock.epochSec * 1e12 : t;
      }
      return futexWait(c, addr, val, bitset, deadline);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      const bitset = cmd === FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3;
      if (bitset === 0) return -EINVAL;
      if (addr % 4) return -EINVAL;
      return futexWake(c.kernel, c.task.proc.mm, addr, val, bitset);
    }
    case FUTEX_REQUEUE:
      return futexRequeue(c, addr, addr2, val, utime | 0, undefined);
    case FUTEX_CMP_REQUEUE:
      return futexRequeue(c, addr, addr2, val, utime | 0, val3);
    case FUTEX_WAKE_OP:
      return futexWakeOp(c, addr, addr2, val, utime | 0, val3);
    default:
      return -ENOSYS; // the PI futexes (LOCK_PI, ...) are not modelled
  }
}

/**
 * handle_futex_death: a robust futex still owned by the dying thread gets FUTEX_OWNER_DIED,
 * keeps FUTEX_WAITERS, and one waiter is woken.
 */
function futexDeath(k: Linux, task: Task, uaddr: number): void {
  const mm = task.proc.mm;
  if (uaddr % 4) return;
  let uval: number;
  try {
    uval = mm.read32(uaddr) >>> 0;
  } catch {
    return;
  }
  if ((uval & FUTEX_TID_MASK) !== task.tid) return;
  const nv = ((uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED) >>> 0;
  try {
    mm.write32(uaddr, nv | 0);
  } catch {
    return;
  }
  if (uval & FUTEX_WAITERS) futexWake(k, mm, uaddr, 1, FUTEX_BITSET_MATCH_ANY);
}

/** exit_robust_list: walk struct robust_list_head {next, futex_offset, list_op_pending}. */
export function exitRobustList(k: Linux, task: Task): void {
  const mm = task.proc.mm;
  const head = task.robustList;
  const w = task.proc.cpu.bitness === 32 ? 4 : 8; // compat_exit_robust_list: 4-byte words
  const read64 = (addr: number): number | undefined => {
    try {
      const b = mm.readBytes(addr, w);
      const dv = new DataView(b.buffer, b.byteOffset);
      return w === 4 ? dv.getUint32(0, true) : Number(dv.getBigInt64(0, true));
    } catch {
      return undefined;
    }
  };
  let entry = read64(head);
  const rawOffset = read64(head + w);
  const offset = rawOffset !== undefined && w === 4 ? rawOffset | 0 : rawOffset; // a signed compat_long_t
  const pending = read64(head + 2 * w);
  if (entry === undefined || offset === undefined || pending === undefined) return;
  // bit 0 of an entry pointer marks a PI futex
  for (let n = 0; entry !== head && n < ROBUST_LIST_LIMIT; n++) {
    const e = entry - (entry % 2); // not & ~1: pointers exceed 31 bits
    const next = read64(e);
    if (next === undefined) return;
    if (e !== pending - (pending % 2)) futexDeath(k, task, e + offset);
    entry = next;
  }
  if (pending) futexDeath(k, task, pending - (pending % 2) + offset);
}
