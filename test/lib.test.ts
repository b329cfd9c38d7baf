import fc from 'fast-check';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { canonicalJson, keyedHash } from '../src/lib/hash.js';
import { toScaled } from '../src/lib/money.js';
import { createRefreshing } from '../src/lib/refreshing.js';
import { daysInMonth, isoInstant, parseDate, parseInstant } from '../src/lib/time.js';
import { uuid7 } from '../src/lib/uuid7.js';
import { normaliseStatement } from '../src/db/statement-log.js';
import { z } from 'zod';

/**
 * toScaled, parseInstant and canonicalJson run hundreds of times per claim, so they were rewritten
 * for speed (bench/README.md). The straightforward versions they replaced are kept here as oracles:
 * the fast ones must answer exactly as they did, -0 and undefined included, for any input. A
 * content hash stored before the rewrite must still match, or a replay would become a conflict.
 */
const oracle = {
  toScaled(value: number | string, scale: number): number | undefined {
    const plain = (n: number) => (!Number.isFinite(n) ? undefined : /e/i.test(String(n)) ? undefined : String(n));
    const text = typeof value === 'number' ? plain(value) : value.trim();
    if (text === undefined || !/^-?\d{1,12}(\.\d{1,4})?$/.test(text)) return undefined;
    const negative = text.startsWith('-');
    const [whole = '0', frac = ''] = (negative ? text.slice(1) : text).split('.');
    if (frac.length > scale) return undefined;
    const scaled = Number(whole) * 10 ** scale + Number(frac.padEnd(scale, '0') || '0');
    if (!Number.isSafeInteger(scaled)) return undefined;
    return negative ? -scaled : scaled;
  },
  utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
    const d = new Date(Date.UTC(2000, monthIndex, day, hour, minute, second, ms));
    d.setUTCFullYear(year, monthIndex, day);
    return d.getTime();
  },
  daysInMonth: (year: number, month: number) => new Date(oracle.utc(year, month, 0)).getUTCDate(),
  canonicalJson(value: unknown): string {
    if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
    if (Array.isArray(value)) return `[${value.map(oracle.canonicalJson).join(',')}]`;
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${oracle.canonicalJson(v)}`).join(',')}}`;
  },
};

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const decimalText = fc.tuple(fc.constantFrom('', '-', '+', ' ', ' -'), digits(0, 14), fc.constantFrom('', '.', ','), digits(0, 6), fc.constantFrom('', ' ', 'x', '\n')).map((parts) => parts.join(''));
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e11, 999_999_999_999, 1e12, -1e12, 9_007_199_254_740_991, 1e21, 0.1 + 0.2, 12.3333, -0.5),
  fc.integer({ min: -1e6, max: 1e6 }).map((n) => n / 10_000),
);

