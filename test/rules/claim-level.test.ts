import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../rules/catalogue.js';
import { cstDate } from '../../src/lib/time.js';
import { inpatientClaim, outpatientClaim } from '../support/claims.js';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue 19's claim-level families through the service (PGlite, or PostgreSQL with DATABASE_URL):
 * a code outside the catalogue (CODE-UNLISTED), diagnoses contradicting sex or age (DX-SEX,
 * DX-AGE, the newborn on its mother's card let pass), an injury without a declaration
 * (INJURY-UNDECLARED, the claim's new optional `injury` field), and the trial every new rule
 * starts in: reported, never withheld nor routed to review, until its date or an admin's.
 */
let svc: TestService;
const ITEMS = 60; // above CODE-UNLISTED's 50: a catalogue taken as loaded
beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, {
    institutions: [{ id: 'H32010200001', level: 'secondary' }],
    items: [
      { code: '110200005', name: '住院诊查费' },
      { code: '120100001', name: '床位费', category: 'bed' },
      { code: 'XJ01DDA040A001010100001', name: '头孢曲松钠注射液', category: 'drug' },
      { code: '110100001', name: '普通门诊诊查费' },
      ...Array.from({ length: ITEMS - 4 }, (_, i) => ({ code: `9${String(i).padStart(8, '0')}`, name: `项目${i}` })),
    ],
  });
});
afterAll(async () => {
  await svc?.close();
});

type F = { ruleId: string; status: string; severity: string; violatingLines: string[]; amount: string; message: { zh: string; en: string } };
const screen = async (claim: object) => {
  const res = await svc.call('/v1/claims', { json: claim });
  expect(res.status).toBe(200);
  return json(res);
};
const ours = (answer: { findings: F[] }, ruleId: string) => answer.findings.filter((f) => f.ruleId === ruleId);
const setRule = async (ruleId: string, body: object) => {
  const res = await svc.call(`/v1/rules/${ruleId}/settings`, { role: 'admin', method: 'PUT', json: { reason: 'test', ...body } });
  expect(res.status).toBe(200);
  return json(res);
};

let n = 0;
const person = (sex: 'male' | 'female', birthDate: string) => ({ id: `32010219${String(++n).padStart(10, '0')}`, sex, birthDate });
const today = cstDate(Date.now());
const defaultStatus = (id: string) => {
  const until = catalogue.find((r) => r.id === id)?.trialUntil;
  return until !== undefined && today <= until ? 'trial' : 'active';
};

describe('CODE-UNLISTED', () => {
  it('finds the line under a code the catalogue does not hold, in trial first, then withholds it once active', async () => {
    const made = (claimId: string) =>
      outpatientClaim({
        claimId,
        insured: person('female', '1990-01-01'),
        lines: [
          { lineId: '1', itemCode: '110100001', category: 'service', serviceAt: '2026-10-03 10:00:00', quantity: 1, unitPrice: 10, amount: 10 },
          { lineId: '2', itemCode: 'ZX12345', hospitalItemName: '保健按摩(全身)', category: 'service', serviceAt: '2026-10-03 10:20:00', quantity: 1, unitPrice: 88, amount: 88 },
        ],
        totalAmount: 98,
        payment: { fund: 49, personalAccount: 0, cash: 49 },
      });
    const first = await screen(made('UNL-1'));
    const [f] = ours(first, 'CODE-UNLISTED');
    expect(f).toMatchObject({ status: defaultStatus('CODE-UNLISTED'), severity: 'violation', violatingLines: ['2'], amount: '88.00' });
    expect(f!.message.en).toContain(`ZX12345 (保健按摩(全身)) is not in the fund's catalogue (${ITEMS} items) valid on 2026-10-03; 1 line, 88.00 yuan not payable`);
    expect(f!.message.zh).toContain(`不在服务日期 2026-10-03 有效的医保目录 (${ITEMS} 项) 内`);
    if (f!.status === 'trial') expect(first.decision).toBe('pass');

    const listed = await screen(outpatientClaim({ claimId: 'UNL-2', insured: person('female', '1990-01-01') }));
    expect(ours(listed, 'CODE-UNLISTED')).toEqual([]);

    // the admin ends the trial at once
    await setRule('CODE-UNLISTED', { status: 'active' });
    const again = await screen(made('UNL-3'));
    expect(ours(again, 'CODE-UNLISTED')[0]).toMatchObject({ status: 'active', amount: '88.00' });
    expect(again.decision).toBe('withhold');
    expect(again.withheldLines).toEqual([{ lineId: '2', amount: '88.00' }]);
  });
});

