import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../rules/catalogue.js';
import { cstDate } from '../../src/lib/time.js';
import { inpatientClaim, outpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { seedPgliteDir } from '../support/database.js';
import { runImport } from '../support/import.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue 19's institution window through the service (PGlite, or PostgreSQL with DATABASE_URL):
 * other claims of the institution read in the one history statement, and the four rules over it
 * (CARD-BURST, DOCTOR-CAPACITY, BED-CENSUS, ADMISSION-CLUSTER), in trial until their date; the
 * doctors reference kind through PUT /v1/reference/doctors and npm run import.
 */
let svc: TestService;
const PHARMACY = 'P32010200009';
const CLINIC = 'C32010200008';
const HOSPITAL = 'H32010200007';
beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, {
    institutions: [{ id: PHARMACY, type: 'pharmacy', level: 'none' }, { id: CLINIC, type: 'clinic', level: 'primary' }, { id: HOSPITAL }],
    items: [
      { code: '110100001', name: '普通门诊诊查费' },
      { code: 'XA01', name: '药一', category: 'drug' },
      { code: 'XA02', name: '药二', category: 'drug' },
      { code: 'XA03', name: '药三', category: 'drug' },
      { code: 'XA04', name: '药四', category: 'drug' },
      { code: '120100001', name: '床位费', category: 'bed' },
      { code: '250101001', name: '血常规', category: 'lab' },
    ],
  });
  // the hospital has 4 beds here
  await svc.deps.database.query(`update institutions set beds = 4 where institution_id = $1`, [HOSPITAL]);
  await svc.deps.referenceCache.refresh(true);
});
afterAll(async () => {
  await svc?.close();
});

type F = { ruleId: string; status: string; severity: string; violatingLines: string[]; otherClaims: { claimId: string }[]; message: { zh: string; en: string } };
const screen = async (claim: object) => {
  const res = await svc.call('/v1/claims', { json: claim });
  if (res.status !== 200)
    throw new Error(
      JSON.stringify(await json(res)) +
        svc.logs
          .filter((l) => l.includes('"level":50'))
          .join('\n')
          .slice(0, 3000),
    );
  return json(res) as Promise<{ decision: string; findings: F[] }>;
};
const only = (answer: { findings: F[] }, ruleId: string) => answer.findings.filter((f) => f.ruleId === ruleId);
const today = cstDate(Date.now());
/** the status the new rules run with today: trial up to and including 2027-01-01 */
const status = today <= '2027-01-01' ? 'trial' : 'active';
let n = 0;
const person = () => ({ id: `3201021980${String(++n).padStart(8, '0')}`, sex: 'female', birthDate: '1980-01-01' });
const stored = (inst: string, ruleId: string) =>
  svc.deps.database.query<{ claim_no: string; retrospective: boolean; status: string }>(
    `select c.claim_no, f.retrospective, f.status from findings f join claims c on c.id = f.claim_id
     where c.institution_id = $1 and f.rule_id = $2 order by c.claim_no`,
    [inst, ruleId],
  );

const purchase = (claimId: string, at: string, codes: string[], inst = PHARMACY) =>
  outpatientClaim({
    institutionId: inst,
    claimId,
    insured: person(),
    visitType: inst === PHARMACY ? 'pharmacy' : 'outpatient',
    visitAt: at,
    diagnoses: [{ code: 'J06.900', main: true }],
    lines: codes.map((itemCode, i) => ({ lineId: String(i + 1), itemCode, category: 'drug', serviceAt: at, quantity: 1, unitPrice: 10, amount: 10 })),
    totalAmount: 10 * codes.length,
    payment: { fund: 5 * codes.length, personalAccount: 0, cash: 5 * codes.length },
  });

