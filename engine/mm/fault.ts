// Memory faults raised by guest accesses. The CPU turns them into SIGSEGV
// (si_code SEGV_MAPERR or SEGV_ACCERR) with the faulting address, as the
// kernel's page-fault handler does for a user access.

export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
/** SIGBUS's si_code for an access to a file page wholly past EOF (filemap_fault: VM_FAULT_SIGBUS). */
export const BUS_ADRERR = 2;
export type SegvCode = typeof SEGV_MAPERR | typeof SEGV_ACCERR;

export type AccessKind = "read" | "write" | "exec";

export class MemFault {
  constructor(
    readonly addr: number,
    readonly access: AccessKind,
    /** SIGSEGV's code; with `bus`, SIGBUS's (BUS_ADRERR). */
    readonly code: SegvCode,
    /** The page is a file's, wholly past its EOF: SIGBUS, not SIGSEGV (user accesses; the kernel's own get -EFAULT). */
    readonly bus = false,
  ) {}
}

/** Highest user address + 1 (47-bit user space, as x86-64 Linux without LA57). */
export const TASK_SIZE = 0x7ffffffff000;
/** TASK_SIZE for hot code (a const enum member is inlined; see PageGeometry in page.ts). */
export const enum UserSpace {
  TaskSize = 0x7ffffffff000,
}

/**
 * Is a (signed, 48-bit virtual) address canonical? The CPU raises #GP, not #PF, for one that is not:
 * the kernel sends SIGSEGV with si_code SI_KERNEL, si_addr 0.
 */
export function isCanonical(addr: number): boolean {
  return addr >= -0x800000000000 && addr < 0x800000000000;
}