describe('toScaled', () => {
  it('answers as the regex version did, for numbers and strings, at scales 0, 2 and 4', () => {
    fc.assert(
      fc.property(fc.oneof(number, decimalText, fc.string()), fc.constantFrom(0, 2, 4), (value, scale) => {
        expect(Object.is(toScaled(value, scale), oracle.toScaled(value, scale)), `${JSON.stringify(value)} at ${scale}`).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads the usual spellings', () => {
    expect(toScaled('12.3333', 4)).toBe(123_333);
    expect(toScaled(' 36.5 ', 2)).toBe(3650);
    expect(toScaled(45, 2)).toBe(4500);
    expect(Object.is(toScaled('-0.00', 2), -0)).toBe(true);
    expect(toScaled('1.005', 2)).toBeUndefined();
    expect(toScaled('1e3', 2)).toBeUndefined();
    expect(toScaled('999999999999.9999', 4)).toBeUndefined(); // beyond 2^53 once scaled
  });
});

describe('dates', () => {
  const instantText = fc
    .tuple(
      digits(4, 4),
      digits(1, 2),
      digits(1, 2),
      fc.constantFrom('T', ' ', 'x'),
      digits(2, 2),
      digits(2, 2),
      fc.constantFrom('', ':00', ':59', ':60', ':07.5', ':07.123456'),
      fc.constantFrom('', 'Z', '+08:00', '-0530', '+14:00', '+14:01', '+0860'),
    )
    .map(([y, mo, d, sep, h, mi, s, z]) => `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}${sep}${h}:${mi}${s}${z}`);

  it('daysInMonth counts as Date does, leap years, years 0–99 and months out of range included', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 10_000 }), fc.integer({ min: -2, max: 14 }), (year, month) => {
        expect(daysInMonth(year, month)).toBe(oracle.daysInMonth(year, month));
      }),
      { numRuns: 20_000 },
    );
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(0, 2)).toBe(29);
  });

  it('parseInstant and parseDate give the instants of the Date-based version', () => {
    fc.assert(
      fc.property(instantText, (text) => {
        const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?/.exec(text);
        const got = parseInstant(text);
        if (got === undefined || !m) return;
        const [, y, mo, d, h, mi, s = '0', f = '0'] = m;
        const zone = text.slice(m[0].length);
        const offset = zone === '' ? 480 : zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
        const expected = oracle.utc(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(f.padEnd(3, '0').slice(0, 3))) - offset * 60_000;
        expect(got).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
    expect(parseInstant('2024-02-29 10:00:00')).toBe(Date.parse('2024-02-29T02:00:00Z'));
    expect(parseInstant('2023-02-29 10:00:00')).toBeUndefined();
    expect(parseInstant('0050-03-14T00:00:00Z')).toBe(oracle.utc(50, 2, 14));
    expect(parseDate('0004-02-29')).toBe(oracle.utc(4, 1, 29) / 86_400_000);
    expect(parseDate('1900-02-29')).toBeUndefined();
  });

  it('isoInstant writes what toISOString writes, and throws where it throws', () => {
    const written = (ms: number) => {
      try {
        return new Date(ms).toISOString();
      } catch (err) {
        return `throws ${(err as Error).name}`;
      }
    };
    const ours = (ms: number) => {
      try {
        return isoInstant(ms);
      } catch (err) {
        return `throws ${(err as Error).name}`;
      }
    };
    const year0 = Date.UTC(2000, 0, 1) - 2000 * 365.2425 * 86_400_000;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: Math.round(year0) - 86_400_000, max: Date.UTC(10_000, 0, 2) }),
          fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }),
          fc.double({ noNaN: false }),
          fc.constantFrom(0, -1, 8.64e15, -8.64e15, 8.64e15 + 1, Date.UTC(10_000, 0, 1), Date.UTC(10_000, 0, 1) - 1, Date.UTC(2024, 1, 29, 23, 59, 59, 999)),
        ),
        (ms) => {
          expect(ours(ms)).toBe(written(ms));
        },
      ),
      { numRuns: 50_000 },
    );
    expect(isoInstant(Date.UTC(2024, 1, 29, 16, 5, 7, 9))).toBe('2024-02-29T16:05:07.009Z');
  });
});

describe('canonicalJson', () => {
  it('writes what the entries-and-sort version wrote, for any value', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true, withSparseArray: true, withDate: true }), (value) => {
        expect(canonicalJson(value)).toBe(oracle.canonicalJson(value));
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(oracle.canonicalJson(value));
      }),
      { numRuns: 5_000 },
    );
  });

  it('sorts keys at every depth and leaves out undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: '2' }, undefined], '10': true, '9': null })).toBe('{"10":true,"9":null,"a":[{"c":"2"},null],"b":1}');
  });
});

describe('keyedHash', () => {
  // the person's hash and the claim's content hash are stored: the one-shot version must give
  // createHmac's digest for every secret and value, or stored persons and replays would not match
  const hmac = (secret: string, value: string) => createHmac('sha256', secret).update(value).digest('base64url');
  it('is HMAC-SHA256 as createHmac computes it, for any secret and value', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ minLength: 1 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 200 })),
        fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.string()),
        (secret, value) => {
          expect(keyedHash(secret, value)).toBe(hmac(secret, value));
        },
      ),
      { numRuns: 2000 },
    );
  });
  it('keeps to createHmac for empty, long, lone-surrogate and alternating values and secrets', () => {
    const secrets = ['s', 'test-person-id-secret-0123456789abcdef', 'k'.repeat(64), 'k'.repeat(65), '密钥'.repeat(40)];
    const values = ['', '320102195803140012', '\ud800x\udfff', 'é☃😀', 'x'.repeat(5000), '南'.repeat(30_000), 'y'.repeat(300_000)];
    for (let round = 0; round < 2; round++) for (const secret of secrets) for (const value of values) expect(keyedHash(secret, value)).toBe(hmac(secret, value));
    expect(keyedHash('secret', 'a')).not.toBe(keyedHash('secret', 'b'));
  });
});

