import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isResidentId, maskPersonalData } from '../src/lib/personal-data.js';
import { inpatientClaim } from './support/claims.js';
import { seedReference } from './support/reference.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * Free text is screened before it is stored: a resident ID number (18 characters, a valid ISO
 * 7064 MOD 11-2 check character) or a mainland mobile number typed into a reason, basis, note or
 * title is masked but for its last four characters (issue 22: text was the one way a raw person
 * id reached storage). Every free-text field the API stores is written through the real API and
 * read back from the database and through the API.
 */
const ID = '440304199001011233'; // a valid check character
const ID_X = '11010519491231002X';
const NOT_ID = '440304199001011234'; // eighteen digits, wrong check character: an order number, kept
const PHONE = '13912345678';
const TEXT = `患者身份证 ${ID}, 电话 ${PHONE}; 另 ${ID_X.toLowerCase()} / +86 139-1234-5678; 单号 ${NOT_ID}`;
const MASKED = `患者身份证 **************1233, 电话 *******5678; 另 **************002x / +86 ***-****-5678; 单号 ${NOT_ID}`;
const RAW = [ID, PHONE, ID_X, ID_X.toLowerCase(), '139-1234-5678'];

describe('maskPersonalData', () => {
  it('masks resident ID numbers with a valid check character and mobile numbers, but for the last four characters', () => {
    expect(isResidentId(ID)).toBe(true);
    expect(isResidentId(ID_X)).toBe(true);
    expect(isResidentId(NOT_ID)).toBe(false);
    expect(maskPersonalData(TEXT)).toBe(MASKED);
    expect(maskPersonalData('13800138000')).toBe('*******8000');
    expect(maskPersonalData('tel:008613800138000.')).toBe('tel:0086*******8000.');
    // not a phone: 12 digits, a 12 prefix, a number inside a longer one
    for (const kept of ['138001380001', '12800138000', '9913800138000', '2026-10-03 10:00', '金额 1380.00 元']) expect(maskPersonalData(kept)).toBe(kept);
    // an ID inside a longer run of digits is not an ID
    expect(maskPersonalData(`9${ID}`)).toBe(`9${ID}`);
  });
});

let svc: TestService;
const staff: Record<string, string> = {};
const INST = 'H32010200001';

async function as(person: string, path: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${staff[person]}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(`${svc.url}${path}`, { ...init, headers, ...(init.json !== undefined ? { method: init.method ?? 'POST', body: JSON.stringify(init.json) } : {}) });
  return res;
}
async function ok(res: Promise<Response>, status = 200) {
  const r = await res;
  const body = await r.text();
  expect(r.status, body).toBe(status);
  return body === '' ? undefined : JSON.parse(body);
}
const q = <T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params: unknown[] = []) => svc.deps.database.query<T>(sql, params);

beforeAll(async () => {
  svc = await startTestService({ REVIEW_DRAW_POOL: '1' });
  await seedReference(svc, { institutions: [{ id: INST }, ...Array.from({ length: 3 }, (_, i) => ({ id: `H3201990000${i + 1}` }))] });
  for (const [name, role] of [
    ['Li Na', 'auditor'],
    ['Wang Fang', 'auditor'],
    ['Sun Li', 'supervisor'],
    ['Chen Jie', 'supervisor'],
  ] as const)
    staff[name] = (await svc.deps.keys.create({ clientName: name, role, createdBy: 'test' })).key;
});
afterAll(async () => {
  await svc?.close();
});

