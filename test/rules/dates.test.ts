import { describe, expect, it } from 'vitest';
import { cstDate, cstMonth } from '../../rules/dates.js';

const byDate = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

describe('cstDate: the CST calendar date of an instant without a Date', () => {
  it('agrees with toISOString at CST midnights, leap days, month and year ends, and far dates', () => {
    const instants = [
      Date.parse('2026-10-04T15:59:59.999Z'),
      Date.parse('2026-10-04T16:00:00.000Z'),
      Date.parse('2024-02-28T16:00:00Z'),
      Date.parse('2100-02-28T16:00:00Z'),
      Date.parse('2000-02-29T03:00:00Z'),
      Date.parse('1999-12-31T16:00:00Z'),
      Date.parse('1969-12-31T15:00:00Z'),
      Date.parse('1900-03-01T00:00:00Z'),
      Date.parse('0999-12-31T12:00:00Z'),
      Date.parse('9999-12-31T15:59:59Z'),
    ];
    for (let d = -40_000; d < 60_000; d += 7) instants.push(d * 86_400_000 + ((d * 7919) % 86_400_000));
    for (const ms of instants) expect(cstDate(ms), String(ms)).toBe(byDate(ms));
    expect(cstMonth(Date.parse('2026-10-31T16:00:00Z'))).toBe('2026-11');
  });

  it('throws on an instant that is no date, as toISOString does', () => {
    expect(() => cstDate(Number.NaN)).toThrow(RangeError);
  });
});
