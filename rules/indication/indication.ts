import { z } from 'zod';
import type { ClaimLine, Diagnosis } from '../claim.js';
import type { Rule, RuleFixtures } from '../engine.js';
import { claim, reference } from '../fixtures/build.js';
import { flag } from '../params.js';
import type { IndicationRef } from '../reference.js';
import { yuan } from '../text.js';
import { NONE } from '../facts.js';

export interface IndicationParams {
  /**
   * judge a claim that carries no diagnosis at all (a pharmacy sale often does not): off by
   * default, since a missing diagnosis is a gap in the data rather than evidence that the item was
   * given without its indication
   */
  judgeWithoutDiagnoses: boolean;
}

/** "E11.900" and "e119" alike: upper-case, dots dropped, so a prefix "E11.9" matches both. */
const bare = (code: string) => code.toUpperCase().replaceAll('.', '');
const matches = (codes: readonly string[], prefixes: readonly string[]) => {
  for (const p of prefixes) {
    const b = bare(p);
    for (const c of codes) if (c.startsWith(b)) return p;
  }
  return undefined;
};

const named = (d: Diagnosis) => (d.name ? `${d.code} (${d.name})` : d.code);

/** Why the line is outside its indications, or undefined when it is within them. */
function breach(ind: IndicationRef, codes: readonly string[], ds: readonly Diagnosis[]): { zh: string; en: string } | undefined {
  const excluded = ind.excluded.length > 0 ? matches(codes, ind.excluded) : undefined;
  if (excluded !== undefined) {
    const d = ds.find((x) => bare(x.code).startsWith(bare(excluded)))!;
    return { zh: `诊断 ${named(d)} 属该项目的排除适应症 ${excluded}`, en: `diagnosis ${named(d)} is among the item’s excluded indications (${excluded})` };
  }
  if (ind.allowed.length > 0 && matches(codes, ind.allowed) === undefined) {
    const list = ds.length > 0 ? ds.map(named).join(', ') : '无';
    return {
      zh: `诊断 (${list}) 均不在该项目的适应症 ${ind.allowed.join('、')} 之内`,
      en: `no diagnosis (${ds.length > 0 ? ds.map(named).join(', ') : 'none'}) is among the item’s indications ${ind.allowed.join(', ')}`,
    };
  }
  return undefined;
}

/**
 * A fee line whose catalogue item has indications (适应症, reference kind item-indications) while
 * no diagnosis on the claim is among them, or one is among its excluded ones: a test or drug given
 * without indication (无指征检查/用药), for review (medium). The lines outside their indications
 * are named, their amount at issue.
 */
export const itemIndication: Rule<IndicationParams> = {
  id: 'ITEM-INDICATION',
  version: 1,
  family: 'indication',
  severity: 'medium',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '收费项目有限定适应症, 而就诊诊断均不在其适应症内 (或属其排除适应症): 疑似无指征检查或用药, 转人工审核',
    en: 'A fee line whose item has indications none of the claim’s diagnoses is among (or one is among its excluded ones): possibly a test or drug given without indication, for review',
  },
  effectiveFrom: '2000-01-01',
  defaults: { judgeWithoutDiagnoses: false },
  paramSchema: z.object({ judgeWithoutDiagnoses: flag() }).strict(),
  evaluate({ claim: c, reference: ref, params: p }) {
    if (c.diagnoses.length === 0 && !p.judgeWithoutDiagnoses) return NONE;
    let codes: string[] | undefined;
    let lines: ClaimLine[] | undefined;
    const reasons: string[] = [];
    const why: { zh: string[]; en: string[] } = { zh: [], en: [] };
    for (const l of c.lines) {
      const ind = ref.indications(l.itemCode, l.serviceDate);
      if (ind === undefined) continue;
      codes ??= c.diagnoses.map((d) => bare(d.code));
      const b = breach(ind, codes, c.diagnoses);
      if (!b) continue;
      (lines ??= []).push(l);
      if (!reasons.includes(l.itemCode)) {
        reasons.push(l.itemCode);
        why.zh.push(`${l.itemCode}: ${b.zh}`);
        why.en.push(`${l.itemCode}: ${b.en}`);
      }
    }
    if (!lines) return NONE;
    const amountFen = lines.reduce((s, l) => s + l.amountFen, 0);
    return [
      {
        message: {
          zh: `无指征收费: ${why.zh.join('; ')}; ${lines.length} 行 ${yuan(amountFen)} 元转人工审核`,
          en: `Billed without indication: ${why.en.join('; ')}; ${lines.length} ${lines.length === 1 ? 'line' : 'lines'}, ${yuan(amountFen)} yuan, for review`,
        },
        violatingLines: lines.map((l) => l.lineId),
        involvedLines: [],
        otherClaims: [],
        amountFen,
      },
    ];
  },
  fixtures,
};

function fixtures(): RuleFixtures<IndicationParams> {
  const ref = reference({
    indications: [
      { itemCode: 'SALBUTAMOL', allowed: ['J45', 'J44'], excluded: [] },
      { itemCode: 'HBA1C', allowed: ['E10', 'E11', 'O24', 'R73'], excluded: [] },
      { itemCode: 'ANTIBIOTIC', allowed: [], excluded: ['J00', 'J06.9'] },
    ],
  });
  const visit = (codes: string[], items: string[]) =>
    claim({
      diagnoses: codes.map((code, i) => ({ code, main: i === 0 })),
      lines: items.map((itemCode, i) => ({ itemCode, at: `2026-10-04 09:${String(10 + i)}`, category: 'drug' as const, amountFen: 2000 })),
    });
  return {
    fires: [
      { name: 'salbutamol for a sprained ankle (S93.4)', claim: visit(['S93.400'], ['SALBUTAMOL', 'V']), reference: ref, expect: { hits: 1, violatingLines: ['L1'], amountFen: 2000 } },
      { name: 'an HbA1c test with hypertension only (I10)', claim: visit(['I10.x00'], ['HBA1C']), reference: ref },
      { name: 'an antibiotic for a common cold (J00, excluded)', claim: visit(['J00.x00'], ['ANTIBIOTIC']), reference: ref },
      {
        name: 'an antibiotic for an upper respiratory infection (J06.900, excluded by J06.9) beside an allowed asthma inhaler',
        claim: visit(['J06.900', 'J45.900'], ['ANTIBIOTIC', 'SALBUTAMOL']),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 2000 },
      },
      { name: 'a pharmacy sale with no diagnosis, judged when the deployment asks', claim: visit([], ['SALBUTAMOL']), reference: ref, params: { judgeWithoutDiagnoses: true } },
    ],
    passes: [
      { name: 'salbutamol for asthma (J45.900)', claim: visit(['J45.900'], ['SALBUTAMOL']), reference: ref },
      { name: 'salbutamol for COPD as the second diagnosis (J44.100)', claim: visit(['I10.x00', 'J44.100'], ['SALBUTAMOL']), reference: ref },
      { name: 'an HbA1c test for diabetes written without the dot (E119)', claim: visit(['E119'], ['HBA1C']), reference: ref },
      { name: 'an antibiotic for pneumonia (J18.9)', claim: visit(['J18.900'], ['ANTIBIOTIC']), reference: ref },
      { name: 'an item with no indications listed', claim: visit(['S93.400'], ['V']), reference: ref },
      { name: 'a pharmacy sale with no diagnosis (not judged by default)', claim: visit([], ['SALBUTAMOL']), reference: ref },
    ],
  };
}
