import { compareSubmission, type Claim, type ClaimLine } from '../claim.js';
import { ref } from '../quantity/over-limit.js';
import type { Rule, RuleHit } from '../engine.js';
import { claim } from '../fixtures/build.js';
import { cstTime, itemName, yuan } from '../text.js';
import { noParams } from '../params.js';
import { NONE } from '../facts.js';

/** whether two of the lines have one service time */
function repeatsAnInstant(lines: readonly ClaimLine[]): boolean {
  for (let i = 1; i < lines.length; i++) for (let j = 0; j < i; j++) if (lines[i]!.serviceAt === lines[j]!.serviceAt) return true;
  return false;
}

/** whether a line of the other claims has a service time within the lines' first and last */
function withinSpan(lines: readonly ClaimLine[], others: readonly Claim[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i]!.serviceAt;
    if (at < lo) lo = at;
    if (at > hi) hi = at;
  }
  for (const o of others) for (let i = 0; i < o.lines.length; i++) if (o.lines[i]!.serviceAt >= lo && o.lines[i]!.serviceAt <= hi) return true;
  return false;
}

// beyond this many pairs of lines, sharesALine does not look and the lines are grouped as for a hit
const COMPARE_AT_MOST = 4096;

/**
 * whether a line of the other claims has the service time and item of one of the lines (or there
 * are too many pairs to compare one by one): without one, no line of theirs repeats one of these
 */
function sharesALine(lines: readonly ClaimLine[], others: readonly Claim[]): boolean {
  let pairs = 0;
  for (const o of others) pairs += o.lines.length * lines.length;
  if (pairs > COMPARE_AT_MOST) return true;
  for (const o of others)
    for (let i = 0; i < o.lines.length; i++) {
      const l = o.lines[i]!;
      for (let k = 0; k < lines.length; k++) if (lines[k]!.serviceAt === l.serviceAt && lines[k]!.itemCode === l.itemCode) return true;
    }
  return false;
}