describe('trial status', () => {
  it('a trial ends at its date, and an admin extends it', async () => {
    const undeclared = (claimId: string) => inpatientClaim({ claimId, insured: person('male', '1950-01-01'), diagnoses: [{ code: 'S72.000', name: '股骨颈骨折', main: true }] });
    const rules = await json(await svc.call('/v1/rules', { role: 'auditor' }));
    const listed = rules.rules.find((r: { id: string }) => r.id === 'INJURY-UNDECLARED');
    expect(listed).toMatchObject({ trialUntil: '2027-01-01', status: defaultStatus('INJURY-UNDECLARED') });

    // the trial ended yesterday: the rule is in force, and its suspicion routes the claim to review
    const yesterday = cstDate(Date.now() - 86_400_000);
    expect(await setRule('INJURY-UNDECLARED', { trialUntil: yesterday })).toMatchObject({ status: 'active', trialUntil: yesterday });
    const ended = await screen(undeclared('TRI-1'));
    expect(ours(ended, 'INJURY-UNDECLARED')[0]).toMatchObject({ status: 'active', severity: 'medium' });
    expect(ended.decision).toBe('review');

    // extended to a later day: in trial again, reported, the claim passes
    expect(await setRule('INJURY-UNDECLARED', { trialUntil: '2999-12-31' })).toMatchObject({ status: 'trial', trialUntil: '2999-12-31' });
    const extended = await screen(undeclared('TRI-2'));
    expect(ours(extended, 'INJURY-UNDECLARED')[0]).toMatchObject({ status: 'trial', severity: 'medium', amount: '180.00' });
    expect(extended.decision).toBe('pass');

    const bad = await svc.call('/v1/rules/INJURY-UNDECLARED/settings', { role: 'admin', method: 'PUT', json: { reason: 'x', trialUntil: '2027-13-01' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await json(bad))).toContain('trialUntil');
  });
});

describe('INJURY-UNDECLARED', () => {
  it('an injury the fund pays: none declared or a liable third party is found; a declared fall with nobody liable is not', async () => {
    const stay = (claimId: string, injury?: object) =>
      inpatientClaim({ claimId, insured: person('male', '1950-01-01'), diagnoses: [{ code: 'S72.000', name: '股骨颈骨折', main: true }], ...(injury ? { injury } : {}) });
    const none = ours(await screen(stay('INJ-1')), 'INJURY-UNDECLARED');
    expect(none).toHaveLength(1);
    expect(none[0]!.message.en).toBe('Injury diagnosis S72.000 (股骨颈骨折), the fund pays 180.00 yuan, and no injury declaration (cause, third-party liability) was sent');
    expect(none[0]!.violatingLines).toEqual(['L1', 'L2', 'L3']);
    const liable = ours(await screen(stay('INJ-2', { cause: 'traffic', thirdParty: 'liable' })), 'INJURY-UNDECLARED');
    expect(liable[0]).toMatchObject({ severity: 'high', amount: '180.00' });
    expect(liable[0]!.message.zh).toContain('申报原因 交通事故 且有第三方责任, 统筹基金仍支付 180.00 元');
    expect(ours(await screen(stay('INJ-3', { cause: 'fall', thirdParty: 'none' })), 'INJURY-UNDECLARED')).toEqual([]);
    expect(ours(await screen(inpatientClaim({ claimId: 'INJ-4', insured: person('male', '1950-01-01') })), 'INJURY-UNDECLARED')).toEqual([]);
  });

  it('refuses a declaration of the wrong form, naming the field', async () => {
    const res = await svc.call('/v1/claims', { json: inpatientClaim({ claimId: 'INJ-BAD', injury: { cause: 'meteor', thirdParty: 'none' } }) });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await json(res))).toContain('injury.cause');
    const extra = await svc.call('/v1/claims', { json: inpatientClaim({ claimId: 'INJ-BAD2', injury: { cause: 'fall' } }) });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(await json(extra))).toContain('injury.thirdParty');
  });
});

