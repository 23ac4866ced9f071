// The global uprobe registry (kernel/events/uprobes.c: uprobe_register,
// uprobe_unregister, register_for_each_vma, install_breakpoint,
// remove_breakpoint, uprobe_mmap). One uprobe per (inode, file offset);
// the first consumer that accepts an mm installs the int3 in that mm's
// private copy of the page, the last one removes it.

import { EINVAL, errnoName } from "../errno.js";
import type { AddressSpace } from "../mm/address-space.js";
import type { MappedFile } from "../mm/mapped-file.js";
import { PROT_WRITE } from "../mm/page.js";
import type { Vma } from "../mm/vma.js";
import type { Process } from "../os/process.js";
import { newStats } from "./accounting.js";
import { RefCounters } from "./ref-ctr.js";
import type { KernelGeneration } from "./generations.js";
import type { Consumer, MmState, Uprobe, UprobeConsumer } from "./state.js";
import { analyzeInsn, hitPath } from "./x86/analyze.js";
import { MAX_UINSN_BYTES, UPROBE_SWBP_INSN } from "./x86/arch-uprobe.js";
import { isOptimized, swbpUnoptimize } from "./x86/optimize.js";

/** What the registry uses of the subsystem (implemented by Uprobes). */
export interface RegistryContext {
  readonly gen: KernelGeneration;
  readonly emulation: boolean;
  readonly optimizeEnabled: boolean;
  /** The live processes (register_for_each_vma walks their mms). */
  processes(): Process[];
  mmState(mm: AddressSpace): MmState;
}

/** valid_vma(): file-backed, VM_MAYEXEC, and (when registering) neither writable nor shared. */
function validVma(v: Vma, isRegister: boolean): boolean {
  if (!v.file || v.special) return false;
  if (!isRegister) return true;
  return !(v.prot & PROT_WRITE) && !v.shared;
}

/** Virtual addresses where (file, offset) is mapped in a process, through valid VMAs. */
function addressesOf(proc: Process, file: MappedFile, offset: number, isRegister: boolean): number[] {
  const out: number[] = [];
  for (const v of proc.mm.vmas) {
    if (v.file !== file || !validVma(v, isRegister)) continue;
    if (offset >= v.offset && offset < v.offset + (v.end - v.start)) out.push(v.start + (offset - v.offset));
  }
  return out;
}

export class Registry {
  /** By inode, then file offset (the kernel's rb-tree key). */
  private readonly byFile = new Map<MappedFile, Map<number, Uprobe>>();
  private nextId = 1;
  /** USDT semaphores the kernel counts (4.20+). */
  private readonly refCounters = new RefCounters();
  /** Bumped on every uprobe added or removed and every consumer list changed (lookup caches and hit plans check it). */
  generation = 0;

  constructor(private readonly sub: RegistryContext) {}

  /** Every registered uprobe. */
  get uprobes(): Uprobe[] {
    return [...this.byFile.values()].flatMap((m) => [...m.values()]);
  }

  find(file: MappedFile, offset: number): Uprobe | undefined {
    return this.byFile.get(file)?.get(offset);
  }

  private insert(u: Uprobe): void {
    let m = this.byFile.get(u.file);
    if (!m) this.byFile.set(u.file, (m = new Map()));
    m.set(u.offset, u);
    this.generation++;
  }

  private remove(u: Uprobe): void {
    const m = this.byFile.get(u.file);
    m?.delete(u.offset);
    if (m && m.size === 0) this.byFile.delete(u.file);
    this.generation++;
  }

  /**
   * uprobe_register(): add a consumer (newest first) and install the
   * breakpoint in every process that maps the file and whose mm the new
   * consumer's filter accepts. On error the registration is rolled back and
   * the consumer is returned with path "rejected".
   */
  register(file: MappedFile, offset: number, uc: UprobeConsumer): Consumer {
    if (!uc.handler && !uc.retHandler) throw new Error("consumer has neither handler nor retHandler");
    let u = this.find(file, offset);
    if (!u) {
      u = { file, offset, consumers: [], arch: undefined, error: undefined, hits: 0 };
      this.insert(u);
    }
    const c: Consumer = { id: this.nextId++, uc, stats: newStats(), uprobe: u };
    if (offset > file.size) return this.reject(c, EINVAL, "offset is past the end of the file");
    // alloc_uprobe(): one ref_ctr_offset per uprobe (before 4.20 the kernel takes none)
    if (uc.refCtrOffset && this.sub.gen.refCtr && !this.refCounters.claim(u, uc.refCtrOffset))
      return this.reject(c, EINVAL, `reference counter offset mismatch: this uprobe counts the semaphore at 0x${u.refCtr!.offset.toString(16)}`);
    if (uc.retHandler && this.sub.gen.uretprobeReturn === "none") return this.reject(c, EINVAL, `uretprobes do not exist before 3.10 (modelled kernel ${this.sub.gen.version})`);
    // a new list, not unshift: a handler chain running now goes on over the list it started with (list_add_rcu)
    u.consumers = [c, ...u.consumers];
    this.generation++; // the consumer list changed: hit plans (hit-plan.ts) made on the old one no longer hold
    for (const proc of this.sub.processes()) {
      if (uc.filter && !uc.filter(proc)) continue;
      for (const vaddr of addressesOf(proc, file, offset, true)) {
        const err = this.installBreakpoint(u, proc, vaddr);
        if (err) {
          this.unregister(c);
          return this.reject(c, err.errno, err.why);
        }
      }
    }
    this.refreshPath(c);
    return c;
  }

