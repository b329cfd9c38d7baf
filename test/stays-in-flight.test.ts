import { describe, expect, it } from 'vitest';
import type { Claim } from '../rules/claim.js';
import { createStaysInFlight } from '../src/screening/stays-in-flight.js';

/**
 * The book of stays in flight (src/screening/stays-in-flight.ts), alone: which stays a census read
 * adds and takes off, and when a stay leaves the book. The counts it corrects, in the database, on
 * both engines: test/institution-window-storage.test.ts; through the service: test/rules/institution-window.test.ts.
 */
const DAY = 86_400_000;
const at = (date: string) => Date.parse(`${date}T10:00:00+08:00`);
const stay = (claimNo: string, admitted = '2026-10-20', discharged = '2026-10-25', institutionId = 'H1') =>
  ({ institutionId, claimNo, visitType: 'inpatient', startedAt: at(admitted), endedAt: at(discharged) }) as Claim;

describe('the book of stays in flight', () => {
  it('gives a stay the earlier stays not finished that are there at its midnight, and the later ones whose write was sent', () => {
    const book = createStaysInFlight();
    const [a, b, c] = ['A', 'B', 'C'].map((n) => book.accept(stay(n)));
    if (!a || !b || !c) throw new Error('stays are accepted');
    expect(book.accept({ ...stay('V'), visitType: 'outpatient' } as Claim)).toBeUndefined();
    expect(book.around(stay('A'), a.seq)).toBeUndefined();
    expect(book.around(stay('C'), c.seq)).toEqual({ pend: ['A', 'B'], laterNo: [], laterId: [] });
    c.writing('id-c');
    expect(book.around(stay('A'), a.seq)).toEqual({ pend: [], laterNo: ['C'], laterId: ['id-c'] });
    // without a place: every stay not finished is before it
    expect(book.around(stay('X'), undefined)?.pend).toEqual(['A', 'B', 'C']);
    // only stays there at that midnight: not one discharged before it, nor one admitted on or after its day
    const early = book.accept(stay('E', '2026-10-10', '2026-10-20'));
    const same = book.accept(stay('S', '2026-10-20', '2026-10-20'));
    const next = book.accept(stay('N', '2026-10-21', '2026-10-25'));
    expect(book.around(stay('Z'), undefined)?.pend).toEqual(['A', 'B', 'C']);
    // another institution's stays are not its
    expect(book.around(stay('Z', '2026-10-20', '2026-10-25', 'H2'), undefined)).toBeUndefined();
    for (const t of [early, same, next]) t?.end(false);
    expect(book.size()).toBe(3);
  });

  it('a stay that stored nothing leaves at once; a stored one once no earlier stay is still screened', () => {
    const book = createStaysInFlight();
    const [a, b, c] = ['A', 'B', 'C'].map((n) => book.accept(stay(n)));
    if (!a || !b || !c) throw new Error('stays are accepted');
    b.end(false);
    expect(book.size()).toBe(2);
    expect(book.around(stay('C'), c.seq)?.pend).toEqual(['A']);
    c.writing('id-c');
    c.end(true);
    // C stays for A, which must take it off its count while it is screened
    expect(book.size()).toBe(2);
    expect(book.around(stay('A'), a.seq)?.laterNo).toEqual(['C']);
    a.end(true);
    expect(book.size()).toBe(0);
    // ending twice changes nothing
    a.end(false);
    expect(book.size()).toBe(0);
  });

  it('a claim sent twice is added once; its own copies are never its', () => {
    const book = createStaysInFlight();
    const first = book.accept(stay('A'));
    book.accept(stay('A'));
    const b = book.accept(stay('B'));
    expect(book.around(stay('B'), b?.seq)?.pend).toEqual(['A']);
    expect(book.around(stay('A'), first?.seq)).toBeUndefined();
  });

  it('keeps at most `max` stays an institution, the oldest dropped first; a stay of more than 366 nights counts its first 366', () => {
    const book = createStaysInFlight({ max: 3 });
    for (const n of ['A', 'B', 'C', 'D']) book.accept(stay(n));
    expect(book.size()).toBe(3);
    expect(book.around(stay('Z'), undefined)?.pend).toEqual(['B', 'C', 'D']);
    const long = createStaysInFlight();
    long.accept(stay('L', '2025-10-01', '2026-12-01'));
    expect(long.around(stay('Z', '2026-10-01', '2026-10-05'), undefined)?.pend).toEqual(['L']);
    expect(long.around(stay('Z', '2026-10-02', '2026-10-05'), undefined)).toBeUndefined();
    expect(at('2026-10-02') - at('2025-10-01')).toBe(366 * DAY);
  });
});
