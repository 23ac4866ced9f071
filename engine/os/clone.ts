// clone(2), clone3(2), fork(2) and vfork(2) (kernel/fork.c: kernel_clone,
// copy_process). A CLONE_THREAD clone adds a task to the process: it shares
// the mm, the CPU (one translation cache per mm), handlers and descriptors,
// and starts with a copy of the caller's registers, rax = 0, the new stack
// and TLS. Anything else makes a new process: with a copy of the address
// space (fork), or with CLONE_VM (vfork, posix_spawn) on the parent's own mm
// and CPU (copy_mm takes a reference, no dup_mmap) until it execs or exits.
// CLONE_VFORK holds the parent until then (docs/threads.md §7).

import { EAGAIN, EFAULT, EINVAL, ENOMEM } from "../errno.js";
import { Gpr } from "../cpu/registers.js";
import { Process } from "./process.js";
import type { SyscallContext } from "./syscalls.js";
import { Task } from "./task.js";
import { restoreRegs, saveRegs, type TaskRegs } from "./task-context.js";

const CLONE_VM = 0x100, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800;
const CLONE_PIDFD = 0x1000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000, CLONE_THREAD = 0x10000;
const CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000;
const CLONE_CHILD_SETTID = 0x1000000;
/** Namespaces, cgroups, ptrace, pidfd and the like are not modelled: ENOSYS-free EINVAL. */
const UNSUPPORTED = 0x7e000000 | 0x20000 /* NEWNS */ | CLONE_PIDFD | 0x2000 /* PTRACE */ | 0x800000 /* UNTRACED */;
const CSIGNAL = 0xff;

interface CloneArgs {
  flags: number;
  /** The child's stack pointer (0: the caller's). */
  sp: number;
  parentTid: number;
  childTid: number;
  tls: number;
  exitSignal: number;
}

function setReg(r: TaskRegs, reg: number, v: number): void {
  r.lo[reg] = v | 0;
  r.hi[reg] = Math.floor(v / 4294967296) | 0;
}

function put32(proc: Process, addr: number, v: number): void {
  try {
    proc.mm.write32(addr, v);
  } catch {
    // ignored, as the kernel ignores it
  }
}

/** The child's registers: the caller's at the syscall, rax = 0, a new stack and TLS if given. */
function childRegs(c: SyscallContext, a: CloneArgs): TaskRegs {
  const r = saveRegs(c.cpu);
  setReg(r, Gpr.RAX, 0);
  if (a.sp) setReg(r, Gpr.RSP, a.sp);
  if (a.flags & CLONE_SETTLS) r.fsBase = a.tls;
  return r;
}

/**
 * What a new task takes from its creator, and the tid stores clone asks for (kernel_clone and
 * schedule_tail ignore a put_user that faults).
 */
function initChild(t: Task, parent: Task, a: CloneArgs, childProc: Process): void {
  t.comm = parent.comm;
  t.sigmask = parent.sigmask;
  t.affinity = parent.affinity;
  if (a.flags & CLONE_PARENT_SETTID) put32(parent.proc, a.parentTid, t.tid);
  if (a.flags & CLONE_CHILD_SETTID) put32(childProc, a.childTid, t.tid);
  if (a.flags & CLONE_CHILD_CLEARTID) t.clearChildTid = a.childTid;
}

/** kernel_clone: the new tid/pid, or a negative errno. */
function kernelClone(c: SyscallContext, a: CloneArgs): number | "noreturn" {
  const f = a.flags;
  if (f & UNSUPPORTED) return -EINVAL;
  // copy_process's consistency checks
  if (f & CLONE_THREAD && !(f & CLONE_SIGHAND)) return -EINVAL;
  if (f & CLONE_SIGHAND && !(f & CLONE_VM)) return -EINVAL;
  const k = c.kernel;
  if (k.liveTasks >= k.maxTasks) {
    k.stopForLimit(`task limit of ${k.maxTasks} reached (--max-tasks): ${c.task.comm}[${c.task.tid}] called clone`);
    return -EAGAIN;
  }
  if (f & CLONE_THREAD) return newThread(c, a);
  if (f & CLONE_PARENT) return -EINVAL; // a sibling of the caller: not modelled
  return newProcess(c, a);
}

function newThread(c: SyscallContext, a: CloneArgs): number {
  const k = c.kernel;
  const parent = c.task;
  const proc = parent.proc;
  const tid = k.allocPid();
  const t = new Task(tid, proc);
  t.regs = childRegs(c, a);
  // copy_process: a CLONE_VM child without CLONE_VFORK starts with no alternate signal stack
  initChild(t, parent, a, proc);
  proc.tasks.push(t);
  k.hooks.cloneThread?.(parent, t);
  k.startTask(t);
  return tid;
}