describe('DX-SEX and DX-AGE', () => {
  const visit = (claimId: string, insured: object, ...codes: string[]) => outpatientClaim({ claimId, insured, diagnoses: codes.map((code, i) => ({ code, main: i === 0 })) });

  it('a man diagnosed with vaginitis, a woman with prostatitis: for review, the whole claim', async () => {
    const man = ours(await screen(visit('DXS-1', person('male', '1980-01-01'), 'N76.000')), 'DX-SEX');
    expect(man[0]).toMatchObject({ severity: 'high', violatingLines: ['1'], amount: '10.00' });
    expect(man[0]!.message.en).toBe('Diagnosis N76.000 occurs only in female patients; the person is recorded as male; all 1 lines, 10.00 yuan, for review');
    expect(ours(await screen(visit('DXS-2', person('female', '1980-01-01'), 'N41.000')), 'DX-SEX')).toHaveLength(1);
    expect(ours(await screen(visit('DXS-3', person('female', '1980-01-01'), 'N76.000')), 'DX-SEX')).toEqual([]);
  });

  it('neonatal jaundice on a man’s card is found; on a mother’s card after her delivery (her stored stay) it is not', async () => {
    const grandfather = ours(await screen(visit('DXA-1', person('male', '1960-01-01'), 'P59.900')), 'DX-AGE');
    expect(grandfather).toHaveLength(1);
    expect(grandfather[0]!.message.en).toContain('perinatal diagnosis P59.900 for a person aged 66 (at most 0');

    const mother = person('female', '1995-05-01');
    const delivery = await screen(
      inpatientClaim({
        claimId: 'DXA-2',
        insured: mother,
        admittedAt: '2026-09-20 10:00:00',
        dischargedAt: '2026-09-23 09:00:00',
        diagnoses: [
          { code: 'O80.000', main: true },
          { code: 'P59.900', main: false },
        ],
        lines: [{ lineId: 'L1', itemCode: '120100001', category: 'bed', serviceAt: '2026-09-20 10:00:00', quantity: 3, unitPrice: 45, amount: 135 }],
        totalAmount: 135,
        payment: { fund: 100, personalAccount: 0, cash: 35 },
      }),
    );
    expect(ours(delivery, 'DX-AGE')).toEqual([]);
    expect(ours(await screen(visit('DXA-3', mother, 'P59.900')), 'DX-AGE')).toEqual([]);
    // another woman of her age with no delivery on record
    expect(ours(await screen(visit('DXA-4', person('female', '1995-05-01'), 'P59.900')), 'DX-AGE')).toHaveLength(1);
  });
});

describe('the person register: PERSON-DECEASED and PERSON-NOT-ENROLLED', () => {
  const put = (records: object[]) => svc.call('/v1/reference/person-register', { role: 'admin', method: 'PUT', json: { records } });

  it('takes persons by their raw id, stores and lists only the keyed hash, and refuses bad entries naming the field', async () => {
    const res = await put([{ personId: 'DEAD-0001', enrolledFrom: '2010-01-01', deathDate: '2026-10-02', validFrom: '2000-01-01' }]);
    expect(await json(res)).toEqual({ upserted: 1 });
    const listed = await json(await svc.call('/v1/reference/person-register', { role: 'auditor' }));
    expect(listed.total).toBe(1);
    expect(listed.records[0]).toEqual({ personHash: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), enrolledFrom: '2010-01-01', deathDate: '2026-10-02', validFrom: '2000-01-01' });
    expect(JSON.stringify(await svc.deps.database.query('select * from person_register'))).not.toContain('DEAD-0001');
    // listed back by its hash, the same entry is replaced rather than added
    expect(await json(await put([{ personHash: listed.records[0].personHash, enrolledFrom: '2010-01-01', deathDate: '2026-10-02', validFrom: '2000-01-01' }]))).toEqual({ upserted: 1 });
    expect((await json(await svc.call('/v1/reference/person-register', { role: 'auditor' }))).total).toBe(1);

    const both = await put([{ personId: 'X', personHash: listed.records[0].personHash, enrolledFrom: '2010-01-01', validFrom: '2000-01-01' }]);
    expect(both.status).toBe(400);
    expect(JSON.stringify(await json(both))).toContain('exactly one of personId and personHash is required');
    const backwards = await put([{ personId: 'X', enrolledFrom: '2026-01-01', enrolledTo: '2025-01-01', validFrom: '2000-01-01' }]);
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(await json(backwards))).toContain('enrolledTo');
  });

  it('withholds (once active) the lines after death and outside enrolment; the day of death and unknown persons pass', async () => {
    await put([
      { personId: 'DEAD-0002', enrolledFrom: '2010-01-01', deathDate: '2026-10-02', validFrom: '2000-01-01' },
      { personId: 'LAPSED-0001', enrolledFrom: '2010-01-01', enrolledTo: '2026-10-01', validFrom: '2000-01-01' },
      { personId: 'DIED-IN-WARD', enrolledFrom: '2010-01-01', deathDate: '2026-10-05', validFrom: '2000-01-01' },
    ]);
    await setRule('PERSON-DECEASED', { status: 'active' });
    const stay = (claimId: string, id: string) => inpatientClaim({ claimId, insured: { id, sex: 'male', birthDate: '1940-01-01' } });
    const dead = await screen(stay('REG-1', 'DEAD-0002'));
    // L1 and L2 on 10-01 (before death) are payable; L3 on 10-02 (the day of death) too
    expect(ours(dead, 'PERSON-DECEASED')).toEqual([]);
    const later = await screen(
      inpatientClaim({
        claimId: 'REG-2',
        insured: { id: 'DEAD-0002', sex: 'male', birthDate: '1940-01-01' },
        admittedAt: '2026-10-02 08:00:00',
        lines: [
          { lineId: 'A', itemCode: '110200005', category: 'service', serviceAt: '2026-10-02 09:00:00', quantity: 1, unitPrice: 20, amount: 20 },
          { lineId: 'B', itemCode: '120100001', category: 'bed', serviceAt: '2026-10-03 09:00:00', quantity: 2, unitPrice: 45, amount: 90 },
        ],
        totalAmount: 110,
        payment: { fund: 80, personalAccount: 0, cash: 30 },
      }),
    );
    expect(ours(later, 'PERSON-DECEASED')).toMatchObject([{ status: 'active', severity: 'violation', violatingLines: ['B'], amount: '90.00' }]);
    expect(ours(later, 'PERSON-DECEASED')[0]!.message.en).toBe('Care after death: service on 2026-10-03, the person is registered as deceased on 2026-10-02; 1 line, 90.00 yuan not payable');
    expect(later.decision).toBe('withhold');
    expect(later.withheldLines).toEqual([{ lineId: 'B', amount: '90.00' }]);

    const lapsed = ours(await screen(stay('REG-3', 'LAPSED-0001')), 'PERSON-NOT-ENROLLED');
    expect(lapsed).toMatchObject([{ status: defaultStatus('PERSON-NOT-ENROLLED'), severity: 'violation', violatingLines: ['L3'], amount: '37.00' }]);
    expect(lapsed[0]!.message.zh).toBe('非参保期就医: 服务日期 2026-10-02, 参保期于 2026-10-01 终止; 1 行 37.00 元不予支付');
    expect(ours(await screen(stay('REG-4', 'DIED-IN-WARD')), 'PERSON-DECEASED')).toEqual([]);
    expect(ours(await screen(stay('REG-5', 'NOT-IN-REGISTER')), 'PERSON-DECEASED')).toEqual([]);
  });
});

