// Virtual memory areas: what mmap created, with the attributes the kernel's
// uprobe code looks at (file, offset, VM_WRITE, VM_MAYSHARE, VM_MAYEXEC).

import type { MappedFile } from "./mapped-file.js";
import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from "./page.js";

export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x100;
export const MAP_FIXED_NOREPLACE = 0x100000;

export type SpecialMapping = "xol" | "trampoline" | "stack" | "heap" | undefined;

export interface Vma {
  start: number;
  end: number;
  prot: number;
  /** MAP_SHARED mappings are never probed (VM_MAYSHARE). */
  shared: boolean;
  file?: MappedFile;
  /** File offset of `start` (vm_pgoff * PAGE_SIZE). */
  offset: number;
  /** Name shown in the maps listing: the file path, [heap], [stack], [uprobes], ... */
  name: string;
  special: SpecialMapping;
  /** Special mappings the kernel marks VM_DONTCOPY: not inherited by fork. */
  dontCopy: boolean;
  /** rwx as /proc/pid/maps shows them when they differ from what the MMU enforces ([uprobes] shows --x). */
  shownProt?: string;
  /** VM_GROWSDOWN: the stack, or an anonymous MAP_GROWSDOWN mapping; a fault below it extends it (expand_downwards). */
  growsDown: boolean;
}

export function protString(v: Vma): string {
  if (v.shownProt) return v.shownProt + (v.shared ? "s" : "p");
  return (
    (v.prot & PROT_READ ? "r" : "-") +
    (v.prot & PROT_WRITE ? "w" : "-") +
    (v.prot & PROT_EXEC ? "x" : "-") +
    (v.shared ? "s" : "p")
  );
}

/** One line of /proc/pid/maps. */
export function formatVma(v: Vma): string {
  const hex = (n: number, w: number) => n.toString(16).padStart(w, "0");
  return `${hex(v.start, 8)}-${hex(v.end, 8)} ${protString(v)} ${hex(v.offset, 8)} 00:00 ${v.file ? v.file.inode : 0}${v.name ? " " + v.name : ""}`;
}

/** File offset of a virtual address inside a file-backed VMA (the uprobe key). */
export function vmaFileOffset(v: Vma, addr: number): number {
  return v.offset + (addr - v.start);
}

export function vmaPages(v: Vma): number {
  return (v.end - v.start) / PAGE_SIZE;
}
