// The XOL area (kernel/events/uprobes.c: __create_xol_area, xol_get_insn_slot,
// xol_free_insn_slot): a special one-page mapping "[uprobes]", placed at the
// hint TASK_SIZE - PAGE_SIZE (0x7fffffffe000), created on the first
// out-of-line step or uretprobe of an mm. Slot 0 is reserved for the
// uretprobe trampoline since uretprobes exist (3.10); a step copies the
// 16-byte instruction into a free 128-byte slot.

import type { AddressSpace } from "../mm/address-space.js";
import { TASK_SIZE } from "../mm/fault.js";
import { PAGE_SIZE, PROT_EXEC, PROT_READ } from "../mm/page.js";
import type { KernelGeneration } from "./generations.js";
import type { XolArea } from "./state.js";
import { archUprobeTrampoline } from "./x86/uretprobe.js";

const UPROBE_XOL_SLOT_BYTES = 128;
const UINSNS_PER_PAGE = PAGE_SIZE / UPROBE_XOL_SLOT_BYTES;

/** __create_xol_area(): map the page and install the trampoline. Returns undefined if no address is free. */
export function createXolArea(mm: AddressSpace, gen: KernelGeneration, bits: 64 | 32, at?: number): XolArea | undefined {
  // TASK_SIZE of a 32-bit task: IA32_PAGE_OFFSET (0xffffe000) on a 64-bit kernel, PAGE_OFFSET (3 GiB) on an i386 one
  const taskSize = bits === 64 ? TASK_SIZE : gen.kernelBits === 32 ? 0xc0000000 : 0xffffe000;
  const hint = at ?? taskSize - PAGE_SIZE;
  let vaddr = hint;
  if (!mm.isFree(vaddr, vaddr + PAGE_SIZE)) {
    if (at !== undefined) return undefined;
    vaddr = mm.findFreeTopDown(PAGE_SIZE);
    if (vaddr < 0) return undefined;
  }
  // VM_EXEC only; x86 page tables cannot express execute-only, so user reads work (as on hardware).
  mm.map({ addr: vaddr, length: PAGE_SIZE, prot: PROT_EXEC | PROT_READ, fixed: true, name: "[uprobes]", special: "xol", dontCopy: true, shownProt: "--x" });
  const area: XolArea = { vaddr, bitmap: 0, slotContents: [] };
  if (gen.xolSlot0Reserved) {
    area.bitmap |= 1;
    mm.poke(vaddr, archUprobeTrampoline(gen, bits));
  }
  return area;
}

/** xol_get_insn_slot(): first free slot, with the 16-byte copy written into it. undefined if all are busy. */
export function xolGetInsnSlot(mm: AddressSpace, area: XolArea, ixol: Uint8Array): number | undefined {
  for (let i = 0; i < UINSNS_PER_PAGE; i++) {
    if (area.bitmap & (1 << i)) continue;
    area.bitmap |= 1 << i;
    const slot = area.vaddr + i * UPROBE_XOL_SLOT_BYTES;
    // bytes 16..127 of the slot keep whatever was there. Copying the same
    // uprobe's bytes again changes nothing, so it is skipped: the translated
    // copy in the slot stays cached.
    if (area.slotContents[i] !== ixol) {
      mm.poke(slot, ixol);
      area.slotContents[i] = ixol;
    }
    return slot;
  }
  return undefined;
}

/** xol_free_insn_slot(). */
export function xolFreeInsnSlot(area: XolArea, xolVaddr: number): void {
  const offset = xolVaddr - area.vaddr;
  if (offset < 0 || offset >= PAGE_SIZE) return;
  area.bitmap &= ~(1 << Math.floor(offset / UPROBE_XOL_SLOT_BYTES));
}
