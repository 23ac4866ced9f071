// The builtin table: every builtin variable and function of the language,
// with its type, arity and where it may be used. The checker validates calls
// against it, code generation switches on the same names, and the README's
// reference tables follow it.
//
// "Where" is the kind of probe a builtin makes sense in:
//   entry    a `probe` (uprobe) hit: argument registers are the callee's
//   return   a `retprobe` hit: rax holds the return value, arguments are gone
//   special  BEGIN / END: no probe was hit, no registers exist
//   interval an interval probe: as BEGIN / END, the tool's own context
//   sample   a profile probe: the running task's registers, where the timer interrupted it
//   tracepoint  a syscalls:sys_enter_* / sys_exit_* tracepoint: the task in the syscall, `args`

/** "tuple": a tuple value (its element types: tuple-check.ts). */
export type Ty = "int" | "string" | "tuple";
export type Where = "entry" | "return" | "special" | "interval" | "sample" | "tracepoint";

const ALL: readonly Where[] = ["entry", "return", "special", "interval", "sample", "tracepoint"];
const HIT: readonly Where[] = ["entry", "return"];
/** In the context of a task: its registers and stack (uprobes, profile samples, tracepoints). */
const TASK: readonly Where[] = ["entry", "return", "sample", "tracepoint"];

export interface BuiltinVar {
  type: Ty;
  where: readonly Where[];
  doc: string;
}

export const BUILTIN_VARS: Readonly<Record<string, BuiltinVar>> = {
  arg0: { type: "int", where: ["entry"], doc: "1st integer argument (rdi)" },
  arg1: { type: "int", where: ["entry"], doc: "2nd integer argument (rsi)" },
  arg2: { type: "int", where: ["entry"], doc: "3rd integer argument (rdx)" },
  arg3: { type: "int", where: ["entry"], doc: "4th integer argument (rcx)" },
  arg4: { type: "int", where: ["entry"], doc: "5th integer argument (r8)" },
  arg5: { type: "int", where: ["entry"], doc: "6th integer argument (r9)" },
  // stack arguments at entry: the words above the return address (cdecl for a 32-bit program)
  ...Object.fromEntries(
    [0, 1, 2, 3, 4, 5].map((n) => [`sarg${n}`, { type: "int", where: ["entry"], doc: `stack argument ${n}: the word at sp + w*${n + 1} (w = 8, or 4 in a 32-bit program)` } satisfies BuiltinVar]),
  ),
  retval: { type: "int", where: ["return"], doc: "return value (rax)" },
  nsecs: { type: "int", where: ALL, doc: "virtual clock, nanoseconds" },
  elapsed: { type: "int", where: ALL, doc: "virtual nanoseconds since BEGIN (or the first hit)" },
  tid: { type: "int", where: ALL, doc: "thread id" },
  pid: { type: "int", where: ALL, doc: "process id" },
  cpu: { type: "int", where: ALL, doc: "virtual CPU the task runs on (--cpus; 0 outside a hit)" },
  cpid: { type: "int", where: ALL, doc: "pid of the traced command (-c): the engine's first process, 1000" },
  comm: { type: "string", where: ALL, doc: "task name (per thread: prctl(PR_SET_NAME), pthread_setname_np)" },
  ip: { type: "int", where: TASK, doc: "instruction pointer (the probe address; the return address in a retprobe)" },
  sp: { type: "int", where: TASK, doc: "stack pointer" },
  func: { type: "string", where: HIT, doc: "name of the probed function" },
  probe: { type: "string", where: ALL, doc: "the probe's name, e.g. 'probe test:0'" },
  hits: { type: "int", where: HIT, doc: "this probe's hit count so far, including this hit" },
  traps: { type: "int", where: HIT, doc: "traps and uprobe syscalls spent on this probe so far" },
  // ustack: frame-pointer walk (bpf_get_stack)
  ustack: { type: "string", where: TASK, doc: "the user stack, walked by frame pointers as the kernel's BPF helper does" },
};

/** pid and comm of the tool itself, what BEGIN and END see (bpftrace: its own): as if started just before the traced command. */
export const TOOL_PROCESS = { pid: 999, comm: "uprobe-lab" } as const;
/** The traced command's pid (cpid): the engine gives its first process pid 1000. */
export const CHILD_PID = 1000;

/** Builtins of bpftrace that need a kernel this project does not model: a one-line reason each. */
export const NOT_MODELLED: Readonly<Record<string, string>> = {
  kstack: "kstack is not modelled here: the emulator runs user space only, there is no kernel stack to walk (use ustack)",
};

type FunctionKind = "agg" | "value" | "stmt";

export interface FunctionSig {
  kind: FunctionKind;
  min: number;
  max: number;
  /** Result type of a value function. */
  ret?: Ty;
  where?: readonly Where[];
  doc: string;
}

