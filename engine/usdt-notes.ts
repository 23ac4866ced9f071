// The USDT probes of an ELF file: the NT_STAPSDT notes of `.note.stapsdt`
// that sys/sdt.h's STAP_PROBEn / DTRACE_PROBEn macros emit, one per probe
// site (https://sourceware.org/systemtap/wiki/UserSpaceProbeImplementation).
//
// A note's descriptor holds three addresses of the ELF's word size (the
// probe's pc, the link-time address of the `.stapsdt.base` section, the
// semaphore's address or 0), then three NUL-terminated strings: provider,
// name and the argument specs (usdt-args.ts). `readelf -n` prints the same.
//
// Prelink moves sections after the notes were written: the pc is adjusted by
// how far `.stapsdt.base` moved from the address the note recorded, when both
// are non-zero, as libbpf's usdt.c does. The semaphore is a 2-byte counter in
// the writable `.probes` section; what the kernel (ref_ctr_offset, 4.20+) and
// the tools key on is its file offset, found through the PT_LOAD segments.

import type { ElfImage } from "./os/elf.js";
import { parseUsdtArgs, UsdtSpecError, type UsdtArg } from "./usdt-args.js";

const NT_STAPSDT = 3;
const PT_LOAD = 1;

/** One probe site. Addresses are the ELF's own (link-time, no load bias). */
export interface UsdtNote {
  readonly provider: string;
  readonly name: string;
  /** The probed instruction (the `nop` sdt.h emits), adjusted for prelink. */
  readonly pc: number;
  /** The `.stapsdt.base` address recorded in the note. */
  readonly base: number;
  /** The semaphore's address, 0 when the probe has none. */
  readonly semaphore: number;
  /** The semaphore's file offset (the kernel's ref_ctr_offset), 0 when it has none. */
  readonly semaphoreOffset: number;
  /** The argument string as written (`-4@-20(%rbp) 8@%rax`). */
  readonly argText: string;
  /** Its arguments, or the reason they cannot be read (then the probe still attaches, but argN is refused). */
  readonly args: UsdtArg[] | UsdtSpecError;
}

function fileOffsetOf(elf: ElfImage, vaddr: number): number {
  for (const ph of elf.phdrs) if (ph.type === PT_LOAD && vaddr >= ph.vaddr && vaddr < ph.vaddr + ph.filesz) return ph.offset + (vaddr - ph.vaddr);
  return -1;
}

function cString(b: Uint8Array, at: number, end: number): { text: string; next: number } {
  let e = at;
  while (e < end && b[e] !== 0) e++;
  return { text: new TextDecoder().decode(b.subarray(at, e)), next: e + 1 };
}

/** Rounded up to 4 with arithmetic: the sizes are untrusted 32-bit values, and `& ~3` would wrap them. */
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Every USDT probe of a file, in note order (empty when it has none); a truncated note ends the list. */
export function readUsdtNotes(elf: ElfImage): UsdtNote[] {
  const sec = elf.sections.find((s) => s.name === ".note.stapsdt");
  if (sec === undefined) return [];
  const baseSec = elf.sections.find((s) => s.name === ".stapsdt.base");
  const b = elf.bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const word = elf.bits === 64 ? 8 : 4;
  const readWord = (at: number): number => (word === 8 ? Number(view.getBigUint64(at, true)) : view.getUint32(at, true));
  const out: UsdtNote[] = [];
  const end = Math.min(sec.offset + sec.size, b.length);
  for (let at = sec.offset; at + 12 <= end; ) {
    const namesz = view.getUint32(at, true);
    const descsz = view.getUint32(at + 4, true);
    const type = view.getUint32(at + 8, true);
    const nameAt = at + 12;
    const descAt = nameAt + align4(namesz);
    const next = descAt + align4(descsz);
    if (next > end || descsz < 3 * word) break;
    const owner = cString(b, nameAt, Math.min(nameAt + namesz, end)).text;
    if (owner === "stapsdt" && type === NT_STAPSDT) out.push(readOne(descAt, descAt + descsz));
    at = next;
  }
  return out;

  function readOne(at: number, stop: number): UsdtNote {
    const loc = readWord(at);
    const base = readWord(at + word);
    const semaphore = readWord(at + 2 * word);
    const provider = cString(b, at + 3 * word, stop);
    const name = cString(b, provider.next, stop);
    const argText = name.next < stop ? cString(b, name.next, stop).text : "";
    const pc = baseSec !== undefined && baseSec.addr !== 0 && base !== 0 ? loc + (baseSec.addr - base) : loc;
    let args: UsdtArg[] | UsdtSpecError;
    try {
      args = parseUsdtArgs(argText);
    } catch (e) {
      if (!(e instanceof UsdtSpecError)) throw e;
      args = e;
    }
    const semaphoreOffset = semaphore === 0 ? 0 : Math.max(0, fileOffsetOf(elf, semaphore));
    return { provider: provider.text, name: name.text, pc, base, semaphore, semaphoreOffset, argText, args };
  }
}
