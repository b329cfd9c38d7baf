import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from './support/http.js';
import { acceptedFilters } from '../src/reference/reference.query.js';
import { RECORD_KEYS } from '../src/reference/reference.rows.js';
import type { ReferenceKind } from '../src/reference/reference.schema.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

const put = (kind: string, records: unknown[], role: 'admin' | 'auditor' = 'admin') => svc.call(`/v1/reference/${kind}`, { method: 'PUT', role, json: { records } });
const get = async (kind: string, query: string) => json(await svc.call(`/v1/reference/${kind}?${query}`, { role: 'auditor' }));

const hospital = (over: Record<string, unknown> = {}) => ({
  institutionId: 'H32010200001',
  name: '南京市示例医院',
  type: 'hospital',
  level: 'secondary',
  ownership: 'public',
  area: '320102',
  beds: 300,
  designatedFrom: '2020-01-01',
  validFrom: '2025-01-01',
  validTo: '2025-12-31',
  ...over,
});

describe('institutions', () => {
  it('stores versions and answers, as of a date, the one valid then', async () => {
    const res = await put('institutions', [
      hospital(),
      hospital({ level: 'tertiary', beds: 800, validFrom: '2026-01-01', validTo: undefined }),
      hospital({ institutionId: 'C32010200009', type: 'clinic', level: 'primary', beds: 0, validFrom: '2024-01-01', validTo: undefined }),
    ]);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ upserted: 3 });

    const in2025 = await get('institutions', 'id=H32010200001&asOf=2025-06-30');
    expect(in2025).toEqual({ total: 1, records: [hospital()] });
    const in2026 = await get('institutions', 'id=H32010200001&asOf=2026-03-01');
    expect(in2026.records).toEqual([hospital({ level: 'tertiary', beds: 800, validFrom: '2026-01-01', validTo: undefined })]);
    expect(in2026.records[0]).not.toHaveProperty('validTo');

    const history = await get('institutions', 'id=H32010200001');
    expect(history.records.map((r: { validFrom: string }) => r.validFrom)).toEqual(['2025-01-01', '2026-01-01']);
    expect((await get('institutions', 'asOf=2023-12-31')).total).toBe(0);
  });

  it('pages in key order with the total of all matches', async () => {
    const page = await get('institutions', 'limit=1&offset=1');
    expect(page.total).toBe(3);
    expect(page.records).toHaveLength(1);
    expect(page.records[0].institutionId).toBe('H32010200001');
    expect(page.records[0].validFrom).toBe('2025-01-01');
  });

  it('makes a new version visible to screening at once', async () => {
    expect(svc.deps.referenceCache.view().institution('H32010200001', '2026-05-01')?.level).toBe('tertiary');
  });
});

describe('catalogue items, relations and stock', () => {
  const bed = { itemCode: '120100001', name: '床位费', category: 'bed', unit: '日', priceCeiling: { primary: 30, secondary: '45', tertiary: '60.5' }, validFrom: '2026-01-01' };

  it('stores prices as 4-place decimals and replaces a record with the same key', async () => {
    expect((await put('catalogue-items', [{ ...bed, restrictions: { careSettings: ['inpatient'], unitsPerDay: 1 } }])).status).toBe(200);
    expect((await put('catalogue-items', [{ ...bed, priceCeiling: { secondary: '48.00' } }])).status).toBe(200);
    const { records, total } = await get('catalogue-items', 'code=120100001&asOf=2026-10-01');
    expect(total).toBe(1);
    expect(records[0]).toEqual({ ...bed, priceCeiling: { secondary: '48.0000' }, restrictions: {} });
    expect(await get('catalogue-items', 'code=120100001&asOf=2025-12-31')).toEqual({ records: [], total: 0 });
    // the whole catalogue as of a day (asOf alone: statements of their own, its page and its count)
    const day = await get('catalogue-items', 'asOf=2026-10-01');
    expect(day.records.filter((r: { itemCode: string }) => r.itemCode === bed.itemCode)).toEqual([{ ...bed, priceCeiling: { secondary: '48.0000' }, restrictions: {} }]);
    expect(day.total).toBe(day.records.length);
    expect((await get('catalogue-items', 'asOf=2025-12-31')).records.filter((r: { itemCode: string }) => r.itemCode === bed.itemCode)).toEqual([]);
  });

  it('finds a relation by either of its codes', async () => {
    const includes = { kind: 'includes', mainCode: '330100001', subCode: '120400001', window: 'same_day', source: 'fund-2026', validFrom: '2026-01-01' };
    const pkg = { kind: 'package', mainCode: 'PKG01', subCode: '330100001', source: 'fund-2026', note: '日间手术包', validFrom: '2026-01-01', validTo: '2026-12-31' };
    expect(await json(await put('item-relations', [includes, pkg]))).toEqual({ upserted: 2 });
    expect((await get('item-relations', 'code=330100001&asOf=2026-06-01')).records).toEqual([includes, pkg]);
    expect((await get('item-relations', 'code=120400001')).records).toEqual([includes]);
    expect((await get('item-relations', 'code=330100001&asOf=2027-01-01')).records).toEqual([includes]);
    // as of a day alone, without a code: a statement of its own
    expect((await get('item-relations', 'asOf=2027-01-01')).records).toEqual([includes]);
  });

  it('keeps stock per institution, item and month', async () => {
    const stock = (month: string, opening: string | number) => ({ institutionId: 'P32010200003', itemCode: 'XJ01', month, openingQuantity: opening, purchasedQuantity: '120.5' });
    expect((await put('stock-records', [stock('2026-09', 10), stock('2026-10', '0')])).status).toBe(200);
    expect(await get('stock-records', 'id=P32010200003&month=2026-10')).toEqual({
      total: 1,
      records: [{ institutionId: 'P32010200003', itemCode: 'XJ01', month: '2026-10', openingQuantity: '0.0000', purchasedQuantity: '120.5000' }],
    });
    expect((await get('stock-records', 'code=XJ01')).records.map((r: { month: string }) => r.month)).toEqual(['2026-09', '2026-10']);
  });
});

