import { describe, expect, it } from 'vitest';
import { ClaimFacts } from '../../rules/facts.js';
import { claim } from '../../rules/fixtures/build.js';
import type { CatalogueItemRef, InstitutionRef, ReferenceView, StockRef } from '../../rules/reference.js';
import { emptyReference } from '../../rules/reference.js';
import { emptySnapshot, snapshotView } from '../../src/screening/reference-cache.js';
import { VersionedIndex } from '../../src/screening/versioned.js';

const item = (itemCode: string, name: string): CatalogueItemRef => ({ itemCode, name, category: 'drug', unit: '盒', priceCeiling: {}, restrictions: {} });
const inst = (designatedFrom: string): InstitutionRef => ({
  institutionId: 'H1',
  name: 'h',
  type: 'hospital',
  level: 'secondary',
  ownership: 'public',
  area: 'A',
  beds: 10,
  designatedFrom,
});

describe('ClaimFacts: what rules share of a claim, computed once', () => {
  const c = claim({
    claimNo: 'C2',
    lines: [
      { itemCode: 'A', at: '2026-10-04 09:00' },
      { itemCode: 'X', at: '2026-10-04 10:00' },
      { itemCode: 'A', at: '2026-10-05 10:00' },
    ],
  });
  const calls: string[] = [];
  const reference: ReferenceView = {
    ...emptyReference,
    item: (code, date) => (calls.push(`item ${code} ${date}`), code === 'A' ? item('A', `a on ${date}`) : undefined),
    institution: (id, date) => (calls.push(`institution ${id} ${date}`), inst(date)),
  };

  it('gives each line the item the view gives for its code and date, in line order, looked up once', () => {
    const facts = new ClaimFacts(c, [], reference);
    expect(facts.items.map((i) => i?.name)).toEqual(['a on 2026-10-04', undefined, 'a on 2026-10-05']);
    expect(facts.items).toBe(facts.items);
    expect(calls.filter((x) => x.startsWith('item'))).toEqual(['item A 2026-10-04', 'item X 2026-10-04', 'item A 2026-10-05']);
  });

  it('gives the institution on each date the view gives', () => {
    const facts = new ClaimFacts(c, [], reference);
    expect(facts.institution('2026-10-04')?.designatedFrom).toBe('2026-10-04');
    expect(facts.institution('2026-10-05')?.designatedFrom).toBe('2026-10-05');
    expect(facts.institution('2026-10-04')?.designatedFrom).toBe('2026-10-04');
  });

  it('leaves the claim itself out of the person’s other claims', () => {
    const again = claim({ claimNo: 'C2', lines: [{ itemCode: 'A', at: '2026-10-04 09:00' }] });
    const other = claim({ claimNo: 'C1', lines: [{ itemCode: 'A', at: '2026-10-03 09:00' }] });
    const elsewhere = claim({ institutionId: 'H9', claimNo: 'C2', lines: [{ itemCode: 'A', at: '2026-10-03 09:00' }] });
    expect(new ClaimFacts(c, [other, again, elsewhere], reference).others).toEqual([other, elsewhere]);
  });
});

describe('VersionedIndex.allAt', () => {
  it('answers with every record valid on the date, the same whether the versions end or not', () => {
    const open = new VersionedIndex<string>();
    open.add('k', { validFrom: '2026-01-01', record: 'old' });
    open.add('k', { validFrom: '2026-06-01', record: 'new' });
    open.seal();
    expect(open.allAt('k', '2025-12-31')).toEqual([]);
    expect(open.allAt('k', '2026-03-01')).toEqual(['old']);
    expect(open.allAt('k', '2026-06-01')).toEqual(['new', 'old']);
    expect(open.allAt('k', '2027-01-01')).toBe(open.allAt('k', '2028-01-01'));
    expect(open.allAt('none', '2027-01-01')).toEqual([]);

    const ending = new VersionedIndex<string>();
    ending.add('k', { validFrom: '2026-01-01', validTo: '2026-12-31', record: 'old' });
    ending.add('k', { validFrom: '2026-06-01', record: 'new' });
    ending.seal();
    expect(ending.allAt('k', '2026-07-01')).toEqual(['new', 'old']);
    expect(ending.allAt('k', '2027-01-01')).toEqual(['new']);
  });

  it('counts a version added after sealing', () => {
    const index = new VersionedIndex<string>();
    index.add('k', { validFrom: '2026-01-01', record: 'a' });
    index.seal();
    expect(index.allAt('k', '2026-02-01')).toEqual(['a']);
    index.add('k', { validFrom: '2026-01-15', validTo: '2026-01-20', record: 'b' });
    expect(index.allAt('k', '2026-02-01')).toEqual(['a']);
    expect(index.allAt('k', '2026-01-16')).toEqual(['a', 'b']);
  });
});