/**
 * The same item billed twice for the same person at the same institution and service time:
 * within one claim, or in another claim. The first line (of the claim submitted first,
 * `compareSubmission`, then by line number) is the original; every other is a copy, withheld, on
 * its own claim. When the claim screened was submitted before an earlier-arrived claim with the
 * same line, that claim's line is the copy found only now: it is reported there (retrospective),
 * so which claim carries the finding does not depend on the order they arrived in.
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
  evaluate({ claim: c, reference, facts }) {
    type Entry = { line: ClaimLine; claim: Claim };
    // A repeat is of one item at one instant, so of one item on one day: with no other claim here
    // and no two lines of an item on a day at one instant (most claims), nothing repeats.
    // Nor when no line of the other claims here falls within this claim's first and last service
    // times (an earlier interim claim of a stay covers earlier days).
    const here = facts.othersHere;
    if ((here.length === 0 || !withinSpan(c.lines, here) || !sharesALine(c.lines, here)) && !facts.codeDays.some((g) => g.lines.length > 1 && repeatsAnInstant(g.lines))) return NONE;
    // Lines by service time (a number: no key string built per line), then by item among the few
    // lines at that instant; only instants this claim bills at.
    const groups = new Map<number, Entry[]>();
    for (const l of c.lines) {
      const at = groups.get(l.serviceAt);
      if (at) at.push({ line: l, claim: c });
      else groups.set(l.serviceAt, [{ line: l, claim: c }]);
    }
    for (const other of facts.others) {
      if (other.institutionId !== c.institutionId) continue;
      for (const l of other.lines) groups.get(l.serviceAt)?.push({ line: l, claim: other });
    }
    const order = (a: Entry, b: Entry) => (a.claim === b.claim ? 0 : compareSubmission(a.claim, b.claim)) || a.line.lineNo - b.line.lineNo;
    const where = (e: Entry) => (e.claim === c ? { zh: '本结算单', en: 'this claim' } : { zh: `结算单 ${e.claim.claimNo}`, en: `claim ${e.claim.claimNo}` });
    const hits: RuleHit[] = [];
    for (const at of groups.values()) {
      if (at.length < 2) continue; // one line at that instant: nothing repeats it
      const byItem = new Map<string, Entry[]>();
      for (const e of at) {
        const same = byItem.get(e.line.itemCode);
        if (same) same.push(e);
        else byItem.set(e.line.itemCode, [e]);
      }
      for (const entries of byItem.values()) {
        if (!entries.some((e) => e.claim === c) || entries.length < 2) continue;
        entries.sort(order);
        const first = entries[0]!;
        const name = itemName(first.line, reference);
        const time = cstTime(first.line.serviceAt);
        for (const e of entries.slice(1)) {
          if (e.claim !== c) continue;
          hits.push({
            message: {
              zh: `${name} 于 ${time} 重复收费: 行 ${e.line.lineId} 与${where(first).zh}行 ${first.line.lineId} 相同, 涉及金额 ${yuan(e.line.amountFen)} 元`,
              en: `${name} billed twice at ${time}: line ${e.line.lineId} repeats line ${first.line.lineId} of ${where(first).en}; ${yuan(e.line.amountFen)} yuan at issue`,
            },
            violatingLines: [e.line.lineId],
            involvedLines: first.claim === c ? [first.line.lineId] : [],
            otherClaims: first.claim === c ? [] : [ref(first.claim)],
            amountFen: e.line.amountFen,
          });
        }
        // this claim's line is now the first: the line that was first before it is a copy found only now
        const was = first.claim === c ? entries.find((e) => e.claim !== c) : undefined;
        if (was) {
          hits.push({
            message: {
              zh: `${name} 于 ${time} 重复收费: 结算单 ${was.claim.claimNo} (${was.claim.institutionId}) 行 ${was.line.lineId} 与先提交的本结算单行 ${first.line.lineId} 相同, 涉及金额 ${yuan(was.line.amountFen)} 元`,
              en: `${name} billed twice at ${time}: line ${was.line.lineId} of claim ${was.claim.claimNo} (${was.claim.institutionId}) repeats line ${first.line.lineId} of this claim, submitted before it; ${yuan(was.line.amountFen)} yuan at issue`,
            },
            violatingLines: [],
            involvedLines: [first.line.lineId],
            otherClaims: [ref(was.claim, [was.line.lineId])],
            amountFen: was.line.amountFen,
          });
        }
      }
    }
    return hits;
  },
  fixtures: () => ({
    fires: [
      {
        name: 'two identical lines in one claim',
        claim: claim({
          lines: [
            { itemCode: '110200005', at: '2026-10-04 09:00' },
            { itemCode: '110200005', at: '2026-10-04 09:00', amountFen: 2000 },
          ],
        }),
        expect: { hits: 1, violatingLines: ['L2'], amountFen: 2000 },
      },
      {
        name: 'a line repeating one of an earlier claim at the same institution',
        claim: claim({ claimNo: 'C2', lines: [{ itemCode: '110200005', at: '2026-10-04 09:00' }] }),
        history: { personClaims: [claim({ claimNo: 'C1', lines: [{ itemCode: '110200005', at: '2026-10-04 09:00' }] })] },
        expect: { hits: 1, violatingLines: ['L1'], otherClaims: ['C1'] },
      },
      {
        name: 'a line repeated by an earlier-arrived claim submitted after this one: that claim’s line is the copy (retrospective)',
        claim: claim({ claimNo: 'C1', settledAt: Date.parse('2026-10-04T10:00:00+08:00'), lines: [{ itemCode: '110200005', at: '2026-10-04 09:00' }] }),
        history: { personClaims: [claim({ claimNo: 'C2', settledAt: Date.parse('2026-10-05T10:00:00+08:00'), lines: [{ itemCode: '110200005', at: '2026-10-04 09:00', amountFen: 1500 }] })] },
        expect: { hits: 1, violatingLines: [], amountFen: 1500, otherClaims: ['C2'] },
      },
    ],
    passes: [
      {
        name: 'the same item a minute later',
        claim: claim({
          lines: [
            { itemCode: '110200005', at: '2026-10-04 09:00' },
            { itemCode: '110200005', at: '2026-10-04 09:01' },
          ],
        }),
      },
      {
        name: 'the same line at another institution',
        claim: claim({ claimNo: 'C2', lines: [{ itemCode: '110200005', at: '2026-10-04 09:00' }] }),
        history: { personClaims: [claim({ institutionId: 'H2', claimNo: 'C1', lines: [{ itemCode: '110200005', at: '2026-10-04 09:00' }] })] },
      },
    ],
  }),
};
