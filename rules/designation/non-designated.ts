import type { ClaimLine } from '../claim.js';
import { NONE } from '../facts.js';
import type { Rule } from '../engine.js';
import { claim, hospital, reference } from '../fixtures/build.js';
import { yuan } from '../text.js';
import { noParams } from '../params.js';

/**
 * Services on dates the institution was not designated: unknown to the fund, or outside its
 * designation period. Every such line is withheld.
 */
export const nonDesignated: Rule = {
  id: 'NON-DESIGNATED',
  version: 1,
  family: 'non-designated',
  severity: 'violation',
  status: 'active',
  description: { zh: '机构在服务日期不是定点医药机构', en: 'The institution was not designated on the service date' },
  effectiveFrom: '2000-01-01',
  defaults: {},
  paramSchema: noParams(),
  evaluate({ claim: c, reference: ref, facts }) {
    let outside: ClaimLine[] | undefined;
    // a line of the date of the line before it has that line's verdict (a claim's lines are mostly of a few dates)
    let date: string | undefined;
    let out = false;
    for (let i = 0; i < c.lines.length; i++) {
      const l = c.lines[i]!;
      if (l.serviceDate !== date) {
        date = l.serviceDate;
        const inst = facts.institution(date);
        out = !inst || date < inst.designatedFrom || (inst.designatedTo !== undefined && date > inst.designatedTo);
      }
      if (out) (outside ??= []).push(l);
    }
    if (outside === undefined) return NONE;
    const amountFen = outside.reduce((s, l) => s + l.amountFen, 0);
    const dates = [...new Set(outside.map((l) => l.serviceDate))].sort();
    const span = dates.length === 1 ? dates[0] : `${dates[0]}–${dates[dates.length - 1]}`;
    const known = ref.institution(c.institutionId, outside[0]?.serviceDate ?? '');
    const why = known
      ? { zh: `定点期为 ${known.designatedFrom} 至 ${known.designatedTo ?? '今'}`, en: `designated ${known.designatedFrom} to ${known.designatedTo ?? 'now'}` }
      : { zh: '医保未登记该定点机构', en: 'the fund has no designation record for it' };
    return [
      {
        message: {
          zh: `机构 ${c.institutionId} 在 ${span} 非定点 (${why.zh}), ${outside.length} 行共 ${yuan(amountFen)} 元不予支付`,
          en: `Institution ${c.institutionId} was not designated on ${span} (${why.en}); ${outside.length} lines, ${yuan(amountFen)} yuan not payable`,
        },
        violatingLines: outside.map((l) => l.lineId),
        involvedLines: [],
        otherClaims: [],
        amountFen,
      },
    ];
  },
  fixtures: () => ({
    fires: [
      {
        name: 'an institution the fund does not know',
        claim: claim({ lines: [{ itemCode: 'X', at: '2026-10-04 09:00' }] }),
        reference: reference({}),
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 1000 },
      },
      {
        name: 'the day after designation ended',
        claim: claim({
          lines: [
            { itemCode: 'X', at: '2026-09-30 23:59' },
            { itemCode: 'Y', at: '2026-10-01 00:00' },
          ],
        }),
        reference: reference({ institutions: [hospital({ designatedTo: '2026-09-30' })] }),
        expect: { hits: 1, violatingLines: ['L2'] },
      },
    ],
    passes: [
      {
        name: 'on the last day of designation',
        claim: claim({ lines: [{ itemCode: 'X', at: '2026-09-30 23:59' }] }),
        reference: reference({ institutions: [hospital({ designatedTo: '2026-09-30' })] }),
      },
    ],
  }),
};
