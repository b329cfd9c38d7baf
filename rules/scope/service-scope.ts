import type { Claim, ClaimLine, LineCategory } from '../claim.js';
import type { Rule } from '../engine.js';
import { claim, reference } from '../fixtures/build.js';
import { noParams } from '../params.js';
import type { ServiceScopeRef } from '../reference.js';
import { yuan } from '../text.js';
import { NONE } from '../facts.js';

const CATEGORY_ZH: Record<LineCategory, string> = {
  drug: '药品',
  consumable: '耗材',
  service: '诊疗服务',
  bed: '床位',
  nursing: '护理',
  exam: '检查',
  lab: '检验',
  operation: '手术',
};
const VISIT_ZH = { outpatient: '门诊', inpatient: '住院', pharmacy: '购药' } as const;

/** Why the line is outside the scope, or undefined when it is inside. */
function breach(c: Claim, l: ClaimLine, s: ServiceScopeRef): { zh: string; en: string } | undefined {
  if (s.visitTypes.length > 0 && !s.visitTypes.includes(c.visitType))
    return {
      zh: `就医方式 ${VISIT_ZH[c.visitType]} 不在服务范围 (${s.visitTypes.map((v) => VISIT_ZH[v]).join('、')}) 内`,
      en: `care setting ${c.visitType} is outside the scope (${s.visitTypes.join(', ')})`,
    };
  if (s.categories.length > 0 && !s.categories.includes(l.category))
    return {
      zh: `${CATEGORY_ZH[l.category]}类项目不在服务范围 (${s.categories.map((x) => CATEGORY_ZH[x]).join('、')}) 内`,
      en: `category ${l.category} is outside the scope (${s.categories.join(', ')})`,
    };
  if (s.departments.length > 0) {
    const dept = (l.departmentCode ?? c.departmentCode)?.toUpperCase();
    if (dept !== undefined && !s.departments.some((d) => dept.startsWith(d)))
      return { zh: `科室 ${dept} 不在服务范围 (${s.departments.join('、')}) 内`, en: `department ${dept} is outside the scope (${s.departments.join(', ')})` };
  }
  return undefined;
}

/**
 * Lines outside the institution's service scope (服务范围, reference kind `service-scopes`) valid
 * on the line's date: a care setting, a line category or a department its agreement with the fund
 * does not cover (a pharmacy billing bed days, a clinic without an operating room billing an
 * operation). Not payable (超出定点服务范围). An institution the fund records no scope for is not
 * judged; a line without a department code is not judged by department.
 */
export const serviceScope: Rule = {
  id: 'SERVICE-SCOPE',
  version: 1,
  family: 'service-scope',
  severity: 'violation',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '收费项目超出定点机构的服务范围 (就医方式、项目类别或科室): 不予支付',
    en: 'Lines outside the institution’s service scope (care setting, line category or department): not payable',
  },
  effectiveFrom: '2000-01-01',
  defaults: {},
  paramSchema: noParams(),
  evaluate({ claim: c, reference: ref }) {
    let lines: ClaimLine[] | undefined;
    const why: { zh: string[]; en: string[] } = { zh: [], en: [] };
    let lastDate = '';
    let scope: ServiceScopeRef | undefined;
    for (const l of c.lines) {
      if (l.serviceDate !== lastDate) {
        lastDate = l.serviceDate;
        scope = ref.serviceScope(c.institutionId, l.serviceDate);
      }
      if (!scope) continue;
      const b = breach(c, l, scope);
      if (!b) continue;
      (lines ??= []).push(l);
      if (!why.en.includes(b.en)) {
        why.zh.push(b.zh);
        why.en.push(b.en);
      }
    }
    if (!lines) return NONE;
    const amountFen = lines.reduce((s, l) => s + l.amountFen, 0);
    return [
      {
        message: {
          zh: `超出服务范围: ${c.institutionId} ${why.zh.join('; ')}; ${lines.length} 行 ${yuan(amountFen)} 元不予支付`,
          en: `Outside the service scope of ${c.institutionId}: ${why.en.join('; ')}; ${lines.length} ${lines.length === 1 ? 'line' : 'lines'}, ${yuan(amountFen)} yuan not payable`,
        },
        violatingLines: lines.map((l) => l.lineId),
        involvedLines: [],
        otherClaims: [],
        amountFen,
      },
    ];
  },
  fixtures: () => {
    const ref = reference({
      scopes: [
        { institutionId: 'P1', categories: ['drug', 'consumable'], visitTypes: ['pharmacy'], departments: [] },
        { institutionId: 'C1', categories: ['drug', 'consumable', 'service', 'exam', 'lab', 'nursing'], visitTypes: [], departments: [] },
        { institutionId: 'H1', categories: [], visitTypes: [], departments: ['A03', 'A07'] },
      ],
    });
    const sale = (institutionId: string, lines: { itemCode: string; category: LineCategory }[], visitType: Claim['visitType'] = 'pharmacy') =>
      claim({ institutionId, visitType, visit: '2026-10-04 09:00', lines: lines.map((l) => ({ ...l, at: '2026-10-04 09:00', amountFen: 5000 })) });
    return {
      fires: [
        {
          name: 'a pharmacy billing a bed day beside a drug',
          claim: sale('P1', [
            { itemCode: 'DRUG', category: 'drug' },
            { itemCode: 'BED', category: 'bed' },
          ]),
          reference: ref,
          expect: { hits: 1, violatingLines: ['L2'], amountFen: 5000 },
        },
        {
          name: 'a clinic without an operating room billing an operation',
          claim: sale('C1', [{ itemCode: 'OP', category: 'operation' }], 'outpatient'),
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1'] },
        },
        {
          name: 'a pharmacy claim sent as an outpatient visit',
          claim: sale('P1', [{ itemCode: 'DRUG', category: 'drug' }], 'outpatient'),
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1'] },
        },
        {
          name: 'a hospital licensed for internal medicine and paediatrics billing under surgery (A04)',
          claim: claim({ institutionId: 'H1', departmentCode: 'A04', visit: '2026-10-04 09:00', lines: [{ itemCode: 'V', at: '2026-10-04 09:00' }] }),
          reference: ref,
        },
      ],
      passes: [
        {
          name: 'a pharmacy selling drugs and consumables',
          claim: sale('P1', [
            { itemCode: 'DRUG', category: 'drug' },
            { itemCode: 'GAUZE', category: 'consumable' },
          ]),
          reference: ref,
        },
        { name: 'a clinic billing a lab test', claim: sale('C1', [{ itemCode: 'CBC', category: 'lab' }], 'outpatient'), reference: ref },
        {
          name: 'a department within the scope (A03.04 under A03)',
          claim: claim({ institutionId: 'H1', departmentCode: 'A03.04', visit: '2026-10-04 09:00', lines: [{ itemCode: 'V', at: '2026-10-04 09:00' }] }),
          reference: ref,
        },
        { name: 'an institution with no scope recorded', claim: sale('P9', [{ itemCode: 'BED', category: 'bed' }]), reference: ref },
      ],
    };
  },
};
