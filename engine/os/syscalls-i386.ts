// The i386 system-call table, as a 64-bit task reaches it through `int $0x80`
// (entry_INT80_compat -> do_int80_emulation -> ia32_sys_call_table): number in
// eax, arguments in ebx ecx edx esi edi ebp, the result in rax (sign-extended,
// as the kernel stores a long). The __ia32_sys_* wrappers take each argument
// from the low 32 bits of its register, so a 64-bit pointer loses its upper
// half there (a stack buffer above 4 GiB gives EFAULT, as on Linux); r8-r11
// are preserved (since 4.17).
//
// Minimal on purpose: the calls a 64-bit program typically makes this way
// (write and exit in hand-written asm, brk, the ids). Each row names the
// x86-64 handler whose argument and struct layout is the same for a 32-bit
// caller. The i386 ABI proper (32-bit processes, compat structs, mmap2 below
// 4 GiB, socketcall, ...) extends this table; unknown numbers are -ENOSYS.

import { SYSCALL_HANDLERS, type SyscallHandler } from "./syscalls.js";

/** [i386 number, name, the x86-64 number whose handler serves it]. */
const ROWS: [number, string, number][] = [
  [1, "exit", 60],
  [3, "read", 0],
  [4, "write", 1],
  [5, "open", 2],
  [6, "close", 3],
  [20, "getpid", 39],
  [24, "getuid", 102], // the 16-bit getuid: uid 1000 fits
  [37, "kill", 62],
  [41, "dup", 32],
  [45, "brk", 12],
  [47, "getgid", 104],
  [49, "geteuid", 107],
  [50, "getegid", 108],
  [63, "dup2", 33],
  [64, "getppid", 110],
  [91, "munmap", 11],
  [125, "mprotect", 10],
  [158, "sched_yield", 24],
  [199, "getuid32", 102],
  [200, "getgid32", 104],
  [201, "geteuid32", 107],
  [202, "getegid32", 108],
  [224, "gettid", 186],
  [238, "tkill", 200],
  [252, "exit_group", 231],
  [270, "tgkill", 234],
];

/** i386 syscalls are counted apart from the x86-64 numbers (--stats names them "i386_NAME"). */
export const I386_COUNT_BASE = 1 << 20;

const NAMES = new Map<number, string>(ROWS.map(([nr, name]) => [nr, name]));

/** The handlers by i386 number (a packed array, as SYSCALL_HANDLERS). */
export const I386_HANDLERS: (SyscallHandler | undefined)[] = [];
for (const [nr, , nr64] of ROWS) I386_HANDLERS[nr] = SYSCALL_HANDLERS[nr64];
for (let nr = 0; nr < I386_HANDLERS.length; nr++) I386_HANDLERS[nr] ??= undefined;

export function i386SyscallName(nr: number): string {
  return `i386_${NAMES.get(nr) ?? `syscall_${nr}`}`;
}
