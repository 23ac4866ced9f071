// The DSL's run-time view of a hit (dsl/host.ts HitContext), over the
// uprobe model's ConsumerContext. One object per consumer, re-pointed at
// each hit, so a handler run allocates nothing here.

import type { HitContext } from "../dsl/host.js";
import { codeAtIn, totalTraps, unwindCfi, type ConsumerContext, type Linux, type ProbeStats, type Uprobes } from "../engine/index.js";

export class ConsumerHitContext implements HitContext {
  private c: ConsumerContext | undefined;
  private func = 0;

  constructor(
    private readonly kernel: Linux,
    private readonly stats: ProbeStats,
    private readonly onExit: (code: number) => void,
    /** The uprobe model, for the return addresses pending uretprobes hid (absent: none). */
    private readonly uprobes?: Uprobes,
  ) {}

  /** Point at the current hit. */
  at(c: ConsumerContext, funcAddr: number): this {
    this.c = c;
    this.func = funcAddr;
    return this;
  }

  /** Converted on demand: most handlers never read it. */
  get funcAddr(): bigint {
    return BigInt(this.func);
  }

  private get cx(): ConsumerContext {
    return this.c!;
  }

  get pid(): number {
    return this.cx.task.proc.pid;
  }

  get tid(): number {
    return this.cx.task.tid;
  }

  get comm(): string {
    return this.cx.task.comm;
  }

  get cpu(): number {
    return this.cx.task.cpu;
  }

  get cpid(): number {
    return this.kernel.processes[0]?.pid ?? this.pid;
  }

  /** The modelled kernel's release: ustack's walk differs before and after 6.11. */
  get kernelRelease(): string {
    return this.kernel.release;
  }

  nsecs(): bigint {
    return BigInt(this.kernel.nowNs());
  }

  get wordSize(): 4 | 8 {
    return this.cx.cpu.bitness === 32 ? 4 : 8;
  }

  gpr(index: number): bigint {
    return this.cx.cpu.getReg(index);
  }

  ip(): bigint {
    return BigInt.asUintN(64, BigInt(this.cx.cpu.rip));
  }

  private read(addr: bigint, n: number): Uint8Array | undefined {
    if (addr < 0n || addr >= 0x800000000000n) return undefined;
    const a = Number(addr);
    if (!this.cx.cpu.mem.accessOk(a, n, 1)) return undefined;
    try {
      return this.cx.cpu.mem.readBytes(a, n);
    } catch {
      return undefined;
    }
  }

  readU8(addr: bigint): number | undefined {
    return this.read(addr, 1)?.[0];
  }

  readU16(addr: bigint): number | undefined {
    const b = this.read(addr, 2);
    return b && new DataView(b.buffer).getUint16(0, true);
  }

  readU32(addr: bigint): number | undefined {
    const b = this.read(addr, 4);
    return b && new DataView(b.buffer).getUint32(0, true);
  }

  readU64(addr: bigint): bigint | undefined {
    const b = this.read(addr, 8);
    return b && new DataView(b.buffer).getBigUint64(0, true);
  }

  readString(addr: bigint, max: number): string | undefined {
    const out: number[] = [];
    for (let i = 0; i < max; i++) {
      const b = this.readU8(addr + BigInt(i));
      if (b === undefined) return out.length ? Buffer.from(out).toString("latin1") : undefined;
      if (b === 0) break;
      out.push(b);
    }
    return Buffer.from(out).toString("utf8");
  }

  pendingReturns(): { trampoline: bigint; returns: bigint[] } | undefined {
    const p = this.uprobes?.pendingReturns(this.cx.task);
    return p && { trampoline: BigInt(p.trampoline), returns: p.returns.map(BigInt) };
  }

  /**
   * ustack(cfi): the engine's .eh_frame unwinder over this process's mappings,
   * reading through the same checked path. A return address that a pending
   * uretprobe replaced with its trampoline is put back (newest first), and the
   * walk goes on from it, as the kernel's callchain fixup does for its walk.
   */
  cfiStack(limit: number): bigint[] {
    const cpu = this.cx.cpu;
    const pending = this.pendingReturns();
    let k = 0;
    return unwindCfi(
      {
        gpr: (i) => cpu.getReg(i),
        rip: this.ip(),
        bits: cpu.bitness === 32 ? 32 : 64,
        readWord: (a, n) => (n === 8 ? this.readU64(a) : ((v) => (v === undefined ? undefined : BigInt(v)))(this.readU32(a))),
        codeAt: codeAtIn(cpu.mem),
        fixReturn: pending && ((ra) => (ra === pending.trampoline && k < pending.returns.length ? pending.returns[k++]! : ra)),
      },
      limit,
    );
  }

  hits(): bigint {
    return BigInt(this.stats.hits);
  }

  traps(): bigint {
    return BigInt(totalTraps(this.stats));
  }

  /**
   * bpf_send_signal(): group_send_sig_info(sig, SEND_SIG_PRIV) to the current
   * process, so si_code is SI_KERNEL; delivered on the way back to user space.
   */
  signal(signo: number): void {
    this.kernel.queueSignal(this.cx.task, { signo, code: 0x80, addr: 0, forced: false, ip: this.cx.cpu.rip });
  }

  requestExit(code: number): void {
    this.onExit(code);
  }
}
