import { z } from 'zod';
import type { Claim } from '../claim.js';
import type { Rule, RuleFixtures } from '../engine.js';
import { claim } from '../fixtures/build.js';
import { icdCategory, list, range } from '../params.js';
import { ageOn } from '../restriction/age.js';
import { diagnosesIn, diagnosisList, wholeClaimHit, yuan } from './icd.js';

export interface DiagnosisAgeParams {
  /** conditions of the perinatal period and liveborn infants: an infant's diagnoses */
  perinatal: string[];
  /** the oldest age in whole years a perinatal diagnosis is the person's own */
  perinatalMaxAgeYears: number;
  /** pregnancy, childbirth and the puerperium */
  pregnancy: string[];
  pregnancyMinAgeYears: number;
  pregnancyMaxAgeYears: number;
  /**
   * a newborn is treated on the mother's card for its first weeks (新生儿随母就医): a perinatal
   * diagnosis on a woman's claim is hers to carry when the claim, or one of her claims ended at
   * most this many days before it, has a pregnancy or delivery diagnosis
   */
  newbornOnMotherCardDays: number;
}

const DAY = 86_400_000;

/** Pregnancy, delivery or postpartum care on the claim, or on the person's claims ended within `days` before it. */
function motherOfNewborn(c: Claim, history: readonly Claim[], p: DiagnosisAgeParams): boolean {
  if (c.sex !== 'female') return false;
  const maternal = [...p.pregnancy, 'Z39'];
  if (diagnosesIn(c, maternal).length > 0) return true;
  const since = c.startedAt - p.newbornOnMotherCardDays * DAY;
  return history.some((h) => h.endedAt >= since && h.startedAt <= c.endedAt && diagnosesIn(h, maternal).length > 0);
}

/**
 * A diagnosis the insured person's age rules out: a perinatal condition (P00–P96) or a liveborn
 * infant (Z38) on an adult's claim, a pregnancy (O00–O99, Z32–Z37) of a girl under 10 or a woman
 * over 55. Someone else's care billed on the card (冒名就医), or a made-up diagnosis: for review,
 * the whole claim standing on it. A newborn treated on its mother's card in its first weeks
 * (新生儿随母就医) is not a finding: the mother's claim, or one of hers shortly before, carries the
 * pregnancy or delivery.
 */
export const diagnosisAge: Rule<DiagnosisAgeParams> = {
  id: 'DX-AGE',
  version: 1,
  family: 'diagnosis-conflict',
  severity: 'high',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '诊断与参保人年龄矛盾 (成人诊断新生儿疾病, 10 岁以下或 55 岁以上诊断妊娠): 疑似冒名就医或虚构诊断, 转人工审核; 新生儿随母就医除外',
    en: 'A diagnosis the person’s age rules out (a perinatal condition for an adult, a pregnancy under 10 or over 55): possible impersonation or a made-up diagnosis, for review; a newborn on its mother’s card excepted',
  },
  effectiveFrom: '2000-01-01',
  defaults: {
    perinatal: ['P00-P96', 'Z38'],
    perinatalMaxAgeYears: 0,
    pregnancy: ['O00-O99', 'Z32-Z37'],
    pregnancyMinAgeYears: 10,
    pregnancyMaxAgeYears: 55,
    newbornOnMotherCardDays: 60,
  },
  paramSchema: z
    .object({
      perinatal: list(icdCategory(), 200),
      perinatalMaxAgeYears: range({ min: 0, max: 17, int: true }),
      pregnancy: list(icdCategory(), 200),
      pregnancyMinAgeYears: range({ min: 0, max: 30, int: true }),
      pregnancyMaxAgeYears: range({ min: 40, max: 80, int: true }),
      newbornOnMotherCardDays: range({ min: 0, max: 365, int: true }),
    })
    .strict(),
  evaluate({ claim: c, history, params: p }) {
    if (c.diagnoses.length === 0) return [];
    const date = c.lines[0]?.serviceDate ?? '';
    const age = ageOn(c.birthDate, date);
    const hits: { zh: string; en: string }[] = [];
    if (age > p.perinatalMaxAgeYears) {
      const infant = diagnosesIn(c, p.perinatal);
      if (infant.length > 0 && !motherOfNewborn(c, history.personClaims, p))
        hits.push({
          zh: `新生儿/围生期诊断 ${diagnosisList(infant)} 用于 ${age} 岁参保人 (限 ${p.perinatalMaxAgeYears} 岁及以下; 无妊娠或分娩记录, 非新生儿随母就医)`,
          en: `perinatal diagnosis ${diagnosisList(infant)} for a person aged ${age} (at most ${p.perinatalMaxAgeYears}; no pregnancy or delivery on record, so not a newborn on its mother’s card)`,
        });
    }
    if (age < p.pregnancyMinAgeYears || age > p.pregnancyMaxAgeYears) {
      const pregnant = diagnosesIn(c, p.pregnancy);
      if (pregnant.length > 0)
        hits.push({
          zh: `妊娠/分娩诊断 ${diagnosisList(pregnant)} 用于 ${age} 岁参保人 (合理年龄 ${p.pregnancyMinAgeYears}–${p.pregnancyMaxAgeYears} 岁)`,
          en: `pregnancy diagnosis ${diagnosisList(pregnant)} for a person aged ${age} (plausible ${p.pregnancyMinAgeYears} to ${p.pregnancyMaxAgeYears})`,
        });
    }
    if (hits.length === 0) return [];
    const total = c.lines.reduce((s, l) => s + l.amountFen, 0);
    return [
      wholeClaimHit(c, {
        zh: `诊断与年龄矛盾: ${hits.map((h) => h.zh).join('; ')}; 全部 ${c.lines.length} 行 ${yuan(total)} 元转人工审核`,
        en: `Diagnosis contradicts age: ${hits.map((h) => h.en).join('; ')}; all ${c.lines.length} lines, ${yuan(total)} yuan, for review`,
      }),
    ];
  },
  fixtures,
};

