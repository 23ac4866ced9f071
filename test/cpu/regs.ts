// AT&T register names by width, for generating differential cases.

const names: [string, string, string, string][] = [
  ["%rax", "%eax", "%ax", "%al"],
  ["%rcx", "%ecx", "%cx", "%cl"],
  ["%rdx", "%edx", "%dx", "%dl"],
  ["%rbx", "%ebx", "%bx", "%bl"],
  ["%rsp", "%esp", "%sp", "%spl"],
  ["%rbp", "%ebp", "%bp", "%bpl"],
  ["%rsi", "%esi", "%si", "%sil"],
  ["%rdi", "%edi", "%di", "%dil"],
  ...[8, 9, 10, 11, 12, 13, 14, 15].map((n): [string, string, string, string] => [`%r${n}`, `%r${n}d`, `%r${n}w`, `%r${n}b`]),
];

const keys = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

/** R.rax[32] === "%eax". */
export const R: Record<string, Record<number, string>> = {};
keys.forEach((k, i) => {
  const [q, d, w, b] = names[i]!;
  R[k] = { 64: q, 32: d, 16: w, 8: b };
});

/** AT&T size suffix by width. */
export const SFX: Record<number, string> = { 8: "b", 16: "w", 32: "l", 64: "q" };

/** Mask of a width as a bigint. */
export function maskW(w: number): bigint {
  return (1n << BigInt(w)) - 1n;
}
