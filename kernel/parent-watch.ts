// A kernel whose client died must not live on as an orphan (it holds a
// TypeScript service and the loaded binaries: ~175 MB). ipykernel's
// ParentPollerUnix does this: jupyter_client puts its pid in JPY_PARENT_PID;
// once a second the kernel checks that its parent is still that process,
// and exits when it changed (the parent died: the kernel was re-parented to
// init or a subreaper). PID 1 is never watched (it never goes away).
// When the kernel was started through another process (JPY_PARENT_PID is
// not its parent), that process's existence is watched instead.

export interface ParentWatch {
  /** JPY_PARENT_PID, as jupyter_client sets it. */
  parentPid: number | undefined;
  /** The current parent pid (process.ppid reads it anew on each access). */
  ppid(): number;
  /** Does this pid exist? (default: signal 0) */
  alive?(pid: number): boolean;
  onGone(reason: string): void;
  intervalMs?: number;
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // someone else's process: it exists
  }
}

/** Start watching (a timer that does not keep the process alive); returns it, or undefined when there is nothing to watch. */
export function watchParent(w: ParentWatch): NodeJS.Timeout | undefined {
  const pid = w.parentPid;
  if (pid === undefined || !Number.isInteger(pid) || pid <= 1) return undefined;
  const direct = w.ppid() === pid;
  const alive = w.alive ?? exists;
  const timer = setInterval(() => {
    if (direct ? w.ppid() !== pid : !alive(pid)) {
      clearInterval(timer);
      w.onGone(`the kernel's client (pid ${pid}) is gone`);
    }
  }, w.intervalMs ?? 1000);
  timer.unref();
  return timer;
}

/** JPY_PARENT_PID as a pid, if set. */
export function jupyterParentPid(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env.JPY_PARENT_PID;
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
}
