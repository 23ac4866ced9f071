// Single-instruction translations kept across the code write watch, keyed by
// address and bytes. A write to a page drops every block translated from it
// (Cpu.invalidatePage); for the XOL page that happens at every step whose slot
// held another instruction (two probes stepping in turn, threads holding
// different slots: each write also dropped the other slots' steps), and the
// step was decoded and translated again: ~4 us per hit. A block translated
// from the same bytes at the same address is the same block, so it is
// revived instead: same closure (a resteer stub put in place by the store is
// replaced by the original), valid again, its execution count reset,
// registered again and counted as a translation by the Cpu. Only
// single-instruction blocks (steps) are kept; a translation depends on the
// instruction's own bytes only (one decoded instruction, no #UD stub).

import type { AddressSpace } from "../mm/address-space.js";
import type { Block, Exec } from "./cpu.js";

/** What is kept of one translated step. */
interface Kept {
  block: Block;
  /** The block's closure as translated (the block's own slot may hold a resteer stub since). */
  fn: Exec;
  bytes: Uint8Array;
}

/** Kept steps per address (the newest first) and in all: past the total the memo starts over (execution counting steps every instruction). */
const PER_ADDRESS = 4;
const TOTAL = 4096;

export class StepMemo {
  private readonly byAddr = new Map<number, Kept[]>();
  private size = 0;

  /** A dropped step at addr whose bytes are in mem again, made valid again; undefined if none. */
  revive(addr: number, mem: AddressSpace): Block | undefined {
    const list = this.byAddr.get(addr);
    if (list === undefined) return undefined;
    for (const k of list) {
      if (k.block.valid || !mem.fetchMatches(addr, k.bytes)) continue;
      const b = k.block;
      b.fns[0] = k.fn;
      b.valid = true;
      b.heat = 0; // as a fresh translation: the jit counts its executions from 0 again
      return b;
    }
    return undefined;
  }

  /** Keep a freshly translated step. */
  keep(b: Block): void {
    if (b.n !== 1) return;
    if (this.size >= TOTAL) this.clear();
    let list = this.byAddr.get(b.addr);
    if (list === undefined) this.byAddr.set(b.addr, (list = []));
    list.unshift({ block: b, fn: b.fns[0]!, bytes: b.insns[0]!.bytes });
    this.size++;
    if (list.length > PER_ADDRESS) {
      list.pop();
      this.size--;
    }
  }

  clear(): void {
    this.byAddr.clear();
    this.size = 0;
  }
}