function fixtures(): RuleFixtures<DiagnosisAgeParams> {
  const visit = (sex: 'male' | 'female', birthDate: string, ...codes: string[]) =>
    claim({
      sex,
      birthDate,
      visit: '2026-10-04 09:00',
      diagnoses: codes.map((code, i) => ({ code, main: i === 0 })),
      lines: [
        { itemCode: 'V', at: '2026-10-04 09:00' },
        { itemCode: 'L', at: '2026-10-04 09:20', amountFen: 3000 },
      ],
    });
  const delivery = claim({
    claimNo: 'D1',
    sex: 'female',
    birthDate: '1995-05-01',
    admitted: '2026-09-20 10:00',
    discharged: '2026-09-23 09:00',
    diagnoses: [{ code: 'O80.000', main: true }],
    lines: [{ itemCode: 'B', at: '2026-09-20 10:00' }],
  });
  return {
    fires: [
      { name: 'neonatal jaundice (P59.900) for a man of 56', claim: visit('male', '1970-01-01', 'P59.900'), expect: { hits: 1, violatingLines: ['L1', 'L2'], amountFen: 4000 } },
      { name: 'a liveborn infant (Z38.000) for a woman of 31 with no pregnancy on record', claim: visit('female', '1995-05-01', 'Z38.000') },
      { name: 'supervision of a normal pregnancy (Z34.900) for a woman of 67', claim: visit('female', '1959-02-01', 'Z34.900'), expect: { hits: 1 } },
      {
        name: 'neonatal jaundice on a woman’s card 120 days after her delivery (beyond 60 days)',
        claim: visit('female', '1995-05-01', 'P59.900'),
        history: { personClaims: [{ ...delivery, startedAt: delivery.startedAt - 120 * 86_400_000, endedAt: delivery.endedAt - 120 * 86_400_000 }] },
      },
    ],
    passes: [
      { name: 'neonatal jaundice for an infant of 2 months', claim: visit('male', '2026-08-01', 'P59.900') },
      { name: 'a newborn on its mother’s card: neonatal jaundice 11 days after her delivery', claim: visit('female', '1995-05-01', 'P59.900'), history: { personClaims: [delivery] } },
      {
        name: 'a newborn on its mother’s card during her delivery stay',
        claim: claim({
          sex: 'female',
          birthDate: '1995-05-01',
          admitted: '2026-09-20 10:00',
          discharged: '2026-09-23 09:00',
          diagnoses: [
            { code: 'O80.000', main: true },
            { code: 'P59.900', main: false },
          ],
          lines: [{ itemCode: 'B', at: '2026-09-20 10:00' }],
        }),
      },
      { name: 'a pregnancy at 42', claim: visit('female', '1984-03-01', 'Z34.900') },
      { name: 'an adult’s hypertension', claim: visit('male', '1970-01-01', 'I10.x00') },
    ],
  };
}