export const FUNCTIONS: Readonly<Record<string, FunctionSig>> = {
  // aggregations: only as `x = f(...)` / `m[k] = f(...)`
  count: { kind: "agg", min: 0, max: 0, doc: "number of times the statement ran" },
  sum: { kind: "agg", min: 1, max: 1, doc: "sum of the values" },
  avg: { kind: "agg", min: 1, max: 1, doc: "integer average of the values" },
  min: { kind: "agg", min: 1, max: 1, doc: "smallest value" },
  max: { kind: "agg", min: 1, max: 1, doc: "largest value" },
  stats: { kind: "agg", min: 1, max: 1, doc: "count, average and total" },
  hist: { kind: "agg", min: 1, max: 1, doc: "log2 histogram" },
  lhist: { kind: "agg", min: 4, max: 4, doc: "linear histogram: lhist(value, min, max, step)" },
  // functions with a value
  reg: { kind: "value", min: 1, max: 1, ret: "int", where: TASK, doc: 'register by name: reg("rax")' },
  u8: { kind: "value", min: 1, max: 1, ret: "int", doc: "read an unsigned byte of guest memory" },
  u16: { kind: "value", min: 1, max: 1, ret: "int", doc: "read an unsigned 16-bit word" },
  u32: { kind: "value", min: 1, max: 1, ret: "int", doc: "read an unsigned 32-bit word" },
  u64: { kind: "value", min: 1, max: 1, ret: "int", doc: "read a 64-bit word" },
  str: { kind: "value", min: 1, max: 2, ret: "string", doc: "read a NUL-terminated string: str(addr [, max])" },
  usym: { kind: "value", min: 1, max: 1, ret: "string", doc: "symbolize an address: 'sym+off'" },
  ustack: { kind: "value", min: 0, max: 3, ret: "string", where: TASK, doc: "the user stack: ustack([cfi,] [perf|bpftrace,] [limit]); cfi walks .eh_frame instead of frame pointers" },
  uaddr: { kind: "value", min: 1, max: 1, ret: "int", doc: 'address of a symbol of the main binary: uaddr("sym")' },
  strncmp: { kind: "value", min: 3, max: 3, ret: "int", doc: "compare the first n characters of two strings: 0 when equal" },
  buf: { kind: "value", min: 1, max: 2, ret: "string", doc: "n bytes of memory, NULs included, for printf's %r: buf(p [, n]) (n at most 4096; default 64)" },
  strftime: { kind: "value", min: 2, max: 2, ret: "string", doc: 'a date on the virtual clock: strftime("%H:%M:%S", nsecs) (boot is 2026-01-01 00:00:00 UTC)' },
  // statements
  printf: { kind: "stmt", min: 1, max: 64, doc: "formatted output" },
  print: { kind: "stmt", min: 1, max: 3, doc: "print a value, or a map: print(m [, top [, div]])" },
  print_rows: { kind: "stmt", min: 2, max: 2, doc: 'print each element of a map as a row, keys then value, ascending by value, zeros skipped (bcc\'s tables): print_rows(@m, "%-36s %8d\\n")' },
  print_log2: { kind: "stmt", min: 1, max: 3, doc: 'print a hist in bcc\'s log2 format: print_log2(h [, "nsecs" [, "\\nFunction = %s [%d]\\n"]]) (a keyed map: one section per key, headed by the keys through the format)' },
  join: { kind: "stmt", min: 1, max: 2, doc: 'print the strings of a NULL-terminated char* array, joined: join(arr [, " "]) (16 at most, 63 characters each, as bpftrace 0.17)' },
  signal: { kind: "stmt", min: 1, max: 1, where: TASK, doc: 'send a signal to the traced process (bpf_send_signal): signal("SIGUSR1") or signal(10); needs --unsafe, as in bpftrace' },
  time: { kind: "stmt", min: 0, max: 1, doc: 'print the virtual clock\'s date: time("%H:%M:%S\\n") (the default format)' },
  clear: { kind: "stmt", min: 1, max: 1, doc: "remove every element of a map (or unset a global)" },
  zero: { kind: "stmt", min: 1, max: 1, doc: "set every element of a map to zero" },
  delete: { kind: "stmt", min: 1, max: 9, doc: "delete(m[k]) or delete(m, k): remove one element" },
  // bpftrace 0.17 takes no argument (check_nargs(call, 0)); exit(code) came later
  exit: { kind: "stmt", min: 0, max: 0, doc: "stop the traced program after this handler: exit()" },
};

/**
 * Registers for reg(): x86 GPR number (HitContext.gpr), or -1 for the
 * instruction pointer. Both the x86 names and bpftrace's pt_regs names work.
 */
export const REGISTERS: Readonly<Record<string, number>> = {
  rax: 0, rcx: 1, rdx: 2, rbx: 3, rsp: 4, rbp: 5, rsi: 6, rdi: 7,
  r8: 8, r9: 9, r10: 10, r11: 11, r12: 12, r13: 13, r14: 14, r15: 15,
  ax: 0, cx: 1, dx: 2, bx: 3, sp: 4, bp: 5, si: 6, di: 7,
  rip: -1, ip: -1,
};

/** SysV argument registers: arg0..arg5 = rdi, rsi, rdx, rcx, r8, r9. */
export const ARG_REGS: readonly number[] = [7, 6, 2, 1, 8, 9];

export function whereName(w: Where): string {
  return w === "entry" ? "a probe" : w === "return" ? "a retprobe" : w === "sample" ? "a profile probe" : w === "tracepoint" ? "a tracepoint" : w === "interval" ? "an interval probe" : "BEGIN/END";
}

/** x86-64 Linux signal numbers, for signal("SIGUSR1") (asm/signal.h). */
export const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19,
  SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28,
  SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};

/** A signal as signal() takes it: "SIGUSR1", "USR1" or a number 1..64; undefined when it names none. */
export function signalNumber(v: string | bigint): number | undefined {
  if (typeof v === "bigint") return v >= 1n && v <= 64n ? Number(v) : undefined;
  return SIGNALS[v] ?? SIGNALS["SIG" + v];
}