describe('createRefreshing', () => {
  const quiet = { warn: () => undefined } as unknown as Logger;
  /** a source whose version the probe reads and whose loads can be held open */
  function source() {
    const src = { version: 1, loads: 0, gate: undefined as Promise<void> | undefined };
    const load = async () => {
      src.loads++;
      const seen = src.version;
      await src.gate;
      return seen;
    };
    return { src, load, probe: async () => ({ v: src.version }) };
  }

  it('loads on start, then only when the probe changes, or when forced', async () => {
    const { src, load, probe } = source();
    const r = createRefreshing({ name: 'test', initial: 0, load, probe, refreshMs: 60_000, logger: quiet });
    expect(r.current()).toBe(0);
    await r.start();
    expect([r.current(), src.loads]).toEqual([1, 1]);
    await r.refresh();
    expect(src.loads).toBe(1);
    src.version = 2;
    await r.refresh();
    expect([r.current(), src.loads]).toEqual([2, 2]);
    await r.refresh(true);
    expect(src.loads).toBe(3);
    r.stop();
  });

  it('without a probe, every refresh loads; calls during a load share it', async () => {
    const { src, load } = source();
    const r = createRefreshing({ name: 'test', initial: 0, load, refreshMs: 60_000, logger: quiet });
    await r.refresh();
    await r.refresh();
    expect(src.loads).toBe(2);
    let open!: () => void;
    src.gate = new Promise((resolve) => (open = resolve));
    const both = Promise.all([r.refresh(), r.refresh()]);
    open();
    await both;
    expect(src.loads).toBe(3);
  });

  it('reloadNow loads after a load already running, so a write made during it is seen', async () => {
    const { src, load } = source();
    const r = createRefreshing({ name: 'test', initial: 0, load, refreshMs: 60_000, logger: quiet });
    let open!: () => void;
    src.gate = new Promise((resolve) => (open = resolve));
    const running = r.refresh();
    src.version = 5;
    const after = r.reloadNow();
    open();
    await Promise.all([running, after]);
    expect([r.current(), src.loads]).toEqual([5, 2]);
  });

  it('a failed refresh keeps the value loaded before and is logged by name', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_: unknown, message: string) => warnings.push(message) } as unknown as Logger;
    let fail = false;
    const r = createRefreshing({
      name: 'test data',
      initial: 'none',
      load: async () => {
        if (fail) throw new Error('down');
        return 'loaded';
      },
      refreshMs: 5,
      logger,
    });
    await r.start();
    fail = true;
    await expect(r.refresh()).rejects.toThrow('down');
    await new Promise((resolve) => setTimeout(resolve, 30));
    r.stop();
    expect(r.current()).toBe('loaded');
    expect(warnings.length).toBeGreaterThan(0);
    expect(new Set(warnings)).toEqual(new Set(['test data refresh failed']));
  });
});

describe('uuid7', () => {
  it('is an RFC 9562 version 7 UUID whose first 48 bits are the milliseconds given', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (ms) => {
        const id = uuid7(ms);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(ms);
        expect(z.uuid().safeParse(id).success).toBe(true);
      }),
    );
  });

  it('orders by time across milliseconds, and is unique within one', () => {
    const at = Date.UTC(2026, 11, 3, 12);
    const ids = Array.from({ length: 20_000 }, (_, i) => uuid7(at + Math.floor(i / 1000)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1000; i < ids.length; i += 1000) expect((ids[i - 1] as string) < (ids[i] as string)).toBe(true);
    // the random bits differ from one id to the next
    expect(new Set(ids.slice(0, 1000).map((id) => id.slice(15))).size).toBe(1000);
  });
});

describe('normaliseStatement (the SQL coverage check, scripts/sql-coverage.ts)', () => {
  it('folds whitespace, parameter numbers, repeated VALUES rows and month literals, and nothing else', () => {
    expect(normaliseStatement(`select *\n  from claims where service_month between '2026-10' and '2026-12' and id = $12`)).toBe(
      `select * from claims where service_month between 'YYYY-MM' and 'YYYY-MM' and id = $`,
    );
    expect(normaliseStatement(`insert into t (a, b) values ($1, $2), ($1, $2)`)).toBe(`insert into t (a, b) values ($, $)`);
    expect(normaliseStatement(`select '2026-10-01'::date, '202610'`)).toBe(`select '2026-10-01'::date, '202610'`);
  });
});
