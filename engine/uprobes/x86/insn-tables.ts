/*
 * insn-tables.ts — x86 uprobe instruction-acceptance tables, transcribed from
 * Linux arch/x86/kernel/uprobes.c (the per-generation facts are in
 * ../generations.ts).
 *
 * Sources (copies in the stored-source index, see ../KERNEL-HISTORY.md):
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
 *     removed in 4.1.  So the first release is 4.0 or 4.1.  The commit id,
 *     title and author are not in the index.
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

type Bit = 0 | 1;
type Row16 = readonly [
  Bit, Bit, Bit, Bit, Bit, Bit, Bit, Bit,
  Bit, Bit, Bit, Bit, Bit, Bit, Bit, Bit,
];
/** 256 entries, index = opcode byte, 1 = "good" (probe-able). */
type OpcodeBitmap = readonly Bit[];

function table(rows: readonly Row16[]): OpcodeBitmap {
  if (rows.length !== 16) throw new Error(`bitmap needs 16 rows, got ${rows.length}`);
  const out: Bit[] = [];
  for (const r of rows) out.push(...r);
  return Object.freeze(out);
}

function testBit(bitmap: OpcodeBitmap, opcode: number): boolean {
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
const good_insns_32: OpcodeBitmap = table([
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
 * NOTE: c4 and c5 are 1 (a reading that c4/c5 are rejected does not match the table).
 *   In 64-bit mode c4/c5 are always VEX prefixes, so they only matter as the
 *   opcode byte *after* a VEX prefix (vpinsrw = VEX 0F C4, vpextrw = VEX 0F C5).
 *   Those are accepted in the current layout and were rejected in the old one.
 */
const good_insns_64: OpcodeBitmap = table([
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
 * in both 1-byte tables and uprobe_init_insn() tests OPCODE1 first (so
 * KernelGeneration.insnTables alone decides whether it matters).
 */
const good_2byte_insns: OpcodeBitmap = table([
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
const good_insns_32_old: OpcodeBitmap = table([
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
const good_insns_64_old: OpcodeBitmap = table([
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
const good_2byte_insns_old: OpcodeBitmap = table([
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

interface InsnTables {
  readonly good_insns_64: OpcodeBitmap;
  readonly good_insns_32: OpcodeBitmap;
  readonly good_2byte_insns: OpcodeBitmap;
}

const INSN_TABLES: { readonly [K in TableLayout]: InsnTables } = {
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
 *                                 byte after it as a 1-byte opcode, insn_get_opcode())
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
const POP_SS_OPCODE_AS_DEFINED = 0x1f;
const MOV_SREG_OPCODE = 0x8e;

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
const x86_nops: readonly (readonly number[])[] = Object.freeze([
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
const ASM_NOP_MAX_64 = 11;

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
