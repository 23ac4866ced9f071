// The committed logos are the ones test/kernel/logo.ts draws (compared by
// pixels: zlib's bytes may differ between Node versions), and the
// kernelspec gets both.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { installKernelSpec } from "../../kernel/install.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { logoPixels, logoPng, readPng } from "./logo.js";
import { tmpDir } from "./helpers.js";

const SIZES = [64, 32];
const file = (size: number): string => path.join(PROJECT_ROOT, "kernel", `logo-${size}x${size}.png`);

if (process.env.UPROBE_LAB_WRITE_LOGO === "1") for (const s of SIZES) fs.writeFileSync(file(s), logoPng(s));

test("kernel logos: 64x64 and 32x32 PNGs, as drawn by test/kernel/logo.ts", () => {
  for (const size of SIZES) {
    const png = fs.readFileSync(file(size));
    assert.ok(png.length < 4096, `${file(size)} is small`);
    const { width, height, pixels } = readPng(png);
    assert.deepEqual([width, height], [size, size]);
    assert.ok(pixels.equals(logoPixels(size)), `${file(size)} is what logo.ts draws (UPROBE_LAB_WRITE_LOGO=1 rewrites it)`);
  }
});

test("kernel install copies both logos into the kernelspec", () => {
  const prefix = tmpDir("logo");
  try {
    const dir = installKernelSpec({ prefix });
    for (const size of SIZES) assert.ok(fs.readFileSync(path.join(dir, `logo-${size}x${size}.png`)).equals(fs.readFileSync(file(size))));
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
  }
});
