import { z } from 'zod';
import { compareSubmission, type Claim, type ClaimLine } from '../claim.js';
import type { Rule, RuleHit } from '../engine.js';
import { claim } from '../fixtures/build.js';
import { ref } from '../quantity/over-limit.js';
import { cstTime, yuan } from '../text.js';
import { range } from '../params.js';
import { NONE } from '../facts.js';

interface Params {
  /** lines matched one to one (item, service time, amount), over the larger claim's line count */
  minMatchingShare: number;
  /** service times this far apart still match */
  serviceTimeToleranceMinutes: number;
  /** visit start times this far apart are still the same visit */
  startTimeToleranceMinutes: number;
}

const MINUTE = 60_000;

/** Lines of `a` matched one to one with lines of `b` of the same item and amount, service times within the tolerance. */
function matchingLines(a: readonly ClaimLine[], b: readonly ClaimLine[], toleranceMs: number): number {
  const pool = new Map<string, ClaimLine[]>();
  for (const l of b) pool.set(`${l.itemCode}|${l.amountFen}`, [...(pool.get(`${l.itemCode}|${l.amountFen}`) ?? []), l]);
  let matched = 0;
  for (const l of a) {
    const candidates = pool.get(`${l.itemCode}|${l.amountFen}`) ?? [];
    let best = -1;
    candidates.forEach((m, i) => {
      const d = Math.abs(m.serviceAt - l.serviceAt);
      if (d <= toleranceMs && (best < 0 || d < Math.abs(candidates[best]!.serviceAt - l.serviceAt))) best = i;
    });
    if (best >= 0) {
      candidates.splice(best, 1);
      matched += 1;
    }
  }
  return matched;
}

/** `a` was submitted before `b` (`compareSubmission`: settlement time, else claim number) */
const submittedBefore = (a: Claim, b: Claim) => compareSubmission(a, b) < 0;

/**
 * The same visit submitted again under a new claim id: same person, institution, visit type and
 * start time, and at least `minMatchingShare` of the lines matching by item, service time and
 * amount. The claim submitted second is the copy (`compareSubmission`: the later settled when both
 * claims carry a settlement time, else the larger claim number), whichever arrived first: when the
 * copy arrived first it is found when the original arrives (retrospective). The copy's lines are
 * all violating and its total is at issue.
 *
 * A suspicion ('high'), not withheld: the claim model has no reversal (冲销), so a visit reversed
 * and settled again looks the same; exact repeats of lines are withheld line by line by
 * DUP-SAME-LINE anyway.
 */
