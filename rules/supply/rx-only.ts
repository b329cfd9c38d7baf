import type { Rule } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { noParams } from '../params.js';
import type { ClaimLine } from '../claim.js';
import { yuan } from '../text.js';

/**
 * 处方药无处方: a prescription-only drug (the catalogue's `prescriptionOnly`) billed by a retail
 * pharmacy (the claim's visit type pharmacy, or an institution of type pharmacy) on a line that
 * names no prescribing doctor (`doctorId`, the prescription's 开方医师 code the national interface
 * sends as drord_dr_codg): sold without a prescription, which the fund does not pay for. A
 * suspicion (high), not a definite violation: a settlement system may leave the doctor off a
 * prescription it holds. Hospitals and clinics prescribe themselves and are not judged.
 */
export const rxOnly: Rule<Record<string, never>> = {
  id: 'RX-ONLY',
  version: 1,
  family: 'rx-only',
  severity: 'high',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '零售药店销售处方药未关联处方 (无开方医师): 处方药须凭处方销售',
    en: 'A prescription-only drug billed at a retail pharmacy without a prescription (no prescribing doctor on the line)',
  },
  effectiveFrom: '2000-01-01',
  defaults: {},
  paramSchema: noParams(),
  evaluate({ claim: c, reference: ref, facts }) {
    let pharmacy: boolean | undefined;
    let lines: ClaimLine[] | undefined;
    for (let i = 0; i < c.lines.length; i++) {
      const l = c.lines[i]!;
      if (l.category !== 'drug' || (l.doctorId !== undefined && l.doctorId.trim() !== '')) continue;
      pharmacy ??= c.visitType === 'pharmacy' || facts.institution(l.serviceDate)?.type === 'pharmacy';
      if (!pharmacy) return [];
      if (facts.items[i]?.restrictions.prescriptionOnly !== true) continue;
      (lines ??= []).push(l);
    }
    if (!lines) return [];
    const amountFen = lines.reduce((s, l) => s + l.amountFen, 0);
    const names = [...new Set(lines.map((l) => l.hospitalItemName ?? ref.item(l.itemCode, l.serviceDate)?.name ?? l.itemCode))];
    return [
      {
        message: {
          zh: `零售药店销售处方药 ${names.join(', ')} (${lines.length} 行) 未关联处方 (无开方医师编码), ${yuan(amountFen)} 元`,
          en: `Prescription-only ${names.join(', ')} (${lines.length} ${lines.length === 1 ? 'line' : 'lines'}) sold by a retail pharmacy without a prescription (no prescribing doctor), ${yuan(amountFen)} yuan`,
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
      items: [item({ itemCode: 'AMOX', name: '阿莫西林胶囊', category: 'drug', restrictions: { prescriptionOnly: true } }), item({ itemCode: 'VC', name: '维生素C片', category: 'drug' })],
    });
    const sale = (lines: { itemCode: string; doctorId?: string }[], visitType: 'pharmacy' | 'outpatient' = 'pharmacy') =>
      claim({ institutionId: 'Y1', visitType, lines: lines.map((l) => ({ ...l, at: '2026-10-04 09:00', category: 'drug' as const, amountFen: 1000 })) });
    return {
      fires: [
        {
          name: 'amoxicillin at a pharmacy with no prescribing doctor',
          claim: sale([{ itemCode: 'AMOX' }, { itemCode: 'VC' }]),
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 1000 },
        },
        { name: 'a blank doctor', claim: sale([{ itemCode: 'AMOX', doctorId: ' ' }]), reference: ref, expect: { hits: 1 } },
      ],
      passes: [
        { name: 'amoxicillin against a prescription', claim: sale([{ itemCode: 'AMOX', doctorId: 'H1-D007' }]), reference: ref },
        { name: 'an over-the-counter drug without a prescription', claim: sale([{ itemCode: 'VC' }]), reference: ref },
        { name: 'a clinic’s outpatient visit (the clinic prescribes)', claim: sale([{ itemCode: 'AMOX' }], 'outpatient'), reference: ref },
      ],
    };
  },
};
