// The CFA interpreter: runs a CIE's initial instructions and then an FDE's
// up to a pc, giving the row of the unwind table there (DWARF 4 §6.4.2:
// how to find the canonical frame address, and where each register of the
// caller was saved). readelf --debug-dump=frames-interp prints the same rows.

import type { Cie, Fde } from "./eh-frame.js";
import { CfiError, DwarfReader } from "./dwarf-read.js";

/** How to recover one register of the caller (DWARF 4 §6.4.1's register rules). */
export type RegRule =
  | { kind: "undefined" }
  | { kind: "same" }
  | { kind: "offset"; n: number } // saved at CFA+n
  | { kind: "valOffset"; n: number } // the value is CFA+n
  | { kind: "register"; reg: number } // in another register
  | { kind: "expression"; expr: Uint8Array } // saved at the address the expression gives (CFA pushed first)
  | { kind: "valExpression"; expr: Uint8Array }; // the value is what the expression gives

export type CfaRule = { kind: "register"; reg: number; offset: number } | { kind: "expression"; expr: Uint8Array };

export interface CfiRow {
  /** The first pc the row holds for (link-time). */
  loc: number;
  cfa: CfaRule;
  /** DWARF register number -> rule; a register absent here has no rule (callee-saved: same value). */
  regs: Map<number, RegRule>;
}

/** At most this many remembered states (DW_CFA_remember_state): the input is untrusted. */
const MAX_STATE_STACK = 64;

interface State {
  cfa: CfaRule;
  regs: Map<number, RegRule>;
}

const copy = (s: State): State => ({ cfa: s.cfa, regs: new Map(s.regs) });

/** The row of fde's table that covers pc. */
export function rowAt(fde: Fde, pc: number): CfiRow {
  return rowsOf(fde, pc)[0]!;
}

/**
 * Every row of the table, or (with `upTo`) only the one covering that pc.
 * The rows are what readelf lists: one per location where an instruction
 * advanced, holding the state reached by then.
 */
export function rowsOf(fde: Fde, upTo?: number): CfiRow[] {
  const cie = fde.cie;
  const init: State = { cfa: { kind: "register", reg: 0, offset: 0 }, regs: new Map() };
  run(cie, cie.initialInstructions, init, undefined, { loc: fde.pcBegin }, undefined);
  const initial = copy(init);
  const state = copy(init);
  const rows: CfiRow[] = [];
  const at = { loc: fde.pcBegin };
  run(cie, fde.instructions, state, initial, at, (newLoc) => {
    // an advance closes the row that held from the old location
    if (upTo === undefined) rows.push({ loc: at.loc, cfa: state.cfa, regs: new Map(state.regs) });
    return upTo !== undefined && newLoc > upTo;
  });
  if (upTo !== undefined || rows.length === 0 || rows[rows.length - 1]!.loc !== at.loc) rows.push({ loc: at.loc, cfa: state.cfa, regs: new Map(state.regs) });
  if (upTo !== undefined) return [rows[rows.length - 1]!];
  // readelf shows one row per location: a later row at the same loc replaces the earlier
  return rows.filter((r, i) => i + 1 >= rows.length || rows[i + 1]!.loc !== r.loc);
}

/**
 * Execute CFA instructions on `state`. `initial` is the CIE's state (for
 * DW_CFA_restore; undefined while running the CIE itself). `advance` is told
 * each new location before the state moves there; it returns true to stop.
 */
