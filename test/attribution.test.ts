import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * Issue 15, item 2, through the real service: a finding belongs to the claim whose lines break the
 * rule, in both arrival orders. The other claim it names gets a reference (with the stored claim,
 * and on its case page when it has a case), and neither a finding, nor a case, nor an amount.
 */
let svc: TestService;
const H1 = 'H32010200001';
const H2 = 'H32010200002';
const BED = '120100001';
const DRUG = 'XJ01DDA040A001010100001';
const VISIT = '110100001';
const HBA1C = '002503020030000';
const NAMES: Record<string, string> = { [BED]: '床位费', [DRUG]: '头孢曲松钠注射液', [VISIT]: '普通门诊诊查费', [HBA1C]: '糖化血红蛋白测定' };

beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, {
    institutions: [{ id: H1 }, { id: H2 }],
    items: [
      { code: BED, name: '床位费', category: 'bed' },
      { code: DRUG, name: '头孢曲松钠注射液', category: 'drug' },
      { code: VISIT, name: '普通门诊诊查费', category: 'service' },
      { code: HBA1C, name: '糖化血红蛋白测定', category: 'lab', restrictions: { timesPerCycle: { times: 1, cycleDays: 15 } } },
    ],
  });
});
afterAll(async () => {
  await svc?.close();
});

let people = 0;
/** a person of their own for each scenario and order */
const newPerson = () => ({ id: `3201021970010${String(++people).padStart(5, '0')}`, sex: 'male', birthDate: '1970-01-01' });
type Person = ReturnType<typeof newPerson>;
type Line = [category: string, itemCode: string, serviceAt: string, amount: number];

function wire(p: Person, o: { inst: string; claimId: string; admitted?: string; discharged?: string; visitAt?: string; settledAt?: string; lines: Line[] }) {
  const total = o.lines.reduce((s, l) => s + l[3], 0);
  return {
    institutionId: o.inst,
    claimId: o.claimId,
    insured: p,
    ...(o.admitted ? { visitType: 'inpatient', medType: '21', admittedAt: o.admitted, dischargedAt: o.discharged } : { visitType: 'outpatient', visitAt: o.visitAt }),
    ...(o.settledAt ? { settledAt: o.settledAt } : {}),
    diagnoses: [{ code: o.admitted ? 'J18.900' : 'J06.900', main: true }],
    lines: o.lines.map(([category, itemCode, serviceAt, amount], i) => ({
      lineId: `L${i + 1}`,
      itemCode,
      hospitalItemName: NAMES[itemCode],
      category,
      serviceAt,
      quantity: 1,
      unitPrice: amount,
      amount,
    })),
    totalAmount: total.toFixed(2),
    payment: { fund: total.toFixed(2), personalAccount: 0, cash: 0 },
  };
}

/** a stay with a bed fee (40.00) and a drug (10.00) on each day from admission to the day before discharge */
function stay(p: Person, inst: string, claimId: string, from: number, to: number, settledAt?: string) {
  const day = (d: number) => `2026-10-${String(d).padStart(2, '0')}`;
  const lines: Line[] = [];
  for (let d = from; d < to; d++) lines.push(['bed', BED, `${day(d)} 08:00:00`, 40], ['drug', DRUG, `${day(d)} 10:00:00`, 10]);
  return wire(p, { inst, claimId, admitted: `${day(from)} 07:30:00`, discharged: `${day(to)} 10:00:00`, ...(settledAt ? { settledAt } : {}), lines });
}

type Wire = ReturnType<typeof wire>;
interface Shown {
  answer: { decision: string; payableAmount: string; totalAmount: string; findings: { id: string; ruleId: string; severity: string; violatingLines: string[]; amount: string }[] };
  laterFindings: { id: string; ruleId: string; severity: string; violatingLines: string[]; amount: string; foundBy: { claimId: string } }[];
  references: {
    id: string;
    findingId: string;
    relation: string;
    ruleId: string;
    findingClaim: { institutionId: string; claimId: string };
    foundBy: { claimId: string };
    lines: string[];
    message: { zh: string; en: string };
  }[];
}

