// The kernel's logo (kernel/logo-64x64.png, kernel/logo-32x32.png, which
// `uprobe-lab kernel install` copies into the kernelspec), drawn here in
// code: no external asset. A breakpoint on a listing: code lines on a dark
// tile, one of them hit by an orange int3 dot.
//
//   UPROBE_LAB_WRITE_LOGO=1 node --test dist/test/kernel/logo.test.js   # rewrites both files

import * as zlib from "node:zlib";

type Rgba = [number, number, number, number];

const TILE: Rgba = [0x1d, 0x35, 0x57, 255];
const LINE: Rgba = [0xd8, 0xe2, 0xee, 255];
const HIT: Rgba = [0xf7, 0x7f, 0x00, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

/** The colour at (x, y) of a size x size logo, drawn on a 64-unit grid. */
function pixel(x: number, y: number, size: number): Rgba {
  const u = 64 / size;
  const cx = (x + 0.5) * u;
  const cy = (y + 0.5) * u;
  // the tile: a square with rounded corners (radius 10)
  const r = 10;
  const dx = Math.max(r - cx, cx - (64 - r), 0);
  const dy = Math.max(r - cy, cy - (64 - r), 0);
  if (dx * dx + dy * dy > r * r) return CLEAR;
  // the probe's dot, left of the third line
  if ((cx - 15) ** 2 + (cy - 32) ** 2 <= 36) return HIT;
  // five code lines of different lengths
  const lines: [number, number][] = [[16, 40], [24, 46], [32, 34], [40, 44], [48, 30]];
  for (const [ly, len] of lines) if (Math.abs(cy - ly) <= 2 && cx >= 24 && cx <= 24 + len - 14) return LINE;
  return TILE;
}

/** The raw scanlines (filter byte 0, then RGBA) of a size x size logo. */
export function logoPixels(size: number): Buffer {
  const row = 1 + size * 4;
  const raw = Buffer.alloc(row * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) raw.set(pixel(x, y, size), y * row + 1 + x * 4);
  }
  return raw;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** The logo as a PNG file (8-bit RGBA). */
export function logoPng(size: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(logoPixels(size), { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}

/** Width, height and raw scanlines of a PNG this file wrote (one IDAT). */
export function readPng(png: Buffer): { width: number; height: number; pixels: Buffer } {
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    if (png.readUInt32BE(at + 8 + len) !== crc32(png.subarray(at + 4, at + 8 + len))) throw new Error(`bad CRC in ${type}`);
    if (type === "IHDR") [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    if (type === "IDAT") idat.push(data);
    at += 12 + len;
  }
  return { width, height, pixels: zlib.inflateSync(Buffer.concat(idat)) };
}
