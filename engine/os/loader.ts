// The ELF loader (the kernel's load_elf_binary): maps PT_LOAD segments as
// private file mappings, maps the program interpreter (ld.so) of a dynamically
// linked executable (load_elf_interp), sets up brk, and builds the initial
// stack (argc, argv, envp, auxv) exactly as Linux lays it out.
//
// The layout is what Linux gives with ASLR disabled, so that every run is
// identical: PIE at ELF_ET_DYN_BASE, the interpreter top-down from mmap_base
// like any mmap, the stack below the top of user space.

import { AddressSpace } from "../mm/address-space.js";
import { MappedFile } from "../mm/mapped-file.js";
import { PAGE_SIZE, pageAlignDown, pageAlignUp, PROT_EXEC, PROT_READ, PROT_WRITE } from "../mm/page.js";
import { TASK_SIZE } from "../mm/fault.js";
import { ElfError, ET_DYN, type ElfImage, PF_R, PF_W, PF_X, PT_LOAD } from "./elf.js";
import { SIGFRAME_SIZE } from "./signals.js";
import { mapVsyscallPage } from "./vsyscall-i386.js";

/** ELF_ET_DYN_BASE on x86-64 with ASLR off (2/3 of TASK_SIZE, page aligned). */
const PIE_BASE = 0x555555554000;
/** Top of the initial stack. The page above it stays free for the XOL area at 0x7fffffffe000 (the address observed on 6.18). */
const STACK_TOP = 0x7ffffffde000;
/**
 * A compat (32-bit) task on a 64-bit kernel: user space ends at IA32_PAGE_OFFSET (0xffffe000), and
 * mmap's top-down base is that minus the 128 MiB gap (mmap_base() with the minimum gap), as for
 * 64-bit tasks below TASK_SIZE_MAX. The stack is placed as for 64-bit tasks: 0x21000 below the top,
 * so the XOL area gets its hint, TASK_SIZE - PAGE_SIZE (0xffffd000). (Were the hint taken, the
 * kernel's get_unmapped_area() would search below the 64-bit mmap_base: in_ia32_syscall() is false
 * in the int3 handler; Oleg Nesterov, LKML, Aug 2019.)
 */
const IA32_PAGE_OFFSET = 0xffffe000;
const IA32_STACK_TOP = IA32_PAGE_OFFSET - 0x21000;
const IA32_MMAP_BASE = IA32_PAGE_OFFSET - 0x8000000;
/**
 * ELF_ET_DYN_BASE for a compat task. A 32-bit ELF on a 64-bit kernel is loaded by
 * fs/compat_binfmt_elf.c, which redefines ELF_ET_DYN_BASE as COMPAT_ELF_ET_DYN_BASE,
 * TASK_UNMAPPED_BASE(TASK_SIZE) + 16 MiB = PAGE_ALIGN(0xffffe000 / 3) + 0x1000000 (asm/elf.h),
 * not elf.h's 0x400000 (that one is for native i386 kernels' mmap_is_ia32()). Measured on 6.18
 * with `setarch -R`: a `gcc -m32 -pie` program's first mapping is at 0x56555000.
 */
const IA32_PIE_BASE = 0x56555000;

/** Where exec puts an executable: ET_EXEC at its link addresses, a PIE at ELF_ET_DYN_BASE for its word size. */
export function execBias(elf: ElfImage): number {
  return elf.type !== ET_DYN ? 0 : elf.bits === 32 ? IA32_PIE_BASE : PIE_BASE;
}
/** The initial stack VMA (setup_arg_pages: the arguments plus 128 KiB); it grows down on demand up to RLIMIT_STACK (AddressSpace.expandStack). */
const STACK_SIZE = 132 * 1024;

const AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9;
const AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17;
const AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31, AT_SYSINFO = 32, AT_MINSIGSTKSZ = 51;

export interface LoadedImage {
  elf: ElfImage;
  file: MappedFile;
  /** Load bias: 0 for ET_EXEC, execBias() for PIE. */
  bias: number;
  /** Where execution starts: the interpreter's entry when there is one. */
  entry: number;
  sp: number;
  brk: number;
  /** The program interpreter's load bias (AT_BASE), 0 without one. */
  interpBase: number;
}

/** The interpreter named by PT_INTERP, already read (the kernel opens it with open_exec). */
export interface Interpreter {
  elf: ElfImage;
  file: MappedFile;
}

