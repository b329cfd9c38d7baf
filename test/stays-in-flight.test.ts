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
  const numbered = () => {
    let n = 0;
    return () => `id-${++n}`;
  };

  it('gives a stay the earlier stays not finished that are there at its midnight, and every id of the later ones', () => {
    const book = createStaysInFlight({ newId: numbered() });
    const [a, b, c] = ['A', 'B', 'C'].map((n) => book.accept(stay(n)));
    if (!a || !b || !c) throw new Error('stays are accepted');
    expect(book.accept({ ...stay('V'), visitType: 'outpatient' } as Claim)).toBeUndefined();
    // the later stays' ids are known from their acceptance, written or not: one committed before A's
    // read takes its snapshot is taken off A's count whichever connection carried it
    expect(book.around(stay('A'), a.seq)).toEqual({ pend: [], laterNo: ['B', 'C'], laterId: ['id-2', 'id-3'] });
    expect(book.around(stay('C'), c.seq)).toEqual({ pend: ['A', 'B'], laterNo: [], laterId: [] });
    c.writing(c.idFor(1));
    expect(book.around(stay('A'), a.seq)).toEqual({ pend: [], laterNo: ['B', 'C'], laterId: ['id-2', 'id-3'] });
    // without a place: every stay not finished is before it
    expect(book.around(stay('X'), undefined)?.pend).toEqual(['A', 'B', 'C']);
    // only stays there at that midnight: not one discharged before it, nor one admitted on or after its day
    const early = book.accept(stay('E', '2026-10-10', '2026-10-20'));
    const same = book.accept(stay('S', '2026-10-20', '2026-10-20'));
    const next = book.accept(stay('N', '2026-10-21', '2026-10-25'));
    expect(book.around(stay('Z'), undefined)?.pend).toEqual(['A', 'B', 'C']);
    // another institution's stays are not its
    expect(book.around(stay('Z', '2026-10-20', '2026-10-25', 'H2'), undefined)).toBeUndefined();
    for (const t of [early, same, next]) t?.end();
    expect(book.size()).toBe(3);
  });

  it('draws an id for each screening a stay may take, and lists each for the stays before it', () => {
    const book = createStaysInFlight({ newId: numbered() });
    const a = book.accept(stay('A'));
    const b = book.accept(stay('B'), 3);
    if (!a || !b) throw new Error('stays are accepted');
    expect([b.idFor(1), b.idFor(2), b.idFor(3)]).toEqual(['id-2', 'id-3', 'id-4']);
    expect(book.around(stay('A'), a.seq)).toEqual({ pend: [], laterNo: ['B', 'B', 'B'], laterId: ['id-2', 'id-3', 'id-4'] });
    // beyond them, one more drawn and listed from then on
    expect(b.idFor(4)).toBe('id-5');
    expect(book.around(stay('A'), a.seq)?.laterId).toEqual(['id-2', 'id-3', 'id-4', 'id-5']);
  });

  it('a stay of which no write was sent leaves at once; one written (stored or not known) once no earlier stay is still screened', () => {
    const book = createStaysInFlight({ newId: numbered() });
    const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((n) => book.accept(stay(n)));
    if (!a || !b || !c || !d) throw new Error('stays are accepted');
    b.end();
    expect(book.size()).toBe(3);
    expect(book.around(stay('C'), c.seq)?.pend).toEqual(['A']);
    c.writing(c.idFor(1));
    c.end();
    // D's write was sent and its outcome is not known here (a deadline, an error after sending): if
    // it committed, A must take it off its count, so it stays too
    d.writing(d.idFor(1));
    d.end();
    expect(book.size()).toBe(3);
    expect(book.around(stay('A'), a.seq)?.laterNo).toEqual(['C', 'D']);
    // finished stays are no earlier stay's pending ones
    expect(book.around(stay('Z'), undefined)?.pend).toEqual(['A']);
    a.end();
    expect(book.size()).toBe(0);
    // ending twice changes nothing
    a.end();
    expect(book.size()).toBe(0);
  });

  it('a stay writes once every stay accepted before it has read its census or finished', async () => {
    const book = createStaysInFlight({ newId: numbered() });
    const [a, b, c] = ['A', 'B', 'C'].map((n) => book.accept(stay(n)));
    const other = book.accept(stay('O', '2026-10-20', '2026-10-25', 'H2'));
    if (!a || !b || !c || !other) throw new Error('stays are accepted');
    const order: string[] = [];
    const cWrites = c.earlierRead().then(() => order.push('C may write'));
    const bWrites = b.earlierRead().then(() => order.push('B may write'));
    // another institution's stays do not wait for these
    await other.earlierRead().then(() => order.push('O may write'));
    a.read();
    await bWrites;
    expect(order).toEqual(['O may write', 'B may write']);
    // B ends without reading (refused): C no longer waits for it
    b.end();
    await cWrites;
    expect(order).toEqual(['O may write', 'B may write', 'C may write']);
    // the first stay waits for none
    await a.earlierRead();
  });

  it('a claim sent twice is added once; its own copies are never its', () => {
    const book = createStaysInFlight({ newId: numbered() });
    const first = book.accept(stay('A'));
    book.accept(stay('A'));
    const b = book.accept(stay('B'));
    expect(book.around(stay('B'), b?.seq)?.pend).toEqual(['A']);
    expect(book.around(stay('A'), first?.seq)).toEqual({ pend: [], laterNo: ['B'], laterId: ['id-3'] });
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