describe('CARD-BURST', () => {
  it('the fifth card in minutes for the same basket is flagged, and the four before it retrospectively; a queue of different baskets is not', async () => {
    const basket = ['XA01', 'XA02', 'XA03'];
    // a queue at opening time: ten persons, different baskets
    for (let i = 0; i < 10; i++) {
      const a = await screen(purchase(`Q${i}`, `2026-10-05 08:0${i}:00`, [['XA01'], ['XA02'], ['XA01', 'XA02'], ['XA03'], ['XA02', 'XA03']][i % 5] as string[]));
      expect(only(a, 'CARD-BURST')).toEqual([]);
    }
    for (let i = 1; i <= 4; i++) expect(only(await screen(purchase(`B${i}`, `2026-10-05 14:0${i}:00`, basket)), 'CARD-BURST')).toEqual([]);
    const fifth = only(await screen(purchase('B5', '2026-10-05 14:06:00', basket)), 'CARD-BURST');
    expect(fifth).toHaveLength(1);
    expect(fifth[0]).toMatchObject({ status, severity: 'high', violatingLines: ['1', '2', '3'] });
    expect(fifth[0]?.otherClaims.map((o) => o.claimId).sort()).toEqual(['B1', 'B2', 'B3', 'B4']);
    expect(fifth[0]?.message.en).toContain('5 different persons (at least 5)');
    expect(fifth[0]?.message.zh).toContain('5 名不同参保人');
    const sixth = only(await screen(purchase('B6', '2026-10-05 14:07:00', basket)), 'CARD-BURST');
    expect(sixth).toHaveLength(1);
    expect(await stored(PHARMACY, 'CARD-BURST')).toEqual([
      { claim_no: 'B1', retrospective: true, status },
      { claim_no: 'B2', retrospective: true, status },
      { claim_no: 'B3', retrospective: true, status },
      { claim_no: 'B4', retrospective: true, status },
      { claim_no: 'B5', retrospective: false, status },
      { claim_no: 'B6', retrospective: false, status },
    ]);
  });

  it('five cards sent at once (screened side by side, none stored yet) still make a burst: the claims in flight are in the window', async () => {
    const answers = await Promise.all([1, 2, 3, 4, 5].map((i) => screen(purchase(`R${i}`, `2026-10-05 16:0${i}:00`, ['XA01', 'XA02', 'XA04']))));
    const hits = answers.flatMap((a) => only(a, 'CARD-BURST'));
    expect(hits).toHaveLength(1);
    expect(hits[0]?.message.en).toContain('5 different persons (at least 5)');
  });

  it('every swipe of bursts sent in one stream, screened side by side, gets its finding (the first ones retrospectively), durably', async () => {
    // two bursts of seven cards and some unrelated sales between them, in one NDJSON stream: the
    // first swipes are still being screened when the fifth completes each burst
    const claims: object[] = [];
    for (const [burst, hour, codes] of [
      ['S', '17', ['XA01', 'XA02', 'XA03']],
      ['T', '18', ['XA02', 'XA03', 'XA04']],
    ] as const) {
      for (let i = 1; i <= 7; i++) {
        claims.push(purchase(`${burst}${i}`, `2026-10-05 ${hour}:0${i}:00`, [...codes]));
        if (i % 3 === 0) claims.push(purchase(`${burst}x${i}`, `2026-10-05 ${hour}:0${i}:30`, ['XA01']));
      }
    }
    const res = await svc.call('/v1/claims/stream', { method: 'POST', body: claims.map((c) => JSON.stringify(c)).join('\n') + '\n', headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    const answers = (await res.text())
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { status: number; answer?: { claimId: string; findings: F[] } });
    expect(answers.map((a) => a.status)).toEqual(claims.map(() => 200));
    // the claims from the fifth on carry their own finding in their answer
    const own = answers.filter((a) => only(a.answer as { findings: F[] }, 'CARD-BURST').length > 0).map((a) => a.answer?.claimId);
    expect(own.sort()).toEqual(['S5', 'S6', 'S7', 'T5', 'T6', 'T7']);
    // stored: one finding on each of the fourteen swipes, the first four of each burst filed
    // retrospectively by the fifth, none on the single-drug sales between them
    const rows = (await stored(PHARMACY, 'CARD-BURST')).filter((r) => /^[ST]/.test(r.claim_no));
    expect(rows).toEqual(['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'].map((claim_no) => ({ claim_no, retrospective: Number(claim_no.slice(1)) < 5, status })));
    // each first swipe shows the finding filed on it later, naming the claim that found it
    const later = await json(await svc.call(`/v1/claims/${PHARMACY}/S1`, { role: 'auditor' }));
    expect(JSON.stringify(later)).toContain('CARD-BURST');
  });

  it('a family of three at one clinic with the same basket is no burst', async () => {
    for (let i = 1; i <= 3; i++) expect(only(await screen(purchase(`F${i}`, `2026-10-06 10:0${i}:00`, ['XA01', 'XA02', 'XA03'], CLINIC)), 'CARD-BURST')).toEqual([]);
  });
});

const doctorVisit = (claimId: string, doctorId: string, at = '2026-10-07 09:00:00') =>
  outpatientClaim({
    institutionId: CLINIC,
    claimId,
    insured: person(),
    visitAt: at,
    lines: [{ lineId: '1', itemCode: '110100001', category: 'service', serviceAt: at, quantity: 1, unitPrice: 10, amount: 10, doctorId }],
  });

describe('the doctors reference kind and DOCTOR-CAPACITY', () => {
  it('stores and lists doctors with validity, and refuses a doctor without a capacity or with validTo before validFrom, naming the field', async () => {
    const put = (records: object[]) => svc.call('/v1/reference/doctors', { role: 'admin', method: 'PUT', json: { records } });
    const res = await put([
      { doctorId: `${CLINIC}-D001`, institutionId: CLINIC, outpatientPerDay: 3, validFrom: '2026-01-01', source: 'fund-2026' },
      { doctorId: `${CLINIC}-D002`, institutionId: CLINIC, outpatientPerDay: 40, admissionsPerDay: 5, validFrom: '2026-01-01', validTo: '2026-12-31' },
    ]);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ upserted: 2 });
    const listed = await json(await svc.call(`/v1/reference/doctors?id=${CLINIC}`, { role: 'auditor' }));
    expect(listed).toMatchObject({
      total: 2,
      records: expect.arrayContaining([{ doctorId: `${CLINIC}-D001`, institutionId: CLINIC, outpatientPerDay: 3, source: 'fund-2026', validFrom: '2026-01-01' }]),
    });
    const none = await put([{ doctorId: 'D9', institutionId: CLINIC, validFrom: '2026-01-01' }]);
    expect(none.status).toBe(400);
    expect(JSON.stringify(await json(none))).toContain('at least one of outpatientPerDay and admissionsPerDay is required');
    const zero = await put([{ doctorId: 'D9', institutionId: CLINIC, outpatientPerDay: 0, validFrom: '2026-01-01' }]);
    expect(zero.status).toBe(400);
    expect(JSON.stringify(await json(zero))).toContain('outpatientPerDay');
    const backwards = await put([{ doctorId: 'D9', institutionId: CLINIC, outpatientPerDay: 3, validFrom: '2026-01-01', validTo: '2025-01-01' }]);
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(await json(backwards))).toContain('validTo');
    await svc.deps.referenceCache.refresh(true);
  });

  it("flags the doctor's visits beyond the day's capacity, not those within it, nor another doctor's or another day's", async () => {
    const d1 = `${CLINIC}-D001`;
    for (let i = 1; i <= 3; i++) expect(only(await screen(doctorVisit(`D1-${i}`, d1, `2026-10-07 ${String(i + 7).padStart(2, '0')}:00:00`)), 'DOCTOR-CAPACITY')).toEqual([]);
    const fourth = only(await screen(doctorVisit('D1-4', d1, '2026-10-07 15:00:00')), 'DOCTOR-CAPACITY');
    expect(fourth).toHaveLength(1);
    expect(fourth[0]?.message.en).toContain(`Doctor ${d1}'s 4th outpatient visit on 2026-10-07, beyond the doctor's daily capacity of 3`);
    expect(fourth[0]?.status).toBe(status);
    expect(only(await screen(doctorVisit('D1-next-day', d1, '2026-10-08 09:00:00')), 'DOCTOR-CAPACITY')).toEqual([]);
    expect(only(await screen(doctorVisit('D2-1', `${CLINIC}-D002`, '2026-10-07 15:30:00')), 'DOCTOR-CAPACITY')).toEqual([]);
    expect(only(await screen(doctorVisit('D9-1', `${CLINIC}-D999`, '2026-10-07 15:40:00')), 'DOCTOR-CAPACITY')).toEqual([]);
  });
});

