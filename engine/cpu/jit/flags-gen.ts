// Flags in generated code: the lazy-flags record (flags.ts) kept in JS
// locals (fa fb fr faH fbH frH fcf fof) while a compiled block runs. The last
// writer's kind and width are known when the block is compiled, so a reader
// becomes a comparison of locals, and a writer whose flags nobody reads is
// dead code that V8 removes (the locals are SSA values). At every exit the
// record is stored into cpu.fl exactly as the interpreter's last writer
// would have stored it (Flags.set / set64 / setRes).

import { FOp } from "../flags.js";

/** The flags' state at a point of a block: the last writer's kind and width (undefined: as on entry, in cpu.fl). */
export interface FState {
  op: FOp;
  sz: number;
}

/** The state after an instruction that wrote RFLAGS itself (rotates: Flags.put): the flags are in cpu.fl. */
export const IN_FL: FState = { op: FOp.Eager, sz: 0 };

/** Statements that store the locals into cpu.fl (comma-separated, usable as an expression). */
export function storeFlags(s: FState): string {
  if (s.op === FOp.Eager) return "void 0";
  const wide = s.sz === 64;
  if (s.op === FOp.Res)
    return `fl.op=${FOp.Res},fl.sz=${s.sz},fl.res=fr,fl.resH=${wide ? "frH" : 0},fl.a=0,fl.b=0,fl.aH=0,fl.bH=0,fl.cf=fcf,fl.of=fof,fl.af=0`;
  const base = `fl.op=${s.op},fl.sz=${s.sz},fl.a=fa,fl.b=fb,fl.res=fr,fl.aH=${wide ? "faH" : 0},fl.bH=${wide ? "fbH" : 0},fl.resH=${wide ? "frH" : 0}`;
  return s.op === FOp.Inc || s.op === FOp.Dec ? `${base},fl.cf=fcf` : base;
}

/** Unsigned (hi:lo) < (hi2:lo2) of int32 locals. */
function ltU(s: FState, lo: string, hi: string, lo2: string, hi2: string): string {
  if (s.sz === 64) return `((${hi}>>>0)<(${hi2}>>>0)||(${hi}===${hi2}&&(${lo}>>>0)<(${lo2}>>>0)))`;
  if (s.sz === 32) return `((${lo}>>>0)<(${lo2}>>>0))`;
  return `(${lo}<${lo2})`; // narrow values are masked, non-negative
}

function zf(s: FState): string {
  return s.sz === 64 ? "((fr|frH)===0)" : "(fr===0)";
}

function sf(s: FState): string {
  if (s.sz === 64) return "(frH<0)";
  if (s.sz === 32) return "(fr<0)";
  return `((fr&${s.sz === 16 ? 0x8000 : 0x80})!==0)`;
}

/** CF as a boolean expression (always expressible from the locals). */
export function cfBool(s: FState): string {
  switch (s.op) {
    case FOp.Eager:
      return "(fl.getCF()!==0)";
    case FOp.Add:
      return ltU(s, "fr", "frH", "fa", "faH");
    case FOp.Sub:
      return ltU(s, "fa", "faH", "fb", "fbH");
    case FOp.Logic:
      return "false";
    default: // Inc, Dec, Res: the saved or explicit carry
      return "(fcf!==0)";
  }
}

function ofBool(s: FState): string | undefined {
  const top = (x: string): string => (s.sz === 64 ? `((${x.replace(/\b(fa|fb|fr)\b/g, "$1H")})<0)` : s.sz === 32 ? `((${x})<0)` : `(((${x})>>>${s.sz - 1}&1)!==0)`);
  switch (s.op) {
    case FOp.Add:
    case FOp.Inc:
      return top("(fa^fr)&(fb^fr)");
    case FOp.Sub:
    case FOp.Dec:
      return top("(fa^fb)&(fa^fr)");
    case FOp.Logic:
      return "false";
    case FOp.Res:
      return "(fof!==0)";
    default:
      return undefined;
  }
}

/** Signed a < b (orEqual: <=) after cmp/sub, compared directly. */
function subLess(s: FState, orEqual: boolean): string {
  const op = orEqual ? "<=" : "<";
  if (s.sz === 64) return `(faH<fbH||(faH===fbH&&(fa>>>0)${op}(fb>>>0)))`;
  if (s.sz === 32) return `(fa${op}fb)`;
  const sh = 32 - s.sz;
  return `((fa<<${sh}>>${sh})${op}(fb<<${sh}>>${sh}))`;
}

/** A condition code (x86 cc nibble) as a boolean expression of the locals; undefined when only Flags.cond knows (parity). */
function condBool(s: FState, cc: number): string | undefined {
  const neg = (x: string | undefined): string | undefined => (x === undefined ? undefined : `!${x}`);
  const pos = (cc & 1) === 0;
  let r: string | undefined;
  switch (cc >> 1) {
    case 0:
      r = ofBool(s);
      break;
    case 1:
      r = cfBool(s);
      break;
    case 2:
      r = zf(s);
      break;
    case 3:
      r = `(${cfBool(s)}||${zf(s)})`;
      break;
    case 4:
      r = sf(s);
      break;
    case 5:
      return undefined; // PF: Flags.cond
    case 6: {
      if (s.op === FOp.Sub) r = subLess(s, false);
      else {
        const o = ofBool(s);
        r = o === undefined ? undefined : `(${sf(s)}!==${o})`;
      }
      break;
    }
    default: {
      if (s.op === FOp.Sub) r = subLess(s, true);
      else {
        const o = ofBool(s);
        r = o === undefined ? undefined : `(${zf(s)}||${sf(s)}!==${o})`;
      }
    }
  }
  return pos ? r : neg(r);
}

/** The condition from the locals, or through Flags.cond after storing them. */
export function condFromLocals(s: FState, cc: number): string {
  if (s.op === FOp.Eager) return `fl.cond(${cc})`;
  return condBool(s, cc) ?? `(${storeFlags(s)},fl.cond(${cc}))`;
}
