// A task (thread): the per-thread kernel state. Registers live in the
// process's Cpu while the task runs; per-task subsystems (the uprobe model's
// struct uprobe_task) keep their own state keyed by the Task object, so
// threads can be added without touching them.

import type { Process } from "./process.js";
import type { AltStack, SigInfo } from "./signals.js";

export class Task {
  sigmask = 0n;
  /** Signals queued for this task (faults, tkill), oldest first. */
  readonly pending: SigInfo[] = [];
  altStack: AltStack | undefined;
  /** set_tid_address: cleared and futex-woken at exit. */
  clearChildTid = 0;
  exited = false;

  constructor(
    readonly tid: number,
    readonly proc: Process,
  ) {}
}
