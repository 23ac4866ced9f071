// Kernel accesses to user memory (arch/x86/include/asm/uaccess.h): get_user,
// put_user, copy_from_user, copy_to_user. A fault is a result, never an
// exception: get_user/put_user return 0 or -EFAULT, the copies return the
// number of bytes not copied, as the kernel's do.
//
// 64-bit words travel as two int32 halves (AddressSpace.read64 returns the low
// half and leaves the high half in `mm.hi`; write64 takes both). As one
// number, a word is hi * 2^32 + (lo >>> 0) with hi signed (the kernel's long):
// exact for every user address (< 2^47) and every value below 2^53.

import { EFAULT } from "../errno.js";
import type { AddressSpace } from "./address-space.js";
import { MemFault } from "./fault.js";

const TWO32 = 4294967296;

/** The word the last successful getUser() read. */
const userWord = { lo: 0, hi: 0 };

/** get_user() of a 64-bit word: 0 or -EFAULT; userWordValue() is the word read. */
export function getUser(mm: AddressSpace, addr: number): number {
  try {
    const lo = mm.read64(addr);
    userWord.lo = lo;
    userWord.hi = mm.hi;
    return 0;
  } catch (e) {
    if (e instanceof MemFault) return -EFAULT;
    throw e;
  }
}

/** The last getUser() word as one number (high half signed). */
export function userWordValue(): number {
  return userWord.hi * TWO32 + (userWord.lo >>> 0);
}

/** put_user() of a 64-bit word given as its int32 halves (bit-exact for any value): 0 or -EFAULT. */
export function putUserHalves(mm: AddressSpace, addr: number, lo: number, hi: number): number {
  try {
    mm.write64(addr, lo, hi);
    return 0;
  } catch (e) {
    if (e instanceof MemFault) return -EFAULT;
    throw e;
  }
}

/**
 * copy_from_user() of `words` 64-bit words at `from` into `to` as (lo, hi)
 * pairs: the number of bytes not copied (0 on success). Words before the
 * fault are copied, as in the kernel.
 */
export function copyFromUser(mm: AddressSpace, to: Int32Array, from: number, words: number): number {
  let i = 0;
  try {
    for (; i < words; i++) {
      to[2 * i] = mm.read64(from + 8 * i);
      to[2 * i + 1] = mm.hi;
    }
    return 0;
  } catch (e) {
    if (e instanceof MemFault) return 8 * (words - i);
    throw e;
  }
}

/** copy_to_user() of `words` (lo, hi) pairs from `from` to `to`: the number of bytes not copied (0 on success). */
export function copyToUser(mm: AddressSpace, to: number, from: Int32Array, words: number): number {
  let i = 0;
  try {
    for (; i < words; i++) mm.write64(to + 8 * i, from[2 * i]!, from[2 * i + 1]!);
    return 0;
  } catch (e) {
    if (e instanceof MemFault) return 8 * (words - i);
    throw e;
  }
}
