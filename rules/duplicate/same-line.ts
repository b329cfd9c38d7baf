import type { Claim, ClaimLine } from '../claim.js';
import type { Rule, RuleHit } from '../engine.js';
import { claim } from '../fixtures/build.js';
import { cstTime, itemName, yuan } from '../text.js';
import { noParams } from '../params.js';

/**
 * The same item billed twice for the same person at the same institution and service time:
 * within one claim, or in an earlier claim. Every copy after the first is withheld.
 */
export const duplicateSameLine: Rule = {
  id: 'DUP-SAME-LINE',
  version: 1,
  family: 'duplicate',
  severity: 'violation',
  status: 'active',
  description: {
    zh: '同一患者在同一机构同一时间重复收取同一项目费用',
    en: 'The same item billed twice for one person at one institution at the same service time',
  },
  effectiveFrom: '2000-01-01',
  defaults: {},
  paramSchema: noParams(),
  evaluate({ claim: c, history, reference }) {
    const hits: RuleHit[] = [];
    // Lines by service time (a number: no key string built per line), then by item among the few
    // lines at that instant.
    const first = new Map<number, { line: ClaimLine; claim?: Claim }[]>();
    const earliest = (l: ClaimLine) => first.get(l.serviceAt)?.find((e) => e.line.itemCode === l.itemCode);
    const remember = (l: ClaimLine, claim?: Claim) => {
      const at = first.get(l.serviceAt);
      const entry = claim ? { line: l, claim } : { line: l };
      if (!at) first.set(l.serviceAt, [entry]);
      else if (!at.some((e) => e.line.itemCode === l.itemCode)) at.push(entry);
    };
    for (const other of history.personClaims) {
      if (other.institutionId !== c.institutionId) continue;
      for (const l of other.lines) remember(l, other);
    }
    for (const l of c.lines) {
      const earlier = earliest(l);
      if (!earlier) {
        remember(l);
        continue;
      }
      const name = itemName(l, reference);
      const where = earlier.claim ? `claim ${earlier.claim.claimNo}` : 'this claim';
      const whereZh = earlier.claim ? `结算单 ${earlier.claim.claimNo}` : '本结算单';
      hits.push({
        message: {
          zh: `${name} 于 ${cstTime(l.serviceAt)} 重复收费: 行 ${l.lineId} 与${whereZh}行 ${earlier.line.lineId} 相同, 涉及金额 ${yuan(l.amountFen)} 元`,
          en: `${name} billed twice at ${cstTime(l.serviceAt)}: line ${l.lineId} repeats line ${earlier.line.lineId} of ${where}; ${yuan(l.amountFen)} yuan at issue`,
        },
        violatingLines: [l.lineId],
        involvedLines: earlier.claim ? [] : [earlier.line.lineId],
        otherClaims: earlier.claim ? [{ institutionId: earlier.claim.institutionId, claimId: earlier.claim.claimNo }] : [],
        amountFen: l.amountFen,
      });
    }
    return hits;
  },
  fixtures: {
    fires: [
      {
        name: 'two identical lines in one claim',
        claim: claim({ lines: [{ itemCode: '110200005', at: '2026-10-04 09:00' }, { itemCode: '110200005', at: '2026-10-04 09:00', amountFen: 2000 }] }),
        expect: { hits: 1, violatingLines: ['L2'], amountFen: 2000 },
      },
      {
        name: 'a line repeating one of an earlier claim at the same institution',
        claim: claim({ claimNo: 'C2', lines: [{ itemCode: '110200005', at: '2026-10-04 09:00' }] }),
        history: { personClaims: [claim({ claimNo: 'C1', lines: [{ itemCode: '110200005', at: '2026-10-04 09:00' }] })] },
        expect: { hits: 1, violatingLines: ['L1'], otherClaims: ['C1'] },
      },
    ],
    passes: [
      {
        name: 'the same item a minute later',
        claim: claim({ lines: [{ itemCode: '110200005', at: '2026-10-04 09:00' }, { itemCode: '110200005', at: '2026-10-04 09:01' }] }),
      },
      {
        name: 'the same line at another institution',
        claim: claim({ claimNo: 'C2', lines: [{ itemCode: '110200005', at: '2026-10-04 09:00' }] }),
        history: { personClaims: [claim({ institutionId: 'H2', claimNo: 'C1', lines: [{ itemCode: '110200005', at: '2026-10-04 09:00' }] })] },
      },
    ],
  },
};