const stay = (claimId: string, admitted: string, discharged: string, code: string, inst = HOSPITAL) =>
  inpatientClaim({
    institutionId: inst,
    claimId,
    insured: person(),
    admittedAt: admitted,
    dischargedAt: discharged,
    diagnoses: [{ code, main: true }],
    lines: [
      { lineId: '1', itemCode: '120100001', category: 'bed', serviceAt: admitted, quantity: 1, unitPrice: 45, amount: 45 },
      { lineId: '2', itemCode: '250101001', category: 'lab', serviceAt: admitted, quantity: 1, unitPrice: 20, amount: 20 },
    ],
    totalAmount: 65,
    payment: { fund: 50, personalAccount: 0, cash: 15 },
  });

describe('BED-CENSUS', () => {
  it('flags a stay that puts the midnight census above the beds plus the margin (4 beds + 3), not those within it', async () => {
    // pneumonia at a proper length of stay: no other rule of the window fires
    for (let i = 1; i <= 7; i++) expect(only(await screen(stay(`S${i}`, `2026-10-10 0${i + 1}:00:00`, '2026-10-16 09:00:00', 'J18.900')), 'BED-CENSUS')).toEqual([]);
    const eighth = only(await screen(stay('S8', '2026-10-10 11:00:00', '2026-10-15 09:00:00', 'J18.900')), 'BED-CENSUS');
    expect(eighth).toHaveLength(1);
    expect(eighth[0]?.message.en).toContain('At midnight after 2026-10-10 the institution held 8 patients, above its 4 beds plus the 3 allowed (7)');
    // discharged the same day: not there at midnight
    expect(only(await screen(stay('S9', '2026-10-10 12:00:00', '2026-10-10 18:00:00', 'J18.900')), 'BED-CENSUS')).toEqual([]);
  });

  it('stays sent in one stream, screened side by side: exactly those past the limit in the order sent are flagged; a replay counts once', async () => {
    // twelve stays of one night at the 4-bed hospital (limit 7), and two of them sent again
    const stays = Array.from({ length: 12 }, (_, i) => stay(`Q${i + 1}`, `2026-10-20 0${(i % 9) + 1}:00:00`, '2026-10-25 09:00:00', 'J18.900'));
    const lines = [...stays.slice(0, 6), stays[1], ...stays.slice(6, 9), stays[4], ...stays.slice(9)];
    const res = await svc.call('/v1/claims/stream', { method: 'POST', body: lines.map((c) => JSON.stringify(c)).join('\n') + '\n', headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    const answers = (await res.text())
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { status: number; replayed?: boolean; answer?: { claimId: string; findings: F[] } });
    expect(answers.map((a) => a.status)).toEqual(lines.map(() => 200));
    expect(answers.filter((a) => a.replayed).map((a) => a.answer?.claimId)).toEqual(['Q2', 'Q5']);
    const flagged = answers.filter((a) => only(a.answer as { findings: F[] }, 'BED-CENSUS').length > 0).map((a) => a.answer?.claimId);
    expect(flagged).toEqual(['Q8', 'Q9', 'Q10', 'Q11', 'Q12']);
    expect((await stored(HOSPITAL, 'BED-CENSUS')).filter((r) => r.claim_no.startsWith('Q')).map((r) => r.claim_no)).toEqual(['Q10', 'Q11', 'Q12', 'Q8', 'Q9']);
    const eighth = only(answers.find((a) => a.answer?.claimId === 'Q8')?.answer as { findings: F[] }, 'BED-CENSUS');
    expect(eighth[0]?.message.en).toContain('At midnight after 2026-10-20 the institution held 8 patients');
  });

  it('stays sent at once (none stored when each is read): exactly the stays past the limit are flagged', async () => {
    // ten stays of one night at the 4-bed hospital (limit 7), ten requests at once: which three are
    // past the limit depends on the order they arrive in, their number does not
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => screen(stay(`P${i + 1}`, '2026-11-05 10:00:00', '2026-11-09 10:00:00', 'J18.900'))));
    const hits = answers.flatMap((a) => only(a, 'BED-CENSUS'));
    expect(hits).toHaveLength(3);
    // the first of them the 8th at midnight (the census read is counted up to one past the limit only)
    expect(hits.filter((f) => f.message.en.includes('held 8 patients'))).toHaveLength(1);
    expect((await stored(HOSPITAL, 'BED-CENSUS')).filter((r) => r.claim_no.startsWith('P'))).toHaveLength(3);
  });
});