function segProt(flags: number): number {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/** The span of address space the PT_LOAD segments cover, from the first segment's page (total_mapping_size). */
function loadSpan(elf: ElfImage): { first: number; size: number } {
  const loads = elf.phdrs.filter((p) => p.type === PT_LOAD && p.memsz > 0);
  const first = pageAlignDown(Math.min(...loads.map((p) => p.vaddr)));
  const end = Math.max(...loads.map((p) => p.vaddr + p.memsz));
  return { first, size: pageAlignUp(end) - first };
}

/** load_elf_interp: an ET_DYN interpreter goes where a top-down mmap of its whole span would (mmap_base, ASLR off). */
function interpBias(mm: AddressSpace, elf: ElfImage): number {
  if (elf.type !== ET_DYN) return 0;
  const { first, size } = loadSpan(elf);
  const at = size > 0 && size < TASK_SIZE ? mm.findFreeTopDown(size) : -1;
  if (at < 0) throw new ElfError(`${elf.path}: no room for the interpreter: its PT_LOAD segments span ${size} bytes, more than the free address space below 0x${mm.mmapBase.toString(16)}`);
  return at - first;
}

/** Map an ELF's segments into mm at the given load bias; returns the end of its bss (the brk start for the executable). */
function mapImage(mm: AddressSpace, elf: ElfImage, file: MappedFile, bias = execBias(elf)): { bias: number; brk: number } {
  let brk = 0;
  for (const ph of elf.phdrs) {
    if (ph.type !== PT_LOAD || ph.memsz === 0) continue;
    const prot = segProt(ph.flags);
    const start = bias + ph.vaddr;
    const mapStart = pageAlignDown(start);
    const fileStart = pageAlignDown(ph.offset);
    const fileEnd = ph.offset + ph.filesz;
    const mapFileEnd = pageAlignUp(start + ph.filesz);
    if (ph.filesz > 0) {
      mapped(elf, mapStart, mm.map({ addr: mapStart, length: mapFileEnd - mapStart, prot, fixed: true, file, offset: fileStart }));
      // With a bss, the bytes past filesz up to the end of that page are zeroed in the private copy
      // (padzero): all of the page, not only up to memsz; ld.so's minimal malloc allocates there.
      const tail = mapStart + (fileEnd - fileStart);
      if (tail < mapFileEnd && ph.memsz > ph.filesz) mm.poke(tail, new Uint8Array(mapFileEnd - tail));
    }
    const memEnd = pageAlignUp(start + ph.memsz);
    const anonStart = ph.filesz > 0 ? mapFileEnd : mapStart;
    if (memEnd > anonStart) mapped(elf, anonStart, mm.map({ addr: anonStart, length: memEnd - anonStart, prot, fixed: true }));
    brk = Math.max(brk, start + ph.memsz);
  }
  return { bias, brk: pageAlignUp(brk) };
}

/** elf_map's vm_mmap failed (a segment below mmap_min_addr or past TASK_SIZE): execve fails. */
function mapped(elf: ElfImage, at: number, r: number): void {
  if (r < 0) throw new ElfError(`${elf.path}: cannot map a PT_LOAD segment at 0x${at.toString(16)} (${r === -1 ? "EPERM: below mmap_min_addr" : "ENOMEM: outside user space"})`);
}

/** MAX_ARG_STRLEN: one argument or environment string, its NUL included, is at most 32 pages. */
const MAX_ARG_STRLEN = 32 * PAGE_SIZE;
/** ARG_MAX: the floor of the strings' limit (bprm_stack_limits). */
const ARG_MAX = 32 * PAGE_SIZE;
/** RLIMIT_STACK as getrlimit reports it (syscalls.ts): 8 MiB. */
const RLIMIT_STACK = 8 << 20;

/**
 * execve's E2BIG rules (fs/exec.c bprm_stack_limits, copy_strings): each string at most
 * MAX_ARG_STRLEN, and the strings plus one pointer each at most RLIMIT_STACK / 4 (ARG_MAX at
 * least, 3/4 of _STK_LIM at most). Returns the bytes of the strings.
 */
function checkArgLimits(argv: string[], envp: string[], execfn: string): number {
  const enc = new TextEncoder();
  let bytes = enc.encode(execfn).length + 1;
  for (const [what, list] of [["argument", argv], ["environment string", envp]] as const) {
    list.forEach((s, i) => {
      const n = enc.encode(s).length + 1;
      if (n > MAX_ARG_STRLEN) throw new ElfError(`execve: argument list too long (E2BIG): ${what} ${i} is ${n} bytes with its NUL, above MAX_ARG_STRLEN (${MAX_ARG_STRLEN})`);
      bytes += n;
    });
  }
  const limit = Math.max(Math.min(RLIMIT_STACK / 4, ((8 << 20) / 4) * 3), ARG_MAX);
  const ptrs = (argv.length + envp.length) * 8; // sizeof(void *) of the kernel: 8 for compat tasks too
  if (bytes + ptrs > limit)
    throw new ElfError(`execve: argument list too long (E2BIG): ${argv.length} arguments and ${envp.length} environment strings take ${bytes + ptrs} bytes with their pointers, above RLIMIT_STACK/4 (${limit})`);
  return bytes + ptrs;
}

/** Build the initial process stack: returns the initial rsp. A 32-bit image gets 4-byte words (create_elf_tables of compat_binfmt_elf). */
function setupStack(mm: AddressSpace, elf: ElfImage, bias: number, argv: string[], envp: string[], execfn: string, interpBase = 0, sysinfo = 0): number {
  const compat = elf.bits === 32;
  const top = compat ? IA32_STACK_TOP : STACK_TOP;
  // setup_arg_pages: the stack VMA holds the strings and pointers, plus 128 KiB (stack_expand)
  const stackSize = Math.max(STACK_SIZE, pageAlignUp(checkArgLimits(argv, envp, execfn) + 1024) + 128 * 1024);
  mm.map({ addr: top - stackSize, length: stackSize, prot: PROT_READ | PROT_WRITE, fixed: true, name: "[stack]", special: "stack" });
  const enc = new TextEncoder();
  let p = top - (compat ? 4 : 8); // the kernel leaves the last word zero (end marker)
  const pushBytes = (b: Uint8Array): number => {
    p -= b.length;
    mm.writeBytes(p, b);
    return p;
  };
  const pushStr = (s: string): number => pushBytes(new Uint8Array([...enc.encode(s), 0]));
  // From high to low addresses: execfn, the envp strings, the argv strings (argv[0] lowest).
  const execfnAddr = pushStr(execfn);
  const envAddrs = envp.slice().reverse().map(pushStr).reverse();
  const argAddrs = argv.slice().reverse().map(pushStr).reverse();
  const platform = pushStr(compat ? "i686" : "x86_64");
  // AT_RANDOM: 16 fixed bytes (deterministic runs)
  const random = pushBytes(new Uint8Array([0x75, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x2d, 0x6c, 0x61, 0x62, 0x2d, 0x73, 0x65, 0x65, 0x64, 0x21]));
  p = Math.floor(p / 16) * 16;
  const phdr = bias + findPhdrVaddr(elf);
  // create_elf_tables' order; no AT_SYSINFO_EHDR (no vDSO: libc makes real syscalls for the time)
  const auxv: [number, number][] = [
    // ARCH_DLINFO_IA32: the vsyscall entry (glibc's %gs:0x10); no AT_SYSINFO_EHDR, as for 64-bit
    ...(compat && sysinfo ? [[AT_SYSINFO, sysinfo] as [number, number]] : []),
    [AT_MINSIGSTKSZ, SIGFRAME_SIZE], // get_sigframe_size(): one size, the largest frame, for both ABIs
    [AT_HWCAP, 0x178bfbff],
    [AT_PAGESZ, PAGE_SIZE],
    [AT_CLKTCK, 100],
    [AT_PHDR, phdr],
    [AT_PHENT, elf.phentsize],
    [AT_PHNUM, elf.phdrs.length],
    [AT_BASE, interpBase],
    [AT_FLAGS, 0],
    [AT_ENTRY, bias + elf.entry],
    [AT_UID, 1000],
    [AT_EUID, 1000],
    [AT_GID, 1000],
    [AT_EGID, 1000],
    [AT_SECURE, 0],
    [AT_RANDOM, random],
    [AT_HWCAP2, 0],
    [AT_EXECFN, execfnAddr],
    [AT_PLATFORM, platform],
    [AT_NULL, 0],
  ];
  const words: number[] = [argv.length, ...argAddrs, 0, ...envAddrs, 0];
  for (const [k, v] of auxv) words.push(k, v);
  // keep rsp 16-byte aligned at entry
  const w = compat ? 4 : 8;
  let sp = p - words.length * w;
  sp = Math.floor(sp / 16) * 16;
  const buf = new Uint8Array(words.length * w);
  const dv = new DataView(buf.buffer);
  if (compat) words.forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
  else words.forEach((v, i) => dv.setBigUint64(i * 8, BigInt(v), true));
  mm.writeBytes(sp, buf);
  return sp;
}

/** Address of the program headers in memory: PT_PHDR, or the first PT_LOAD that covers e_phoff. */
function findPhdrVaddr(elf: ElfImage): number {
  const ph = elf.phdrs.find((p) => p.type === 6);
  if (ph) return ph.vaddr;
  for (const p of elf.phdrs) {
    if (p.type === PT_LOAD && elf.phdrOffset >= p.offset && elf.phdrOffset < p.offset + p.filesz) return p.vaddr + (elf.phdrOffset - p.offset);
  }
  return 0;
}

export function loadImage(mm: AddressSpace, elf: ElfImage, file: MappedFile, argv: string[], envp: string[], interp?: Interpreter): LoadedImage {
  if (interp && interp.elf.bits !== elf.bits) throw new ElfError(`${interp.elf.path}: a ${interp.elf.bits}-bit interpreter for the ${elf.bits}-bit ${elf.path}`);
  if (elf.bits === 32) mm.mmapBase = IA32_MMAP_BASE;
  const { bias, brk } = mapImage(mm, elf, file);
  mm.brkStart = brk;
  mm.brkEnd = brk;
  let interpBase = 0;
  let entry = bias + elf.entry;
  if (interp) {
    interpBase = interpBias(mm, interp.elf);
    mapImage(mm, interp.elf, interp.file, interpBase);
    entry = interpBase + interp.elf.entry;
  }
  const sysinfo = elf.bits === 32 ? mapVsyscallPage(mm) : 0;
  const sp = setupStack(mm, elf, bias, argv, envp, elf.path, interpBase, sysinfo);
  return { elf, file, bias, entry, sp, brk, interpBase };
}
