// sizeof_long(regs) of arch/x86/kernel/uprobes.c: the width of the words the
// kernel pushes, pops and swaps on a task's stack when it emulates push and
// call, fixes up a stepped call, or hijacks a return address for a uretprobe.
// 8 for a 64-bit task. A 32-bit task gets 4 on an i386 kernel, and on a
// 64-bit kernel only since 5.3 (9212ec7d8357): before, sizeof_long() asked
// in_ia32_syscall(), which is false in the int3 and single-step handlers, so
// compat tasks got 8-byte words on their 4-byte stacks.

import { EFAULT } from "../../errno.js";
import type { AddressSpace } from "../../mm/address-space.js";
import { MemFault } from "../../mm/fault.js";
import { getUser, putUserHalves, userWordValue } from "../../mm/uaccess.js";
import type { KernelGeneration } from "../generations.js";

export function sizeofLong(gen: KernelGeneration, taskBits: 64 | 32): 4 | 8 {
  if (taskBits === 64) return 8;
  return gen.kernelBits === 32 || gen.compatWordSizeCorrect ? 4 : 8;
}

/** put_user/copy_to_user of one sizeof_long word (lo, hi halves): 0 or -EFAULT. */
export function putUserLong(mm: AddressSpace, addr: number, size: 4 | 8, lo: number, hi: number): number {
  if (size === 8) return putUserHalves(mm, addr, lo, hi);
  try {
    mm.write32(addr, lo);
    return 0;
  } catch (e) {
    if (e instanceof MemFault) return -EFAULT;
    throw e;
  }
}

/** The value of one sizeof_long word at addr (zero-extended: "clear high bits for 32-bit apps"), or undefined on a fault. */
export function getUserLong(mm: AddressSpace, addr: number, size: 4 | 8): number | undefined {
  if (size === 8) return getUser(mm, addr) ? undefined : userWordValue();
  try {
    return mm.read32(addr) >>> 0;
  } catch (e) {
    if (e instanceof MemFault) return undefined;
    throw e;
  }
}