describe('ADMISSION-CLUSTER', () => {
  it('flags the fifth short stay for an outpatient-treatable diagnosis in a week and the four before it retrospectively; an epidemic at a proper length of stay is not', async () => {
    // an epidemic: six influenza admissions in a week, five nights each
    const day = (d: number) => `2026-10-${String(d).padStart(2, '0')}`;
    for (let i = 1; i <= 6; i++) expect(only(await screen(stay(`E${i}`, `${day(19 + i)} 10:00:00`, `${day(24 + i)} 10:00:00`, 'J11.100', CLINIC)), 'ADMISSION-CLUSTER')).toEqual([]);
    const codes = ['J06.900', 'K52.900', 'J20.900', 'M54.500', 'K29.700'];
    for (let i = 1; i <= 4; i++) {
      const a = await screen(stay(`A${i}`, `2026-10-1${i} 10:00:00`, `2026-10-1${i + 2} 09:00:00`, codes[i - 1] as string, CLINIC));
      expect(only(a, 'ADMISSION-CLUSTER')).toEqual([]);
      expect(only(a, 'STAY-LOW-STANDARD')).toHaveLength(1);
    }
    const fifth = only(await screen(stay('A5', '2026-10-15 10:00:00', '2026-10-16 09:00:00', codes[4] as string, CLINIC)), 'ADMISSION-CLUSTER');
    expect(fifth).toHaveLength(1);
    expect(fifth[0]?.message.en).toContain('From 2026-10-11 to 2026-10-15 (within ±7 days) 5 short stays here (at least 5');
    expect(await stored(CLINIC, 'ADMISSION-CLUSTER')).toEqual(['A1', 'A2', 'A3', 'A4', 'A5'].map((claim_no) => ({ claim_no, retrospective: claim_no !== 'A5', status })));
  });
});

