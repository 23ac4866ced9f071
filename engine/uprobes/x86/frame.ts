// The register frames the kernel's trampoline syscalls copy from and back to
// the user stack (struct uprobe_syscall_args of sys_uprobe, struct
// uretprobe_syscall_args of sys_uretprobe): copy_from_user/copy_to_user of a
// few 64-bit words, as (lo, hi) int32 pairs. When the frame lies in one page
// that a guest store would reach without a slow path (always, for the frame
// the trampoline's pushes just wrote), the words move through the page's
// DataView at once; otherwise through uaccess.ts, with its faults.

import type { AddressSpace } from "../../mm/address-space.js";
import { PAGE_MASK } from "../../mm/page.js";
import { copyFromUser, copyToUser } from "../../mm/uaccess.js";

/** copy_from_user() of `words` words at sp into out: the number of bytes not copied. */
export function readFrame(mm: AddressSpace, sp: number, out: Int32Array, words: number): number {
  const dv = mm.writableView(sp, 8 * words);
  if (dv === undefined) return copyFromUser(mm, out, sp, words);
  const off = sp & PAGE_MASK;
  for (let k = 0; k < 2 * words; k++) out[k] = dv.getInt32(off + 4 * k, true);
  return 0;
}

/** copy_to_user() of `words` words from `from` to sp: the number of bytes not copied. */
export function writeFrame(mm: AddressSpace, sp: number, from: Int32Array, words: number): number {
  const dv = mm.writableView(sp, 8 * words);
  if (dv === undefined) return copyToUser(mm, sp, from, words);
  const off = sp & PAGE_MASK;
  for (let k = 0; k < 2 * words; k++) dv.setInt32(off + 4 * k, from[k]!, true);
  return 0;
}
