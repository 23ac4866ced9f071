// USDT semaphores counted by the kernel (kernel/events/uprobes.c since 4.20,
// 1cc33161a83d "uprobes: Support SDT markers having reference count
// (semaphore)"; docs/uprobes-model.md §USDT semaphores).
//
// A uprobe registered with a ref_ctr_offset (the file offset of the 2-byte
// semaphore sys/sdt.h puts in `.probes`) has its counter raised in an mm each
// time the int3 is actually written there (uprobe_write_opcode ->
// update_ref_ctr(+1)), and lowered each time the original byte is put back
// (-1). The counter lives in the guest's own writable private mapping of the
// same file (valid_ref_ctr_vma); when that VMA is not mapped yet (the loader
// maps text before data), the increment waits on delayed_uprobe_list and is
// applied by uprobe_mmap when the VMA appears (delayed_ref_ctr_inc). A
// counter that would go below zero is left alone (__update_ref_ctr warns).
//
// Before 4.20 none of this exists: the kernel ignores semaphores, and a tool
// that wants a guarded probe to fire writes the counter itself (lab/).

import type { AddressSpace } from "../mm/address-space.js";
import type { MappedFile } from "../mm/mapped-file.js";
import { PROT_WRITE } from "../mm/page.js";
import type { Vma } from "../mm/vma.js";
import type { Process } from "../os/process.js";
import type { RefCtrState, Uprobe } from "./state.js";

/** valid_ref_ctr_vma(): a private writable mapping of the uprobe's file that covers the counter. */
function refCtrAddress(v: Vma, file: MappedFile, offset: number): number | undefined {
  if (v.file !== file || v.shared || !(v.prot & PROT_WRITE)) return undefined;
  const vaddr = v.start + (offset - v.offset);
  return vaddr >= v.start && vaddr < v.end ? vaddr : undefined;
}

/** Read, adjust and write back the 16-bit counter (__update_ref_ctr); the new value, or undefined when refused. */
function addToCounter(mm: AddressSpace, vaddr: number, d: 1 | -1): number | undefined {
  const cur = mm.peek(vaddr, 2);
  if (cur === undefined) return undefined;
  const v = (cur[0]! | (cur[1]! << 8)) << 16 >> 16; // a short
  if (v + d < 0) return undefined; // "ref_ctr going negative"
  const n = (v + d) & 0xffff;
  return mm.poke(vaddr, new Uint8Array([n & 0xff, n >> 8])) ? (n << 16) >> 16 : undefined;
}

/** What the registry asks of the counters. */
export class RefCounters {
  /** delayed_uprobe_list: increments waiting for the counter's VMA, per mm. */
  private readonly delayed = new WeakMap<AddressSpace, Set<Uprobe>>();

  /** alloc_uprobe(): the first non-zero offset sticks; another one for the same uprobe is -EINVAL. */
  claim(u: Uprobe, offset: number): boolean {
    if (u.refCtr === undefined) {
      u.refCtr = { offset, increments: 0, decrements: 0, delayed: 0 };
      return true;
    }
    return u.refCtr.offset === offset;
  }

  /** update_ref_ctr(): the int3 was just written (+1) or removed (-1) in proc's mm. */
  update(u: Uprobe, proc: Process, d: 1 | -1): void {
    const rc = u.refCtr;
    if (rc === undefined) return;
    // find_ref_ctr_vma(): the first VMA that holds the counter
    for (const v of proc.mm.vmas) {
      const vaddr = refCtrAddress(v, u.file, rc.offset);
      if (vaddr === undefined) continue;
      this.apply(rc, proc.mm, vaddr, d);
      if (d > 0) return;
      break;
    }
    const set = this.delayed.get(proc.mm);
    if (d < 0) {
      set?.delete(u);
      return;
    }
    // delayed_uprobe_add(): once per (uprobe, mm)
    if (set?.has(u)) return;
    if (set === undefined) this.delayed.set(proc.mm, new Set([u]));
    else set.add(u);
    rc.delayed++;
  }

  /** delayed_ref_ctr_inc(): uprobe_mmap of a writable private VMA applies the waiting increments it covers. */
  mmap(proc: Process, v: Vma): void {
    const set = this.delayed.get(proc.mm);
    if (set === undefined || !v.file || v.shared || !(v.prot & PROT_WRITE)) return;
    for (const u of [...set]) {
      const vaddr = refCtrAddress(v, u.file, u.refCtr!.offset);
      if (vaddr === undefined) continue;
      this.apply(u.refCtr!, proc.mm, vaddr, 1);
      set.delete(u);
    }
  }

  private apply(rc: RefCtrState, mm: AddressSpace, vaddr: number, d: 1 | -1): void {
    const n = addToCounter(mm, vaddr, d);
    if (n === undefined) return; // update_ref_ctr_warn(): below 0, or unreadable
    if (d > 0) rc.increments++;
    else rc.decrements++;
    rc.last = n;
  }
}