describe('refusals', () => {
  it('names every failing field by its record index', async () => {
    const res = await put('institutions', [hospital(), hospital({ validTo: '2024-01-01', beds: -1 }), hospital({ institutionId: 'H2', level: 'quaternary' })]);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('invalid_request');
    const paths = body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['records[1].beds', 'records[1].validTo', 'records[2].level']));
    expect(paths.every((p: string) => /^records\[[12]\]\./.test(p))).toBe(true);
    expect((await get('institutions', 'id=H2')).total).toBe(0);
  });

  it('refuses an empty batch, a repeated key, and a filter the kind does not have', async () => {
    const empty = await json(await put('stock-records', []));
    expect(empty.error.details).toEqual([{ path: 'records', message: 'must hold at least one record' }]);
    const repeated = await json(await put('institutions', [hospital(), hospital({ beds: 1 })]));
    expect(repeated.error.details).toEqual([{ path: 'records[1]', message: 'has the same key as records[0]' }]);
    const badQuery = await svc.call('/v1/reference/stock-records?asOf=2026-01-01&limit=1001', { role: 'auditor' });
    expect(badQuery.status).toBe(400);
    const details: { path: string; message: string }[] = (await json(badQuery)).error.details;
    expect(details.map((d) => d.path)).toContain('limit');
    expect(details.some((d) => d.path === 'asOf' || d.message.includes('asOf'))).toBe(true);
  });

  it('lets only admin write and every role read', async () => {
    expect((await put('institutions', [hospital()], 'auditor')).status).toBe(403);
    for (const role of ['settlement', 'auditor', 'supervisor', 'admin'] as const) expect((await svc.call('/v1/reference/institutions', { role })).status).toBe(200);
    expect((await svc.call('/v1/reference/institutions', { role: null })).status).toBe(401);
  });
});

describe('every kind lists', () => {
  // One record of each kind the listing's SQL has not met above: its page and total, each filter
  // the kind has, and asOf where it is versioned (the same statements the other roles' reads run).
  it('what was put, by each filter it has, and nothing for a value no record has', async () => {
    const records: Record<string, Record<string, unknown>> = {
      'item-indications': { itemCode: 'IND01', allowed: ['K29'], validFrom: '2026-01-01' },
      'exam-recognition': { itemCode: 'EXM01', group: 'CT-HEAD', windowDays: 14, validFrom: '2026-01-01' },
      'service-scopes': { institutionId: 'H32010200001', categories: ['exam'], validFrom: '2026-01-01' },
      doctors: { doctorId: 'D0001', institutionId: 'H32010200001', outpatientPerDay: 60, validFrom: '2026-01-01' },
      'person-register': { personId: '320102199001011234', enrolledFrom: '2020-01-01', validFrom: '2026-01-01' },
    };
    for (const [kind, record] of Object.entries(records)) {
      const res = await put(kind, [record]);
      expect(res.status, `${kind}: ${await res.clone().text()}`).toBe(200);
      const all = await get(kind, 'limit=10');
      expect(all.total, kind).toBe(1);
      expect(all.records, kind).toHaveLength(1);
      expect((await get(kind, 'asOf=2026-06-01')).total, kind).toBe(1);
      expect((await get(kind, 'asOf=2025-06-01')).total, kind).toBe(0);
      const id = record.institutionId ?? record.itemCode;
      const filter = kind === 'person-register' ? undefined : 'itemCode' in record ? 'code' : 'id';
      if (filter) {
        expect((await get(kind, `${filter}=${String(id)}`)).records[0], kind).toMatchObject({ validFrom: '2026-01-01' });
        expect((await get(kind, `${filter}=NOPE&asOf=2026-06-01`)).total, kind).toBe(0);
        expect((await get(kind, `${filter}=NOPE`)).total, kind).toBe(0);
      }
    }
    for (const kind of ['catalogue-items', 'item-relations', 'stock-records', 'institutions']) expect((await get(kind, 'limit=1')).records.length, kind).toBeLessThanOrEqual(1);
  });

  // Every combination of a kind's filters and asOf is a statement of its own (its page and its
  // count): each runs here, on both engines, so none is met first by the endpoint fuzzer on
  // PostgreSQL alone (sql-coverage).
  it("answers every combination of a kind's filters and asOf, its total that of its page", async () => {
    // every kind the service lists, with the filters it accepts; asOf where its rows have versions
    const kinds = Object.keys(RECORD_KEYS) as ReferenceKind[];
    const value = (name: string) => (name === 'asOf' ? '2026-06-01' : name === 'month' ? '2099-01' : 'NOPE');
    for (const kind of kinds) {
      const versioned = (RECORD_KEYS[kind] as readonly string[]).includes('validFrom');
      const all = versioned ? [...acceptedFilters(kind), 'asOf'] : acceptedFilters(kind);
      for (let mask = 0; mask < 1 << all.length; mask++) {
        const query = all.filter((_, i) => mask & (1 << i)).map((f) => `${f}=${value(f)}`);
        const { records, total } = await get(kind, [...query, 'limit=1000'].join('&'));
        expect(total, `${kind}?${query.join('&')}`).toBe(records.length);
        // a filter no record matches leaves nothing
        if (query.some((q) => !q.startsWith('asOf='))) expect(total, `${kind}?${query.join('&')}`).toBe(0);
      }
    }
  });
});
