import { createHmac, hash } from 'node:crypto';

/**
 * The insured person's id is personal data: it is stored and indexed only as a keyed hash, so a
 * person's claims still link in history, but the id cannot be recovered or confirmed by hashing
 * guesses without the secret.
 */
export function keyedHash(secret: string, value: string): string {
  // HMAC-SHA256 (RFC 2104) as two one-shot hashes over the secret's pads, computed once a secret:
  // a claim hashes twice (its person, its content) and `createHmac` builds a native Hmac object and
  // a key from the secret every time, which cost more than hashing the ~3 KB of the claim. Equal
  // to createHmac's digest for every input (test/lib.test.ts).
  const max = BLOCK + value.length * 3;
  if (max > SCRATCH_MAX) return createHmac('sha256', secret).update(value).digest('base64url');
  const p = padsOf(secret);
  if (scratch.length < max) scratch = Buffer.allocUnsafe(Math.max(max, 2 * scratch.length));
  p.inner.copy(scratch, 0);
  const n = scratch.write(value, BLOCK, 'utf8');
  hash('sha256', scratch.subarray(0, BLOCK + n), 'buffer').copy(p.outer, BLOCK);
  return hash('sha256', p.outer, 'base64url');
}

const BLOCK = 64;
/** values longer than this (in UTF-8, at most 3 bytes a UTF-16 unit) take createHmac */
const SCRATCH_MAX = 256 * 1024;
let scratch: Buffer = Buffer.allocUnsafe(8 * 1024);
/** per secret: its inner pad, and its outer pad followed by room for the inner digest */
const pads = new Map<string, { inner: Buffer; outer: Buffer }>();
function padsOf(secret: string) {
  let p = pads.get(secret);
  if (p) return p;
  let key: Buffer = Buffer.from(secret, 'utf8');
  if (key.length > BLOCK) key = hash('sha256', key, 'buffer');
  const inner = Buffer.alloc(BLOCK, 0x36);
  const outer = Buffer.alloc(BLOCK + 32, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i] = (inner[i] as number) ^ (key[i] as number);
    outer[i] = (outer[i] as number) ^ (key[i] as number);
  }
  if (pads.size >= 16) pads.clear();
  pads.set(secret, (p = { inner, outer }));
  return p;
}

/** crypto.hash, one call without a Hash object (Node ≥ 20.12): half the cost of createHash for an API key. */
export function sha256(value: string): string {
  return hash('sha256', value, 'base64url');
}

/** JSON with object keys sorted, so equal content hashes equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  // A copy with its keys inserted in sorted order, written by one native JSON.stringify, is 2 to 3
  // times faster than writing each key and value. Values JSON.stringify would write differently
  // (functions, symbols, sparse arrays, keys an object orders as integers) take the slow path.
  const copy = sortedCopy(value);
  if (copy !== UNSORTABLE) return JSON.stringify(copy) ?? 'null';
  return canonicalJsonSlow(value);
}

function canonicalJsonSlow(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJsonSlow).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJsonSlow(v)}`).join(',')}}`;
}

const UNSORTABLE = Symbol('unsortable');
const INTEGER_KEY = /^(0|[1-9][0-9]*)$/;

function sortedCopy(value: unknown): unknown {
  if (value === null) return null;
  const type = typeof value;
  if (type !== 'object') return type === 'function' || type === 'symbol' || type === 'bigint' ? UNSORTABLE : value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return UNSORTABLE;
      const v = sortedCopy(value[i]);
      if (v === UNSORTABLE) return UNSORTABLE;
      out[i] = v;
    }
    return out;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k === '__proto__' || INTEGER_KEY.test(k)) return UNSORTABLE;
    const v = sortedCopy(object[k]);
    if (v === UNSORTABLE) return UNSORTABLE;
    if (v !== undefined) out[k] = v;
  }
  return out;
}
