// %%c cells: C (or C++) source to compile into a binary named on the first
// line, then probed by that name (%%probe NAME, loadBinary("NAME")).
//
//   %%c NAME [COMPILER FLAGS...] [--cc COMPILER]      (or -o NAME)
//   int main(void) { ... }
//
// %%c and %%cc compile C with gcc, %%c++ and %%cpp C++ with g++; --cc picks
// another driver (musl-gcc, clang). Every other word goes to the compiler,
// after the source file (so -lm links). The source keeps the cell's line
// numbers: NAME.c:LINE:COL in the compiler's messages is the cell's LINE.

import type { CompileRequest, SourceLanguage } from "../lab/compile.js";
import { MagicError, shellWords } from "./magic.js";

const MAGICS: Record<string, SourceLanguage> = { "%%c": "c", "%%cc": "c", "%%c++": "c++", "%%cpp": "c++" };
const HEAD = /^\s*(%%(?:c\+\+|cpp|cc|c))(?:\s|$)/;

/** gcc options whose value is the next word (-I dir, -D X...): that word is not the NAME. */
const GCC_VALUE_OPTIONS = new Set(["-I", "-D", "-U", "-L", "-l", "-include", "-imacros", "-isystem", "-iquote", "-idirafter", "-x", "-Xlinker", "-Xassembler", "-Xpreprocessor", "-T", "-u", "-z", "-MF", "-MT", "-MQ"]);

const COMPILE_USAGE = `%%c NAME [FLAGS...] [--cc COMPILER]       (also %%cc; %%c++ and %%cpp for C++)
<the source, on the lines below>

Compiles the cell into a binary called NAME, which %%probe NAME and
loadBinary("NAME") then find (a name given here wins over a bundled sample).
  NAME            the binary's name (or -o NAME anywhere on the line)
  FLAGS           passed to the compiler after the source file: -O2, -static, -g, -lm...
                  (-m32: an i386 program, run as a 32-bit guest)
  --cc COMPILER   gcc (C) or g++ (C++) by default; musl-gcc, clang...
  --help          this text
Errors are the compiler's, located as it prints them: NAME.c:LINE:COL with
the cell's line numbers. The build happens in a temporary directory of this
kernel (removed when it exits); an interrupt stops the compiler.
examples:
  %%c push -O0
  %%c push32 -m32 -O0
  %%c --cc musl-gcc -static -O2 -o t`;

/** True when the cell's first non-blank line is a %%c, %%cc, %%c++ or %%cpp magic. */
export function isCompileCell(src: string): boolean {
  const first = src.split("\n").find((l) => l.trim() !== "");
  return first !== undefined && HEAD.test(first);
}

export type CompileCell = { help: string } | { request: CompileRequest };

/** Parse a compile cell. Throws MagicError with a one-line message. */
export function parseCompileCell(src: string): CompileCell {
  const lines = src.split("\n");
  const at = lines.findIndex((l) => l.trim() !== "");
  const m = at >= 0 ? HEAD.exec(lines[at]!) : null;
  if (!m) throw new MagicError("not a %%c cell");
  const magic = m[1]!;
  const words = shellWords(lines[at]!.trim().slice(magic.length));
  if (words.includes("--help") || words.includes("-h")) return { help: COMPILE_USAGE };
  let name: string | undefined;
  let compiler: string | undefined;
  const flags: string[] = [];
  const setName = (n: string | undefined): void => {
    if (n === undefined || n === "") throw new MagicError(`${magic}: -o needs a NAME`);
    if (name !== undefined && name !== n) throw new MagicError(`${magic}: two names for the binary: ${name} and ${n}`);
    name = n;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "--cc" || w.startsWith("--cc=")) {
      compiler = w === "--cc" ? words[++i] : w.slice(5);
      if (!compiler) throw new MagicError(`${magic}: --cc needs a compiler (gcc, g++, musl-gcc, clang...)`);
    } else if (w === "-o") setName(words[++i]);
    else if (w.startsWith("-o") && w.length > 2) setName(w.slice(2));
    else if (GCC_VALUE_OPTIONS.has(w)) {
      if (i + 1 >= words.length) throw new MagicError(`${magic}: ${w} needs a value`);
      flags.push(w, words[++i]!);
    } else if (w.startsWith("--") && !w.startsWith("--param") && !/^--(std|sysroot|specs)=/.test(w)) throw new MagicError(`${magic}: unknown option ${w} (options: --cc COMPILER, --help; compiler flags start with a single -)`);
    else if (!w.startsWith("-") && name === undefined && !/\.(c|cc|cpp|cxx|o|a|so|s|S)$/.test(w)) name = w;
    else flags.push(w);
  }
  if (name === undefined) throw new MagicError(`${magic}: missing NAME (usage: ${magic} NAME [FLAGS...] [--cc COMPILER], then the source on the next lines)`);
  const body = lines.slice(at + 1);
  if (!body.some((l) => l.trim() !== "")) throw new MagicError(`${magic}: no source: write it on the lines after the ${magic} line`);
  // blank lines in place of the magic line: the compiler's LINE is the cell's
  const source = "\n".repeat(at + 1) + body.join("\n") + (body[body.length - 1] === "" ? "" : "\n");
  const request: CompileRequest = { name, source, language: MAGICS[magic]!, flags };
  if (compiler !== undefined) request.compiler = compiler;
  return { request };
}
