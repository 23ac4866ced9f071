// ustack: the user stack at a hit, walked as the kernel's BPF stack helper
// walks it, and printed as bpftrace prints it.
//
// bpf_get_stackid() on a user stack is perf_callchain_user()
// (arch/x86/events/core.c): the first frame is regs->ip; then it follows the
// frame-pointer chain from regs->bp, reading {next_frame, return_address}
// pairs, until a read fails or the depth limit is reached. Code without frame
// pointers (-O2) therefore gives short or wrong stacks, exactly as bpftrace
// shows them.
//
// Since Linux 6.11 (commit cfa7f3d2c526, "perf,x86: avoid missing caller
// address in stack traces captured in uprobe") a uprobe at a function entry
// adds the return address at [sp] as the second frame: at entry the callee
// has not pushed its frame yet, so the walk from rbp would skip its caller.
// The kernel recognises an entry by the probed instruction (`push %rbp` or
// `endbr64`, is_uprobe_at_func_entry); only entry probes (not uretprobes)
// have it. Before 6.11 the caller is missing (bcc #2555, bpftrace #646).
//
// `ustack(cfi)` (our extension, beyond any BPF tool: bpftrace #1006) walks
// the same stack through the .eh_frame CFI instead, as gdb does, so code
// built without frame pointers still shows its whole chain; the engine's
// unwinder does it (engine/cfi/unwind.ts), reached through HitContext.cfiStack.
//
// Symbols: always `sym+off`, even after the process has exited (bpftrace
// prints raw addresses then, its issue #246): we own the address space.

import type { HitContext, TargetInfo } from "./host.js";

/** TASK_SIZE_MAX on x86-64 (47-bit user space): valid_user_frame() is access_ok(). */
const TASK_SIZE = 0x7ffffffff000n;
/** TASK_SIZE of a compat (32-bit) task: IA32_PAGE_OFFSET. */
const IA32_TASK_SIZE = 0xffffe000n;

/** bpftrace's default depth (perf_event_max_stack, 127). */
export const USTACK_DEFAULT_LIMIT = 127;

/** Does the modelled kernel add the caller at an entry probe (6.11 and later)? */
function kernelAddsEntryCaller(release: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release ?? "");
  if (m === null) return true; // no kernel named: the default generation (6.18)
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > 6 || (maj === 6 && min >= 11);
}

/**
 * A pending uretprobe has replaced a return address on the stack with its
 * trampoline's, so the walk records the trampoline ([uprobes]) there. Since
 * Linux 6.11 (the same series as the entry caller above: "perf,uprobes: fix
 * user stack traces in the presence of pending uretprobes")
 * fixup_uretprobe_trampoline_entries() puts the original addresses back,
 * each trampoline entry taking the next pending return instance, newest first.
 */
function fixupUretprobeTrampolines(ctx: HitContext, out: bigint[]): void {
  if (!kernelAddsEntryCaller(ctx.kernelRelease)) return;
  const p = ctx.pendingReturns?.();
  if (!p) return;
  let k = 0;
  for (let i = 0; i < out.length && k < p.returns.length; i++) if (out[i] === p.trampoline) out[i] = p.returns[k++]!;
}

/**
 * The return addresses perf_callchain_user() records, ip first. A 32-bit
 * task takes perf_callchain_user32(): struct stack_frame_ia32, two 4-byte
 * words {next_frame, return_address}, below the compat TASK_SIZE; the 6.11
 * entry caller is a 4-byte read at sp there too.
 */