const submit = async (c: Wire) => {
  const res = await svc.call('/v1/claims', { json: c });
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
  return json(res);
};
const shown = async (c: Wire): Promise<Shown> => json(await svc.call(`/v1/claims/${c.institutionId}/${c.claimId}`, { role: 'auditor' }));
/** every finding the claim carries: its own (in its answer) and those filed on it later */
const carried = (s: Shown) => [...s.answer.findings.map((f) => ({ ...f, later: false })), ...s.laterFindings.map((f) => ({ ...f, later: true }))];
/** the claim's review case and its reasons' kinds, if it has one */
async function caseOf(c: Wire) {
  const rows = await svc.deps.database.query<{ id: number; kinds: string[]; amount: string }>(
    `select rc.id, rc.reason_kinds as kinds, rc.amount_at_issue::text as amount
     from review_cases rc join claim_keys k on k.claim_id = rc.claim_id where k.institution_id = $1 and k.claim_no = $2`,
    [c.institutionId, c.claimId],
  );
  return rows[0];
}

/**
 * Sends the two claims in the given order and checks the attribution: the faulty claim carries
 * `rules` (its own findings when it arrives second, filed later when it arrived first) and a
 * case, the innocent one nothing but references to those findings, no case, its whole amount payable.
 */
async function expectAttributed(faulty: Wire, innocent: Wire, order: 'faulty first' | 'innocent first', rules: string[]) {
  const [first, second] = order === 'faulty first' ? [faulty, innocent] : [innocent, faulty];
  await submit(first);
  const answer = await submit(second);

  const f = await shown(faulty);
  const i = await shown(innocent);
  const onFaulty = carried(f);
  for (const rule of rules)
    expect(
      onFaulty.map((x) => x.ruleId),
      `${rule} on the faulty claim, ${order}`,
    ).toContain(rule);
  // where the findings are: in the faulty claim's answer when it arrived second, filed on it later when it arrived first
  expect(
    onFaulty.every((x) => x.later === (order === 'faulty first')),
    order,
  ).toBe(true);
  for (const x of onFaulty) expect(x.violatingLines.length, x.ruleId).toBeGreaterThan(0);
  // a case when the finding was filed later (money already paid) or is a suspicion; a definite
  // violation found at intake is withheld there
  if (order === 'faulty first' || onFaulty.some((x) => x.severity !== 'violation')) expect(await caseOf(faulty), 'the faulty claim has a case').toBeDefined();

  // the innocent claim: no finding of its own, none filed later, paid in full, no case
  expect(carried(i), `findings on the innocent claim, ${order}`).toEqual([]);
  expect(i.answer.decision).toBe('pass');
  expect(i.answer.payableAmount).toBe(i.answer.totalAmount);
  expect(await caseOf(innocent), 'the innocent claim has no case').toBeUndefined();
  if (order === 'faulty first') {
    // the innocent claim arrived second: its answer says nothing of the faulty claim's findings
    expect(answer.findings).toEqual([]);
    expect(answer.decision).toBe('pass');
  }

  // a reference on the innocent claim to each finding on the faulty one
  const ids = new Set(onFaulty.map((x) => x.id));
  expect(i.references.length).toBeGreaterThan(0);
  for (const r of i.references) {
    expect(ids.has(r.findingId), r.ruleId).toBe(true);
    expect(r.findingClaim).toEqual({ institutionId: faulty.institutionId, claimId: faulty.claimId });
    expect(r.relation).toBe(order === 'faulty first' ? 'earlier' : 'later');
    expect(r.foundBy.claimId).toBe(second.claimId);
  }
  for (const rule of rules) expect(i.references.map((r) => r.ruleId)).toContain(rule);
  const who = `${faulty.claimId} (${faulty.institutionId})`;
  const sample = i.references[0]!;
  if (order === 'innocent first') {
    expect(sample.message.en).toContain(`Claim ${who}, received later, refers to this claim`);
    expect(sample.message.zh).toContain(`后到的结算单 ${who} 引用本结算单`);
  } else {
    expect(sample.message.en).toContain(`Claim ${who}, received earlier, refers to this claim`);
    expect(sample.message.zh).toContain(`先到的结算单 ${who} 引用本结算单`);
  }
  // the sentences are made when read: nothing of them is stored (migration 0046)
  const stored = await svc.deps.database.query<{ message: unknown }>('select message from finding_references where id = any($1::uuid[])', [i.references.map((r) => r.id)]);
  expect(stored.map((r) => r.message)).toEqual(i.references.map(() => null));
  // the faulty claim is referred to by nothing: the innocent claim's lines are named in its findings
  expect(f.references).toEqual([]);
  return { f, i, onFaulty };
}