export const duplicateResubmittedVisit: Rule<Params> = {
  id: 'DUP-RESUBMITTED-VISIT',
  version: 1,
  family: 'duplicate',
  severity: 'high',
  status: 'active',
  description: { zh: '同一次就诊以新的结算单号重复申报', en: 'The same visit resubmitted under a new claim id' },
  effectiveFrom: '2000-01-01',
  defaults: { minMatchingShare: 0.8, serviceTimeToleranceMinutes: 0, startTimeToleranceMinutes: 0 },
  paramSchema: z
    .object({
      // a share of 0 would take any two visits of one type at one institution for a resubmission
      minMatchingShare: range({ min: 0, max: 1, minExclusive: true }),
      serviceTimeToleranceMinutes: range({ min: 0, max: 1440 }),
      startTimeToleranceMinutes: range({ min: 0, max: 1440 }),
    })
    .strict(),
  evaluate({ claim: c, params, facts }) {
    if (c.lines.length === 0) return NONE;
    const matches: { other: Claim; matched: number; share: number }[] = [];
    for (const o of facts.others) {
      if (o.institutionId !== c.institutionId || o.visitType !== c.visitType || o.lines.length === 0) continue;
      if (Math.abs(o.startedAt - c.startedAt) > params.startTimeToleranceMinutes * MINUTE) continue;
      const matched = matchingLines(c.lines, o.lines, params.serviceTimeToleranceMinutes * MINUTE);
      const share = matched / Math.max(c.lines.length, o.lines.length);
      if (share >= params.minMatchingShare) matches.push({ other: o, matched, share });
    }
    if (matches.length === 0) return NONE;

    const sentence = (copy: Claim, original: Claim, matched: number, share: number) => {
      const n = Math.max(copy.lines.length, original.lines.length);
      const total = yuan(copy.lines.reduce((s, l) => s + l.amountFen, 0));
      return {
        zh: `结算单 ${copy.claimNo} 重复申报结算单 ${original.claimNo} 的同一次就诊 (${cstTime(copy.startedAt)} 开始): ${n} 行中 ${matched} 行项目、时间、金额相同 (比例 ${share.toFixed(2)}, 阈值 ${params.minMatchingShare.toFixed(2)}), 涉及金额 ${total} 元`,
        en: `Claim ${copy.claimNo} resubmits the visit of claim ${original.claimNo} (started ${cstTime(copy.startedAt)}): ${matched} of ${n} lines match by item, service time and amount (share ${share.toFixed(2)}, threshold ${params.minMatchingShare.toFixed(2)}); ${total} yuan at issue`,
      };
    };
    const hits: RuleHit[] = [];
    // this claim is a copy when another was submitted before it
    const original = matches.find((m) => submittedBefore(m.other, c));
    if (original) {
      hits.push({
        message: sentence(c, original.other, original.matched, original.share),
        violatingLines: c.lines.map((l) => l.lineId),
        involvedLines: [],
        otherClaims: matches.map((m) => ref(m.other)),
        amountFen: c.lines.reduce((s, l) => s + l.amountFen, 0),
      });
    }
    // an earlier-arrived claim submitted after this one, with no other copy submitted before it, is a copy found only now
    for (const m of matches) {
      if (!submittedBefore(c, m.other)) continue;
      if (matches.some((x) => x !== m && submittedBefore(x.other, m.other))) continue;
      hits.push({
        message: sentence(m.other, c, m.matched, m.share),
        violatingLines: [],
        involvedLines: c.lines.map((l) => l.lineId),
        otherClaims: [
          ref(
            m.other,
            m.other.lines.map((l) => l.lineId),
          ),
        ],
        amountFen: m.other.lines.reduce((s, l) => s + l.amountFen, 0),
      });
    }
    return hits;
  },
  fixtures: () => {
    const lines = (n: number, over: { itemCode?: string; amountFen?: number; at?: string }[] = []) =>
      Array.from({ length: n }, (_, i) => ({ itemCode: `I${i}`, at: '2026-10-04 09:00', amountFen: 1000 + i, ...over[i] }));
    const visit = (claimNo: string, ls: ReturnType<typeof lines>, settled?: string) =>
      claim({ claimNo, visit: '2026-10-04 09:00', lines: ls, settledAt: settled === undefined ? undefined : Date.parse(`${settled}+08:00`) });
    return {
      fires: [
        {
          name: 'all five lines again under a new id',
          claim: visit('C2', lines(5)),
          history: { personClaims: [visit('C1', lines(5))] },
          expect: { hits: 1, violatingLines: ['L1', 'L2', 'L3', 'L4', 'L5'], amountFen: 5010, otherClaims: ['C1'] },
        },
        {
          name: 'four of five lines match: exactly the 0.8 threshold',
          claim: visit('C2', lines(5, [{}, {}, {}, {}, { amountFen: 9999 }])),
          history: { personClaims: [visit('C1', lines(5))] },
          expect: { hits: 1, otherClaims: ['C1'] },
        },
        {
          name: 'the copy arrived first, the original (settled earlier) arrives now: the copy is found (retrospective)',
          claim: visit('C1', lines(3), '2026-10-04T10:00:00'),
          history: { personClaims: [visit('C2', lines(3), '2026-10-05T10:00:00')] },
          expect: { hits: 1, violatingLines: [], amountFen: 3003, otherClaims: ['C2'] },
        },
      ],
      passes: [
        {
          name: 'three of five lines match: below 0.8',
          claim: visit('C2', lines(5, [{}, {}, {}, { amountFen: 1 }, { amountFen: 2 }])),
          history: { personClaims: [visit('C1', lines(5))] },
        },
        {
          name: 'the same lines, the visit started a minute later',
          claim: claim({ claimNo: 'C2', visit: '2026-10-04 09:01', lines: lines(3) }),
          history: { personClaims: [visit('C1', lines(3))] },
        },
        {
          name: 'the same lines at another institution',
          claim: visit('C2', lines(3)),
          history: { personClaims: [claim({ institutionId: 'H2', claimNo: 'C1', visit: '2026-10-04 09:00', lines: lines(3) })] },
        },
        {
          name: 'five lines against ten: half the larger claim',
          claim: visit('C2', lines(5)),
          history: { personClaims: [visit('C1', lines(10))] },
        },
      ],
    };
  },
};
