// A minimal static x86-64 ELF around a few bytes of code, built in the test
// (no compiler): one RWX PT_LOAD at 0x400000 holding the headers, the code
// and a data area, so fuzzed code and syscall arguments have memory to point
// at. Also the machine code the syscall fuzzer needs (movabs, syscall).

export const BASE = 0x400000;
const EHDR = 64;
const PHDR = 56;
/** Where the code starts (right after the one program header). */
const CODE = BASE + EHDR + PHDR;
/** The data area: a page of strings guests may name, then zeros to DATA_END. */
export const DATA = BASE + 0x1000;
export const DATA_END = BASE + 0x10000;

/** Strings at DATA, each NUL-terminated: paths the guest may try to open, exec or stat. */
const STRINGS = ["/proc/self/exe", "/etc/passwd", "/", ".", "/proc/self/maps", "/dev/zero", "/lib64/ld-linux-x86-64.so.2", "%s%n%p"];
export const DATA_STRINGS: number[] = [];
const stringBytes: number[] = [];
for (const s of STRINGS) {
  DATA_STRINGS.push(DATA + stringBytes.length);
  for (const c of Buffer.from(s, "latin1")) stringBytes.push(c);
  stringBytes.push(0);
}

/** The ELF image: header, one PT_LOAD (file bytes up to the data strings, memsz to DATA_END), entry at the code. */
export function tinyElf(code: Uint8Array): Uint8Array {
  const fileSize = Math.max(CODE - BASE + code.length, DATA - BASE) + stringBytes.length;
  if (CODE + code.length > DATA) throw new Error(`tinyElf: ${code.length} bytes of code do not fit below the data area`);
  const b = new Uint8Array(fileSize);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); // ELFCLASS64, little-endian, EV_CURRENT, SYSV
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, 62, true); // EM_X86_64
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(CODE), true); // e_entry
  dv.setBigUint64(32, BigInt(EHDR), true); // e_phoff
  dv.setUint16(52, EHDR, true);
  dv.setUint16(54, PHDR, true);
  dv.setUint16(56, 1, true); // e_phnum
  dv.setUint16(58, 64, true); // e_shentsize (no sections)
  const ph = EHDR;
  dv.setUint32(ph, 1, true); // PT_LOAD
  dv.setUint32(ph + 4, 7, true); // RWX
  dv.setBigUint64(ph + 16, BigInt(BASE), true);
  dv.setBigUint64(ph + 24, BigInt(BASE), true);
  dv.setBigUint64(ph + 32, BigInt(fileSize), true);
  dv.setBigUint64(ph + 40, BigInt(DATA_END - BASE), true);
  dv.setBigUint64(ph + 48, 0x1000n, true);
  b.set(code, CODE - BASE);
  b.set(stringBytes, DATA - BASE);
  return b;
}

const M64 = (1n << 64n) - 1n;

/** Registers by x86 number, for movabs: rax=0 ... r15=15. */
const RAX = 0, RDX = 2, RSI = 6, RDI = 7, R8 = 8, R9 = 9, R10 = 10;

/** movabs $imm64, %reg (REX.W B8+r). */
export function movabs(reg: number, value: bigint): number[] {
  const out = [0x48 | (reg >> 3), 0xb8 + (reg & 7)];
  let v = BigInt.asUintN(64, value) & M64;
  for (let i = 0; i < 8; i++, v >>= 8n) out.push(Number(v & 0xffn));
  return out;
}

const SYSCALL = [0x0f, 0x05];

/** An argument: a value, or "prev", the result of the call before (an mmap'd address, a descriptor). */
export type SyscallArg = bigint | "prev";

/** mov %rbx, %reg (REX.W 89 /r): where "prev" comes from. */
function fromRbx(reg: number): number[] {
  return [0x48 | (reg >> 3), 0x89, 0xd8 | (reg & 7)];
}

/** mov %rax, %rbx after each call, so the next may use its result. */
const KEEP_RESULT = [0x48, 0x89, 0xc3];

/** One system call: number and up to six arguments in rdi, rsi, rdx, r10, r8, r9; its result is kept in rbx. */
export function syscallCode(nr: bigint, args: readonly SyscallArg[]): number[] {
  const regs = [RDI, RSI, RDX, R10, R8, R9];
  const out = movabs(RAX, nr);
  args.forEach((a, i) => out.push(...(a === "prev" ? fromRbx(regs[i]!) : movabs(regs[i]!, a))));
  return [...out, ...SYSCALL, ...KEEP_RESULT];
}

/** exit_group(0): the end of every generated guest that gets that far. */
export const EXIT_GROUP = syscallCode(231n, [0n]);
