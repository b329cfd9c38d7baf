import { z } from 'zod';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { dosedReference, purchase } from './fixtures.js';
import type { Claim } from '../claim.js';
import { range } from '../params.js';
import { decimal4, itemName, yuan } from '../text.js';
import { DAY_MS, days1, dispensed, dispensingsUpTo, drugCodes } from './dispensings.js';

export interface SupplyRollingParams {
  /** how far back (days) earlier dispensings are looked at; the service's history holds 90 days by default */
  lookbackDays: number;
  /** the supply a person may hold after a dispensing, as a multiple of the larger of this dispensing's days and `baseDays` */
  ratio: number;
  /** the days the limit is at least the multiple of: a short dispensing may still top up a month's supply */
  baseDays: number;
}

/**
 * 超量开药/倒卖: a person's rolling supply of a drug, summed over their dispensings at every
 * institution (outpatient and pharmacy claims), above what one prescription allows. The supply of
 * a dispensing is its quantity × packUnits ÷ dailyDose (the catalogue's dose: no `daysOfSupply`
 * needed). What the person still holds is carried from one dispensing to the next, less the days
 * between them (never below zero); after this claim's dispensing they hold the carry plus its
 * supply. Above `ratio` × max(its supply, `baseDays`) (1.5 × 30 = 45 days for a month's refill)
 * the claim's lines of the drug are a suspicion (high), the amount their share beyond the limit:
 * a refill up to half a month early passes, a second month's supply bought a week after the first,
 * at the same or another pharmacy, does not. Drugs without a dose in the catalogue are not judged.
 */
export const supplyRolling: Rule<SupplyRollingParams> = {
  id: 'SUPPLY-ROLLING',
  version: 1,
  family: 'over-supply',
  severity: 'high',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '超量开药: 参保人某药品在各机构的滚动持有量 (数量 × 每包装单位 ÷ 日剂量, 扣除已过天数) 超过本次用量 (至少 30 天) 的 1.5 倍',
    en: 'Over-supply: a person’s rolling supply of a drug across institutions (quantity × pack ÷ daily dose, less the days elapsed) beyond 1.5 × this dispensing’s days (at least 30)',
  },
  effectiveFrom: '2000-01-01',
  defaults: { lookbackDays: 90, ratio: 1.5, baseDays: 30 },
  paramSchema: z
    .object({
      lookbackDays: range({ min: 1, max: 730, int: true }),
      ratio: range({ min: 1, max: 10 }),
      baseDays: range({ min: 1, max: 365, int: true }),
    })
    .strict(),
  evaluate({ claim: c, history, reference: ref, params: p }) {
    if (!dispensed(c)) return [];
    const hits: RuleHit[] = [];
    for (const code of drugCodes(c)) {
      const first = c.lines.find((l) => l.itemCode === code)!;
      const r = ref.item(code, first.serviceDate)?.restrictions;
      if (r?.dailyDose === undefined || r.packUnits === undefined) continue;
      const seq = dispensingsUpTo(c, history.personClaims, code, c.startedAt - p.lookbackDays * DAY_MS, ref);
      if (!seq || seq.length < 2) continue;
      const own = seq[seq.length - 1]!;
      if (own.days <= 0) continue;
      // the supply carried into this dispensing, and the earlier claims it came from
      let held = 0;
      let from: Claim[] = [];
      for (let i = 0; i < seq.length - 1; i++) {
        const d = seq[i]!;
        const next = seq[i + 1]!;
        held += d.days;
        from.push(d.claim);
        held -= (next.at - d.at) / DAY_MS;
        if (held <= 0) {
          held = 0;
          from = [];
        }
      }
      if (held <= 0) continue;
      const total = held + own.days;
      const limit = p.ratio * Math.max(own.days, p.baseDays);
      if (total <= limit + 1e-9) continue;
      const amount = own.lines.reduce((s, l) => s + l.amountFen, 0);
      const amountFen = Math.min(amount, Math.round((amount * (total - limit)) / own.days));
      const name = itemName(first, ref);
      const where = [...new Set(from.map((x) => x.institutionId))];
      hits.push({
        message: {
          zh: `${name} 本次 ${decimal4(own.quantity)} ${ref.item(code, first.serviceDate)?.unit ?? ''} = ${days1(own.days)} 天用量 (每单位 ${r.packUnits}, 日剂量 ${r.dailyDose}); 此前 ${from.length} 次取药 (${where.join(', ')}) 尚余 ${days1(held)} 天, 合计持有 ${days1(total)} 天, 超过上限 ${days1(limit)} 天 (${p.ratio} × max(${days1(own.days)}, ${p.baseDays})); 超出部分 ${yuan(amountFen)} 元`,
          en: `${name}: this dispensing ${decimal4(own.quantity)} ${ref.item(code, first.serviceDate)?.unit ?? ''} = ${days1(own.days)} days (${r.packUnits} a unit, daily dose ${r.dailyDose}); ${days1(held)} days still held from ${from.length} earlier ${from.length === 1 ? 'dispensing' : 'dispensings'} (${where.join(', ')}), ${days1(total)} days in all, above the limit of ${days1(limit)} days (${p.ratio} × max(${days1(own.days)}, ${p.baseDays})); ${yuan(amountFen)} yuan for the excess`,
        },
        violatingLines: own.lines.map((l) => l.lineId),
        involvedLines: [],
        otherClaims: from.map((x) => ({ institutionId: x.institutionId, claimId: x.claimNo })),
        amountFen,
      });
    }
    return hits;
  },
  fixtures,
};

