// Writes the extension's toolbar icons (extension/public/icon/<size>.png): a padlock on a blue
// rounded square, drawn per pixel with 4x4 supersampling and encoded as PNG with node:zlib.
// Run once after changing the drawing; the PNGs are committed.
import { writeFileSync, mkdirSync } from "node:fs";
import { deflateSync } from "node:zlib";

const SIZES = [16, 32, 48, 128];
const OUT = new URL("../public/icon/", import.meta.url);
const BLUE = [29, 78, 216];
const WHITE = [255, 255, 255];

/** Which colour the point (x, y) in the unit square has, or null for transparent. */
function colourAt(x, y) {
  const r = 0.18;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return null; // outside the rounded square
  const inBody = x >= 0.27 && x <= 0.73 && y >= 0.46 && y <= 0.8;
  const keyhole = (x - 0.5) ** 2 + (y - 0.6) ** 2 < 0.055 ** 2 || (Math.abs(x - 0.5) < 0.025 && y > 0.6 && y < 0.71);
  const d = Math.hypot(x - 0.5, y - 0.46);
  const shackle = y <= 0.46 && d >= 0.12 && d <= 0.19;
  const shackleLegs = y > 0.4 && y < 0.47 && ((x >= 0.31 && x <= 0.38) || (x >= 0.62 && x <= 0.69));
  if ((inBody && !keyhole) || shackle || shackleLegs) return WHITE;
  return BLUE;
}

function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

function drawPng(size) {
  const SS = 4;
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const colour = colourAt((px + (sx + 0.5) / SS) / size, (py + (sy + 0.5) / SS) / size);
          if (!colour) continue;
          r += colour[0]; g += colour[1]; b += colour[2]; a += 1;
        }
      }
      const o = 1 + px * 4;
      if (a > 0) row.set([Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((255 * a) / (SS * SS))], o);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

mkdirSync(OUT, { recursive: true });
for (const size of SIZES) writeFileSync(new URL(`${size}.png`, OUT), drawPng(size));
console.log(`wrote ${SIZES.map((s) => `${s}.png`).join(", ")} to ${OUT.pathname}`);