describe('ClaimFacts: lines by item and day, stock, restrictions, relations', () => {
  const c = claim({
    institutionId: 'H1',
    lines: [
      { itemCode: 'A', at: '2026-10-04 09:00', quantity: 20_000 },
      { itemCode: 'B', at: '2026-10-04 09:30' },
      { itemCode: 'A', at: '2026-10-04 11:00', quantity: -10_000 },
      { itemCode: 'A', at: '2026-11-01 08:00' },
      { itemCode: 'B', at: '2026-10-04 12:00' },
    ],
  });
  const stockCalls: string[] = [];
  const reference: ReferenceView = {
    ...emptyReference,
    item: (code) => (code === 'A' ? { ...item('A', 'a'), restrictions: { unitsPerDay: 1 } } : code === 'B' ? item('B', 'b') : undefined),
    stock: (id, code, month) => (stockCalls.push(`${id} ${code} ${month}`), code === 'A' && month === '2026-11' ? { openingQuantity: 1, purchasedQuantity: 2 } : undefined),
    relationsOfMain: (code) => (code === 'B' ? [{ kind: 'includes', mainCode: 'B', subCode: 'A', source: 't' }] : []),
  };

  it('groups the lines by item and date in the order of each group’s first line, summing positive quantities', () => {
    const groups = new ClaimFacts(c, [], reference).codeDays;
    expect(groups.map((g) => [g.code, g.date, g.index, g.lines.map((l) => l.lineId), g.quantity])).toEqual([
      ['A', '2026-10-04', 0, ['L1', 'L3'], 20_000],
      ['B', '2026-10-04', 1, ['L2', 'L5'], 20_000],
      ['A', '2026-11-01', 3, ['L4'], 10_000],
    ]);
  });

  it('gives each line its stock record of its month, and none at all when no line has one', () => {
    const stocks = new ClaimFacts(c, [], reference).stocks;
    expect(stocks?.map((s) => s?.purchasedQuantity)).toEqual([undefined, undefined, undefined, 2, undefined]);
    expect(stockCalls).toContain('H1 A 2026-11');
    expect(new ClaimFacts(c, [], { ...reference, stock: () => undefined }).stocks).toBeUndefined();
  });

  it('knows which restrictions the items set, and whether a line is the main item of a relation kind', () => {
    const facts = new ClaimFacts(c, [], reference);
    expect(facts.restricts('unitsPerDay')).toBe(true);
    expect(facts.restricts('timesPerCycle')).toBe(false);
    expect(facts.hasMainOf('includes')).toBe(true);
    expect(facts.hasMainOf('package')).toBe(false);
    expect(facts.month).toBe('2026-10');
  });

  it('gives each line the relations of a kind its code is the main item of, one lookup for consecutive lines of one item and day', () => {
    const calls: string[] = [];
    const facts = new ClaimFacts(c, [], {
      ...reference,
      relationsOfMain: (code, date) => (
        calls.push(`${code} ${date}`),
        code === 'B'
          ? [
              { kind: 'includes', mainCode: 'B', subCode: 'A', source: 't' },
              { kind: 'package', mainCode: 'B', subCode: 'A', source: 't' },
              { kind: 'includes', mainCode: 'B', subCode: 'B', source: 't' },
            ]
          : []
      ),
    });
    expect(facts.mainRelations('includes').map((rs) => rs.map((r) => `${r.kind} ${r.subCode}`))).toEqual([[], ['includes A'], [], [], ['includes A']]);
    expect(facts.mainRelations('package').map((rs) => rs.map((r) => `${r.kind} ${r.subCode}`))).toEqual([[], ['package A'], [], [], ['package A']]);
    expect(facts.mainRelations('includes')).toBe(facts.mainRelations('includes'));
    const twice = claim({
      lines: [
        { itemCode: 'B', at: '2026-10-04 09:00' },
        { itemCode: 'B', at: '2026-10-04 10:00' },
      ],
    });
    calls.length = 0;
    new ClaimFacts(twice, [], { ...reference, relationsOfMain: (code, date) => (calls.push(`${code} ${date}`), []) }).mainRelations('includes');
    expect(calls).toEqual(['B 2026-10-04']);
  });
});

