/*
 * insn-tables.ts — x86 uprobe instruction-acceptance tables and per-generation
 * kernel facts, transcribed from Linux arch/x86/kernel/uprobes.c.
 *
 * Sources (all read through the stored-source index, see KERNEL-HISTORY.md):
 *
 *   CURRENT layout (good_insns_64 / good_insns_32 / good_2byte_insns):
 *     gregkh/linux @663efc5aac21 arch/x86/kernel/uprobes.c (6.18 state, with
 *     the nop5 optimizer).  Byte-identical to the tables in
 *     kernelorg-mirror/linux_kernel_git_daveh_x86-mpx @0947b827 (an early-2015
 *     tree) and in a 4.9.160 tree (maimaiguanfan/android_kernel_huawei_hi3660),
 *     so they have not changed since the rework.
 *
 *   OLD layout (*_old):
 *     torvalds/linux @04a3d984d32e (first x86 uprobes commit, 2012),
 *     torvalds/linux @0326f5a94dde (3.5 merge window), New-B/Linux3.6,
 *     torvalds/linux @014940bad8e4 (3.15 development) and an unmodified 3.19-era
 *     copy (4-argument insn_init, index id 72676125).  All of them have the same
 *     bits.
 *
 *   Layout change: after 3.19 (the 3.19-era copy still has the old tables) and
 *     no later than the daveh/x86-mpx tree, which still uses user_mode_vm(),
 *     removed in 4.1.  So the first release is 4.0 (most likely) or 4.1.
 *     The commit id and title were NOT found in the index.  I believe the
 *     author is Denys Vlasenko, but that is unverified.
 *
 *   x86_nops: arch/x86/include/asm/nops.h (BYTES_NOP1..11, 64-bit) and
 *     arch/x86/kernel/alternative.c x86nops[]/x86_nops[].  NOP9..11 came with
 *     df25edbac31e "x86/alternatives: Add longer 64-bit NOPs" (tip-bot mail,
 *     May 2023, v6.5).  Since then ASM_NOP_MAX is 11 on 64-bit kernels.
 *
 * The kernel writes each bitmap as W(row, b0..bf) rows of a u32[8]; here every
 * row is a 16-entry tuple so that this grid can be diffed against the kernel.
 */

/* ------------------------------------------------------------------------ */
/* Bitmap plumbing                                                          */
/* ------------------------------------------------------------------------ */

export type Bit = 0 | 1;
export type Row16 = readonly [
  Bit, Bit, Bit, Bit, Bit, Bit, Bit, Bit,
  Bit, Bit, Bit, Bit, Bit, Bit, Bit, Bit,
];
/** 256 entries, index = opcode byte, 1 = "good" (probe-able). */
export type OpcodeBitmap = readonly Bit[];

function table(rows: readonly Row16[]): OpcodeBitmap {
  if (rows.length !== 16) throw new Error(`bitmap needs 16 rows, got ${rows.length}`);
  const out: Bit[] = [];
  for (const r of rows) out.push(...r);
  return Object.freeze(out);
}

export function testBit(bitmap: OpcodeBitmap, opcode: number): boolean {
  return bitmap[opcode & 0xff] === 1;
}

/* ------------------------------------------------------------------------ */
/* CURRENT layout (v4.0/4.1 .. v6.18, unchanged)                            */
/* ------------------------------------------------------------------------ */

/*
 * good_insns_32: 32-bit (compat) tasks.  Zero entries:
 *   07,17,1f pop es/ss/ds; 6c-6f ins/outs; cc-cf int3/int/into/iret;
 *   e4-e7, ec-ef in/out; f1 int1; f4 hlt; fa,fb cli/sti.
 */
export const good_insns_32: OpcodeBitmap = table([
  /*     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f          */
  /*     ----------------------------------------------          */
  [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1], /* 00 */
  [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0], /* 10 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 20 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 30 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 40 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 50 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0], /* 60 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 70 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 80 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 90 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* a0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* b0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0], /* c0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* d0 */
  [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0], /* e0 */
  [1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1], /* f0 */
  /*     ----------------------------------------------          */
  /*     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f          */
]);

/*
 * good_insns_64: 64-bit tasks.  Zero entries:
 *   06,07,0e,16,17,1e,1f (push/pop seg); 27,2f,37,3f (daa/das/aaa/aas);
 *   60,61,62 (pusha/popa/bound; 62 = EVEX prefix in 64-bit mode);
 *   6c-6f; 82; 9a; cc-cf; d4,d5,d6; e4-e7; ea; ec-ef; f1; f4; fa; fb.
 * NOTE: c4 and c5 are 1 (spec section 3.1 wrongly lists them as rejected).
 *   In 64-bit mode c4/c5 are always VEX prefixes, so they only matter as the
 *   opcode byte *after* a VEX prefix (vpinsrw = VEX 0F C4, vpextrw = VEX 0F C5).
 *   Those are accepted in the current layout and were rejected in the old one.
 */
