// A small option parser: flags before the binary belong to uprobe-lab, the
// rest (after the binary or after `--`) is the guest's argv.

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