  private reject(c: Consumer, errno: number, why: string): Consumer {
    c.stats.path = "rejected";
    c.stats.error = { errno, name: errnoName(errno), why };
    return c;
  }

  /** The path a hit on this consumer's uprobe takes (once analysed). */
  refreshPath(c: Consumer): void {
    const a = c.uprobe.arch;
    if (c.stats.path === "rejected") return;
    if (a) c.stats.path = hitPath(a, this.sub.optimizeEnabled);
  }

  /** uprobe_unregister(): remove the consumer; remove breakpoints no remaining consumer wants. */
  unregister(c: Consumer): void {
    const u = c.uprobe;
    const i = u.consumers.indexOf(c);
    if (i < 0) return;
    u.consumers = u.consumers.filter((x) => x !== c); // a new list, as in register()
    this.generation++;
    for (const proc of this.sub.processes()) {
      if (!this.sub.mmState(proc.mm).hasUprobes) continue;
      if (this.filterChain(u, proc)) continue;
      for (const vaddr of addressesOf(proc, u.file, u.offset, false)) this.removeBreakpoint(u, proc, vaddr);
    }
    if (u.consumers.length === 0) this.remove(u);
  }

  /** filter_chain(): does any consumer want this mm? */
  filterChain(u: Uprobe, proc: Process): boolean {
    return u.consumers.some((c) => !c.uc.filter || c.uc.filter(proc));
  }

  /** prepare_uprobe(): copy the instruction from the file and analyse it, once per uprobe. */
  prepare(u: Uprobe, vaddr: number, bits: 64 | 32 = 64): { errno: number; why: string } | undefined {
    if (u.arch) return undefined;
    if (u.error) return u.error;
    const bytes = u.file.read(u.offset, MAX_UINSN_BYTES);
    // is_64bit_mm() of the mm being probed: a 32-bit program's code is analysed as 32-bit code
    const r = analyzeInsn(bytes, { gen: this.sub.gen, emulation: this.sub.emulation, bits, vaddr });
    if (!r.ok) {
      // The kernel does not remember the failure (COPY_INSN stays clear); the next install re-analyses and fails again.
      return { errno: r.errno, why: r.why };
    }
    u.arch = r.arch;
    for (const c of u.consumers) this.refreshPath(c);
    return undefined;
  }

  /** install_breakpoint(): analysis, MMF_HAS_UPROBES, then int3 into the process's copy of the page. */
  installBreakpoint(u: Uprobe, proc: Process, vaddr: number): { errno: number; why: string } | undefined {
    const err = this.prepare(u, vaddr, proc.cpu.bitness);
    if (err) return err;
    this.sub.mmState(proc.mm).hasUprobes = true;
    // uprobe_write_opcode(): the counter goes up only when the int3 is really written
    if (this.setSwbp(u, proc, vaddr) && u.refCtr) this.refCounters.update(u, proc, 1);
    return undefined;
  }

  /** set_swbp(): idempotent; a site already optimized by another thread is left alone (6.18). True when it wrote the int3. */
  private setSwbp(u: Uprobe, proc: Process, vaddr: number): boolean {
    const a = u.arch!;
    if (a.canOptimize && !a.optimizeFail && this.sub.optimizeEnabled && isOptimized(proc, vaddr)) return false;
    const cur = proc.mm.peek(vaddr, 1);
    if (!cur || cur[0] === UPROBE_SWBP_INSN) return false;
    return proc.mm.poke(vaddr, new Uint8Array([UPROBE_SWBP_INSN]));
  }

  /** remove_breakpoint() / set_orig_insn(): write insn[0] back (or undo the optimization). */
  removeBreakpoint(u: Uprobe, proc: Process, vaddr: number): void {
    const a = u.arch;
    if (!a) return;
    if (a.canOptimize && isOptimized(proc, vaddr)) {
      swbpUnoptimize(proc, a, vaddr);
      if (u.refCtr) this.refCounters.update(u, proc, -1);
      return;
    }
    const cur = proc.mm.peek(vaddr, 1);
    if (!cur || cur[0] !== UPROBE_SWBP_INSN) return;
    proc.mm.poke(vaddr, a.insn.subarray(0, 1));
    if (u.refCtr) this.refCounters.update(u, proc, -1);
    // __replace_page: an anonymous copy identical to the page cache is dropped
    proc.mm.revertPageIfPristine(vaddr);
  }

  /** uprobe_mmap(): install every uprobe of this file that falls in the new VMA; errors are ignored. */
  mmap(proc: Process, v: Vma): void {
    // delayed_ref_ctr_inc(): a counter whose int3 went in before its VMA was mapped
    if (this.sub.mmState(proc.mm).hasUprobes) this.refCounters.mmap(proc, v);
    const m = v.file && this.byFile.get(v.file);
    if (!m || !validVma(v, true)) return;
    for (const u of m.values()) {
      if (u.offset < v.offset || u.offset >= v.offset + (v.end - v.start)) continue;
      if (!this.filterChain(u, proc)) continue;
      this.installBreakpoint(u, proc, v.start + (u.offset - v.offset));
    }
  }

  /** unapply_uprobe(): every consumer asked for removal and none wants this mm: restore the byte in this mm only. */
  unapply(u: Uprobe, proc: Process): void {
    for (const vaddr of addressesOf(proc, u.file, u.offset, false)) this.removeBreakpoint(u, proc, vaddr);
  }
}
