import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/**
 * A time-ordered UUID (RFC 9562 version 7, the `uuid` package): the first 48 bits are the Unix time
 * in milliseconds, the rest a counter and random bits. The ids the intake gives claims, findings and
 * references, so each month's new rows go to the right end of the primary-key indexes instead of a
 * random leaf page each (bench/README.md: fewer pages written whole after a checkpoint, less WAL a
 * claim). An id then says when it was made, to the millisecond: no more than the claim's answer
 * says (screenedAt).
 *
 * The random bits come from the system's CSPRNG as the package's own would, drawn 4 KB at a time
 * rather than 16 bytes a call (one `getRandomValues` call an id was ~1 % of a claim's CPU).
 */
export const uuid7 = (now: number = Date.now()): string => v7({ msecs: now, random: random16() });

const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let next = POOL_BYTES;
function random16(): Uint8Array {
  if (next >= POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  const bytes = pool.subarray(next, next + 16);
  next += 16;
  return bytes;
}