describe('the rules are in trial until 2027-01-01', () => {
  it('each of the four', () => {
    for (const id of ['CARD-BURST', 'DOCTOR-CAPACITY', 'BED-CENSUS', 'ADMISSION-CLUSTER']) expect(catalogue.find((r) => r.id === id)?.trialUntil).toBe('2027-01-01');
  });
});

describe('npm run import doctors', () => {
  it('loads doctors from CSV; a row without a capacity is refused by line', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cs-doctors-'));
    try {
      const file = path.join(dir, 'doctors.csv');
      await writeFile(
        file,
        [
          'doctorId,institutionId,outpatientPerDay,admissionsPerDay,source,validFrom,validTo',
          'H1-D001,H1,60,,fund,2026-01-01,',
          'H1-D002,H1,40,6,fund,2026-01-01,2026-12-31',
          'H1-D003,H1,,,fund,2026-01-01,',
          '',
        ].join('\n'),
      );
      // on PGlite the import opens its own embedded database under dir/data (PGlite serves one
      // process), loaded from the run's migrated template rather than migrated by the import
      await seedPgliteDir(path.join(dir, 'data', 'pglite'));
      const run = await runImport({ url: svc.databaseUrl, dir }, 'doctors', file);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('line 4');
      expect(run.stderr).toContain('at least one of outpatientPerDay and admissionsPerDay is required');
      if (svc.databaseUrl) {
        const rows = await svc.deps.database.query<{ doctor_id: string; outpatient_per_day: number; admissions_per_day: number | null; valid_to: string | null }>(
          `select doctor_id, outpatient_per_day, admissions_per_day, valid_to::text from doctors where institution_id = 'H1' order by doctor_id`,
        );
        expect(rows.map((r) => [r.doctor_id, Number(r.outpatient_per_day), r.admissions_per_day === null ? null : Number(r.admissions_per_day), r.valid_to])).toEqual([
          ['H1-D001', 60, null, null],
          ['H1-D002', 40, 6, '2026-12-31'],
        ]);
      } else {
        expect(run.stdout).toContain('doctors: 2 loaded, 1 refused of 3 rows');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
