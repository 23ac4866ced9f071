// Kernel timers (itimers, timerfds) due at the same time fire in the order they were made on their machine:
// Scheduler.makeTimer numbers them per scheduler, so a later machine in the same process (a notebook's
// next run) orders its ties as a fresh process does.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Scheduler } from "../../engine/os/scheduler.js";

/** Make timers named by `names`, all due at deadlinePs, arm them in `armOrder`, expire, and return the firing order. */
function firing(s: Scheduler, names: string[], armOrder: number[]): string[] {
  const fired: string[] = [];
  const timers = names.map((n) => s.makeTimer(1000, () => void fired.push(n)));
  for (const i of armOrder) s.armTimer(timers[i]!);
  s.expire(1000);
  return fired;
}

test("ties fire in creation order, whatever the arming order", () => {
  assert.deepEqual(firing(new Scheduler(1, 100), ["itimer", "timerfd", "timerfd2"], [2, 0, 1]), ["itimer", "timerfd", "timerfd2"]);
});

test("each machine's scheduler numbers its own timers from 0", () => {
  const first = new Scheduler(1, 100);
  firing(first, ["a", "b", "c"], [0, 1, 2]);
  const later = new Scheduler(1, 100);
  assert.equal(later.makeTimer(5, () => {}).seq, 0);
  assert.equal(first.makeTimer(5, () => {}).seq, 3);
});
