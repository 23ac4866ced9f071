# Grammar of the probe language (nearley, compiled by `npm run grammar` to
# grammar.generated.ts; tokens come from lexer.ts, nodes from ast-build.ts).
#
#   program  := item*                       items may be separated by ; or newlines
#   item     := probes [ "/" expr "/" ] block  |  BEGIN block  |  END block
#             | config = { name = value; ... }
#   probes   := probe ("," (probe | target))*
#   probe    := ("probe" | "retprobe" | "uprobe:" | "uretprobe:") target
#   target   := atom ((":" | "+") atom)*   atom: symbol (ns::f too), number, ./path, "string"
#   block    := "<" stmts ">"  |  "{" stmts "}"
#   stmts    := stmt (sep stmt)*            sep: ";" or a newline; an if
#                                           statement needs no separator after it
#   stmt     := lvalue "=" expr | lvalue op= expr | lvalue ++ | -- lvalue ...
#             | call | if | "return"
#   expr     := seq [ "?" expr ":" expr ]
#   seq      := unary (binop unary)*        folded by precedence in ast-build.ts
#
# `<` and `>` both delimit blocks and compare: a `>` inside a block ends it
# unless what follows continues an expression, which the Earley parser decides
# by trying both readings (only one survives in a valid program; the driver
# asserts that exactly one parse remains).

@preprocessor typescript

@{%
import { lexer } from "./lexer.js";
import * as B from "./ast-build.js";
%}

@lexer lexer

Program -> _ {% () => B.program([], lexer.text.length) %}
  | _ Items _ {% (d) => B.program(d[1], lexer.text.length) %}

Items -> Item {% (d) => [d[0]] %}
  | Items _ Item {% (d) => [...d[0], d[2]] %}

Item -> Probes _ Block {% (d) => B.probeItem(d[0], undefined, d[2]) %}
  | Probes _ "/" Expr "/" _ Block {% (d) => B.probeItem(d[0], d[3], d[6]) %}
  | "BEGIN" _ Block {% (d) => B.specialItem(d[0], d[2]) %}
  | "END" _ Block {% (d) => B.specialItem(d[0], d[2]) %}
  | %name _ Block {% (d) => B.specialItem(d[0], d[2]) %}
  | %name "=" "{" _ "}" {% (d) => B.configItem(d[0], [], d[4]) %}
  | %name "=" "{" _ Settings _ "}" {% (d) => B.configItem(d[0], d[4], d[6]) %}
  | "struct" %name _ "{" _ Fields _ "}" {% (d) => B.structDef(d[0], d[1], d[5], d[7]) %}
  | "struct" %name _ "{" _ "}" {% (d) => B.structDef(d[0], d[1], [], d[5]) %}

# struct pt { int x; unsigned long y; char name[16]; struct pt *next; }
Fields -> Field {% (d) => [d[0]] %}
  | Fields %sep Field {% (d) => [...d[0], d[2]] %}

Field -> TypeWords Stars %name Dims {% (d) => B.structField(d[0], d[1], d[2], d[3]) %}

TypeWords -> TypeWord {% (d) => B.typeWords(d[0]) %}
  | TypeWords TypeWord {% (d) => B.typeWords([...d[0].toks, ...d[1]]) %}

TypeWord -> %name {% (d) => [d[0]] %}
  | %type {% (d) => [d[0]] %}
  | "struct" %name {% (d) => [d[0], d[1]] %}

Stars -> null {% () => [] %}
  | Stars "*" {% (d) => [...d[0], d[1]] %}

Dims -> null {% () => [] %}
  | Dims "[" %number "]" {% (d) => [...d[0], B.numberLit(d[2])] %}

# config = { print_maps_on_exit = false; ... }
Settings -> Setting {% (d) => [d[0]] %}
  | Settings %sep Setting {% (d) => [...d[0], d[2]] %}
  | Settings "," Setting {% (d) => [...d[0], d[2]] %}

Setting -> %name "=" SettingValue {% (d) => B.setting(d[0], d[2]) %}

SettingValue -> %number {% id %}
  | %name {% id %}
  | %string {% id %}

Probes -> Probe {% (d) => [d[0]] %}
  | Probes "," Probe {% (d) => [...d[0], d[2]] %}
  | Probes "," Target {% (d) => [...d[0], B.target(undefined, d[0][d[0].length - 1], d[2], lexer.text)] %}

Probe -> %probe Target {% (d) => B.target(d[0], undefined, d[1], lexer.text) %}
  | %alias Target {% (d) => B.target(d[0], undefined, d[1], lexer.text) %}

Target -> Atom {% (d) => B.targetStart(d[0]) %}
  | Target %tcolon Atom {% (d) => B.targetMore(d[0], d[1], d[2]) %}
  | Target %tplus Atom {% (d) => B.targetMore(d[0], d[1], d[2]) %}

Atom -> %tid {% (d) => B.atom(d[0]) %}
  | %tnum {% (d) => B.atom(d[0]) %}
  | %tpath {% (d) => B.atom(d[0]) %}
  | %tstr {% (d) => B.atom(d[0]) %}

Block -> "<" _ ">" {% (d) => B.block(d[0], [], d[2]) %}
  | "<" _ Stmts _ ">" {% (d) => B.block(d[0], d[2], d[4]) %}
  | "{" _ "}" {% (d) => B.block(d[0], [], d[2]) %}
  | "{" _ Stmts _ "}" {% (d) => B.block(d[0], d[2], d[4]) %}

# A list ending in a simple statement (StmtsS) or in an if (StmtsI): only the
# latter may be followed by a statement without a separator.
Stmts -> StmtsS {% id %}
  | StmtsI {% id %}

