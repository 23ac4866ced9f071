// The compat siginfo (copy_siginfo_to_user32) for the i386 waitid and
// rt_sigtimedwait rows: the x86-64 handlers write a 128-byte struct siginfo
// (the union at offset 16, after the padding of an 8-byte-aligned union);
// compat_siginfo is also 128 bytes, its union at offset 12. The handlers
// fill only _kill {pid, uid} and _sigchld {pid, uid, status} (utime and
// stime are zero), so the three ints move down 4 bytes. In place, after the
// handler: one buffer, as the kernel's single copy to user.

import { copyIn, copyOut, type SyscallContext } from "./syscalls.js";

/** Rewrite the x86-64 siginfo at ptr as a compat_siginfo; 0 or a negative errno. */
export function siginfoToCompat(c: SyscallContext, ptr: number): number {
  const raw = copyIn(c, ptr, 128);
  if (typeof raw === "number") return raw;
  const src = new DataView(raw.buffer, raw.byteOffset);
  const out = new Uint8Array(128);
  const dv = new DataView(out.buffer);
  for (const off of [0, 4, 8]) dv.setInt32(off, src.getInt32(off, true), true); // si_signo, si_errno, si_code
  for (let i = 0; i < 3; i++) dv.setInt32(12 + 4 * i, src.getInt32(16 + 4 * i, true), true); // pid, uid, status
  return copyOut(c, ptr, out);
}
