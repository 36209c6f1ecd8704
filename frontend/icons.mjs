// The app icon, drawn in code (no image files to keep in git): a white speech bubble with a
// tick on the brand blue. PNG written with node:zlib; maskable icons keep the safe zone.
import { deflateSync } from 'node:zlib';

const BLUE = [11, 107, 203];
const WHITE = [255, 255, 255];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Coverage (0-1) of the bubble-and-tick shape at a point in unit coordinates. */
function shape(x, y) {
  const inBubble = ((x - 0.5) / 0.34) ** 2 + ((y - 0.46) / 0.27) ** 2 <= 1;
  const inTail = y > 0.62 && y < 0.82 && x > 0.3 && x < 0.46 && x - 0.3 < (0.82 - y) * 0.8;
  if (!inBubble && !inTail) return 0;
  // the tick: two thick strokes, cut out of the bubble
  const d1 = distanceToSegment(x, y, 0.36, 0.47, 0.46, 0.56);
  const d2 = distanceToSegment(x, y, 0.46, 0.56, 0.65, 0.36);
  return Math.min(d1, d2) < 0.045 ? 2 : 1;
}

function distanceToSegment(px, py, ax, ay, bx, by) {
  const t = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
}

export function pngIcon(size, maskable) {
  const scale = maskable ? 0.8 : 1; // maskable icons keep content inside the 80 % safe zone
  const radius = maskable ? 0 : size * 0.2;
  const rows = [];
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x += 1) {
      const inCorner = radius && Math.hypot(Math.max(0, Math.abs(x + 0.5 - size / 2) - (size / 2 - radius)), Math.max(0, Math.abs(y + 0.5 - size / 2) - (size / 2 - radius))) > radius;
      const ux = ((x + 0.5) / size - 0.5) / scale + 0.5;
      const uy = ((y + 0.5) / size - 0.5) / scale + 0.5;
      const coverage = shape(ux, uy);
      const color = coverage === 1 ? WHITE : BLUE;
      row.set([...color, inCorner ? 0 : 255], 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function svgIcon() {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
<rect width="100" height="100" rx="20" fill="#0b6bcb"/>
<path d="M50 19c-19 0-34 12-34 27 0 9 5 16 13 21l1 15 14-12h6c19 0 34-12 34-27S69 19 50 19z" fill="#fff"/>
<path d="M36 47l10 9 19-20" fill="none" stroke="#0b6bcb" stroke-width="9" stroke-linecap="round" stroke-linejoin="round"/>
</svg>
`;
}
