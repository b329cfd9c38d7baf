import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

/** Inspection draws over real HTTP and a real database: draw, verify, record, conclude, publish. */
let svc: TestService;
const person: Record<string, string> = {};
const INSPECTORS = ['Chen Jie', 'Li Na', 'Wang Fang', 'Zhao Lei'];

beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, {
    institutions: [
      ...Array.from({ length: 11 }, (_, i) => ({ id: `H3201${String(i + 1).padStart(2, '0')}` })),
      { id: 'H320199', designatedTo: '2026-11-30' }, // no longer designated in the audit weeks
      { id: 'P320101', type: 'pharmacy' },
    ],
  });
  for (const name of INSPECTORS) person[name] = (await svc.deps.keys.create({ clientName: name, role: 'auditor', createdBy: 'test' })).key;
});
afterAll(async () => {
  await svc?.close();
});

const as = (name: string, path: string, init: RequestInit & { json?: unknown } = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${person[name]}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${svc.url}${path}`, { ...init, headers, ...(init.json !== undefined ? { method: init.method ?? 'POST', body: JSON.stringify(init.json) } : {}) });
};

const q4 = { kind: 'audit-weeks', quarter: '2026-Q4', count: 4, inspectors: INSPECTORS, filter: { type: 'hospital' }, seed: 'seed-for-the-q4-audit-weeks' };

describe('drawing', () => {
  let draw: any;

  it('a supervisor draws the audit weeks: window, pool, seed, pairs', async () => {
    const res = await svc.call('/v1/inspections/draws', { role: 'supervisor', json: q4 });
    expect(res.status).toBe(201);
    draw = await json(res);
    expect(draw.window).toEqual({ from: '2026-12-18', to: '2026-12-31' });
    expect(draw.seed).toBe(q4.seed);
    expect(draw.weighting.method).toBe('uniform');
    expect(draw.pool.map((p: any) => p.institutionId)).toEqual(Array.from({ length: 11 }, (_, i) => `H3201${String(i + 1).padStart(2, '0')}`));
    expect(draw.inspections).toHaveLength(4);
    expect(draw.drawnBy).toBe('test-supervisor');
    for (const i of draw.inspections) {
      expect(i.institutionId).toMatch(/^H3201(0\d|1[01])$/);
      expect(i.inspectors).toHaveLength(2);
      expect(i.inspectors[0]).not.toBe(i.inspectors[1]);
      for (const p of i.inspectors) expect(INSPECTORS).toContain(p);
    }
  });

  it('the same seed and pool give the same draw again', async () => {
    const again = await json(await svc.call('/v1/inspections/draws', { role: 'supervisor', json: q4 }));
    expect(again.id).not.toBe(draw.id);
    expect(again.resultHash).toBe(draw.resultHash);
    expect(again.inspections.map((i: any) => [i.institutionId, i.inspectors])).toEqual(draw.inspections.map((i: any) => [i.institutionId, i.inspectors]));
  });

  it('verify re-derives the draw from its record, and notices a stored draw that was altered', async () => {
    const ok = await json(await svc.call(`/v1/inspections/draws/${draw.id}/verify`, { role: 'auditor' }));
    expect(ok.matches).toBe(true);
    expect(ok.rederivedHash).toBe(draw.resultHash);
    const other = await json(await svc.call('/v1/inspections/draws', { role: 'supervisor', json: { ...q4, seed: 'seed-to-be-tampered-with' } }));
    await svc.deps.database.query(`update inspections set inspectors = '["Li Na","Li Na"]'::jsonb where draw_id = $1 and rank = 1`, [other.id]);
    const bad = await json(await svc.call(`/v1/inspections/draws/${other.id}/verify`, { role: 'auditor' }));
    expect(bad.matches).toBe(false);
  });

  it('without a seed, one is generated and recorded', async () => {
    const { seed: _omit, ...noSeed } = q4;
    const a = await json(await svc.call('/v1/inspections/draws', { role: 'supervisor', json: noSeed }));
    const b = await json(await svc.call('/v1/inspections/draws', { role: 'supervisor', json: noSeed }));
    expect(a.seed.length).toBeGreaterThanOrEqual(32);
    expect(a.seed).not.toBe(b.seed);
    expect((await json(await svc.call(`/v1/inspections/draws/${a.id}/verify`, { role: 'admin' }))).matches).toBe(true);
  });

  it('a double-random draw over a window takes every designated institution by default', async () => {
    const res = await svc.call('/v1/inspections/draws', { role: 'supervisor', json: { kind: 'double-random', from: '2026-11-02', to: '2026-11-20', count: 13, inspectors: INSPECTORS } });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.pool).toHaveLength(13); // H320199 was still designated in November; the pharmacy too
    expect(body.title).toBe('双随机抽查 2026-11-02');
  });

  it('an inspector who declared a conflict with an institution (the review queue’s declarations) is never paired with it', async () => {
    const free = await json(await svc.call('/v1/inspections/draws', { role: 'supervisor', json: { ...q4, count: 11, seed: 'seed-for-the-recusal-test' } }));
    const target = free.inspections[0];
    const person = target.inspectors[0];
    const declared = await svc.call('/v1/review/conflicts', { role: 'supervisor', json: { person, institutionId: target.institutionId, kind: 'kin', note: '配偶在该院任职' } });
    expect(declared.status).toBeLessThan(300);
    const again = await json(await svc.call('/v1/inspections/draws', { role: 'supervisor', json: { ...q4, count: 11, seed: 'seed-for-the-recusal-test' } }));
    expect(again.conflicts).toEqual([{ personId: person, institutionId: target.institutionId }]);
    const same = again.inspections.find((i: any) => i.institutionId === target.institutionId);
    expect(same.inspectors).not.toContain(person);
    expect(same.inspectors).toHaveLength(2);
    // recusal changes who inspects, never which institutions are drawn
    expect(again.inspections.map((i: any) => i.institutionId)).toEqual(free.inspections.map((i: any) => i.institutionId));
    expect((await json(await svc.call(`/v1/inspections/draws/${again.id}/verify`, { role: 'auditor' }))).matches).toBe(true);
  });

  it('only a supervisor draws', async () => {
    for (const role of ['auditor', 'admin', 'settlement'] as const) expect((await svc.call('/v1/inspections/draws', { role, json: q4 })).status).toBe(403);
    expect((await svc.call('/v1/inspections/draws', { role: null, json: q4 })).status).toBe(401);
  });

  it('bad requests get 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ ...q4, quarter: undefined }, 'quarter'],
      [{ ...q4, quarter: '2026-Q7' }, 'quarter'],
      [{ ...q4, count: 12 }, 'count'],
      [{ ...q4, count: 0 }, 'count'],
      [{ ...q4, inspectors: ['Li Na', 'Nobody'] }, 'inspectors[1]'],
      [{ kind: 'double-random', from: '2026-11-20', to: '2026-11-02', count: 1 }, 'to'],
      [{ ...q4, seed: 'short' }, 'seed'],
      [{ ...q4, extra: 1 }, 'extra'],
    ];
    for (const [body, path] of cases) {
      const res = await svc.call('/v1/inspections/draws', { role: 'supervisor', json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error.details.map((d: any) => d.path)).toContain(path);
    }
  });

  it('a risk-weighted draw without provider scores is refused, saying why', async () => {
    const res = await svc.call('/v1/inspections/draws', { role: 'supervisor', json: { ...q4, weighting: 'risk' } });
    expect(res.status).toBe(409);
    expect((await json(res)).error.message).toMatch(/No provider-model scores for 2026-11/);
  });
});

describe('inspecting and publishing', () => {
  let inspection: any;
  let drawId: string;
  let outsider: string;

  beforeAll(async () => {
    const draw = await json(await svc.call('/v1/inspections/draws', { role: 'supervisor', json: { ...q4, count: 2, seed: 'seed-for-the-findings-tests' } }));
    drawId = draw.id;
    inspection = draw.inspections[0];
    outsider = INSPECTORS.find((p) => !inspection.inspectors.includes(p))!;
  });

  it('one of the drawn pair records findings; others may not', async () => {
    const [first] = inspection.inspectors;
    const res = await as(first, `/v1/inspections/${inspection.id}/findings`, { json: { family: 'bed-hanging', amount: '1234.50', note: '患者张三 3 月 4 日不在床' } });
    expect(res.status).toBe(201);
    const f = await json(res);
    expect(f).toMatchObject({ family: 'bed-hanging', amount: '1234.50', recordedBy: first, corrects: null });
    expect((await as(outsider, `/v1/inspections/${inspection.id}/findings`, { json: { family: 'price', amount: 1, note: 'x' } })).status).toBe(403);
    expect((await svc.call(`/v1/inspections/${inspection.id}/findings`, { role: 'admin', json: { family: 'price', amount: 1, note: 'x' } })).status).toBe(403);
  });

  it('a correction is a new entry that replaces the one it names', async () => {
    const [, second] = inspection.inspectors;
    const before = await json(await svc.call(`/v1/inspections/${inspection.id}`, { role: 'auditor' }));
    const firstId = before.findings[0].id;
    const res = await as(second, `/v1/inspections/${inspection.id}/findings`, { json: { family: 'bed-hanging', amount: 1000, note: '核减为 1000 元', corrects: firstId } });
    expect(res.status).toBe(201);
    await as(second, `/v1/inspections/${inspection.id}/findings`, { json: { family: 'price', amount: '80.25', note: '超标准收费' } });
    const after = await json(await svc.call(`/v1/inspections/${inspection.id}`, { role: 'auditor' }));
    expect(after.findings.map((f: any) => f.amount)).toEqual(['1234.50', '1000.00', '80.25']);
    const bad = await as(second, `/v1/inspections/${inspection.id}/findings`, { json: { family: 'price', amount: 1, note: 'x', corrects: 999999 } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0].path).toBe('corrects');
    const badFamily = await as(second, `/v1/inspections/${inspection.id}/findings`, { json: { family: 'nonsense', amount: '-1', note: '' } });
    expect((await json(badFamily)).error.details.map((d: any) => d.path).sort()).toEqual(['amount', 'family', 'note']);
  });

  it('concludes once, consistently with the findings', async () => {
    const [first] = inspection.inspectors;
    expect((await as(first, `/v1/inspections/${inspection.id}/conclusion`, { json: { outcome: 'no-violation' } })).status).toBe(409);
    const res = await as(first, `/v1/inspections/${inspection.id}/conclusion`, { json: { outcome: 'violations-found' } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ outcome: 'violations-found', concludedBy: first });
    expect((await as(first, `/v1/inspections/${inspection.id}/conclusion`, { json: { outcome: 'violations-found' } })).status).toBe(409);
    expect((await as(first, `/v1/inspections/${inspection.id}/findings`, { json: { family: 'price', amount: 1, note: 'late' } })).status).toBe(409);
  });

  it('the public summary states the method and results, with no personal data', async () => {
    const res = await svc.call(`/v1/inspections/draws/${drawId}/public-summary`, { role: 'auditor' });
    expect(res.status).toBe(200);
    const text = await res.text();
    const summary = JSON.parse(text);
    expect(summary.method).toMatchObject({ selection: 'simple random sample', poolSize: 11, drawn: 2, seed: 'seed-for-the-findings-tests', inspectorsPerInstitution: 2 });
    const row = summary.institutions.find((r: any) => r.institutionId === inspection.institutionId);
    expect(row).toMatchObject({ status: 'concluded', outcome: 'violations-found', amount: '1080.25' });
    expect(row.findings).toEqual([
      { family: 'bed-hanging', count: 1, amount: '1000.00' },
      { family: 'price', count: 1, amount: '80.25' },
    ]);
    expect(summary.totals).toEqual({ inspected: 2, concluded: 1, withViolations: 1, amount: '1080.25' });
    for (const secret of [...INSPECTORS, 'test-supervisor', '张三', '核减', '超标准收费']) expect(text).not.toContain(secret);
  });

  it('unknown ids are 404, malformed ids 400', async () => {
    expect((await svc.call('/v1/inspections/draws/00000000-0000-4000-8000-000000000000/public-summary', { role: 'auditor' })).status).toBe(404);
    expect((await svc.call('/v1/inspections/00000000-0000-4000-8000-000000000000', { role: 'auditor' })).status).toBe(404);
    const bad = await svc.call('/v1/inspections/draws/nope', { role: 'auditor' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0].path).toBe('drawId');
  });

  it('the draws are listed newest first and are in the OpenAPI document', async () => {
    const list = await json(await svc.call('/v1/inspections/draws?limit=2', { role: 'admin' }));
    expect(list.draws).toHaveLength(2);
    expect(list.draws[0].id).toBe(drawId);
    const doc = await json(await svc.call('/openapi.json', { role: null }));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/inspections/draws', '/v1/inspections/draws/{drawId}/public-summary', '/v1/inspections/{inspectionId}/findings']));
  });
});