const ORDERS = ['innocent first', 'faulty first'] as const;

describe('a finding belongs to the claim whose lines break the rule, in both arrival orders', () => {
  for (const order of ORDERS) {
    it(`a resubmitted stay: the copy (settled later) carries the findings, the original a reference (${order})`, async () => {
      const p = newPerson();
      const original = stay(p, H1, `ZY-${order[0]}-0001`, 1, 4, '2026-10-04 12:00:00');
      const copy = stay(p, H1, `ZY-${order[0]}-0002`, 1, 4, '2026-10-06 12:00:00');
      const { onFaulty } = await expectAttributed(copy, original, order, ['DUP-RESUBMITTED-VISIT', 'DUP-SAME-LINE', 'STAY-OVERLAP']);
      // every line of the copy repeats one of the original: each withheld once, on the copy
      const same = onFaulty.filter((x) => x.ruleId === 'DUP-SAME-LINE');
      expect(same.flatMap((x) => x.violatingLines).sort()).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'L6']);
      expect(same.reduce((s, x) => s + Number(x.amount), 0)).toBe(150);
      if (order === 'innocent first') {
        const copyAnswer = (await shown(copy)).answer;
        expect(copyAnswer.decision).toBe('withhold');
        expect(copyAnswer.payableAmount).toBe('0.00');
      }
    });

    it(`two HbA1c tests 9 days apart: the second test carries QTY-CYCLE and its amount, the first a reference (${order})`, async () => {
      const p = newPerson();
      // the claim numbers run against the dates: the test's date decides, not the number
      const firstTest = wire(p, { inst: H1, claimId: `MZ-${order[0]}-0009`, visitAt: '2026-10-01 09:00:00', lines: [['lab', HBA1C, '2026-10-01 09:00:00', 40]] });
      const secondTest = wire(p, { inst: H2, claimId: `MZ-${order[0]}-0001`, visitAt: '2026-10-10 09:00:00', lines: [['lab', HBA1C, '2026-10-10 09:00:00', 45]] });
      const { onFaulty, i } = await expectAttributed(secondTest, firstTest, order, ['QTY-CYCLE']);
      expect(onFaulty.filter((x) => x.ruleId === 'QTY-CYCLE')).toMatchObject([{ ruleId: 'QTY-CYCLE', violatingLines: ['L1'], amount: '45.00' }]);
      expect(i.references).toMatchObject([{ ruleId: 'QTY-CYCLE', lines: order === 'faulty first' ? ['L1'] : [] }]);
      const c = await caseOf(secondTest);
      // arriving second it is withheld at intake (no case: a definite violation); filed later, a case to recover 45.00
      if (order === 'faulty first') expect(c).toMatchObject({ kinds: ['retrospective'], amount: '45.00' });
    });

    it(`overlapping stays: the stay admitted later carries STAY-OVERLAP on the overlap's days, the other a reference naming its lines (${order})`, async () => {
      const p = newPerson();
      const outer = stay(p, H1, `ZY-${order[0]}-0101`, 1, 8);
      const inner = stay(p, H2, `ZY-${order[0]}-0102`, 4, 6);
      const { onFaulty, i } = await expectAttributed(inner, outer, order, ['STAY-OVERLAP']);
      expect(onFaulty.filter((x) => x.ruleId === 'STAY-OVERLAP')).toMatchObject([{ ruleId: 'STAY-OVERLAP', violatingLines: ['L1', 'L2', 'L3', 'L4'], amount: '100.00' }]);
      // the outer stay's lines of the overlap's dates (10-04 to the inner stay's discharge on 10-06) are named in the reference
      expect(i.references).toMatchObject([{ ruleId: 'STAY-OVERLAP', lines: ['L7', 'L8', 'L9', 'L10', 'L11', 'L12'] }]);
      expect(i.references[0]!.message.en).toContain('lines L7, L8, L9, L10, L11, L12 of this claim');
      // a reference stored before migration 0046 kept its sentence: it is shown as stored
      const kept = { zh: i.references[0]!.message.zh, en: `${i.references[0]!.message.en} (as stored)` };
      await svc.deps.database.query('update finding_references set message = $2::jsonb where id = $1', [i.references[0]!.id, JSON.stringify(kept)]);
      expect((await shown(outer)).references[0]!.message).toEqual(kept);
    });

    it(`a visit elsewhere during a stay: the stay's lines of that day carry BED-ABSENT, the visit a reference (${order})`, async () => {
      const p = newPerson();
      const bed = stay(p, H1, `ZY-${order[0]}-0201`, 1, 8);
      const visit = wire(p, { inst: H2, claimId: `MZ-${order[0]}-0202`, visitAt: '2026-10-04 15:00:00', lines: [['service', VISIT, '2026-10-04 15:00:00', 15]] });
      const { onFaulty, i } = await expectAttributed(bed, visit, order, ['BED-ABSENT']);
      expect(onFaulty.filter((x) => x.ruleId === 'BED-ABSENT')).toMatchObject([{ ruleId: 'BED-ABSENT', violatingLines: ['L7', 'L8'], amount: '50.00' }]);
      expect(i.references).toMatchObject([{ ruleId: 'BED-ABSENT', lines: ['L1'] }]);
    });
  }

  it('a reference shows on the case page of a claim that has a case for another reason, and adds nothing to it', async () => {
    const p = newPerson();
    const outer = stay(p, H1, 'ZY-page-0301', 1, 8);
    const inner = stay(p, H2, 'ZY-page-0302', 4, 6);
    await submit(outer);
    await submit(inner);
    // the outer stay drawn into the random re-check, as the intake trigger does
    const [row] = await svc.deps.database.query<{ id: number }>(
      `with c as (select review_open_case(k.claim_id) as id from claim_keys k where k.institution_id = $1 and k.claim_no = $2),
            r as (insert into review_reasons (case_id, kind, amount) select id, 'sample', 0 from c)
       select id from c`,
      [H1, 'ZY-page-0301'],
    );
    await svc.deps.database.query('select review_refresh_case($1, false)', [row!.id]);
    const detail = await json(await svc.call(`/v1/review/cases/${row!.id}`, { role: 'auditor' }));
    expect(detail.findings).toEqual([]);
    expect(detail.references).toMatchObject([{ ruleId: 'STAY-OVERLAP', relation: 'later', findingClaim: { institutionId: H2, claimId: 'ZY-page-0302' } }]);
    // the amount at issue is hidden from auditors until a case is concluded (the re-check is blind):
    // a supervisor reads it
    expect(detail.case).toMatchObject({ blinded: true, amountAtIssue: null });
    const full = await json(await svc.call(`/v1/review/cases/${row!.id}`, { role: 'supervisor' }));
    expect(full.case).toMatchObject({ blinded: false, amountAtIssue: '0.00' });

    const login = await fetch(`${svc.url}/ui/login`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ key: svc.keys.auditor, next: '/ui/queue' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    for (const [lang, text] of [
      ['zh', '后到的结算单 ZY-page-0302 (H32010200002) 引用本结算单'],
      ['en', 'Claim ZY-page-0302 (H32010200002), received later, refers to this claim'],
    ] as const) {
      const page = await fetch(`${svc.url}/ui/cases/${row!.id}?lang=${lang}`, { headers: { cookie } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('id="references"');
      expect(html).toContain(text);
    }
  });
});