export const good_insns_64: OpcodeBitmap = table([
  /*     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f          */
  /*     ----------------------------------------------          */
  [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1], /* 00 */
  [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0], /* 10 */
  [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0], /* 20 */
  [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0], /* 30 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 40 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 50 */
  [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0], /* 60 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 70 */
  [1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 80 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1], /* 90 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* a0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* b0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0], /* c0 */
  [1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* d0 */
  [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0], /* e0 */
  [1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1], /* f0 */
  /*     ----------------------------------------------          */
  /*     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f          */
]);

/*
 * good_2byte_insns (0F xx), used for both 64-bit and 32-bit tasks.  Zero entries:
 *   0f 00, 0f 01 (system groups), 0f 05 syscall, 0f 06 clts, 0f 07 sysret,
 *   0f 08 invd, 0f 09 wbinvd, 0f 0b ud2, 0f 30 wrmsr, 0f 34 sysenter,
 *   0f 35 sysexit, 0f 37 getsec, 0f 78 vmread, 0f 79 vmwrite, 0f ae group15.
 * In the current layout this table is never consulted, because 0x0F is good
 * in both 1-byte tables and uprobe_init_insn() tests OPCODE1 first.  See
 * twoByteTableEffective.
 */
export const good_2byte_insns: OpcodeBitmap = table([
  /*     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f          */
  /*     ----------------------------------------------          */
  [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1], /* 00 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 10 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 20 */
  [0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1], /* 30 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 40 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 50 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 60 */
  [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1], /* 70 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 80 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 90 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1], /* a0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* b0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* c0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* d0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* e0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* f0 */
  /*     ----------------------------------------------          */
  /*     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f          */
]);

/* ------------------------------------------------------------------------ */
/* OLD layout (v3.5 .. v3.19)                                               */
/* ------------------------------------------------------------------------ */

/* old good_insns_32: also rejects 0f, 26,2e,36,3e (seg prefixes), 63 arpl,
 * 66,67, d6 salc, f0 lock. */
export const good_insns_32_old: OpcodeBitmap = table([
  /*     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f          */
  /*     ----------------------------------------------          */
  [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0], /* 00 */
  [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0], /* 10 */
  [1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1], /* 20 */
  [1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1], /* 30 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 40 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 50 */
  [1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0], /* 60 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 70 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 80 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 90 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* a0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* b0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0], /* c0 */
  [1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* d0 */
  [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0], /* e0 */
  [0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1], /* f0 */
  /*     ----------------------------------------------          */
  /*     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f          */
]);

/* old good_insns_64: 0f = 0 (so the 2-byte table below was effective), the
 * whole 40 row (REX) = 0, c4/c5 = 0, 9a and ea = 1. */
export const good_insns_64_old: OpcodeBitmap = table([
  /*     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f          */
  /*     ----------------------------------------------          */
  [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0], /* 00 */
  [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0], /* 10 */
  [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0], /* 20 */
  [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0], /* 30 */
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], /* 40 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 50 */
  [0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0], /* 60 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 70 */
  [1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 80 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 90 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* a0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* b0 */
  [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0], /* c0 */
  [1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* d0 */
  [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0], /* e0 */
  [0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1], /* f0 */
  /*     ----------------------------------------------          */
  /*     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f          */
]);

/* old good_2byte_insns: only 0f 0e, 0f 0f allowed in the 00 row; 0f 18,
 * 0f 24-27, 0f 30, 0f 34-3f (incl. the 38/3a escapes), 0f 78-7d, 0f a6/a7/ae,
 * 0f b8, 0f d0, 0f f0, 0f ff rejected. */
export const good_2byte_insns_old: OpcodeBitmap = table([
  /*     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f          */
  /*     ----------------------------------------------          */
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1], /* 00 */
  [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1], /* 10 */
  [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1], /* 20 */
  [0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], /* 30 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 40 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 50 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 60 */
  [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1], /* 70 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 80 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* 90 */
  [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1], /* a0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1], /* b0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* c0 */
  [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* d0 */
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], /* e0 */
  [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0], /* f0 */
  /*     ----------------------------------------------          */
  /*     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f          */
]);

export type TableLayout = "old" | "new";
export type TaskMode = "64" | "32";

export interface InsnTables {
  readonly good_insns_64: OpcodeBitmap;
  readonly good_insns_32: OpcodeBitmap;
  readonly good_2byte_insns: OpcodeBitmap;
}

export const INSN_TABLES: { readonly [K in TableLayout]: InsnTables } = {
  old: { good_insns_64: good_insns_64_old, good_insns_32: good_insns_32_old, good_2byte_insns: good_2byte_insns_old },
  new: { good_insns_64, good_insns_32, good_2byte_insns },
};

/**
 * The table step of uprobe_init_insn() (all eras share this logic).
 * `opcode` holds the decoder's opcode bytes (insn->opcode.bytes[0..nbytes-1]):
 *  - legacy 1-byte opcode: [op]
 *  - 0F xx:                [0x0f, xx]        (nbytes == 2)
 *  - 0F 38 xx / 0F 3A xx:  [0x0f, 0x38, xx]  (nbytes == 3, never matches the 2-byte table)
 *  - VEX/EVEX encoded:     [op]  (the decoder strips the prefix and reports the
 *                                 byte after it as a 1-byte opcode; spec section 3.4)
 * Returns true = accepted by the tables (prefix checks, the MOV SS check and
 * the branch/push classification happen elsewhere).
 */
export function tablesAccept(layout: TableLayout, mode: TaskMode, opcode: readonly number[]): boolean {
  const t = INSN_TABLES[layout];
  const op1 = opcode[0];
  if (op1 === undefined) return false;
  if (testBit(mode === "64" ? t.good_insns_64 : t.good_insns_32, op1)) return true;
  const op2 = opcode[1];
  if (opcode.length === 2 && op2 !== undefined) return testBit(t.good_2byte_insns, op2);
  return false;
}

/** One opcode whose verdict differs between the old and the new layout. */
export interface TableDiff {
  readonly table: keyof InsnTables;
  readonly opcode: number;
  readonly old: Bit;
  readonly new: Bit;
  /** false if the byte can never reach the table as OPCODE1/OPCODE2 in that mode. */
  readonly reachable: boolean;
  readonly note: string;
}

/*
 * Every difference between the old (<= 3.19) and the new (>= 4.0/4.1) layout,
 * worked out by hand from the two transcriptions above.  diffInsnTables()
 * recomputes the list, and tests should check that the two agree.
 */
export const OLD_VS_NEW_TABLE_DIFFS: readonly TableDiff[] = Object.freeze([
  // good_insns_64
  { table: "good_insns_64", opcode: 0x0f, old: 0, new: 1, reachable: true, note: "2-byte escape: every 0F xx / 0F 38 xx / 0F 3A xx accepted; good_2byte_insns becomes dead" },
  { table: "good_insns_64", opcode: 0x26, old: 0, new: 1, reachable: false, note: "ES prefix (is_prefix_bad rejects it anyway)" },
  { table: "good_insns_64", opcode: 0x2e, old: 0, new: 1, reachable: false, note: "CS prefix" },
  { table: "good_insns_64", opcode: 0x36, old: 0, new: 1, reachable: false, note: "SS prefix" },
  { table: "good_insns_64", opcode: 0x3e, old: 0, new: 1, reachable: false, note: "DS prefix" },
  ...[0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f].map(
    (op): TableDiff => ({ table: "good_insns_64", opcode: op, old: 0, new: 1, reachable: false, note: "REX prefix in 64-bit mode" }),
  ),
  { table: "good_insns_64", opcode: 0x66, old: 0, new: 1, reachable: false, note: "operand-size prefix" },
  { table: "good_insns_64", opcode: 0x67, old: 0, new: 1, reachable: false, note: "address-size prefix" },
  { table: "good_insns_64", opcode: 0x9a, old: 1, new: 0, reachable: true, note: "far call (invalid in 64-bit mode): old accepted it and the XOL copy got #UD; new rejects" },
  { table: "good_insns_64", opcode: 0xc4, old: 0, new: 1, reachable: true, note: "VEX3 prefix; reachable only as the opcode after VEX (vpinsrw)" },
  { table: "good_insns_64", opcode: 0xc5, old: 0, new: 1, reachable: true, note: "VEX2 prefix; reachable only as the opcode after VEX (vpextrw)" },
  { table: "good_insns_64", opcode: 0xea, old: 1, new: 0, reachable: true, note: "far jmp (invalid in 64-bit mode): old accepted, new rejects" },
  { table: "good_insns_64", opcode: 0xf0, old: 0, new: 1, reachable: false, note: "LOCK prefix (is_prefix_bad rejects it anyway)" },
  // good_insns_32
  { table: "good_insns_32", opcode: 0x0f, old: 0, new: 1, reachable: true, note: "2-byte escape (as for 64-bit)" },
  { table: "good_insns_32", opcode: 0x26, old: 0, new: 1, reachable: false, note: "ES prefix" },
  { table: "good_insns_32", opcode: 0x2e, old: 0, new: 1, reachable: false, note: "CS prefix" },
  { table: "good_insns_32", opcode: 0x36, old: 0, new: 1, reachable: false, note: "SS prefix" },
  { table: "good_insns_32", opcode: 0x3e, old: 0, new: 1, reachable: false, note: "DS prefix" },
  { table: "good_insns_32", opcode: 0x63, old: 0, new: 1, reachable: true, note: "arpl now accepted for 32-bit tasks" },
  { table: "good_insns_32", opcode: 0x66, old: 0, new: 1, reachable: false, note: "operand-size prefix" },
  { table: "good_insns_32", opcode: 0x67, old: 0, new: 1, reachable: false, note: "address-size prefix" },
  { table: "good_insns_32", opcode: 0xd6, old: 0, new: 1, reachable: true, note: "salc now accepted for 32-bit tasks" },
  { table: "good_insns_32", opcode: 0xf0, old: 0, new: 1, reachable: false, note: "LOCK prefix" },
  // good_2byte_insns (all 0 -> 1; the whole table is dead in the new layout anyway)
  ...[0x02, 0x03, 0x04, 0x0a, 0x0c, 0x0d, 0x18, 0x24, 0x25, 0x26, 0x27, 0x36,
    0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x7a, 0x7b, 0x7c, 0x7d,
    0xa6, 0xa7, 0xb8, 0xd0, 0xf0, 0xff].map(
    (op): TableDiff => ({
      table: "good_2byte_insns", opcode: op, old: 0, new: 1,
      reachable: op !== 0x38 && op !== 0x3a,
      note: op === 0x38 || op === 0x3a
        ? "3-byte escape: insn->opcode.nbytes == 3, so the 2-byte table is never consulted for it"
        : "0F xx (moot in the new layout: 0x0F is good in the 1-byte tables)",
    }),
  ),
]);

/** Recompute the old/new differences (for tests: must equal OLD_VS_NEW_TABLE_DIFFS). */
export function diffInsnTables(): { table: keyof InsnTables; opcode: number; old: Bit; new: Bit }[] {
  const out: { table: keyof InsnTables; opcode: number; old: Bit; new: Bit }[] = [];
  const names: (keyof InsnTables)[] = ["good_insns_64", "good_insns_32", "good_2byte_insns"];
  for (const name of names) {
    const a = INSN_TABLES.old[name];
    const b = INSN_TABLES.new[name];
    for (let op = 0; op < 256; op++) {
      const o = a[op];
      const n = b[op];
      if (o !== undefined && n !== undefined && o !== n) out.push({ table: name, opcode: op, old: o, new: n });
    }
  }
  return out;
}

/* ------------------------------------------------------------------------ */
/* Other analysis constants                                                 */
/* ------------------------------------------------------------------------ */

/** Legacy prefixes rejected by is_prefix_bad() in every era: ES, CS, SS, DS, LOCK. */
export const BAD_PREFIXES: readonly number[] = Object.freeze([0x26, 0x2e, 0x36, 0x3e, 0xf0]);

/**
 * insn_masking_exception() (asm/insn.h, 13ebe18c94f5, v4.17):
 *   opcode.bytes[0] == POP_SS_OPCODE || (opcode.bytes[0] == 0x8e && modrm.reg == 2)
 * The kernel defines POP_SS_OPCODE as 0x1f, which is really POP DS; POP SS is
 * 0x17.  Both 0x17 and 0x1f are already 0 in both good_insns tables, so
 * in practice the check only adds MOV SS (8E /2).  Verified in a current
 * (2025) asm/insn.h and in 4.x trees.
 */
export const POP_SS_OPCODE_AS_DEFINED = 0x1f;
export const MOV_SREG_OPCODE = 0x8e;

/* ------------------------------------------------------------------------ */
/* x86_nops (64-bit kernel) — used by branch_setup_xol_ops() since 6.16      */
/* ------------------------------------------------------------------------ */

/**
 * x86_nops[len] for a CONFIG_64BIT kernel, len 1..11 (index 0 = NULL).
 * 6.16 (610f6e14c29d) emulates an instruction as a NOP if
 *   insn->length <= ASM_NOP_MAX && memcmp(insn->kaddr, x86_nops[len], len) == 0.
 * NOP9..NOP11 start with 0x2E (CS), so is_prefix_bad() rejects them before
 * this check runs.  Only lengths 1..8 can actually be emulated.
 */
export const x86_nops: readonly (readonly number[])[] = Object.freeze([
  Object.freeze([]),                                                          /* 0: NULL */
  Object.freeze([0x90]),                                                      /* 1: nop */
  Object.freeze([0x66, 0x90]),                                                /* 2: osp nop */
  Object.freeze([0x0f, 0x1f, 0x00]),                                          /* 3: nopl (%eax) */
  Object.freeze([0x0f, 0x1f, 0x40, 0x00]),                                    /* 4: nopl 0x00(%eax) */
  Object.freeze([0x0f, 0x1f, 0x44, 0x00, 0x00]),                              /* 5: nopl 0x00(%eax,%eax,1) */
  Object.freeze([0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00]),                        /* 6: osp nopl 0x00(%eax,%eax,1) */
  Object.freeze([0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00]),                  /* 7: nopl 0x00000000(%eax) */
  Object.freeze([0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00]),            /* 8: nopl 0x00000000(%eax,%eax,1) */
  Object.freeze([0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00]),      /* 9: cs nopl ... (v6.5+) */
  Object.freeze([0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00]),       /* 10: osp cs nopl ... */
  Object.freeze([0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00]), /* 11: osp osp cs nopl ... */
]);

/** ASM_NOP_MAX on a 64-bit kernel: 11 since v6.5 (df25edbac31e), 8 before. */
export const ASM_NOP_MAX_64 = 11;
/** Longest x86_nops entry that can pass is_prefix_bad() and so be emulated. */
export const X86_NOPS_EMULATABLE_MAX = 8;

export function matchesKernelNop(bytes: readonly number[], len: number): boolean {
  if (len < 1 || len > ASM_NOP_MAX_64) return false;
  const ref = x86_nops[len];
  if (ref === undefined || bytes.length < len) return false;
  for (let i = 0; i < len; i++) if (bytes[i] !== ref[i]) return false;
  return true;
}

/** 3.5-era arch_uprobe_skip_sstep() set: 0x66* { 90 | 0F 1F | 0F 19 | 87 C0 } (see NopPolicy). */
export function legacySkipMatches(insn: readonly number[]): boolean {
  const MAX_UINSN_BYTES = 16;
  for (let i = 0; i < MAX_UINSN_BYTES; i++) {
    const b = insn[i];
    if (b === 0x66) continue;
    if (b === 0x90) return true;
    if (i === MAX_UINSN_BYTES - 1) break;
    const n = insn[i + 1];
    if (b === 0x0f && n === 0x1f) return true;
    if (b === 0x0f && n === 0x19) return true;
    if (b === 0x87 && n === 0xc0) return true;
    break;
  }
  return false;
}

/** The <= 3.14 loop: 0x66* 0x90 → returns the number of bytes to skip (i + 1), or 0. */
export function only66x90SkipLength(insn: readonly number[]): number {
  for (let i = 0; i < 16; i++) {
    const b = insn[i];
    if (b === 0x66) continue;
    if (b === 0x90) return i + 1;
    break;
  }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Per-generation facts                                                     */
/* ------------------------------------------------------------------------ */

/**
 * How a fact was established:
 *  - "src":     read in a kernel source copy (a pristine tree or a commit snapshot)
 *  - "mail":    commit id/title/date read in a stored LKML / stable / tip-bot mail
 *  - "bracket": the first release is bounded by copies that lack it and copies
 *               that have it; the exact commit or release is not pinned
 *  - "recall":  not found in the index; from memory, treat as unverified
 */
export type Verification = "src" | "mail" | "bracket" | "recall";

export interface FactSource {
  /** Abbreviated upstream commit id (12 hex digits) or "unknown". */
  readonly commit: string;
  readonly title: string;
  /** First mainline release that contains it (a range if bracketed). */
  readonly firstRelease: string;
  readonly status: Verification;
  readonly note?: string;
}

export type NopPolicy =
  /** 3.5 .. 3.7(+): skip if bytes match 0x66*{90|0F 1F|0F 19|87 C0} (prefix of the 16-byte copy).
   *  ip is NOT advanced past the insn: the task resumes at vaddr+1, right after the int3. */
  | "legacySkip66NoAdvance"
  /** (3.8?) .. 3.14: skip only 0x66* 0x90, ip = vaddr + n */
  | "only66x90"
  /** 3.15 .. 6.15: branch_xol_ops for OPCODE1 == 0x90 with any prefixes (see rejectNop66) */
  | "opcode90"
  /** 6.16 .. 6.18: exact x86_nops[len] match (len <= 8 in practice) or OPCODE1 == 0x90 */
  | "opcode90+kernelTable"
  /** 6.19+: insn_is_nop() (spec section 5.2) */
  | "insnIsNop";

export type RiprelScheme =
  /** <= 3.15: scratch rax (rcx if ModRM.reg == 0), disp32 squeezed out (insn 4 bytes shorter), ip correction += 4 */
  | "raxRcxSqueeze"
  /** >= 3.16: scratch rsi/rdi/rbx, mod=10 keeps disp32, scratch = vaddr + ilen */
  | "siDiBxKeepDisp";

export type UretprobeReturn = "none" | "int3" | "syscall335";

export interface KernelGeneration {
  /** Mainline release this profile models. */
  readonly version: string;
  readonly nopPolicy: NopPolicy;
  /** Consumers see regs->ip == vaddr + 1 (3.5..3.7) instead of vaddr. */
  readonly handlerIpIsBpPlus1: boolean;
  readonly emulateBranches: boolean;
  /** 0x66-prefixed jmp/call/jcc → -ENOTSUPP at analysis. */
  readonly rejectBranch66: boolean;
  /** 0x66-prefixed 0x90 (66 90, 66 66 90, …) → -ENOTSUPP. This was a side effect of rejectBranch66 until 6.2. */
  readonly rejectNop66: boolean;
  readonly emulatePush: boolean;
  readonly rejectMovSs: boolean;
  readonly insnTables: TableLayout;
  /** true while 0x0F is 0 in the 1-byte tables (old layout): then 0F xx goes through good_2byte_insns and 0F 38/3A xx is rejected. */
  readonly twoByteTableEffective: boolean;
  readonly riprelScheme: RiprelScheme;
  /** EVEX rip-relative fixup (VEX3/EVEX byte |= 0x60 instead of VEX3-only |= 0x20). */
  readonly riprelEvex: boolean;
  readonly uretprobeReturn: UretprobeReturn;
  readonly maxUretprobeDepth: number | null;
  /** XOL slot 0 reserved for the uretprobe trampoline. */
  readonly xolSlot0Reserved: boolean;
  /** Stale (longjmp'ed-over) return_instances flushed (cleanup_return_instances / handle_trampoline). */
  readonly longjmpCleanup: boolean;
  /** Compat tasks: sizeof_long() from user_64bit_mode(regs) (correct) vs in_ia32_syscall() (returns 8 for compat at trap time). */
  readonly compatWordSizeCorrect: boolean;
  readonly nop5Optimize: boolean;
  readonly skipWhenIpChanged: boolean;
  readonly notes: readonly string[];
}

/** Where each knob came from. */
export const FACT_SOURCES = {
  uprobesX86: {
    commit: "04a3d984d32e", title: "x86: Add x86 uprobes instruction analysis (first x86 uprobes.c)",
    firstRelease: "3.5", status: "bracket",
    note: "commit snapshot read; release 3.5 taken from the brief/spec, not verified",
  },
  legacySkipSstep: {
    commit: "0326f5a94dde", title: "uprobes/core: Handle breakpoint and singlestep exceptions",
    firstRelease: "3.5", status: "src",
    note: "arch_uprobe_skip_sstep() 0x66*{90|0f1f|0f19|87c0}, no ip update; handle_swbp leaves ip = vaddr+1 when skipped (read at 0326f5a9 and in a 3.6 tree)",
  },
  skipOnly66x90: {
    commit: "unknown", title: "__skip_sstep(): 0x66* 0x90 only, regs->ip += i + 1; handle_swbp sets ip = bp_vaddr before handlers",
    firstRelease: "3.8..3.14", status: "bracket",
    note: "old form in a 3.7 copy (with arch_uprobe_enable_step); new form in 014940ba (3.15 dev) and a 3.10-based tree. I believe it went into 3.8 (unverified)",
  },
  uretprobes: {
    commit: "791eca10107f", title: "uretprobes/x86: Hijack return address",
    firstRelease: "3.10", status: "recall",
    note: "id/title verified from a 'Fixes:' tag in a stable mail; the 3.10 release is from memory. MAX_URETPROBE_DEPTH = 64 seen in every header copy",
  },
  emulateBranches: {
    commit: "unknown (Oleg Nesterov series, incl. 014940bad8e4 intermediate)", title: "uprobes/x86: Emulate jmp/call/jcc via uprobe_xol_ops->emulate",
    firstRelease: "3.15", status: "recall",
    note: "014940ba (ops introduced, no branch ops yet) is in torvalds/linux; 3.18/3.19 copies have branch_xol_ops",
  },
  rejectBranch66: {
    commit: "250bbd12c2fe", title: "uprobes/x86: Refuse to attach uprobe to \"word-sized\" branch insns",
    firstRelease: "3.16", status: "bracket",
    note: "id/title from a 'Fixes:' tag (mail); absent in 3.15-dev, present in 3.18/3.19 copies; 3.16 is from memory",
  },
  riprelSiDiBx: {
    commit: "unknown (Denys Vlasenko)", title: "uprobes/x86: Fix scratch register selection for rip-relative fixups",
    firstRelease: "3.16", status: "bracket",
    note: "old scheme in 014940ba (3.15 dev), new scheme in 3.18/3.19 copies",
  },
  tableRework: {
    commit: "unknown", title: "good_insns_* reworked (0x0F marked good, 2-byte table dead)",
    firstRelease: "4.0 (or 4.1)", status: "bracket",
    note: "a 3.19 copy (4-arg insn_init) still has the old tables; the daveh/x86-mpx mirror (still user_mode_vm, i.e. pre-4.1) has the new ones; line numbers in Ubuntu 4.4.0 (DepSurf) match the new layout",
  },
  longjmpCleanup: {
    commit: "unknown (Oleg Nesterov, 'flush the frames invalidated by longjmp()' series)", title: "uprobes: arch_uretprobe_is_alive()/RP_CHECK_* + cleanup in prepare_uretprobe/handle_trampoline",
    firstRelease: "4.3", status: "bracket",
    note: "absent in the pre-4.1 x86-mpx tree and in the old handle_trampoline ('TODO: we should throw out return_instance's invalidated by longjmp()'); present in 4.4 (DepSurf)",
  },
  emulatePush: {
    commit: "e7ed9d9bd037", title: "uprobes/x86: Emulate push insns for uprobe on x86",
    firstRelease: "4.16", status: "bracket",
    note: "id/title from a Sasha Levin stable mail (2019); absent in 4.15 (DepSurf + Ubuntu 4.15.18 tree), present in 4.18 (DepSurf). The brief's 'd20737c07a10' was not found",
  },
  rejectMovSs: {
    commit: "13ebe18c94f5", title: "uprobes/x86: Prohibit probing on MOV SS instruction",
    firstRelease: "4.17", status: "mail",
    note: "full id 13ebe18c94f5b0665c01ae7fad2717ae959f4212 from a stable backport mail; posted May 2018; 4.17 not pinned to an exact rc",
  },
  evexRiprel: {
    commit: "unknown", title: "uprobes/x86: Fix RIP-relative handling of EVEX-encoded instructions",
    firstRelease: "5.0", status: "recall",
    note: "3.19 copy: VEX3-only |=0x20; 6.18: vex_prefix.nbytes >= 3, |=0x60",
  },
  compatWordSize: {
    commit: "9212ec7d8357", title: "uprobes/x86: Fix detection of 32-bit user mode",
    firstRelease: "5.3", status: "mail",
    note: "tip x86/urgent 2019-08-26; backported to 4.4/4.9/4.14/4.19 stable",
  },
  allowNop66: {
    commit: "cefa72129e45", title: "uprobes/x86: Allow to probe a NOP instruction with 0x66 prefix",
    firstRelease: "6.2", status: "mail",
    note: "tip x86/urgent 2022-12-05; backported as 6.1 stable patch 0169/1146 (so not in 6.1.0); also seen backported in 3.18-android and Ubuntu 4.15 trees",
  },
  uretprobeSyscall: {
    commit: "ff474a78cef5", title: "uprobe: Add uretprobe syscall to speed up return probe (+190fec72df4a wire-up, 1713b63a07a2 shstk)",
    firstRelease: "6.11", status: "mail",
  },
  uretprobeHarden: {
    commit: "fa6192adc32f", title: "uprobes/x86: Harden uretprobe syscall trampoline check",
    firstRelease: "6.14", status: "recall",
    note: "Feb 2025, Cc stable (id from a stable mail; release from memory)",
  },
  nopTable: {
    commit: "610f6e14c29d", title: "uprobes/x86: Add support to emulate NOP instructions",
    firstRelease: "6.16", status: "mail",
    note: "tip perf/core 2025-04-18 (tip-bot mail with diff)",
  },
  nop5Optimize: {
    commit: "ba2bfc97b462", title: "uprobes/x86: Add support to optimize uprobes",
    firstRelease: "6.18", status: "mail",
    note: "Linus/Alexei 6.18 merge-window thread (Sep 2025); code read in gregkh/linux @663efc5a",
  },
  skipWhenIpChanged: {
    commit: "4363264111e1", title: "uprobe: Do not emulate/sstep original instruction when ip is changed",
    firstRelease: "6.18", status: "mail",
    note: "merged via bpf-next for 6.18; many stable backports exist (different hashes), so recent 6.x stable kernels also have it",
  },
} as const satisfies Record<string, FactSource>;

const base: KernelGeneration = {
  version: "3.5",
  nopPolicy: "legacySkip66NoAdvance",
  handlerIpIsBpPlus1: true,
  emulateBranches: false,
  rejectBranch66: false,
  rejectNop66: false,
  emulatePush: false,
  rejectMovSs: false,
  insnTables: "old",
  twoByteTableEffective: true,
  riprelScheme: "raxRcxSqueeze",
  riprelEvex: false,
  uretprobeReturn: "none",
  maxUretprobeDepth: null,
  xolSlot0Reserved: false,
  longjmpCleanup: false,
  compatWordSizeCorrect: false,
  nop5Optimize: false,
  skipWhenIpChanged: false,
  notes: [],
};

function gen(prev: KernelGeneration, patch: Partial<KernelGeneration> & { version: string }): KernelGeneration {
  return Object.freeze({ ...prev, notes: [], ...patch });
}

const g3_5 = gen(base, {
  version: "3.5",
  notes: [
    "skip_sstep leaves ip at vaddr+1: 66 90 runs its trailing 90; 0F 1F xx resumes at '1F …' (#UD in 64-bit mode → SIGILL); 0F 19 → resumes in an SBB; 87 C0 → resumes at 'C0 …'",
    "handle_swbp does not reset ip before handler_chain: consumers see ip = vaddr+1; pre_xol then sets ip = xol_vaddr, so a handler's ip change is lost on the XOL path and kept on the skip path",
    "a failed skip clears UPROBE_SKIP_SSTEP for good (per uprobe)",
    "XOL: FIX_IP and FIX_CALL applied together for E8; rel32 unchanged, so target = xol+5+rel32 (non-canonical if rel32 > ~8 KiB forward, #GP → SIGSEGV at vaddr)",
    "compat word size via is_ia32_task() (TS_COMPAT-based, so probably wrong at trap time as in 4.4-5.2; unverified before 4.4)",
  ],
});
const g3_10 = gen(g3_5, {
  version: "3.10",
  nopPolicy: "only66x90",
  handlerIpIsBpPlus1: false,
  uretprobeReturn: "int3",
  maxUretprobeDepth: 64,
  xolSlot0Reserved: true,
  notes: [
    "nopPolicy/handler-ip change is bracketed to 3.8..3.14 (see FACT_SOURCES.skipOnly66x90)",
    "uretprobes without longjmp cleanup: the trampoline pops the newest instance, which may be stale",
  ],
});
const g3_14 = gen(g3_10, { version: "3.14", notes: ["last release before branch emulation"] });
const g3_15 = gen(g3_14, {
  version: "3.15",
  nopPolicy: "opcode90",
  emulateBranches: true,
  notes: [
    "66-prefixed jmp/call/jcc are still emulated (with decoder lengths); rejection came in 3.16",
    "E8 XOL fallback copy has rel32 zeroed (branch_clear_offset)",
  ],
});
const g3_16 = gen(g3_15, {
  version: "3.16",
  rejectBranch66: true,
  rejectNop66: true,
  riprelScheme: "siDiBxKeepDisp",
  notes: ["66 90 and other 66-prefixed 90 are rejected with -ENOTSUPP until 6.2 (cefa72129e45)"],
});
const g3_19 = gen(g3_16, { version: "3.19", notes: ["last release with the old good_insns tables (verified in a 3.19-era copy)"] });
const g4_0 = gen(g3_19, {
  version: "4.0",
  insnTables: "new",
  twoByteTableEffective: false,
  notes: ["table rework bracketed to 4.0 or 4.1 (FACT_SOURCES.tableRework)"],
});
const g4_3 = gen(g4_0, { version: "4.3", longjmpCleanup: true });
const g4_16 = gen(g4_3, {
  version: "4.16",
  emulatePush: true,
  notes: ["compat push/call/uretprobe hijack use 8 bytes (in_ia32_syscall() is false at trap time) until 5.3"],
});
const g4_17 = gen(g4_16, { version: "4.17", rejectMovSs: true });
const g5_3 = gen(g4_17, { version: "5.3", compatWordSizeCorrect: true, riprelEvex: true, notes: ["riprelEvex from 5.0 (recall)"] });
const g6_2 = gen(g5_3, { version: "6.2", rejectNop66: false });
const g6_11 = gen(g6_2, { version: "6.11", uretprobeReturn: "syscall335", notes: ["compat tasks keep the int3 trampoline"] });
const g6_16 = gen(g6_11, { version: "6.16", nopPolicy: "opcode90+kernelTable" });
const g6_18 = gen(g6_16, {
  version: "6.18",
  nop5Optimize: true,
  skipWhenIpChanged: true,
  notes: ["skipWhenIpChanged was also backported to several stable series"],
});

/** Ordered oldest → newest. Each record holds the resolved knobs for that release. */
export const KERNEL_GENERATIONS: readonly KernelGeneration[] = Object.freeze([
  g3_5, g3_10, g3_14, g3_15, g3_16, g3_19, g4_0, g4_3, g4_16, g4_17, g5_3, g6_2, g6_11, g6_16, g6_18,
]);

export function generation(version: string): KernelGeneration | undefined {
  return KERNEL_GENERATIONS.find((g) => g.version === version);
}
