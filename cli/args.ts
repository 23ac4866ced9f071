// A small option parser: flags before the binary belong to uprobe-lab, the
// rest (after the binary or after `--`) is the guest's argv.
//
// Why not node:util's parseArgs (Node >= 20; issue 10, section 5). Tried on
// the same argv as ours, Node 20.20 (strict, allowPositionals; the inputs of
// test/cli/bad-input.test.ts and the guest's argv of cli/exec.ts, run.ts and
// funclatency.ts):
//
//   input                        ours                                   util.parseArgs
//   exec --frob BIN              unknown option --frob (try --help)     Unknown option '--frob'. To specify a positional
//                                                                         argument starting with a '-', place it at the end
//                                                                         of the command after '--', as in '-- "--frob"
//                                                                         (wrong advice here: after `--` it is the BINARY)
//   exec --max-insns             option --max-insns needs a value       Option '--max-insns <value>' argument missing
//   exec BIN -x --frob -- y      guest argv: -x --frob -- y             Unknown option '-x': there is no "stop at the
//                                                                         first positional", so the guest's options are
//                                                                         parsed as ours
//   run -- BIN --stats           guest argv: BIN --stats                same (positionals after `--`)
//   --allow a --allow b          [a, b] (repeat: true)                  [a, b] (multiple: true)
//   --kernel 4.16 --kernel 5.0   option --kernel given twice            kernel = 5.0, silently (last one wins)
//   --max-insns -5               value -5, then "not a number: -5"      three lines: "argument is ambiguous. Did you
//                                                                         forget ...? To specify ... use '--max-insns=-XYZ'"
//   --stats=1                    option --stats takes no value          Option '--stats' does not take an argument
//   -eprobe, -hx                 unknown option -eprobe / -hx           accepted: inline value, grouped short options
//
// util.parseArgs serves only behind a pre-scan that finds the binary (which
// must know which options take a value: this loop again), a second pass with
// `tokens` to reject repeated options, and a rewording of its messages, which
// carry no structured option name (only err.code and the English text). That
// is more code than this loop, and the messages would be no clearer, two of
// them worse (multi-line; advice that is wrong for this command line). So we
// keep this parser; its exported API is what cli/*.ts use.

import { UserError } from "../engine/index.js";

export interface OptionSpec {
  /** Option takes a value. */
  value?: boolean;
  /** May be given several times (values collected). */
  repeat?: boolean;
}

export interface Parsed {
  opts: Map<string, string[]>;
  positional: string[];
  /** Arguments after the first positional or after `--`. */
  rest: string[];
}

/**
 * Parse argv against specs ("--stats", "-e"...). Stops at `--`, or at the
 * first positional when stopAtPositional (the guest's arguments follow it).
 */
export function parseArgs(argv: string[], specs: Record<string, OptionSpec>, stopAtPositional: boolean, maxPositional = 1): Parsed {
  const opts = new Map<string, string[]>();
  const positional: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      i++;
      break;
    }
    if (a.startsWith("-") && a !== "-") {
      const eq = a.indexOf("=");
      const name = eq > 0 ? a.slice(0, eq) : a;
      const spec = specs[name];
      if (!spec) throw new UserError(`unknown option ${name} (try --help)`);
      let val = "";
      if (!spec.value && eq > 0) throw new UserError(`option ${name} takes no value`);
      if (spec.value) {
        if (eq > 0) val = a.slice(eq + 1);
        else {
          if (i + 1 >= argv.length) throw new UserError(`option ${name} needs a value`);
          val = argv[++i]!;
        }
      }
      const list = opts.get(name) ?? [];
      if (list.length && !spec.repeat) throw new UserError(`option ${name} given twice`);
      list.push(val);
      opts.set(name, list);
      continue;
    }
    positional.push(a);
    if (stopAtPositional && positional.length >= maxPositional) {
      i++;
      break;
    }
  }
  return { opts, positional, rest: argv.slice(i) };
}

export function optNumber(p: Parsed, name: string, def: number): number {
  const v = p.opts.get(name)?.[0];
  if (v === undefined) return def;
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(v.replace(/_/g, ""));
  if (!m) throw new UserError(`option ${name}: not a number: ${v}`);
  const mult = { "": 1, k: 1e3, K: 1024, m: 1e6, M: 1024 ** 2, g: 1e9, G: 1024 ** 3 }[m[2]!]!;
  return Math.floor(parseFloat(m[1]!) * mult);
}

/**
 * bpftrace's `-c 'CMD ARGS'`: the command line split into words as a shell
 * would split it without expansions (single and double quotes, backslash).
 */
export function splitCommand(cmd: string): string[] {
  const words: string[] = [];
  let cur: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < cmd.length) cur = (cur ?? "") + cmd[++i];
      else cur = (cur ?? "") + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur ??= "";
    } else if (c === "\\" && i + 1 < cmd.length) cur = (cur ?? "") + cmd[++i];
    else if (/\s/.test(c)) {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
    } else cur = (cur ?? "") + c;
  }
  if (quote !== undefined) throw new UserError(`-c: unterminated ${quote} quote in '${cmd}'`);
  if (cur !== undefined) words.push(cur);
  return words;
}
