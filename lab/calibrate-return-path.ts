// How a uretprobe returns on the kernel calibrate runs on, found by asking
// the kernel rather than by its version (stable kernels carry backports).
//
// From 6.11 (ff474a78cef5) a 64-bit task's uretprobe trampoline calls
// sys_uretprobe (x86-64 syscall 335). Called from anywhere else, that syscall
// refuses: arch/x86/kernel/uprobes.c `SYSCALL_DEFINE0(uretprobe)` checks that
// regs->ip is just past the trampoline's `syscall` (and, since fa6192adc32f,
// that the task has a trampoline at all) and otherwise does
// `force_sig(SIGILL)`. A kernel without it answers -ENOSYS, and its
// trampoline is the int3 that `handle_swbp` recognises. So a disposable
// process that makes syscall 335 and exits tells the two apart: killed by
// SIGILL, the syscall exists; exit status 38 (ENOSYS), it does not.
//
// The process is the smallest static ELF that does that, built here, so
// calibrate needs no compiler at run time.

export interface ReturnPath {
  /** "syscall": sys_uretprobe (6.11+); "int3": the int3 trampoline; "unknown": the probe said neither. */
  found: "syscall" | "int3" | "unknown";
  /** What the probe process did, in words. */
  how: string;
}

const BASE = 0x400000;
const EHDR = 64, PHDR = 56;

// mov $335,%eax; syscall; mov %eax,%edi; neg %edi; mov $231,%eax (exit_group); syscall
const CODE = [0xb8, 0x4f, 0x01, 0x00, 0x00, 0x0f, 0x05, 0x89, 0xc7, 0xf7, 0xdf, 0xb8, 0xe7, 0x00, 0x00, 0x00, 0x0f, 0x05];

/** A static x86-64 ELF executable that makes syscall 335 and exits with the negated result (ENOSYS: 38). */
export function uretprobeProbeElf(): Uint8Array {
  const size = EHDR + PHDR + CODE.length;
  const b = Buffer.alloc(size);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELFCLASS64, little-endian, version 1, SysV
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(0x3e, 18); // EM_X86_64
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(BigInt(BASE + EHDR + PHDR), 24); // e_entry
  b.writeBigUInt64LE(BigInt(EHDR), 32); // e_phoff
  b.writeUInt16LE(EHDR, 52);
  b.writeUInt16LE(PHDR, 54);
  b.writeUInt16LE(1, 56); // e_phnum
  b.writeUInt16LE(64, 58); // e_shentsize (no sections)
  const ph = EHDR;
  b.writeUInt32LE(1, ph); // PT_LOAD
  b.writeUInt32LE(5, ph + 4); // PF_R | PF_X
  b.writeBigUInt64LE(BigInt(BASE), ph + 16); // p_vaddr
  b.writeBigUInt64LE(BigInt(BASE), ph + 24); // p_paddr
  b.writeBigUInt64LE(BigInt(size), ph + 32); // p_filesz
  b.writeBigUInt64LE(BigInt(size), ph + 40); // p_memsz
  b.writeBigUInt64LE(0x1000n, ph + 48); // p_align
  b.set(CODE, EHDR + PHDR);
  return new Uint8Array(b);
}

const ENOSYS = 38;

/** What the probe process's end says about the return path. */
export function returnPathOf(status: number | null, signal: string | null, error?: string): ReturnPath {
  if (error !== undefined) return { found: "unknown", how: `the syscall-335 probe did not run (${error})` };
  if (signal === "SIGILL") return { found: "syscall", how: "syscall 335 from outside a trampoline got SIGILL: sys_uretprobe exists, so 64-bit uretprobes return through it" };
  if (status === ENOSYS) return { found: "int3", how: "syscall 335 returned ENOSYS: no sys_uretprobe, so uretprobes return through the int3 trampoline" };
  return { found: "unknown", how: `syscall 335 gave ${signal ? `signal ${signal}` : `status ${status}`} (neither SIGILL nor ENOSYS: a seccomp filter?)` };
}