function newProcess(c: SyscallContext, a: CloneArgs): number | "noreturn" {
  const k = c.kernel;
  const parent = c.task;
  const pproc = parent.proc;
  const shareMm = (a.flags & CLONE_VM) !== 0;
  // --max-mem bounds the whole tree: the eager copy must fit beside every live process
  if (!shareMm && k.residentBytes() + pproc.mm.residentBytes > k.maxMemory) {
    k.stopForLimit(`memory limit of ${k.maxMemory} bytes reached (the whole process tree): ${parent.comm}[${parent.tid}] called fork`);
    return -ENOMEM;
  }
  const pid = k.allocPid();
  let child: Process;
  if (shareMm) {
    // the child takes turns on the parent's CPU, as a thread does (one translation cache per mm)
    child = new Process(pid, pproc.mm, pproc.cpu.bitness, pproc);
    child.leader.regs = childRegs(c, a);
  } else {
    child = new Process(pid, pproc.mm.cloneForFork(), pproc.cpu.bitness);
    restoreRegs(child.cpu, childRegs(c, a));
  }
  child.sighand = pproc.sighand.map((s) => ({ ...s }));
  child.fds = a.flags & CLONE_FILES ? pproc.fds : pproc.fds.clone();
  child.image = pproc.image;
  child.parent = pproc;
  child.pgid = pproc.pgid;
  child.sid = pproc.sid;
  child.exitSignal = a.exitSignal;
  pproc.children.push(child);
  const t = child.leader;
  // copy_process: sas_ss_reset for a CLONE_VM child that does not block its parent
  if ((a.flags & (CLONE_VM | CLONE_VFORK)) !== CLONE_VM) t.altStack = parent.altStack;
  initChild(t, parent, a, child);
  // set before the fork hook: uprobe_copy_process tells vfork from a CLONE_VM process by it
  if (a.flags & CLONE_VFORK) child.vforkParent = parent;
  k.hooks.fork?.(pproc, child, parent, t);
  k.addProcess(child);
  k.requestResched();
  if (a.flags & CLONE_VFORK) {
    // the parent sleeps (uninterruptibly, as wait_for_vfork_done) until the child execs or exits
    c.cpu.setRegNum(Gpr.RAX, pid);
    k.sched.block(parent, { kind: "vfork", what: `child ${pid}` });
    return "noreturn";
  }
  return pid;
}

/** clone(flags, stack, parent_tid, child_tid, tls): the x86-64 argument order. */
export function sysClone(c: SyscallContext, a: number[]): number | "noreturn" {
  const flags = a[0]! >>> 0;
  return kernelClone(c, { flags: flags & ~CSIGNAL, sp: a[1]!, parentTid: a[2]!, childTid: a[3]!, tls: a[4]!, exitSignal: flags & CSIGNAL });
}

/** clone3(struct clone_args *, size). */
export function sysClone3(c: SyscallContext, a: number[]): number | "noreturn" {
  const size = a[1]!;
  if (size < 64 || size > 4096) return -EINVAL; // CLONE_ARGS_SIZE_VER0 .. PAGE_SIZE
  let b: Uint8Array;
  try {
    b = c.cpu.mem.readBytes(a[0]!, 64);
  } catch {
    return -EFAULT;
  }
  const dv = new DataView(b.buffer, b.byteOffset);
  const u = (off: number): number => Number(dv.getBigUint64(off, true));
  const flags = dv.getBigUint64(0, true);
  if (flags >> 32n) return -EINVAL; // CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP: not modelled
  const exitSignal = u(32);
  if (exitSignal > 64) return -EINVAL;
  const stack = u(40), stackSize = u(48);
  if ((stack === 0) !== (stackSize === 0)) return -EINVAL;
  const fl = Number(flags);
  if (fl & CSIGNAL) return -EINVAL; // clone3 takes the exit signal in its own field
  return kernelClone(c, { flags: fl, sp: stack ? stack + stackSize : 0, parentTid: u(24), childTid: u(16), tls: u(56), exitSignal });
}

/** fork(): clone(SIGCHLD); vfork(): clone(CLONE_VM | CLONE_VFORK | SIGCHLD). */
export function sysFork(c: SyscallContext, vfork: boolean): number | "noreturn" {
  return kernelClone(c, { flags: vfork ? CLONE_VM | CLONE_VFORK : 0, sp: 0, parentTid: 0, childTid: 0, tls: 0, exitSignal: 17 });
}

