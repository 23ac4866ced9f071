// The virtual clock. Guest time advances only by modelled costs: every
// retired instruction costs a fixed number of picoseconds (1 cycle at the
// profile's nominal frequency), and the uprobe model adds the cost of each
// trap and syscall. gettimeofday, clock_gettime and rdtsc read this clock, so
// a program that times itself prints the same figure on every run.
//
// Time is kept in integer picoseconds in a double: exact up to 2^53 ps
// (about 2.5 hours of guest time).
//
// Several virtual CPUs (--cpus) share this one clock (docs/threads.md): the
// scheduler runs in rounds, each CPU's task runs its quantum in a "lane" that
// starts at the round's start time, and the round ends at the start time plus
// the longest lane. Within a lane the clock reads as above; across rounds it
// is monotonic, whichever CPU a task runs on.

export class VirtualClock {
  /** Picoseconds of guest time elapsed. */
  private ps = 0;
  /** Instruction count at which ps was last brought up to date. */
  private syncedInstret = 0;

  constructor(
    /** Picoseconds per retired instruction. */
    readonly psPerInsn: number,
    /** Nominal CPU frequency for rdtsc, in GHz. */
    readonly ghz: number,
    /** Wall-clock seconds since the epoch at boot (fixed: runs are deterministic). */
    readonly epochSec: number = 1_700_000_000,
  ) {}

  /** Account instructions retired up to instret. */
  sync(instret: number): void {
    this.ps += (instret - this.syncedInstret) * this.psPerInsn;
    this.syncedInstret = instret;
  }

  /** Picoseconds charged so far (what `--sched probe-cost` turns into lost quantum). */
  chargedPs = 0;

  /** Charge extra time (a trap, a syscall) in picoseconds. */
  charge(ps: number): void {
    this.ps += ps;
    this.chargedPs += ps;
  }

  /** Start of the current round (ps) and how far each lane (virtual CPU) of it got. */
  private roundStart = 0;
  private readonly lanes: number[] = [];

  /** A scheduling round begins: every lane starts at this time. */
  beginRound(lanes: number): void {
    this.roundStart = this.ps;
    this.lanes.length = lanes;
    this.lanes.fill(0);
  }

  /** Lane i (a virtual CPU) runs again: its clock goes on from where it stopped in this round. */
  beginLane(i: number): void {
    this.ps = this.roundStart + this.lanes[i]!;
  }

  /** Lane i stopped: remember how far it got. */
  endLane(i: number): void {
    this.lanes[i] = this.ps - this.roundStart;
  }

  /** The round ends when its longest lane does. */
  endRound(): void {
    let longest = 0;
    for (const l of this.lanes) if (l > longest) longest = l;
    this.ps = this.roundStart + longest;
  }

  /** Idle until a timer: every CPU waits (no task runnable), time jumps to ps. */
  advanceTo(ps: number): void {
    if (ps > this.ps) this.ps = ps;
  }

  /** Guest time in picoseconds at a given instruction count (instret >= the last sync). */
  psAt(instret: number): number {
    return this.ps + (instret - this.syncedInstret) * this.psPerInsn;
  }

  /** Monotonic nanoseconds since boot at instret. */
  nsAt(instret: number): number {
    return Math.floor(this.psAt(instret) / 1000);
  }

  /** TSC value (cycles) at instret. */
  tscAt(instret: number): number {
    return Math.floor((this.psAt(instret) * this.ghz) / 1000);
  }
}
