// Names that tie (symbols at one address) come out in one fixed collation whatever the host's locale:
// the same binary lists its symbols in the same order under LANG=C and LANG=et_EE.UTF-8, where
// localeCompare would put z between s and t (engine/name-order.ts).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildC, requireMusl } from "../helpers.js";

const SRC = `void t(void) {}
void s(void) __attribute__((alias("t")));
void z(void) __attribute__((alias("t")));
int main(void) { t(); return 0; }
`;

/** The names at t's address, in the order the binary lists its symbols, in a node started with this LANG. */
function namesAtT(bin: string, lang: string): string {
  const binary = path.join(PROJECT_ROOT, "dist", "engine", "binary.js");
  const script = `import(${JSON.stringify(binary)}).then(({ loadBinary }) => {
    const b = loadBinary(${JSON.stringify(bin)});
    const at = b.symbols.find((x) => x.name === "t").addr;
    console.log(b.symbols.filter((x) => x.addr === at).map((x) => x.name).join(" "));
  });`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, LANG: lang, LC_ALL: lang } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("symbols at one address are listed in the same order under every locale", () => {
  requireMusl();
  const bin = buildC(SRC, ["-O1"], "name-order");
  const c = namesAtT(bin, "C.UTF-8");
  assert.deepEqual(c.split(" ").sort(), ["s", "t", "z"], c);
  assert.equal(namesAtT(bin, "et_EE.UTF-8"), c);
  assert.equal(c, "s t z");
});
