// set_thread_area / get_thread_area (arch/x86/kernel/tls.c): the three TLS
// descriptors of a task in the GDT, which a 32-bit task loads into %gs
// (glibc: selector entry*8+3) to reach its thread control block. On a 64-bit
// kernel they are GDT entries 12..14 (GDT_ENTRY_TLS_MIN = 12, so glibc's %gs
// is 0x63); a 32-bit kernel numbers them 6..8.

import { loadSegment } from "../cpu/ops/ia32.js";
import { EINVAL, ESRCH } from "../errno.js";
import { SEG_FS, SEG_GS } from "../cpu/registers.js";
import { copyIn, copyOut, type SyscallContext } from "./syscalls.js";

const GDT_ENTRY_TLS_MIN = 12;
const GDT_ENTRY_TLS_ENTRIES = 3;

/** struct user_desc: entry_number, base_addr, limit, and the flag bits (seg_32bit, contents, ..., useable). */
interface UserDesc {
  entry: number;
  base: number;
  limit: number;
  flags: number;
}

/** Read a struct user_desc (set_thread_area, and clone's CLONE_SETTLS in a compat task). */
export function readUserDesc(c: SyscallContext, ptr: number): UserDesc | number {
  const raw = copyIn(c, ptr, 16);
  if (typeof raw === "number") return raw;
  const dv = new DataView(raw.buffer, raw.byteOffset);
  return { entry: dv.getInt32(0, true), base: dv.getUint32(4, true), limit: dv.getUint32(8, true), flags: dv.getUint32(12, true) };
}

/** A TLS slot's GDT index (GDT_ENTRY_TLS_MIN..+2), or -1 if entry_number names none. */
export function tlsSlotIndex(entry: number): number {
  return entry >= GDT_ENTRY_TLS_MIN && entry < GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES ? entry : -1;
}

/** LDT_empty: a descriptor with base, limit and flags zero except read_exec_only and seg_not_present clears the slot. */
function isEmpty(d: UserDesc): boolean {
  return d.base === 0 && d.limit === 0 && (d.flags & ~0x48) === 0 && (d.flags & 0x48) === 0x48;
}

/** set_thread_area(u_info): entry -1 picks the first free slot and writes its number back. */
export function setThreadArea(c: SyscallContext, a: number[]): number {
  const d = readUserDesc(c, a[0]!);
  if (typeof d === "number") return d;
  const cpu = c.cpu;
  let idx = d.entry;
  if (idx === -1) {
    idx = -1;
    for (let i = GDT_ENTRY_TLS_MIN; i < GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES; i++)
      if (!cpu.tls.has(i)) {
        idx = i;
        break;
      }
    if (idx === -1) return -ESRCH;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setInt32(0, idx, true);
    const r = copyOut(c, a[0]!, out);
    if (r) return r;
  }
  if (idx < GDT_ENTRY_TLS_MIN || idx >= GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES) return -EINVAL;
  if (isEmpty(d)) cpu.tls.delete(idx);
  else cpu.tls.set(idx, d.base);
  // load_TLS: a segment register already holding this selector sees the new base
  for (const seg of [SEG_FS, SEG_GS]) {
    const sel = cpu.selectors[seg]!;
    if (sel >> 3 === idx && (sel & 7) === 3) loadSegment(cpu, seg, cpu.tls.has(idx) ? sel : 0);
  }
  return 0;
}

/** get_thread_area(u_info): the base of the slot named by u_info->entry_number (limit and flags as glibc set them: 4 GiB pages, 32-bit, useable). */
export function getThreadArea(c: SyscallContext, a: number[]): number {
  const d = readUserDesc(c, a[0]!);
  if (typeof d === "number") return d;
  if (d.entry < GDT_ENTRY_TLS_MIN || d.entry >= GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES) return -EINVAL;
  const base = c.cpu.tls.get(d.entry);
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, d.entry, true);
  if (base === undefined) dv.setUint32(12, 0x48, true);
  else {
    dv.setUint32(4, base, true);
    dv.setUint32(8, 0xfffff, true);
    dv.setUint32(12, 0x51, true); // seg_32bit | limit_in_pages | useable
  }
  return copyOut(c, a[0]!, b);
}
