// The vsyscall entry of a 32-bit task: the vDSO's __kernel_vsyscall, which
// glibc calls through %gs:0x10 (THREAD_SELF->header.sysinfo, copied from
// AT_SYSINFO) for every system call it does not inline as `int $0x80`.
//
// The kernel's vdso32 is a whole ELF image (vdso32-setup.c, vsyscall entry
// with sysenter/syscall and an `int $0x80` fallback, plus clock_gettime and
// friends that read the vvar page). We map one page holding only the entry,
// as `int $0x80; ret`, and pass AT_SYSINFO without AT_SYSINFO_EHDR: glibc
// 2.36 then keeps making real system calls for the time (the virtual clock
// answers them) and never looks for vDSO symbols, as for 64-bit guests.

import type { AddressSpace } from "../mm/address-space.js";
import { PAGE_SIZE, PROT_EXEC, PROT_READ } from "../mm/page.js";
import { ElfError } from "./elf.js";

/** __kernel_vsyscall: int $0x80; ret. */
const VSYSCALL_CODE = new Uint8Array([0xcd, 0x80, 0xc3]);

/** Map the vsyscall page top-down (map_vdso with no hint) and return the entry's address (AT_SYSINFO). */
export function mapVsyscallPage(mm: AddressSpace): number {
  const at = mm.findFreeTopDown(PAGE_SIZE);
  if (at < 0) throw new ElfError("no room for the [vdso] page below the mmap base");
  mm.map({ addr: at, length: PAGE_SIZE, prot: PROT_READ | PROT_EXEC, fixed: true, name: "[vdso]" });
  mm.poke(at, VSYSCALL_CODE);
  return at;
}
