// Process groups and sessions (kernel/sys.c): setpgid, getpgid, getpgrp,
// setsid, getsid, and who a negative or zero pid reaches in kill and wait.
// A process inherits its parent's group and session at fork and keeps them
// across exec. The traced command starts in the group and session of the
// tool that launched it (pid 999, as lab/event-probes.ts names the tool), so
// it leads neither, as a command run from a non-interactive shell.

import { EACCES, EINVAL, EPERM, ESRCH } from "../errno.js";
import type { Linux } from "./linux.js";
import type { Process } from "./process.js";
import type { SyscallContext } from "./syscalls.js";

/** The tool's pid: the traced command's first process group and session. */
export const TOOL_PID = 999;

/** The processes of group pgid that have not been reaped (a zombie stays in its group until then). */
export function groupMembers(k: Linux, pgid: number): Process[] {
  return k.processes.filter((p) => !p.reaped && p.pgid === pgid);
}

/**
 * The process of the task with this pid (find_task_by_vpid), for pid 0 the caller's; leaderOnly:
 * EINVAL for a thread that does not lead its group (setpgid's thread_group_leader check).
 */
function target(c: SyscallContext, pid: number, leaderOnly = false): Process | number {
  if (pid === 0) return c.task.proc;
  const t = c.kernel.findTask(pid);
  if (t) return leaderOnly && t.proc.leader !== t ? -EINVAL : t.proc;
  const p = c.kernel.findProcess(pid); // a zombie leader
  return p ?? -ESRCH;
}

/** setpgid(pid, pgid): the caller or a child of its that has not exec'ed, within the caller's session. */
export function sysSetpgid(c: SyscallContext, a: number[]): number {
  const me = c.task.proc;
  let pid = a[0]! | 0, pgid = a[1]! | 0;
  if (pid === 0) pid = me.pid;
  if (pgid === 0) pgid = pid;
  if (pgid < 0) return -EINVAL;
  const p = target(c, pid, true);
  if (typeof p === "number") return p;
  if (p.parent === me) {
    if (p.sid !== me.sid) return -EPERM;
    if (p.execed) return -EACCES; // PF_FORKNOEXEC is gone
  } else if (p !== me) return -ESRCH;
  if (p.sid === p.pid) return -EPERM; // a session leader stays in its group
  // joining another group: it must exist in the caller's session
  if (pgid !== pid && !groupMembers(c.kernel, pgid).some((q) => q.sid === me.sid)) return -EPERM;
  p.pgid = pgid;
  return 0;
}

/** getpgid(pid) (getpgrp is getpgid(0)). */
export function sysGetpgid(c: SyscallContext, a: number[]): number {
  const p = target(c, a[0]! | 0);
  return typeof p === "number" ? p : p.pgid;
}

export function sysGetsid(c: SyscallContext, a: number[]): number {
  const p = target(c, a[0]! | 0);
  return typeof p === "number" ? p : p.sid;
}

/** setsid: EPERM when a group with the caller's pid exists (it leads one); else a new session and group. */
export function sysSetsid(c: SyscallContext): number {
  const me = c.task.proc;
  if (groupMembers(c.kernel, me.pid).length > 0) return -EPERM;
  me.sid = me.pgid = me.pid;
  return me.pid;
}
