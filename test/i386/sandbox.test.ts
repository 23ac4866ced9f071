// The sandbox, the limits, determinism and the virtual clock hold for 32-bit guests as for
// 64-bit ones (issue 13): no host file it was not given, no network, --max-insns and --max-mem
// stop it with status 124, and two runs are byte-identical, virtual time included.

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { runCli } from "../helpers.js";
import { buildI386, requireI386Tools } from "./helpers.js";

const SRC = path.join(PROJECT_ROOT, "test", "i386", "programs", "sandbox.c");

describe("i386 guests: sandbox, limits, determinism", () => {
  requireI386Tools();
  for (const flags of [["-static", "-O2"], ["-O0"]]) {
    const bin = (): string => buildI386(SRC, flags, `sandbox-m32${flags.join("")}`);
    test(`host files and sockets are refused, -m32 ${flags.join(" ")}`, () => {
      const r = runCli(["exec", bin(), "files"]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^open \/etc\/passwd: -1 No such file or directory$/m);
      assert.match(r.stdout, /^socket: -1 /m);
      assert.doesNotMatch(r.stdout, /socket: \d+ created/);
    });
    test(`two runs are byte-identical, virtual clock and --stats included, -m32 ${flags.join(" ")}`, () => {
      const a = runCli(["exec", "--stats", bin(), "files"]);
      const b = runCli(["exec", "--stats", bin(), "files"]);
      assert.equal(a.stdout, b.stdout);
      const noHost = (s: string): string => s.replace(/"(host_ms|guest_instr_per_sec)":[0-9.e+]+/g, "").replace(/"startup_to_main":\{[^}]*\}/, "");
      assert.equal(noHost(a.stderr), noHost(b.stderr));
      assert.match(a.stdout, /^monotonic \d+\.\d{9}$/m);
    });
    test(`--max-insns stops a spinning guest with status 124, -m32 ${flags.join(" ")}`, () => {
      const r = runCli(["exec", "--max-insns", "200000", bin(), "spin"]);
      assert.equal(r.status, 124, r.stderr);
      assert.match(r.stderr, /instruction limit/);
    });
    test(`--max-mem stops a growing guest, -m32 ${flags.join(" ")}`, () => {
      const r = runCli(["exec", "--max-mem", "16M", bin(), "grow"]);
      assert.ok(r.status === 124 || (r.status === 1 && r.stdout.includes("malloc failed")), `status ${r.status}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error/);
    });
  }
});
