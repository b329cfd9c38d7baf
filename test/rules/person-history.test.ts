import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../rules/catalogue.js';
import { cstDate } from '../../src/lib/time.js';
import { outpatientClaim } from '../support/claims.js';
import { seedPgliteDir } from '../support/database.js';
import { json } from '../support/http.js';
import { runImport } from '../support/import.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue 19's rules over the person's history across institutions, and their reference data,
 * through the service (PGlite, or PostgreSQL with DATABASE_URL): the kinds `exam-recognition` and
 * `service-scopes` (PUT/GET /v1/reference/…, CSV import), EXAM-REPEAT, TRAVEL-IMPOSSIBLE and
 * SERVICE-SCOPE in trial until their date, and `package` relations loaded from the example CSV a
 * fund writes (docs/examples/package-relations.csv) feeding SPLIT-PACKAGE and SPLIT-PARTS-APART.
 */
let svc: TestService;
let dir: string;
const imports: Record<string, Awaited<ReturnType<typeof runImport>>> = {};
const EXAMPLES = path.join(process.cwd(), 'docs', 'examples');

// The import runs as the operator runs it, a child process over the service's database: on
// PostgreSQL beside the running service; on PGlite (one process at a time) before it starts.
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cs-h19b-'));
  const importAll = async (target: { url?: string | undefined; dir: string }) => {
    imports.packages = await runImport(target, 'item-relations', path.join(EXAMPLES, 'package-relations.csv'));
    imports.exams = await runImport(target, 'exam-recognition', path.join(EXAMPLES, 'exam-recognition.csv'));
    imports.scopes = await runImport(target, 'service-scopes', path.join(EXAMPLES, 'service-scopes.csv'));
  };
  if (process.env.DATABASE_URL) {
    svc = await startTestService();
    await importAll({ url: svc.databaseUrl, dir });
  } else {
    await seedPgliteDir(path.join(dir, 'data', 'pglite'));
    await importAll({ dir });
    svc = await startTestService({ DATA_DIR: path.join(dir, 'data') });
  }
  const institution = (institutionId: string, type: string, level: string, area: string) => ({
    institutionId,
    name: institutionId,
    type,
    level,
    ownership: 'public',
    area,
    beds: type === 'hospital' ? 300 : 0,
    designatedFrom: '2020-01-01',
    validFrom: '2020-01-01',
  });
  const res = await svc.call('/v1/reference/institutions', {
    role: 'admin',
    method: 'PUT',
    json: {
      records: [
        institution('H32010200001', 'hospital', 'secondary', '320102'),
        institution('H32010200002', 'hospital', 'secondary', '320102'),
        institution('H32011500001', 'hospital', 'tertiary', '320115'),
        institution('H32010600011', 'clinic', 'primary', '320106'),
        institution('P32010200003', 'pharmacy', 'none', '320102'),
      ],
    },
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await svc?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type F = { ruleId: string; status: string; severity: string; violatingLines: string[]; amount: string; message: { zh: string; en: string } };
const screen = async (claim: object) => {
  const res = await svc.call('/v1/claims', { json: claim });
  if (res.status !== 200) throw new Error(JSON.stringify(await json(res)));
  return json(res) as Promise<{ decision: string; findings: F[] }>;
};
const of = (ruleId: string, answer: { findings: F[] }) => answer.findings.filter((f) => f.ruleId === ruleId);
const today = cstDate(Date.now());
const trial = (ruleId: string) => (today <= catalogue.find((r) => r.id === ruleId)!.trialUntil! ? 'trial' : 'active');

let n = 0;
const personId = () => `3201021980${String(++n).padStart(8, '0')}`;
type Line = { itemCode: string; category: string; amount: number };
const visit = (id: string, institutionId: string, claimId: string, at: string, lines: Line[], extra: Record<string, unknown> = {}) => {
  const total = lines.reduce((s, l) => s + l.amount, 0);
  return outpatientClaim({
    institutionId,
    claimId,
    insured: { id, sex: 'female', birthDate: '1980-01-01' },
    visitAt: at,
    lines: lines.map((l, i) => ({ lineId: String(i + 1), itemCode: l.itemCode, category: l.category, serviceAt: at, quantity: 1, unitPrice: l.amount, amount: l.amount })),
    totalAmount: total,
    payment: { fund: total, personalAccount: 0, cash: 0 },
    ...extra,
  });
};
const CT: Line = { itemCode: '002103000010000', category: 'exam', amount: 150 };
const CT_OTHER_CODE: Line = { itemCode: '002103000010100', category: 'exam', amount: 160 };
const FEE: Line = { itemCode: '110100001', category: 'service', amount: 10 };

describe('npm run import: the example files of docs/examples', () => {
  it('loads every row of the three example files', () => {
    for (const [name, run] of Object.entries(imports)) expect({ name, code: run.code, stderr: run.stderr }).toEqual({ name, code: 0, stderr: '' });
  });

  it('lists what was loaded: package relations, the recognition list with groups, scopes with upper-cased departments', async () => {
    const relations = await json(await svc.call('/v1/reference/item-relations?code=TC002503040001', { role: 'auditor' }));
    expect(relations.total).toBe(4);
    expect(relations.records[0]).toMatchObject({ kind: 'package', mainCode: 'TC002503040001', source: 'fund-packages-2026' });
    const exams = await json(await svc.call('/v1/reference/exam-recognition?code=002103000010100', { role: 'auditor' }));
    expect(exams.records).toEqual([{ itemCode: '002103000010100', group: 'CT-HEAD', windowDays: 30, source: 'fund-recognition-2026', validFrom: '2026-01-01' }]);
    const scopes = await json(await svc.call('/v1/reference/service-scopes?id=P32010200003', { role: 'auditor' }));
    expect(scopes.records).toEqual([
      { institutionId: 'P32010200003', categories: ['drug', 'consumable'], visitTypes: ['pharmacy'], departments: [], source: 'fund-agreements-2026', validFrom: '2026-01-01' },
    ]);
  });
});

describe('the exam-recognition and service-scopes kinds', () => {
  it('refuse bad entries naming the field', async () => {
    const put = (kind: string, records: object[]) => svc.call(`/v1/reference/${kind}`, { role: 'admin', method: 'PUT', json: { records } });
    const zero = await put('exam-recognition', [{ itemCode: 'X1', windowDays: 0, validFrom: '2026-01-01' }]);
    expect(zero.status).toBe(400);
    expect(JSON.stringify(await json(zero))).toContain('must be a whole number of days from 1 to 365');
    const empty = await put('service-scopes', [{ institutionId: 'P1', validFrom: '2026-01-01' }]);
    expect(empty.status).toBe(400);
    expect(JSON.stringify(await json(empty))).toContain('at least one of categories, visitTypes and departments must name something');
    const badCategory = await put('service-scopes', [{ institutionId: 'P1', categories: ['beds'], validFrom: '2026-01-01' }]);
    expect(badCategory.status).toBe(400);
    expect(JSON.stringify(await json(badCategory))).toContain('categories');
    const filter = await svc.call('/v1/reference/exam-recognition?id=P1', { role: 'auditor' });
    expect(filter.status).toBe(400);
  });
});

describe('EXAM-REPEAT', () => {
  it('flags a head CT repeated at another hospital within 30 days under another code of its group, naming the days and the window', async () => {
    const p = personId();
    expect(of('EXAM-REPEAT', await screen(visit(p, 'H32010200001', 'ER-1', '2026-10-01 09:00:00', [FEE, CT])))).toEqual([]);
    const again = of('EXAM-REPEAT', await screen(visit(p, 'H32011500001', 'ER-2', '2026-10-13 10:00:00', [FEE, CT_OTHER_CODE])));
    expect(again).toMatchObject([{ status: trial('EXAM-REPEAT'), severity: 'medium', violatingLines: ['2'], amount: '160.00' }]);
    expect(again[0]!.message.en).toContain('12 days after the result at H32010200001 on 2026-10-01 09:00, within its recognition window of 30 days');
    expect(again[0]!.message.zh).toContain('互认期限 30 天');
  });

  it('lets pass the same CT after its window, at the same hospital, and for a stroke', async () => {
    const p = personId();
    await screen(visit(p, 'H32010200001', 'ER-3', '2026-09-01 09:00:00', [CT]));
    expect(of('EXAM-REPEAT', await screen(visit(p, 'H32011500001', 'ER-4', '2026-10-02 10:00:00', [CT])))).toEqual([]);
    expect(of('EXAM-REPEAT', await screen(visit(p, 'H32011500001', 'ER-5', '2026-10-20 10:00:00', [CT])))).toEqual([]);
    const q = personId();
    await screen(visit(q, 'H32010200001', 'ER-6', '2026-10-01 09:00:00', [CT]));
    expect(of('EXAM-REPEAT', await screen(visit(q, 'H32010200002', 'ER-7', '2026-10-01 10:00:00', [CT], { diagnoses: [{ code: 'I63.900', main: true }] })))).toEqual([]);
  });
});

describe('TRAVEL-IMPOSSIBLE', () => {
  it('flags a visit in another county 40 minutes after one in the first, naming the areas and the gap', async () => {
    const p = personId();
    await screen(visit(p, 'H32010200001', 'TI-1', '2026-10-04 09:00:00', [FEE]));
    const found = of('TRAVEL-IMPOSSIBLE', await screen(visit(p, 'H32011500001', 'TI-2', '2026-10-04 09:40:00', [FEE])));
    expect(found).toMatchObject([{ status: trial('TRAVEL-IMPOSSIBLE'), severity: 'high', violatingLines: ['1'], amount: '10.00' }]);
    expect(found[0]!.message.en).toBe(
      'Visits closer in time than travel allows: at H32010200001 (area 320102) on 2026-10-04 09:00 and at H32011500001 (area 320115) on 2026-10-04 09:40, 40 minutes apart where the journey takes at least 1 h; claim TI-2, 1 line, 10.00 yuan, for review',
    );
  });

  it('lets pass two institutions of one area the same hour, a newborn on its mother’s card, and a visit two hours later', async () => {
    const p = personId();
    await screen(visit(p, 'H32010200001', 'TI-3', '2026-10-05 09:00:00', [FEE]));
    expect(of('TRAVEL-IMPOSSIBLE', await screen(visit(p, 'H32010200002', 'TI-4', '2026-10-05 09:20:00', [FEE])))).toEqual([]);
    expect(of('TRAVEL-IMPOSSIBLE', await screen(visit(p, 'H32011500001', 'TI-5', '2026-10-05 09:30:00', [FEE], { diagnoses: [{ code: 'P59.900', name: '新生儿黄疸', main: true }] })))).toEqual([]);
    expect(of('TRAVEL-IMPOSSIBLE', await screen(visit(p, 'H32011500001', 'TI-6', '2026-10-05 11:30:00', [FEE])))).toEqual([]);
  });
});

describe('SERVICE-SCOPE', () => {
  it('flags a pharmacy billing a bed day and a clinic billing an operation; in trial it withholds nothing', async () => {
    const bed = of(
      'SERVICE-SCOPE',
      await screen(
        visit(
          personId(),
          'P32010200003',
          'SS-1',
          '2026-10-06 10:00:00',
          [
            { itemCode: 'XJ01', category: 'drug', amount: 30 },
            { itemCode: '120100001', category: 'bed', amount: 45 },
          ],
          { visitType: 'pharmacy' },
        ),
      ),
    );
    expect(bed).toMatchObject([{ status: trial('SERVICE-SCOPE'), severity: 'violation', violatingLines: ['2'], amount: '45.00' }]);
    expect(bed[0]!.message.en).toBe('Outside the service scope of P32010200003: category bed is outside the scope (drug, consumable); 1 line, 45.00 yuan not payable');
    const op = await screen(visit(personId(), 'H32010600011', 'SS-2', '2026-10-06 10:00:00', [FEE, { itemCode: '003310030220000', category: 'operation', amount: 900 }]));
    expect(of('SERVICE-SCOPE', op)).toMatchObject([{ violatingLines: ['2'], amount: '900.00' }]);
    if (trial('SERVICE-SCOPE') === 'trial') expect(op.decision).not.toBe('withhold');
    expect(
      of('SERVICE-SCOPE', await screen(visit(personId(), 'P32010200003', 'SS-3', '2026-10-06 10:00:00', [{ itemCode: 'XJ01', category: 'drug', amount: 30 }], { visitType: 'pharmacy' }))),
    ).toEqual([]);
  });
});

describe('package relations from the example CSV', () => {
  it('feed SPLIT-PACKAGE (a part beside the package) and SPLIT-PARTS-APART (parts without it)', async () => {
    const beside = await screen(
      visit(personId(), 'H32010200001', 'PK-1', '2026-10-07 09:00:00', [
        { itemCode: 'TC002503040001', category: 'lab', amount: 15 },
        { itemCode: '002503040010000', category: 'lab', amount: 6 },
      ]),
    );
    expect(of('SPLIT-PACKAGE', beside)).toMatchObject([{ violatingLines: ['2'], amount: '6.00' }]);
    const apart = await screen(
      visit(personId(), 'H32010200001', 'PK-2', '2026-10-07 09:00:00', [
        { itemCode: '002503040010000', category: 'lab', amount: 6 },
        { itemCode: '002503040020000', category: 'lab', amount: 6 },
        { itemCode: '002503040030000', category: 'lab', amount: 6 },
      ]),
    );
    expect(of('SPLIT-PARTS-APART', apart)).toMatchObject([{ violatingLines: ['1', '2', '3'] }]);
  });
});
