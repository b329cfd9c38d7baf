import { randomFillSync } from 'node:crypto';

/**
 * A time-ordered UUID (RFC 9562 version 7): the first 48 bits are the Unix time in milliseconds,
 * the other 74 free bits random. The ids the intake gives claims, findings and references, so
 * each month's new rows go to the right end of the primary-key indexes instead of a random leaf
 * page each (bench/README.md: fewer pages written whole after a checkpoint, less WAL a claim, and
 * as the indexes outgrow memory, no random read of a leaf page per insert). An id then says when
 * it was made, to the millisecond: no more than the claim's answer says (screenedAt).
 */
const POOL = 16 * 256;
const pool = Buffer.alloc(POOL);
let offset = POOL;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function uuid7(now: number = Date.now()): string {
  if (offset === POOL) {
    randomFillSync(pool);
    offset = 0;
  }
  const o = offset;
  offset += 16;
  const p = pool;
  // 48-bit big-endian milliseconds, then the version (7) and the variant (10) over random bits
  const high = Math.floor(now / 0x1_0000_0000);
  const low = now >>> 0;
  return (
    HEX[(high >>> 8) & 0xff]! +
    HEX[high & 0xff]! +
    HEX[low >>> 24]! +
    HEX[(low >>> 16) & 0xff]! +
    '-' +
    HEX[(low >>> 8) & 0xff]! +
    HEX[low & 0xff]! +
    '-' +
    HEX[0x70 | (p[o + 6]! & 0x0f)]! +
    HEX[p[o + 7]!]! +
    '-' +
    HEX[0x80 | (p[o + 8]! & 0x3f)]! +
    HEX[p[o + 9]!]! +
    '-' +
    HEX[p[o + 10]!]! +
    HEX[p[o + 11]!]! +
    HEX[p[o + 12]!]! +
    HEX[p[o + 13]!]! +
    HEX[p[o + 14]!]! +
    HEX[p[o + 15]!]!
  );
}