function walkUserStack(ctx: HitContext, limit: number, entryProbe: boolean): bigint[] {
  const ws = ctx.wordSize === 4 ? 4n : 8n;
  const word = (a: bigint): bigint | undefined => {
    if (ws === 8n) return ctx.readU64(a);
    const v = ctx.readU32(a);
    return v === undefined ? undefined : BigInt(v);
  };
  const taskSize = ws === 4n ? IA32_TASK_SIZE : TASK_SIZE;
  const out: bigint[] = [BigInt.asUintN(64, ctx.ip())];
  if (out.length < limit && entryProbe && kernelAddsEntryCaller(ctx.kernelRelease)) {
    const ret = word(BigInt.asUintN(Number(ws) * 8, ctx.gpr(4)));
    if (ret !== undefined) out.push(ret);
  }
  let fp = BigInt.asUintN(Number(ws) * 8, ctx.gpr(5));
  while (out.length < limit) {
    if (fp > taskSize - 2n * ws) break;
    const next = word(fp);
    const ret = word(fp + ws);
    if (next === undefined || ret === undefined) break;
    out.push(ret);
    fp = next;
  }
  fixupUretprobeTrampolines(ctx, out);
  // bpftrace stops printing at the first 0 entry
  const zero = out.indexOf(0n);
  return zero < 0 ? out : out.slice(0, zero);
}

/**
 * How the stack is walked: `fp` by frame pointers, as the kernel's helper
 * (the default, faithful to bpftrace); `cfi` by the .eh_frame unwind tables.
 */
export type Unwinder = "fp" | "cfi";

/** The words ustack() takes for an unwinder (fp is the default, with no word). */
export const UNWINDERS: readonly string[] = ["cfi"];

/** The stack at a hit, by the chosen unwinder (no cfiStack in the context: the frame-pointer walk). */
export function userStack(ctx: HitContext, limit: number, entryProbe: boolean, unwinder: Unwinder): bigint[] {
  if (unwinder === "cfi" && ctx.cfiStack) return ctx.cfiStack(limit);
  return walkUserStack(ctx, limit, entryProbe);
}

/** `sym+off` as bpftrace's resolve_usym(show_offset) prints a frame; the address in hex when no symbol covers it. */
function frameName(target: TargetInfo | undefined, addr: bigint): string {
  const sym = target?.symbolAt(addr);
  if (sym === undefined) return "0x" + addr.toString(16);
  return `${sym.demangled ?? sym.name}+${addr - sym.addr}`;
}

/**
 * How a stack prints: bpftrace's two modes, and two of bcc's stackcount
 * (our extension, so that stackcount is a DSL program).
 *   bpftrace  "\n" then `        sym+off` per frame (bpftrace's get_stack)
 *   perf      "\n" then `\tADDR sym+off (FILE)` per frame
 *   bcc       `  sym` per frame, no offsets (stackcount's default)
 *   folded    `outer;inner;leaf`, root first (stackcount -f, for flame graphs)
 */
export type StackMode = "bpftrace" | "perf" | "bcc" | "folded";

export const STACK_MODES: readonly StackMode[] = ["bpftrace", "perf", "bcc", "folded"];

/** The bare symbol of a frame, as bcc's sym() prints it without show_offset; `[unknown]` without one. */
function bareName(target: TargetInfo | undefined, addr: bigint): string {
  const sym = target?.symbolAt(addr);
  return sym === undefined ? "[unknown]" : (sym.demangled ?? sym.name);
}

/** One frame's line in a mode (folded: its name), before joining. */
function frameText(target: TargetInfo | undefined, a: bigint, mode: StackMode): string {
  switch (mode) {
    case "bcc":
      return `  ${bareName(target, a)}\n`;
    case "folded":
      return bareName(target, a);
    case "perf":
      return `\t${a.toString(16)} ${frameName(target, a)} (${target?.symbolAt(a)?.file ?? "[unknown]"})\n`;
    default:
      return `        ${frameName(target, a)}\n`;
  }
}

/**
 * The stack's text. `cache` keeps each frame's line per mode and address (a
 * program's stacks repeat the same few return addresses, and symbolAt is a
 * search): the runtime owns one.
 */
export function formatStack(target: TargetInfo | undefined, frames: readonly bigint[], mode: StackMode, cache?: Map<string, string>): string {
  const lines = frames.map((a) => {
    const k = mode + a.toString(16);
    let t = cache?.get(k);
    if (t === undefined) {
      t = frameText(target, a, mode);
      cache?.set(k, t);
    }
    return t;
  });
  if (mode === "folded") return lines.reverse().join(";");
  return (mode === "bcc" ? "" : "\n") + lines.join("");
}