function fixtures(): RuleFixtures<SupplyRollingParams> {
  const ref = dosedReference();
  return {
    fires: [
      {
        name: 'a month’s supply bought again a week later at another pharmacy: 23 + 30 = 53 days against 45',
        claim: purchase('C2', '2026-10-08 10:00', 2, 'Y2'),
        history: { personClaims: [purchase('C1', '2026-10-01 10:00', 2)] },
        reference: ref,
        // 8 of 30 days beyond the limit: 8/30 of 30.00 yuan
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 800, otherClaims: ['C1'] },
      },
      {
        name: 'three purchases 5 days apart, carried through: 15 − 5 + 30 − 5 + 30 = 65 days (the third)',
        claim: purchase('C3', '2026-10-11 10:00', 2),
        history: { personClaims: [purchase('C1', '2026-10-01 10:00', 1), purchase('C2', '2026-10-06 10:00', 2)] },
        reference: ref,
        expect: { hits: 1, otherClaims: ['C1', 'C2'] },
      },
      {
        name: 'an outpatient visit’s prescription, then a pharmacy top-up the same day',
        claim: purchase('C2', '2026-10-01 16:00', 2),
        history: { personClaims: [{ ...purchase('C1', '2026-10-01 09:00', 4, 'H1'), visitType: 'outpatient' }] },
        reference: ref,
        expect: { hits: 1 },
      },
    ],
    passes: [
      {
        name: 'refilled on time: a month, then a month 28 days later',
        claim: purchase('C2', '2026-10-29 10:00', 2),
        history: { personClaims: [purchase('C1', '2026-10-01 10:00', 2)] },
        reference: ref,
      },
      {
        name: 'refilled 15 days early: 15 + 30 = 45, the limit itself',
        claim: purchase('C2', '2026-10-16 10:00', 2),
        history: { personClaims: [purchase('C1', '2026-10-01 10:00', 2)] },
        reference: ref,
      },
      {
        name: 'a long prescription (90 days) refilled 13 days early: 13 + 90 against 135',
        claim: purchase('C2', '2026-12-17 10:00', 6),
        history: { personClaims: [purchase('C1', '2026-10-01 10:00', 6)] },
        reference: ref,
      },
      {
        name: 'the later purchase is not counted against the earlier one (it arrived first)',
        claim: purchase('C1', '2026-10-01 10:00', 2),
        history: { personClaims: [purchase('C2', '2026-10-08 10:00', 2)] },
        reference: ref,
      },
      {
        name: 'a drug without a dose in the catalogue',
        claim: purchase('C2', '2026-10-02 10:00', 2, 'Y1', 'OTC1'),
        history: { personClaims: [purchase('C1', '2026-10-01 10:00', 2, 'Y1', 'OTC1')] },
        reference: ref,
      },
      {
        name: 'a stay’s drugs are not a dispensing',
        claim: purchase('C2', '2026-10-08 10:00', 2),
        history: { personClaims: [{ ...purchase('C1', '2026-10-01 10:00', 4, 'H1'), visitType: 'inpatient' }] },
        reference: ref,
      },
    ],
  };
}