describe('the reference view’s stock and purchase prices, keyed institution|item|month', () => {
  const rec = (openingQuantity: number, purchasePrice?: number): StockRef => ({ openingQuantity, purchasedQuantity: 0, purchasePrice });
  const stock = new Map<string, StockRef>([
    ['H1|A|2026-10', rec(1, 100)],
    ['H1|B|2026-10', rec(2)],
    ['H1|A|2026-11', rec(3)],
    ['H12|A|2026-10', rec(4)],
    ['H1|A|2026-101', rec(5)],
    ['H1|A|B|2026-10', rec(6)],
    ...Array.from({ length: 20 }, (_, k) => [`H1|C${k}|2026-10`, rec(100 + k)] as [string, StockRef]),
  ]);
  const prices = new Map([
    ['H1|B|2026-11', 700],
    ['H1|A|2026-11', 800],
  ]);

  it('finds each record by its institution, item and month, whichever order and months are asked for', () => {
    const view = snapshotView(emptySnapshot(), stock, undefined, prices);
    const asks: [string, string, string, number | undefined][] = [
      ['H1', 'A', '2026-10', 1],
      ['H1', 'A', '2026-11', 3],
      ['H1', 'B', '2026-10', 2],
      ['H1', 'B', '2026-11', undefined],
      ['H12', 'A', '2026-10', 4],
      ['H1', 'A|B', '2026-10', 6],
      ['H1', 'A', '2026-10', 1],
      ['H1', 'C7', '2026-10', 107],
      ['H1', 'A', '2026-1', undefined],
      ['H', 'A', '2026-10', undefined],
      ['H2', 'A', '2026-10', undefined],
      ['H1', 'A', '2026-12', undefined],
    ];
    for (const [id, code, month, opening] of asks) expect(view.stock(id, code, month)?.openingQuantity, `${id} ${code} ${month}`).toBe(opening);
    // every key as a key string would find it
    for (const [key, value] of stock) {
      const [id, month] = [key.slice(0, key.indexOf('|')), key.slice(key.lastIndexOf('|') + 1)];
      expect(view.stock(id, key.slice(id.length + 1, key.length - month.length - 1), month), key).toBe(value);
    }
  });

  it('gives the purchase price of the stock record, else of the prices read for the claim’s last month', () => {
    const view = snapshotView(emptySnapshot(), stock, undefined, prices);
    expect(view.purchasePrice('H1', 'A', '2026-10')).toBe(100);
    expect(view.purchasePrice('H1', 'B', '2026-10')).toBeUndefined();
    expect(view.purchasePrice('H1', 'B', '2026-11')).toBe(700);
    expect(view.purchasePrice('H1', 'A', '2026-11')).toBe(800);
    expect(view.purchasePrice('H2', 'B', '2026-11')).toBeUndefined();
    const none = snapshotView(emptySnapshot());
    expect(none.stock('H1', 'A', '2026-10')).toBeUndefined();
    expect(none.purchasePrice('H1', 'A', '2026-10')).toBeUndefined();
  });
});
