import type { DraftClaim } from './draft.js';

/**
 * Who pays what, in integer fen, always adding up to the total. Inpatient: the pooled fund pays
 * a level-dependent share above the deductible (起付线), less for residents than for employees;
 * medical assistance covers half of what is left for the assisted. Outpatient: the fund pays a
 * share; employees usually pay the rest from their personal account. Pharmacy: the fund pays half
 * of a chronic prescription and nothing for over-the-counter goods.
 */
const DEDUCTIBLE_FEN = { tertiary: 90_000, secondary: 60_000, primary: 30_000, none: 30_000 } as const;
const INPATIENT_PERCENT = { tertiary: 80, secondary: 85, primary: 90, none: 90 } as const;

export interface PaymentSplit {
  fund: number;
  personalAccount: number;
  medicalAssistance: number;
  cash: number;
}

export function splitPayment(d: DraftClaim, totalFen: number, prescribed: boolean): PaymentSplit {
  const { person, inst, kind } = d.plan;
  let fund = 0;
  if (kind === 'inpatient') {
    const percent = INPATIENT_PERCENT[inst.level] - (person.employee ? 0 : 10);
    fund = Math.floor((Math.max(0, totalFen - DEDUCTIBLE_FEN[inst.level]) * percent) / 100);
  } else if (kind === 'outpatient') {
    fund = Math.floor((totalFen * (inst.level === 'primary' ? 60 : 50)) / 100);
  } else if (prescribed) {
    fund = Math.floor(totalFen / 2);
  }
  let rest = totalFen - fund;
  const medicalAssistance = person.assisted && kind === 'inpatient' ? Math.floor(rest / 2) : 0;
  rest -= medicalAssistance;
  const fromAccount = person.employee && (kind !== 'inpatient' ? d.rng.chance(0.8) : d.rng.chance(0.3));
  const personalAccount = fromAccount ? (kind === 'inpatient' ? Math.floor(rest / 3) : rest) : 0;
  return { fund, personalAccount, medicalAssistance, cash: rest - personalAccount };
}