describe('STAY-LOW-STANDARD', () => {
  const stay = (claimId: string, code: string, dischargedAt: string, lines?: object[]) =>
    inpatientClaim({
      claimId,
      insured: person('male', '1960-01-01'),
      admittedAt: '2026-10-01 08:00:00',
      dischargedAt,
      diagnoses: [{ code, main: true }],
      ...(lines ? { lines, totalAmount: '210.00', payment: { fund: '150.00', personalAccount: '0', cash: '60.00' } } : {}),
    });
  it('a stay of at most 3 days, no operation, for what a clinic treats, goes to review; longer, operated or other diagnoses do not', async () => {
    const short = ours(await screen(stay('LOW-1', 'J06.900', '2026-10-03T10:00:00+08:00')), 'STAY-LOW-STANDARD');
    expect(short).toMatchObject([{ severity: 'medium', violatingLines: ['L1', 'L2', 'L3'], amount: '237.00' }]);
    expect(short[0]!.message.en).toBe(
      'A stay of 2 days (2026-10-01 to 2026-10-03, at most 3, no operation) with main diagnosis J06.900, which an outpatient clinic treats; all 3 lines, 237.00 yuan, for review',
    );
    expect(ours(await screen(stay('LOW-2', 'J06.900', '2026-10-05T10:00:00+08:00')), 'STAY-LOW-STANDARD')).toEqual([]);
    expect(ours(await screen(stay('LOW-3', 'J18.900', '2026-10-03T10:00:00+08:00')), 'STAY-LOW-STANDARD')).toEqual([]);
    const operated = stay('LOW-4', 'K52.900', '2026-10-03T10:00:00+08:00', [
      { lineId: 'L1', itemCode: '120100001', category: 'bed', serviceAt: '2026-10-01 09:00:00', quantity: 2, unitPrice: 45, amount: 90 },
      { lineId: 'L2', itemCode: '110200005', category: 'operation', serviceAt: '2026-10-02 09:00:00', quantity: 1, unitPrice: 120, amount: 120 },
    ]);
    expect(ours(await screen(operated), 'STAY-LOW-STANDARD')).toEqual([]);
  });
});
