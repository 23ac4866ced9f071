// USDT semaphores, from the tool's side (docs/uprobes-model.md §USDT
// semaphores). From Linux 4.20 the tool hands the kernel the semaphore's file
// offset (ref_ctr_offset) and the modelled kernel counts it
// (engine/uprobes/ref-ctr.ts). Before 4.20 the kernel knows nothing of it:
// bpftrace 0.17 and bcc then add 1 to the counter themselves, writing the
// traced process's memory through /proc/PID/mem (bcc_usdt_addsem_probe), once
// per attached probe. We do the same write, into the guest's memory, right
// after registering; `--no-sem-poke` leaves it alone, and the guarded probe
// stays dark as it would under a tool that does not know about semaphores.
// A semaphore in a shared library is not poked: the library is not mapped yet
// when the tool attaches (bcc finds it through /proc/PID/maps).

import type { UsdtSite } from "../dsl/host.js";
import type { AddressSpace, Consumer } from "../engine/index.js";

/** What the report says about one usdt probe's semaphore. */
export interface SemaphoreReport {
  /** Its address (the ELF's, load bias applied) and file offset. */
  address: string;
  offset: string;
  /** Who raised it: the kernel (4.20+, ref_ctr_offset), the tool (before 4.20), or nobody (dark). */
  raised_by: "kernel" | "tool" | "nobody";
  /** The counter after the last write (the kernel's or the tool's); absent when nobody wrote it. */
  value?: number;
  /** Why nobody raised it, or the kernel's delayed increments. */
  note?: string;
}

/** bcc's addsem: read the 2-byte counter, add 1, write it back; the new value, or undefined when it is not mapped. */
export function toolRaisesSemaphore(mm: AddressSpace, addr: bigint): number | undefined {
  const a = Number(addr);
  const cur = mm.peek(a, 2);
  if (cur === undefined) return undefined;
  const n = ((cur[0]! | (cur[1]! << 8)) + 1) & 0xffff;
  return mm.poke(a, new Uint8Array([n & 0xff, n >> 8])) ? n : undefined;
}

export function semaphoreReport(
  sem: { addr: bigint; fileOffset: number },
  consumer: Consumer,
  kernelCounts: boolean,
  poked: ReadonlyMap<string, number | undefined>,
  probe: string,
  inMain: boolean,
): SemaphoreReport {
  const base = { address: "0x" + sem.addr.toString(16), offset: "0x" + sem.fileOffset.toString(16) };
  if (kernelCounts) {
    const rc = consumer.uprobe.refCtr;
    const r: SemaphoreReport = { ...base, raised_by: "kernel" };
    if (rc?.last !== undefined) r.value = rc.last;
    if (rc !== undefined && rc.delayed > 0) r.note = `${rc.delayed} increment${rc.delayed === 1 ? "" : "s"} delayed until the counter's VMA was mapped`;
    return r;
  }
  if (poked.has(probe)) {
    const v = poked.get(probe);
    return v === undefined ? { ...base, raised_by: "nobody", note: "the semaphore is not mapped: the tool could not write it" } : { ...base, raised_by: "tool", value: v };
  }
  return { ...base, raised_by: "nobody", note: inMain ? "kernel before 4.20 and --no-sem-poke: the guarded probe stays dark" : "kernel before 4.20, and the library is not mapped when the tool attaches" };
}

/** run -v's tail for a usdt probe: its argument specs and what happened to its semaphore. */
export function usdtVerbose(site: UsdtSite, sem: SemaphoreReport | undefined): string {
  const args = Array.isArray(site.args) ? (site.args.length ? site.args.map((a, i) => `arg${i} ${a.text}`).join(", ") : "none") : `unreadable: ${site.args.message}`;
  let out = `, usdt ${site.provider}:${site.name} args [${args}]`;
  if (sem === undefined) return out + ", no semaphore";
  out += `, semaphore ${sem.address} (file offset ${sem.offset}) raised by ${sem.raised_by}`;
  if (sem.value !== undefined) out += ` (= ${sem.value})`;
  if (sem.note !== undefined) out += `: ${sem.note}`;
  return out;
}