StmtsS -> Simple {% (d) => [d[0]] %}
  | Stmts %sep Simple {% (d) => [...d[0], d[2]] %}
  | StmtsI Simple {% (d) => [...d[0], d[1]] %}

StmtsI -> Compound {% (d) => [d[0]] %}
  | Stmts %sep Compound {% (d) => [...d[0], d[2]] %}
  | StmtsI Compound {% (d) => [...d[0], d[1]] %}

# Statements that end in a block: no separator needed after them.
Compound -> If {% id %}
  | "unroll" "(" Expr ")" _ Block {% (d) => B.unrollStmt(d[0], d[2], d[5]) %}
  | "while" "(" Expr ")" _ Block {% (d) => B.whileStmt(d[0], d[2], d[5]) %}

Simple -> LValue "=" Expr {% (d) => B.assign(d[0], d[1], d[2]) %}
  | LValue %assignop Expr {% (d) => B.assign(d[0], d[1], d[2]) %}
  | LValue "++" {% (d) => B.postIncDec(d[0], d[1]) %}
  | LValue "--" {% (d) => B.postIncDec(d[0], d[1]) %}
  | "++" LValue {% (d) => B.preIncDec(d[0], d[1]) %}
  | "--" LValue {% (d) => B.preIncDec(d[0], d[1]) %}
  | Call {% (d) => B.callStmt(d[0]) %}
  | "return" {% (d) => B.returnStmt(d[0]) %}
  | "break" {% (d) => B.jumpStmt(d[0]) %}
  | "continue" {% (d) => B.jumpStmt(d[0]) %}

If -> "if" "(" Expr ")" _ Block {% (d) => B.ifStmt(d[0], d[2], d[5]) %}
  | "if" "(" Expr ")" _ Block _ "else" _ Block {% (d) => B.ifStmt(d[0], d[2], d[5], d[9]) %}
  | "if" "(" Expr ")" _ Block _ "else" _ If {% (d) => B.ifStmt(d[0], d[2], d[5], d[9]) %}

LValue -> %name {% (d) => B.varRef(d[0]) %}
  | %name "[" Args "]" {% (d) => B.index(B.varRef(d[0]), d[2], d[3]) %}

Call -> %name "(" ")" {% (d) => B.call(d[0], [], d[2]) %}
  | %name "(" Args ")" {% (d) => B.call(d[0], d[2], d[3]) %}

Args -> Expr {% (d) => [d[0]] %}
  | Args "," Expr {% (d) => [...d[0], d[2]] %}

Expr -> Seq {% (d) => B.fold(d[0]) %}
  | Seq "?" Expr ":" Expr {% (d) => B.ternary(B.fold(d[0]), d[2], d[4]) %}

Seq -> Unary {% (d) => B.seqStart(d[0]) %}
  | Seq %binop Unary {% (d) => B.seqMore(d[0], d[1], d[2]) %}

# Operands: prefix forms here, postfix forms (field access `e.NAME`,
# `e->NAME`, tuple index `e.0`) bind tighter, as in C and bpftrace.
Unary -> Postfix {% id %}
  | "(" %type ")" Unary {% (d) => B.cast(d[0], d[1], false, d[3]) %}
  | "(" %type "*" ")" Unary {% (d) => B.cast(d[0], d[1], true, d[4]) %}
  | "(" "struct" %name "*" ")" Unary {% (d) => B.structCast(d[0], d[2], d[5]) %}
  | "*" Unary {% (d) => B.deref(d[0], d[1]) %}
  | "!" Unary {% (d) => B.unary(d[0], d[1]) %}
  | "~" Unary {% (d) => B.unary(d[0], d[1]) %}
  | "-" Unary {% (d) => B.unary(d[0], d[1]) %}
  | "+" Unary {% (d) => B.unary(d[0], d[1]) %}

Postfix -> Primary {% id %}
  | Member {% id %}

# `[i]` after a field (an array in a struct); `m[k]` on a name stays a map read.
Member -> Postfix "." %name {% (d) => B.field(d[0], d[1], d[2]) %}
  | Postfix "." %number {% (d) => B.field(d[0], d[1], d[2]) %}
  | Postfix "->" %name {% (d) => B.field(d[0], d[1], d[2]) %}
  | Member "[" Expr "]" {% (d) => B.subscript(d[0], d[2], d[3]) %}

Primary -> %number {% (d) => B.numberLit(d[0]) %}
  | %string {% (d) => B.stringLit(d[0]) %}
  | %name {% (d) => B.varRef(d[0]) %}
  | %name "[" Args "]" {% (d) => B.index(B.varRef(d[0]), d[2], d[3]) %}
  | %name "(" ")" {% (d) => B.call(d[0], [], d[2]) %}
  | %name "(" Args ")" {% (d) => B.call(d[0], d[2], d[3]) %}
  | "(" Expr ")" {% (d) => B.paren(d[0], d[1], d[2]) %}
  | "(" Expr "," Args ")" {% (d) => B.tuple(d[0], d[1], d[3], d[4]) %}
  | %param {% (d) => B.param(d[0]) %}
  | "sizeof" "(" %type ")" {% (d) => B.sizeofType(d[0], d[2], d[3]) %}
  | "sizeof" "(" "struct" %name ")" {% (d) => B.sizeofStruct(d[0], d[3], d[4]) %}
  | "sizeof" "(" Expr ")" {% (d) => B.sizeofExpr(d[0], d[2], d[3]) %}

_ -> null {% () => null %}
  | %sep {% () => null %}