function run(cie: Cie, code: Uint8Array, state: State, initial: State | undefined, at: { loc: number }, advance: ((newLoc: number) => boolean) | undefined): void {
  const r = new DwarfReader(code, 0, code.length, 8);
  const stack: State[] = [];
  const move = (loc: number): boolean => {
    if (advance?.(loc)) return true;
    at.loc = loc;
    return false;
  };
  const restore = (reg: number): void => {
    const rule = initial?.regs.get(reg);
    if (rule) state.regs.set(reg, rule);
    else state.regs.delete(reg);
  };
  const setCfa = (reg: number, offset: number): void => {
    state.cfa = { kind: "register", reg, offset };
  };
  const cfaReg = (): { reg: number; offset: number } => {
    if (state.cfa.kind !== "register") throw new CfiError("DW_CFA_def_cfa_offset/register after an expression CFA");
    return state.cfa;
  };
  while (!r.done) {
    const op = r.u8();
    const hi = op & 0xc0;
    const low = op & 0x3f;
    if (hi === 0x40) {
      if (move(at.loc + low * cie.codeAlign)) return;
      continue;
    }
    if (hi === 0x80) {
      state.regs.set(low, { kind: "offset", n: r.uleb() * cie.dataAlign });
      continue;
    }
    if (hi === 0xc0) {
      restore(low);
      continue;
    }
    switch (op) {
      case 0x00: break; // nop
      case 0x01: // set_loc: an absolute address in the FDE encoding; rare (gcc never emits it for x86)
        throw new CfiError("DW_CFA_set_loc is not supported");
      case 0x02: if (move(at.loc + r.u8() * cie.codeAlign)) return; break;
      case 0x03: if (move(at.loc + r.u16() * cie.codeAlign)) return; break;
      case 0x04: if (move(at.loc + r.u32() * cie.codeAlign)) return; break;
      case 0x05: { const reg = r.uleb(); state.regs.set(reg, { kind: "offset", n: r.uleb() * cie.dataAlign }); break; }
      case 0x06: restore(r.uleb()); break;
      case 0x07: state.regs.set(r.uleb(), { kind: "undefined" }); break;
      case 0x08: state.regs.set(r.uleb(), { kind: "same" }); break;
      case 0x09: { const reg = r.uleb(); state.regs.set(reg, { kind: "register", reg: r.uleb() }); break; }
      case 0x0a: // remember_state
        if (stack.length >= MAX_STATE_STACK) throw new CfiError("DW_CFA_remember_state nested too deep");
        stack.push(copy(state));
        break;
      case 0x0b: { // restore_state (the location is not part of the state)
        const s = stack.pop();
        if (!s) throw new CfiError("DW_CFA_restore_state without remember_state");
        state.cfa = s.cfa;
        state.regs = s.regs;
        break;
      }
      case 0x0c: { const reg = r.uleb(); setCfa(reg, r.uleb()); break; }
      case 0x0d: setCfa(r.uleb(), state.cfa.kind === "register" ? state.cfa.offset : 0); break;
      case 0x0e: setCfa(cfaReg().reg, r.uleb()); break;
      case 0x0f: state.cfa = { kind: "expression", expr: r.bytesOf(r.uleb()) }; break;
      case 0x10: { const reg = r.uleb(); state.regs.set(reg, { kind: "expression", expr: r.bytesOf(r.uleb()) }); break; }
      case 0x11: { const reg = r.uleb(); state.regs.set(reg, { kind: "offset", n: r.sleb() * cie.dataAlign }); break; }
      case 0x12: { const reg = r.uleb(); setCfa(reg, r.sleb() * cie.dataAlign); break; }
      case 0x13: setCfa(cfaReg().reg, r.sleb() * cie.dataAlign); break;
      case 0x14: { const reg = r.uleb(); state.regs.set(reg, { kind: "valOffset", n: r.uleb() * cie.dataAlign }); break; }
      case 0x15: { const reg = r.uleb(); state.regs.set(reg, { kind: "valOffset", n: r.sleb() * cie.dataAlign }); break; }
      case 0x16: { const reg = r.uleb(); state.regs.set(reg, { kind: "valExpression", expr: r.bytesOf(r.uleb()) }); break; }
      case 0x2e: r.uleb(); break; // GNU_args_size: for exception landing pads only
      case 0x2f: { const reg = r.uleb(); state.regs.set(reg, { kind: "offset", n: -r.uleb() * cie.dataAlign }); break; }
      default:
        throw new CfiError(`unknown CFA instruction 0x${op.toString(16)}`);
    }
  }
}