describe('every free-text field is stored masked', () => {
  it('rule settings: the reason', async () => {
    await ok(svc.call('/v1/rules/STAY-OVERLAP/settings', { method: 'PUT', role: 'admin', json: { params: {}, reason: TEXT } }));
    const rows = await q<{ reason: string }>(`select reason from rule_settings where rule_id = 'STAY-OVERLAP' order by id desc limit 1`);
    expect(rows).toEqual([{ reason: MASKED }]);
  });

  it('reference item relations: the note', async () => {
    const record = { kind: 'includes', mainCode: '330100001', subCode: '120400001', window: 'same_day', source: 'fund-2026', validFrom: '2026-01-01', note: TEXT };
    await ok(svc.call('/v1/reference/item-relations', { method: 'PUT', role: 'admin', json: { records: [record] } }));
    expect(await q(`select note from item_relations where main_code = '330100001'`)).toEqual([{ note: MASKED }]);
    const listed = await ok(svc.call('/v1/reference/item-relations?code=330100001', { role: 'admin' }));
    expect(listed.records.map((r: { note: string }) => r.note)).toEqual([MASKED]);
  });

  let caseId = 0;
  it('review: the appeal reason', async () => {
    // an institution not designated: the claim is withheld, a case opens
    const claim = inpatientClaim({ institutionId: 'H99000000001', claimId: 'W1' });
    expect((await ok(svc.call('/v1/claims', { json: claim }))).decision).toBe('withhold');
    caseId = (await ok(svc.call('/v1/review/appeals', { json: { institutionId: 'H99000000001', claimId: 'W1', reason: TEXT } }))).caseId;
    const rows = await q<{ reason: string }>(`select detail->>'reason' as reason from review_reasons where case_id = $1 and kind = 'appeal'`, [caseId]);
    expect(rows).toEqual([{ reason: MASKED }]);
    const d = await ok(as('Sun Li', `/v1/review/cases/${caseId}`));
    expect(d.reasons.find((r: { kind: string }) => r.kind === 'appeal').detail.reason).toBe(MASKED);
  });

  it('review: the release reason, both conclusions (reason and basis), the send-back reason and the reopening reason', async () => {
    expect((await ok(as('Li Na', '/v1/review/draw', { method: 'POST' }))).id).toBe(caseId);
    await ok(as('Li Na', `/v1/review/cases/${caseId}/release`, { json: { reason: TEXT } }));
    expect((await ok(as('Li Na', '/v1/review/draw', { method: 'POST' }))).id).toBe(caseId);
    await ok(as('Li Na', `/v1/review/cases/${caseId}/conclusion`, { json: { outcome: 'dismissed', reason: TEXT } }));
    await ok(as('Wang Fang', `/v1/review/cases/${caseId}/second-review`, { json: { verdict: 'send_back', reason: TEXT } }));
    await ok(as('Li Na', `/v1/review/cases/${caseId}/conclusion`, { json: { outcome: 'confirmed', refusedLines: [], basis: TEXT } }));
    await ok(as('Wang Fang', `/v1/review/cases/${caseId}/second-review`, { json: { verdict: 'agree' } }));
    await ok(as('Sun Li', `/v1/review/cases/${caseId}/reopen`, { json: { reason: TEXT } }));

    expect(await q(`select outcome, basis from review_conclusions where case_id = $1 order by id`, [caseId])).toEqual([
      { outcome: 'dismissed', basis: MASKED },
      { outcome: 'confirmed', basis: MASKED },
    ]);
    expect(await q(`select verdict, reason from review_second_reviews where case_id = $1 order by id`, [caseId])).toEqual([
      { verdict: 'send_back', reason: MASKED },
      { verdict: 'agree', reason: null },
    ]);
    const d = await ok(as('Sun Li', `/v1/review/cases/${caseId}`));
    expect(d.conclusions.map((c: { basis: string }) => c.basis)).toEqual([MASKED, MASKED]);
    expect(d.secondReviews[0].reason).toBe(MASKED);
    // the trail holds each reason as stored
    const said = d.trail
      .map((t: { action: string; after: { reason?: string; basis?: string } }) => [t.action, t.after?.reason ?? t.after?.basis])
      .filter(([, r]: [string, unknown]) => r !== undefined);
    expect(said).toEqual([
      ['case.appeal', MASKED],
      ['case.release', MASKED],
      ['case.conclude', MASKED],
      ['case.send_back', MASKED],
      ['case.conclude', MASKED],
      ['case.reopen', MASKED],
    ]);
  });

  it('review: the conflict note and the withdrawal reason', async () => {
    const declared = await ok(as('Chen Jie', '/v1/review/conflicts', { json: { person: 'Wang Fang', institutionId: INST, kind: 'kin', note: TEXT } }));
    expect(declared.note).toBe(MASKED);
    expect(await q(`select note from review_conflicts where id = $1`, [declared.id])).toEqual([{ note: MASKED }]);
    await ok(as('Sun Li', `/v1/review/conflicts/${declared.id}/withdraw`, { json: { reason: TEXT } }));
    const trail = (await ok(as('Sun Li', '/v1/review/trail?limit=1000'))).entries.filter((t: { action: string }) => t.action.startsWith('conflict.'));
    expect(trail.map((t: { after: unknown }) => t.after)).toEqual([
      { id: declared.id, person: 'Wang Fang', institutionId: INST, kind: 'kin', note: MASKED },
      { id: declared.id, withdrawn: true, reason: MASKED },
    ]);
    const listed = await ok(as('Sun Li', '/v1/review/conflicts?person=Wang%20Fang'));
    expect(listed.conflicts.map((c: { note: string }) => c.note)).toEqual([MASKED]);
  });

  it('national 3103: the reason of a disposition', async () => {
    const order = { rx_id: 'R1', hilist_code: '001109000010000', hilist_name: '普通病房床位费', cnt: '1', pric: '45', sumamt: '45.00', drord_begn_date: '2026-10-02 08:00:00' };
    const visit = {
      mdtrt_id: 'ZY001',
      medins_id: 'H99000000002',
      medins_lv: '2',
      adm_date: '2026-10-01 08:00:00',
      dscg_date: '2026-10-05 10:00:00',
      med_type: '21',
      fsi_diagnose_dtos: [{ dise_codg: 'J18.900', maindise_flag: '1' }],
      fsi_order_dtos: [order],
    };
    const review = { infno: '3101', input: { data: { patient_dtos: [{ patn_id: '320102195803140012', gend: '1', brdy: '1958-03-14', curr_mdtrt_id: 'ZY001', fsi_encounter_dtos: [visit] }] } } };
    const answered = await ok(svc.call('/v1/national/3101', { json: review }));
    const id = answered.output.result[0].jr_id;
    await ok(svc.call('/v1/national/3103', { json: { infno: '3103', input: { data: [{ warn_rslt_id: id, dspo_way: '1', dspo_way_rea: TEXT }] } } }));
    expect(await q(`select reason from national_feedback where result_id = $1`, [id])).toEqual([{ reason: MASKED }]);
  });

  it('inspections: the draw’s title and a finding’s note', async () => {
    const draw = await ok(
      svc.call('/v1/inspections/draws', {
        role: 'supervisor',
        json: { kind: 'double-random', from: '2026-11-02', to: '2026-11-13', count: 1, title: TEXT, inspectors: ['Li Na', 'Wang Fang'], seed: 'seed-for-the-free-text-test' },
      }),
      201,
    );
    expect(draw.title).toBe(MASKED);
    expect(await q(`select title from inspection_draws where id = $1`, [draw.id])).toEqual([{ title: MASKED }]);
    const inspection = draw.inspections[0];
    const finding = await ok(as(inspection.inspectors[0], `/v1/inspections/${inspection.id}/findings`, { json: { family: 'other', amount: '10.00', note: TEXT } }), 201);
    expect(finding.note).toBe(MASKED);
    expect(await q(`select note from inspection_findings where id = $1`, [finding.id])).toEqual([{ note: MASKED }]);
    const summary = await ok(svc.call(`/v1/inspections/draws/${draw.id}/public-summary`, { role: 'supervisor' }));
    expect(summary.title).toBe(MASKED);
  });

  it('the page’s forms store the same: a release reason typed on the case page', async () => {
    const claim = inpatientClaim({ institutionId: 'H99000000003', claimId: 'W2' });
    expect((await ok(svc.call('/v1/claims', { json: claim }))).decision).toBe('withhold');
    const login = await fetch(`${svc.url}/ui/login`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ key: staff['Li Na']!, next: '/ui/queue' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const drawn = await fetch(`${svc.url}/ui/queue/draw`, { method: 'POST', redirect: 'manual', headers: { cookie } });
    const id = /\/ui\/cases\/(\d+)/.exec(drawn.headers.get('location') ?? '')?.[1];
    expect(id).toBeDefined();
    const released = await fetch(`${svc.url}/ui/cases/${id}/release`, { method: 'POST', redirect: 'manual', headers: { cookie }, body: new URLSearchParams({ reason: TEXT }) });
    expect(released.status).toBe(303);
    const trail = (await ok(as('Sun Li', `/v1/review/trail?caseId=${id}`))).entries.filter((t: { action: string }) => t.action === 'case.release');
    // the last release is the page's (the case drawn may be the reopened one, released before)
    expect(trail.at(-1).after.reason).toBe(MASKED);
  });

  it('nowhere in the database is a raw ID or phone number of the text left', async () => {
    const tables = await q<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`);
    expect(tables.length).toBeGreaterThan(10);
    const found: string[] = [];
    for (const { table_name } of tables) {
      for (const raw of RAW) {
        const [row] = await q<{ n: number }>(`select count(*)::int as n from "${table_name}" t where t::text like $1`, [`%${raw}%`]);
        if (row!.n > 0) found.push(`${table_name}: ${raw}`);
      }
    }
    expect(found).toEqual([]);
  });
});
