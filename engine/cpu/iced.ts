// iced-x86, loaded with require(). Its 900 KB CommonJS glue costs ~100 ms
// more at start-up when imported as ESM (node scans it for named exports with
// cjs-module-lexer); every engine module imports iced through this file.

import { createRequire } from "node:module";
import type * as Iced from "iced-x86";

const iced = createRequire(import.meta.url)("iced-x86") as typeof Iced;

export const Code = iced.Code;
export type Code = Iced.Code;
export const ConditionCode = iced.ConditionCode;
export type ConditionCode = Iced.ConditionCode;
export const Decoder = iced.Decoder;
export type Decoder = Iced.Decoder;
export const DecoderOptions = iced.DecoderOptions;
export type DecoderOptions = Iced.DecoderOptions;
export const FlowControl = iced.FlowControl;
export type FlowControl = Iced.FlowControl;
export const Formatter = iced.Formatter;
export type Formatter = Iced.Formatter;
export const FormatterSyntax = iced.FormatterSyntax;
export type FormatterSyntax = Iced.FormatterSyntax;
export const Instruction = iced.Instruction;
export type Instruction = Iced.Instruction;
export const MemorySizeExt = iced.MemorySizeExt;
export type MemorySizeExt = Iced.MemorySizeExt;
export const Mnemonic = iced.Mnemonic;
export type Mnemonic = Iced.Mnemonic;
export const OpKind = iced.OpKind;
export type OpKind = Iced.OpKind;
export const Register = iced.Register;
export type Register = Iced.Register;
